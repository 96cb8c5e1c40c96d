//! Files in, files out, the same way for every Palisade command.
//!
//! Two rules from the project's conventions live here so that no command has to
//! re-implement them:
//!
//! * **Nothing already written is lost or half-written.** [`write_atomic`] writes to a
//!   temporary file in the destination's directory, flushes it to disk and renames it
//!   over the destination. A crash leaves either the old file or the new one, never a
//!   mix. [`append_line_atomic`] does the same for JSON Lines files such as attestation
//!   bundles.
//! * **Untrusted input is bounded.** [`read_limited`] refuses files larger than a limit
//!   before reading them whole, and every error names the file.
//!
//! This crate does no parsing and no printing.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Default ceiling for a single input document (keys, envelopes, metadata): 64 MiB.
pub const DEFAULT_READ_LIMIT: u64 = 64 * 1024 * 1024;

/// An I/O failure that names the file it happened on.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// The file is larger than the caller allows.
    #[error("{path}: file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, or the number of bytes read before giving up.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The destination exists and overwriting was not asked for.
    #[error("{path}: already exists (use --force to overwrite)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
}

impl IoError {
    fn io(path: &Path, source: io::Error) -> Self {
        IoError::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }
}

/// Reads all of `reader` into `buf` (appending), failing with `TooLarge` past `limit`.
fn read_bounded(
    reader: &mut dyn Read,
    path: &Path,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<(), IoError> {
    let read = reader
        .take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(|e| IoError::io(path, e))?;
    if read as u64 > limit {
        buf.clear();
        return Err(IoError::TooLarge {
            path: path.to_path_buf(),
            size: read as u64,
            limit,
        });
    }
    Ok(())
}

/// Reads a whole file into `buf` (cleared first; its allocation is reused, so a loop
/// over many files allocates once), refusing it if it is larger than `limit` bytes.
/// Same checks as [`read_limited`]; `-` is not special here.
pub fn read_limited_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), IoError> {
    buf.clear();
    let (mut file, size) = open_within(path, limit)?;
    if let Some(len) = size {
        // One read for a file that does not change meanwhile, plus the one that sees EOF.
        buf.reserve(usize::try_from(len).unwrap_or(0).saturating_add(1));
    }
    read_bounded(&mut file, path, limit, buf)
}

/// Opens a file for reading, refusing a regular file larger than `limit` bytes before
/// anything is read; its size when it is a regular file.
fn open_within(path: &Path, limit: u64) -> Result<(fs::File, Option<u64>), IoError> {
    let file = fs::File::open(path).map_err(|e| IoError::io(path, e))?;
    let size = match file.metadata() {
        Ok(meta) if meta.is_file() => Some(meta.len()),
        _ => None,
    };
    if let Some(len) = size
        && len > limit
    {
        return Err(IoError::TooLarge {
            path: path.to_path_buf(),
            size: len,
            limit,
        });
    }
    Ok((file, size))
}

/// Like [`read_limited_into`], but first reads only the file's first `head` bytes (all of
/// a shorter file) and asks `keep` about them: when it says no, the rest is never read
/// (`Ok(false)`, the head left in `buf`), so a large file that is skipped for what it
/// starts with (a binary) costs one small read and no big allocation. Same size checks
/// as [`read_limited_into`].
pub fn read_limited_into_if(
    path: &Path,
    limit: u64,
    buf: &mut Vec<u8>,
    head: usize,
    keep: impl FnOnce(&[u8]) -> bool,
) -> Result<bool, IoError> {
    buf.clear();
    let (mut file, size) = open_within(path, limit)?;
    let first = usize::try_from(limit.saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(head);
    buf.reserve(first);
    let got = (&mut file)
        .take(first as u64)
        .read_to_end(buf)
        .map_err(|e| IoError::io(path, e))?;
    if got as u64 > limit {
        buf.clear();
        return Err(IoError::TooLarge {
            path: path.to_path_buf(),
            size: got as u64,
            limit,
        });
    }
    if !keep(buf) {
        return Ok(false);
    }
    if got < first {
        return Ok(true);
    }
    if let Some(len) = size {
        buf.reserve(
            usize::try_from(len)
                .unwrap_or(0)
                .saturating_sub(got)
                .saturating_add(1),
        );
    }
    let rest = limit.saturating_sub(got as u64);
    read_bounded(&mut file, path, rest, buf).map_err(|e| match e {
        IoError::TooLarge {
            path,
            size,
            limit: _,
        } => IoError::TooLarge {
            path,
            size: size.saturating_add(got as u64),
            limit,
        },
        other => other,
    })?;
    Ok(true)
}

/// Reads a whole file, refusing it if it is larger than `limit` bytes.
///
/// The size is checked before reading and again while reading, so a file that grows,
/// or a device that never ends, cannot exhaust memory. `-` reads standard input.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IoError> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        read_bounded(&mut io::stdin().lock(), path, limit, &mut buf)?;
    } else {
        read_limited_into(path, limit, &mut buf)?;
    }
    Ok(buf)
}

