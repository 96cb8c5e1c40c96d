//! Filters applied to every regex match: inline ignore markers, values encrypted with
//! sops / sealed-secrets / age, entropy, and for generic rules placeholders, stop words
//! and code references.

use memchr::memmem;

use crate::engine::Rule;
use crate::rules::Validate;

/// Inline markers that silence a finding on their line (ours and the peers').
pub const IGNORE_MARKERS: &[&[u8]] = &[
    b"palisade:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
    b"trufflehog:ignore",
];

/// Bytes looked at on each side of a match for its line (markers, `ENC[`).
const LINE_REACH: usize = 4096;

/// Facts about a whole buffer that the filters need, computed once per buffer.
#[derive(Debug, Default)]
pub(crate) struct BufferFacts {
    /// Byte ranges of age armoured blocks.
    age: Vec<(usize, usize)>,
    /// Offset after which a sealed secret's `encryptedData` starts.
    sealed_from: Option<usize>,
    /// The file is C, C++, C# or Objective-C source, where single quotes delimit one
    /// character: a longer single-quoted value is not a string literal.
    char_quotes: bool,
}

/// Extensions of languages whose single quotes delimit a character, not a string.
const CHAR_QUOTE_EXTENSIONS: &[&str] = &[
    "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "cs", "m", "mm",
];

/// Whether `path` names a file of a language whose single quotes delimit characters.
pub(crate) fn char_quotes(path: &str) -> bool {
    let name = path.rsplit(['/', '!']).next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        CHAR_QUOTE_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext))
    })
}

impl BufferFacts {
    pub(crate) fn of(path: &str, buf: &[u8]) -> BufferFacts {
        const BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
        const END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";
        let mut age = Vec::new();
        let mut at = 0;
        while let Some(p) = memmem::find(&buf[at..], BEGIN) {
            let s = at + p;
            let e = memmem::find(&buf[s..], END).map_or(buf.len(), |q| s + q + END.len());
            age.push((s, e));
            at = e;
        }
        let sealed_from =
            memmem::find(buf, b"SealedSecret").and_then(|_| memmem::find(buf, b"encryptedData"));
        BufferFacts {
            age,
            sealed_from,
            char_quotes: char_quotes(path),
        }
    }
}

/// Whether a match is dropped. `s..e` is the secret, `ms..me` the whole match.
pub(crate) fn rejected(
    rule: &Rule,
    buf: &[u8],
    facts: &BufferFacts,
    (s, e): (usize, usize),
    (ms, me): (usize, usize),
) -> bool {
    let secret = &buf[s..e];
    if obviously_fake(secret) {
        return true;
    }
    if inline_ignored(buf, ms, me) || encrypted(buf, s, secret) {
        return true;
    }
    if facts.age.iter().any(|&(a, b)| a <= s && s < b) || facts.sealed_from.is_some_and(|f| f < s) {
        return true;
    }
    if let Some(min) = rule.def.entropy
        && entropy(secret) < min
    {
        return true;
    }
    if rule.def.generic && (!plausible_generic(secret) || names_metadata(key_context(buf, ms, s))) {
        return true;
    }
    // A single-quoted "string" of several characters in C-family source.
    if (rule.def.generic || rule.def.lenient)
        && facts.char_quotes
        && s > 0
        && buf[s - 1] == b'\''
        && e - s > 1
    {
        return true;
    }
    if rule.def.lenient && !rule.def.generic && !plausible_literal(secret) {
        return true;
    }
    match rule.def.validate {
        Some(Validate::JwtHeader) => !jwt_header(secret),
        Some(Validate::BasicCredentials) => !basic_credentials(secret),
        Some(Validate::GrafanaApiKey) => !grafana_api_key(secret),
        None => false,
    }
}

/// Whether a Grafana legacy API key (`eyJrIjoi…`) decodes to `{"k":…,"n":…}`; other
/// Grafana token kinds pass.
fn grafana_api_key(value: &[u8]) -> bool {
    !value.starts_with(b"eyJrIjoi")
        || decode_base64(value).is_some_and(|raw| memmem::find(&raw, b"\"n\":").is_some())
}

