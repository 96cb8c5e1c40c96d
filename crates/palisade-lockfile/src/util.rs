//! Shared plumbing for the readers: parse context, text decoding, package URLs, hashes,
//! JSON/TOML/YAML entry points that turn syntax errors into file:line errors.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use crate::{
    Coverage, Ecosystem, Format, Hash, Lockfile, LockfileError, Package, Scope, Skipped,
    merge_packages,
};

/// Deepest nesting any reader follows by itself (JSON/TOML/YAML libraries have their own).
pub(crate) const MAX_DEPTH: usize = 64;

pub(crate) type Res<T> = Result<T, LockfileError>;

/// Parse context: the file, its text and what has been found so far.
pub(crate) struct Cx<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub packages: Vec<Package>,
    pub skipped: Vec<Skipped>,
    pub project: Option<(String, Option<String>)>,
    /// Remarks about the whole file for the coverage output.
    pub notes: Vec<String>,
    /// Search cursor for [`Cx::line_of_next`]: byte offset and its line.
    cursor: std::cell::Cell<(usize, usize)>,
}

impl<'a> Cx<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Cx {
            path,
            text,
            packages: Vec::new(),
            skipped: Vec::new(),
            project: None,
            notes: Vec::new(),
            cursor: std::cell::Cell::new((0, 1)),
        }
    }

    pub fn err(&self, line: usize, message: impl Into<String>) -> LockfileError {
        LockfileError::Parse {
            path: self.path.to_path_buf(),
            line: line.max(1),
            message: message.into(),
        }
    }

    /// Line of the first occurrence of `needle`.
    pub fn line_of(&self, needle: &str) -> Option<usize> {
        self.text.find(needle).map(|i| line_at(self.text, i))
    }

    /// Line of the next occurrence of `needle` after the previous hit (wrapping around
    /// once). Entries are mostly in file order, so a whole file costs about one pass
    /// instead of one pass per entry.
    pub fn line_of_next(&self, needle: &str) -> Option<usize> {
        let (off, line) = self.cursor.get();
        let start = off.min(self.text.len());
        if let Some(i) = self.text.get(start..).and_then(|t| t.find(needle)) {
            let at = start + i;
            let l = line
                + self.text.as_bytes()[start..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
            self.cursor.set((at, l));
            return Some(l);
        }
        let i = self.text.find(needle)?;
        let l = line_at(self.text, i);
        self.cursor.set((i, l));
        Some(l)
    }

    pub fn skip(
        &mut self,
        line: Option<usize>,
        entry: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.skipped.push(Skipped {
            line,
            entry: entry.into(),
            reason: reason.into(),
        });
    }

    pub fn add(&mut self, p: Package) {
        self.packages.push(p);
    }

    pub fn finish(self, format: Format) -> Lockfile {
        let parsed = self.packages.len();
        let mut packages = merge_packages(self.packages);
        // Edges only to packages of the file (sorted by purl: a binary search each).
        for i in 0..packages.len() {
            let mut deps = std::mem::take(&mut packages[i].dependencies);
            deps.retain(|d| {
                packages
                    .binary_search_by(|p| p.purl.as_str().cmp(d.as_str()))
                    .is_ok()
            });
            packages[i].dependencies = deps;
        }
        let mut skipped = self.skipped;
        skipped.sort();
        let coverage = Coverage {
            entries: parsed + skipped.len(),
            parsed,
            skipped: skipped.len(),
            packages: packages.len(),
        };
        Lockfile {
            path: self.path.to_path_buf(),
            format,
            project: self.project,
            notes: self.notes,
            packages,
            skipped,
            coverage,
        }
    }

    pub fn json(&self) -> Res<Value> {
        serde_json::from_str(self.text)
            .map_err(|e| self.err(e.line(), format!("invalid JSON: {e}")))
    }

    /// JSON with comments and trailing commas (bun.lock, Package.resolved).
    pub fn jsonc(&self) -> Res<Value> {
        let cleaned = strip_jsonc(self.text);
        serde_json::from_str(&cleaned).map_err(|e| self.err(e.line(), format!("invalid JSON: {e}")))
    }

    pub fn toml(&self) -> Res<Value> {
        toml::from_str::<Value>(self.text).map_err(|e| {
            let line = e.span().map(|s| line_at(self.text, s.start)).unwrap_or(1);
            self.err(line, format!("invalid TOML: {}", e.message()))
        })
    }

    /// All YAML documents of the file.
    pub fn yaml_docs(&self) -> Res<Vec<Value>> {
        self.yaml_docs_as::<Value>()
    }

    /// All YAML documents of the file, read straight into `T` (no generic tree; strings
    /// borrowed from the text where the YAML has no escapes). Empty documents are skipped.
    pub fn yaml_docs_as<T: serde::Deserialize<'a>>(&self) -> Res<Vec<T>> {
        serde_saphyr::from_multiple::<T>(self.text).map_err(|e| {
            let line = e.location().map(|l| l.line() as usize).unwrap_or(1);
            let msg = e.to_string();
            let msg = msg.lines().next().unwrap_or("").to_string();
            self.err(line, format!("invalid YAML: {msg}"))
        })
    }

    pub fn yaml(&self) -> Res<Value> {
        let mut docs = self.yaml_docs()?;
        match docs.len() {
            0 => Ok(Value::Null),
            1 => Ok(docs.remove(0)),
            n => Err(self.err(1, format!("expected one YAML document, found {n}"))),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decodes UTF-8 (with or without BOM) or UTF-16 with BOM.
pub(crate) fn decode_text(path: &Path, bytes: &[u8]) -> Res<String> {
    let utf16 = |le: bool| -> Res<String> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| LockfileError::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: "invalid UTF-16 text".into(),
        })
    };
    if bytes.starts_with(&[0xff, 0xfe]) {
        return utf16(true);
    }
    if bytes.starts_with(&[0xfe, 0xff]) {
        return utf16(false);
    }
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(LockfileError::Parse {
                path: path.to_path_buf(),
                line,
                message: "not UTF-8 text (binary file?)".into(),
            })
        }
    }
}

