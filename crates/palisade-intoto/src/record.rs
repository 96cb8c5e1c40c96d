//! Recording artefacts (sha256 of files under given paths) and running a step's command,
//! the way Python in-toto's `in-toto-run` / `in-toto-record` do.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use palisade_cjson::Value;
use wait_timeout::ChildExt;

use crate::IntotoError;
use crate::model::{Artifacts, MAX_ARTIFACTS};
use crate::pattern::Excludes;

/// How paths are recorded.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    /// gitignore-style exclude patterns; empty means Python's defaults
    /// (`*.link*`, `.git`, `*.pyc`, `*~`).
    pub exclude: Vec<String>,
    /// Prefixes taken off the recorded names (the first that matches).
    pub lstrip: Vec<String>,
    /// Descend into symlinked directories.
    pub follow_symlink_dirs: bool,
    /// Hash with CRLF and CR turned into LF.
    pub normalize_line_endings: bool,
    /// Resolve the paths relative to this directory (names stay relative).
    pub base_path: Option<PathBuf>,
}

/// Python's `os.path.normpath` for relative and absolute POSIX paths.
pub fn normpath(p: &str) -> String {
    let abs = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !abs {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    let joined = out.join("/");
    match (abs, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn hash_file(path: &Path, normalize: bool) -> Result<String, IntotoError> {
    let io = |e: std::io::Error| {
        IntotoError::Io(palisade_io::IoError::Io {
            path: path.to_path_buf(),
            error: e,
        })
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending_cr = false;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        if !normalize {
            ctx.update(&buf[..n]);
            continue;
        }
        let mut out = Vec::with_capacity(n + 1);
        for &b in &buf[..n] {
            if pending_cr {
                pending_cr = false;
                out.push(b'\n');
                if b == b'\n' {
                    continue;
                }
            }
            if b == b'\r' {
                pending_cr = true;
            } else {
                out.push(b);
            }
        }
        ctx.update(&out);
    }
    if pending_cr {
        ctx.update(b"\n");
    }
    Ok(hex::encode(ctx.finish()))
}

struct Recorder<'a> {
    opts: &'a RecordOptions,
    excludes: Excludes,
    root: PathBuf,
    out: Artifacts,
}

impl Recorder<'_> {
    fn add(&mut self, name: &str, fs_path: &Path) -> Result<(), IntotoError> {
        let mut name = name.replace('\\', "/");
        for p in &self.opts.lstrip {
            if let Some(rest) = name.strip_prefix(p.as_str()) {
                name = rest.to_string();
                break;
            }
        }
        if !self.opts.lstrip.is_empty() && self.out.contains_key(&name) {
            return Err(IntotoError::Record(format!(
                "left-stripping gives the name '{name}' twice"
            )));
        }
        if self.out.len() >= MAX_ARTIFACTS {
            return Err(IntotoError::Record(format!(
                "more than {MAX_ARTIFACTS} artefacts"
            )));
        }
        let h = hash_file(fs_path, self.opts.normalize_line_endings)?;
        self.out
            .insert(name, BTreeMap::from([("sha256".to_string(), h)]).into());
        Ok(())
    }

    fn walk(&mut self, rel: &str, seen: &mut Vec<PathBuf>) -> Result<(), IntotoError> {
        let dir = self.root.join(rel);
        let io = |e: std::io::Error| {
            IntotoError::Io(palisade_io::IoError::Io {
                path: dir.clone(),
                error: e,
            })
        };
        let mut pushed = false;
        if self.opts.follow_symlink_dirs
            && let Ok(c) = std::fs::canonicalize(&dir)
        {
            if seen.contains(&c) {
                return Ok(());
            }
            seen.push(c);
            pushed = true;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Some(fname) = e.file_name().to_str().map(String::from) else {
                continue; // not UTF-8: Python would record it; we cannot name it in JSON
            };
            let child = normpath(&format!("{rel}/{fname}"));
            let fs = self.root.join(&child);
            let lmeta = match std::fs::symlink_metadata(&fs) {
                Ok(m) => m,
                Err(_) => continue,
            };
            let meta = std::fs::metadata(&fs).ok(); // follows symlinks; None when broken
            let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
            if is_dir {
                if self.excludes.excluded(&child, true) {
                    continue;
                }
                if lmeta.file_type().is_symlink() && !self.opts.follow_symlink_dirs {
                    continue;
                }
                self.walk(&child, seen)?;
            } else if meta.as_ref().is_some_and(|m| m.is_file()) {
                if self.excludes.excluded(&child, false) {
                    continue;
                }
                self.add(&child, &fs)?;
            }
        }
        if pushed {
            seen.pop();
        }
        Ok(())
    }
}

/// Records the files under `paths` (files or directories, relative to the base path or
/// the working directory): name → `{sha256}`. Missing paths are skipped, as in Python.
pub fn record_artifacts(paths: &[String], opts: &RecordOptions) -> Result<Artifacts, IntotoError> {
    let excludes = if opts.exclude.is_empty() {
        Excludes::python_defaults()
    } else {
        Excludes::new(&opts.exclude)
    };
    for (i, a) in opts.lstrip.iter().enumerate() {
        for b in &opts.lstrip[i + 1..] {
            if a.starts_with(b.as_str()) || b.starts_with(a.as_str()) {
                return Err(IntotoError::Record(format!(
                    "lstrip prefixes '{a}' and '{b}' overlap"
                )));
            }
        }
    }
    let root = opts.base_path.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut r = Recorder {
        opts,
        excludes,
        root,
        out: Artifacts::new(),
    };
    for p in paths {
        let p = normpath(p);
        let fs = r.root.join(&p);
        let Ok(meta) = std::fs::metadata(&fs) else {
            continue;
        };
        if meta.is_file() {
            if !r.excludes.excluded(&p, false) {
                r.add(&p, &fs)?;
            }
        } else if meta.is_dir() && !r.excludes.excluded(&p, true) {
            let mut seen = Vec::new();
            r.walk(&p, &mut seen)?;
        }
    }
    Ok(r.out)
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct CommandResult {
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8).
    pub stderr: String,
    /// Exit code; minus the signal number when killed by a signal.
    pub return_value: i64,
}

impl CommandResult {
    /// The byproducts object of a link.
    pub fn byproducts(&self) -> BTreeMap<String, Value> {
        BTreeMap::from([
            ("stdout".to_string(), Value::String(self.stdout.clone())),
            ("stderr".to_string(), Value::String(self.stderr.clone())),
            (
                "return-value".to_string(),
                Value::Int(self.return_value.to_string()),
            ),
        ])
    }
}

/// The most output kept of each stream: 16 MiB (the rest is read and dropped).
pub const MAX_STREAM_BYTES: usize = 16 * 1024 * 1024;

/// Which of our streams a child's stream is copied to as it arrives.
#[derive(Clone, Copy)]
enum Tee {
    None,
    Stdout,
    Stderr,
}

fn drain<R: Read + Send + 'static>(r: Option<R>, tee: Tee) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        if let Some(mut r) = r {
            let mut buf = [0u8; 8192];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Shown live (as Python's in-toto-run duplicates the streams); a closed
                // terminal does not stop the recording.
                match tee {
                    Tee::None => {}
                    Tee::Stdout => {
                        let mut o = std::io::stdout().lock();
                        let _ = o.write_all(&buf[..n]).and_then(|_| o.flush());
                    }
                    Tee::Stderr => {
                        let _ = std::io::stderr().lock().write_all(&buf[..n]);
                    }
                }
                let room = MAX_STREAM_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
        kept
    })
}

