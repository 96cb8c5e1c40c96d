//! Reading advisory sources: directories (walked for every format they hold), OSV JSON
//! files, JSON Lines (also `.gz`), per-ecosystem `all.zip` archives (the osv-scanner
//! offline layout `<dir>/osv-scalibr/<Ecosystem>/all.zip`), the RustSec advisory
//! database (directory or `.tar.gz`). Symbolic links inside a walked directory are not
//! followed (the shared layout links `osv-scanner -> osv-scalibr`).

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::AdvisoryError;
use crate::osv::{self, Entry, MAX_RECORD_BYTES, Normalised};
use crate::rustsec;

/// Largest source file read (compressed): 1 GiB.
pub const MAX_SOURCE_BYTES: u64 = 1 << 30;
/// Most bytes decompressed from one archive: 4 GiB.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;
/// Deepest directory walked.
pub const MAX_DEPTH: usize = 32;
/// Most entries imported in total.
pub const MAX_ENTRIES: usize = 20_000_000;

/// What one source (a path given on the command line) contributed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct SourceStats {
    /// The path as given.
    pub path: String,
    /// Advisory records read (OSV records and RustSec advisories).
    pub records: usize,
    /// Withdrawn records (skipped).
    pub withdrawn: usize,
    /// Files read.
    pub files: usize,
    /// Records or files that could not be read, with the reason (at most 100 kept).
    pub errors: Vec<String>,
    /// Number of errors (all of them).
    pub error_count: usize,
    /// Things skipped on purpose (RustSec `rust/` toolchain advisories...).
    pub skipped: usize,
}

impl SourceStats {
    fn error(&mut self, e: impl std::fmt::Display) {
        self.error_count += 1;
        if self.errors.len() < 100 {
            self.errors.push(e.to_string());
        }
    }
}

/// Collects entries from sources.
#[derive(Default)]
pub struct Importer {
    /// Entries read so far.
    pub entries: Vec<Entry>,
    /// One per source.
    pub stats: Vec<SourceStats>,
}

impl Importer {
    /// Imports one source path (file or directory). Fails only when the path itself
    /// cannot be read; bad records are counted in its [`SourceStats`].
    pub fn add(&mut self, path: &Path) -> Result<(), AdvisoryError> {
        let meta = std::fs::metadata(path).map_err(|e| AdvisoryError::io(path.display(), e))?;
        let mut st = SourceStats {
            path: path.display().to_string(),
            ..SourceStats::default()
        };
        if meta.is_dir() {
            self.walk(path, 0, &mut st)?;
        } else {
            self.file(path, &mut st);
        }
        self.stats.push(st);
        Ok(())
    }

    fn walk(
        &mut self,
        dir: &Path,
        depth: usize,
        st: &mut SourceStats,
    ) -> Result<(), AdvisoryError> {
        if depth > MAX_DEPTH {
            st.error(format!("{}: deeper than {MAX_DEPTH} levels", dir.display()));
            return Ok(());
        }
        let mut items: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| AdvisoryError::io(dir.display(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        items.sort();
        for p in items {
            let Ok(m) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if m.file_type().is_symlink() {
                continue;
            }
            if m.is_dir() {
                if p.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                self.walk(&p, depth + 1, st)?;
            } else if m.is_file() {
                self.file(&p, st);
            }
        }
        Ok(())
    }

    fn push(&mut self, n: Normalised, st: &mut SourceStats) {
        st.records += 1;
        if n.withdrawn {
            st.withdrawn += 1;
        }
        if self.entries.len() + n.entries.len() > MAX_ENTRIES {
            st.error(format!(
                "more than {MAX_ENTRIES} entries: the rest is not imported"
            ));
            return;
        }
        self.entries.extend(n.entries);
    }

    /// One OSV JSON document: a record, or an array of records; anything else that is
    /// not an OSV record (a README, a package manifest) is skipped.
    fn json_doc(&mut self, place: &str, bytes: &[u8], st: &mut SourceStats, strict: bool) {
        if bytes.len() > MAX_RECORD_BYTES {
            st.error(AdvisoryError::TooLarge {
                place: place.to_string(),
                limit: MAX_RECORD_BYTES as u64,
            });
            return;
        }
        let v: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                if strict {
                    st.error(AdvisoryError::format(place, e));
                }
                return;
            }
        };
        let items = match v {
            Value::Array(a) => a,
            other => vec![other],
        };
        for (i, item) in items.into_iter().enumerate() {
            let looks_osv = item.get("id").is_some_and(Value::is_string)
                && (item.get("affected").is_some()
                    || item.get("modified").is_some()
                    || item.get("withdrawn").is_some());
            if !looks_osv {
                if strict {
                    st.error(AdvisoryError::format(place, "not an OSV record (no id)"));
                }
                continue;
            }
            let here = if i == 0 {
                place.to_string()
            } else {
                format!("{place}[{i}]")
            };
            match serde_json::from_value::<osv::Record>(item)
                .map_err(|e| AdvisoryError::format(&here, e))
                .and_then(|r| osv::normalise(&here, r))
            {
                Ok(n) => self.push(n, st),
                Err(e) => st.error(e),
            }
        }
    }

