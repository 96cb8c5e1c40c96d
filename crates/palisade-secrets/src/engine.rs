//! The matching engine: one Aho-Corasick pass over the whole buffer for every rule's
//! keywords, then each rule's regex only on the lines around its keyword hits, then the
//! filters (inline ignores, encrypted values, entropy, placeholders).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, Input, MatchKind, PatternID};
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use crate::SecretsError;
use crate::filter;
use crate::rules::RuleDef;

/// Bytes the regex of a multi-line rule sees after its keyword.
const MULTILINE_WINDOW: usize = 16 * 1024;
/// Bytes of a long line the regex sees on each side of a keyword.
const LINE_WINDOW: usize = 1024;
/// Longest secret reported.
const MAX_SECRET: usize = 16 * 1024;
/// Most matches kept from one buffer (a generated file full of tokens).
const MAX_MATCHES: usize = 10_000;

/// A marker in a file's first KiB that exempts the whole file (rule files, fixtures).
pub const FILE_MARKER: &[u8] = b"palisade:allow-file";

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// The definition it was compiled from.
    pub def: RuleDef,
    /// The regex and the group that holds the secret. Built-in rules (whose patterns a
    /// test compiles) are compiled the first time one of their keywords is seen, so a
    /// small scan (a pre-commit hook) does not pay for ~300 regexes; others at once.
    compiled: OnceLock<Option<(Regex, Option<usize>)>>,
    path_regex: Option<Regex>,
}

/// A set of compiled rules with their keyword automaton. Cheap to share between threads.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    /// Every keyword, lower case, matched in any case (standard, overlapping matches).
    keywords: DFA,
    /// For each keyword (lower case), the rules that use it, each with the exact
    /// spelling the hit must have when the rule is case-sensitive.
    keyword_rules: Vec<Vec<(u32, Option<Vec<u8>>)>>,
    /// Whether base64 runs are decoded and scanned ([`Scanner::decode_base64`]).
    base64: bool,
}

/// One match in a buffer, after filtering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the scanner.
    pub rule: usize,
    /// The secret's bytes.
    pub secret: Vec<u8>,
    /// Byte offset of the secret.
    pub offset: usize,
    /// 1-based line of the secret.
    pub line: u64,
    /// 1-based byte column of the secret.
    pub column: u64,
    /// The secret was found in the decoded text of a base64 run; `offset`, `line` and
    /// `column` are those of the run, `secret` is the decoded secret.
    pub encoded: bool,
}

fn compile(pattern: &str, id: &str) -> Result<Regex, SecretsError> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(4 * 1024 * 1024)
        .dfa_size_limit(4 * 1024 * 1024)
        .build()
        .map_err(|e| SecretsError::Rule {
            id: id.to_string(),
            reason: e.to_string(),
        })
}

/// Whether a regex starts with a flag group that turns on `i` (its keywords then match
/// in any case; otherwise they must match exactly).
fn case_insensitive(re: &str) -> bool {
    re.strip_prefix("(?")
        .and_then(|r| r.split_once(')'))
        .is_some_and(|(flags, _)| !flags.contains(':') && flags.contains('i'))
}

/// A rule's regex and its secret group: the group named `secret`, else group 1.
fn compile_rule(def: &RuleDef) -> Result<(Regex, Option<usize>), SecretsError> {
    let regex = compile(&def.regex, &def.id)?;
    let group = regex
        .capture_names()
        .position(|n| n == Some("secret"))
        .or((regex.captures_len() > 1).then_some(1));
    Ok((regex, group))
}

impl Rule {
    /// Compiles one rule definition.
    pub fn new(def: RuleDef) -> Result<Rule, SecretsError> {
        let rule = Rule::deferred(def)?;
        let compiled = compile_rule(&rule.def)?;
        let _ = rule.compiled.set(Some(compiled));
        Ok(rule)
    }

