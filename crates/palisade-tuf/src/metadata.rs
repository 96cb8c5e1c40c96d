//! The TUF metadata model: parsing of the four top-level roles and delegated targets
//! roles from untrusted bytes, and signature-threshold checks.

use std::collections::{BTreeMap, BTreeSet};

use palisade_cjson::Value;
use palisade_keys::PublicKey;
use sha2::Digest;

use crate::TufError;

/// Most signatures read from one metadata file.
pub const MAX_SIGNATURES: usize = 1024;

/// Which kind of metadata a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleType {
    /// `root`
    Root,
    /// `timestamp`
    Timestamp,
    /// `snapshot`
    Snapshot,
    /// `targets` (top-level or delegated)
    Targets,
}

impl RoleType {
    /// The `_type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::Root => "root",
            RoleType::Timestamp => "timestamp",
            RoleType::Snapshot => "snapshot",
            RoleType::Targets => "targets",
        }
    }
}

/// A key id list with its threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleKeys {
    /// Key ids allowed to sign (no duplicates).
    pub keyids: Vec<String>,
    /// Distinct valid signatures needed (≥ 1).
    pub threshold: u64,
}

/// `signed` of a root.
#[derive(Debug, Clone)]
pub struct Root {
    /// Whether files are published under versioned / hash-prefixed names.
    pub consistent_snapshot: bool,
    /// Keys by key id, as listed.
    pub keys: BTreeMap<String, PublicKey>,
    /// The four top-level roles.
    pub roles: BTreeMap<String, RoleKeys>,
}

/// One entry of timestamp's or snapshot's `meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaFile {
    /// Version of the listed file.
    pub version: u64,
    /// Its length, when given.
    pub length: Option<u64>,
    /// Its hashes by algorithm, when given.
    pub hashes: BTreeMap<String, String>,
}

/// One entry of a targets role's `targets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFile {
    /// Length in bytes.
    pub length: u64,
    /// Hashes by algorithm (at least one).
    pub hashes: BTreeMap<String, String>,
    /// The `custom` object, if any.
    pub custom: Option<Value>,
}

/// What a delegated role is trusted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatch {
    /// Shell-style patterns, matched per `/`-separated component.
    Paths(Vec<String>),
    /// Hex prefixes of the sha256 of the target path.
    HashPrefixes(Vec<String>),
}

/// A delegated role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegatedRole {
    /// Role name.
    pub name: String,
    /// Keys and threshold.
    pub keys: RoleKeys,
    /// Whether the search stops after this role.
    pub terminating: bool,
    /// Which target paths it is trusted for.
    pub paths: PathMatch,
}

/// Succinct hash-bin delegations (TAP 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccinctRoles {
    /// Keys and threshold shared by every bin.
    pub keys: RoleKeys,
    /// Bits of the sha256 of the path that pick the bin (1..=32).
    pub bit_length: u32,
    /// Bin names are `PREFIX-HEX`.
    pub name_prefix: String,
}

impl SuccinctRoles {
    /// The bin role trusted for `target`.
    pub fn role_for(&self, target: &str) -> String {
        let h = sha2::Sha256::digest(target.as_bytes());
        let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let bin = if self.bit_length >= 32 {
            n
        } else {
            n >> (32 - self.bit_length)
        };
        let bins: u64 = 1u64 << self.bit_length;
        let width = format!("{:x}", bins - 1).len();
        format!("{}-{:0width$x}", self.name_prefix, bin, width = width)
    }

    /// Whether `name` is one of the bins.
    pub fn is_bin(&self, name: &str) -> bool {
        let bins: u64 = 1u64 << self.bit_length;
        let width = format!("{:x}", bins - 1).len();
        let Some(suffix) = name
            .strip_prefix(self.name_prefix.as_str())
            .and_then(|s| s.strip_prefix('-'))
        else {
            return false;
        };
        suffix.len() == width
            && suffix
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && u64::from_str_radix(suffix, 16).is_ok_and(|n| n < bins)
    }
}

/// The delegations of a targets role.
#[derive(Debug, Clone)]
pub struct Delegations {
    /// Keys by key id.
    pub keys: BTreeMap<String, PublicKey>,
    /// Roles, in order.
    pub roles: Vec<DelegatedRole>,
    /// Or succinct hash bins.
    pub succinct: Option<SuccinctRoles>,
}

