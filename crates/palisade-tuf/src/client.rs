//! The TUF client workflow (specification 1.0.34 §5): root chain, timestamp, snapshot,
//! targets, and the delegation search, over a [`Fetcher`] and a local metadata folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::TufError;
use crate::metadata::{MetaFile, Metadata, RoleType, TargetFile, check_hashes};

/// Characters Python's `urllib.parse.quote(s, safe="")` leaves alone: `A-Za-z0-9_.-~`.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

/// Percent-quotes a role name or target path for a URL or a file name, as Python's
/// `quote(s, safe="")`.
pub fn quote(s: &str) -> String {
    utf8_percent_encode(s, QUOTE).to_string()
}

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered 403 or 404.
    #[error("HTTP {0}")]
    NotFound(u16),
    /// The body is larger than allowed.
    #[error("more than {0} bytes")]
    TooLarge(u64),
    /// Anything else (connection, other status).
    #[error("{0}")]
    Other(String),
}

/// Downloads a URL, refusing bodies longer than `max_len` bytes.
pub trait Fetcher {
    /// The body of `url`.
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError>;
}

/// Size and count limits; the defaults are python-tuf's.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest root file.
    pub root_max: u64,
    /// Largest timestamp file.
    pub timestamp_max: u64,
    /// Largest snapshot file when timestamp gives no length.
    pub snapshot_max: u64,
    /// Largest targets file when snapshot gives no length.
    pub targets_max: u64,
    /// Most root versions taken in one refresh.
    pub max_root_rotations: u64,
    /// Most targets roles visited in one search.
    pub max_delegations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            root_max: 512_000,
            timestamp_max: 16_384,
            snapshot_max: 2_000_000,
            targets_max: 5_000_000,
            max_root_rotations: 256,
            max_delegations: 32,
        }
    }
}

/// A trusted metadata file with the bytes it was read from.
#[derive(Debug, Clone)]
struct Trusted {
    md: Metadata,
    /// For targets roles: the delegator it was verified against (None: root).
    parent: Option<String>,
}

/// A TUF client over one metadata folder and one repository.
pub struct Client<'f, F: Fetcher> {
    dir: PathBuf,
    metadata_url: String,
    fetcher: &'f F,
    limits: Limits,
    now: i64,
    root: Trusted,
    timestamp: Option<Trusted>,
    snapshot: Option<Trusted>,
    targets: BTreeMap<String, Trusted>,
    refreshed: bool,
}

fn ensure_slash(u: &str) -> String {
    if u.ends_with('/') {
        u.to_string()
    } else {
        format!("{u}/")
    }
}

/// Checks `root_bytes` is a self-signed root and stores it as `dir/root.json`, the
/// client's trust anchor.
pub fn init(dir: &Path, root_bytes: &[u8]) -> Result<(), TufError> {
    let md = Metadata::parse(root_bytes, RoleType::Root, "root.json")?;
    let root = md
        .root()
        .ok_or_else(|| TufError::internal("root.json is not a root"))?;
    root.verify(&md, "root", "root.json")?;
    write(&dir.join("root.json"), root_bytes)
}

/// Atomic overwrite of `path`, flushed to disk before it replaces the old file: for
/// the client's trust state (root: the trust anchor; timestamp and snapshot: the versions
/// below which nothing is accepted again, the rollback floor).
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    overwrite(path, bytes, palisade_io::write_atomic)
}

/// Replaces `path` with `bytes` through `how` (one of palisade-io's atomic writers).
fn overwrite(
    path: &Path,
    bytes: &[u8],
    how: fn(&Path, &[u8], palisade_io::WriteOptions) -> Result<(), palisade_io::IoError>,
) -> Result<(), TufError> {
    let opts = palisade_io::WriteOptions {
        overwrite: true,
        mode: None,
    };
    how(path, bytes, opts).map_err(|e| TufError::Io(e.to_string()))
}

/// Atomic overwrite of `path` without waiting for the disk: for targets roles, which
/// are caches. Snapshot pins each one's version (and length and hashes when it lists
/// them), and a local copy is used only when it verifies against its delegator's keys
/// and matches that version; a copy lost or torn by a power cut is fetched again. One
/// fsync per delegated role would otherwise cost more than the role's download.
fn write_cache(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    overwrite(path, bytes, palisade_io::write_replaceable)
}

