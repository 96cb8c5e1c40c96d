//! Packagist (Composer) versions, ordered as PHP's `version_compare`: parts split at
//! `.`, `-`, `_`, `+` and between digits and letters; special forms
//! `dev < alpha = a < beta = b < RC = rc < # (number) < pl = p`, unknown words first.

use std::cmp::Ordering;

use crate::num::cmp_digits;

#[derive(Debug, Clone)]
pub(crate) struct PhpVersion {
    parts: Vec<String>,
}

impl PhpVersion {
    pub(crate) fn parse(s: &str) -> PhpVersion {
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut parts = Vec::new();
        let mut cur = String::new();
        let mut last_digit: Option<bool> = None;
        for ch in s.chars() {
            if matches!(ch, '.' | '-' | '_' | '+') {
                if !cur.is_empty() {
                    parts.push(std::mem::take(&mut cur));
                }
                last_digit = None;
                continue;
            }
            let d = ch.is_ascii_digit();
            if last_digit.is_some_and(|l| l != d) && !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            cur.push(ch);
            last_digit = Some(d);
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
        PhpVersion { parts }
    }
}

fn is_num(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// The rank of a special form (prefix match, as PHP does).
fn special(s: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    for (f, r) in FORMS {
        if s.starts_with(f) {
            return r;
        }
    }
    -6
}

fn cmp_part(a: &str, b: &str) -> Ordering {
    match (is_num(a), is_num(b)) {
        (true, true) => cmp_digits(a, b),
        (false, false) => special(a).cmp(&special(b)),
        (true, false) => special("#").cmp(&special(b)),
        (false, true) => special(a).cmp(&special("#")),
    }
}

fn cmp_parts(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().min(b.len());
    for i in 0..n {
        let o = cmp_part(&a[i], &b[i]);
        if o != Ordering::Equal {
            return o;
        }
    }
    let hash = ["#".to_string()];
    if a.len() > n {
        if is_num(&a[n]) {
            Ordering::Greater
        } else {
            cmp_parts(&a[n..], &hash)
        }
    } else if b.len() > n {
        if is_num(&b[n]) {
            Ordering::Less
        } else {
            cmp_parts(&hash, &b[n..])
        }
    } else {
        Ordering::Equal
    }
}

impl PartialEq for PhpVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for PhpVersion {}
impl PartialOrd for PhpVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PhpVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}
