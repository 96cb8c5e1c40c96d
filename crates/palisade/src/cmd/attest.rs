//! `palisade attest`: sign in-toto statements into bundles, verify them.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_attest::{Query, Statement, Subject, read_bundle, sign_statement, verify_bundle};
use palisade_keys::Scheme;

use crate::util::{self, Format, Globals};

/// Largest artefact hashed in memory-bounded reads: artefacts are streamed, so this only
/// bounds predicate files.
const PREDICATE_LIMIT: u64 = 64 * 1024 * 1024;
/// Largest bundle file accepted.
const BUNDLE_LIMIT: u64 = 1024 * 1024 * 1024;

/// Sign an in-toto Statement v1 about files and append it to a bundle; `attest verify`
/// checks one.
#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:
  palisade attest --subject dist/app.tar.gz --predicate-type https://slsa.dev/provenance/v1 \\
      --predicate provenance.json --key release --bundle app.intoto.jsonl
  palisade attest --subject a.bin --subject b.bin --predicate-type https://example.com/review/v1 \\
      --predicate '{\"reviewer\":\"alice\"}' --key release
  palisade attest verify --bundle app.intoto.jsonl --subject dist/app.tar.gz --key release.pub

Subjects carry sha256 and sha512 digests. Without --bundle the signed envelope is printed
as one JSON line on stdout; with it, appended to the bundle (atomically)."
)]
pub struct AttestArgs {
    #[command(subcommand)]
    cmd: Option<AttestCmd>,
    #[command(flatten)]
    sign: SignArgs,
}

#[derive(Subcommand)]
enum AttestCmd {
    /// Sign a statement (the same as plain `palisade attest`).
    Sign(SignArgs),
    /// Check that a bundle holds a statement about a file, signed by enough keys.
    #[command(after_help = "Examples:
  palisade attest verify --bundle app.intoto.jsonl --subject dist/app.tar.gz --key release.pub
  palisade attest verify --bundle b.jsonl --subject app --key a.pub --key b.pub --threshold 2 \\
      --predicate-type https://slsa.dev/provenance/v1 --format json

Exit 0 only if a statement (of that predicate type, when given) about exactly the file's
digest is signed by at least --threshold distinct keys. Lines that are not DSSE envelopes
are ignored; malformed lines are reported with their line numbers.")]
    Verify(VerifyArgs),
}

#[derive(Args)]
struct SignArgs {
    /// File the statement is about (repeatable).
    #[arg(long, required = true)]
    subject: Vec<PathBuf>,
    /// The predicate's type URI.
    #[arg(long, required = true)]
    predicate_type: Option<String>,
    /// The predicate: a JSON file, `-` for stdin, or inline JSON (starting with `{`).
    #[arg(long, required = true)]
    predicate: Option<String>,
    /// Private key to sign with (repeatable).
    #[arg(long, required = true)]
    key: Vec<PathBuf>,
    /// Signature scheme for the key(s).
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// Append the envelope to this JSON Lines bundle.
    #[arg(long)]
    bundle: Option<PathBuf>,
}

#[derive(Args)]
struct VerifyArgs {
    /// The bundle (JSON Lines of DSSE envelopes).
    #[arg(long)]
    bundle: PathBuf,
    /// The artefact the statement must be about.
    #[arg(long)]
    subject: PathBuf,
    /// Trusted public key (repeatable).
    #[arg(long, required = true)]
    key: Vec<PathBuf>,
    /// Only statements of this predicate type count.
    #[arg(long)]
    predicate_type: Option<String>,
    /// Distinct keys that must have signed.
    #[arg(long, default_value_t = 1)]
    threshold: usize,
    /// Scheme for PEM / OpenSSH keys.
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `palisade attest …`.
pub fn run(args: AttestArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        None => sign(args.sign, g),
        Some(AttestCmd::Sign(a)) => sign(a, g),
        Some(AttestCmd::Verify(a)) => verify(a, g),
    }
}

/// Hashes a file by streaming it (artefacts can be large).
pub(crate) fn subject_for(path: &Path) -> Result<Subject> {
    use aws_lc_rs::digest::{Context as Digest, SHA256, SHA512};
    use std::io::Read;
    let mut f = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    let (mut a, mut b) = (Digest::new(&SHA256), Digest::new(&SHA512));
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| path.display().to_string())?;
        if n == 0 {
            break;
        }
        a.update(&buf[..n]);
        b.update(&buf[..n]);
    }
    let mut digest = BTreeMap::new();
    digest.insert("sha256".to_string(), hex::encode(a.finish()));
    digest.insert("sha512".to_string(), hex::encode(b.finish()));
    let name = path.to_string_lossy();
    let name = name.strip_prefix("./").unwrap_or(&name).to_string();
    Ok(Subject { name, digest })
}