impl Delegations {
    /// The roles trusted for `target`, in order, with their terminating flag.
    pub fn roles_for_target(&self, target: &str) -> Vec<(String, bool)> {
        if let Some(s) = &self.succinct {
            return vec![(s.role_for(target), true)];
        }
        self.roles
            .iter()
            .filter(|r| is_delegated_path(&r.paths, target))
            .map(|r| (r.name.clone(), r.terminating))
            .collect()
    }

    /// Keys and threshold of the delegated role `name`.
    pub fn role_keys(&self, name: &str) -> Option<&RoleKeys> {
        if let Some(s) = &self.succinct {
            return s.is_bin(name).then_some(&s.keys);
        }
        self.roles.iter().find(|r| r.name == name).map(|r| &r.keys)
    }
}

/// Whether a delegation with these paths covers `target`.
pub fn is_delegated_path(paths: &PathMatch, target: &str) -> bool {
    match paths {
        PathMatch::Paths(patterns) => patterns.iter().any(|p| path_matches(p, target)),
        PathMatch::HashPrefixes(prefixes) => {
            let h = hex::encode(sha2::Sha256::digest(target.as_bytes()));
            prefixes.iter().any(|p| h.starts_with(p.as_str()))
        }
    }
}

/// `fnmatch` matching (Python's, from `palisade-intoto`) per `/`-separated component:
/// `*` and `?` never cross `/`; case-sensitive; `[seq]` and `[!seq]` classes.
pub fn path_matches(pattern: &str, target: &str) -> bool {
    pattern.split('/').count() == target.split('/').count()
        && pattern
            .split('/')
            .zip(target.split('/'))
            .all(|(p, t)| palisade_intoto::pattern::Pattern::new(p).matches(t))
}

/// A parsed metadata file: its `signed` (canonical bytes and fields) and signatures.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The role type.
    pub role_type: RoleType,
    /// `version`.
    pub version: u64,
    /// `expires`, seconds since the epoch.
    pub expires: i64,
    /// `expires` as written.
    pub expires_text: String,
    /// Canonical JSON of `signed` (what signatures cover).
    pub canonical_signed: Vec<u8>,
    /// Signatures: (key id, raw signature).
    pub signatures: Vec<(String, Vec<u8>)>,
    /// The role-specific content.
    pub body: Body,
}

/// Role-specific content.
#[derive(Debug, Clone)]
pub enum Body {
    /// A root.
    Root(Root),
    /// timestamp or snapshot: their `meta`.
    Meta(BTreeMap<String, MetaFile>),
    /// targets: targets and delegations.
    Targets {
        /// Target files by path.
        targets: BTreeMap<String, TargetFile>,
        /// Delegations, if any.
        delegations: Option<Delegations>,
    },
}

fn bad(file: &str, msg: impl Into<String>) -> TufError {
    TufError::Malformed {
        file: file.to_string(),
        message: msg.into(),
    }
}

fn obj<'a>(v: &'a Value, file: &str, what: &str) -> Result<&'a BTreeMap<String, Value>, TufError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(bad(file, format!("{what} is not an object"))),
    }
}

fn str_field<'a>(v: &'a Value, key: &str, file: &str, at: &str) -> Result<&'a str, TufError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(file, format!("{at}.{key} is missing or not a string")))
}

fn uint(v: &Value, file: &str, at: &str) -> Result<u64, TufError> {
    match v {
        Value::Int(d) => d
            .parse::<u64>()
            .map_err(|_| bad(file, format!("{at} is not an integer from 0 to 2^64-1"))),
        _ => Err(bad(file, format!("{at} is not an integer"))),
    }
}

fn uint_field(v: &Value, key: &str, file: &str, at: &str) -> Result<u64, TufError> {
    let x = v
        .get(key)
        .ok_or_else(|| bad(file, format!("{at}.{key} is missing")))?;
    uint(x, file, &format!("{at}.{key}"))
}

