//! Small helpers shared by the commands: loading keys, passphrases, output.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use palisade_keys::{PrivateKey, PublicKey, Scheme};

/// Options every command sees.
pub struct Globals {
    /// `--quiet`
    pub quiet: bool,
}

impl Globals {
    /// Prints an informational line on stderr unless `--quiet`.
    pub fn info(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}

/// Machine-readable or human-readable output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Largest key file read.
pub const KEY_FILE_LIMIT: u64 = 1024 * 1024;

/// Exit code 1: findings or failed verification.
pub fn failed() -> ExitCode {
    ExitCode::from(1)
}

/// Reads a file (or `-` for stdin) with a size limit; the error names the file.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>> {
    Ok(palisade_io::read_limited(path, limit)?)
}

/// The passphrase for an encrypted key: `PALISADE_PASSPHRASE`, else a prompt on the
/// terminal.
pub fn passphrase(prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var("PALISADE_PASSPHRASE") {
        return Ok(p);
    }
    rpassword::prompt_password(prompt)
        .context("no passphrase: set PALISADE_PASSPHRASE or run on a terminal to be prompted")
}

/// Loads a private key for signing, asking for a passphrase only when it is encrypted.
pub fn load_private(path: &Path, scheme: Option<Scheme>) -> Result<PrivateKey> {
    let bytes = read(path, KEY_FILE_LIMIT)?;
    let pass = if PrivateKey::is_encrypted(&bytes) {
        Some(passphrase(&format!("Passphrase for {}: ", path.display()))?)
    } else {
        None
    };
    let mut key = PrivateKey::parse(&bytes, pass.as_deref().map(str::as_bytes))
        .with_context(|| format!("{}", path.display()))?;
    if let Some(s) = scheme {
        key.set_scheme(s)
            .with_context(|| format!("{}", path.display()))?;
    }
    Ok(key)
}

/// Loads a public key (any supported format; a private key gives its public half).
pub fn load_public(path: &Path, scheme: Option<Scheme>) -> Result<PublicKey> {
    let bytes = read(path, KEY_FILE_LIMIT)?;
    if PrivateKey::is_encrypted(&bytes) {
        let pass = passphrase(&format!("Passphrase for {}: ", path.display()))?;
        let key = PrivateKey::parse(&bytes, Some(pass.as_bytes()))
            .with_context(|| format!("{}", path.display()))?;
        return Ok(match scheme {
            Some(s) => key.public_key().with_scheme(s)?,
            None => key.public_key().clone(),
        });
    }
    PublicKey::parse(&bytes, scheme).with_context(|| format!("{}", path.display()))
}

/// Loads verification keys, dropping repeats of the same key id.
pub fn load_publics(paths: &[PathBuf], scheme: Option<Scheme>) -> Result<Vec<PublicKey>> {
    if paths.is_empty() {
        bail!("at least one --key is needed");
    }
    let mut keys: Vec<PublicKey> = Vec::new();
    for p in paths {
        let k = load_public(p, scheme)?;
        if !keys.iter().any(|have| have.keyid() == k.keyid()) {
            keys.push(k);
        }
    }
    Ok(keys)
}

/// Parses a `--scheme` value.
pub fn parse_scheme(s: &str) -> Result<Scheme, String> {
    s.parse()
        .map_err(|e: palisade_keys::KeyError| e.to_string())
}

/// Prints a JSON value on stdout, pretty, with a final newline.
pub fn print_json(v: &serde_json::Value) {
    outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Writes the command's output to stdout (see `outln!`): a closed pipe ends the process
/// with 141, any other write error with 2.
pub fn write_out(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let r = o
        .write_fmt(args)
        .and_then(|()| if newline { o.write_all(b"\n") } else { Ok(()) });
    if let Err(e) = r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("palisade: error: writing to standard output: {e}");
        std::process::exit(2);
    }
}
