//! `palisade intoto`: record steps as links, write and sign layouts, verify a supply
//! chain (in-toto v1.0, interoperable with Python in-toto 3.x).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_cjson::Value;
use palisade_intoto::metadata::{self, EnvelopeKind, Metadata, Payload};
use palisade_intoto::record::{RecordOptions, record_artifacts, run_command_echo};
use palisade_intoto::{IntotoError, LayoutKey, Link, VerifyOptions};
use palisade_io::{WriteOptions, write_atomic};
use palisade_keys::{PrivateKey, Scheme};

use crate::util::{self, Format, Globals};

/// Record steps as links, write and sign layouts, verify a supply chain.
#[derive(Args)]
pub struct IntotoArgs {
    #[command(subcommand)]
    cmd: IntotoCmd,
}

#[derive(Subcommand)]
enum IntotoCmd {
    /// Verify a supply chain: layout signatures and expiry, links, rules, inspections.
    #[command(after_help = "Examples:
  palisade intoto verify --layout root.layout --layout-key alice.pub
  palisade intoto verify --layout root.layout --layout-key alice.pub --link-dir links \\
      --param VERSION=1.2.3 --format json

Inspections run in the working directory, so verify in a scratch copy of the release.
Exit 0 when the chain verifies, 1 when it does not (the message names the step, the
rule and the artefact), 2 on unreadable or malformed input.")]
    Verify(VerifyArgs),
    /// Run a command as a step and write its signed link (NAME.KEYID8.link).
    #[command(after_help = "Examples:
  palisade intoto run --step build --key bob -m src -p dist -- make dist
  palisade intoto run --step review --key carl -m src --no-command
  palisade intoto run --step package --key carl --envelope dsse -m dist -p app.tar.gz \\
      -- tar czf app.tar.gz dist

Paths are recorded as Python in-toto does: directories recursively, sha256, default
excludes *.link*, .git, *.pyc, *~ (replaced by --exclude).")]
    Run(RunArgs),
    /// Record a step that is not one command: `start` before, `stop` after.
    #[command(after_help = "Examples:
  palisade intoto record start --step update-version --key bob -m src
  palisade intoto record stop --step update-version --key bob -p src")]
    Record(RecordArgs),
    /// Write a layout skeleton or sign a layout.
    #[command(after_help = "Examples:
  palisade intoto layout new --out root.layout --step build=bob.pub
  palisade intoto layout sign --key alice root.layout")]
    Layout(LayoutArgs),
}

