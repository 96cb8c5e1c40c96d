//! NuGet versions: up to four numbers (missing ones are zero), a pre-release label
//! compared case-insensitively, metadata ignored.

use std::cmp::Ordering;

use crate::num::{Num, is_digits};
use crate::semver::{Ident, cmp_padded, idents};

#[derive(Debug, Clone)]
pub(crate) struct NuGetVersion {
    nums: Vec<Num>,
    pre: Option<Vec<Ident>>,
}

impl NuGetVersion {
    pub(crate) fn parse(s: &str) -> Result<NuGetVersion, &'static str> {
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let rest = s.split_once('+').map(|(r, _)| r).unwrap_or(s);
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut nums = Vec::new();
        for part in core.split('.') {
            if !is_digits(part) {
                return Err("the version must start with dot-separated numbers");
            }
            nums.push(Num::new(part));
        }
        if pre.is_some_and(str::is_empty) {
            return Err("empty pre-release label");
        }
        Ok(NuGetVersion {
            nums,
            pre: pre.map(|p| idents(&p.to_ascii_lowercase())),
        })
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NuGetVersion {}
impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_padded(&self.nums, &other.nums).then_with(|| match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        })
    }
}