/// Removes `//` and `/* */` comments and trailing commas outside strings, keeping
/// newlines so that line numbers stay right.
pub(crate) fn strip_jsonc(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                out.push(c);
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    if b[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i += 2;
            }
            b',' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if !matches!(b.get(j), Some(b'}') | Some(b']')) {
                    out.push(c);
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Package URL for a package; never fails (falls back to a plain encoding).
pub fn purl_for(eco: Ecosystem, name: &str, version: Option<&str>) -> String {
    purl_with(eco, name, version, &[], None)
}

pub(crate) fn purl_with(
    eco: Ecosystem,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
    subpath: Option<&str>,
) -> String {
    let ty = eco.purl_type();
    let (ns, n): (Option<&str>, &str) = match eco {
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        Ecosystem::Npm
        | Ecosystem::Jsr
        | Ecosystem::Go
        | Ecosystem::Packagist
        | Ecosystem::Swift
        | Ecosystem::GitHub => match name.rsplit_once('/') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => (Some(a), b),
            _ => (None, name),
        },
        _ => (None, name),
    };
    let build = || -> Result<String, packageurl::Error> {
        let mut p = packageurl::PackageUrl::new(ty, n)?;
        if let Some(ns) = ns {
            p.with_namespace(ns)?;
        }
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            p.with_version(v)?;
        }
        for (k, v) in qualifiers {
            if !v.is_empty() {
                p.add_qualifier(*k, *v)?;
            }
        }
        if let Some(s) = subpath.filter(|s| !s.is_empty()) {
            p.with_subpath(s)?;
        }
        Ok(p.to_string())
    };
    build().unwrap_or_else(|_| {
        let enc: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        match version {
            Some(v) if !v.is_empty() => format!(
                "pkg:{ty}/{enc}@{}",
                v.replace(['@', '?', '#', '%', ' '], "_")
            ),
            _ => format!("pkg:{ty}/{enc}"),
        }
    })
}

/// A new package with its purl; other fields empty.
pub(crate) fn pkg(eco: Ecosystem, name: &str, version: Option<&str>) -> Package {
    Package {
        name: name.to_string(),
        version: version.filter(|v| !v.is_empty()).map(str::to_string),
        ecosystem: eco,
        purl: purl_for(eco, name, version),
        hashes: Vec::new(),
        source: None,
        scope: Scope::Required,
        licenses: Vec::new(),
        direct: None,
        dependencies: Vec::new(),
        line: None,
    }
}

/// A new package with a purl already built (as [`pkg`] would build it).
pub(crate) fn pkg_with_purl(eco: Ecosystem, name: &str, version: &str, purl: String) -> Package {
    Package {
        name: name.to_string(),
        version: Some(version).filter(|v| !v.is_empty()).map(str::to_string),
        ecosystem: eco,
        purl,
        hashes: Vec::new(),
        source: None,
        scope: Scope::Required,
        licenses: Vec::new(),
        direct: None,
        dependencies: Vec::new(),
        line: None,
    }
}