fn hashes(v: &Value, file: &str, at: &str) -> Result<BTreeMap<String, String>, TufError> {
    let m = obj(v, file, at)?;
    let mut out = BTreeMap::new();
    for (k, h) in m {
        let s = h
            .as_str()
            .ok_or_else(|| bad(file, format!("{at}.{k} is not a string")))?;
        out.insert(k.clone(), s.to_string());
    }
    Ok(out)
}

fn keys_map(v: &Value, file: &str, at: &str) -> Result<BTreeMap<String, PublicKey>, TufError> {
    let m = obj(v, file, at)?;
    let mut out = BTreeMap::new();
    for (id, k) in m {
        // A key of an unknown type or scheme cannot sign: it is left out, not an error
        // (the spec lets clients ignore what they cannot use).
        if let Ok(pk) = PublicKey::from_sslib_value(k) {
            out.insert(id.clone(), pk);
        } else {
            obj(k, file, &format!("{at}.{id}"))?;
        }
    }
    Ok(out)
}

fn role_keys(v: &Value, file: &str, at: &str) -> Result<RoleKeys, TufError> {
    let ids = match v.get("keyids") {
        Some(Value::Array(a)) => a,
        _ => return Err(bad(file, format!("{at}.keyids is missing or not an array"))),
    };
    let mut keyids = Vec::with_capacity(ids.len());
    let mut seen = BTreeSet::new();
    for id in ids {
        let s = id
            .as_str()
            .ok_or_else(|| bad(file, format!("{at}.keyids holds a non-string")))?;
        if !seen.insert(s) {
            return Err(bad(file, format!("{at}.keyids lists {s} twice")));
        }
        keyids.push(s.to_string());
    }
    let threshold = uint_field(v, "threshold", file, at)?;
    if threshold < 1 {
        return Err(bad(file, format!("{at}.threshold must be at least 1")));
    }
    Ok(RoleKeys { keyids, threshold })
}

fn meta_file(v: &Value, file: &str, at: &str) -> Result<MetaFile, TufError> {
    let version = uint_field(v, "version", file, at)?;
    if version < 1 {
        return Err(bad(file, format!("{at}.version must be at least 1")));
    }
    let length = match v.get("length") {
        Some(l) => Some(uint(l, file, &format!("{at}.length"))?),
        None => None,
    };
    let hashes = match v.get("hashes") {
        Some(h) => {
            let h = hashes(h, file, &format!("{at}.hashes"))?;
            if h.is_empty() {
                return Err(bad(file, format!("{at}.hashes is empty")));
            }
            h
        }
        None => BTreeMap::new(),
    };
    Ok(MetaFile {
        version,
        length,
        hashes,
    })
}