    /// A rule whose regex is compiled on first use (a pattern known to compile: the
    /// built-in rules). Keywords and the path regex are checked now.
    pub(crate) fn deferred(def: RuleDef) -> Result<Rule, SecretsError> {
        if def.keywords.is_empty() || def.keywords.iter().any(|k| k.len() < 2) {
            return Err(SecretsError::Rule {
                id: def.id.clone(),
                reason: "needs at least one keyword of two or more characters".into(),
            });
        }
        let path_regex = match &def.path {
            Some(p) => Some(compile(p, &def.id)?),
            None => None,
        };
        Ok(Rule {
            def,
            compiled: OnceLock::new(),
            path_regex,
        })
    }

    /// The compiled regex and secret group (`None` only if a deferred pattern failed to
    /// compile, which the built-in rules' test rules out: the rule then finds nothing).
    fn compiled(&self) -> Option<&(Regex, Option<usize>)> {
        self.compiled
            .get_or_init(|| compile_rule(&self.def).ok())
            .as_ref()
    }
}

impl Scanner {
    /// Compiles rules. Ids must be unique.
    pub fn new(defs: Vec<RuleDef>) -> Result<Scanner, SecretsError> {
        let rules = defs.into_iter().map(Rule::new).collect::<Result<_, _>>()?;
        Scanner::from_rules(rules)
    }

