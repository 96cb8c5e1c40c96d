//! `palisade dsse`: sign and verify DSSE envelopes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_dsse::{DsseError, Envelope};
use palisade_io::{WriteOptions, write_atomic};
use palisade_keys::Scheme;

use crate::util::{self, Format, Globals};

/// Largest payload or envelope file read: 64 MiB.
const DOC_LIMIT: u64 = palisade_dsse::MAX_ENVELOPE_BYTES as u64;

/// Sign and verify DSSE envelopes.
#[derive(Args)]
pub struct DsseArgs {
    #[command(subcommand)]
    cmd: DsseCmd,
}

#[derive(Subcommand)]
enum DsseCmd {
    /// Sign a file's bytes as the payload of a DSSE envelope.
    #[command(after_help = "Examples:
  palisade dsse sign --key release --payload-type application/vnd.in-toto+json statement.json
  palisade dsse sign --key a --key b --payload-type text/plain --out note.dsse.json note.txt

The envelope is written to stdout unless --out is given. Each signature carries the
securesystemslib key id; ECDSA signatures are DER-encoded.")]
    Sign(SignArgs),
    /// Verify an envelope against trusted keys and a threshold of distinct keys.
    #[command(after_help = "Examples:
  palisade dsse verify --key release.pub note.dsse.json
  palisade dsse verify --key a.pub --key b.pub --key c.pub --threshold 2 note.dsse.json
  palisade dsse verify --key release.pub --payload-out note.txt note.dsse.json

Signatures by keys not given are skipped; the same key signing twice counts once.
Exit 0 when the threshold is met, 1 when it is not, 2 on unreadable input.")]
    Verify(VerifyArgs),
}

#[derive(Args)]
struct SignArgs {
    /// Private key (repeat for several signatures).
    #[arg(long, required = true)]
    key: Vec<PathBuf>,
    /// Payload type (a URI or media type).
    #[arg(long)]
    payload_type: String,
    /// Signature scheme for the key(s) (default: the key type's).
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// Write the envelope here instead of stdout (atomically).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    force: bool,
    /// The payload file (`-` for stdin).
    file: PathBuf,
}

#[derive(Args)]
struct VerifyArgs {
    /// Trusted public key (repeatable).
    #[arg(long, required = true)]
    key: Vec<PathBuf>,
    /// How many distinct keys must have signed.
    #[arg(long, default_value_t = 1)]
    threshold: usize,
    /// Scheme for PEM / OpenSSH keys (JSON keys carry their own).
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// Also require this payload type.
    #[arg(long)]
    payload_type: Option<String>,
    /// Write the verified payload to this file.
    #[arg(long)]
    payload_out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// The envelope file (`-` for stdin).
    envelope: PathBuf,
}

/// Runs `palisade dsse …`.
pub fn run(args: DsseArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        DsseCmd::Sign(a) => sign(a, g),
        DsseCmd::Verify(a) => verify(a, g),
    }
}

fn sign(a: SignArgs, g: &Globals) -> Result<ExitCode> {
    let payload = util::read(&a.file, DOC_LIMIT)?;
    let keys = a
        .key
        .iter()
        .map(|k| util::load_private(k, a.scheme))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<_> = keys.iter().collect();
    let env = Envelope::sign(&a.payload_type, &payload, &refs)?;
    let json = env.to_json_pretty();
    match &a.out {
        Some(out) => {
            write_atomic(
                out,
                json.as_bytes(),
                WriteOptions {
                    overwrite: a.force,
                    mode: None,
                },
            )?;
            g.info(format!("wrote {}", out.display()));
        }
        None => out!("{json}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs, g: &Globals) -> Result<ExitCode> {
    let keys = util::load_publics(&a.key, a.scheme)?;
    let bytes = util::read(&a.envelope, DOC_LIMIT)?;
    let env = Envelope::from_json(&bytes).with_context(|| a.envelope.display().to_string())?;
    let outcome = match env.verify(&keys, a.threshold) {
        Ok(v) => match &a.payload_type {
            Some(t) if *t != v.payload_type => {
                Err(format!("payload type is '{}', not '{t}'", v.payload_type))
            }
            _ => Ok(v),
        },
        Err(e @ (DsseError::Threshold { .. } | DsseError::NoSignatures)) => Err(e.to_string()),
        Err(e) => return Err(anyhow::Error::new(e).context(a.envelope.display().to_string())),
    };
    let ok = outcome.is_ok();
    match a.format {
        Format::Json => util::print_json(&match &outcome {
            Ok(v) => serde_json::json!({
                "verified": true,
                "payloadType": v.payload_type,
                "signers": v.signers,
            }),
            Err(why) => serde_json::json!({"verified": false, "reason": why}),
        }),
        Format::Text => match &outcome {
            Ok(v) => g.info(format!(
                "{}: verified ({} of {} key(s) signed; threshold {}): {}",
                a.envelope.display(),
                v.signers.len(),
                keys.len(),
                a.threshold,
                v.signers.join(", ")
            )),
            Err(why) => eprintln!("{}: verification failed: {why}", a.envelope.display()),
        },
    }
    if let (Ok(v), Some(out)) = (&outcome, &a.payload_out) {
        write_atomic(
            out,
            &v.payload,
            WriteOptions {
                overwrite: true,
                mode: None,
            },
        )?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        util::failed()
    })
}
