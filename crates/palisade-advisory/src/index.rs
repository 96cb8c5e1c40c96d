//! The on-disk index: `<db>/CURRENT` names a generation directory holding `meta.json`
//! and, per ecosystem, `<eco>.jsonl` (one entry a line, sorted by package then id) with
//! `<eco>.idx.json` (package key -> byte range). A check reads only the ecosystems its
//! packages need, and only the lines of those packages. A new import writes a new
//! generation and then replaces `CURRENT` atomically, so an interrupted import leaves
//! the previous index in use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AdvisoryError;
use crate::import::SourceStats;
use crate::osv::{Entry, base_ecosystem, name_key};

/// Format version of the index.
pub const FORMAT: u32 = 1;
/// Largest index file read: 2 GiB.
pub const MAX_INDEX_FILE: u64 = 2 << 30;

/// Counts for one ecosystem.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct EcosystemCounts {
    /// Distinct advisory ids.
    pub advisories: usize,
    /// Distinct package names.
    pub packages: usize,
    /// Malicious-package records among the advisories.
    pub malicious: usize,
}

/// `meta.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexMeta {
    /// [`FORMAT`].
    pub format: u32,
    /// When the import finished (RFC 3339, UTC).
    pub created: String,
    /// Seconds since the epoch of `created`.
    pub created_epoch: u64,
    /// The sources imported.
    pub sources: Vec<SourceStats>,
    /// Counts per ecosystem (base name, e.g. `Debian` for `Debian:12`).
    pub ecosystems: BTreeMap<String, EcosystemCounts>,
    /// The same id read twice (e.g. RustSec as OSV and in its own format): kept once.
    pub duplicates: usize,
    /// SHA-256 over the index files: identifies this index in reports.
    pub digest: String,
}

fn slug(eco: &str) -> String {
    eco.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The default index directory: `$PALISADE_DB`, else `$XDG_CACHE_HOME/palisade/db`, else
/// `~/.cache/palisade/db`.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PALISADE_DB").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("palisade").join("db");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache").join("palisade").join("db")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether `a` should replace `b` as the copy of an id kept: OSV records (with
/// ranges) over RustSec's native form, then the newer `modified`.
fn better(a: &Entry, b: &Entry) -> bool {
    match (a.cargo.is_none(), b.cargo.is_none()) {
        (true, false) => true,
        (false, true) => false,
        _ => a.modified > b.modified,
    }
}

/// Opens `db/LOCK` and holds it exclusively while a writer builds and switches a
/// generation, so writers take turns: `write_added` reads the index the previous writer
/// made current, and no writer deletes a generation another one is writing. Released
/// when the returned file is dropped (and by the system if the process dies).
fn write_lock(db: &Path) -> Result<std::fs::File, AdvisoryError> {
    std::fs::create_dir_all(db).map_err(|e| AdvisoryError::io(db.display(), e))?;
    let path = db.join("LOCK");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| AdvisoryError::io(path.display(), e))?;
    f.lock().map_err(|e| AdvisoryError::io(path.display(), e))?;
    Ok(f)
}

/// Writes `entries` as a new index generation under `db` and makes it current.
///
/// Concurrent writers to the same `db` take turns (the last to finish is current).
/// The generation that was current before stays on disk until the next write, so a
/// reader that opened it just before the switch can still read it.
pub fn write(
    db: &Path,
    entries: Vec<Entry>,
    sources: Vec<SourceStats>,
) -> Result<IndexMeta, AdvisoryError> {
    let _lock = write_lock(db)?;
    write_locked(db, entries, sources)
}