fn read_local(path: &Path, limit: u64) -> Option<Vec<u8>> {
    palisade_io::read_limited(path, limit).ok()
}

impl<'f, F: Fetcher> Client<'f, F> {
    /// Opens the client: `dir/root.json` must be a trusted root (see [`init`]). `now` is
    /// the time metadata expiry is checked against, in seconds since the epoch.
    pub fn new(
        dir: &Path,
        metadata_url: &str,
        fetcher: &'f F,
        limits: Limits,
        now: i64,
    ) -> Result<Self, TufError> {
        let path = dir.join("root.json");
        let bytes = palisade_io::read_limited(&path, limits.root_max)
            .map_err(|e| TufError::Io(e.to_string()))?;
        let md = Metadata::parse(&bytes, RoleType::Root, "root.json")?;
        let root = md
            .root()
            .ok_or_else(|| TufError::internal("root.json is not a root"))?;
        root.verify(&md, "root", "root.json")?;
        Ok(Client {
            dir: dir.to_path_buf(),
            metadata_url: ensure_slash(metadata_url),
            fetcher,
            limits,
            now,
            root: Trusted { md, parent: None },
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            refreshed: false,
        })
    }

    /// The trusted root's version.
    pub fn root_version(&self) -> u64 {
        self.root.md.version
    }

    fn fetch(&self, url: &str, max: u64, file: &str) -> Result<Vec<u8>, TufError> {
        self.fetcher.fetch(url, max).map_err(|e| TufError::Fetch {
            file: file.to_string(),
            url: url.to_string(),
            message: e.to_string(),
        })
    }

    fn consistent(&self) -> bool {
        self.root.md.root().is_some_and(|r| r.consistent_snapshot)
    }

    /// Updates root, timestamp, snapshot and top-level targets (spec §5.3–§5.6).
    pub fn refresh(&mut self) -> Result<(), TufError> {
        self.update_root()?;
        self.update_timestamp()?;
        self.update_snapshot()?;
        self.load_targets("targets", None)?;
        self.refreshed = true;
        Ok(())
    }

    fn update_root(&mut self) -> Result<(), TufError> {
        let lower = self.root.md.version;
        for _ in 0..self.limits.max_root_rotations {
            let next = self
                .root
                .md
                .version
                .checked_add(1)
                .ok_or_else(|| TufError::internal("root version overflow"))?;
            let file = format!("{next}.root.json");
            let url = format!("{}{}", self.metadata_url, file);
            let bytes = match self.fetcher.fetch(&url, self.limits.root_max) {
                Ok(b) => b,
                Err(FetchError::NotFound(_)) => break,
                Err(e) => {
                    return Err(TufError::Fetch {
                        file,
                        url,
                        message: e.to_string(),
                    });
                }
            };
            let md = Metadata::parse(&bytes, RoleType::Root, &file)?;
            let old = self
                .root
                .md
                .root()
                .ok_or_else(|| TufError::internal("trusted root is not a root"))?;
            old.verify(&md, "root", &file)?;
            let new = md
                .root()
                .ok_or_else(|| TufError::internal("new root is not a root"))?;
            new.verify(&md, "root", &file)?;
            if md.version != next {
                return Err(TufError::Rollback {
                    file,
                    message: format!("version {} where {next} was expected", md.version),
                });
            }
            write(&self.dir.join("root.json"), &bytes)?;
            self.root = Trusted { md, parent: None };
        }
        if self.root.md.is_expired(self.now) {
            return Err(TufError::Expired {
                file: "root.json".into(),
                expires: self.root.md.expires_text.clone(),
            });
        }
        if self.root.md.version != lower {
            // Keys may have rotated: local timestamp/snapshot are re-verified on load.
            self.timestamp = None;
            self.snapshot = None;
            self.targets.clear();
        }
        Ok(())
    }

    fn root_verify(&self, md: &Metadata, role: &str, file: &str) -> Result<(), TufError> {
        self.root
            .md
            .root()
            .ok_or_else(|| TufError::internal("trusted root is not a root"))?
            .verify(md, role, file)
    }