#[derive(Args)]
struct VerifyArgs {
    /// The root layout (Metablock or DSSE).
    #[arg(long)]
    layout: PathBuf,
    /// A layout owner's public key (repeatable).
    #[arg(long = "layout-key", required_unless_present = "gpg")]
    layout_key: Vec<PathBuf>,
    /// OpenPGP key id (fingerprint or its tail) of a layout owner in --gpg-keyring
    /// (repeatable; RSA, DSA or Ed25519 keys).
    #[arg(long)]
    gpg: Vec<String>,
    /// OpenPGP keyring for --gpg: binary (`pubring.gpg`, `gpg --export`) or armoured
    /// (`gpg --export --armor`).
    #[arg(long)]
    gpg_keyring: Option<PathBuf>,
    /// How many distinct layout keys must have signed (default: all given).
    #[arg(long)]
    layout_threshold: Option<usize>,
    /// Directory with the link files.
    #[arg(long, default_value = ".")]
    link_dir: PathBuf,
    /// KEY=VALUE substituted for {KEY} in rules and commands (repeatable).
    #[arg(long = "param")]
    param: Vec<String>,
    /// Seconds each inspection may run.
    #[arg(long, default_value_t = 10)]
    inspection_timeout: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Which step, signed by whom.
#[derive(Args)]
struct Functionary {
    /// The step's name.
    #[arg(long, short = 'n')]
    step: String,
    /// The functionary's private key (for `record`, the same at start and stop).
    #[arg(long, short = 'k')]
    key: PathBuf,
    /// Signature scheme (default: the key type's).
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
}

impl Functionary {
    fn load(&self) -> Result<PrivateKey> {
        util::load_private(&self.key, self.scheme)
    }
}

/// The products of a step and how its link is wrapped.
#[derive(Args)]
struct LinkOut {
    /// Paths recorded as products (after the command).
    #[arg(long, short = 'p', num_args = 1..)]
    products: Vec<String>,
    /// metablock (legacy), dsse (Python's --use-dsse) or statement (link predicate v0.3).
    #[arg(long, default_value = "metablock")]
    envelope: EnvelopeKind,
}

#[derive(Args, Clone)]
struct PathOpts {
    /// gitignore-style pattern of paths not to record (repeatable; replaces the defaults).
    #[arg(long)]
    exclude: Vec<String>,
    /// Prefix taken off recorded names (repeatable).
    #[arg(long)]
    lstrip: Vec<String>,
    /// Descend into symlinked directories.
    #[arg(long)]
    follow_symlink_dirs: bool,
    /// Hash text with CRLF / CR line endings as LF.
    #[arg(long)]
    normalize_line_endings: bool,
    /// Record paths relative to this directory.
    #[arg(long)]
    base_path: Option<PathBuf>,
}

impl PathOpts {
    fn record(&self) -> RecordOptions {
        RecordOptions {
            exclude: self.exclude.clone(),
            lstrip: self.lstrip.clone(),
            follow_symlink_dirs: self.follow_symlink_dirs,
            normalize_line_endings: self.normalize_line_endings,
            base_path: self.base_path.clone(),
        }
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    who: Functionary,
    /// Paths recorded before the command (repeatable, several per flag).
    #[arg(long, short = 'm', num_args = 1..)]
    materials: Vec<String>,
    #[command(flatten)]
    out: LinkOut,
    #[command(flatten)]
    paths: PathOpts,
    /// Seconds the command may run.
    #[arg(long)]
    timeout: Option<u64>,
    /// Record without running a command.
    #[arg(long, short = 'x')]
    no_command: bool,
    /// Directory for the link file.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Overwrite an existing link file.
    #[arg(long)]
    force: bool,
    /// The command and its arguments (after `--`).
    #[arg(last = true)]
    command: Vec<String>,
}

#[derive(Args)]
struct RecordArgs {
    #[command(subcommand)]
    cmd: RecordCmd,
}

#[derive(Subcommand)]
enum RecordCmd {
    /// Record the materials and write a signed, unfinished link.
    #[command(after_help = "Examples:
  palisade intoto record start --step update-version --key bob -m src/version.py
  # … edit …
  palisade intoto record stop --step update-version --key bob -p src/version.py

`start` writes .NAME.KEYID8.link-unfinished; `stop` checks its signature, records the
products and writes NAME.KEYID8.link.")]
    Start(RecordStartArgs),
    /// Record the products and turn the unfinished link into the final one.
    #[command(after_help = "Examples:
  palisade intoto record stop --step update-version --key bob -p src/version.py
  palisade intoto record stop --step update-version --key bob -p src --envelope dsse")]
    Stop(RecordStopArgs),
}

#[derive(Args)]
struct RecordStartArgs {
    #[command(flatten)]
    who: Functionary,
    /// Paths recorded as materials.
    #[arg(long, short = 'm', num_args = 1..)]
    materials: Vec<String>,
    #[command(flatten)]
    paths: PathOpts,
    /// Directory for the unfinished link.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
}

#[derive(Args)]
struct RecordStopArgs {
    #[command(flatten)]
    who: Functionary,
    #[command(flatten)]
    out: LinkOut,
    #[command(flatten)]
    paths: PathOpts,
    /// Directory of the unfinished link and for the final one.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Overwrite an existing link file.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct LayoutArgs {
    #[command(subcommand)]
    cmd: LayoutCmd,
}

#[derive(Subcommand)]
enum LayoutCmd {
    /// Write an unsigned layout skeleton (a Metablock with no signatures) to edit.
    #[command(after_help = "Examples:
  palisade intoto layout new --out root.layout --step build=bob.pub \\
      --step review=bob.pub,carl.pub --expires 2027-12-31T00:00:00Z
  palisade intoto layout sign --key alice root.layout

Each step gets its functionaries' keys, threshold 1 and no rules; add rules, expected
commands and inspections, then sign. Default expiry: 30 days after SOURCE_DATE_EPOCH
or now.")]
    New(LayoutNewArgs),
    /// Add signatures to a layout, signed or not; several keys may sign.
    #[command(after_help = "Examples:
  palisade intoto layout sign --key alice root.layout
  palisade intoto layout sign --key alice --key dave --envelope dsse --out root.dsse.layout root.layout

Fields Python in-toto fills on loading (readme, thresholds, empty rule lists, a missing
expiry: 30 days) are added before signing, so Python checks the same bytes. The file is
rewritten in place unless --out is given. Changing the envelope drops old signatures.")]
    Sign(LayoutSignArgs),
}

#[derive(Args)]
struct LayoutNewArgs {
    /// Where to write the layout.
    #[arg(long)]
    out: PathBuf,
    /// NAME=PUB[,PUB…]: a step and its functionaries' public keys (repeatable).
    #[arg(long)]
    step: Vec<String>,
    /// Expiry, e.g. 2027-12-31T00:00:00Z.
    #[arg(long)]
    expires: Option<String>,
    /// Free text.
    #[arg(long, default_value = "")]
    readme: String,
    /// Overwrite --out.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct LayoutSignArgs {
    /// Private key of a layout owner (repeatable).
    #[arg(long, short = 'k', required = true)]
    key: Vec<PathBuf>,
    /// Signature scheme.
    #[arg(long, value_parser = util::parse_scheme)]
    scheme: Option<Scheme>,
    /// metablock or dsse (default: as the file is).
    #[arg(long)]
    envelope: Option<EnvelopeKind>,
    /// Write here instead of rewriting the layout file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite --out.
    #[arg(long)]
    force: bool,
    /// The layout.
    layout: PathBuf,
}

/// Runs `palisade intoto …`.
pub fn run(args: IntotoArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        IntotoCmd::Verify(a) => verify(a, g),
        IntotoCmd::Run(a) => run_step(a, g),
        IntotoCmd::Record(r) => match r.cmd {
            RecordCmd::Start(a) => record_start(a, g),
            RecordCmd::Stop(a) => record_stop(a, g),
        },
        IntotoCmd::Layout(l) => match l.cmd {
            LayoutCmd::New(a) => layout_new(a, g),
            LayoutCmd::Sign(a) => layout_sign(a, g),
        },
    }
}

/// The layout keys: key files of the trust core's formats, securesystemslib OpenPGP key
/// dicts, and --gpg key ids looked up in --gpg-keyring.
fn layout_keys(a: &VerifyArgs) -> Result<Vec<LayoutKey>> {
    let mut keys = Vec::new();
    let mut plain = Vec::new();
    for p in &a.layout_key {
        let bytes = util::read(p, util::KEY_FILE_LIMIT)?;
        match palisade_cjson::parse(&bytes) {
            Ok(v) if palisade_intoto::gpg::GpgKey::is_gpg_value(&v) => keys.push(LayoutKey::Gpg(
                palisade_intoto::gpg::GpgKey::from_sslib_value(&v, "")
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
            )),
            _ => plain.push(p.clone()),
        }
    }
    if !plain.is_empty() {
        keys.extend(
            util::load_publics(&plain, None)?
                .into_iter()
                .map(LayoutKey::Key),
        );
    }
    if !a.gpg.is_empty() {
        let Some(ring) = &a.gpg_keyring else {
            bail!("--gpg needs --gpg-keyring");
        };
        let bytes = util::read(ring, util::KEY_FILE_LIMIT * 64)?;
        let all = palisade_intoto::gpg::read_keyring(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", ring.display()))?;
        for id in &a.gpg {
            let id = id.to_lowercase();
            let k = all.iter().find(|k| k.keyid.ends_with(&id)).ok_or_else(|| {
                anyhow::anyhow!("{}: no RSA, DSA or Ed25519 key {id}", ring.display())
            })?;
            keys.push(LayoutKey::Gpg(k.clone()));
        }
    }
    Ok(keys)
}

fn verify(a: VerifyArgs, g: &Globals) -> Result<ExitCode> {
    let layout_keys = layout_keys(&a)?;
    let params = if a.param.is_empty() {
        None
    } else {
        let mut m = BTreeMap::new();
        for p in &a.param {
            let Some((k, v)) = p.split_once('=') else {
                bail!("--param '{p}': expected KEY=VALUE");
            };
            m.insert(k.to_string(), v.to_string());
        }
        Some(m)
    };
    let md = Metadata::read_file(&a.layout)?;
    let opts = VerifyOptions {
        layout_keys,
        layout_threshold: a.layout_threshold,
        link_dir: a.link_dir.clone(),
        params,
        inspection_timeout: Duration::from_secs(a.inspection_timeout),
        now: palisade_intoto::time::now(),
        work_dir: None,
    };
    match palisade_intoto::verify(&md, &opts) {
        Ok(report) => {
            match a.format {
                Format::Json => util::print_json(&serde_json::json!({
                    "verified": true,
                    "layout": a.layout.display().to_string(),
                    "warnings": report.warnings,
                })),
                Format::Text => {
                    for w in &report.warnings {
                        g.info(format!("warning: {w}"));
                    }
                    outln!(
                        "verified: {} (the supply chain passed every check)",
                        a.layout.display()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(IntotoError::Verification(f)) => {
            match a.format {
                Format::Json => {
                    let mut doc = serde_json::json!({
                        "verified": false,
                        "layout": a.layout.display().to_string(),
                        "failure": f.to_string(),
                    });
                    where_it_failed(&f, &mut doc);
                    util::print_json(&doc)
                }
                Format::Text => outln!("verification failed: {f}"),
            }
            Ok(util::failed())
        }
        Err(e) => Err(e.into()),
    }
}

/// Adds `step`, `rule` and `artifacts` of a failure (the innermost, for sublayouts).
fn where_it_failed(f: &palisade_intoto::Failure, doc: &mut serde_json::Value) {
    use palisade_intoto::Failure as F;
    match f {
        F::Rule {
            item,
            kind,
            failure,
            ..
        } => {
            doc["step"] = item.clone().into();
            doc["rule"] = format!("expected_{}: {}", kind.as_str(), failure.rule).into();
            doc["artifacts"] = failure.artifacts.clone().into();
        }
        F::LinkNotFound { step, .. }
        | F::Threshold { step, .. }
        | F::DifferentArtifacts { step, .. } => doc["step"] = step.clone().into(),
        F::Inspection { name, .. } => doc["step"] = name.clone().into(),
        F::Sublayout { inner, .. } => where_it_failed(inner, doc),
        F::LayoutSignature { .. } | F::LayoutExpired { .. } => {}
    }
}

fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    write_atomic(
        path,
        bytes,
        WriteOptions {
            overwrite: force,
            mode: None,
        },
    )?;
    Ok(())
}

fn sign_link(link: &Link, kind: EnvelopeKind, key: &PrivateKey) -> Result<Vec<u8>> {
    Ok(match kind {
        EnvelopeKind::Statement => metadata::sign_link_statement(link, &[key])?,
        k => Metadata::sign_value(&link.to_value(), k, &[key])?,
    })
}

fn run_step(a: RunArgs, g: &Globals) -> Result<ExitCode> {
    if a.no_command != a.command.is_empty() {
        bail!("give a command after `--`, or --no-command (-x), not both or neither");
    }
    let key = a.who.load()?;
    let rec = a.paths.record();
    let mut link = Link::new(&a.who.step);
    link.materials = record_artifacts(&a.materials, &rec)?;
    if !a.no_command {
        // The command's output is shown as it runs (and recorded in the byproducts).
        let res = run_command_echo(&a.command, None, a.timeout.map(Duration::from_secs), true)?;
        if res.return_value != 0 {
            g.info(format!("note: the command returned {}", res.return_value));
        }
        link.byproducts = res.byproducts();
        link.command = a.command.clone();
    }
    link.products = record_artifacts(&a.out.products, &rec)?;
    let bytes = sign_link(&link, a.out.envelope, &key)?;
    let out = a.out_dir.join(palisade_intoto::link_file_name(
        &a.who.step,
        key.public_key().keyid(),
    ));
    write_new(&out, &bytes, a.force)?;
    g.info(format!("wrote {}", out.display()));
    Ok(ExitCode::SUCCESS)
}

fn unfinished_name(step: &str, keyid: &str) -> String {
    format!(
        ".{}-unfinished",
        palisade_intoto::link_file_name(step, keyid)
    )
}

fn record_start(a: RecordStartArgs, g: &Globals) -> Result<ExitCode> {
    let key = a.who.load()?;
    let mut link = Link::new(&a.who.step);
    link.materials = record_artifacts(&a.materials, &a.paths.record())?;
    let bytes = Metadata::sign_value(&link.to_value(), EnvelopeKind::Metablock, &[&key])?;
    let out = a
        .out_dir
        .join(unfinished_name(&a.who.step, key.public_key().keyid()));
    write_new(&out, &bytes, true)?;
    g.info(format!("wrote {}", out.display()));
    Ok(ExitCode::SUCCESS)
}

fn record_stop(a: RecordStopArgs, g: &Globals) -> Result<ExitCode> {
    let key = a.who.load()?;
    let pending = a
        .out_dir
        .join(unfinished_name(&a.who.step, key.public_key().keyid()));
    let md = Metadata::read_file(&pending).context("run `palisade intoto record start` first")?;
    md.verify_signature(key.public_key())
        .map_err(|e| anyhow::anyhow!("{}: {e}", pending.display()))?;
    let Payload::Link(mut link) = md.payload else {
        bail!("{}: not a link", pending.display());
    };
    if link.name != a.who.step {
        bail!(
            "{}: records step '{}', not '{}'",
            pending.display(),
            link.name,
            a.who.step
        );
    }
    link.products = record_artifacts(&a.out.products, &a.paths.record())?;
    let bytes = sign_link(&link, a.out.envelope, &key)?;
    let out = a.out_dir.join(palisade_intoto::link_file_name(
        &a.who.step,
        key.public_key().keyid(),
    ));
    write_new(&out, &bytes, a.force)?;
    std::fs::remove_file(&pending).with_context(|| format!("removing {}", pending.display()))?;
    g.info(format!("wrote {}", out.display()));
    Ok(ExitCode::SUCCESS)
}

/// SOURCE_DATE_EPOCH or the clock, plus 30 days, as an in-toto timestamp.
fn default_expiry() -> String {
    let base = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(palisade_intoto::time::now);
    palisade_intoto::time::format_utc(base.saturating_add(30 * 86_400))
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn layout_new(a: LayoutNewArgs, g: &Globals) -> Result<ExitCode> {
    let expires = match a.expires {
        Some(e) => {
            palisade_intoto::time::parse_utc(&e).map_err(|m| anyhow::anyhow!("--expires: {m}"))?;
            e
        }
        None => default_expiry(),
    };
    let mut keys = BTreeMap::new();
    let mut steps = Vec::new();
    for spec in &a.step {
        let Some((name, pubs)) = spec.split_once('=') else {
            bail!("--step '{spec}': expected NAME=PUB[,PUB…]");
        };
        let mut ids = Vec::new();
        for p in pubs.split(',').filter(|p| !p.is_empty()) {
            let k = util::load_public(Path::new(p), None)?;
            let mut kv = k.to_sslib_value();
            if let Value::Object(m) = &mut kv {
                m.insert("keyid".into(), s(k.keyid()));
            }
            keys.insert(k.keyid().to_string(), kv);
            ids.push(s(k.keyid()));
        }
        let mut st = BTreeMap::new();
        st.insert("_type".into(), s("step"));
        st.insert("name".into(), s(name));
        st.insert("pubkeys".into(), Value::Array(ids));
        st.insert("threshold".into(), Value::Int("1".into()));
        st.insert("expected_command".into(), Value::Array(Vec::new()));
        st.insert("expected_materials".into(), Value::Array(Vec::new()));
        st.insert("expected_products".into(), Value::Array(Vec::new()));
        steps.push(Value::Object(st));
    }
    let mut m = BTreeMap::new();
    m.insert("_type".into(), s("layout"));
    m.insert("expires".into(), s(&expires));
    m.insert("readme".into(), s(&a.readme));
    m.insert("keys".into(), Value::Object(keys));
    m.insert("steps".into(), Value::Array(steps));
    m.insert("inspect".into(), Value::Array(Vec::new()));
    let bytes = metadata::unsigned_metablock(&Value::Object(m))?;
    write_new(&a.out, &bytes, a.force)?;
    g.info(format!(
        "wrote {} (unsigned; edit, then `palisade intoto layout sign`)",
        a.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn layout_sign(a: LayoutSignArgs, g: &Globals) -> Result<ExitCode> {
    let name = a.layout.display().to_string();
    let bytes = util::read(&a.layout, metadata::MAX_METADATA_BYTES)?;
    let raw = palisade_cjson::parse(&bytes).with_context(|| name.clone())?;
    let is_dsse = raw.get("payload").is_some();
    // The layout as signed: a Metablock's `signed`, or the DSSE payload.
    let (mut signed, had_signatures) = if is_dsse {
        let env = palisade_dsse::Envelope::from_json(&bytes).with_context(|| name.clone())?;
        let payload = env.payload_bytes().with_context(|| name.clone())?;
        let v = palisade_cjson::parse(&payload).with_context(|| format!("{name} (payload)"))?;
        (v, !env.signatures.is_empty())
    } else {
        match raw.get("signed") {
            Some(v) => (
                v.clone(),
                matches!(raw.get("signatures"), Some(Value::Array(a)) if !a.is_empty()),
            ),
            None => bail!("{name}: not a Metablock ({{signed, signatures}}) or DSSE layout"),
        }
    };
    // Fill what Python adds on loading, so Python checks the bytes we sign.
    let added = palisade_intoto::model::complete_layout(&mut signed, &default_expiry());
    let keys = a
        .key
        .iter()
        .map(|k| util::load_private(k, a.scheme))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&PrivateKey> = keys.iter().collect();
    let current = if is_dsse {
        EnvelopeKind::Dsse
    } else {
        EnvelopeKind::Metablock
    };
    let kind = a.envelope.unwrap_or(current);
    if kind == EnvelopeKind::Statement {
        bail!("--envelope: layouts are signed as metablock or dsse");
    }
    let out_bytes = if added.is_empty() {
        let md = Metadata::from_bytes(&bytes, &name)?;
        if !matches!(md.payload, Payload::Layout(_)) {
            bail!("{name}: holds a link, not a layout");
        }
        md.add_signatures(kind, &refs)?
    } else {
        g.info(format!("note: added {} before signing", added.join(", ")));
        if had_signatures {
            g.info("note: the existing signatures no longer match and are dropped");
        }
        let mut doc = BTreeMap::new();
        doc.insert("signed".to_string(), signed.clone());
        doc.insert("signatures".to_string(), Value::Array(Vec::new()));
        let md = Metadata::from_metablock_value(Value::Object(doc), &name)?;
        if !matches!(md.payload, Payload::Layout(_)) {
            bail!("{name}: holds a link, not a layout");
        }
        Metadata::sign_value(&signed, kind, &refs)?
    };
    let (out, overwrite) = match &a.out {
        Some(o) => (o.clone(), a.force),
        None => (a.layout.clone(), true),
    };
    write_new(&out, &out_bytes, overwrite)?;
    g.info(format!(
        "wrote {} ({} signature(s) added)",
        out.display(),
        refs.len()
    ));
    Ok(ExitCode::SUCCESS)
}