fn sign(a: SignArgs, g: &Globals) -> Result<ExitCode> {
    let (Some(predicate_type), Some(predicate)) = (a.predicate_type, a.predicate) else {
        bail!("--predicate-type and --predicate are required");
    };
    let predicate_json: serde_json::Value = if predicate.trim_start().starts_with(['{', '[']) {
        serde_json::from_str(&predicate).context("--predicate: inline JSON")?
    } else {
        let p = PathBuf::from(&predicate);
        let bytes = util::read(&p, PREDICATE_LIMIT)?;
        serde_json::from_slice(&bytes).with_context(|| format!("{predicate}: not JSON"))?
    };
    let subjects = a
        .subject
        .iter()
        .map(|p| subject_for(p))
        .collect::<Result<Vec<_>>>()?;
    let keys = a
        .key
        .iter()
        .map(|k| util::load_private(k, a.scheme))
        .collect::<Result<Vec<_>>>()?;
    let statement = Statement::new(subjects, &predicate_type, predicate_json)?;
    let refs: Vec<_> = keys.iter().collect();
    let env = sign_statement(&statement, &refs)?;
    let line = env.to_json_line();
    match &a.bundle {
        Some(b) => {
            palisade_io::append_line_atomic(b, line.as_bytes(), BUNDLE_LIMIT)?;
            g.info(format!(
                "appended a {predicate_type} statement about {} subject(s) to {}",
                statement.subject.len(),
                b.display()
            ));
        }
        None => outln!("{line}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs, g: &Globals) -> Result<ExitCode> {
    if a.threshold == 0 {
        bail!("--threshold must be at least 1");
    }
    let keys = util::load_publics(&a.key, a.scheme)?;
    let subject = subject_for(&a.subject)?;
    let meta = std::fs::metadata(&a.bundle).with_context(|| a.bundle.display().to_string())?;
    if meta.len() > BUNDLE_LIMIT {
        bail!(
            "{}: {} bytes, more than the limit of {BUNDLE_LIMIT}",
            a.bundle.display(),
            meta.len()
        );
    }
    let file = std::fs::File::open(&a.bundle).with_context(|| a.bundle.display().to_string())?;
    let lines =
        read_bundle(BufReader::new(file)).with_context(|| a.bundle.display().to_string())?;
    let report = verify_bundle(
        &lines,
        &Query {
            digests: &subject.digest,
            predicate_type: a.predicate_type.as_deref(),
            keys: &keys,
            threshold: a.threshold,
        },
    );
    let bundle = a.bundle.display();
    for (line, why) in &report.malformed {
        eprintln!("{bundle}:{line}: malformed line: {why}");
    }
    let ok = !report.accepted.is_empty();
    match a.format {
        Format::Json => util::print_json(&serde_json::json!({
            "verified": ok,
            "subject": subject,
            "accepted": report.accepted.iter().map(|acc| serde_json::json!({
                "line": acc.line,
                "predicateType": acc.statement.predicate_type,
                "signers": acc.signers,
            })).collect::<Vec<_>>(),
            "rejected": report.rejected.iter().map(|(l, why)| serde_json::json!({"line": l, "reason": why})).collect::<Vec<_>>(),
            "malformed": report.malformed.iter().map(|(l, why)| serde_json::json!({"line": l, "reason": why})).collect::<Vec<_>>(),
            "ignored": report.unknown_lines,
        })),
        Format::Text => {
            for acc in &report.accepted {
                g.info(format!(
                    "{bundle}:{}: verified {} statement about {} (signed by {})",
                    acc.line,
                    acc.statement.predicate_type,
                    subject.name,
                    acc.signers.join(", ")
                ));
            }
            if !ok {
                eprintln!(
                    "{bundle}: no statement about {} (sha256 {}) verifies",
                    subject.name, subject.digest["sha256"]
                );
                for (line, why) in &report.rejected {
                    eprintln!("  line {line}: {why}");
                }
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        util::failed()
    })
}