    /// A scanner over rules already built (deferred or not). Ids must be unique.
    pub(crate) fn from_rules(rules: Vec<Rule>) -> Result<Scanner, SecretsError> {
        let mut seen = std::collections::HashSet::new();
        for r in &rules {
            if !seen.insert(r.def.id.as_str()) {
                return Err(SecretsError::Rule {
                    id: r.def.id.clone(),
                    reason: "duplicate rule id".into(),
                });
            }
        }
        let mut words: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut keyword_rules: Vec<Vec<(u32, Option<Vec<u8>>)>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let nocase = case_insensitive(&r.def.regex);
            for exact in &r.def.keywords {
                let k = exact.to_ascii_lowercase();
                let at = match index.get(&k) {
                    Some(&at) => at,
                    None => {
                        index.insert(k.clone(), words.len());
                        words.push(k);
                        keyword_rules.push(Vec::new());
                        words.len() - 1
                    }
                };
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                let entry = (i, (!nocase).then(|| exact.as_bytes().to_vec()));
                if !keyword_rules[at].contains(&entry) {
                    keyword_rules[at].push(entry);
                }
            }
        }
        let keywords = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&words)
            .map_err(|e| SecretsError::Rule {
                id: "(keywords)".into(),
                reason: e.to_string(),
            })?;
        Ok(Scanner {
            rules,
            keywords,
            keyword_rules,
            base64: false,
        })
    }

    /// Turns on decoding base64 runs (off by default: on the cargo registry's sources
    /// it costs about a fifth of the throughput).
    pub fn decode_base64(mut self, on: bool) -> Scanner {
        self.base64 = on;
        self
    }

    /// The compiled rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Scans one buffer. `path` (relative, `/`-separated) selects path-bound rules; pass
    /// `""` when unknown. Runs of base64 (at least [`BASE64_MIN`] characters) that decode
    /// to text are decoded and scanned too, one level deep, when [`Scanner::decode_base64`]
    /// is on. Matches are sorted by offset,
    /// then rule.
    pub fn scan(&self, path: &str, buf: &[u8]) -> Vec<Match> {
        let mut out = self.scan_plain(path, buf);
        if !self.base64 || memchr::memmem::find(&buf[..buf.len().min(1024)], FILE_MARKER).is_some()
        {
            return out;
        }
        let mut found = false;
        for_base64_runs(buf, &mut |start, end| {
            let Some(text) = decode_text(&buf[start..end]) else {
                return;
            };
            let (line, line_start) = line_of(buf, start);
            for m in self.scan_plain(path, &text) {
                // A marker on the encoded run's line silences it, as for any match.
                if filter::inline_ignored(buf, start, end) {
                    return;
                }
                found = true;
                out.push(Match {
                    rule: m.rule,
                    secret: m.secret,
                    offset: start,
                    line,
                    column: (start - line_start + 1) as u64,
                    encoded: true,
                });
            }
        });
        if found {
            out.sort_by_key(|m| (m.offset, m.rule));
        }
        out
    }

    /// [`Scanner::scan`] without the base64 layer.
    fn scan_plain(&self, path: &str, buf: &[u8]) -> Vec<Match> {
        if memchr::memmem::find(&buf[..buf.len().min(1024)], FILE_MARKER).is_some() {
            return Vec::new();
        }
        // Windows to run each rule's regex in, merged as they come: an open window per
        // rule grows while hits overlap it.
        let mut open: Vec<Option<(usize, usize)>> = vec![None; self.rules.len()];
        let mut merged: Vec<(u32, usize, usize)> = Vec::new();
        let mut path_ok: Vec<Option<bool>> = vec![None; self.rules.len()];
        for (me, pid) in keyword_hits(&self.keywords, buf) {
            let ms = me - self.keywords.pattern_len(pid);
            let rules = &self.keyword_rules[pid.as_usize()];
            for (r, exact) in rules {
                let r = *r;
                if let Some(e) = exact
                    && &buf[ms..me] != e.as_slice()
                {
                    continue;
                }
                let ri = r as usize;
                let rule = &self.rules[ri];
                if let Some(pr) = &rule.path_regex {
                    let ok = *path_ok[ri].get_or_insert_with(|| pr.is_match(path.as_bytes()));
                    if !ok {
                        continue;
                    }
                }
                let lo = ms.saturating_sub(LINE_WINDOW);
                let mut ls = memchr::memrchr(b'\n', &buf[lo..ms]).map_or(lo, |p| lo + p + 1);
                if let Some(back) = rule.def.lookback {
                    // Whole lines that start within `back` bytes before this line.
                    let from = ls.saturating_sub(back.min(LINE_WINDOW));
                    if from < ls {
                        ls = memchr::memchr(b'\n', &buf[from..ls]).map_or(ls, |p| from + p + 1);
                        if from == 0 || buf[from - 1] == b'\n' {
                            ls = from;
                        }
                    }
                }
                let (start, end) = if rule.def.multiline {
                    (ls, (ms + MULTILINE_WINDOW).min(buf.len()))
                } else {
                    let hi = (me + LINE_WINDOW).min(buf.len());
                    let le = memchr::memchr(b'\n', &buf[me..hi]).map_or(hi, |p| me + p);
                    (ls, le)
                };
                match &mut open[ri] {
                    Some(w) if start <= w.1 => w.1 = w.1.max(end),
                    slot => {
                        if let Some(w) = slot.take() {
                            merged.push((r, w.0, w.1));
                        }
                        *slot = Some((start, end));
                    }
                }
            }
        }
        for (r, w) in open.iter().enumerate() {
            if let Some(w) = w {
                merged.push((u32::try_from(r).unwrap_or(u32::MAX), w.0, w.1));
            }
        }
        if merged.is_empty() {
            return Vec::new();
        }
        merged.sort_unstable();
        let mut facts: Option<filter::BufferFacts> = None;
        let mut raw: Vec<(usize, usize, usize)> = Vec::new(); // (offset, end, rule)
        for (r, start, end) in merged {
            let ri = r as usize;
            let rule = &self.rules[ri];
            let hay = &buf[start..end];
            let Some((regex, secret_group)) = rule.compiled() else {
                continue;
            };
            for caps in regex.captures_iter(hay) {
                let g = secret_group
                    .and_then(|g| caps.get(g))
                    .or_else(|| (1..caps.len()).find_map(|i| caps.get(i)))
                    .or_else(|| caps.get(0));
                let Some(g) = g else { continue };
                if g.is_empty() || g.len() > MAX_SECRET {
                    continue;
                }
                let whole = caps
                    .get(0)
                    .map_or((g.start(), g.end()), |m| (m.start(), m.end()));
                let facts = facts.get_or_insert_with(|| filter::BufferFacts::of(path, buf));
                if filter::rejected(
                    rule,
                    buf,
                    facts,
                    (start + g.start(), start + g.end()),
                    (start + whole.0, start + whole.1),
                ) {
                    continue;
                }
                raw.push((start + g.start(), start + g.end(), ri));
                if raw.len() >= MAX_MATCHES {
                    break;
                }
            }
            if raw.len() >= MAX_MATCHES {
                break;
            }
        }
        raw.sort_unstable();
        raw.dedup();
        // A generic rule's match that overlaps a specific rule's match says nothing new.
        let specific: Vec<(usize, usize)> = raw
            .iter()
            .filter(|r| !self.rules[r.2].def.generic)
            .map(|r| (r.0, r.1))
            .collect();
        if !specific.is_empty() {
            raw.retain(|r| {
                !self.rules[r.2].def.generic || !specific.iter().any(|&(s, e)| s < r.1 && r.0 < e)
            });
        }
        // Two generic rules on one span: keep the first.
        let mut last_generic: Option<(usize, usize)> = None;
        raw.retain(|r| {
            if !self.rules[r.2].def.generic {
                return true;
            }
            let dup = last_generic.is_some_and(|(s, e)| s < r.1 && r.0 < e);
            last_generic = Some((r.0, r.1));
            !dup
        });
        // Line numbers: one forward pass over the newlines.
        let mut out = Vec::with_capacity(raw.len());
        let (mut line, mut line_start, mut pos) = (1u64, 0usize, 0usize);
        for (s, e, r) in raw {
            for nl in memchr::memchr_iter(b'\n', &buf[pos..s]) {
                line += 1;
                line_start = pos + nl + 1;
            }
            pos = s;
            out.push(Match {
                rule: r,
                secret: buf[s..e].to_vec(),
                offset: s,
                line,
                column: (s - line_start + 1) as u64,
                encoded: false,
            });
        }
        out
    }
}