/// How [`write_atomic`] treats an existing destination and the new file's mode.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Replace an existing file. Without it an existing destination is an error.
    pub overwrite: bool,
    /// Unix permission bits for the new file (e.g. `0o600` for private keys).
    /// `None` keeps the temporary file's default (0600), then widens to 0644.
    pub mode: Option<u32>,
}

/// Writes `contents` to `path` atomically: temporary file, fsync, rename.
pub fn write_atomic(path: &Path, contents: &[u8], opts: WriteOptions) -> Result<(), IoError> {
    write_via_temp(path, contents, opts, true)
}

/// Like [`write_atomic`] (readers never see a half-written file under `path`) but
/// without the fsync: after a power cut the file may be empty or stale. Only for files
/// whose contents are verified every time they are read, such as downloaded TUF targets
/// (checked against their trusted length and hashes before use), where an fsync per file
/// would dominate the cost of a download.
///
/// On Linux a new file is written as an unnamed inode (`O_TMPFILE`) and given its name
/// with `linkat` once complete: one directory entry per file instead of a temporary name
/// created and renamed away. Where that is not available (file system or kernel without
/// `O_TMPFILE`, no `/proc` to link from) or the destination exists, it is the temporary
/// file and rename of [`write_atomic`].
pub fn write_replaceable(path: &Path, contents: &[u8], opts: WriteOptions) -> Result<(), IoError> {
    write_replaceable_how(path, contents, opts, true).map(|_| ())
}

/// How [`write_replaceable`] wrote a file (for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// An `O_TMPFILE` inode linked under its name.
    Linked,
    /// A named temporary file renamed over the destination.
    Renamed,
}

fn write_replaceable_how(
    path: &Path,
    contents: &[u8],
    opts: WriteOptions,
    try_tmpfile: bool,
) -> Result<Written, IoError> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if try_tmpfile && opts.overwrite && unnamed::write_linked(path, contents, opts.mode)? {
        return Ok(Written::Linked);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = try_tmpfile;
    write_via_temp(path, contents, opts, false)?;
    Ok(Written::Renamed)
}

/// Files written as unnamed inodes (`O_TMPFILE`) and linked under their name once whole.
#[cfg(any(target_os = "linux", target_os = "android"))]
mod unnamed {
    use std::io::Write;
    use std::path::Path;
    use std::sync::atomic::{AtomicU8, Ordering};

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use rustix::io::Errno;

    use crate::IoError;

    /// How an unnamed inode gets its name here: not known yet, `linkat(fd, "",
    /// AT_EMPTY_PATH)` (needs `CAP_DAC_READ_SEARCH` before Linux 6.10), or through
    /// `/proc/self/fd/N` (`AT_SYMLINK_FOLLOW`, any user, needs `/proc`), or neither.
    static LINK: AtomicU8 = AtomicU8::new(UNKNOWN);
    const UNKNOWN: u8 = 0;
    const EMPTY_PATH: u8 = 1;
    const PROC: u8 = 2;
    const NEITHER: u8 = 3;
    /// Set once `O_TMPFILE` itself is refused (old kernel, file system without it).
    static NO_TMPFILE: AtomicU8 = AtomicU8::new(0);

