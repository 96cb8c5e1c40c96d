//! Semantic Versioning (lenient about a leading `v` and the number of numeric parts),
//! and Dart pub's variant in which build metadata orders too.

use std::cmp::Ordering;

use crate::num::{Num, is_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ident {
    Num(Num),
    Text(String),
}

impl Ident {
    fn new(s: &str) -> Ident {
        if is_digits(s) {
            Ident::Num(Num::new(s))
        } else {
            Ident::Text(s.to_string())
        }
    }
}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ident {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => a.cmp(b),
            (Ident::Num(_), Ident::Text(_)) => Ordering::Less,
            (Ident::Text(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Text(a), Ident::Text(b)) => a.cmp(b),
        }
    }
}

/// Dot-separated identifiers, as SemVer 2.0 compares them (a shorter prefix is smaller).
pub(crate) fn idents(s: &str) -> Vec<Ident> {
    s.split('.').map(Ident::new).collect()
}

#[derive(Debug, Clone)]
pub(crate) struct SemVer {
    nums: Vec<Num>,
    pre: Option<Vec<Ident>>,
    build: Option<Vec<Ident>>,
    build_orders: bool,
}

impl SemVer {
    pub(crate) fn parse(s: &str, build_orders: bool) -> Result<SemVer, &'static str> {
        let s = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut nums = Vec::new();
        for part in core.split('.') {
            if !is_digits(part) {
                return Err("the version core must be dot-separated numbers");
            }
            nums.push(Num::new(part));
        }
        let check = |p: &str| {
            if p.is_empty()
                || !p
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            {
                Err("pre-release and build identifiers are [0-9A-Za-z-]")
            } else {
                Ok(idents(p))
            }
        };
        Ok(SemVer {
            nums,
            pre: pre.map(check).transpose()?,
            build: build.map(check).transpose()?,
            build_orders,
        })
    }
}

/// Compares numeric parts, padding the shorter one with zeros.
pub(crate) fn cmp_padded(a: &[Num], b: &[Num]) -> Ordering {
    let zero = Num(String::new());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).unwrap_or(&zero);
        let y = b.get(i).unwrap_or(&zero);
        match x.cmp(y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SemVer {}
impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_padded(&self.nums, &other.nums)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| {
                if !self.build_orders {
                    return Ordering::Equal;
                }
                match (&self.build, &other.build) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(a), Some(b)) => a.cmp(b),
                }
            })
    }
}
