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

/// A repository folder.
#[derive(Debug)]
pub struct Repository {
    dir: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(io)?;
    }
    palisade_io::write_atomic(
        path,
        bytes,
        palisade_io::WriteOptions {
            overwrite: true,
            mode: None,
        },
    )
    .map_err(io)
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
        self.edit_targets(keys, expires, |t| {
            t["targets"][path] = entry;
        })
    }

    /// Removes a target from a new targets version and republishes.
    pub fn remove_target(
        &self,
        path: &str,
        keys: &[PrivateKey],
        expires: (i64, i64, i64),
    ) -> Result<(), TufError> {
        let mut found = false;
        self.edit_targets(keys, expires, |t| {
            if let Some(m) = t["targets"].as_object_mut() {
                found = m.remove(path).is_some();
            }
        })?;
        if !found {
            return Err(bad(path, "not a target of this repository"));
        }
        Ok(())
    }

    fn edit_targets(
        &self,
        keys: &[PrivateKey],
        (t_exp, s_exp, ts_exp): (i64, i64, i64),
        f: impl FnOnce(&mut Value),
    ) -> Result<(), TufError> {
        let root = self.root()?;
        let (v, doc) = self.latest("targets")?;
        let mut t = doc
            .map(|d| d["signed"].clone())
            .ok_or_else(|| TufError::Io("no targets metadata: run init first".into()))?;
        f(&mut t);
        t["version"] = json!(v + 1);
        t["expires"] = json!(utc(t_exp));
        let tk = self.keys_for("targets", &root, keys);
        if tk.is_empty() {
            return Err(TufError::Threshold {
                file: "targets.json".into(),
                role: "targets".into(),
                have: 0,
                need: 1,
            });
        }
        self.store(&format!("{}.targets.json", v + 1), &t, &tk)?;
        self.snapshot_and_timestamp(keys, s_exp, ts_exp)
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
        let (tv, _) = self.latest("targets")?;
        let (sv, _) = self.latest("snapshot")?;
        let sk = self.keys_for("snapshot", &root, keys);
        let tsk = self.keys_for("timestamp", &root, keys);
        if sk.is_empty() || tsk.is_empty() {
            // Without the online keys the caller signs later; nothing more to publish.
            return Ok(());
        }
        let snap = json!({
            "_type": "snapshot", "spec_version": "1.0.31", "version": sv + 1,
            "expires": utc(s_exp), "meta": {"targets.json": {"version": tv}},
        });
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
}