    /// Writes `contents` to a new unnamed inode in `path`'s directory and links it as
    /// `path`. `Ok(false)`: nothing was created and the caller must use another way (no
    /// `O_TMPFILE` here, no way to link, or `path` exists: `linkat` never replaces).
    pub(crate) fn write_linked(
        path: &Path,
        contents: &[u8],
        mode: Option<u32>,
    ) -> Result<bool, IoError> {
        if NO_TMPFILE.load(Ordering::Relaxed) != 0 || LINK.load(Ordering::Relaxed) == NEITHER {
            return Ok(false);
        }
        let dir = crate::parent_dir(path);
        let fd = match rustix::fs::openat(
            CWD,
            &dir,
            OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        ) {
            Ok(fd) => fd,
            Err(e) => {
                // EISDIR: a kernel older than O_TMPFILE; EOPNOTSUPP: the file system.
                if e == Errno::ISDIR || e == Errno::OPNOTSUPP {
                    NO_TMPFILE.store(1, Ordering::Relaxed);
                }
                return Ok(false);
            }
        };
        let mut file = std::fs::File::from(fd);
        file.write_all(contents).map_err(|e| IoError::io(path, e))?;
        crate::set_mode(&file, mode.unwrap_or(0o644)).map_err(|e| IoError::io(path, e))?;
        link(&file, path)
    }

    /// Links through `/proc/self/fd` from now on (tests).
    #[cfg(test)]
    pub(crate) fn force_proc_link() {
        LINK.store(PROC, Ordering::Relaxed);
    }

    /// Gives the complete unnamed inode `file` the name `path`.
    fn link(file: &std::fs::File, path: &Path) -> Result<bool, IoError> {
        let how = LINK.load(Ordering::Relaxed);
        if how == UNKNOWN || how == EMPTY_PATH {
            match rustix::fs::linkat(file, "", CWD, path, AtFlags::EMPTY_PATH) {
                Ok(()) => {
                    LINK.store(EMPTY_PATH, Ordering::Relaxed);
                    return Ok(true);
                }
                Err(Errno::EXIST) => return Ok(false),
                // Without the capability: ENOENT (or EPERM); try /proc once.
                Err(Errno::NOENT | Errno::PERM | Errno::ACCESS) if how == UNKNOWN => {}
                Err(e) => return Err(IoError::io(path, e.into())),
            }
        }
        let fd = std::os::fd::AsRawFd::as_raw_fd(file);
        let proc_path = format!("/proc/self/fd/{fd}");
        match rustix::fs::linkat(CWD, proc_path.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => {
                LINK.store(PROC, Ordering::Relaxed);
                Ok(true)
            }
            Err(Errno::EXIST) => Ok(false),
            Err(_) if how == UNKNOWN => {
                LINK.store(NEITHER, Ordering::Relaxed);
                Ok(false)
            }
            Err(e) => Err(IoError::io(path, e.into())),
        }
    }
}

fn write_via_temp(
    path: &Path,
    contents: &[u8],
    opts: WriteOptions,
    durable: bool,
) -> Result<(), IoError> {
    let mut file = AtomicFile::create(path, opts)?;
    file.write_all(contents).map_err(|e| IoError::io(path, e))?;
    file.finish(durable)
}

