//! Scanning a directory (or one file): in a git work tree `.gitignore` is honoured; a plain directory
//! is scanned whole, hidden files included. Binaries, symlinks and files over the size
//! limit are skipped. Files are read and scanned in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::{Findings, Location, Match, Scanner, SecretsError, is_binary};

/// Options of a tree scan.
#[derive(Debug, Clone)]
pub struct TreeOptions {
    /// Largest file scanned, bytes.
    pub max_file_size: u64,
    /// Gitignore-style globs of paths never scanned.
    pub skip_paths: Vec<String>,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            max_file_size: crate::DEFAULT_MAX_FILE_SIZE,
            skip_paths: Vec::new(),
        }
    }
}

/// What a tree scan read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TreeStats {
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped as binary.
    pub binary: u64,
    /// Files skipped as too large.
    pub too_large: u64,
}

/// Whether `root` is inside a git work tree.
pub fn in_git_repo(root: &Path) -> bool {
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    abs.ancestors().any(|a| a.join(".git").exists())
}

/// The files a scan of `root` reads, sorted: (absolute path, relative `/` path).
pub fn list_files(root: &Path, opts: &TreeOptions) -> Result<Vec<(PathBuf, String)>, SecretsError> {
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![(root.to_path_buf(), name)]);
    }
    let git = in_git_repo(root);
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for s in &opts.skip_paths {
        overrides
            .add(&format!("!{s}"))
            .map_err(|e| SecretsError::Config {
                path: "skip_paths".into(),
                reason: format!("{s}: {e}"),
            })?;
    }
    let overrides = overrides.build().map_err(|e| SecretsError::Config {
        path: "skip_paths".into(),
        reason: e.to_string(),
    })?;
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(git)
        .ignore(false)
        .git_ignore(git)
        .git_exclude(git)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .overrides(overrides)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    let mut out = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| SecretsError::Git(format!("{}: {e}", root.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        out.push((entry.path().to_path_buf(), rel));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Scans a directory. `on_match` sees each file's matches as soon as they are found
/// (JSONL streaming); it is called from worker threads.
pub fn scan_tree(
    scanner: &Scanner,
    root: &Path,
    opts: &TreeOptions,
    on_match: &(dyn Fn(&str, &[Match]) + Sync),
) -> Result<(Findings, TreeStats), SecretsError> {
    let files = list_files(root, opts)?;
    let results: Vec<Result<(Findings, TreeStats), SecretsError>> = files
        .par_iter()
        .map(|(abs, rel)| {
            let mut st = TreeStats::default();
            let mut f = Findings::new();
            let size = std::fs::metadata(abs).map(|m| m.len()).unwrap_or(0);
            if size > opts.max_file_size {
                st.too_large += 1;
                return Ok((f, st));
            }
            let buf = match palisade_io::read_limited(abs, opts.max_file_size) {
                Ok(b) => b,
                // Vanished or grew meanwhile: skip it as too large / unreadable.
                Err(palisade_io::IoError::TooLarge { .. }) => {
                    st.too_large += 1;
                    return Ok((f, st));
                }
                Err(e) => return Err(e.into()),
            };
            if is_binary(&buf) {
                st.binary += 1;
                return Ok((f, st));
            }
            st.files += 1;
            st.bytes += buf.len() as u64;
            let ms = scanner.scan(rel, &buf);
            if !ms.is_empty() {
                on_match(rel, &ms);
                for m in &ms {
                    f.add(
                        scanner,
                        m,
                        Location {
                            path: rel.clone(),
                            line: m.line,
                            column: m.column,
                            commit: None,
                        },
                    );
                }
            }
            Ok((f, st))
        })
        .collect();
    let mut all = Findings::new();
    let mut stats = TreeStats::default();
    for r in results {
        let (f, s) = r?;
        all.extend(f);
        stats.files += s.files;
        stats.bytes += s.bytes;
        stats.binary += s.binary;
        stats.too_large += s.too_large;
    }
    Ok((all, stats))
}