fn norm_alg(alg: &str) -> String {
    let a = alg.to_ascii_lowercase().replace('-', "");
    match a.as_str() {
        "sha1" | "sha256" | "sha384" | "sha512" | "md5" => a,
        _ => alg.to_ascii_lowercase(),
    }
}

fn expected_hex_len(alg: &str) -> Option<usize> {
    Some(match alg {
        "md5" => 32,
        "sha1" => 40,
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    })
}

/// A hash given as hex (validated); `None` when empty.
pub(crate) fn hash_hex(alg: &str, value: &str) -> Option<Hash> {
    let alg = norm_alg(alg);
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let is_hex = value.bytes().all(|b| b.is_ascii_hexdigit());
    let ok = expected_hex_len(&alg).is_some_and(|n| n == value.len()) && is_hex;
    Some(Hash {
        value: if ok {
            value.to_ascii_lowercase()
        } else {
            value.to_string()
        },
        alg: if ok || expected_hex_len(&alg).is_none() {
            alg
        } else {
            format!("{alg}-raw")
        },
    })
}

/// A hash given as base64 (e.g. NuGet contentHash, Go h1).
pub(crate) fn hash_b64(alg: &str, value: &str) -> Option<Hash> {
    let alg = norm_alg(alg);
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match base64::engine::general_purpose::STANDARD.decode(value) {
        Ok(raw) if expected_hex_len(&alg) == Some(raw.len() * 2) => Some(Hash {
            alg,
            value: hex_lower(&raw),
        }),
        _ => Some(Hash {
            alg: format!("{alg}-raw"),
            value: value.to_string(),
        }),
    }
}

/// Subresource-integrity strings (`sha512-<base64> sha1-<base64>`).
pub(crate) fn hashes_sri(sri: &str) -> Vec<Hash> {
    sri.split_whitespace()
        .filter_map(|part| {
            let (alg, b64) = part.split_once('-')?;
            hash_b64(alg, b64)
        })
        .collect()
}

/// `alg:hex` or `alg=hex` (pip, uv, pdm, composer shasum, Gemfile CHECKSUMS).
pub(crate) fn hash_prefixed(s: &str) -> Option<Hash> {
    let (alg, v) = s.split_once([':', '='])?;
    hash_hex(alg, v)
}

