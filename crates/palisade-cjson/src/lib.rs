//! Canonical JSON exactly as securesystemslib's `encode_canonical` writes it.
//!
//! Every signature over JSON in TUF metadata and legacy in-toto metadata, and every
//! securesystemslib key id, is computed over these bytes. A single differing byte is a
//! false signature failure (or, worse, a forged one accepted), so this crate is the one
//! place in Palisade that produces them.
//!
//! The format (the OLPC dialect as securesystemslib implements it):
//!
//! * object keys sorted by Unicode code point (the same as UTF-8 byte order);
//! * no whitespace at all;
//! * in strings only `\` and `"` are escaped; every other character, control characters
//!   included, is written as its raw UTF-8 bytes;
//! * **no Unicode normalisation** (the `olpc-cjson` crate NFC-normalises, which breaks
//!   signatures over non-NFC text);
//! * integers of any size; floats are an error.
//!
//! Two ways in:
//!
//! * [`parse`] reads untrusted JSON text into a [`Value`] with bounded depth and size,
//!   keeping integers of any size exactly and rejecting floats, duplicate keys and lone
//!   surrogates with an error that names the line, column and JSON path;
//! * [`to_vec`] encodes any `serde::Serialize` value (through `serde_json`).
//!
//! ```
//! let v = palisade_cjson::parse(br#"{"b": 1, "a": ["\u00e9", true]}"#).unwrap();
//! assert_eq!(palisade_cjson::encode(&v), "{\"a\":[\"\u{e9}\",true],\"b\":1}".as_bytes());
//! ```

use std::collections::BTreeMap;
use std::fmt;

/// The deepest nesting [`parse`] accepts by default.
pub const DEFAULT_MAX_DEPTH: usize = 512;
/// The longest integer literal accepted, in digits (CPython refuses more than 4300).
pub const MAX_INT_DIGITS: usize = 4300;

/// A JSON value that canonical JSON can represent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer of any size, kept as its normalised decimal text (`-0` becomes `0`).
    Int(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object; the map keeps keys in code-point order.
    Object(BTreeMap<String, Value>),
}

/// Why a document is not canonical-JSON material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not JSON, or is JSON that canonical JSON cannot carry.
    #[error("line {line}, column {column} (at {path}): {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column, in bytes.
        column: usize,
        /// JSON path of the value being read, e.g. `$.signed.keys[2]`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A serialisable value holds something canonical JSON cannot encode.
    #[error("{path}: {message}")]
    Unencodable {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Limits for [`parse_with`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
    /// Reject objects that repeat a key (the default). Python's `json` keeps the last.
    pub reject_duplicate_keys: bool,
    /// Accept raw control characters (U+0000–U+001F) inside strings. Strict JSON
    /// forbids them, but canonical JSON *writes* them raw, so re-reading canonical bytes
    /// needs this.
    pub allow_raw_control_characters: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: DEFAULT_MAX_DEPTH,
            reject_duplicate_keys: true,
            allow_raw_control_characters: false,
        }
    }
}

/// Parses JSON text with the default [`Limits`].
pub fn parse(input: &[u8]) -> Result<Value, Error> {
    parse_with(input, Limits::default())
}

/// Parses JSON text (RFC 8259, UTF-8) into a [`Value`].
pub fn parse_with(input: &[u8], limits: Limits) -> Result<Value, Error> {
    let mut p = Parser {
        s: input,
        i: 0,
        limits,
        path: Vec::new(),
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

/// Canonical bytes of a [`Value`].
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

/// Appends the canonical bytes of `value` to `out`.
pub fn encode_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(digits) => out.extend_from_slice(digits.as_bytes()),
        Value::String(s) => encode_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                encode_into(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (n, (k, v)) in map.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                encode_str(k, out);
                out.push(b':');
                encode_into(v, out);
            }
            out.push(b'}');
        }
    }
}

/// Appends the canonical encoding of one string (for writers that stream canonical JSON
/// from typed data, such as large in-toto links, without building a [`Value`]).
pub fn encode_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Canonical bytes of any serialisable value.
///
/// Floats anywhere in the value are an error naming their JSON path.
pub fn to_vec<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let json = serde_json::to_value(value).map_err(|e| Error::Unencodable {
        path: "$".into(),
        message: e.to_string(),
    })?;
    Ok(encode(&from_serde_json(&json)?))
}

