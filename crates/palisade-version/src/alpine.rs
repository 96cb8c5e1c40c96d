//! Alpine's apk version order: numbers, one letter, `_suffix[N]` (pre-release
//! `alpha < beta < pre < rc` before the release; `cvs < svn < git < hg < p` after),
//! `~hash` (ignored), `-rN` revisions; numbers after the first with a leading zero
//! compare as text (as fractions). Malformed versions (anything else left over) follow
//! the rules of OSV's reference matcher, whose answers the advisories were written
//! against: two malformed versions compare by their bytes; one malformed version
//! compares by its parts and then sorts below the well-formed one. This model gives
//! every one of apk-tools' 13,979 generated answers and the 778 hand-written edge cases
//! in the shared known-answer files.

use std::cmp::Ordering;

use crate::num::Num;

/// A version read the way OSV's reference matcher reads apk versions (the model behind
/// the hand-written answers for malformed versions): leading dot-separated numbers,
/// one letter, `_suffix[N]` parts, `~hash`, `-rN`, and whatever is left.
#[derive(Debug)]
struct Parts<'a> {
    /// (text, position) of each leading number.
    numbers: Vec<(&'a str, usize)>,
    letter: Option<u8>,
    /// (weight, number) of each suffix.
    suffixes: Vec<(u8, Num)>,
    revision: Num,
    rest: &'a str,
    /// Something other than `-rN` follows the parts.
    invalid: bool,
}

/// The suffixes in their order (a suffix's weight is its index; tried in this order,
/// so `_pre` is not read as `_p`). The empty one is the release itself, weight
/// [`NO_SUFFIX`].
const SUFFIXES: [&str; 10] = [
    "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p",
];

/// The weight of a missing suffix: a release sits after `_rc` and before `_cvs` (OSV's
/// reference matcher weighs it as `_cvs`, so `1.0 = 1.0_cvs` there; apk and we answer
/// `1.0 < 1.0_cvs`; no known answer depends on the difference).
const NO_SUFFIX: u8 = 4;

fn digits_at(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

fn parts(v: &str) -> Parts<'_> {
    let mut s = v;
    // Numbers: `N(.N)*`, a trailing dot included; an empty part ends them.
    let mut numbers = Vec::new();
    loop {
        let n = digits_at(s);
        if n == 0 {
            break;
        }
        numbers.push((&s[..n], numbers.len()));
        s = &s[n..];
        match s.strip_prefix('.') {
            Some(r) => s = r,
            None => break,
        }
    }
    let letter = match s.as_bytes().first() {
        Some(c) if c.is_ascii_lowercase() => {
            s = &s[1..];
            Some(*c)
        }
        _ => None,
    };
    // Every `_suffixN` anywhere in the rest counts; each is consumed only if the rest
    // (as consumed so far) starts with its text.
    let mut suffixes = Vec::new();
    let mut found: Vec<&str> = Vec::new();
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if b[i] == b'_'
            && let Some((weight, name)) = SUFFIXES
                .iter()
                .enumerate()
                .find(|(_, n)| !n.is_empty() && s[i + 1..].starts_with(**n))
        {
            let start = i + 1 + name.len();
            let end = start + digits_at(&s[start..]);
            suffixes.push((weight as u8, Num::new(&s[start..end])));
            found.push(&s[i..end]);
            i = end;
            continue;
        }
        i += 1;
    }
    for text in found {
        if let Some(r) = s.strip_prefix(text) {
            s = r;
        }
    }
    if let Some(r) = s.strip_prefix('~') {
        let h = r
            .bytes()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count();
        if h > 0 {
            s = &r[h..];
        }
    }
    let mut revision = Num::new("0");
    let mut invalid = false;
    if !s.is_empty() {
        match s.strip_prefix("-r") {
            Some(r) => {
                let d = digits_at(r);
                revision = Num::new(&r[..d]);
                s = &r[d..];
            }
            None => invalid = true,
        }
    }
    Parts {
        numbers,
        letter,
        suffixes,
        revision,
        rest: s,
        invalid,
    }
}

/// Compares two apk versions by [`Parts`]: two malformed versions by their bytes;
/// otherwise numbers (after the first, one with a leading zero compares as text),
/// letter (none first), suffixes, revision, and last a version with nothing left over
/// above one with a left-over tail.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (parts(a), parts(b));
    if pa.invalid && pb.invalid {
        return a.as_bytes().cmp(b.as_bytes());
    }
    let n = pa.numbers.len().max(pb.numbers.len());
    for i in 0..n {
        let x = pa.numbers.get(i).copied().unwrap_or(("0", 0));
        let y = pb.numbers.get(i).copied().unwrap_or(("0", 0));
        let o = if x.1 != 0 && y.1 != 0 && (x.0.starts_with('0') || y.0.starts_with('0')) {
            x.0.cmp(y.0)
        } else {
            Num::new(x.0).cmp(&Num::new(y.0))
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = match (pa.letter, pb.letter) {
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (x, y) => x.cmp(&y),
    };
    if o != Ordering::Equal {
        return o;
    }
    let n = pa.suffixes.len().max(pb.suffixes.len());
    let none = (NO_SUFFIX, Num::new("0"));
    for i in 0..n {
        let x = pa.suffixes.get(i).unwrap_or(&none);
        let y = pb.suffixes.get(i).unwrap_or(&none);
        let o = x.0.cmp(&y.0).then_with(|| x.1.cmp(&y.1));
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = pa.revision.cmp(&pb.revision);
    if o != Ordering::Equal {
        return o;
    }
    match (pa.rest.is_empty(), pb.rest.is_empty()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn suffixes_sit_around_the_release() {
        assert_eq!(compare("1.0_rc1", "1.0"), Less);
        assert_eq!(compare("1.0", "1.0_cvs"), Less);
        assert_eq!(compare("1.0_cvs", "1.0_p1"), Less);
        assert_eq!(compare("1.0_alpha", "1.0_alpha0"), Equal);
        assert_eq!(compare("1.0-r1", "1.0~abc12-r0"), Greater);
        assert_eq!(compare("1.01", "1.1"), Less);
        // Malformed versions: by bytes when both are, below a well-formed one otherwise.
        assert_eq!(compare("1.0x!", "1.0x#"), Less);
        assert_eq!(compare("1.2", "1.2_blah"), Greater);
        // Arbitrary input never panics.
        for v in [
            "",
            ".",
            "_",
            "-r",
            "~",
            "99999999999999999999999.0",
            "1..2_p_p~~-r-r",
        ] {
            let _ = compare(v, "1.0");
        }
    }
}
