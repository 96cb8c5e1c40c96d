//! RubyGems' `Gem::Version`: numbers and letter runs; a version with a letter is a
//! pre-release; trailing zeros of the release and pre-release parts do not count.

use std::cmp::Ordering;

use crate::num::Num;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(Num),
    Text(String),
}

#[derive(Debug, Clone)]
pub(crate) struct GemVersion {
    segs: Vec<Seg>,
}

impl GemVersion {
    pub(crate) fn parse(s: &str) -> Result<GemVersion, &'static str> {
        let s = s.replace('-', ".pre.");
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return Err("RubyGems versions are numbers, letters and dots");
        }
        if !s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Err("RubyGems versions start with a number");
        }
        let mut segs = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                segs.push(Seg::Num(Num::new(&s[start..i])));
            } else if b[i].is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segs.push(Seg::Text(s[start..i].to_string()));
            } else {
                i += 1;
            }
        }
        // Canonical segments: release part and pre-release part, each without trailing zeros.
        let split = segs
            .iter()
            .position(|x| matches!(x, Seg::Text(_)))
            .unwrap_or(segs.len());
        let (release, pre) = segs.split_at(split);
        let trim = |v: &[Seg]| -> Vec<Seg> {
            let mut v = v.to_vec();
            while matches!(v.last(), Some(Seg::Num(n)) if n.is_zero()) {
                v.pop();
            }
            v
        };
        let mut canon = trim(release);
        canon.extend(trim(pre));
        Ok(GemVersion { segs: canon })
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GemVersion {}
impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(Num(String::new()));
        for i in 0..self.segs.len().max(other.segs.len()) {
            let a = self.segs.get(i).unwrap_or(&zero);
            let b = other.segs.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => x.cmp(y),
                (Seg::Text(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Text(_)) => Ordering::Greater,
                (Seg::Text(x), Seg::Text(y)) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