/// Runs `argv` (no shell), capturing stdout and stderr, killing it after `timeout`.
pub fn run_command(
    argv: &[String],
    cwd: Option<&Path>,
    timeout: Option<Duration>,
) -> Result<CommandResult, IntotoError> {
    run_command_echo(argv, cwd, timeout, false)
}

/// [`run_command`], and with `echo` the command's output is also copied to our stdout and
/// stderr as it arrives (a step's build log stays visible while it is recorded).
pub fn run_command_echo(
    argv: &[String],
    cwd: Option<&Path>,
    timeout: Option<Duration>,
    echo: bool,
) -> Result<CommandResult, IntotoError> {
    let Some((prog, args)) = argv.split_first() else {
        return Err(IntotoError::Record("empty command".into()));
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| IntotoError::Record(format!("cannot run '{prog}': {e}")))?;
    let (to_out, to_err) = if echo {
        (Tee::Stdout, Tee::Stderr)
    } else {
        (Tee::None, Tee::None)
    };
    let out = drain(child.stdout.take(), to_out);
    let err = drain(child.stderr.take(), to_err);
    let status = match timeout {
        Some(t) => match child.wait_timeout(t) {
            Ok(Some(s)) => s,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(IntotoError::Timeout {
                    command: argv.join(" "),
                    seconds: t.as_secs(),
                });
            }
            Err(e) => return Err(IntotoError::Record(format!("waiting for '{prog}': {e}"))),
        },
        None => child
            .wait()
            .map_err(|e| IntotoError::Record(format!("waiting for '{prog}': {e}")))?,
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let return_value = match status.code() {
        Some(c) => i64::from(c),
        None => {
            use std::os::unix::process::ExitStatusExt;
            -i64::from(status.signal().unwrap_or(0))
        }
    };
    Ok(CommandResult {
        stdout,
        stderr,
        return_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("./a//b/./c/"), "a/b/c");
        assert_eq!(normpath("."), ".");
        assert_eq!(normpath("a/../.."), "..");
        assert_eq!(normpath("/a/../../b"), "/b");
    }

    #[test]
    fn records_with_excludes_lstrip_and_line_endings() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/.git")).unwrap();
        std::fs::write(d.path().join("src/a.txt"), b"x\r\ny\r").unwrap();
        std::fs::write(d.path().join("src/b.link"), b"l").unwrap();
        std::fs::write(d.path().join("src/.git/HEAD"), b"h").unwrap();
        std::fs::write(d.path().join("top"), b"t").unwrap();
        let opts = RecordOptions {
            base_path: Some(d.path().to_path_buf()),
            ..Default::default()
        };
        let a = record_artifacts(&[".".into()], &opts).unwrap();
        assert_eq!(a.keys().collect::<Vec<_>>(), vec!["src/a.txt", "top"]);
        let opts2 = RecordOptions {
            base_path: Some(d.path().to_path_buf()),
            lstrip: vec!["src/".into()],
            normalize_line_endings: true,
            exclude: vec!["top".into(), ".git".into()],
            ..Default::default()
        };
        let b =
            record_artifacts(&["./src".into(), "top".into(), "missing".into()], &opts2).unwrap();
        assert_eq!(b.keys().collect::<Vec<_>>(), vec!["a.txt", "b.link"]);
        assert_eq!(b["a.txt"]["sha256"], palisade_keys::sha256_hex(b"x\ny\n"));
    }

    #[test]
    fn symlinks_like_python() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("real/sub")).unwrap();
        std::fs::write(root.join("real/sub/f"), b"f").unwrap();
        std::os::unix::fs::symlink("real", root.join("linkdir")).unwrap();
        std::os::unix::fs::symlink("real/sub/f", root.join("linkfile")).unwrap();
        std::os::unix::fs::symlink("nowhere", root.join("broken")).unwrap();
        std::os::unix::fs::symlink("..", root.join("real/loop")).unwrap();
        let mut opts = RecordOptions {
            base_path: Some(root.to_path_buf()),
            ..Default::default()
        };
        let a = record_artifacts(&[".".into()], &opts).unwrap();
        // a symlinked file is hashed (its target's bytes); directories behind links are
        // not entered; broken links are skipped
        assert_eq!(a.keys().collect::<Vec<_>>(), vec!["linkfile", "real/sub/f"]);
        opts.follow_symlink_dirs = true;
        let b = record_artifacts(&[".".into()], &opts).unwrap();
        assert!(b.contains_key("linkdir/sub/f"), "{b:?}");
        // the loop back to the top is not followed forever
        assert!(b.len() < 10, "{b:?}");
    }

    #[test]
    fn command_timeout_and_streams() {
        let r = run_command(
            &[
                "sh".into(),
                "-c".into(),
                "echo out; echo err >&2; exit 3".into(),
            ],
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            (r.stdout.as_str(), r.stderr.as_str(), r.return_value),
            ("out\n", "err\n", 3)
        );
        let t = run_command(
            &["sleep".into(), "5".into()],
            None,
            Some(Duration::from_millis(200)),
        );
        assert!(matches!(t, Err(IntotoError::Timeout { .. })));
    }
}