    fn update_timestamp(&mut self) -> Result<(), TufError> {
        // The local timestamp, if it verifies with the current root, guards rollback.
        let local = read_local(&self.dir.join("timestamp.json"), self.limits.timestamp_max)
            .and_then(|b| Metadata::parse(&b, RoleType::Timestamp, "timestamp.json").ok())
            .filter(|md| self.root_verify(md, "timestamp", "timestamp.json").is_ok());
        let file = "timestamp.json";
        let url = format!("{}{}", self.metadata_url, file);
        let bytes = self.fetch(&url, self.limits.timestamp_max, file)?;
        let md = Metadata::parse(&bytes, RoleType::Timestamp, file)?;
        self.root_verify(&md, "timestamp", file)?;
        let snap = snapshot_meta(&md, file)?.clone();
        if let Some(old) = &local {
            no_rollback(file, "version", md.version, old.version)?;
            let old_snap = snapshot_meta(old, file)?;
            no_rollback(file, "snapshot version", snap.version, old_snap.version)?;
            if md.version == old.version {
                // Same version: keep what we trust (python-tuf does the same).
                let keep = old.clone();
                return self.accept_timestamp(keep);
            }
        }
        if !md.is_expired(self.now) {
            // An expired timestamp is never stored (the trusted one stays).
            write(&self.dir.join(file), &bytes)?;
        }
        self.accept_timestamp(md)
    }

    fn accept_timestamp(&mut self, md: Metadata) -> Result<(), TufError> {
        let expired = md.is_expired(self.now);
        let expires = md.expires_text.clone();
        self.timestamp = Some(Trusted { md, parent: None });
        if expired {
            return Err(TufError::Expired {
                file: "timestamp.json".into(),
                expires,
            });
        }
        Ok(())
    }

