//! git's `gpg.ssh.allowedSignersFile` format (ssh-keygen(1) "ALLOWED SIGNERS") and the
//! revocation file (`gpg.ssh.revocationFile`, a list of public keys).
//!
//! Times in `valid-after` / `valid-before` without a trailing `Z` are local time to
//! ssh-keygen; Palisade reads them as UTC so that a verdict does not depend on the
//! machine's zone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Largest policy file read.
pub const MAX_POLICY_FILE: usize = 4 * 1024 * 1024;
/// Longest line accepted.
pub const MAX_LINE: usize = 64 * 1024;

/// A policy file problem, with its line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {reason}")]
pub struct PolicyError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// One line of an allowed-signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerEntry {
    /// 1-based line in its file.
    pub line: usize,
    /// The principals pattern-list (`alice@example.com`, `*@example.com,!eve@example.com`).
    pub principals: String,
    /// `cert-authority`: the key signs certificates rather than objects.
    pub cert_authority: bool,
    /// `namespaces="…"`: the namespaces allowed (None: any).
    pub namespaces: Option<Vec<String>>,
    /// `valid-after` in seconds since the epoch.
    pub valid_after: Option<i64>,
    /// `valid-before` in seconds since the epoch.
    pub valid_before: Option<i64>,
    /// The key blob (wire encoding).
    pub key: Vec<u8>,
}

impl SignerEntry {
    /// Whether `t` lies in the line's validity window.
    pub fn valid_at(&self, t: i64) -> bool {
        self.valid_after.is_none_or(|a| t >= a) && self.valid_before.is_none_or(|b| t <= b)
    }
    /// Whether the line allows `ns`.
    pub fn allows_namespace(&self, ns: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|n| match_pattern(n, ns)))
    }
    /// Whether `principal` matches the line's principals.
    pub fn matches_principal(&self, principal: &str) -> bool {
        match_pattern_list(principal, &self.principals)
    }
}

/// An allowed-signers policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    /// Its lines, in file order.
    pub entries: Vec<SignerEntry>,
}

fn text_of(bytes: &[u8]) -> Result<&str, PolicyError> {
    if bytes.len() > MAX_POLICY_FILE {
        return Err(PolicyError {
            line: 0,
            reason: format!("file is larger than {MAX_POLICY_FILE} bytes"),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| PolicyError {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        reason: "not UTF-8".into(),
    })
}

/// Splits on whitespace, keeping double-quoted runs together.
fn tokens(line: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let mut quoted = false;
        while i < b.len() && (quoted || !b[i].is_ascii_whitespace()) {
            if b[i] == b'"' {
                quoted = !quoted;
            }
            i += 1;
        }
        if quoted {
            return Err("unterminated quote".into());
        }
        out.push(&line[start..i]);
    }
    Ok(out)
}

fn is_key_type(t: &str) -> bool {
    t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") || t.starts_with("sk-")
}

fn decode_key(ty: &str, b64: &str) -> Result<Vec<u8>, String> {
    let blob = STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| format!("key is not base64: {e}"))?;
    let inner = crate::sshsig::key_type(&blob).map_err(|e| format!("key blob: {e}"))?;
    if inner != ty {
        return Err(format!(
            "key type {ty} does not match the key's own type {inner}"
        ));
    }
    Ok(blob)
}

/// Parses `YYYYMMDD[HHMM[SS]][Z]` into seconds since the epoch (UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !s.bytes().all(|c| c.is_ascii_digit()) || ![8, 12, 14].contains(&s.len()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok());
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm) = if s.len() >= 12 {
        (num(8..10)?, num(10..12)?)
    } else {
        (0, 0)
    };
    let ss = if s.len() == 14 { num(12..14)? } else { 0 };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch (for messages; before 1970: 1970).
pub fn iso_time(t: i64) -> String {
    palisade_io::rfc3339(u64::try_from(t).unwrap_or(0))
}

fn parse_options(opts: &str, e: &mut SignerEntry) -> Result<(), String> {
    // Split on commas outside quotes.
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in opts.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&opts[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&opts[start..]);
    for p in parts {
        let (name, value) = match p.split_once('=') {
            Some((n, v)) => {
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .ok_or_else(|| format!("option {n}: value must be double-quoted"))?;
                (n, Some(v))
            }
            None => (p, None),
        };
        match (name.to_ascii_lowercase().as_str(), value) {
            ("cert-authority", None) => e.cert_authority = true,
            ("namespaces", Some(v)) => {
                e.namespaces = Some(v.split(',').map(|s| s.trim().to_string()).collect())
            }
            ("valid-after", Some(v)) => {
                e.valid_after =
                    Some(parse_time(v).ok_or_else(|| format!("valid-after: bad time {v:?}"))?)
            }
            ("valid-before", Some(v)) => {
                e.valid_before =
                    Some(parse_time(v).ok_or_else(|| format!("valid-before: bad time {v:?}"))?)
            }
            (other, _) => return Err(format!("unknown or malformed option {other:?}")),
        }
    }
    Ok(())
}

