//! Elixir/Erlang: mix.lock (an Elixir map literal, read with a small bounded term reader).

use crate::util::{Cx, Res, hash_hex, pkg, purl_for};
use crate::{Ecosystem, Package};

#[derive(Debug, Clone)]
enum Term {
    Str(String),
    Atom(String),
    Num(String),
    List(Vec<Term>),
    Tuple(Vec<Term>),
    /// Map or keyword list entries.
    Map(Vec<(Term, Term)>),
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() {
            match self.b[self.i] {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                b'#' => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn fail(&self, what: &str) -> (usize, String) {
        (self.i, what.to_string())
    }

    fn term(&mut self, depth: usize) -> Result<Term, (usize, String)> {
        if depth > 32 {
            return Err(self.fail("terms nested too deeply"));
        }
        self.ws();
        let c = *self
            .b
            .get(self.i)
            .ok_or_else(|| self.fail("unexpected end of file"))?;
        match c {
            b'%' => {
                self.i += 1;
                if self.b.get(self.i) != Some(&b'{') {
                    return Err(self.fail("expected `{` after `%`"));
                }
                self.i += 1;
                let items = self.seq(b'}', depth, true)?;
                Ok(Term::Map(
                    items
                        .into_iter()
                        .map(|t| match t {
                            Term::Tuple(mut kv) if kv.len() == 2 => {
                                let v = kv.pop().unwrap_or(Term::List(Vec::new()));
                                let k = kv.pop().unwrap_or(Term::List(Vec::new()));
                                (k, v)
                            }
                            other => (other, Term::List(Vec::new())),
                        })
                        .collect(),
                ))
            }
            b'{' => {
                self.i += 1;
                Ok(Term::Tuple(self.seq(b'}', depth, false)?))
            }
            b'[' => {
                self.i += 1;
                Ok(Term::List(self.seq(b']', depth, false)?))
            }
            b'"' => Ok(Term::Str(self.string()?)),
            b':' => {
                self.i += 1;
                if self.b.get(self.i) == Some(&b'"') {
                    return Ok(Term::Atom(self.string()?));
                }
                Ok(Term::Atom(self.word()))
            }
            b'0'..=b'9' | b'-' => Ok(Term::Num(self.word())),
            _ => {
                let w = self.word();
                if w.is_empty() {
                    return Err(self.fail(&format!("unexpected character {:?}", c as char)));
                }
                Ok(Term::Atom(w))
            }
        }
    }

    fn word(&mut self) -> String {
        let s = self.i;
        while self.i < self.b.len()
            && (self.b[self.i].is_ascii_alphanumeric() || b"_.?!@-".contains(&self.b[self.i]))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.b[s..self.i]).to_string()
    }

    fn string(&mut self) -> Result<String, (usize, String)> {
        self.i += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&out).to_string()),
                b'\\' => {
                    if let Some(&n) = self.b.get(self.i) {
                        out.push(n);
                        self.i += 1;
                    }
                }
                _ => out.push(c),
            }
        }
        Err(self.fail("unterminated string"))
    }

    /// Comma-separated items until `close`; `key: value` and `"key" => value` pairs
    /// become 2-tuples. `is_map` also accepts `"key": value`.
    fn seq(&mut self, close: u8, depth: usize, is_map: bool) -> Result<Vec<Term>, (usize, String)> {
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.b.get(self.i) == Some(&close) {
                self.i += 1;
                return Ok(items);
            }
            // keyword `key: value` or `"key": value`
            let save = self.i;
            let mut key: Option<Term> = None;
            if self.b.get(self.i) == Some(&b'"') {
                let s = self.string()?;
                if self.b.get(self.i) == Some(&b':')
                    && self
                        .b
                        .get(self.i + 1)
                        .is_some_and(|c| c.is_ascii_whitespace())
                {
                    self.i += 1;
                    key = Some(Term::Str(s));
                } else {
                    self.i = save;
                }
            } else if self
                .b
                .get(self.i)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            {
                let w = self.word();
                if self.b.get(self.i) == Some(&b':') {
                    self.i += 1;
                    key = Some(Term::Atom(w));
                } else {
                    self.i = save;
                }
            }
            let item = match key {
                Some(k) => Term::Tuple(vec![k, self.term(depth + 1)?]),
                None => {
                    let t = self.term(depth + 1)?;
                    self.ws();
                    if self.b.get(self.i..self.i + 2) == Some(b"=>") {
                        self.i += 2;
                        Term::Tuple(vec![t, self.term(depth + 1)?])
                    } else {
                        t
                    }
                }
            };
            let _ = is_map;
            items.push(item);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(&c) if c == close => {}
                _ => return Err(self.fail(&format!("expected `,` or `{}`", close as char))),
            }
        }
    }
}

fn text(t: &Term) -> Option<&str> {
    match t {
        Term::Str(s) | Term::Atom(s) | Term::Num(s) => Some(s),
        _ => None,
    }
}

/// mix.lock.
pub(crate) fn mix_lock(cx: &mut Cx) -> Res<()> {
    let mut p = P {
        b: cx.text.as_bytes(),
        i: 0,
    };
    let term = p
        .term(0)
        .map_err(|(at, msg)| cx.err(crate::util::line_at(cx.text, at), msg))?;
    let Term::Map(entries) = term else {
        return Err(cx.err(1, "mix.lock must be a map `%{...}`"));
    };
    let mut pkgs: Vec<(Package, Vec<String>)> = Vec::new();
    for (k, v) in &entries {
        let key = text(k).unwrap_or("?").to_string();
        let line = cx.line_of_next(&format!("\"{key}\":"));
        let Term::Tuple(f) = v else {
            cx.skip(line, key, "entry is not a tuple");
            continue;
        };
        match f.first().and_then(text) {
            Some("hex") => {
                let name = f.get(1).and_then(text).unwrap_or(&key);
                let Some(version) = f.get(2).and_then(text) else {
                    cx.skip(line, key, "hex entry without version");
                    continue;
                };
                let mut p = pkg(Ecosystem::Hex, name, Some(version));
                p.line = line;
                if let Some(h) = f.get(7).and_then(text).and_then(|h| hash_hex("sha256", h)) {
                    p.hashes.push(h);
                }
                p.source = f.get(6).and_then(text).map(|r| format!("hex:{r}"));
                let deps = match f.get(5) {
                    Some(Term::List(ds)) => ds
                        .iter()
                        .filter_map(|d| match d {
                            Term::Tuple(t) => t.first().and_then(text).map(str::to_string),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                pkgs.push((p, deps));
            }
            Some("git") => {
                let url = f.get(1).and_then(text).unwrap_or("");
                let rev = f.get(2).and_then(text);
                let mut p = pkg(Ecosystem::Hex, &key, rev);
                p.line = line;
                p.source = Some(url.to_string());
                pkgs.push((p, Vec::new()));
            }
            other => cx.skip(line, key, format!("unknown source {other:?}")),
        }
    }
    let versions: std::collections::BTreeMap<String, Option<String>> = pkgs
        .iter()
        .map(|(p, _)| (p.name.clone(), p.version.clone()))
        .collect();
    for (mut p, deps) in pkgs {
        p.dependencies = deps
            .iter()
            .filter_map(|d| {
                versions
                    .get(d)
                    .map(|v| purl_for(Ecosystem::Hex, d, v.as_deref()))
            })
            .collect();
        cx.add(p);
    }
    Ok(())
}