/// Converts a `serde_json::Value` to a [`Value`]; floats are an error naming their path.
pub fn from_serde_json(value: &serde_json::Value) -> Result<Value, Error> {
    fn conv(v: &serde_json::Value, path: &mut String) -> Result<Value, Error> {
        Ok(match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i.to_string())
                } else if let Some(u) = n.as_u64() {
                    Value::Int(u.to_string())
                } else {
                    return Err(Error::Unencodable {
                        path: path.clone(),
                        message: format!("floats are not allowed in canonical JSON ({n})"),
                    });
                }
            }
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, item) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    out.push(conv(item, path)?);
                    path.truncate(len);
                }
                Value::Array(out)
            }
            serde_json::Value::Object(m) => {
                let mut out = BTreeMap::new();
                for (k, item) in m {
                    let len = path.len();
                    push_key(path, k);
                    out.insert(k.clone(), conv(item, path)?);
                    path.truncate(len);
                }
                Value::Object(out)
            }
        })
    }
    conv(value, &mut "$".to_string())
}

impl Value {
    /// Converts to a `serde_json::Value`. Integers outside the 64-bit range are an error
    /// (serde_json without `arbitrary_precision` cannot hold them).
    pub fn to_serde_json(&self) -> Result<serde_json::Value, Error> {
        Ok(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(d) => {
                if let Ok(i) = d.parse::<i64>() {
                    i.into()
                } else if let Ok(u) = d.parse::<u64>() {
                    u.into()
                } else {
                    return Err(Error::Unencodable {
                        path: "$".into(),
                        message: format!("integer {d} does not fit in 64 bits"),
                    });
                }
            }
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(a) => serde_json::Value::Array(
                a.iter()
                    .map(Value::to_serde_json)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), v.to_serde_json()?);
                }
                serde_json::Value::Object(out)
            }
        })
    }

    /// The value at `key` if this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }

    /// The string if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&encode(self)))
    }
}

fn push_key(path: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if simple {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str(&format!("[{}]", serde_json::Value::String(key.to_string())));
    }
}

enum Seg {
    Key(String),
    Index(usize),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    limits: Limits,
    path: Vec<Seg>,
}