    fn update_snapshot(&mut self) -> Result<(), TufError> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or_else(|| TufError::internal("no trusted timestamp"))?;
        let want = snapshot_meta(&ts.md, "timestamp.json")?.clone();
        let file = "snapshot.json";
        let local = read_local(&self.dir.join(file), self.limits.snapshot_max)
            .and_then(|b| Metadata::parse(&b, RoleType::Snapshot, file).ok())
            .filter(|md| self.root_verify(md, "snapshot", file).is_ok());
        if let Some(l) = &local
            && l.version == want.version
            && !l.is_expired(self.now)
        {
            self.snapshot = Some(Trusted {
                md: l.clone(),
                parent: None,
            });
            return Ok(());
        }
        let remote = if self.consistent() {
            format!("{}.snapshot.json", want.version)
        } else {
            file.to_string()
        };
        let url = format!("{}{}", self.metadata_url, remote);
        let max = want.length.unwrap_or(self.limits.snapshot_max);
        let bytes = self.fetch(&url, max, file)?;
        check_hashes(&bytes, want.length, &want.hashes, file)?;
        let md = Metadata::parse(&bytes, RoleType::Snapshot, file)?;
        self.root_verify(&md, "snapshot", file)?;
        if md.version != want.version {
            return Err(TufError::Mismatch {
                file: file.into(),
                message: format!(
                    "version {} but timestamp lists {}",
                    md.version, want.version
                ),
            });
        }
        if let Some(old) = &local {
            let (Some(old_meta), Some(new_meta)) = (old.meta(), md.meta()) else {
                return Err(TufError::internal("snapshot without meta"));
            };
            for (name, om) in old_meta {
                match new_meta.get(name) {
                    None => {
                        return Err(TufError::Rollback {
                            file: file.into(),
                            message: format!("{name} is no longer listed"),
                        });
                    }
                    Some(nm) if nm.version < om.version => {
                        return Err(TufError::Rollback {
                            file: file.into(),
                            message: format!(
                                "{name} version {} is older than trusted {}",
                                nm.version, om.version
                            ),
                        });
                    }
                    _ => {}
                }
            }
        }
        if md.is_expired(self.now) {
            return Err(TufError::Expired {
                file: file.into(),
                expires: md.expires_text.clone(),
            });
        }
        write(&self.dir.join(file), &bytes)?;
        self.snapshot = Some(Trusted { md, parent: None });
        Ok(())
    }

    /// Loads the targets role `role` delegated by `parent` (None: top-level targets,
    /// signed per root), from the local copy when it is current, else the repository.
    fn load_targets(&mut self, role: &str, parent: Option<&str>) -> Result<(), TufError> {
        if self
            .targets
            .get(role)
            .is_some_and(|t| t.parent.as_deref() == parent)
        {
            return Ok(());
        }
        let snap = self
            .snapshot
            .as_ref()
            .ok_or_else(|| TufError::internal("no trusted snapshot"))?;
        let file = format!("{role}.json");
        let local_name = format!("{}.json", quote(role));
        let want: MetaFile = snap
            .md
            .meta()
            .and_then(|m| m.get(&file))
            .cloned()
            .ok_or_else(|| TufError::Mismatch {
                file: file.clone(),
                message: "not listed in snapshot".into(),
            })?;
        let verify = |md: &Metadata, this: &Self| -> Result<(), TufError> {
            match parent {
                None => this.root_verify(md, "targets", &file),
                Some(p) => {
                    let pmd = &this
                        .targets
                        .get(p)
                        .ok_or_else(|| TufError::internal("delegator not loaded"))?
                        .md;
                    let d = pmd
                        .targets()
                        .and_then(|(_, d)| d)
                        .ok_or_else(|| TufError::internal("delegator has no delegations"))?;
                    let rk = d.role_keys(role).ok_or_else(|| TufError::Mismatch {
                        file: file.clone(),
                        message: format!("{p} does not delegate to {role}"),
                    })?;
                    md.verify_threshold(&d.keys, rk, role, &file)
                }
            }
        };
        let local = read_local(&self.dir.join(&local_name), self.limits.targets_max)
            .and_then(|b| Metadata::parse(&b, RoleType::Targets, &file).ok())
            .filter(|md| verify(md, self).is_ok());
        if let Some(l) = local
            && l.version == want.version
            && !l.is_expired(self.now)
        {
            self.targets.insert(
                role.to_string(),
                Trusted {
                    md: l,
                    parent: parent.map(str::to_string),
                },
            );
            return Ok(());
        }
        let remote = if self.consistent() {
            format!("{}.{}.json", want.version, quote(role))
        } else {
            local_name.clone()
        };
        let url = format!("{}{}", self.metadata_url, remote);
        let max = want.length.unwrap_or(self.limits.targets_max);
        let bytes = self.fetch(&url, max, &file)?;
        check_hashes(&bytes, want.length, &want.hashes, &file)?;
        let md = Metadata::parse(&bytes, RoleType::Targets, &file)?;
        verify(&md, self)?;
        if md.version != want.version {
            return Err(TufError::Mismatch {
                file: file.clone(),
                message: format!("version {} but snapshot lists {}", md.version, want.version),
            });
        }
        if md.is_expired(self.now) {
            return Err(TufError::Expired {
                file,
                expires: md.expires_text.clone(),
            });
        }
        write_cache(&self.dir.join(&local_name), &bytes)?;
        self.targets.insert(
            role.to_string(),
            Trusted {
                md,
                parent: parent.map(str::to_string),
            },
        );
        Ok(())
    }

    /// Finds `target` by the spec's lazy pre-order depth-first search of delegations
    /// (at most `max_delegations` roles visited; terminating roles end the search).
    pub fn target_info(&mut self, target: &str) -> Result<Option<TargetFile>, TufError> {
        if !self.refreshed {
            self.refresh()?;
        }
        let mut stack: Vec<(String, Option<String>)> = vec![("targets".to_string(), None)];
        let mut visited: BTreeSet<(String, Option<String>)> = BTreeSet::new();
        let mut budget = self.limits.max_delegations;
        while budget > 0 {
            let Some((role, parent)) = stack.pop() else {
                break;
            };
            if visited.contains(&(role.clone(), parent.clone())) {
                continue;
            }
            self.load_targets(&role, parent.as_deref())?;
            let md = &self
                .targets
                .get(&role)
                .ok_or_else(|| TufError::internal("role not loaded"))?
                .md;
            let Some((targets, delegations)) = md.targets() else {
                return Err(TufError::internal("not a targets role"));
            };
            if let Some(t) = targets.get(target) {
                return Ok(Some(t.clone()));
            }
            visited.insert((role.clone(), parent));
            budget -= 1;
            if let Some(d) = delegations {
                let mut children = Vec::new();
                for (child, terminating) in d.roles_for_target(target) {
                    children.push((child, Some(role.clone())));
                    if terminating {
                        stack.clear();
                        break;
                    }
                }
                children.reverse();
                stack.extend(children);
            }
        }
        Ok(None)
    }

    /// Downloads `target` (found with [`Client::target_info`]) from `base_url`, checks its
    /// length and hashes, and writes it to `target_dir` under its percent-quoted path.
    /// Returns the path written. Same as [`Client::fetch_target`] then
    /// [`FetchedTarget::store`].
    pub fn download_target(
        &self,
        target: &str,
        info: &TargetFile,
        target_dir: &Path,
        base_url: &str,
    ) -> Result<PathBuf, TufError> {
        self.fetch_target(target, info, target_dir, base_url)?
            .store()
    }

    /// The network half of [`Client::download_target`]: returns the verified bytes of
    /// `target` (or nothing to write when `target_dir` already holds a copy matching its
    /// trusted length and hashes), to be written by [`FetchedTarget::store`].
    ///
    /// Fetches can run on many threads while one thread stores: creating many files in
    /// one directory from several threads at once makes them queue on the directory's
    /// lock, and on some file systems (ext4) spin on it.
    pub fn fetch_target(
        &self,
        target: &str,
        info: &TargetFile,
        target_dir: &Path,
        base_url: &str,
    ) -> Result<FetchedTarget, TufError> {
        self.fetch_target_at(target, info, target_dir.join(quote(target)), true, base_url)
    }

    /// [`Client::fetch_target`] to `path`; `may_exist` false: `path` is known not to
    /// exist (no local copy to look at).
    pub(crate) fn fetch_target_at(
        &self,
        target: &str,
        info: &TargetFile,
        path: PathBuf,
        may_exist: bool,
        base_url: &str,
    ) -> Result<FetchedTarget, TufError> {
        let rel = if self.consistent() {
            let first = info
                .hashes
                .values()
                .next()
                .ok_or_else(|| TufError::internal("target without hashes"))?;
            match target.rsplit_once('/') {
                Some((dir, name)) => format!("{dir}/{first}.{name}"),
                None => format!("{first}.{target}"),
            }
        } else {
            target.to_string()
        };
        // A copy already in target_dir that matches is used as it is.
        if may_exist
            && let Some(have) = read_local(&path, info.length)
            && check_hashes(&have, Some(info.length), &info.hashes, target).is_ok()
        {
            return Ok(FetchedTarget { path, bytes: None });
        }
        let url = format!("{}{}", ensure_slash(base_url), rel);
        let bytes = self.fetch(&url, info.length, target)?;
        check_hashes(&bytes, Some(info.length), &info.hashes, target)?;
        Ok(FetchedTarget {
            path,
            bytes: Some(bytes),
        })
    }
}