/// Whether a base64 value decodes to `user:password`: a printable user name of 1-64
/// bytes, a colon, and a non-empty password. Padding may be missing.
fn basic_credentials(value: &[u8]) -> bool {
    let Some(raw) = decode_base64(value) else {
        return false;
    };
    let Some(colon) = raw.iter().position(|&b| b == b':') else {
        return false;
    };
    (1..=64).contains(&colon)
        && raw[..colon].iter().all(|b| b.is_ascii_graphic())
        && raw.len() > colon + 1
}

/// Last words of a key name that say the value describes a secret rather than being one
/// (`credentialsId`, `SECRET_NAME`, `secret_length`, `token_url`).
const METADATA_WORDS: &[&str] = &[
    "id",
    "ids",
    "name",
    "names",
    "type",
    "kind",
    "url",
    "uri",
    "path",
    "file",
    "filename",
    "length",
    "len",
    "size",
    "count",
    "field",
    "label",
    "prompt",
    "hint",
    "policy",
    "mode",
    "version",
    "format",
    "header",
    "env",
    "var",
    "ref",
    "arn",
    "endpoint",
    "provider",
    "algorithm",
    "method",
    "scheme",
    "prefix",
    "ttl",
    "timeout",
    "pattern",
    "regex",
];

/// The text from the start of the match's line (at most 256 bytes back, so a key name the
/// regex began inside of is whole) to the secret.
fn key_context(buf: &[u8], ms: usize, s: usize) -> &[u8] {
    let lo = ms.saturating_sub(256);
    let from =
        memchr::memrchr(b'\n', buf.get(lo..ms).unwrap_or_default()).map_or(lo, |p| lo + p + 1);
    buf.get(from..s).unwrap_or_default()
}