/// Least length of a base64 run that is decoded and scanned.
pub const BASE64_MIN: usize = 32;
/// Longest base64 run decoded.
const BASE64_MAX: usize = 64 * 1024;

/// Whether `b` is a base64 character (standard or URL-safe alphabet), without a table
/// or a branch, so that a loop over a block vectorises.
#[inline(always)]
fn is_b64(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'+')
        | (b == b'/')
        | (b == b'-')
        | (b == b'_')
}

/// Calls `f(start, end)` for every run of base64 characters (standard or URL-safe
/// alphabet, `=` padding included in the run) at least [`BASE64_MIN`] long.
///
/// A run that long holds a whole aligned 16-byte block, so blocks are tested first, four
/// at a time and without branches (the compiler vectorises it); only around a block made
/// of base64 characters alone is the run measured. This keeps the cost to a few percent
/// of the scan.
fn for_base64_runs(buf: &[u8], f: &mut dyn FnMut(usize, usize)) {
    const BLOCK: usize = 16;
    const GROUP: usize = 4 * BLOCK;
    let n = buf.len();
    let mut at = 0;
    while at + BLOCK <= n {
        // Skip whole groups without a base64-only block.
        if at % GROUP == 0 && at + GROUP <= n {
            let g = &buf[at..at + GROUP];
            let any = g
                .chunks_exact(BLOCK)
                .map(|c| c.iter().fold(true, |acc, &b| acc & is_b64(b)))
                .fold(false, |acc, all| acc | all);
            if !any {
                at += GROUP;
                continue;
            }
        }
        if !buf[at..at + BLOCK].iter().all(|&b| is_b64(b)) {
            at += BLOCK;
            continue;
        }
        let mut s = at;
        while s > 0 && is_b64(buf[s - 1]) {
            s -= 1;
        }
        let mut e = at + BLOCK;
        while e < n && is_b64(buf[e]) {
            e += 1;
        }
        let body = e;
        while e < n && buf[e] == b'=' && e - body < 2 {
            e += 1;
        }
        if e - s >= BASE64_MIN && e - s <= BASE64_MAX {
            f(s, e);
        }
        // On to the first block after the run.
        at = e.div_ceil(BLOCK) * BLOCK;
    }
}

