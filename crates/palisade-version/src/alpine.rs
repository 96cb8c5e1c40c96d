//! Alpine's apk version order: numbers, one letter, `_suffix[N]` (pre-release
//! `alpha < beta < pre < rc` before the release; `cvs < svn < git < hg < p` after),
//! `-rN` revisions; numbers after a dot with a leading zero compare as fractions.

use std::cmp::Ordering;

use crate::num::Num;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tok {
    Invalid = -1,
    DigitOrZero = 0,
    Digit = 1,
    Letter = 2,
    Suffix = 3,
    SuffixNo = 4,
    RevisionNo = 5,
    End = 6,
}

/// A token value: small signed values (letters, suffixes, leading-zero runs) or a
/// number of any size.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    Small(i64),
    Big(Num),
}

impl PartialOrd for Val {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Val {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Val::Small(a), Val::Small(b)) => a.cmp(b),
            (Val::Big(a), Val::Big(b)) => a.cmp(b),
            (Val::Small(a), Val::Big(b)) => {
                if *a < 0 {
                    Ordering::Less
                } else {
                    Num::new(&a.to_string()).cmp(b)
                }
            }
            (Val::Big(_), Val::Small(_)) => other.cmp(self).reverse(),
        }
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &[u8] {
        &self.b[self.i..]
    }
    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }
}

fn next_token(t: &mut Tok, c: &mut Cursor<'_>) {
    let mut n = Tok::Invalid;
    let first = c.rest().first().copied();
    match first {
        None | Some(0) => n = Tok::End,
        Some(ch) if matches!(*t, Tok::Digit | Tok::DigitOrZero) && ch.is_ascii_lowercase() => {
            n = Tok::Letter;
        }
        Some(ch) if *t == Tok::Letter && ch.is_ascii_digit() => n = Tok::Digit,
        Some(ch) if *t == Tok::Suffix && ch.is_ascii_digit() => n = Tok::SuffixNo,
        Some(ch) => {
            match ch {
                b'.' => n = Tok::DigitOrZero,
                b'_' => n = Tok::Suffix,
                b'-' if c.rest().get(1) == Some(&b'r') => {
                    n = Tok::RevisionNo;
                    c.i += 1;
                }
                _ => {}
            }
            c.i += 1;
        }
    }
    if n < *t
        && !((n == Tok::DigitOrZero && *t == Tok::Digit)
            || (n == Tok::Suffix && *t == Tok::SuffixNo)
            || (n == Tok::Digit && *t == Tok::Letter))
    {
        n = Tok::Invalid;
    }
    *t = n;
}

fn get_token(t: &mut Tok, c: &mut Cursor<'_>) -> Val {
    const PRE: [&str; 4] = ["alpha", "beta", "pre", "rc"];
    const POST: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];
    if c.at_end() {
        *t = Tok::End;
        return Val::Small(0);
    }
    let r = c.rest();
    let mut i = 0;
    let mut nt = Tok::Invalid;
    let v = match *t {
        Tok::DigitOrZero if r[0] == b'0' => {
            while i < r.len() && r[i] == b'0' {
                i += 1;
            }
            nt = Tok::Digit;
            Val::Small(-(i as i64))
        }
        Tok::DigitOrZero | Tok::Digit | Tok::SuffixNo | Tok::RevisionNo => {
            while i < r.len() && r[i].is_ascii_digit() {
                i += 1;
            }
            Val::Big(Num::new(std::str::from_utf8(&r[..i]).unwrap_or("")))
        }
        Tok::Letter => {
            i = 1;
            Val::Small(i64::from(r[0]))
        }
        Tok::Suffix => {
            if let Some(k) = PRE.iter().position(|p| r.starts_with(p.as_bytes())) {
                i = PRE[k].len();
                Val::Small(k as i64 - PRE.len() as i64)
            } else if let Some(k) = POST.iter().position(|p| r.starts_with(p.as_bytes())) {
                i = POST[k].len();
                Val::Small(k as i64)
            } else {
                *t = Tok::Invalid;
                return Val::Small(-1);
            }
        }
        _ => {
            *t = Tok::Invalid;
            return Val::Small(-1);
        }
    };
    c.i += i;
    if c.at_end() {
        *t = Tok::End;
    } else if nt != Tok::Invalid {
        *t = nt;
    } else {
        next_token(t, c);
    }
    v
}

/// Compares two apk versions (apk-tools 2's tokens, which generated the known answers,
/// with invalid tails sorting first).
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let mut ca = Cursor {
        b: a.as_bytes(),
        i: 0,
    };
    let mut cb = Cursor {
        b: b.as_bytes(),
        i: 0,
    };
    let (mut at, mut bt) = (Tok::Digit, Tok::Digit);
    let (mut av, mut bv) = (Val::Small(0), Val::Small(0));
    while at == bt && at != Tok::End && at != Tok::Invalid && av == bv {
        av = get_token(&mut at, &mut ca);
        bv = get_token(&mut bt, &mut cb);
    }
    match av.cmp(&bv) {
        Ordering::Equal => {}
        o => return o,
    }
    if at == bt {
        return Ordering::Equal;
    }
    // A version that turns invalid sorts below one that goes on validly or ends (as
    // the newest apk answers; apk 2 put it above).
    if at == Tok::Invalid {
        return Ordering::Less;
    }
    if bt == Tok::Invalid {
        return Ordering::Greater;
    }
    let mut tt = at;
    if at == Tok::Suffix && get_token(&mut tt, &mut ca) < Val::Small(0) {
        return Ordering::Less;
    }
    let mut tt = bt;
    if bt == Tok::Suffix && get_token(&mut tt, &mut cb) < Val::Small(0) {
        return Ordering::Greater;
    }
    match at.cmp(&bt) {
        Ordering::Greater => Ordering::Less,
        Ordering::Less => Ordering::Greater,
        Ordering::Equal => Ordering::Equal,
    }
}
