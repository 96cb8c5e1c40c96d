//! GitHub CODEOWNERS: location, syntax, pattern matching (gitignore-like with GitHub's
//! differences: no `!` negation, no `[ ]` ranges — brackets are literal —, `\*`/`\?`
//! escapes), last match wins, owners as `@user`, `@org/team` or an email.

use std::path::{Path, PathBuf};

/// Where GitHub looks, in order; the first that exists is used.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
/// GitHub ignores CODEOWNERS files above 3 MB.
pub const MAX_SIZE: usize = 3 * 1024 * 1024;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 1-based line.
    pub line: usize,
    /// The pattern as written.
    pub pattern: String,
    /// Owners (empty: the rule un-owns what it matches).
    pub owners: Vec<String>,
    matcher: Pattern,
}

/// A line GitHub would skip, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeOwners {
    /// Valid rules, in file order.
    pub rules: Vec<Rule>,
    /// Invalid lines (GitHub skips them).
    pub errors: Vec<LineError>,
}

/// Finds the CODEOWNERS file GitHub would use under `root`.
pub fn locate(root: &Path) -> Option<PathBuf> {
    LOCATIONS.iter().map(|l| root.join(l)).find(|p| p.is_file())
}

fn valid_owner(o: &str) -> bool {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    };
    if let Some(u) = o.strip_prefix('@') {
        return match u.split_once('/') {
            Some((org, team)) => name_ok(org) && name_ok(team),
            None => name_ok(u),
        };
    }
    match o.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !o.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Splits a line into whitespace-separated fields, honouring `\ ` escapes, and drops a
/// trailing `#` comment.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '#' if cur.is_empty() => break,
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl CodeOwners {
    /// Parses a CODEOWNERS file. Invalid lines are collected, not fatal.
    pub fn parse(text: &str) -> CodeOwners {
        let mut co = CodeOwners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let f = fields(raw);
            let Some((pattern, owners)) = f.split_first() else {
                continue;
            };
            let err = |reason: String| LineError { line, reason };
            if pattern.starts_with('!') {
                co.errors.push(err(format!(
                    "{pattern:?}: negation (!) is not supported by GitHub"
                )));
                continue;
            }
            if let Some(bad) = owners.iter().find(|o| !valid_owner(o)) {
                co.errors.push(err(format!(
                    "{bad:?} is not an owner (@user, @org/team or an email)"
                )));
                continue;
            }
            co.rules.push(Rule {
                line,
                pattern: pattern.clone(),
                owners: owners.to_vec(),
                matcher: Pattern::new(pattern),
            });
        }
        co
    }

    /// The rule that owns `path` (last match wins), if any.
    pub fn owner_of(&self, path: &str) -> Option<&Rule> {
        self.rules.iter().rev().find(|r| r.matcher.matches(path))
    }
}

impl Rule {
    /// Whether the rule's pattern matches `path` (a file path relative to the root).
    pub fn matches(&self, path: &str) -> bool {
        self.matcher.matches(path)
    }
}

/// A compiled CODEOWNERS pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<String>,
    anchored: bool,
    dir_only: bool,
}

impl Pattern {
    /// Compiles a pattern.
    pub fn new(p: &str) -> Pattern {
        let dir_only = p.ends_with('/') && p.len() > 1;
        let body = p.trim_end_matches('/');
        let leading = body.starts_with('/');
        let body = body.trim_start_matches('/');
        let segments: Vec<String> = body.split('/').map(str::to_string).collect();
        let anchored = leading || segments.len() > 1;
        Pattern {
            segments,
            anchored,
            dir_only,
        }
    }

    /// Whether the pattern matches `path` (or a directory containing it).
    pub fn matches(&self, path: &str) -> bool {
        let is_dir = path.ends_with('/');
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let last = self.segments.last().map(String::as_str);
        let trailing_globstar = last == Some("**");
        // "dir/*" matches only the directory's direct children, not deeper files.
        let exact_only =
            !self.dir_only && last == Some("*") && (self.anchored || self.segments.len() > 1);
        let starts = if self.anchored { 0..1 } else { 0..parts.len() };
        for s in starts {
            for e in s + 1..=parts.len() {
                let is_prefix_dir = e < parts.len() || is_dir;
                if exact_only && e != parts.len() {
                    continue;
                }
                if self.dir_only && !trailing_globstar && !is_prefix_dir {
                    continue;
                }
                if match_segments(&self.segments, &parts[s..e]) {
                    return true;
                }
            }
        }
        false
    }
}

fn match_segments(pat: &[String], parts: &[&str]) -> bool {
    match pat.split_first() {
        None => parts.is_empty(),
        Some((p, rest)) if p == "**" => {
            // Trailing `**` needs at least one segment; inner `**` zero or more.
            let min = usize::from(rest.is_empty());
            (min..=parts.len()).any(|k| match_segments(rest, &parts[k..]))
        }
        Some((p, rest)) => match parts.split_first() {
            Some((first, others)) => glob_segment(p, first) && match_segments(rest, others),
            None => false,
        },
    }
}

/// `*` any run, `?` one character, `\x` a literal x; within one path segment.
fn glob_segment(pattern: &str, s: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum T {
        Lit(char),
        Any,
        Star,
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        toks.push(match c {
            '\\' => T::Lit(it.next().unwrap_or('\\')),
            '*' => T::Star,
            '?' => T::Any,
            c => T::Lit(c),
        });
    }
    let s: Vec<char> = s.chars().collect();
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        match toks.get(pi) {
            Some(T::Any) => {
                pi += 1;
                si += 1;
            }
            Some(T::Lit(c)) if *c == s[si] => {
                pi += 1;
                si += 1;
            }
            Some(T::Star) => {
                star = Some(pi);
                mark = si;
                pi += 1;
            }
            _ => match star {
                Some(st) => {
                    pi = st + 1;
                    mark += 1;
                    si = mark;
                }
                None => return false,
            },
        }
    }
    while toks.get(pi) == Some(&T::Star) {
        pi += 1;
    }
    pi == toks.len()
}

/// Most files listed from a work tree.
pub const MAX_FILES: usize = 1_000_000;

/// Files under `root` (relative, `/`-separated, sorted), skipping `.git`.
pub fn list_files(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            let child = rel.join(&name);
            let ft = entry.file_type()?;
            if ft.is_dir() {
                stack.push(child);
            } else if out.len() < MAX_FILES {
                out.push(child.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_match_wins_and_unowning() {
        let co = CodeOwners::parse(
            "# c\n* @all\n/docs/ @docs # trailing\ndocs/internal\n!x @a\nsrc/ not-an-owner\n",
        );
        assert_eq!(co.owner_of("a.rs").unwrap().owners, ["@all"]);
        assert_eq!(co.owner_of("docs/a.md").unwrap().owners, ["@docs"]);
        assert!(co.owner_of("docs/internal/x").unwrap().owners.is_empty());
        assert_eq!(co.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6]);
    }
}
