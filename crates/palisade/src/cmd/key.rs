//! `palisade key`: generate keys, print securesystemslib key ids.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_io::{WriteOptions, write_atomic};
use palisade_keys::{KeyAlgorithm, PrivateKey, Scheme};

use crate::util::{self, Format, Globals};

/// Generate keys and compute securesystemslib key ids.
#[derive(Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    cmd: KeyCmd,
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Generate a key pair: NAME (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM).
    #[command(after_help = "Examples:
  palisade key generate --type ed25519 --out release
  PALISADE_PASSPHRASE=… palisade key generate --type ecdsa-p256 --out ci --encrypt
  palisade key generate --type rsa-3072 --out layout --force

Types: ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521, rsa-3072, rsa-4096.
With --encrypt the private key is encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC);
the passphrase comes from PALISADE_PASSPHRASE or a prompt.")]
    Generate(GenerateArgs),
    /// Print a key's id exactly as securesystemslib computes it.
    #[command(after_help = "Examples:
  palisade key id release.pub
  palisade key id ~/.ssh/id_ed25519.pub
  palisade key id --scheme rsa-pkcs1v15-sha256 layout.pub
  palisade key id --format json alice.pub     # the securesystemslib key dict, with its id

Reads SPKI PEM, PKCS#8/PKCS#1/SEC1 private keys (their public half), OpenSSH public keys
and securesystemslib / in-toto JSON keys. The id is sha256 over the canonical JSON of
{keytype, scheme, keyval}.")]
    Id(IdArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// Key type.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_alg)]
    key_type: KeyAlgorithm,
    /// Output name: writes NAME and NAME.pub.
    #[arg(long, value_name = "NAME")]
    out: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
    /// Encrypt the private key with a passphrase (PALISADE_PASSPHRASE or a prompt).
    #[arg(long)]
    encrypt: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Args)]
struct IdArgs {
    /// The key file.
    file: PathBuf,
    /// Signature scheme (default: securesystemslib's for the key type).
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn parse_alg(s: &str) -> Result<KeyAlgorithm, String> {
    s.parse()
        .map_err(|e: palisade_keys::KeyError| e.to_string())
}

/// Runs `palisade key …`.
pub fn run(args: KeyArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        KeyCmd::Generate(a) => generate(a, g),
        KeyCmd::Id(a) => id(a),
    }
}

fn generate(a: GenerateArgs, g: &Globals) -> Result<ExitCode> {
    let mut pub_path = a.out.clone().into_os_string();
    pub_path.push(".pub");
    let pub_path = PathBuf::from(pub_path);
    if !a.force {
        for p in [&a.out, &pub_path] {
            if p.exists() {
                bail!("{}: already exists (use --force to overwrite)", p.display());
            }
        }
    }
    let pass = if a.encrypt {
        let p = util::passphrase("New passphrase: ")?;
        if std::env::var_os("PALISADE_PASSPHRASE").is_none() {
            let again = util::passphrase("Repeat passphrase: ")?;
            if again != p {
                bail!("the passphrases differ");
            }
        }
        if p.is_empty() {
            bail!("empty passphrase: leave out --encrypt for an unencrypted key");
        }
        Some(p)
    } else {
        None
    };
    let key = PrivateKey::generate(a.key_type).context("generating the key")?;
    let private_pem = key.to_pkcs8_pem(pass.as_deref().map(str::as_bytes))?;
    let public_pem = key.public_key().to_pem()?;
    let opts = |mode| WriteOptions {
        overwrite: a.force,
        mode: Some(mode),
    };
    write_atomic(&a.out, private_pem.as_bytes(), opts(0o600))?;
    write_atomic(&pub_path, public_pem.as_bytes(), opts(0o644))?;
    let public = key.public_key();
    match a.format {
        Format::Text => {
            g.info(format!(
                "wrote {} ({}private key, {}) and {}",
                a.out.display(),
                if pass.is_some() { "encrypted " } else { "" },
                a.key_type.name(),
                pub_path.display()
            ));
            outln!("{}", public.keyid());
        }
        Format::Json => util::print_json(&serde_json::json!({
            "keyid": public.keyid(),
            "type": a.key_type.name(),
            "scheme": public.scheme().to_string(),
            "private": a.out,
            "public": pub_path,
            "encrypted": pass.is_some(),
        })),
    }
    Ok(ExitCode::SUCCESS)
}

fn id(a: IdArgs) -> Result<ExitCode> {
    let key = util::load_public(&a.file, a.scheme)?;
    match a.format {
        Format::Text => outln!("{}", key.keyid()),
        Format::Json => {
            let mut v = key.to_sslib_value().to_serde_json()?;
            if let Some(m) = v.as_object_mut() {
                m.insert("keyid".into(), key.keyid().into());
            }
            util::print_json(&v);
        }
    }
    Ok(ExitCode::SUCCESS)
}
