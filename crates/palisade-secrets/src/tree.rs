//! Scanning a directory (or one file): in a git work tree `.gitignore` is honoured; a plain directory
//! is scanned whole, hidden files included. Binaries, symlinks and files over the size
//! limit are skipped. Files are read and scanned in parallel.

use std::path::{Path, PathBuf};

use std::sync::Mutex;

use crate::{Findings, Location, Match, Scanner, SecretsError, is_binary};

/// Options of a tree scan.
#[derive(Debug, Clone)]
pub struct TreeOptions {
    /// Largest file scanned, bytes.
    pub max_file_size: u64,
    /// Gitignore-style globs of paths never scanned.
    pub skip_paths: Vec<String>,
    /// Levels of archives opened inside files (0: none).
    pub max_archive_depth: u32,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            max_file_size: crate::DEFAULT_MAX_FILE_SIZE,
            skip_paths: Vec::new(),
            max_archive_depth: crate::archive::DEFAULT_MAX_DEPTH,
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
    /// Archive members skipped, by reason.
    pub archive: crate::archive::Skipped,
}

/// Whether `root` is inside a git work tree.
pub fn in_git_repo(root: &Path) -> bool {
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    abs.ancestors().any(|a| a.join(".git").exists())
}

/// The walker over `root`: `.gitignore` honoured in a git work tree, hidden files
/// included, `.git` and `skip_paths` left out, symlinks not followed.
fn walker(root: &Path, opts: &TreeOptions) -> Result<ignore::WalkBuilder, SecretsError> {
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
    let mut b = ignore::WalkBuilder::new(root);
    b.hidden(false)
        .parents(git)
        .ignore(false)
        .git_ignore(git)
        .git_exclude(git)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .overrides(overrides)
        .filter_entry(|e| e.file_name() != ".git");
    Ok(b)
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
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
    let mut out = Vec::new();
    for entry in walker(root, opts)?.build() {
        let entry = entry.map_err(|e| SecretsError::Git(format!("{}: {e}", root.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        out.push((entry.path().to_path_buf(), rel_path(root, entry.path())));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// One worker's share of a tree scan: its findings, its counts and its read buffer
/// (reused for every file it reads).
struct Worker<'a> {
    scanner: &'a Scanner,
    opts: &'a TreeOptions,
    on_match: &'a (dyn Fn(&str, &[Match]) + Sync),
    findings: Findings,
    stats: TreeStats,
    buf: Vec<u8>,
}

impl Worker<'_> {
    /// Reads and scans one file.
    fn file(&mut self, abs: &Path, rel: &str) -> Result<(), SecretsError> {
        // The first block says what the file is: an archive, binary (the rest of it is
        // then never read) or text. It is looked at once.
        let archives = self.opts.max_archive_depth > 0;
        let mut archive = false;
        match palisade_io::read_limited_into_if(
            abs,
            self.opts.max_file_size,
            &mut self.buf,
            crate::BINARY_PROBE,
            |head| {
                archive = archives && crate::archive::kind(head).is_some();
                archive || !is_binary(head)
            },
        ) {
            Ok(true) => {}
            Ok(false) => {
                self.stats.binary += 1;
                return Ok(());
            }
            // Too large, or grew meanwhile.
            Err(palisade_io::IoError::TooLarge { .. }) => {
                self.stats.too_large += 1;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        if archive {
            let buf = std::mem::take(&mut self.buf);
            let limits = crate::archive::ArchiveLimits::new(
                self.opts.max_archive_depth,
                self.opts.max_file_size,
            );
            let mut skipped = crate::archive::Skipped::default();
            crate::archive::walk(rel, &buf, &limits, &mut skipped, &mut |name, bytes| {
                self.text(name, bytes)
            });
            self.stats.archive.add(&skipped);
            self.buf = buf;
            return Ok(());
        }
        let buf = std::mem::take(&mut self.buf);
        self.scan_text(rel, &buf);
        self.buf = buf;
        // A huge file's buffer is not kept for the rest of the walk.
        if self.buf.capacity() > 4 * 1024 * 1024 {
            self.buf = Vec::new();
        }
        Ok(())
    }

    /// Scans the bytes of an archive member, unless binary.
    fn text(&mut self, rel: &str, bytes: &[u8]) {
        if is_binary(bytes) {
            self.stats.binary += 1;
            return;
        }
        self.scan_text(rel, bytes);
    }

    /// Scans bytes known to be text.
    fn scan_text(&mut self, rel: &str, bytes: &[u8]) {
        self.stats.files += 1;
        self.stats.bytes += bytes.len() as u64;
        let ms = self.scanner.scan(rel, bytes);
        if !ms.is_empty() {
            (self.on_match)(rel, &ms);
            for m in &ms {
                self.findings.add(
                    self.scanner,
                    m,
                    Location {
                        path: rel.to_string(),
                        line: m.line,
                        column: m.column,
                        commit: None,
                    },
                );
            }
        }
    }
}

/// What the workers hand back when they finish: merged findings and counts, and the
/// first error.
type Shared = Mutex<(Findings, TreeStats, Option<SecretsError>)>;

struct Visitor<'a> {
    root: &'a Path,
    worker: Worker<'a>,
    shared: &'a Shared,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let res = match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                let rel = rel_path(self.root, e.path());
                self.worker.file(e.path(), &rel)
            }
            Ok(_) => Ok(()),
            Err(e) => Err(SecretsError::Git(format!("{}: {e}", self.root.display()))),
        };
        match res {
            Ok(()) => ignore::WalkState::Continue,
            Err(e) => {
                let mut g = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                g.2.get_or_insert(e);
                ignore::WalkState::Quit
            }
        }
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut g = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        g.0.extend(std::mem::take(&mut self.worker.findings));
        let s = &self.worker.stats;
        g.1.files += s.files;
        g.1.bytes += s.bytes;
        g.1.binary += s.binary;
        g.1.too_large += s.too_large;
        g.1.archive.add(&s.archive);
    }
}

struct Builder<'a> {
    root: &'a Path,
    scanner: &'a Scanner,
    opts: &'a TreeOptions,
    on_match: &'a (dyn Fn(&str, &[Match]) + Sync),
    shared: &'a Shared,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root,
            worker: Worker {
                scanner: self.scanner,
                opts: self.opts,
                on_match: self.on_match,
                findings: Findings::new(),
                stats: TreeStats::default(),
                buf: Vec::new(),
            },
            shared: self.shared,
        })
    }
}

/// Scans a directory (or one file). Files are read and scanned by the directory walk's
/// own threads, each reusing one buffer. `on_match` sees each file's matches as soon as
/// they are found (JSONL streaming); it is called from worker threads.
pub fn scan_tree(
    scanner: &Scanner,
    root: &Path,
    opts: &TreeOptions,
    on_match: &(dyn Fn(&str, &[Match]) + Sync),
) -> Result<(Findings, TreeStats), SecretsError> {
    let mut worker = Worker {
        scanner,
        opts,
        on_match,
        findings: Findings::new(),
        stats: TreeStats::default(),
        buf: Vec::new(),
    };
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        worker.file(root, &name)?;
        return Ok((worker.findings, worker.stats));
    }
    let shared: Shared = Mutex::new((Findings::new(), TreeStats::default(), None));
    let threads = rayon::current_num_threads();
    walker(root, opts)?
        .threads(threads)
        .build_parallel()
        .visit(&mut Builder {
            root,
            scanner,
            opts,
            on_match,
            shared: &shared,
        });
    let (findings, stats, err) = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    match err {
        Some(e) => Err(e),
        None => Ok((findings, stats)),
    }
}
