//! Maven's `ComparableVersion`: nested lists of numbers and qualifiers, where
//! `alpha < beta < milestone < rc < snapshot < "" (release) < sp < unknown qualifiers`
//! and trailing zeros and release qualifiers are dropped.

use std::cmp::Ordering;

use crate::num::Num;

#[derive(Debug, Clone)]
enum Item {
    Int(Num),
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The comparable form of a qualifier: its rank for known ones, else after all of them.
fn comparable(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(s.to_string())
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_zero(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => a.cmp(b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => comparable(s).cmp(&comparable("")),
            (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => comparable(a).cmp(&comparable(b)),
            (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
            (Item::List(l), None) => {
                for i in l {
                    let r = i.cmp_opt(None);
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            }
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let r = match (a.get(i), b.get(i)) {
            (Some(x), y) => x.cmp_opt(y),
            (None, Some(y)) => y.cmp_opt(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn parse_item(digit: bool, s: &str) -> Item {
    if digit {
        Item::Int(Num::new(s))
    } else {
        string_item(s, false)
    }
}

/// Builds the nested list. `path` holds the open sub-lists (innermost last), each
/// closed into its parent at the end.
fn build(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    let chars: Vec<char> = v.chars().collect();
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    let sub = |stack: &mut Vec<Vec<Item>>| stack.push(Vec::new());
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    for (i, &c) in chars.iter().enumerate() {
        let top = |stack: &mut Vec<Vec<Item>>, item: Item| {
            if let Some(l) = stack.last_mut() {
                l.push(item);
            }
        };
        if c == '.' {
            if i == start {
                top(&mut stack, Item::Int(Num(String::new())));
            } else {
                top(&mut stack, parse_item(is_digit, &text(start, i)));
            }
            start = i + 1;
        } else if c == '-' {
            if i == start {
                top(&mut stack, Item::Int(Num(String::new())));
            } else {
                let item = parse_item(is_digit, &text(start, i));
                // A release qualifier between dashes (`1-ga-1`) says nothing: `1-1`.
                if matches!(&item, Item::Str(s) if s.is_empty()) && start > 0 {
                    start = i + 1;
                    continue;
                }
                top(&mut stack, item);
            }
            start = i + 1;
            sub(&mut stack);
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                top(&mut stack, string_item(&text(start, i), true));
                start = i;
                sub(&mut stack);
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                top(&mut stack, parse_item(true, &text(start, i)));
                start = i;
                sub(&mut stack);
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        let item = parse_item(is_digit, &text(start, chars.len()));
        if let Some(l) = stack.last_mut() {
            l.push(item);
        }
    }
    // Close the lists innermost first, normalising each.
    while stack.len() > 1 {
        let mut l = stack.pop().unwrap_or_default();
        normalize(&mut l);
        if let Some(parent) = stack.last_mut() {
            parent.push(Item::List(l));
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    normalize(&mut root);
    root
}

#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

impl MavenVersion {
    pub(crate) fn parse(s: &str) -> MavenVersion {
        MavenVersion { items: build(s) }
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}