fn write_locked(
    db: &Path,
    entries: Vec<Entry>,
    sources: Vec<SourceStats>,
) -> Result<IndexMeta, AdvisoryError> {
    // ecosystem -> key -> id -> entries of that id for that package (one per affected
    // block; kept from the best copy of the id).
    type ById = BTreeMap<String, Vec<Entry>>;
    let mut by_eco: BTreeMap<String, BTreeMap<String, ById>> = BTreeMap::new();
    let mut duplicates = 0usize;
    for e in entries {
        let eco = base_ecosystem(&e.ecosystem).to_string();
        let key = name_key(&e.ecosystem, &e.package);
        let ids = by_eco.entry(eco).or_default().entry(key).or_default();
        match ids.get_mut(&e.id) {
            None => {
                ids.insert(e.id.clone(), vec![e]);
            }
            Some(have) => {
                let same_copy =
                    have[0].cargo.is_none() == e.cargo.is_none() && have[0].modified == e.modified;
                if same_copy {
                    if !have.contains(&e) {
                        have.push(e);
                    }
                } else {
                    duplicates += 1;
                    if better(&e, &have[0]) {
                        *have = vec![e];
                    }
                }
            }
        }
    }
    std::fs::create_dir_all(db).map_err(|e| AdvisoryError::io(db.display(), e))?;
    let created_epoch = now();
    // Unique even for two writes in the same second by the same process.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let gen_name = format!(
        "gen-{created_epoch}-{}-{nanos:09}-{seq}",
        std::process::id()
    );
    let gen_dir = db.join(&gen_name);
    if gen_dir.exists() {
        std::fs::remove_dir_all(&gen_dir).map_err(|e| AdvisoryError::io(gen_dir.display(), e))?;
    }
    std::fs::create_dir_all(&gen_dir).map_err(|e| AdvisoryError::io(gen_dir.display(), e))?;
    let mut ecosystems = BTreeMap::new();
    let mut digest = Sha256::new();
    let opts = palisade_io::WriteOptions {
        overwrite: true,
        mode: None,
    };
    for (eco, pkgs) in &by_eco {
        let mut lines = Vec::new();
        let mut idx: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut ids = std::collections::BTreeSet::new();
        let mut malicious = std::collections::BTreeSet::new();
        for (key, by_id) in pkgs {
            let start = lines.len();
            for (id, es) in by_id {
                ids.insert(id.clone());
                for e in es {
                    if e.malicious {
                        malicious.insert(id.clone());
                    }
                    let line = serde_json::to_vec(e).map_err(|e| AdvisoryError::format(eco, e))?;
                    lines.extend_from_slice(&line);
                    lines.push(b'\n');
                }
            }
            idx.insert(key, (start, lines.len() - start));
        }
        let idx_bytes = serde_json::to_vec(&idx).map_err(|e| AdvisoryError::format(eco, e))?;
        let s = slug(eco);
        for (name, bytes) in [
            (format!("{s}.jsonl"), &lines),
            (format!("{s}.idx.json"), &idx_bytes),
        ] {
            digest.update(name.as_bytes());
            digest.update(bytes);
            palisade_io::write_atomic(&gen_dir.join(&name), bytes, opts)?;
        }
        ecosystems.insert(
            eco.clone(),
            EcosystemCounts {
                advisories: ids.len(),
                packages: pkgs.len(),
                malicious: malicious.len(),
            },
        );
    }
    let meta = IndexMeta {
        format: FORMAT,
        created: palisade_io::rfc3339(created_epoch),
        created_epoch,
        sources,
        ecosystems,
        duplicates,
        digest: hex::encode(digest.finalize()),
    };
    let meta_bytes =
        serde_json::to_vec_pretty(&meta).map_err(|e| AdvisoryError::format("meta.json", e))?;
    palisade_io::write_atomic(&gen_dir.join("meta.json"), &meta_bytes, opts)?;
    // The switch: one atomic rename of CURRENT.
    let previous = std::fs::read_to_string(db.join("CURRENT")).unwrap_or_default();
    palisade_io::write_atomic(&db.join("CURRENT"), gen_name.as_bytes(), opts)?;
    // Older generations are no longer referenced; the one just replaced is kept for
    // readers that opened it before the switch (removed by the next write).
    if let Ok(rd) = std::fs::read_dir(db) {
        for d in rd.flatten() {
            let n = d.file_name().to_string_lossy().to_string();
            if n.starts_with("gen-") && n != gen_name && n != previous.trim() {
                let _ = std::fs::remove_dir_all(d.path());
            }
        }
    }
    Ok(meta)
}