/// Whether the key name in `before` (the match up to the secret: `"credentialsId": "`)
/// says the value is metadata about a secret, or public (`public_key`, `publishableKey`).
fn names_metadata(before: &[u8]) -> bool {
    // The last operator, then the name just before it.
    let Some(op) = before
        .iter()
        .rposition(|&b| matches!(b, b'=' | b':' | b'>'))
    else {
        return false;
    };
    let mut end = op;
    while end > 0
        && matches!(
            before[end - 1],
            b'=' | b':' | b'!' | b'?' | b'|' | b'<' | b'>'
        )
    {
        end -= 1;
    }
    while end > 0
        && matches!(
            before[end - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'`' | b']' | b'['
        )
    {
        end -= 1;
    }
    let start = before[..end]
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .map_or(0, |p| p + 1);
    let words = key_words(&before[start..end]);
    words.iter().any(|w| w == "public" || w == "publishable")
        || words
            .last()
            .is_some_and(|w| METADATA_WORDS.contains(&w.as_str()))
}

/// A key name split into lower-case words at `_`, `-`, `.` and camelCase boundaries.
fn key_words(name: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in name {
        if !b.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        cur.push(char::from(b.to_ascii_lowercase()));
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether the first segment of a JWT decodes to a JSON object with `alg` or `typ`.
fn jwt_header(token: &[u8]) -> bool {
    let seg = token.split(|&b| b == b'.').next().unwrap_or_default();
    decode_base64(seg).is_some_and(|h| {
        let h = String::from_utf8_lossy(&h);
        h.trim_start().starts_with('{') && (h.contains("\"alg\"") || h.contains("\"typ\""))
    })
}

/// Decodes base64 without or with `=` padding, in the URL-safe alphabet when the value
/// has `-` or `_`, else the standard one.
pub(crate) fn decode_base64(value: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let end = value.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
    let body = &value[..end];
    if body.iter().any(|&b| b == b'-' || b == b'_') {
        URL_SAFE_NO_PAD.decode(body).ok()
    } else {
        STANDARD_NO_PAD.decode(body).ok()
    }
}

/// The line around `s..e`, at most [`LINE_REACH`] bytes each way.
fn line_bounds(buf: &[u8], s: usize, e: usize) -> (usize, usize) {
    let lo = s.saturating_sub(LINE_REACH);
    let hi = (e + LINE_REACH).min(buf.len());
    let ls = memchr::memrchr(b'\n', &buf[lo..s]).map_or(lo, |p| lo + p + 1);
    let le = memchr::memchr(b'\n', &buf[e..hi]).map_or(hi, |p| e + p);
    (ls, le)
}

/// Whether the lines of a match carry an ignore marker, or the line before it says
/// `pragma: allowlist nextline secret`.
pub fn inline_ignored(buf: &[u8], s: usize, e: usize) -> bool {
    let (ls, le) = line_bounds(buf, s, e);
    // A multi-line match (a key block) is checked on its first and last lines only.
    let first_end = memchr::memchr(b'\n', &buf[ls..le]).map_or(le, |p| ls + p);
    let last_start = memchr::memrchr(b'\n', &buf[ls..le]).map_or(ls, |p| ls + p + 1);
    let lines: [&[u8]; 2] = [&buf[ls..first_end], &buf[last_start..le]];
    if lines
        .iter()
        .any(|l| IGNORE_MARKERS.iter().any(|m| memmem::find(l, m).is_some()))
    {
        return true;
    }
    if ls > 0 {
        let (ps, _) = line_bounds(buf, ls - 1, ls - 1);
        if memmem::find(&buf[ps..ls], b"pragma: allowlist nextline secret").is_some() {
            return true;
        }
    }
    false
}

/// Whether the secret is a value encrypted with sops: it is, or sits inside, `ENC[...]`.
pub fn encrypted(buf: &[u8], s: usize, secret: &[u8]) -> bool {
    if secret.starts_with(b"ENC[") {
        return true;
    }
    let (ls, _) = line_bounds(buf, s, s);
    let before = &buf[ls..s];
    matches!(memmem::rfind(before, b"ENC["), Some(p) if !before[p..].contains(&b']'))
}

/// Test and documentation values any rule should skip: AWS's `...EXAMPLE` keys, runs of
/// one filler character (`xxxxxxxx`, `########`, `00000000`), alphabets in order.
pub fn obviously_fake(secret: &[u8]) -> bool {
    if memmem::find(secret, b"EXAMPLE").is_some()
        || memmem::find(secret, b"abcdefghij").is_some()
        || memmem::find(secret, b"ABCDEFGHIJ").is_some()
    {
        return true;
    }
    let mut run = 1;
    for w in secret.windows(2) {
        if w[0] == w[1]
            && matches!(
                w[0],
                b'x' | b'X' | b'*' | b'#' | b'.' | b'_' | b'-' | b'0'..=b'9'
            )
        {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Markers whose presence in a value makes it a documentation or test value, for every
/// rule that looks at values (`password = "example-password"`, `"foobar"`).
const PLACEHOLDERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "....",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "your_",
    "your-",
    "dummy",
    "fake",
    "redacted",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "replace_me",
    "replaceme",
    "insert_",
    "enter_",
    "sample",
    "foobar",
    "lorem",
    "todo",
    "fixme",
];

/// Stock passwords that a generic name = value rule also drops (a rule whose context
/// says "credential" reports them: `Pwd=myPassword` in a connection string is one).
const STOCK_PASSWORDS: &[&str] = &[
    "yourpassword",
    "yoursecret",
    "yourkey",
    "secretkey",
    "mysecret",
    "mypassword",
    "s3cr3t",
    "p@ssw0rd",
    "qwerty",
    "abc123",
];

/// Whole values that are never secrets.
const STOP_VALUES: &[&str] = &[
    "true",
    "false",
    "null",
    "nil",
    "none",
    "undefined",
    "password",
    "passwd",
    "token",
    "string",
    "empty",
    "required",
    "optional",
    "default",
    "hidden",
    "test",
    "testing",
    "admin",
    "root",
    "user",
    "username",
    "guest",
    "value",
    "key",
    "apikey",
    "api_key",
    "public",
    "private",
    "bearer",
    "basic",
    "disabled",
    "enabled",
    "unknown",
    "object",
    "number",
    "function",
    "boolean",
    "symbol",
    "bigint",
];

/// Whether a value caught by a generic assignment rule looks like a real secret rather
/// than a placeholder, a template reference or code.
pub fn plausible_generic(v: &[u8]) -> bool {
    // Punctuation alone (`",.:-@*?!"`) is not a credential.
    if !v.iter().any(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Ok(s) = std::str::from_utf8(v) else {
        return true;
    };
    let t = s.trim();
    if t.chars().count() < 6 {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if STOP_VALUES.contains(&lower.as_str())
        || PLACEHOLDERS
            .iter()
            .chain(STOCK_PASSWORDS)
            .any(|p| lower.contains(p))
    {
        return false;
    }
    if is_reference(t) {
        return false;
    }
    // Natural language, code, paths, URLs, HTML entities and embedded references.
    if t.contains(' ')
        || t.starts_with('#')
        || (t.starts_with('/') && !t.contains(['+', '=']))
        || t.starts_with('+')
        || t.ends_with(':')
        || t.contains(" + ")
        || t.contains("&lt;")
        || t.contains("&gt;")
        || t.starts_with("arn:")
        || t.starts_with("http://")
        || t.starts_with("https://")
    {
        return false;
    }
    // A quoted reference inside the value (`'$PRECOMPILE_PASSWORD'`).
    let unquoted = t.trim_matches(|c| c == '\'' || c == '"');
    if unquoted.starts_with('$')
        && unquoted[1..].starts_with(|c: char| c.is_ascii_uppercase() || c == '{')
    {
        return false;
    }
    // A call: `os.Getenv("TOKEN")`, `getpass()`.
    if let Some(p) = t.find('(') {
        let head = &t[..p];
        if !head.is_empty()
            && head
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'!'))
        {
            return false;
        }
    }
    // Words and identifiers: `BufRead`, `id-smime-aa-timeStampToken`, `secret_name`.
    // (Random letters have many capitals, some side by side; words and CamelCase
    // identifiers have few, each followed by small letters, or only capitals.)
    if t.bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.' | b' '))
    {
        let upper = t.bytes().filter(u8::is_ascii_uppercase).count();
        let lower = t.bytes().filter(u8::is_ascii_lowercase).count();
        let caps_pair = t
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase());
        let wordlike = !caps_pair || upper * 4 < upper + lower;
        if wordlike || lower == 0 || t.contains(['-', '_', '.', ' ']) {
            return false;
        }
    }
    // Command-line flags, Rust paths, escapes in source strings, percent-encoding,
    // lists, and `${VAR}` inside a value.
    let percent = t
        .as_bytes()
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count();
    if t.starts_with('-')
        || t.starts_with('[')
        || t.contains("::")
        || t.contains("\\x")
        || t.contains("\\n")
        || t.contains("\\u")
        || percent >= 2
        || has_braced_var(t)
    {
        return false;
    }
    // Identifiers: `ASANA_TOKEN_EXCHANGE_URL`, `cms_user_password`.
    let upper_const = t
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && t.contains('_');
    let snake = t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && t.contains('_');
    if upper_const || snake {
        return false;
    }
    // A repeated single character, or a run like "aaaaaa".
    let distinct = {
        let mut seen = [false; 256];
        v.iter()
            .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
            .count()
    };
    if distinct < 4 {
        return false;
    }
    // A dotted code path (`self.config.password`, `settings.SECRET_KEY`).
    if t.contains('.') && t.split('.').all(is_ident) && t.split('.').count() >= 2 {
        let has_digit = t.bytes().any(|b| b.is_ascii_digit());
        if !has_digit {
            return false;
        }
    }
    true
}

/// Whether a whole value is a template or variable reference (`${X}`, `{{ x }}`, `<x>`,
/// `%X%`, `$(x)`, `$X`, `#{x}`, `process.env...`).
fn is_reference(t: &str) -> bool {
    (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with('%') && t.ends_with('%'))
        || (t.starts_with("$(") && t.ends_with(')'))
        || (t.starts_with("%(") && t.ends_with(")s"))
        || (t.starts_with('$')
            && t[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        || t.starts_with("process.env")
        || t.starts_with("os.environ")
        || t.starts_with("os.getenv")
        || t.starts_with("env(")
        || t.starts_with("ENV[")
        || t.starts_with("#{")
        || t.starts_with("@env:")
        || t.starts_with("@keychain:")
}

/// Words that stand for a password in documentation or a message rather than being one
/// (besides [`STOP_VALUES`]: `password`, `token`, `user`, …).
const LITERAL_STOP: &[&str] = &[
    "pass",
    "pwd",
    // Verdicts in messages ("the password is 'incorrect'").
    "wrong",
    "invalid",
    "incorrect",
    "correct",
    "valid",
    "expired",
    "missing",
    "blank",
    "weak",
    "strong",
];

/// Whether a value found by a lenient rule (its context says it is a credential) is a
/// literal rather than a reference or the word `password` itself.
pub fn plausible_literal(v: &[u8]) -> bool {
    if !v.iter().any(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Ok(s) = std::str::from_utf8(v) else {
        return true;
    };
    let t = s.trim().trim_matches(|c| c == '\'' || c == '"');
    if t.is_empty() || is_reference(t) || t.starts_with('$') || t.contains("${") {
        return false;
    }
    // A variable's name rather than its value (`"SOME_PASSWORD"`, `DB_PASS`), or a
    // `%NAME%` expansion inside the value.
    let upper_const = t.len() >= 6
        && t.contains('_')
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if upper_const || has_percent_var(t) || is_member_path(t) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if LITERAL_STOP.contains(&lower.as_str())
        || STOP_VALUES.contains(&lower.as_str())
        || PLACEHOLDERS.iter().any(|p| lower.contains(p))
    {
        return false;
    }
    // One character repeated (`xxxx`, `****`).
    let first = t.as_bytes()[0];
    !t.bytes().all(|b| b == first)
}

/// Roots of expressions that read a value from somewhere else (`env.DB_PASSWORD`,
/// `var.db_password`, `secrets.TOKEN`).
const REFERENCE_ROOTS: &[&str] = &[
    "env", "var", "vars", "local", "locals", "self", "this", "config", "settings", "secrets",
    "params", "props", "process", "os", "data", "module", "ctx", "context", "inputs",
];

/// Whether a value is a member path from a reference root (`env.PERKEEP_PASSWORD`).
fn is_member_path(t: &str) -> bool {
    let mut parts = t.split('.');
    let root = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && REFERENCE_ROOTS.contains(&root.to_ascii_lowercase().as_str())
        && rest.iter().all(|p| is_ident(p))
}

/// Whether `p` is an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
fn is_ident(p: &str) -> bool {
    !p.is_empty()
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !p.as_bytes()[0].is_ascii_digit()
}

/// Whether `s` holds `%NAME%` (a Windows / NuGet environment variable).
fn has_percent_var(s: &str) -> bool {
    has_named_var(s, b"%", b'%')
}

/// Whether `s` holds `${NAME}` (a shell / template variable).
fn has_braced_var(s: &str) -> bool {
    has_named_var(s, b"${", b'}')
}

/// Whether `s` holds `open`, a name of letters, digits and `_`, then `close`.
fn has_named_var(s: &str, open: &[u8], close: u8) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = memmem::find(&b[i..], open) {
        let start = i + p + open.len();
        let name_len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if name_len > 0 && b.get(start + name_len) == Some(&close) {
            return true;
        }
        i = start;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_figures() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn generic_values() {
        assert!(plausible_generic(b"hN7$kq2!Lp0z"));
        assert!(!plausible_generic(b"${DB_PASSWORD}"));
        assert!(!plausible_generic(b"{{ .Values.password }}"));
        assert!(!plausible_generic(b"changeme"));
        assert!(!plausible_generic(b"self.config.password"));
        assert!(!plausible_generic(b"xxxxxxxxxx"));
        assert!(!plausible_generic(b"abc"));
        assert!(!plausible_generic(b"BufRead"));
        assert!(!plausible_generic(b"CannotReallocInPlace"));
        assert!(plausible_generic(b"fLNiynFfowvgjA"));
        assert!(!plausible_generic(b"usize::MAX"));
        assert!(!plausible_generic(b"--target"));
        assert!(!plausible_generic(b"pass:${password}"));
        assert!(!plausible_generic(b"p%40ss%3Aword"));
        assert!(plausible_generic(
            b"m{{h}o)p${e]nob(ody[finds>-_$#thisone}}"
        ));
    }

    #[test]
    fn literal_values() {
        assert!(plausible_literal(b"secret"));
        assert!(plausible_literal(b"whiteduke"));
        assert!(!plausible_literal(b"password"));
        assert!(!plausible_literal(b"PASSWORD"));
        assert!(!plausible_literal(b"$Password"));
        assert!(!plausible_literal(b"%PASS%"));
        assert!(!plausible_literal(b"#{datastore['DBPASSWORD']}"));
        assert!(!plausible_literal(b"xxxxxx"));
        // Variable names, expansions, member paths, documentation values, verdicts.
        assert!(!plausible_literal(b"SOME_PASSWORD"));
        assert!(!plausible_literal(b"TestSource%Password%"));
        assert!(plausible_literal(b"TestSource%Password"));
        assert!(!plausible_literal(b"env.PERKEEP_TEST_PASSWORD"));
        assert!(plausible_literal(b"open.sesame"));
        assert!(!plausible_literal(b"@env:AC_PASSWORD"));
        assert!(!plausible_literal(b"example-password"));
        assert!(!plausible_literal(b"incorrect"));
        assert!(!plausible_literal(b"undefined"));
        assert!(plausible_literal(b"myPassword"));
    }

    #[test]
    fn char_quote_languages() {
        assert!(char_quotes("src/main.c"));
        assert!(char_quotes("Lib/Crypto.CS"));
        assert!(char_quotes("vendor.zip!ui/View.m"));
        assert!(!char_quotes("src/app.py"));
        assert!(!char_quotes("src/App.java"));
        assert!(!char_quotes("Makefile"));
        assert!(!plausible_generic(b",.:-@*?!"));
        assert!(!plausible_literal(b"!!!!"));
    }

    #[test]
    fn metadata_key_names() {
        assert!(names_metadata(b"credentialsId: '"));
        assert!(names_metadata(b"\"credentialId\": \""));
        assert!(names_metadata(b"LLM_SECRET_NAME = \""));
        assert!(names_metadata(b"secret_length = "));
        assert!(names_metadata(b"public_key = \""));
        assert!(names_metadata(b"publicToken = \""));
        assert!(!names_metadata(b"password = \""));
        assert!(!names_metadata(b"client_secret: \""));
        assert!(!names_metadata(b"DB_PASSWORD="));
        assert!(!names_metadata(b"if (passwd == \""));
        assert_eq!(key_words(b"jobCredentialsId"), ["job", "credentials", "id"]);
        assert_eq!(key_words(b"AWS_SECRET_KEY"), ["aws", "secret", "key"]);
    }

    #[test]
    fn basic_credentials_decode() {
        // "deploy:Tq8wLz2vR", with and without padding.
        assert!(basic_credentials(b"ZGVwbG95OlRxOHdMejJ2Ug=="));
        assert!(basic_credentials(b"ZGVwbG95OlRxOHdMejJ2Ug"));
        // "sha512-somethingelse": no colon.
        assert!(!basic_credentials(b"c2hhNTEyLXNvbWV0aGluZ2Vsc2U="));
        // ":x" (no user), "user:" (no password), not base64.
        assert!(!basic_credentials(b"Ong="));
        assert!(!basic_credentials(b"dXNlcjo="));
        assert!(!basic_credentials(b"not base64!"));
    }

    #[test]
    fn markers_and_encryption() {
        let b = b"a\npassword = 'x' # palisade:allow\nb";
        assert!(inline_ignored(b, 3, 10));
        let b = b"# pragma: allowlist nextline secret\npassword = 'x'\n";
        assert!(inline_ignored(b, 38, 40));
        let b = b"password: ENC[AES256_GCM,data:abc,iv:def,type:str]\n";
        assert!(encrypted(b, 10, b"ENC[AES256_GCM"));
        let age =
            b"x\n-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\ny";
        let f = BufferFacts::of("a.txt", age);
        assert_eq!(f.age.len(), 1);
        assert!(f.age[0].0 <= 40 && 40 < f.age[0].1);
        assert!(encrypted(b, 30, b"abc"));
        let b = b"password: hunter2hunter2\n";
        assert!(!encrypted(b, 10, b"hunter2hunter2"));
    }
}
