//! The repository side: a TUF repository in a folder (`metadata/`, `targets/`) with
//! consistent snapshots, built and re-signed from the keys a caller holds.
//!
//! State is the published metadata itself: the highest `N.root.json`, `N.targets.json`,
//! `N.snapshot.json` and `timestamp.json` in `metadata/`. Every write is atomic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_keys::{PrivateKey, PublicKey};
use serde_json::{Value, json};

use crate::TufError;

/// Largest metadata file the repository reads back.
const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Keys and thresholds for a new root.
#[derive(Debug, Clone)]
pub struct RootSpec {
    /// Public keys per top-level role (`root`, `targets`, `snapshot`, `timestamp`).
    pub keys: BTreeMap<String, Vec<PublicKey>>,
    /// Threshold per role (default 1).
    pub thresholds: BTreeMap<String, u64>,
    /// Expiry per role, seconds since the epoch.
    pub expires: BTreeMap<String, i64>,
}

/// The four top-level roles.
pub const TOP_ROLES: [&str; 4] = ["root", "targets", "snapshot", "timestamp"];

fn io(e: impl std::fmt::Display) -> TufError {
    TufError::Io(e.to_string())
}

fn bad(file: &str, m: impl Into<String>) -> TufError {
    TufError::Malformed {
        file: file.to_string(),
        message: m.into(),
    }
}

/// Canonical bytes of a JSON value.
fn canonical(v: &Value, file: &str) -> Result<Vec<u8>, TufError> {
    palisade_cjson::from_serde_json(v)
        .map(|c| palisade_cjson::encode(&c))
        .map_err(|e| bad(file, e.to_string()))
}

