//! Red Hat's `rpmvercmp`, and purely numeric schemes (CRAN, Hackage).

use std::cmp::Ordering;

use crate::num::{Num, cmp_digits, is_digits};

/// Numbers separated by the given characters; a shorter prefix is smaller.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NumericVersion {
    parts: Vec<Num>,
}

impl NumericVersion {
    pub(crate) fn parse(s: &str, seps: &[char]) -> Result<NumericVersion, &'static str> {
        let mut parts = Vec::new();
        for p in s.split(seps) {
            if !is_digits(p) {
                return Err("expected numbers separated by dots");
            }
            parts.push(Num::new(p));
        }
        Ok(NumericVersion { parts })
    }
}

/// `[epoch:]version[-release]`, each compared with `rpmvercmp`.
#[derive(Debug, Clone)]
pub(crate) struct RpmVersion {
    epoch: Num,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    pub(crate) fn parse(s: &str) -> RpmVersion {
        let (epoch, rest) = match s.split_once(':') {
            Some((e, r)) if is_digits(e) => (Num::new(e), r),
            _ => (Num(String::new()), s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v.to_string(), Some(r.to_string())),
            None => (rest.to_string(), None),
        };
        RpmVersion {
            epoch,
            version,
            release,
        }
    }
}

/// rpm's segment comparison: alphanumeric runs, `~` sorts before anything, `^` after
/// the base but before anything else.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let ta = a.get(i) == Some(&b'~');
        let tb = b.get(j) == Some(&b'~');
        if ta || tb {
            if !ta {
                return Ordering::Greater;
            }
            if !tb {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let ca = a.get(i) == Some(&b'^');
        let cb = b.get(j) == Some(&b'^');
        if ca || cb {
            if i >= a.len() {
                return Ordering::Less;
            }
            if j >= b.len() {
                return Ordering::Greater;
            }
            if !ca {
                return Ordering::Greater;
            }
            if !cb {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let (si, sj) = (i, j);
        let numeric = a[i].is_ascii_digit();
        if numeric {
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        } else {
            while i < a.len() && a[i].is_ascii_alphabetic() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
        }
        if si == i {
            return Ordering::Less;
        }
        if sj == j {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let x = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let y = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let o = if numeric { cmp_digits(x, y) } else { x.cmp(y) };
        if o != Ordering::Equal {
            return o;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for RpmVersion {}
impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
            })
    }
}