impl AllowedSigners {
    /// Parses an allowed-signers file. Blank lines and `#` comments are skipped; any
    /// malformed line is an error naming it (ssh-keygen skips such lines silently — a
    /// policy typo should not quietly drop a signer).
    pub fn parse(bytes: &[u8]) -> Result<AllowedSigners, PolicyError> {
        let text = text_of(bytes)?;
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |reason: String| PolicyError { line, reason };
            if raw.len() > MAX_LINE {
                return Err(err(format!("longer than {MAX_LINE} bytes")));
            }
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let toks = tokens(l).map_err(err)?;
            let mut e = SignerEntry {
                line,
                principals: String::new(),
                cert_authority: false,
                namespaces: None,
                valid_after: None,
                valid_before: None,
                key: Vec::new(),
            };
            let mut it = toks.into_iter();
            e.principals = it
                .next()
                .ok_or_else(|| err("no principals".into()))?
                .trim_matches('"')
                .to_string();
            let mut ty = it.next().ok_or_else(|| err("no key".into()))?;
            if !is_key_type(ty) {
                parse_options(ty, &mut e).map_err(err)?;
                ty = it
                    .next()
                    .ok_or_else(|| err("no key after the options".into()))?;
            }
            let b64 = it
                .next()
                .ok_or_else(|| err(format!("no base64 key after {ty}")))?;
            e.key = decode_key(ty, b64).map_err(err)?;
            entries.push(e);
        }
        Ok(AllowedSigners { entries })
    }
}

/// A revocation list: public keys (and certificates) that no longer verify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revoked {
    /// Key blobs.
    pub keys: Vec<Vec<u8>>,
}

impl Revoked {
    /// Parses a list of OpenSSH public keys, one a line. Binary KRLs are refused with a
    /// clear error (not supported yet).
    pub fn parse(bytes: &[u8]) -> Result<Revoked, PolicyError> {
        if bytes.starts_with(b"SSHKRL\n") {
            return Err(PolicyError {
                line: 0,
                reason: "binary KRLs are not supported yet; list the revoked public keys instead"
                    .into(),
            });
        }
        let text = text_of(bytes)?;
        let mut keys = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let err = |reason: String| PolicyError { line, reason };
            let toks = tokens(l).map_err(err)?;
            // Allow an optional leading options/principal field, as in authorized_keys.
            let at = toks
                .iter()
                .position(|t| is_key_type(t))
                .ok_or_else(|| err("no public key on this line".into()))?;
            let b64 = toks
                .get(at + 1)
                .ok_or_else(|| err("no base64 key".into()))?;
            keys.push(decode_key(toks[at], b64).map_err(err)?);
        }
        Ok(Revoked { keys })
    }

    /// Whether the key blob is listed.
    pub fn contains(&self, blob: &[u8]) -> bool {
        self.keys.iter().any(|k| k == blob)
    }
}

/// OpenSSH `match_pattern`: `*` any run, `?` one character; case-sensitive.
pub fn match_pattern(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// OpenSSH `match_pattern_list`: comma-separated patterns; a matching `!pattern` denies
/// outright, otherwise any matching pattern allows.
pub fn match_pattern_list(s: &str, list: &str) -> bool {
    let mut allowed = false;
    for pat in list.split(',') {
        let pat = pat.trim();
        if let Some(neg) = pat.strip_prefix('!') {
            if match_pattern(neg, s) {
                return false;
            }
        } else if match_pattern(pat, s) {
            allowed = true;
        }
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(match_pattern("*@example.com", "a@example.com"));
        assert!(!match_pattern("*@example.com", "a@example.org"));
        assert!(match_pattern("a?c", "abc"));
        assert!(match_pattern_list("a@x", "*@x,!b@x"));
        assert!(!match_pattern_list("b@x", "*@x,!b@x"));
        assert!(!match_pattern_list("b@x", ""));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("19700101Z"), Some(0));
        assert_eq!(parse_time("20240131Z"), Some(1_706_659_200));
        assert_eq!(
            parse_time("202401311230"),
            Some(1_706_659_200 + 12 * 3600 + 1800)
        );
        assert_eq!(parse_time("2024013"), None);
        assert_eq!(iso_time(1_706_659_200), "2024-01-31T00:00:00Z");
        assert_eq!(iso_time(1_707_127_200), "2024-02-05T10:00:00Z");
        assert_eq!(parse_time("20241301"), None);
    }

    #[test]
    fn lines() {
        let k = "AAAAC3NzaC1lZDI1NTE5AAAAIEtfSvpea2UUMYL1a0vWh988auj/Hqy11gfqaNzWQGdL";
        let f = format!(
            "# c\nalice@example.com namespaces=\"git,file\",valid-after=\"20240101\" ssh-ed25519 {k} c\n*@x cert-authority ssh-ed25519 {k}\n"
        );
        let a = AllowedSigners::parse(f.as_bytes()).unwrap();
        assert_eq!(a.entries.len(), 2);
        assert_eq!(a.entries[0].line, 2);
        assert!(a.entries[0].allows_namespace("git"));
        assert!(!a.entries[0].allows_namespace("x"));
        assert!(a.entries[1].cert_authority);
        let bad = AllowedSigners::parse(b"a@x bogus=\"1\" ssh-ed25519 AAAA\n").unwrap_err();
        assert_eq!(bad.line, 1);
        assert!(AllowedSigners::parse(b"a@x ssh-ed25519 !!!\n").is_err());
    }
}
