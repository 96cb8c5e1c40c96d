//! Comparing decimal digit strings of any length without overflow.

use std::cmp::Ordering;

/// Compares two strings of ASCII digits as unbounded non-negative integers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A non-negative integer of any size, ordered by value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Num(pub(crate) String);

impl Num {
    pub(crate) fn new(s: &str) -> Num {
        let t = s.trim_start_matches('0');
        Num(t.to_string())
    }
    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.0, &other.0)
    }
}