/// A target fetched and verified by [`Client::fetch_target`], not yet written.
#[derive(Debug)]
pub struct FetchedTarget {
    path: PathBuf,
    /// `None`: the copy already at `path` matches.
    bytes: Option<Vec<u8>>,
}

impl FetchedTarget {
    /// Where [`FetchedTarget::store`] writes it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes to write (0 when the local copy matched).
    pub fn len(&self) -> usize {
        self.bytes.as_ref().map_or(0, Vec::len)
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the verified bytes to the target path and returns the path. The file
    /// appears whole or not at all (`palisade_io::write_replaceable`: an unnamed inode
    /// linked in once written, or a temporary file renamed over an old copy).
    pub fn store(self) -> Result<PathBuf, TufError> {
        if let Some(bytes) = &self.bytes {
            // Targets are checked against their trusted length and hashes whenever they
            // are read back (see `fetch_target`), so a copy torn by a crash is simply
            // fetched again: no fsync.
            palisade_io::write_replaceable(
                &self.path,
                bytes,
                palisade_io::WriteOptions {
                    overwrite: true,
                    mode: None,
                },
            )
            .map_err(|e| TufError::Io(e.to_string()))?;
        }
        Ok(self.path)
    }
}

fn no_rollback(file: &str, what: &str, new: u64, trusted: u64) -> Result<(), TufError> {
    if new < trusted {
        return Err(TufError::Rollback {
            file: file.into(),
            message: format!("{what} {new} is older than trusted {trusted}"),
        });
    }
    Ok(())
}

fn snapshot_meta<'m>(md: &'m Metadata, file: &str) -> Result<&'m MetaFile, TufError> {
    md.meta()
        .and_then(|m| m.get("snapshot.json"))
        .ok_or_else(|| TufError::Mismatch {
            file: file.to_string(),
            message: "no snapshot.json in meta".into(),
        })
}
