//! PEP 440 versions (PyPI), with the normalisations the spec allows (`alpha` = `a`,
//! `c`/`pre`/`preview` = `rc`, `rev`/`r` = `post`, `1.0-1` = `1.0.post1`, separators),
//! and pre-PEP-440 "legacy" versions, which sort before every valid version.

use crate::num::{Num, is_digits};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Local {
    Text(String),
    Num(Num),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Valid {
    epoch: Num,
    release: Vec<Num>,
    /// (0, _) = before any pre-release (dev-only), (1, rank, n) pre-release, (2) none.
    pre: (u8, u8, Num),
    /// None sorts first.
    post: Option<Num>,
    /// (0, n) dev release, (1) none.
    dev: (u8, Num),
    /// None sorts first.
    local: Option<Vec<Local>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pep440 {
    Legacy(Vec<String>),
    Valid(Valid),
}

struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn num(&mut self) -> Option<Num> {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i > start)
            .then(|| Num::new(std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")))
    }
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        // Longest match first.
        let mut best: Option<(usize, usize)> = None;
        for (k, w) in words.iter().enumerate() {
            if self.s[self.i..].starts_with(w.as_bytes()) && best.is_none_or(|(_, l)| w.len() > l) {
                best = Some((k, w.len()));
            }
        }
        let (k, l) = best?;
        self.i += l;
        Some(k)
    }
}

fn parse_valid(s: &str) -> Option<Valid> {
    let lower = s.to_ascii_lowercase();
    let b = lower.strip_prefix('v').unwrap_or(&lower).as_bytes();
    let mut c = Cur { s: b, i: 0 };
    let mut epoch = Num(String::new());
    let first = c.num()?;
    let mut release = vec![first];
    if c.peek() == Some(b'!') {
        c.i += 1;
        epoch = release.pop()?;
        release.push(c.num()?);
    }
    while c.peek() == Some(b'.') && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
        c.i += 1;
        release.push(c.num()?);
    }
    // Pre-release.
    let mut pre = (2u8, 0u8, Num(String::new()));
    let save = c.i;
    c.sep();
    let pre_word = c.word(&["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"]);
    match pre_word {
        Some(k) => {
            let rank = match k {
                0 | 4 => 0,
                1 | 5 => 1,
                _ => 2,
            };
            let save2 = c.i;
            c.sep();
            let n = match c.num() {
                Some(n) => n,
                None => {
                    c.i = save2;
                    Num(String::new())
                }
            };
            pre = (1, rank, n);
        }
        None => c.i = save,
    }
    // Post-release.
    let mut post = None;
    let save = c.i;
    if c.peek() == Some(b'-') && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
        c.i += 1;
        post = c.num();
    } else {
        c.sep();
        if c.word(&["post", "rev", "r"]).is_some() {
            let save2 = c.i;
            c.sep();
            post = Some(match c.num() {
                Some(n) => n,
                None => {
                    c.i = save2;
                    Num(String::new())
                }
            });
        } else {
            c.i = save;
        }
    }
    // Development release.
    let mut dev = (1u8, Num(String::new()));
    let save = c.i;
    c.sep();
    if c.word(&["dev"]).is_some() {
        let save2 = c.i;
        c.sep();
        let n = match c.num() {
            Some(n) => n,
            None => {
                c.i = save2;
                Num(String::new())
            }
        };
        dev = (0, n);
    } else {
        c.i = save;
    }
    // Local version.
    let mut local = None;
    if c.peek() == Some(b'+') {
        c.i += 1;
        let rest = std::str::from_utf8(&c.s[c.i..]).ok()?;
        let mut parts = Vec::new();
        for p in rest.split(['.', '-', '_']) {
            if p.is_empty() || !p.bytes().all(|x| x.is_ascii_alphanumeric()) {
                return None;
            }
            parts.push(if is_digits(p) {
                Local::Num(Num::new(p))
            } else {
                Local::Text(p.to_string())
            });
        }
        c.i = c.s.len();
        local = Some(parts);
    }
    if c.i != c.s.len() {
        return None;
    }
    while release.len() > 1 && release.last().is_some_and(Num::is_zero) {
        release.pop();
    }
    if pre.0 == 2 && post.is_none() && dev.0 == 0 {
        pre = (0, 0, Num(String::new()));
    }
    Some(Valid {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// The ordering key of setuptools' old `LegacyVersion`.
fn legacy_key(s: &str) -> Vec<String> {
    let lower = s.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut raw: Vec<String> = Vec::new();
    let mut other = String::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let tok = if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            Some(&lower[start..i])
        } else if b[i].is_ascii_lowercase() {
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            Some(&lower[start..i])
        } else if b[i] == b'.' || b[i] == b'-' {
            i += 1;
            Some(&lower[start..i])
        } else {
            // Skip one whole character (UTF-8 safe).
            let ch = lower[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            other.push_str(&lower[i..i + ch]);
            i += ch;
            None
        };
        if let Some(t) = tok {
            if !other.is_empty() {
                raw.push(std::mem::take(&mut other));
            }
            raw.push(t.to_string());
        }
    }
    if !other.is_empty() {
        raw.push(other);
    }
    let mut parts: Vec<String> = Vec::new();
    let mapped = raw
        .into_iter()
        .map(|p| match p.as_str() {
            "pre" | "preview" | "rc" => "c".to_string(),
            "-" => "final-".to_string(),
            "dev" => "@".to_string(),
            _ => p,
        })
        .filter(|p| !p.is_empty() && p != ".")
        .map(|p| {
            if p.as_bytes()[0].is_ascii_digit() {
                format!("{p:0>8}")
            } else {
                format!("*{p}")
            }
        })
        .chain(std::iter::once("*final".to_string()));
    for part in mapped {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|l| l == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|l| l == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

impl Pep440 {
    pub(crate) fn parse(s: &str) -> Pep440 {
        match parse_valid(s) {
            Some(v) => Pep440::Valid(v),
            None => Pep440::Legacy(legacy_key(s)),
        }
    }
}