fn delegations(v: &Value, file: &str) -> Result<Delegations, TufError> {
    let at = "signed.delegations";
    let keys = keys_map(
        v.get("keys")
            .ok_or_else(|| bad(file, format!("{at}.keys is missing")))?,
        file,
        &format!("{at}.keys"),
    )?;
    let mut roles = Vec::new();
    let mut succinct = None;
    match (v.get("roles"), v.get("succinct_roles")) {
        (Some(Value::Array(a)), None) => {
            let mut names = BTreeSet::new();
            for (i, r) in a.iter().enumerate() {
                let rat = format!("{at}.roles[{i}]");
                let name = str_field(r, "name", file, &rat)?;
                if !names.insert(name.to_string()) {
                    return Err(bad(file, format!("{at}.roles names {name} twice")));
                }
                let terminating = match r.get("terminating") {
                    Some(Value::Bool(b)) => *b,
                    _ => return Err(bad(file, format!("{rat}.terminating is not a boolean"))),
                };
                let list = |key: &str| -> Result<Option<Vec<String>>, TufError> {
                    match r.get(key) {
                        None => Ok(None),
                        Some(Value::Array(a)) => a
                            .iter()
                            .map(|x| {
                                x.as_str().map(str::to_string).ok_or_else(|| {
                                    bad(file, format!("{rat}.{key} holds a non-string"))
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map(Some),
                        Some(_) => Err(bad(file, format!("{rat}.{key} is not an array"))),
                    }
                };
                let paths = match (list("paths")?, list("path_hash_prefixes")?) {
                    (Some(p), None) => PathMatch::Paths(p),
                    (None, Some(p)) => PathMatch::HashPrefixes(p),
                    _ => {
                        return Err(bad(
                            file,
                            format!("{rat} needs exactly one of paths and path_hash_prefixes"),
                        ));
                    }
                };
                roles.push(DelegatedRole {
                    name: name.to_string(),
                    keys: role_keys(r, file, &rat)?,
                    terminating,
                    paths,
                });
            }
        }
        (None, Some(s)) => {
            let sat = format!("{at}.succinct_roles");
            let bits = uint_field(s, "bit_length", file, &sat)?;
            if !(1..=32).contains(&bits) {
                return Err(bad(file, format!("{sat}.bit_length must be 1..32")));
            }
            succinct = Some(SuccinctRoles {
                keys: role_keys(s, file, &sat)?,
                bit_length: bits as u32,
                name_prefix: str_field(s, "name_prefix", file, &sat)?.to_string(),
            });
        }
        _ => {
            return Err(bad(
                file,
                format!("{at} needs exactly one of roles and succinct_roles"),
            ));
        }
    }
    Ok(Delegations {
        keys,
        roles,
        succinct,
    })
}

impl Metadata {
    /// Parses metadata bytes. `file` names the file in errors; `expected` is the role type
    /// the caller asked for.
    pub fn parse(bytes: &[u8], expected: RoleType, file: &str) -> Result<Metadata, TufError> {
        let v = palisade_cjson::parse(bytes).map_err(|e| bad(file, e.to_string()))?;
        let signed = v
            .get("signed")
            .ok_or_else(|| bad(file, "no 'signed' object"))?;
        obj(signed, file, "signed")?;
        let sigs = match v.get("signatures") {
            Some(Value::Array(a)) => a,
            _ => return Err(bad(file, "'signatures' is missing or not an array")),
        };
        if sigs.len() > MAX_SIGNATURES {
            return Err(bad(file, "too many signatures"));
        }
        let mut signatures = Vec::with_capacity(sigs.len());
        let mut seen = BTreeSet::new();
        for (i, s) in sigs.iter().enumerate() {
            let at = format!("signatures[{i}]");
            let keyid = str_field(s, "keyid", file, &at)?;
            let sig = str_field(s, "sig", file, &at)?;
            if !seen.insert(keyid.to_string()) {
                return Err(bad(file, format!("two signatures by key {keyid}")));
            }
            // An undecodable signature counts as no signature, like a wrong one.
            signatures.push((keyid.to_string(), hex::decode(sig).unwrap_or_default()));
        }
        let ty = str_field(signed, "_type", file, "signed")?;
        if ty != expected.as_str() {
            return Err(bad(
                file,
                format!("_type is '{ty}', expected '{}'", expected.as_str()),
            ));
        }
        let spec = str_field(signed, "spec_version", file, "signed")?;
        let mut parts = spec.split('.');
        let major_ok = parts.next() == Some("1");
        let rest: Vec<&str> = parts.collect();
        if !major_ok
            || !(1..=2).contains(&rest.len())
            || rest
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad(file, format!("unsupported spec_version '{spec}'")));
        }
        let version = uint_field(signed, "version", file, "signed")?;
        if version < 1 {
            return Err(bad(file, "signed.version must be at least 1"));
        }
        let expires_text = str_field(signed, "expires", file, "signed")?.to_string();
        let expires = palisade_intoto::time::parse_utc(&expires_text)
            .map_err(|e| bad(file, format!("signed.expires: {e}")))?;
        let body = match expected {
            RoleType::Root => {
                let consistent_snapshot = match signed.get("consistent_snapshot") {
                    Some(Value::Bool(b)) => *b,
                    None => false,
                    Some(_) => {
                        return Err(bad(file, "signed.consistent_snapshot is not a boolean"));
                    }
                };
                let keys = keys_map(
                    signed
                        .get("keys")
                        .ok_or_else(|| bad(file, "signed.keys is missing"))?,
                    file,
                    "signed.keys",
                )?;
                let rm = obj(
                    signed
                        .get("roles")
                        .ok_or_else(|| bad(file, "signed.roles is missing"))?,
                    file,
                    "signed.roles",
                )?;
                let mut roles = BTreeMap::new();
                for name in ["root", "timestamp", "snapshot", "targets"] {
                    let r = rm
                        .get(name)
                        .ok_or_else(|| bad(file, format!("signed.roles.{name} is missing")))?;
                    roles.insert(
                        name.to_string(),
                        role_keys(r, file, &format!("signed.roles.{name}"))?,
                    );
                }
                Body::Root(Root {
                    consistent_snapshot,
                    keys,
                    roles,
                })
            }
            RoleType::Timestamp | RoleType::Snapshot => {
                let m = obj(
                    signed
                        .get("meta")
                        .ok_or_else(|| bad(file, "signed.meta is missing"))?,
                    file,
                    "signed.meta",
                )?;
                let mut meta = BTreeMap::new();
                for (k, e) in m {
                    meta.insert(k.clone(), meta_file(e, file, &format!("signed.meta.{k}"))?);
                }
                if expected == RoleType::Timestamp
                    && (meta.len() != 1 || !meta.contains_key("snapshot.json"))
                {
                    return Err(bad(file, "timestamp meta must list only snapshot.json"));
                }
                Body::Meta(meta)
            }
            RoleType::Targets => {
                let m = obj(
                    signed
                        .get("targets")
                        .ok_or_else(|| bad(file, "signed.targets is missing"))?,
                    file,
                    "signed.targets",
                )?;
                let mut targets = BTreeMap::new();
                for (path, t) in m {
                    let at = format!("signed.targets[{path:?}]");
                    let length = uint_field(t, "length", file, &at)?;
                    let h = hashes(
                        t.get("hashes")
                            .ok_or_else(|| bad(file, format!("{at}.hashes is missing")))?,
                        file,
                        &format!("{at}.hashes"),
                    )?;
                    if h.is_empty() {
                        return Err(bad(file, format!("{at}.hashes is empty")));
                    }
                    targets.insert(
                        path.clone(),
                        TargetFile {
                            length,
                            hashes: h,
                            custom: t.get("custom").cloned(),
                        },
                    );
                }
                let delegations = match signed.get("delegations") {
                    Some(d) => Some(delegations(d, file)?),
                    None => None,
                };
                Body::Targets {
                    targets,
                    delegations,
                }
            }
        };
        Ok(Metadata {
            role_type: expected,
            version,
            expires,
            expires_text,
            canonical_signed: palisade_cjson::encode(signed),
            signatures,
            body,
        })
    }

    /// Whether the metadata has expired at `now` (seconds since the epoch): TUF treats
    /// `now >= expires` as expired.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires
    }

    /// The root content, if this is a root.
    pub fn root(&self) -> Option<&Root> {
        match &self.body {
            Body::Root(r) => Some(r),
            _ => None,
        }
    }

    /// The `meta` of a timestamp or snapshot.
    pub fn meta(&self) -> Option<&BTreeMap<String, MetaFile>> {
        match &self.body {
            Body::Meta(m) => Some(m),
            _ => None,
        }
    }

    /// Targets and delegations of a targets role.
    pub fn targets(&self) -> Option<(&BTreeMap<String, TargetFile>, Option<&Delegations>)> {
        match &self.body {
            Body::Targets {
                targets,
                delegations,
            } => Some((targets, delegations.as_ref())),
            _ => None,
        }
    }

    /// Checks that at least `role.threshold` distinct keys of `role.keyids`, found in
    /// `keys`, signed the canonical `signed`. Unknown key ids are ignored.
    pub fn verify_threshold(
        &self,
        keys: &BTreeMap<String, PublicKey>,
        role: &RoleKeys,
        role_name: &str,
        file: &str,
    ) -> Result<(), TufError> {
        let mut good = BTreeSet::new();
        for (keyid, sig) in &self.signatures {
            if !role.keyids.iter().any(|k| k == keyid) {
                continue;
            }
            let Some(key) = keys.get(keyid) else { continue };
            if key.verify(&self.canonical_signed, sig).is_ok() {
                good.insert(keyid.as_str());
            }
        }
        if (good.len() as u64) < role.threshold {
            return Err(TufError::Threshold {
                file: file.to_string(),
                role: role_name.to_string(),
                have: good.len() as u64,
                need: role.threshold,
            });
        }
        Ok(())
    }
}

impl Root {
    /// Verifies `md` as the top-level role `role` of this root.
    pub fn verify(&self, md: &Metadata, role: &str, file: &str) -> Result<(), TufError> {
        let rk = self
            .roles
            .get(role)
            .ok_or_else(|| bad(file, format!("root has no role {role}")))?;
        md.verify_threshold(&self.keys, rk, role, file)
    }
}

/// Checks `data` against the expected length and every listed hash. Unknown hash
/// algorithms are an error (nothing could be checked with them).
pub fn check_hashes(
    data: &[u8],
    length: Option<u64>,
    hashes: &BTreeMap<String, String>,
    file: &str,
) -> Result<(), TufError> {
    if let Some(l) = length
        && data.len() as u64 != l
    {
        return Err(TufError::LengthMismatch {
            file: file.to_string(),
            expected: l,
            got: data.len() as u64,
        });
    }
    for (alg, want) in hashes {
        let got = digest_hex(alg, data).ok_or_else(|| TufError::HashMismatch {
            file: file.to_string(),
            algorithm: alg.clone(),
        })?;
        if !got.eq_ignore_ascii_case(want) {
            return Err(TufError::HashMismatch {
                file: file.to_string(),
                algorithm: alg.clone(),
            });
        }
    }
    Ok(())
}

/// The hex digest of `data` with `alg` (`sha224`, `sha256`, `sha384`, `sha512`,
/// `sha512_224`, `sha512_256`); None for an unknown algorithm.
pub fn digest_hex(alg: &str, data: &[u8]) -> Option<String> {
    Some(match alg {
        "sha224" => hex::encode(sha2::Sha224::digest(data)),
        "sha256" => hex::encode(sha2::Sha256::digest(data)),
        "sha384" => hex::encode(sha2::Sha384::digest(data)),
        "sha512" => hex::encode(sha2::Sha512::digest(data)),
        "sha512_224" => hex::encode(sha2::Sha512_224::digest(data)),
        "sha512_256" => hex::encode(sha2::Sha512_256::digest(data)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_components() {
        assert!(path_matches("*.txt", "a.txt"));
        assert!(!path_matches("*.txt", "d/a.txt"));
        assert!(path_matches("d/*", "d/a.txt"));
        assert!(path_matches("f?le[0-9].txt", "file1.txt"));
        assert!(!path_matches("f?le[!0-9].txt", "file1.txt"));
        assert!(!path_matches("A*", "abc"));
        assert!(path_matches("*", "anything"));
        assert!(path_matches("a*b*c", "axxbyyc"));
    }

    /// Bin names as python-tuf 7.0.1's `SuccinctRoles.get_role_for_target` gives them.
    #[test]
    fn succinct_bins_match_python_tuf() {
        let cases: [(u32, [&str; 3]); 4] = [
            (1, ["bin-1", "bin-0", "bin-1"]),
            (8, ["bin-aa", "bin-7a", "bin-e3"]),
            (13, ["bin-155b", "bin-0f4e", "bin-1c76"]),
            (32, ["bin-aadf327c", "bin-7a77193c", "bin-e3b0c442"]),
        ];
        for (bits, want) in cases {
            let s = SuccinctRoles {
                keys: RoleKeys {
                    keyids: vec![],
                    threshold: 1,
                },
                bit_length: bits,
                name_prefix: "bin".into(),
            };
            for (path, w) in ["file.txt", "a/b/c.tar.gz", ""].iter().zip(want) {
                assert_eq!(s.role_for(path), w, "{bits} {path}");
                assert!(s.is_bin(w));
            }
        }
    }

    /// `DelegatedRole.is_delegated_path` answers of python-tuf 7.0.1.
    #[test]
    fn delegated_paths_match_python_tuf() {
        let p = PathMatch::Paths(vec!["a/*.txt".into(), "[!x]?z".into()]);
        let got: Vec<bool> = ["a/b.txt", "a/b/c.txt", "yaz", "xaz", "A/b.txt"]
            .iter()
            .map(|t| is_delegated_path(&p, t))
            .collect();
        assert_eq!(got, [true, false, true, false, false]);
        let h = PathMatch::HashPrefixes(vec!["aa".into()]);
        assert!(is_delegated_path(&h, "file.txt"));
        assert!(!is_delegated_path(&h, "a/b/c.tar.gz"));
    }
}
