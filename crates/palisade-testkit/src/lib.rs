//! Test-only helpers shared by every crate's integration tests. Never a dependency of
//! anything but `[dev-dependencies]`.
//!
//! * [`shared`] finds a file of the read-only `../shared` data folder beside the
//!   workspace (and fails the test loudly if it is missing, rather than skipping).
//! * [`peer_python`] is the Python of the peers' virtual environment that
//!   `scripts/install-peers.sh` fills (securesystemslib, …): `PALISADE_PEERS_VENV`, or
//!   `~/.cache/palisade/venv` by default. A missing peer fails the test with a message
//!   saying how to install it: interop tests must not pass by not running.
//! * [`run_peer`] runs a peer script and returns its output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (the folder with the top `Cargo.toml`).
///
/// Found at run time from the current directory (cargo runs each test binary in its
/// package's folder), not from this crate's compile-time path: a target directory shared
/// between clones may hold a copy of this crate compiled in another clone.
pub fn workspace_root() -> PathBuf {
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            let manifest = dir.join("Cargo.toml");
            if std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace]"))
                && dir.join("crates").is_dir()
            {
                return dir.to_path_buf();
            }
        }
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("crates/<name> sits two levels below the workspace root")
        .to_path_buf()
}

/// A path under the shared data folder (`../shared` beside the workspace root).
pub fn shared(rel: &str) -> PathBuf {
    let p = workspace_root().join("..").join("shared").join(rel);
    assert!(
        p.exists(),
        "shared test data {} is missing: the ../shared folder must sit beside the project",
        p.display()
    );
    p
}

/// The peers' virtual environment.
pub fn peers_venv() -> PathBuf {
    match std::env::var_os("PALISADE_PEERS_VENV") {
        Some(v) => PathBuf::from(v),
        None => {
            let home = std::env::var_os("HOME").expect("HOME is set");
            PathBuf::from(home).join(".cache/palisade/venv")
        }
    }
}

/// The Python interpreter of the peers' virtual environment.
pub fn peer_python() -> PathBuf {
    let py = peers_venv().join("bin/python");
    assert!(
        py.exists(),
        "the interop peers are not installed ({} is missing): run scripts/install-peers.sh \
         (or the whole suite with scripts/test.sh)",
        py.display()
    );
    py
}

/// A peer script of the calling crate's `tests/peers/` folder.
pub fn peer_script(crate_dir: &str, name: &str) -> PathBuf {
    Path::new(crate_dir).join("tests/peers").join(name)
}

/// Runs `python script args…` in the peers' environment with `envs` set.
pub fn run_peer(script: &Path, args: &[&str], envs: &[(&str, &str)], cwd: &Path) -> Output {
    let mut cmd = Command::new(peer_python());
    cmd.arg(script).args(args).current_dir(cwd);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("running the peer")
}

/// stdout of a peer run that must succeed.
pub fn peer_ok(script: &Path, args: &[&str], envs: &[(&str, &str)], cwd: &Path) -> String {
    let out = run_peer(script, args, envs, cwd);
    assert!(
        out.status.success(),
        "peer {} {:?} failed: {}\n{}",
        script.display(),
        args,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The signed-commit fixture of `../shared/fixtures/make-signed-repo.sh`, built once into
/// `cache_dir/signed-repo` (pass `env!("CARGO_TARGET_TMPDIR")`) and reused while it is
/// complete (`git-verify.txt`, written last, exists). Concurrent test binaries wait on a
/// lock file. The repository's git config names its key files by absolute path, so the
/// fixture is built in place, never moved.
pub fn signed_repo(cache_dir: &Path) -> PathBuf {
    let out = cache_dir.join("signed-repo");
    let done = out.join("git-verify.txt");
    let lock = cache_dir.join("signed-repo.lock");
    let start = std::time::Instant::now();
    loop {
        if done.exists() {
            return out;
        }
        std::fs::create_dir_all(cache_dir).unwrap();
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => {
                let _ = std::fs::remove_dir_all(&out);
                let o = Command::new("bash")
                    .arg(shared("fixtures/make-signed-repo.sh"))
                    .arg(&out)
                    .output()
                    .expect("bash runs");
                let _ = std::fs::remove_file(&lock);
                assert!(
                    o.status.success() && done.exists(),
                    "make-signed-repo.sh failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                return out;
            }
            Err(_) if start.elapsed() > std::time::Duration::from_secs(120) => {
                // A lock left by a killed run.
                let _ = std::fs::remove_file(&lock);
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// Checks a SARIF file against the SARIF 2.1.0 JSON schema (Microsoft's
/// `sarif-2.1.0-rtm.5.json`, from the npm package `@microsoft/jest-sarif`, validated by
/// PyPI `jsonschema`) and the SARIF 2.1.0 object model (PyPI `sarif-pydantic`): `Ok` when
/// both accept it, `Err(message)` otherwise. Every command that writes SARIF tests its
/// output with this, and that a broken document is refused.
pub fn sarif_check(path: &Path) -> Result<(), String> {
    let schema = peers_npm("@microsoft/jest-sarif")
        .join("node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    let check = "import json,sys; from sarif_pydantic import sarif; import jsonschema; \
                 d=json.load(open(sys.argv[1])); assert d.get('version')=='2.1.0', 'version'; \
                 s=json.load(open(sys.argv[2])); \
                 errs=sorted(jsonschema.Draft4Validator(s).iter_errors(d), key=lambda e: list(e.path)); \
                 assert not errs, '; '.join(f'{list(e.path)}: {e.message}' for e in errs[:5]); \
                 sarif.Sarif.model_validate(d)";
    let out = Command::new(peer_python())
        .args(["-c", check])
        .arg(path)
        .arg(&schema)
        .output()
        .expect("running the SARIF checks");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

pub mod forge;

/// The npm prefix the JavaScript peers are installed into by `scripts/install-peers.sh`
/// (`PALISADE_PEERS_NPM`, or `~/.cache/palisade/npm`). A missing peer fails the test.
pub fn peers_npm(package: &str) -> PathBuf {
    let prefix = std::env::var_os("PALISADE_PEERS_NPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/palisade/npm")
        });
    assert!(
        prefix.join("node_modules").join(package).is_dir(),
        "the npm peer {package} is not installed under {}: run scripts/install-peers.sh",
        prefix.display()
    );
    prefix
}