/// A file written in pieces that replaces `path` only when [`commit`](Self::commit)ted:
/// the bytes go to a temporary file in the same directory; `commit` flushes it to disk,
/// sets its mode and renames it over `path`. Dropped without a commit (an error on the
/// way, a panic), the temporary file is removed and `path` is untouched. For output too
/// large to hold whole, or that is written while it is still being produced.
pub struct AtomicFile {
    path: PathBuf,
    opts: WriteOptions,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Starts a replacement of `path`. Fails at once, writing nothing, when `path`
    /// exists and `opts.overwrite` is not set (it is checked again at the rename).
    pub fn create(path: &Path, opts: WriteOptions) -> Result<Self, IoError> {
        let dir = crate::parent_dir(path);
        if !opts.overwrite && fs::symlink_metadata(path).is_ok() {
            return Err(IoError::Exists {
                path: path.to_path_buf(),
            });
        }
        let tmp = tempfile::Builder::new()
            .prefix(".palisade-tmp-")
            .tempfile_in(&dir)
            .map_err(|e| IoError::io(path, e))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            opts,
            tmp,
        })
    }

    /// The file this replaces, for error messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the bytes to disk, then puts the file in place of `path`.
    pub fn commit(self) -> Result<(), IoError> {
        self.finish(true)
    }

    fn finish(self, durable: bool) -> Result<(), IoError> {
        let AtomicFile { path, opts, tmp } = self;
        if durable {
            tmp.as_file()
                .sync_all()
                .map_err(|e| IoError::io(&path, e))?;
        }
        set_mode(tmp.as_file(), opts.mode.unwrap_or(0o644)).map_err(|e| IoError::io(&path, e))?;
        if opts.overwrite {
            tmp.persist(&path)
                .map_err(|e| IoError::io(&path, e.error))?;
        } else {
            tmp.persist_noclobber(&path).map_err(|e| {
                if e.error.kind() == io::ErrorKind::AlreadyExists {
                    IoError::Exists { path: path.clone() }
                } else {
                    IoError::io(&path, e.error)
                }
            })?;
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.as_file_mut().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.as_file_mut().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The directory `path` is in (`.` for a bare file name): where its temporary file goes.
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Appends one line (a newline is added) to a JSON Lines file, atomically.
///
/// The existing content is read (bounded by `limit`), the line appended, and the whole
/// file replaced by [`write_atomic`], so an interrupted append never leaves a partial
/// line behind. A file that does not end in a newline gets one before the new line.
pub fn append_line_atomic(path: &Path, line: &[u8], limit: u64) -> Result<(), IoError> {
    let mut contents = match read_limited(path, limit) {
        Ok(c) => c,
        Err(IoError::Io { error, .. }) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    if !contents.is_empty() && !contents.ends_with(b"\n") {
        contents.push(b'\n');
    }
    contents.extend_from_slice(line);
    contents.push(b'\n');
    write_atomic(
        path,
        &contents,
        WriteOptions {
            overwrite: true,
            mode: None,
        },
    )
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_flag() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        write_atomic(&p, b"one", WriteOptions::default()).unwrap();
        let err = write_atomic(&p, b"two", WriteOptions::default()).unwrap_err();
        assert!(matches!(err, IoError::Exists { .. }));
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_atomic(
            &p,
            b"two",
            WriteOptions {
                overwrite: true,
                mode: Some(0o600),
            },
        )
        .unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        // no temporary files are left behind
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    fn mode_of(p: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(p).unwrap().permissions().mode() & 0o777
        }
        #[cfg(not(unix))]
        0o644
    }

    #[test]
    fn replaceable_writes_link_a_new_file_and_rename_over_an_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.bin");
        let opts = WriteOptions {
            overwrite: true,
            mode: None,
        };
        let how = write_replaceable_how(&p, b"first", opts, true).unwrap();
        // Linux: an O_TMPFILE inode linked in (tmpfs, ext4, xfs, btrfs all have it).
        #[cfg(any(target_os = "linux", target_os = "android"))]
        assert_eq!(how, Written::Linked);
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        assert_eq!(how, Written::Renamed);
        assert_eq!(fs::read(&p).unwrap(), b"first");
        assert_eq!(mode_of(&p), 0o644);
        // linkat never replaces: an existing file is replaced by the temporary + rename.
        let how = write_replaceable_how(&p, b"second", opts, true).unwrap();
        assert_eq!(how, Written::Renamed);
        assert_eq!(fs::read(&p).unwrap(), b"second");
        // Nothing else is left in the folder (no temporary names, no stray links).
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // A private mode is kept.
        let q = dir.path().join("private");
        write_replaceable(
            &q,
            b"k",
            WriteOptions {
                overwrite: true,
                mode: Some(0o600),
            },
        )
        .unwrap();
        assert_eq!(mode_of(&q), 0o600);
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn replaceable_write_links_through_proc_without_the_capability() {
        // What a process without CAP_DAC_READ_SEARCH uses (linkat AT_EMPTY_PATH refused):
        // the /proc/self/fd link. Forced here (root would take AT_EMPTY_PATH); either
        // way is correct for the other tests running meanwhile.
        unnamed::force_proc_link();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.bin");
        let opts = WriteOptions {
            overwrite: true,
            mode: None,
        };
        assert_eq!(
            write_replaceable_how(&p, b"via proc", opts, true).unwrap(),
            Written::Linked
        );
        assert_eq!(fs::read(&p).unwrap(), b"via proc");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn replaceable_write_falls_back_to_temporary_file_and_rename() {
        // Where O_TMPFILE is not available (other systems, file systems without it).
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.bin");
        let opts = WriteOptions {
            overwrite: true,
            mode: None,
        };
        let how = write_replaceable_how(&p, b"data", opts, false).unwrap();
        assert_eq!(how, Written::Renamed);
        assert_eq!(fs::read(&p).unwrap(), b"data");
        assert_eq!(mode_of(&p), 0o644);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // Without overwrite an existing file is refused, whichever way is tried.
        let err = write_replaceable(&p, b"other", WriteOptions::default()).unwrap_err();
        assert!(matches!(err, IoError::Exists { .. }), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"data");
    }

    #[test]
    fn replaceable_write_into_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no-such-dir").join("t.bin");
        let err = write_replaceable(
            &p,
            b"x",
            WriteOptions {
                overwrite: true,
                mode: None,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("t.bin"), "{err}");
    }

    #[test]
    fn atomic_file_replaces_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sbom.json");
        fs::write(&p, b"old").unwrap();
        let opts = WriteOptions {
            overwrite: true,
            mode: None,
        };
        let mut f = AtomicFile::create(&p, opts).unwrap();
        f.write_all(b"new ").unwrap();
        f.write_all(b"bytes").unwrap();
        // Not committed: the old file stays, and the temporary file goes with the value.
        assert_eq!(fs::read(&p).unwrap(), b"old");
        drop(f);
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = AtomicFile::create(&p, opts).unwrap();
        f.write_all(b"new bytes").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new bytes");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // Without overwrite an existing file is refused before anything is written.
        let err = AtomicFile::create(&p, WriteOptions::default())
            .err()
            .unwrap();
        assert!(matches!(err, IoError::Exists { .. }));
    }

    #[test]
    fn read_limited_refuses_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        fs::write(&p, vec![b'x'; 100]).unwrap();
        assert!(read_limited(&p, 100).is_ok());
        let err = read_limited(&p, 99).unwrap_err();
        assert!(err.to_string().contains("more than the limit"), "{err}");
        assert!(err.to_string().contains("big"));
    }

    #[test]
    fn read_if_stops_after_the_head_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let mut data = vec![b'a'; 10_000];
        data[5] = 0;
        fs::write(&p, &data).unwrap();
        let mut buf = Vec::new();
        // Refused on its head: only the head is read.
        let kept = read_limited_into_if(&p, 1 << 20, &mut buf, 4096, |h| !h.contains(&0)).unwrap();
        assert!(!kept);
        assert_eq!(buf.len(), 4096);
        // Kept: the whole file, in order.
        let kept = read_limited_into_if(&p, 1 << 20, &mut buf, 4096, |_| true).unwrap();
        assert!(kept);
        assert_eq!(buf, data);
        // Shorter than the head: `keep` is asked about the whole file.
        fs::write(&p, b"short\0").unwrap();
        let kept = read_limited_into_if(&p, 1 << 20, &mut buf, 4096, |h| h == b"short\0").unwrap();
        assert!(kept);
        assert_eq!(buf, b"short\0");
        let kept = read_limited_into_if(&p, 1 << 20, &mut buf, 4096, |_| false).unwrap();
        assert!(!kept);
        // Size limits: below the head and above it; the reported size is the whole read.
        fs::write(&p, vec![b'x'; 10_000]).unwrap();
        for limit in [100, 9_999] {
            let err = read_limited_into_if(&p, limit, &mut buf, 4096, |_| true).unwrap_err();
            assert!(
                matches!(err, IoError::TooLarge { limit: l, .. } if l == limit),
                "{err}"
            );
            assert!(buf.is_empty());
        }
        let kept = read_limited_into_if(&p, 10_000, &mut buf, 4096, |_| true).unwrap();
        assert!(kept && buf.len() == 10_000);
    }

    #[test]
    fn append_adds_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.jsonl");
        append_line_atomic(&p, b"{}", 1000).unwrap();
        fs::write(&p, b"{}\n{\"a\":1}").unwrap();
        append_line_atomic(&p, b"[]", 1000).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{}\n{\"a\":1}\n[]\n");
    }
}