/// Adds signatures by `keys` to a metadata document (replacing earlier signatures by the
/// same key). Returns the new document bytes (pretty JSON).
pub fn sign_document(bytes: &[u8], keys: &[&PrivateKey], file: &str) -> Result<Vec<u8>, TufError> {
    let mut doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(file, e.to_string()))?;
    let signed = doc
        .get("signed")
        .cloned()
        .ok_or_else(|| bad(file, "no 'signed'"))?;
    let msg = canonical(&signed, file)?;
    let mut sigs: Vec<Value> = match doc.get("signatures") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for k in keys {
        let id = k.public_key().keyid().to_string();
        let sig = k.sign(&msg).map_err(|e| bad(file, e.to_string()))?;
        sigs.retain(|s| s.get("keyid").and_then(Value::as_str) != Some(id.as_str()));
        sigs.push(json!({"keyid": id, "sig": hex::encode(sig)}));
    }
    sigs.sort_by(|a, b| {
        a.get("keyid")
            .and_then(Value::as_str)
            .cmp(&b.get("keyid").and_then(Value::as_str))
    });
    doc["signatures"] = Value::Array(sigs);
    // Written as plain JSON (control characters escaped, so any JSON reader takes it);
    // the signatures cover the canonical form of `signed`.
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| bad(file, e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// A `succinct_roles` object, if it is one.
fn succinct(v: &Value) -> Option<crate::metadata::SuccinctRoles> {
    let bits = v["bit_length"].as_u64().filter(|b| (1..=32).contains(b))?;
    Some(crate::metadata::SuccinctRoles {
        keys: crate::metadata::RoleKeys {
            keyids: keyids_of(v),
            threshold: v["threshold"].as_u64().unwrap_or(1),
        },
        bit_length: bits as u32,
        name_prefix: v["name_prefix"].as_str()?.to_string(),
    })
}

/// The `keyids` of a role entry.
fn keyids_of(role: &Value) -> Vec<String> {
    role["keyids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Changes a top-level role of a root's `signed`: adds keys, removes key ids, sets the
/// threshold. A role left with fewer keys than its threshold is an error.
pub fn change_role(
    root: &mut Value,
    role: &str,
    add: &[PublicKey],
    remove: &[String],
    threshold: Option<u64>,
) -> Result<(), TufError> {
    let mut ids = keyids_of(&root["roles"][role]);
    ids.retain(|i| !remove.contains(i));
    for k in add {
        let v = k
            .to_sslib_value()
            .to_serde_json()
            .map_err(|e| bad("root.json", e.to_string()))?;
        root["keys"][k.keyid()] = v;
        ids.push(k.keyid().to_string());
    }
    ids.sort();
    ids.dedup();
    let t = threshold
        .or_else(|| root["roles"][role]["threshold"].as_u64())
        .unwrap_or(1);
    if t == 0 || (ids.len() as u64) < t {
        return Err(bad(
            "root.json",
            format!(
                "role {role} would have {} key(s) for threshold {t}",
                ids.len()
            ),
        ));
    }
    root["roles"][role] = json!({"keyids": ids, "threshold": t});
    Ok(())
}

/// A repository folder.
#[derive(Debug)]
pub struct Repository {
    dir: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(io)?;
    }
    crate::client::write(path, bytes)
}

fn utc(t: i64) -> String {
    palisade_intoto::time::format_utc(t)
}

impl Repository {
    /// A repository in `dir` (its `metadata/` and `targets/` folders).
    pub fn open(dir: &Path) -> Repository {
        Repository {
            dir: dir.to_path_buf(),
        }
    }

    fn md(&self, name: &str) -> PathBuf {
        self.dir.join("metadata").join(name)
    }

    /// Creates `metadata/1.root.json` (signed by whichever of `keys` are root keys; with
    /// none it is unsigned, for signing elsewhere with `sign_document`) and empty
    /// targets, snapshot and timestamp when their keys are at hand.
    pub fn init(&self, spec: &RootSpec, keys: &[PrivateKey]) -> Result<(), TufError> {
        if self.md("1.root.json").exists() {
            return Err(TufError::Io(format!(
                "{}: already exists",
                self.md("1.root.json").display()
            )));
        }
        let mut all = serde_json::Map::new();
        let mut roles = serde_json::Map::new();
        for role in TOP_ROLES {
            let ks = spec.keys.get(role).cloned().unwrap_or_default();
            if ks.is_empty() {
                return Err(bad("1.root.json", format!("no key for role {role}")));
            }
            let mut ids: Vec<String> = ks.iter().map(|k| k.keyid().to_string()).collect();
            ids.sort();
            ids.dedup();
            for k in &ks {
                let v = k
                    .to_sslib_value()
                    .to_serde_json()
                    .map_err(|e| bad("1.root.json", e.to_string()))?;
                all.insert(k.keyid().to_string(), v);
            }
            let threshold = spec.thresholds.get(role).copied().unwrap_or(1);
            roles.insert(role.into(), json!({"keyids": ids, "threshold": threshold}));
        }
        let expires = |r: &str| spec.expires.get(r).copied().unwrap_or(0);
        let root = json!({
            "_type": "root",
            "spec_version": "1.0.31",
            "version": 1,
            "expires": utc(expires("root")),
            "consistent_snapshot": true,
            "keys": all,
            "roles": roles,
        });
        let doc = json!({"signed": root, "signatures": []});
        let bytes = serde_json::to_vec(&doc).map_err(|e| bad("1.root.json", e.to_string()))?;
        let bytes = sign_document(&bytes, &self.keys_for("root", &root, keys), "1.root.json")?;
        write(&self.md("1.root.json"), &bytes)?;
        let targets = json!({
            "_type": "targets", "spec_version": "1.0.31", "version": 1,
            "expires": utc(expires("targets")), "targets": {},
        });
        self.store(
            "1.targets.json",
            &targets,
            &self.keys_for("targets", &root, keys),
        )?;
        self.snapshot_and_timestamp(keys, expires("snapshot"), expires("timestamp"))
    }

    /// The keys of `keys` that `root` lists for `role`.
    fn keys_for<'k>(
        &self,
        role: &str,
        root: &Value,
        keys: &'k [PrivateKey],
    ) -> Vec<&'k PrivateKey> {
        let ids: Vec<&str> = root["roles"][role]["keyids"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        keys.iter()
            .filter(|k| ids.contains(&k.public_key().keyid()))
            .collect()
    }

    fn store(&self, name: &str, signed: &Value, keys: &[&PrivateKey]) -> Result<(), TufError> {
        let doc = json!({"signed": signed, "signatures": []});
        let plain = serde_json::to_vec(&doc).map_err(|e| bad(name, e.to_string()))?;
        let bytes = sign_document(&plain, keys, name)?;
        write(&self.md(name), &bytes)
    }

    /// The highest published version of `role` (0 when none), and its document.
    fn latest(&self, role: &str) -> Result<(u64, Option<Value>), TufError> {
        let mut best = 0u64;
        let suffix = format!(".{role}.json");
        let dir = self.dir.join("metadata");
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if let Some(v) = n.strip_suffix(&suffix).and_then(|v| v.parse::<u64>().ok()) {
                    best = best.max(v);
                }
            }
        }
        if best == 0 {
            return Ok((0, None));
        }
        let name = format!("{best}{suffix}");
        let b = palisade_io::read_limited(&self.md(&name), READ_LIMIT).map_err(io)?;
        let v = serde_json::from_slice(&b).map_err(|e| bad(&name, e.to_string()))?;
        Ok((best, Some(v)))
    }

    fn root(&self) -> Result<Value, TufError> {
        match self.latest("root")? {
            (_, Some(v)) => Ok(v["signed"].clone()),
            _ => Err(TufError::Io("no root: run init first".into())),
        }
    }

    /// Adds (or replaces) a target: stores its bytes under `targets/DIR/HASH.NAME` for
    /// sha256 and sha512, lists it in a new targets version, and republishes.
    pub fn add_target(
        &self,
        role: &str,
        path: &str,
        data: &[u8],
        custom: Option<Value>,
        keys: &[PrivateKey],
        expires: (i64, i64, i64),
    ) -> Result<(), TufError> {
        if path.is_empty()
            || path.starts_with('/')
            || path.split('/').any(|c| c == ".." || c.is_empty())
        {
            return Err(bad(
                path,
                "target paths are relative, without empty or '..' parts",
            ));
        }
        let sha256 = palisade_keys::sha256_hex(data);
        let sha512 = palisade_keys::sha512_hex(data);
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        for h in [&sha256, &sha512] {
            let rel = if dir.is_empty() {
                format!("{h}.{name}")
            } else {
                format!("{dir}/{h}.{name}")
            };
            write(&self.dir.join("targets").join(rel), data)?;
        }
        let mut entry =
            json!({"length": data.len(), "hashes": {"sha256": sha256, "sha512": sha512}});
        if let Some(c) = custom {
            entry["custom"] = c;
        }
        let bin = self.resolve_bin(role, path)?;
        let role = bin.as_deref().unwrap_or(role);
        self.edit_targets(role, keys, expires, |t| {
            t["targets"][path] = entry;
        })
    }

    /// Removes a target from a new targets version and republishes.
    pub fn remove_target(
        &self,
        role: &str,
        path: &str,
        keys: &[PrivateKey],
        expires: (i64, i64, i64),
    ) -> Result<(), TufError> {
        let mut found = false;
        self.edit_targets(role, keys, expires, |t| {
            if let Some(m) = t["targets"].as_object_mut() {
                found = m.remove(path).is_some();
            }
        })?;
        if !found {
            return Err(bad(path, "not a target of this repository"));
        }
        Ok(())
    }

    /// Role `role`'s key ids (from root for `targets`, else from its delegator).
    fn role_keyids(&self, role: &str) -> Result<Vec<String>, TufError> {
        let ids = keyids_of;
        if role == "targets" {
            return Ok(ids(&self.root()?["roles"]["targets"]));
        }
        for (name, _) in self.targets_roles()? {
            let (_, Some(doc)) = self.latest(&crate::client::quote(&name))? else {
                continue;
            };
            if let Some(roles) = doc["signed"]["delegations"]["roles"].as_array()
                && let Some(r) = roles.iter().find(|r| r["name"] == role)
            {
                return Ok(ids(r));
            }
            let sr = &doc["signed"]["delegations"]["succinct_roles"];
            if let Some(bins) = succinct(sr)
                && bins.is_bin(role)
            {
                return Ok(ids(sr));
            }
        }
        Err(bad(role, "no role delegates to this role"))
    }

    /// The bin role for `path` when `role` names a succinct delegation's prefix.
    fn resolve_bin(&self, role: &str, path: &str) -> Result<Option<String>, TufError> {
        for (name, _) in self.targets_roles()? {
            let (_, Some(doc)) = self.latest(&crate::client::quote(&name))? else {
                continue;
            };
            if let Some(bins) = succinct(&doc["signed"]["delegations"]["succinct_roles"])
                && bins.name_prefix == role
            {
                return Ok(Some(bins.role_for(path)));
            }
        }
        Ok(None)
    }

    /// Delegates every target path to `2^bits` hash-bin roles `PREFIX-HEX` (TAP 15
    /// succinct form), all with `keys_pub`; writes each bin's empty version 1 and
    /// republishes. At most 2^10 bins.
    #[allow(clippy::too_many_arguments)]
    pub fn delegate_succinct(
        &self,
        delegator: &str,
        prefix: &str,
        bits: u32,
        keys_pub: &[PublicKey],
        threshold: u64,
        keys: &[PrivateKey],
        expires: (i64, i64, i64),
    ) -> Result<(), TufError> {
        if !(1..=10).contains(&bits) || prefix.is_empty() {
            return Err(bad(
                prefix,
                "succinct bins need 1..10 bits and a name prefix",
            ));
        }
        let mut ids: Vec<String> = keys_pub.iter().map(|k| k.keyid().to_string()).collect();
        ids.sort();
        ids.dedup();
        let own: Vec<&PrivateKey> = keys
            .iter()
            .filter(|k| ids.iter().any(|i| i == k.public_key().keyid()))
            .collect();
        let width = format!("{:x}", (1u64 << bits) - 1).len();
        for n in 0..(1u64 << bits) {
            let name = format!("{prefix}-{n:0width$x}");
            let body = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1,
                "expires": utc(expires.0), "targets": {}});
            self.store(
                &format!("1.{}.json", crate::client::quote(&name)),
                &body,
                &own,
            )?;
        }
        let mut key_values = serde_json::Map::new();
        for k in keys_pub {
            let v = k
                .to_sslib_value()
                .to_serde_json()
                .map_err(|e| bad(prefix, e.to_string()))?;
            key_values.insert(k.keyid().to_string(), v);
        }
        self.edit_targets(delegator, keys, expires, |t| {
            t["delegations"] = json!({"keys": key_values, "succinct_roles": {
                "keyids": ids, "threshold": threshold, "bit_length": bits, "name_prefix": prefix}});
        })
    }

    /// Every targets role published (top-level and delegated) with its latest version.
    fn targets_roles(&self) -> Result<BTreeMap<String, u64>, TufError> {
        let mut out = BTreeMap::new();
        let dir = self.dir.join("metadata");
        let rd = std::fs::read_dir(&dir).map_err(io)?;
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            let Some((v, rest)) = n.split_once('.') else {
                continue;
            };
            let (Ok(v), Some(q)) = (v.parse::<u64>(), rest.strip_suffix(".json")) else {
                continue;
            };
            if ["root", "snapshot", "timestamp"].contains(&q) {
                continue;
            }
            let name = percent_encoding::percent_decode_str(q)
                .decode_utf8_lossy()
                .into_owned();
            let best = out.entry(name).or_insert(0);
            *best = (*best).max(v);
        }
        Ok(out)
    }

    fn edit_targets(
        &self,
        role: &str,
        keys: &[PrivateKey],
        (t_exp, s_exp, ts_exp): (i64, i64, i64),
        f: impl FnOnce(&mut Value),
    ) -> Result<(), TufError> {
        let q = crate::client::quote(role);
        let (v, doc) = self.latest(&q)?;
        let mut t = doc
            .map(|d| d["signed"].clone())
            .ok_or_else(|| TufError::Io(format!("no metadata for role {role}")))?;
        f(&mut t);
        t["version"] = json!(v + 1);
        t["expires"] = json!(utc(t_exp));
        let ids = self.role_keyids(role)?;
        let tk: Vec<&PrivateKey> = keys
            .iter()
            .filter(|k| ids.iter().any(|i| i == k.public_key().keyid()))
            .collect();
        if tk.is_empty() {
            return Err(TufError::Threshold {
                file: format!("{role}.json"),
                role: role.into(),
                have: 0,
                need: 1,
            });
        }
        self.store(&format!("{}.{q}.json", v + 1), &t, &tk)?;
        self.snapshot_and_timestamp(keys, s_exp, ts_exp)
    }

    /// Delegates `paths` (patterns or hash prefixes) from `delegator` to a new role
    /// `name` with `keys_pub` and `threshold`; writes its empty version 1 (signed by any
    /// of `keys` that are its keys) and republishes the delegator, snapshot, timestamp.
    #[allow(clippy::too_many_arguments)]
    pub fn delegate(
        &self,
        delegator: &str,
        name: &str,
        keys_pub: &[PublicKey],
        threshold: u64,
        paths: crate::metadata::PathMatch,
        terminating: bool,
        keys: &[PrivateKey],
        expires: (i64, i64, i64),
    ) -> Result<(), TufError> {
        if name.is_empty() || TOP_ROLES.contains(&name) {
            return Err(bad(name, "not a valid delegated role name"));
        }
        let mut ids: Vec<String> = keys_pub.iter().map(|k| k.keyid().to_string()).collect();
        ids.sort();
        ids.dedup();
        let mut role = json!({"name": name, "keyids": ids, "threshold": threshold,
            "terminating": terminating});
        match paths {
            crate::metadata::PathMatch::Paths(p) => role["paths"] = json!(p),
            crate::metadata::PathMatch::HashPrefixes(p) => role["path_hash_prefixes"] = json!(p),
        }
        let mut key_values = Vec::new();
        for k in keys_pub {
            let v = k
                .to_sslib_value()
                .to_serde_json()
                .map_err(|e| bad(name, e.to_string()))?;
            key_values.push((k.keyid().to_string(), v));
        }
        let own: Vec<&PrivateKey> = keys
            .iter()
            .filter(|k| ids.iter().any(|i| i == k.public_key().keyid()))
            .collect();
        let body = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1,
            "expires": utc(expires.0), "targets": {}});
        self.store(
            &format!("1.{}.json", crate::client::quote(name)),
            &body,
            &own,
        )?;
        self.edit_targets(delegator, keys, expires, |t| {
            if t.get("delegations").is_none() {
                t["delegations"] = json!({"keys": {}, "roles": []});
            }
            for (id, v) in key_values {
                t["delegations"]["keys"][id] = v;
            }
            if let Some(rs) = t["delegations"]["roles"].as_array_mut() {
                rs.retain(|r| r["name"] != name);
                rs.push(role);
            }
        })
    }

    /// Publishes root version N+1 with `change` applied, signed by every key of `keys`
    /// that the old or the new root lists for `root` (a rotation must meet both
    /// thresholds; sign more with `sign_document` if it does not yet).
    pub fn new_root(
        &self,
        keys: &[PrivateKey],
        expires: Option<i64>,
        change: impl FnOnce(&mut Value) -> Result<(), TufError>,
    ) -> Result<PathBuf, TufError> {
        let old = self.root()?;
        let mut new = old.clone();
        change(&mut new)?;
        let v = old["version"].as_u64().unwrap_or(0) + 1;
        new["version"] = json!(v);
        if let Some(e) = expires {
            new["expires"] = json!(utc(e));
        }
        // Keys no role uses any more are dropped.
        let used: Vec<String> = TOP_ROLES
            .iter()
            .flat_map(|r| {
                new["roles"][*r]["keyids"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        if let Some(m) = new["keys"].as_object_mut() {
            m.retain(|k, _| used.contains(k));
        }
        let mut signers = self.keys_for("root", &old, keys);
        for k in self.keys_for("root", &new, keys) {
            if !signers
                .iter()
                .any(|s| s.public_key().keyid() == k.public_key().keyid())
            {
                signers.push(k);
            }
        }
        let name = format!("{v}.root.json");
        self.store(&name, &new, &signers)?;
        Ok(self.md(&name))
    }

    /// Writes a new snapshot listing the latest targets version and a new timestamp
    /// (the `refresh` of a repository).
    pub fn snapshot_and_timestamp(
        &self,
        keys: &[PrivateKey],
        s_exp: i64,
        ts_exp: i64,
    ) -> Result<(), TufError> {
        let root = self.root()?;
        let roles = self.targets_roles()?;
        let (sv, _) = self.latest("snapshot")?;
        let sk = self.keys_for("snapshot", &root, keys);
        let tsk = self.keys_for("timestamp", &root, keys);
        if sk.is_empty() || tsk.is_empty() {
            // Without the online keys the caller signs later; nothing more to publish.
            return Ok(());
        }
        let snap = json!({
            "_type": "snapshot", "spec_version": "1.0.31", "version": sv + 1,
            "expires": utc(s_exp), "meta": {},
        });
        let mut snap = snap;
        for (role, v) in roles {
            snap["meta"][format!("{role}.json")] = json!({"version": v});
        }
        let name = format!("{}.snapshot.json", sv + 1);
        self.store(&name, &snap, &sk)?;
        let bytes = palisade_io::read_limited(&self.md(&name), READ_LIMIT).map_err(io)?;
        let prev = palisade_io::read_limited(&self.md("timestamp.json"), READ_LIMIT)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["signed"]["version"].as_u64())
            .unwrap_or(0);
        let ts = json!({
            "_type": "timestamp", "spec_version": "1.0.31", "version": prev + 1,
            "expires": utc(ts_exp),
            "meta": {"snapshot.json": {
                "version": sv + 1, "length": bytes.len(),
                "hashes": {"sha256": palisade_keys::sha256_hex(&bytes)},
            }},
        });
        self.store("timestamp.json", &ts, &tsk)
    }

    /// The `expires` of the latest published root, targets roles, snapshot and
    /// timestamp: (file, seconds since the epoch, as written).
    pub fn expiries(&self) -> Result<Vec<(String, i64, String)>, TufError> {
        let mut files: Vec<String> = Vec::new();
        for r in ["root", "snapshot"] {
            let (v, _) = self.latest(r)?;
            if v > 0 {
                files.push(format!("{v}.{r}.json"));
            }
        }
        for (role, v) in self.targets_roles()? {
            files.push(format!("{v}.{}.json", crate::client::quote(&role)));
        }
        if self.md("timestamp.json").exists() {
            files.push("timestamp.json".into());
        }
        let mut out = Vec::new();
        for f in files {
            let b = palisade_io::read_limited(&self.md(&f), READ_LIMIT).map_err(io)?;
            let v: Value = serde_json::from_slice(&b).map_err(|e| bad(&f, e.to_string()))?;
            let text = v["signed"]["expires"]
                .as_str()
                .ok_or_else(|| bad(&f, "no signed.expires"))?
                .to_string();
            let t = palisade_intoto::time::parse_utc(&text).map_err(|e| bad(&f, e))?;
            out.push((f, t, text));
        }
        Ok(out)
    }
}