    fn jsonl<R: BufRead>(&mut self, place: &str, mut r: R, st: &mut SourceStats) {
        let mut line = Vec::new();
        let mut no = 0usize;
        loop {
            line.clear();
            no += 1;
            let mut limited = (&mut r).take(MAX_RECORD_BYTES as u64 + 1);
            match limited.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    st.error(format!("{place}:{no}: {e}"));
                    break;
                }
            }
            if line.len() > MAX_RECORD_BYTES {
                st.error(format!(
                    "{place}:{no}: line longer than {MAX_RECORD_BYTES} bytes"
                ));
                break;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let here = format!("{place}:{no}");
            match osv::parse_record(&here, &line) {
                Ok(n) => self.push(n, st),
                Err(e) => st.error(e),
            }
        }
    }

    fn zip(&mut self, path: &Path, st: &mut SourceStats) {
        let place = path.display().to_string();
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return st.error(AdvisoryError::io(&place, e)),
        };
        let mut z = match zip::ZipArchive::new(std::io::BufReader::new(f)) {
            Ok(z) => z,
            Err(e) => return st.error(AdvisoryError::format(&place, e)),
        };
        let mut total = 0u64;
        for i in 0..z.len() {
            let mut entry = match z.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    st.error(AdvisoryError::format(format!("{place} entry {i}"), e));
                    continue;
                }
            };
            if !entry.is_file() || !entry.name().ends_with(".json") {
                continue;
            }
            let here = format!("{place}!{}", entry.name());
            let mut buf = Vec::new();
            let read = (&mut entry)
                .take(MAX_RECORD_BYTES as u64 + 1)
                .read_to_end(&mut buf);
            if let Err(e) = read {
                st.error(AdvisoryError::format(&here, e));
                continue;
            }
            total += buf.len() as u64;
            if total > MAX_DECOMPRESSED_BYTES {
                st.error(AdvisoryError::TooLarge {
                    place,
                    limit: MAX_DECOMPRESSED_BYTES,
                });
                return;
            }
            self.json_doc(&here, &buf, st, true);
        }
    }

    fn tar_gz(&mut self, path: &Path, st: &mut SourceStats) {
        let place = path.display().to_string();
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return st.error(AdvisoryError::io(&place, e)),
        };
        let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(f));
        let mut ar = tar::Archive::new(gz.take(MAX_DECOMPRESSED_BYTES));
        let entries = match ar.entries() {
            Ok(e) => e,
            Err(e) => return st.error(AdvisoryError::format(&place, e)),
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    st.error(AdvisoryError::format(&place, e));
                    return;
                }
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = match entry.path() {
                Ok(p) => p.to_string_lossy().replace('\\', "/"),
                Err(_) => continue,
            };
            let kind = classify_member(&name);
            if kind == Member::Other {
                continue;
            }
            if kind == Member::Toolchain {
                st.skipped += 1;
                continue;
            }
            let here = format!("{place}!{name}");
            let mut buf = Vec::new();
            if let Err(e) = (&mut entry)
                .take(MAX_RECORD_BYTES as u64 + 1)
                .read_to_end(&mut buf)
            {
                st.error(AdvisoryError::format(&here, e));
                continue;
            }
            st.files += 1;
            match kind {
                Member::RustSec => match rustsec::parse_advisory(&here, &buf) {
                    Ok(n) => self.push(n, st),
                    Err(e) => st.error(e),
                },
                _ => self.json_doc(&here, &buf, st, false),
            }
        }
    }

    fn file(&mut self, path: &Path, st: &mut SourceStats) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let place = path.display().to_string();
        let full = path.to_string_lossy().replace('\\', "/");
        let kind = if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            "tar"
        } else if name.ends_with(".zip") {
            "zip"
        } else if name.ends_with(".jsonl.gz") || name.ends_with(".ndjson.gz") {
            "jsonl.gz"
        } else if name.ends_with(".json.gz") {
            "json.gz"
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            "jsonl"
        } else if name.ends_with(".json") {
            "json"
        } else if name.ends_with(".md") || name.ends_with(".toml") {
            match classify_member(&full) {
                Member::RustSec => "rustsec",
                Member::Toolchain => {
                    st.skipped += 1;
                    return;
                }
                _ => return,
            }
        } else {
            return;
        };
        st.files += 1;
        match kind {
            "tar" => self.tar_gz(path, st),
            "zip" => self.zip(path, st),
            "jsonl.gz" | "json.gz" => {
                let f = match std::fs::File::open(path) {
                    Ok(f) => f,
                    Err(e) => return st.error(AdvisoryError::io(&place, e)),
                };
                let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(f))
                    .take(MAX_DECOMPRESSED_BYTES);
                if kind == "jsonl.gz" {
                    self.jsonl(&place, std::io::BufReader::new(gz), st);
                } else {
                    let mut buf = Vec::new();
                    match gz.take(MAX_RECORD_BYTES as u64 + 1).read_to_end(&mut buf) {
                        Ok(_) => self.json_doc(&place, &buf, st, true),
                        Err(e) => st.error(AdvisoryError::format(&place, e)),
                    }
                }
            }
            "jsonl" => match std::fs::File::open(path) {
                Ok(f) => self.jsonl(&place, std::io::BufReader::new(f), st),
                Err(e) => st.error(AdvisoryError::io(&place, e)),
            },
            "json" => match palisade_io::read_limited(path, MAX_RECORD_BYTES as u64) {
                Ok(b) => self.json_doc(&place, &b, st, false),
                Err(e) => st.error(e),
            },
            _ => match palisade_io::read_limited(path, rustsec::MAX_ADVISORY_BYTES as u64) {
                Ok(b) => match rustsec::parse_advisory(&place, &b) {
                    Ok(n) => self.push(n, st),
                    Err(e) => st.error(e),
                },
                Err(e) => st.error(e),
            },
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Member {
    RustSec,
    Toolchain,
    Json,
    Other,
}

/// What a path inside a RustSec checkout or archive is.
fn classify_member(name: &str) -> Member {
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    let n = parts.len();
    if n >= 3 && (name.ends_with(".md") || name.ends_with(".toml")) {
        let file = parts[n - 1];
        if file.starts_with("RUSTSEC-") || file.starts_with("CVE-") || file.starts_with("GHSA-") {
            match parts[n - 3] {
                "crates" => return Member::RustSec,
                "rust" => return Member::Toolchain,
                _ => {}
            }
        }
        return Member::Other;
    }
    if name.ends_with(".json") {
        return Member::Json;
    }
    Member::Other
}
