//! Path patterns: Python `fnmatch` (artefact rules) and gitignore-style excludes
//! (`pathspec`'s `gitwildmatch`, what Python in-toto uses for `--exclude`).

/// One compiled token of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// `*`
    Star,
    /// `?`
    Any,
    /// A literal character.
    Lit(char),
    /// `[...]` / `[!...]`
    Class {
        negate: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled `fnmatch` pattern with Python's semantics: `*` matches any run of
/// characters, `/` and leading dots included; `?` one character; `[seq]`, `[!seq]`
/// with ranges; a `[` without its `]` is a literal. Matching is case-sensitive (POSIX).
#[derive(Debug, Clone)]
pub struct Pattern {
    toks: Vec<Tok>,
    literal: Option<String>,
    /// `literal*`: a plain prefix test.
    prefix: Option<String>,
}

impl Pattern {
    /// Compiles `pat`.
    pub fn new(pat: &str) -> Pattern {
        let chars: Vec<char> = pat.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                }
                '?' => toks.push(Tok::Any),
                '[' => match parse_class(&chars, i) {
                    Some((tok, next)) => {
                        toks.push(tok);
                        i = next;
                    }
                    None => toks.push(Tok::Lit('[')),
                },
                c => toks.push(Tok::Lit(c)),
            }
        }
        let literal = toks
            .iter()
            .all(|t| matches!(t, Tok::Lit(_)))
            .then(|| pat.to_string());
        let prefix = match toks.split_last() {
            Some((Tok::Star, head)) if head.iter().all(|t| matches!(t, Tok::Lit(_))) => Some(
                head.iter()
                    .filter_map(|t| match t {
                        Tok::Lit(c) => Some(*c),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        Pattern {
            toks,
            literal,
            prefix,
        }
    }

    /// The pattern's text when it has no wildcard at all (a fast path for lookups).
    pub fn literal(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        if let Some(l) = &self.literal {
            return l == name;
        }
        if let Some(p) = &self.prefix {
            return name.starts_with(p.as_str());
        }
        if name.is_ascii() {
            let b = name.as_bytes();
            self.match_with(b.len(), |i| char::from(b[i]))
        } else {
            let s: Vec<char> = name.chars().collect();
            self.match_with(s.len(), |i| s[i])
        }
    }

    fn match_with(&self, len: usize, at: impl Fn(usize) -> char) -> bool {
        let (mut si, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while si < len {
            match self.toks.get(pi) {
                Some(Tok::Star) => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                Some(t) if one(t, at(si)) => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            }
        }
        self.toks[pi..].iter().all(|t| *t == Tok::Star)
    }
}

fn one(t: &Tok, c: char) -> bool {
    match t {
        Tok::Star => true,
        Tok::Any => true,
        Tok::Lit(l) => *l == c,
        Tok::Class { negate, ranges } => {
            ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negate
        }
    }
}

/// Parses a `[...]` class starting after the `[` at `i`; `None` when it is not closed.
fn parse_class(chars: &[char], mut i: usize) -> Option<(Tok, usize)> {
    let mut negate = false;
    if chars.get(i) == Some(&'!') {
        negate = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Tok::Class { negate, ranges }, i + 1));
        }
        first = false;
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&h| h != ']') {
            let hi = chars[i + 2];
            if c <= hi {
                ranges.push((c, hi));
            }
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
}

/// Gitignore-style exclude patterns, as Python in-toto applies them to recorded paths
/// (`pathspec` `gitwildmatch`): a pattern without `/` matches a path component at any
/// depth, one with `/` is anchored at the top, `**` spans directories, a trailing `/`
/// only matches directories, `!` re-includes, the last matching pattern wins, and a
/// matched directory excludes everything beneath it.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    rules: Vec<ExcludeRule>,
}

#[derive(Debug, Clone)]
struct ExcludeRule {
    negate: bool,
    dir_only: bool,
    anchored: bool,
    segments: Vec<Seg>,
}

#[derive(Debug, Clone)]
enum Seg {
    DoubleStar,
    Glob(Pattern),
}