/// The decoded text of a base64 run, when it decodes (either alphabet) to text: UTF-8
/// with at least 95% printable characters, and something other than letters and digits
/// (a long identifier is not base64).
fn decode_text(run: &[u8]) -> Option<Vec<u8>> {
    let body = run
        .strip_suffix(b"==")
        .or_else(|| run.strip_suffix(b"="))
        .unwrap_or(run);
    let both = body.iter().any(|&b| b == b'+' || b == b'/')
        && body.iter().any(|&b| b == b'-' || b == b'_');
    if both || body.len() % 4 == 1 {
        return None;
    }
    let out = filter::decode_base64(body)?;
    let text = std::str::from_utf8(&out).ok()?;
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    let n = text.chars().count();
    (n >= 8 && printable * 100 >= n * 95).then_some(out)
}

/// The 1-based line of `offset` and the offset its line starts at.
fn line_of(buf: &[u8], offset: usize) -> (u64, usize) {
    let line = 1 + memchr::memchr_iter(b'\n', &buf[..offset]).count() as u64;
    let start = memchr::memrchr(b'\n', &buf[..offset]).map_or(0, |p| p + 1);
    (line, start)
}

/// Buffers shorter than this are searched in one stream.
const INTERLEAVE_MIN: usize = 4096;

/// Every keyword occurrence in `hay` as (end offset, pattern), in the order of a plain
/// overlapping search (by end, then as the automaton lists them).
///
/// A DFA search is bound by the latency of one table load per byte, each depending on the
/// last. A long buffer is therefore cut in four parts searched in lockstep: four
/// independent chains keep the loads in flight together (about 1.7x the speed of one
/// stream here). Each part starts the longest keyword's length early, so that its state
/// is right at its first byte, and reports only matches ending inside it.
fn keyword_hits(dfa: &DFA, hay: &[u8]) -> Vec<(usize, PatternID)> {
    let mut out = Vec::new();
    let Ok(start) = dfa.start_state(Anchored::No) else {
        return out;
    };
    if hay.len() < INTERLEAVE_MIN {
        let input = Input::new(hay);
        let mut state = aho_corasick::automaton::OverlappingState::start();
        while dfa.try_find_overlapping(&input, &mut state).is_ok() {
            let Some(m) = state.get_match() else { break };
            out.push((m.end(), m.pattern()));
        }
        return out;
    }
    const K: usize = 4;
    let n = hay.len();
    let seg = n / K;
    let warm = dfa.max_pattern_len();
    // Part k reports ends in (k*seg, next part's start]; its scan starts `warm` earlier.
    let from: [usize; K] = std::array::from_fn(|k| (k * seg).saturating_sub(warm));
    let report: [usize; K] = std::array::from_fn(|k| k * seg);
    let to: [usize; K] = std::array::from_fn(|k| if k + 1 == K { n } else { (k + 1) * seg });
    let common = (0..K).map(|k| to[k] - from[k]).min().unwrap_or(0);
    let emit = |sid: StateID, p: usize, k: usize, out: &mut Vec<(usize, PatternID)>| {
        if dfa.is_special(sid) && dfa.is_match(sid) && p >= report[k] {
            for i in 0..dfa.match_len(sid) {
                out.push((p + 1, dfa.match_pattern(sid, i)));
            }
        }
    };
    let s0 = &hay[from[0]..from[0] + common];
    let s1 = &hay[from[1]..from[1] + common];
    let s2 = &hay[from[2]..from[2] + common];
    let s3 = &hay[from[3]..from[3] + common];
    let mut sid = [start; K];
    for j in 0..common {
        sid[0] = dfa.next_state(Anchored::No, sid[0], s0[j]);
        sid[1] = dfa.next_state(Anchored::No, sid[1], s1[j]);
        sid[2] = dfa.next_state(Anchored::No, sid[2], s2[j]);
        sid[3] = dfa.next_state(Anchored::No, sid[3], s3[j]);
        if dfa.is_special(sid[0])
            | dfa.is_special(sid[1])
            | dfa.is_special(sid[2])
            | dfa.is_special(sid[3])
        {
            for k in 0..K {
                emit(sid[k], from[k] + j, k, &mut out);
            }
        }
    }
    for k in 0..K {
        for (p, &b) in hay.iter().enumerate().take(to[k]).skip(from[k] + common) {
            sid[k] = dfa.next_state(Anchored::No, sid[k], b);
            emit(sid[k], p, k, &mut out);
        }
    }
    // Parts interleave: back to the order of one stream (stable, so equal ends keep the
    // automaton's order).
    out.sort_by_key(|h| h.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four-part search finds exactly what one overlapping search finds, in the same
    /// order, with keywords across every part boundary and at both ends.
    #[test]
    fn interleaved_keyword_search_equals_one_stream() {
        let words = [
            "secret",
            "ghp_",
            "sk",
            "begin rsa private key",
            "key=",
            "ey",
        ];
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(words)
            .expect("dfa");
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(words)
            .expect("ac");
        for n in [10, 4095, 4096, 4097, 10_000, 65_537] {
            let mut hay = vec![b'.'; n];
            // Keywords straddling every position near the part boundaries and the ends.
            let seg = n / 4;
            for b in [0, seg, 2 * seg, 3 * seg, n] {
                for d in [1usize, 3, 7, 20, 25] {
                    let w: &[u8] = if d % 2 == 0 {
                        b"BEGIN RSA PRIVATE KEY="
                    } else {
                        b"SeCrEtSKey="
                    };
                    let at = b.saturating_sub(d);
                    for (i, &c) in w.iter().enumerate() {
                        if at + i < n {
                            hay[at + i] = c;
                        }
                    }
                }
            }
            let want: Vec<(usize, PatternID)> = ac
                .find_overlapping_iter(&hay)
                .map(|m| (m.end(), m.pattern()))
                .collect();
            assert!(!want.is_empty());
            assert_eq!(keyword_hits(&dfa, &hay), want, "length {n}");
        }
    }

    #[test]
    fn base64_runs_are_decoded_and_located() {
        use base64::Engine;
        let scanner = crate::Config::default()
            .scanner()
            .expect("scanner")
            .decode_base64(true);
        let inner = "export GITHUB_TOKEN=ghp_R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo\n";
        let enc = base64::engine::general_purpose::STANDARD.encode(inner);
        let buf = format!("a: 1\nconfig: {enc}\nb: 2\n");
        let ms = scanner.scan("x.yaml", buf.as_bytes());
        let m = ms.iter().find(|m| m.encoded).expect("decoded match");
        assert_eq!(m.secret, b"ghp_R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo");
        assert_eq!((m.line, m.column, m.offset), (2, 9, 13));
        let off = crate::Config::default().scanner().expect("scanner");
        assert!(
            off.scan("x.yaml", buf.as_bytes())
                .iter()
                .all(|m| !m.encoded)
        );
        // Marked lines, short runs, identifiers and binary payloads are left alone.
        let marked = format!("config: {enc} # palisade:allow\n");
        assert!(scanner.scan("x.yaml", marked.as_bytes()).is_empty());
        let mut runs = Vec::new();
        for_base64_runs(
            b"x = abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123 + Zm9v",
            &mut |s, e| runs.push((s, e)),
        );
        assert_eq!(runs, vec![(4, 44)]);
        assert!(decode_text(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123").is_none());
        let bin = base64::engine::general_purpose::STANDARD
            .encode([0u8, 1, 2, 3, 200, 201, 202, 7, 8, 9, 10, 11]);
        assert!(decode_text(bin.as_bytes()).is_none());
    }
}