/// Writes `entries` together with everything the current index under `db` holds (if
/// any) as a new generation, and makes it current: the same atomic switch as [`write`].
/// A source imported again replaces its earlier statistics; its records are merged by
/// id as in [`write`]. Concurrent calls take turns, each adding to what the one before
/// made current, so none is lost.
pub fn write_added(
    db: &Path,
    entries: Vec<Entry>,
    sources: Vec<SourceStats>,
) -> Result<IndexMeta, AdvisoryError> {
    let _lock = write_lock(db)?;
    let (mut all, mut stats) = match Index::open(db) {
        Ok(index) => (index.all_entries()?, index.meta.sources),
        Err(AdvisoryError::NoIndex(_)) => (Vec::new(), Vec::new()),
        Err(e) => return Err(e),
    };
    stats.retain(|s| !sources.iter().any(|n| n.path == s.path));
    stats.extend(sources);
    all.extend(entries);
    write_locked(db, all, stats)
}

/// One ecosystem's entries, loaded.
pub struct EcoIndex {
    lines: Vec<u8>,
    idx: BTreeMap<String, (usize, usize)>,
    file: PathBuf,
}

impl EcoIndex {
    /// The entries for a package (`key` from [`name_key`]).
    pub fn entries(&self, key: &str) -> Result<Vec<Entry>, AdvisoryError> {
        let Some(&(start, len)) = self.idx.get(key) else {
            return Ok(Vec::new());
        };
        let slice = self
            .lines
            .get(start..start.saturating_add(len))
            .ok_or_else(|| AdvisoryError::format(self.file.display(), "index out of range"))?;
        slice
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                serde_json::from_slice(l).map_err(|e| AdvisoryError::format(self.file.display(), e))
            })
            .collect()
    }

    /// Number of packages with advisories.
    pub fn len(&self) -> usize {
        self.idx.len()
    }

    /// Whether no package has advisories.
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

/// An opened index.
pub struct Index {
    dir: PathBuf,
    /// Its `meta.json`.
    pub meta: IndexMeta,
}

impl Index {
    /// Opens the current generation under `db`.
    pub fn open(db: &Path) -> Result<Index, AdvisoryError> {
        let current = db.join("CURRENT");
        let name = match std::fs::read_to_string(&current) {
            Ok(n) => n.trim().to_string(),
            Err(_) => return Err(AdvisoryError::NoIndex(db.display().to_string())),
        };
        if !name.starts_with("gen-") || name.contains(['/', '\\']) {
            return Err(AdvisoryError::format(
                current.display(),
                "not a generation name",
            ));
        }
        let dir = db.join(name);
        let meta_path = dir.join("meta.json");
        let bytes = palisade_io::read_limited(&meta_path, 64 * 1024 * 1024)?;
        let meta: IndexMeta = serde_json::from_slice(&bytes)
            .map_err(|e| AdvisoryError::format(meta_path.display(), e))?;
        if meta.format != FORMAT {
            return Err(AdvisoryError::format(
                meta_path.display(),
                format!(
                    "index format {} (this palisade reads {FORMAT}): import again",
                    meta.format
                ),
            ));
        }
        Ok(Index { dir, meta })
    }

    /// The generation directory in use.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every entry of the index, for an import that adds to it.
    pub fn all_entries(&self) -> Result<Vec<Entry>, AdvisoryError> {
        let mut out = Vec::new();
        for eco in self.meta.ecosystems.keys() {
            let file = self.dir.join(format!("{}.jsonl", slug(eco)));
            let lines = palisade_io::read_limited(&file, MAX_INDEX_FILE)?;
            for l in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                out.push(
                    serde_json::from_slice(l)
                        .map_err(|e| AdvisoryError::format(file.display(), e))?,
                );
            }
        }
        Ok(out)
    }

    /// Loads one ecosystem (base name); `None` when the index has no data for it.
    pub fn ecosystem(&self, eco: &str) -> Result<Option<EcoIndex>, AdvisoryError> {
        let eco = base_ecosystem(eco);
        if !self.meta.ecosystems.contains_key(eco) {
            return Ok(None);
        }
        let s = slug(eco);
        let file = self.dir.join(format!("{s}.jsonl"));
        let idx_file = self.dir.join(format!("{s}.idx.json"));
        let lines = palisade_io::read_limited(&file, MAX_INDEX_FILE)?;
        let idx_bytes = palisade_io::read_limited(&idx_file, MAX_INDEX_FILE)?;
        let idx = serde_json::from_slice(&idx_bytes)
            .map_err(|e| AdvisoryError::format(idx_file.display(), e))?;
        Ok(Some(EcoIndex { lines, idx, file }))
    }
}