impl Excludes {
    /// Compiles gitignore lines (blank lines and `#` comments are ignored).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Excludes {
        let mut rules = Vec::new();
        for p in patterns {
            let mut p = p.as_ref().trim_end();
            if p.is_empty() || p.starts_with('#') {
                continue;
            }
            let mut negate = false;
            if let Some(rest) = p.strip_prefix('!') {
                negate = true;
                p = rest;
            }
            let mut dir_only = false;
            if let Some(rest) = p.strip_suffix('/') {
                dir_only = true;
                p = rest;
            }
            let anchored = p.contains('/');
            let p = p.strip_prefix('/').unwrap_or(p);
            if p.is_empty() {
                continue;
            }
            let segments = p
                .split('/')
                .map(|s| {
                    if s == "**" {
                        Seg::DoubleStar
                    } else {
                        Seg::Glob(Pattern::new(s))
                    }
                })
                .collect();
            rules.push(ExcludeRule {
                negate,
                dir_only,
                anchored,
                segments,
            });
        }
        Excludes { rules }
    }

    /// Python in-toto's default excludes: `*.link*`, `.git`, `*.pyc`, `*~`.
    pub fn python_defaults() -> Excludes {
        Excludes::new(&["*.link*", ".git", "*.pyc", "*~"])
    }

    /// Whether the normalised relative `path` (a directory when `is_dir`) is excluded.
    pub fn excluded(&self, path: &str, is_dir: bool) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let mut result = false;
        for rule in &self.rules {
            let mut hit = false;
            for k in 1..=comps.len() {
                let prefix_is_dir = k < comps.len() || is_dir;
                if rule.dir_only && !prefix_is_dir {
                    continue;
                }
                let prefix = &comps[..k];
                let m = if rule.anchored {
                    seg_match(&rule.segments, prefix)
                } else {
                    // unanchored: the last component of the prefix matches the pattern
                    seg_match(&rule.segments, &prefix[k - 1..])
                };
                if m {
                    hit = true;
                    break;
                }
            }
            if hit {
                result = !rule.negate;
            }
        }
        result
    }
}

fn seg_match(segs: &[Seg], comps: &[&str]) -> bool {
    match segs.split_first() {
        None => comps.is_empty(),
        Some((Seg::DoubleStar, rest)) => {
            (0..=comps.len()).any(|skip| seg_match(rest, &comps[skip..]))
        }
        Some((Seg::Glob(p), rest)) => match comps.split_first() {
            Some((c, crest)) => p.matches(c) && seg_match(rest, crest),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::new(p).matches(s)
    }

    #[test]
    fn fnmatch_like_python() {
        assert!(m("*", "a/b/c"));
        assert!(m("*.py", "dir/sub/x.py"));
        assert!(m("*", ".hidden"));
        assert!(m("demo-project/*", "demo-project/a/b"));
        assert!(!m("demo-project/*", "demo-project"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("[ab]x", "bx"));
        assert!(!m("[!ab]x", "bx"));
        assert!(m("[a-c]", "b"));
        assert!(m("[]]", "]"));
        assert!(m("[", "["));
        assert!(m("x[", "x["));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b", "xxaxxbxxc"));
        assert!(m("foo.py", "foo.py"));
        assert!(!m("foo.py", "dir/foo.py"));
    }

    #[test]
    fn excludes_like_gitignore() {
        let d = Excludes::python_defaults();
        assert!(d.excluded("x.link", false));
        assert!(d.excluded(".step.abcd1234.link-unfinished", false));
        assert!(d.excluded("sub/a.link", false));
        assert!(d.excluded(".git/config", false));
        assert!(d.excluded("sub/.git", true));
        assert!(!d.excluded("foo.py", false));
        let e = Excludes::new(&["build/", "/top.txt", "docs/**/*.md", "!keep.link", "*.link"]);
        assert!(e.excluded("build/x", false));
        assert!(!e.excluded("build", false));
        assert!(e.excluded("top.txt", false));
        assert!(!e.excluded("a/top.txt", false));
        assert!(e.excluded("docs/a/b/c.md", false));
        assert!(e.excluded("docs/c.md", false));
        assert!(e.excluded("keep.link", false));
    }
}