pub(crate) fn hex_lower(raw: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(raw.len() * 2);
    for b in raw {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// String value of a key, accepting numbers and booleans (YAML/TOML scalars).
pub(crate) fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// A scalar as a string (numbers converted).
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn obj(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flat_map(|m| m.iter())
}

pub(crate) fn arr(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flat_map(|a| a.iter())
}

pub(crate) fn truthy(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Marks scopes and directness from the project's direct dependencies when the file
/// does not record them per package: everything reachable from a required root is
/// required, else from an optional root optional, else from a dev root dev.
pub(crate) fn infer_from_roots(packages: &mut [Package], roots: &[(String, Scope)]) {
    let index: std::collections::HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.purl.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = packages
        .iter()
        .map(|p| {
            p.dependencies
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let root_idx: Vec<(usize, Scope)> = roots
        .iter()
        .filter_map(|(p, s)| index.get(p.as_str()).map(|&i| (i, *s)))
        .collect();
    drop(index);
    let mut assigned: Vec<Option<Scope>> = vec![None; packages.len()];
    for &scope in &[Scope::Required, Scope::Optional, Scope::Dev] {
        let mut seen = vec![false; packages.len()];
        let mut queue: VecDeque<usize> = root_idx
            .iter()
            .filter(|(_, s)| *s == scope)
            .map(|(i, _)| *i)
            .collect();
        while let Some(i) = queue.pop_front() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            if assigned[i].is_none() {
                assigned[i] = Some(scope);
            }
            queue.extend(edges[i].iter().copied().filter(|&j| !seen[j]));
        }
    }
    let direct: BTreeSet<usize> = root_idx.iter().map(|(i, _)| *i).collect();
    for (i, p) in packages.iter_mut().enumerate() {
        if let Some(s) = assigned[i] {
            p.scope = s;
        }
        if !roots.is_empty() {
            p.direct = Some(direct.contains(&i));
        }
    }
}

/// Typed, lenient reading of YAML/JSON documents: only the fields a reader uses, strings
/// borrowed from the text, and the same tolerance as reading a generic tree first (a
/// value of an unexpected kind reads as absent instead of failing the file).
pub(crate) mod lenient {
    use std::borrow::Cow;
    use std::fmt;
    use std::marker::PhantomData;

    use serde::Deserialize;
    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    /// Inside a `Visitor` with a `visit_none`: every scalar reads as that (a value of
    /// the wrong type is absent, as a generic tree's lookup would find nothing).
    macro_rules! scalars_read_as_none {
        () => {
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                self.visit_none()
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
                self.visit_none()
            }
        };
    }

    /// A scalar as a generic tree would hold it: a string, a number (its JSON
    /// spelling), a boolean; anything else (null, mapping, sequence) is `Other`.
    #[derive(Debug, Default, Clone)]
    pub(crate) enum Scalar<'a> {
        Str(Cow<'a, str>),
        Num(String),
        Bool(bool),
        #[default]
        Other,
    }

    impl<'a> Scalar<'a> {
        /// The value when it is a string (as [`super::s`]).
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Scalar::Str(s) => Some(s),
                _ => None,
            }
        }

        /// The value as text when it is a scalar (as [`super::scalar`]).
        pub fn as_text(&self) -> Option<&str> {
            match self {
                Scalar::Str(s) => Some(s),
                Scalar::Num(n) => Some(n),
                Scalar::Bool(b) => Some(if *b { "true" } else { "false" }),
                Scalar::Other => None,
            }
        }

        /// `true` only for the boolean true (as [`super::truthy`]).
        pub fn is_true(&self) -> bool {
            matches!(self, Scalar::Bool(true))
        }
    }

    /// Consumes the rest of a sequence.
    fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    /// Consumes the rest of a mapping.
    fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    struct ScalarVisitor;

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Scalar<'de>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Owned(v.to_string())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Owned(v)))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Scalar::Bool(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Scalar::Num(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Scalar::Num(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // The spelling a serde_json number gives; NaN and infinities are null there.
            Ok(serde_json::Number::from_f64(v)
                .map(|n| Scalar::Num(n.to_string()))
                .unwrap_or(Scalar::Other))
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(Scalar::Other)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Scalar::Other)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Scalar::Other)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(seq)?;
            Ok(Scalar::Other)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            drain_map(map)?;
            Ok(Scalar::Other)
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ScalarVisitor)
        }
    }

    /// A mapping key (always text), borrowed where possible.
    pub(crate) struct Key<'a>(pub Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string key")
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    Ok(Key(Cow::Owned(v.to_string())))
                }
                fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                    Ok(Key(Cow::Owned(v)))
                }
            }
            d.deserialize_str(V)
        }
    }

    /// A mapping read into entries sorted by key (the order a generic tree's map
    /// iterates in); any other value reads as an empty mapping. `present` tells whether
    /// the field was there at all (even as null).
    #[derive(Debug)]
    pub(crate) struct Map<'a, V> {
        pub entries: Vec<(Cow<'a, str>, V)>,
        pub present: bool,
    }

    impl<V> Default for Map<'_, V> {
        fn default() -> Self {
            Map {
                entries: Vec::new(),
                present: false,
            }
        }
    }

    impl<'a, V> Map<'a, V> {
        pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
            self.entries.iter().map(|(k, v)| (k.as_ref(), v))
        }
    }

    impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Map<'a, V> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct MapVisitor<V>(PhantomData<V>);
            impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
                type Value = Map<'de, V>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a mapping")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                    while let Some((Key(k), v)) = map.next_entry::<Key<'de>, V>()? {
                        entries.push((k, v));
                    }
                    // Keys are unique (the YAML reader rejects duplicates); the sort is stable anyway.
                    if !entries.is_sorted_by(|a: &(Cow<str>, V), b| a.0 <= b.0) {
                        entries.sort_by(|a, b| a.0.cmp(&b.0));
                    }
                    Ok(Map {
                        entries,
                        present: true,
                    })
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                    drain_seq(seq)?;
                    Ok(Map {
                        entries: Vec::new(),
                        present: true,
                    })
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                    d.deserialize_any(self)
                }
                fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(Map {
                        entries: Vec::new(),
                        present: true,
                    })
                }
                scalars_read_as_none!();
            }
            d.deserialize_any(MapVisitor(PhantomData))
        }
    }

    /// A record read with `T`'s own rules when the value is a mapping; any other value
    /// reads as `T::default()`.
    #[derive(Debug, Default)]
    pub(crate) struct Lenient<T>(pub T);

    impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Lenient<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct LV<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for LV<T> {
                type Value = Lenient<T>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a mapping")
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                    T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Lenient)
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                    drain_seq(seq)?;
                    Ok(Lenient(T::default()))
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                    d.deserialize_any(self)
                }
                fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(Lenient(T::default()))
                }
                scalars_read_as_none!();
            }
            d.deserialize_any(LV(PhantomData))
        }
    }
}
