//! `palisade sbom`: software bills of materials from lockfiles.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use palisade_lockfile::{Format, Lockfile};
use palisade_sbom::{Project, SbomFormat};

const SBOM_EXAMPLES: &str = "Examples:
  palisade sbom generate . --out sbom.cdx.json
  palisade sbom generate --format spdx-json Cargo.lock web/pnpm-lock.yaml
  palisade sbom diff release-1.cdx.json release-2.spdx.json";

const DIFF_EXAMPLES: &str = "Examples:
  palisade sbom diff old.cdx.json new.cdx.json
  palisade sbom diff supplier.spdx.json <(palisade sbom generate .)

Components are matched by package URL without version (name when there is none).
Lines: `+ added`, `- removed`, `~ identity: old versions -> new versions`.
Exit status: 0 same, 1 different, 2 unreadable input.";

const GENERATE_EXAMPLES: &str = "Examples:
  # every lockfile under the current directory (honours .gitignore), CycloneDX 1.6
  palisade sbom generate . --out sbom.cdx.json
  # SPDX 2.3 from two files given explicitly; fixture names are recognised by content
  palisade sbom generate --format spdx-json trivy-yarn_happy.lock go.mod
  # force the reader, keep going past unreadable files (exit 1 if any)
  palisade sbom generate --type pnpm --keep-going locks/*.yaml

Coverage (files, entries parsed/skipped, components) is printed on stderr, with notes
such as `no package.json beside the lockfile` (direct dependencies then unknown).
Timestamps come from SOURCE_DATE_EPOCH when set, else 1970-01-01T00:00:00Z,
so the same tree always gives byte-identical output.";

/// Software bills of materials.
#[derive(clap::Args, Debug)]
#[command(after_help = SBOM_EXAMPLES)]
pub struct SbomArgs {
    #[command(subcommand)]
    command: SbomCommand,
}

#[derive(clap::Subcommand, Debug)]
enum SbomCommand {
    /// Build one SBOM from every lockfile and manifest found under PATH, or from files.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
    /// Compare two SBOMs (any format `ingest` reads): added, removed, changed components.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Read a supplier's SBOM (CycloneDX 1.4-1.6 JSON/XML, SPDX 2.2/2.3 JSON/tag-value,
    /// SPDX 3.0 JSON-LD), validate it against its specification and summarise it.
    #[command(after_help = INGEST_EXAMPLES)]
    Ingest(IngestArgs),
    /// Check an SBOM against what the lockfiles under PATH really resolve.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

const INGEST_EXAMPLES: &str = "Examples:
  palisade sbom ingest vendor/acme-agent.cdx.json
  palisade sbom ingest --json supplier.spdx.json > summary.json
  palisade sbom ingest --no-validate legacy.cdx.xml
  palisade sbom ingest acme.cdx.json --subject acme-agent.tar.gz \\
      --bundle acme-agent.intoto.jsonl --key acme.pub

Validates the SBOM first: CycloneDX 1.4-1.6 and SPDX 2.2/2.3 JSON against the official
JSON schemas (embedded, no network), CycloneDX XML (namespace, components, hashes) and
SPDX tag-value (mandatory fields) against their specifications; every violation is
listed with its place (a JSON pointer such as /components/3/type, an XML element path,
or a tag-value line). Then prints the format, the number of components, how many lack a
package URL, a version or a licence, how many carry hashes, and structural problems.
Exit status: 0 valid and no problems, 1 violations or problems found (the SBOM was read
but does not meet its specification), 2 unreadable input (not an SBOM, not JSON/XML).";

#[derive(clap::Args, Debug)]
struct IngestArgs {
    /// The SBOM file.
    file: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Skip validation against the specification's schema (summary and structural
    /// problems only).
    #[arg(long)]
    no_validate: bool,
    /// Also require a signed in-toto statement, in --bundle, about this artefact whose
    /// predicate is this very SBOM (signed by --key).
    #[arg(long, requires_all = ["bundle", "key"])]
    subject: Option<PathBuf>,
    /// The supplier's attestation bundle (JSON Lines of DSSE envelopes).
    #[arg(long, requires = "subject")]
    bundle: Option<PathBuf>,
    /// The supplier's public key (repeatable).
    #[arg(long, requires = "subject")]
    key: Vec<PathBuf>,
}

/// Whether `bundle` holds a statement about `subject`, signed by one of `keys`, whose
/// predicate is the SBOM `sbom` (compared as JSON values). Returns the reasons otherwise.
fn sbom_is_attested(
    sbom: &[u8],
    subject: &std::path::Path,
    bundle: &std::path::Path,
    keys: &[PathBuf],
) -> anyhow::Result<Result<String, Vec<String>>> {
    let declared: serde_json::Value = serde_json::from_slice(sbom)
        .context("the SBOM is not JSON, so no statement can carry it")?;
    let keys = crate::util::load_publics(keys, None)?;
    let artefact = crate::cmd::attest::subject_for(subject)?;
    let file = std::fs::File::open(bundle).with_context(|| bundle.display().to_string())?;
    let lines = palisade_attest::read_bundle(std::io::BufReader::new(file))
        .with_context(|| bundle.display().to_string())?;
    let report = palisade_attest::verify_bundle(
        &lines,
        &palisade_attest::Query {
            digests: &artefact.digest,
            predicate_type: None,
            keys: &keys,
            threshold: 1,
        },
    );
    let mut reasons: Vec<String> = report
        .rejected
        .iter()
        .map(|(l, why)| format!("line {l}: {why}"))
        .collect();
    for acc in &report.accepted {
        if acc.statement.predicate == declared {
            return Ok(Ok(format!(
                "{}:{} ({}, signed by {})",
                bundle.display(),
                acc.line,
                acc.statement.predicate_type,
                acc.signers.join(", ")
            )));
        }
        reasons.push(format!(
            "line {}: signed statement about the artefact, but its predicate is another SBOM",
            acc.line
        ));
    }
    if reasons.is_empty() {
        reasons.push("no statement in the bundle".into());
    }
    Ok(Err(reasons))
}

fn ingest(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let bytes = palisade_io::read_limited(&args.file, MAX_SBOM_BYTES)?;
    let validation = if args.no_validate {
        None
    } else {
        Some(palisade_sbom::validate(&bytes).with_context(|| format!("{}", args.file.display()))?)
    };
    let s = palisade_sbom::summarize(&bytes).with_context(|| format!("{}", args.file.display()))?;
    let violations: &[palisade_sbom::Violation] = validation
        .as_ref()
        .map(|v| v.violations.as_slice())
        .unwrap_or_default();
    let more = validation.as_ref().map(|v| v.more).unwrap_or(0);
    let mut problems = s.problems.clone();
    let attested = match (&args.subject, &args.bundle) {
        (Some(subject), Some(bundle)) => {
            match sbom_is_attested(&bytes, subject, bundle, &args.key)? {
                Ok(at) => Some(at),
                Err(reasons) => {
                    problems.push(format!(
                        "no signed statement about {} carries this SBOM: {}",
                        subject.display(),
                        reasons.join("; ")
                    ));
                    None
                }
            }
        }
        _ => None,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "file": args.file.display().to_string(),
            "format": s.format,
            "components": s.components,
            "missing_purl": s.missing_purl,
            "missing_version": s.missing_version,
            "missing_license": s.missing_license,
            "with_hashes": s.with_hashes,
            "problems": problems,
            "validated_against": validation.as_ref().filter(|v| v.checked).map(|v| v.against.clone()),
            "not_validated": validation.as_ref().filter(|v| !v.checked).map(|v| v.against.clone()),
            "violations": violations
                .iter()
                .map(|v| serde_json::json!({"path": v.path, "message": v.message}))
                .collect::<Vec<_>>(),
            "violations_not_listed": more,
            "attestation": attested,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        writeln!(out, "{}: {}", args.file.display(), s.format)?;
        writeln!(out, "  components:       {}", s.components)?;
        writeln!(out, "  without purl:     {}", s.missing_purl)?;
        writeln!(out, "  without version:  {}", s.missing_version)?;
        writeln!(out, "  without licence:  {}", s.missing_license)?;
        writeln!(out, "  with hashes:      {}", s.with_hashes)?;
        match &validation {
            None => writeln!(out, "  validation:       skipped (--no-validate)")?,
            Some(v) if !v.checked => writeln!(out, "  validation:       none ({})", v.against)?,
            Some(v) if v.violations.is_empty() => {
                writeln!(out, "  validation:       valid ({})", v.against)?
            }
            Some(v) => writeln!(
                out,
                "  validation:       INVALID ({}): {} violations",
                v.against,
                v.violations.len() + v.more
            )?,
        }
        for v in violations {
            let at = if v.path.is_empty() {
                "(document)"
            } else {
                v.path.as_str()
            };
            writeln!(out, "  invalid {at}: {}", v.message)?;
        }
        if more > 0 {
            writeln!(out, "  … {more} more violations not listed")?;
        }
        if let Some(at) = &attested {
            writeln!(out, "  attested by:      {at}")?;
        }
        for p in &problems {
            writeln!(out, "  problem: {p}")?;
        }
    }
    Ok(if problems.is_empty() && violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

const CHECK_EXAMPLES: &str = "Examples:
  palisade sbom check supplier.cdx.json .
  palisade sbom check sbom.spdx.json services/api

Reports components the SBOM declares but the lockfiles do not resolve (-), components
the lockfiles resolve but the SBOM omits (+), version differences (~), and identifier
mismatches (!): the same name and version under another package URL.
Exit status: 0 consistent, 1 differences, 2 unreadable input.";

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The SBOM to check (any format `ingest` reads).
    sbom: PathBuf,
    /// Directory or lockfiles to compare with [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let declared = read_sbom(&args.sbom)?;
    let gen_args = GenerateArgs {
        paths: args.paths,
        format: SbomFormat::CycloneDxJson,
        out: None,
        force: false,
        lock_type: None,
        keep_going: false,
        name: None,
        project_version: None,
        verbose: false,
        attest: false,
        key: Vec::new(),
        subject: Vec::new(),
        bundle: None,
    };
    let mut files = load_inputs(&gen_args)?;
    let sbom = palisade_sbom::assemble(project_name(&gen_args, &files), &mut files);
    let actual = palisade_sbom::declared(&sbom);
    let (d, mismatches) = palisade_sbom::check(&declared, &actual);
    let mut out = std::io::stdout().lock();
    print_diff(&mut out, &d)?;
    for m in &mismatches {
        writeln!(
            out,
            "! {} declared as {}",
            shown(&m.actual),
            shown(&m.declared)
        )?;
    }
    eprintln!(
        "{} declared, {} resolved: {} missing from the SBOM, {} not resolved, {} version differences, {} identifier mismatches",
        declared.len(),
        actual.len(),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        mismatches.len()
    );
    Ok(if d.is_empty() && mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn shown(c: &palisade_sbom::DeclaredComponent) -> String {
    c.purl
        .clone()
        .unwrap_or_else(|| format!("{} {}", c.name, c.version.clone().unwrap_or_default()))
}

fn print_diff(out: &mut impl std::io::Write, d: &palisade_sbom::Diff) -> std::io::Result<()> {
    for c in &d.added {
        writeln!(out, "+ {}", shown(c))?;
    }
    for c in &d.removed {
        writeln!(out, "- {}", shown(c))?;
    }
    for (id, old, new) in &d.changed {
        writeln!(out, "~ {id}: {} -> {}", old.join(", "), new.join(", "))?;
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
struct DiffArgs {
    /// The earlier SBOM.
    a: PathBuf,
    /// The later SBOM.
    b: PathBuf,
}

/// Largest SBOM read: 256 MiB.
const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;

fn read_sbom(path: &Path) -> anyhow::Result<Vec<palisade_sbom::DeclaredComponent>> {
    let bytes = palisade_io::read_limited(path, MAX_SBOM_BYTES)?;
    palisade_sbom::read_components(&bytes).with_context(|| format!("{}", path.display()))
}

fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let a = read_sbom(&args.a)?;
    let b = read_sbom(&args.b)?;
    let d = palisade_sbom::diff(&a, &b);
    print_diff(&mut std::io::stdout().lock(), &d)?;
    eprintln!(
        "{} components before, {} after: {} added, {} removed, {} changed",
        a.len(),
        b.len(),
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    Ok(if d.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(clap::Args, Debug)]
struct GenerateArgs {
    /// Directories to scan or lockfiles to read [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: cyclonedx-json, spdx-json (2.3) or spdx3-json (3.0.1 JSON-LD).
    #[arg(long, default_value = "cyclonedx-json", value_parser = parse_format)]
    format: SbomFormat,
    /// Write the SBOM to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    force: bool,
    /// Lockfile type for files given explicitly (default: detect from name and content).
    #[arg(long = "type", value_name = "T", value_parser = parse_type)]
    lock_type: Option<Format>,
    /// Report unreadable files and go on (exit status 1 if there were any).
    #[arg(long)]
    keep_going: bool,
    /// Name of the root component (default: from the lockfiles, else the directory).
    #[arg(long)]
    name: Option<String>,
    /// Version of the root component.
    #[arg(long = "project-version", value_name = "VERSION")]
    project_version: Option<String>,
    /// Also list every skipped entry with its reason on stderr.
    #[arg(long, short)]
    verbose: bool,
    /// Also sign the SBOM as an in-toto statement about the --subject artefacts
    /// (predicate type https://cyclonedx.org/bom or https://spdx.dev/Document) and append
    /// it to --bundle.
    #[arg(long, requires_all = ["key", "subject", "bundle"])]
    attest: bool,
    /// Private key for --attest (repeatable).
    #[arg(long, requires = "attest")]
    key: Vec<PathBuf>,
    /// The artefact the SBOM describes, for --attest (repeatable).
    #[arg(long, requires = "attest")]
    subject: Vec<PathBuf>,
    /// The attestation bundle (JSON Lines) --attest appends to.
    #[arg(long, requires = "attest")]
    bundle: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<SbomFormat, String> {
    s.parse()
}

fn parse_type(s: &str) -> Result<Format, String> {
    s.parse()
}

/// Runs `palisade sbom ...`.
pub fn run(args: SbomArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SbomCommand::Generate(g) => generate(g),
        SbomCommand::Diff(d) => diff(d),
        SbomCommand::Check(c) => check(c),
        SbomCommand::Ingest(i) => ingest(i),
    }
}

/// One input file and the name to record for it.
struct Input {
    path: PathBuf,
    shown: String,
    format: Option<Format>,
}

fn collect_inputs(args: &GenerateArgs) -> anyhow::Result<Vec<Input>> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let many = paths.len() > 1;
    let mut inputs = Vec::new();
    for root in &paths {
        let meta = std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
        if meta.is_dir() {
            let found = palisade_sbom::discover(root)?;
            if found.is_empty() {
                bail!("{}: no lockfile or manifest found", root.display());
            }
            for f in found {
                let rel = f
                    .strip_prefix(root)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .replace('\\', "/");
                let shown = if many {
                    format!("{}/{rel}", root.display())
                } else {
                    rel
                };
                inputs.push(Input {
                    path: f,
                    shown,
                    format: None,
                });
            }
        } else {
            let shown = if many {
                root.to_string_lossy().to_string()
            } else {
                root.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            };
            inputs.push(Input {
                path: root.clone(),
                shown,
                format: args.lock_type,
            });
        }
    }
    Ok(inputs)
}

fn project_name(args: &GenerateArgs, files: &[(String, Lockfile)]) -> Project {
    let from_lock = files.iter().find_map(|(_, l)| l.project.clone());
    let dir_name = || {
        let first = args
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if first.is_dir() {
            first
        } else {
            first.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        std::fs::canonicalize(&dir)
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| "project".to_string())
    };
    let (name, version) = match (&args.name, from_lock) {
        (Some(n), _) => (n.clone(), None),
        (None, Some((n, v))) => (n, v),
        (None, None) => (dir_name(), None),
    };
    Project {
        name,
        version: args.project_version.clone().or(version),
    }
}

type Loaded = (
    Vec<(String, Lockfile)>,
    Vec<palisade_lockfile::LockfileError>,
);

/// Reads every input; unreadable files are an error unless `--keep-going`.
fn load_all(args: &GenerateArgs) -> anyhow::Result<Loaded> {
    let inputs = collect_inputs(args)?;
    let paths: Vec<_> = inputs.iter().map(|i| (i.path.clone(), i.format)).collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (input, r) in inputs.iter().zip(palisade_sbom::load(&paths)) {
        match r {
            Ok(l) => files.push((input.shown.clone(), l)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() && !args.keep_going {
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        bail!(
            "{}\n(use --keep-going to report unreadable files and go on)",
            msgs.join("\n")
        );
    }
    Ok((files, errors))
}

/// The predicate type of an SBOM format in an in-toto statement.
fn predicate_type(format: SbomFormat) -> &'static str {
    match format {
        SbomFormat::CycloneDxJson => "https://cyclonedx.org/bom",
        _ => "https://spdx.dev/Document",
    }
}

/// Signs the SBOM as an in-toto statement about the subjects and appends it to the bundle
/// (before the SBOM itself is written, so a signing failure writes nothing).
fn attest_sbom(args: &GenerateArgs, sbom: &[u8]) -> anyhow::Result<()> {
    let bundle = args.bundle.as_ref().context("--attest needs --bundle")?;
    let predicate: serde_json::Value =
        serde_json::from_slice(sbom).context("the SBOM is not JSON")?;
    let subjects = args
        .subject
        .iter()
        .map(|p| crate::cmd::attest::subject_for(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let keys = args
        .key
        .iter()
        .map(|k| crate::util::load_private(k, None))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let statement =
        palisade_attest::Statement::new(subjects, predicate_type(args.format), predicate)?;
    let refs: Vec<_> = keys.iter().collect();
    let envelope = palisade_attest::sign_statement(&statement, &refs)?;
    palisade_io::append_line_atomic(bundle, envelope.to_json_line().as_bytes(), 1 << 30)?;
    Ok(())
}

/// Writes the output to `out` atomically (temporary file, fsync, rename; an existing
/// file only with `force`), or to standard output.
fn write_output(
    out: Option<&Path>,
    force: bool,
    write: impl FnOnce(&mut dyn WriteSend) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let mut file = palisade_io::AtomicFile::create(
                path,
                palisade_io::WriteOptions {
                    overwrite: force,
                    mode: None,
                },
            )?;
            write(&mut file).with_context(|| format!("writing {}", path.display()))?;
            file.commit()?;
        }
        None => write(&mut std::io::stdout()).context("writing to standard output")?,
    }
    Ok(())
}

/// A writer that can be handed to another thread (the SBOM is written by one thread
/// while others render it).
trait WriteSend: Write + Send {}
impl<T: Write + Send> WriteSend for T {}

fn load_inputs(args: &GenerateArgs) -> anyhow::Result<Vec<(String, Lockfile)>> {
    Ok(load_all(args)?.0)
}

fn generate(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let created = palisade_sbom::creation_time()?;
    let (mut files, errors) = load_all(&args)?;
    let project = project_name(&args, &files);
    let sbom = palisade_sbom::assemble(project, &mut files);
    if args.attest {
        // The statement needs the whole document, and is signed before anything is
        // written, so a signing failure writes nothing.
        let bytes = palisade_sbom::write(&sbom, args.format, &created);
        attest_sbom(&args, &bytes)?;
        write_output(args.out.as_deref(), args.force, |w| w.write_all(&bytes))?;
    } else {
        // Streamed: written while it is rendered.
        write_output(args.out.as_deref(), args.force, |w| {
            palisade_sbom::write_to(&sbom, args.format, &created, w)
        })?;
    }
    let mut err = std::io::stderr().lock();
    let (mut entries, mut parsed, mut skipped) = (0, 0, 0);
    for (shown, l) in &files {
        let c = l.coverage;
        entries += c.entries;
        parsed += c.parsed;
        skipped += c.skipped;
        let _ = writeln!(
            err,
            "{shown}: {} — {} packages ({} entries: {} parsed, {} skipped)",
            l.format, c.packages, c.entries, c.parsed, c.skipped
        );
        for n in &l.notes {
            let _ = writeln!(err, "  note: {n}");
        }
        if args.verbose {
            for s in &l.skipped {
                let line = s.line.map(|n| format!(":{n}")).unwrap_or_default();
                let _ = writeln!(err, "  skipped {shown}{line} {}: {}", s.entry, s.reason);
            }
        }
    }
    for e in &errors {
        let _ = writeln!(err, "error: {e}");
    }
    let _ = writeln!(
        err,
        "coverage: {} files read, {} unreadable; {entries} entries: {parsed} parsed, {skipped} skipped; {} components",
        files.len(),
        errors.len(),
        sbom.components.len()
    );
    let code = if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // The process ends after this command: leave the packages and the SBOM (a hundred
    // thousand small allocations for a large lock) to the operating system instead of
    // freeing them one by one.
    std::mem::forget((files, sbom));
    Ok(code)
}