impl Parser<'_> {
    fn path_string(&self) -> String {
        let mut p = String::from("$");
        for seg in &self.path {
            match seg {
                Seg::Key(k) => push_key(&mut p, k),
                Seg::Index(i) => p.push_str(&format!("[{i}]")),
            }
        }
        p
    }

    fn err_at(&self, at: usize, message: impl Into<String>) -> Error {
        let at = at.min(self.s.len());
        let before = &self.s[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        Error::Syntax {
            line,
            column: at - line_start + 1,
            path: self.path_string(),
            message: message.into(),
        }
    }

    fn err(&self, message: impl Into<String>) -> Error {
        self.err_at(self.i, message)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect_lit(&mut self, lit: &[u8], v: Value) -> Result<Value, Error> {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        match self.peek() {
            None => Err(self.err("unexpected end of input, expected a value")),
            Some(b'n') => self.expect_lit(b"null", Value::Null),
            Some(b't') => self.expect_lit(b"true", Value::Bool(true)),
            Some(b'f') => self.expect_lit(b"false", Value::Bool(false)),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                if depth >= self.limits.max_depth {
                    return Err(self.err(format!(
                        "nesting deeper than {} levels",
                        self.limits.max_depth
                    )));
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    self.path.push(Seg::Index(items.len()));
                    self.ws();
                    let v = self.value(depth + 1)?;
                    self.path.pop();
                    items.push(v);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.err("expected ',' or ']' in array")),
                    }
                }
            }
            Some(b'{') => {
                if depth >= self.limits.max_depth {
                    return Err(self.err(format!(
                        "nesting deeper than {} levels",
                        self.limits.max_depth
                    )));
                }
                self.i += 1;
                let mut map = BTreeMap::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Value::Object(map));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a string key in object"));
                    }
                    let key_at = self.i;
                    let key = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':' after object key"));
                    }
                    self.i += 1;
                    self.ws();
                    self.path.push(Seg::Key(key.clone()));
                    let v = self.value(depth + 1)?;
                    if map.contains_key(&key) && self.limits.reject_duplicate_keys {
                        return Err(self.err_at(key_at, "duplicate object key"));
                    }
                    self.path.pop();
                    map.insert(key, v);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(map));
                        }
                        _ => return Err(self.err("expected ',' or '}' in object")),
                    }
                }
            }
            Some(_) => Err(self.err("unexpected character, expected a value")),
        }
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits_start = self.i;
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.i += 1;
                }
            }
            _ => return Err(self.err("invalid number")),
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return Err(self.err_at(start, "floats are not allowed in canonical JSON"));
        }
        if let Some(b'0'..=b'9') = self.peek() {
            return Err(self.err("leading zeros are not allowed in numbers"));
        }
        let digits = &self.s[digits_start..self.i];
        if digits.len() > MAX_INT_DIGITS {
            return Err(self.err_at(
                start,
                format!("integer longer than {MAX_INT_DIGITS} digits"),
            ));
        }
        // digits are ASCII by construction
        let digits = String::from_utf8_lossy(digits).into_owned();
        if negative && digits != "0" {
            Ok(Value::Int(format!("-{digits}")))
        } else {
            Ok(Value::Int(digits))
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let Some(h) = self.s.get(self.i..self.i + 4) else {
            return Err(self.err("truncated \\u escape"));
        };
        let mut v = 0u32;
        for &b in h {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = v * 16 + u32::from(d);
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Error> {
        let start = self.i;
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            // copy a run of plain bytes
            let run_start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"'
                    || b == b'\\'
                    || (b < 0x20 && !self.limits.allow_raw_control_characters)
                {
                    break;
                }
                self.i += 1;
            }
            out.extend_from_slice(&self.s[run_start..self.i]);
            match self.peek() {
                None => return Err(self.err_at(start, "unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return String::from_utf8(out)
                        .map_err(|_| self.err_at(start, "string is not valid UTF-8"));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.err("lone high surrogate in \\u escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid low surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.err("lone low surrogate in \\u escape"));
                            } else {
                                hi
                            };
                            char::from_u32(cp).ok_or_else(|| self.err("invalid \\u escape"))?
                        }
                        _ => return Err(self.err_at(self.i - 2, "invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Some(_) => {
                    return Err(self.err("unescaped control character in string"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        String::from_utf8(encode(&parse(s.as_bytes()).unwrap())).unwrap()
    }

    #[test]
    fn securesystemslib_doctests() {
        assert_eq!(canon(r#""""#), r#""""#);
        assert_eq!(canon("[1, 2, 3]"), "[1,2,3]");
        assert_eq!(canon("[]"), "[]");
        assert_eq!(canon(r#"{"A": [99]}"#), r#"{"A":[99]}"#);
        assert_eq!(canon(r#"{"x" : 3, "y" : 2}"#), r#"{"x":3,"y":2}"#);
    }

    #[test]
    fn only_quote_and_backslash_are_escaped() {
        assert_eq!(
            canon(r#"["a\"b\\c\n\u0001\/é"]"#),
            "[\"a\\\"b\\\\c\n\u{1}/é\"]"
        );
    }

    #[test]
    fn keys_sort_by_code_point_not_utf16() {
        // U+FF61 sorts before U+10000 by code point, after it in UTF-16 order.
        let s = canon("{\"\u{10000}\":1,\"\u{ff61}\":2,\"a\":3,\"B\":4}");
        assert_eq!(s, "{\"B\":4,\"a\":3,\"\u{ff61}\":2,\"\u{10000}\":1}");
    }

    #[test]
    fn no_normalisation() {
        // "e" + combining acute stays decomposed
        assert_eq!(canon("\"e\u{301}\""), "\"e\u{301}\"");
    }

    #[test]
    fn big_integers_and_negative_zero() {
        let big = "123456789012345678901234567890123456789012345678901234567890";
        assert_eq!(
            canon(&format!("[{big},-{big},-0]")),
            format!("[{big},-{big},0]")
        );
    }

    #[test]
    fn floats_are_rejected_with_path() {
        let err = parse(br#"{"signed": {"x": [1, 2.5]}}"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("$.signed.x[1]"), "{msg}");
        assert!(msg.contains("floats"), "{msg}");
        let err = to_vec(&serde_json::json!({"a": {"b b": 1.5}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "$.a[\"b b\"]: floats are not allowed in canonical JSON (1.5)"
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,",
            b"\"abc",
            b"\"\\ud800\"",
            b"\"\\udc00x\"",
            b"\"\\u12\"",
            b"01",
            b"-",
            b"{\"a\":1,\"a\":2}",
            b"[1] x",
            b"\"\xff\"",
            b"tru",
            b"{\"a\" 1}",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(100_000);
        let err = parse(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nesting deeper"));
    }

    #[test]
    fn canonical_output_reads_back_in_canonical_mode() {
        let v = parse(br#"{"a": "line\nbreak\u0001"}"#).unwrap();
        let bytes = encode(&v);
        assert!(
            parse(&bytes).is_err(),
            "strict JSON refuses raw control characters"
        );
        let lenient = Limits {
            allow_raw_control_characters: true,
            ..Limits::default()
        };
        assert_eq!(parse_with(&bytes, lenient).unwrap(), v);
    }

    #[test]
    fn error_positions() {
        let err = parse(b"{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!(
            err,
            Error::Syntax {
                line: 2,
                column: 8,
                path: "$.a".into(),
                message: "invalid literal".into()
            }
        );
    }
}
