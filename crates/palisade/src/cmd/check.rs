//! `palisade check`: dependencies against the offline advisory index and the
//! materials policy (vulnerabilities, malicious packages, VEX, licences, sources).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use palisade_advisory::check::{Inputs, Outcome};
use palisade_advisory::matcher::{Finding, PackageRef};
use palisade_advisory::policy::{self, CheckConfig, IgnoreRule, Verdict};
use palisade_advisory::vex::{self, VexStatement};
use serde_json::json;

const CHECK_EXAMPLES: &str = "Examples:
  palisade db import ../shared/advisories
  palisade check .
  palisade check Cargo.lock --severity-threshold high --format sarif > check.sarif
  palisade check --sbom supplier.cdx.json --vex supplier.openvex.json
  palisade check . --ignore RUSTSEC-2021-0003 --reason 'not reachable' --until 2026-12-31
  palisade check . --emit-vex out.openvex.json
  palisade check . --allow-licence MIT --allow-licence Apache-2.0 --deny-licence GPL-3.0-only
  palisade check . --allowed-registry registry.npmjs.org --require-hashes
  palisade check Cargo.lock --cargo-home ~/.cargo --allow-licence MIT --allow-licence Apache-2.0
  palisade check . --attest --key release --out check.intoto.jsonl

Policy is read from palisade.toml's [check] table (in PATH when it is a directory, else
the current directory); flags add to it. Malicious packages always fail. Packages that
cannot be checked (unknown ecosystem, unparsable version, no data in the index) fail
unless --allow-unchecked. No network access.
Exit status: 0 policy met, 1 policy failed, 2 usage or input error.";

/// Check dependencies against the advisory index and the materials policy.
#[derive(clap::Args, Debug)]
#[command(after_help = CHECK_EXAMPLES)]
pub struct CheckArgs {
    /// Directories to scan or lockfiles to read [default: .]
    #[arg(value_name = "PATH", conflicts_with = "sbom")]
    paths: Vec<PathBuf>,
    /// Check the components of an SBOM (CycloneDX or SPDX) instead of lockfiles.
    #[arg(long, value_name = "FILE")]
    sbom: Option<PathBuf>,
    /// Index directory (default: [check] db, $PALISADE_DB, or the user cache).
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: CheckFormat,
    /// Findings below this level pass: low, medium, high, critical.
    #[arg(long, value_name = "LEVEL")]
    severity_threshold: Option<String>,
    /// Accept a vulnerability id (needs --reason; repeatable).
    #[arg(long, value_name = "ID", requires = "reason")]
    ignore: Vec<String>,
    /// Why the --ignore ids are accepted.
    #[arg(long)]
    reason: Option<String>,
    /// Last day (YYYY-MM-DD) the --ignore ids are accepted.
    #[arg(long, value_name = "DATE", requires = "ignore")]
    until: Option<String>,
    /// VEX document (OpenVEX or CycloneDX): not_affected / fixed statements suppress.
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// Write an OpenVEX document for the findings.
    #[arg(long, value_name = "FILE")]
    emit_vex: Option<PathBuf>,
    /// Allowed licence (SPDX id, or `ID WITH EXCEPTION`; repeatable).
    #[arg(long, value_name = "SPDX", alias = "allow-license")]
    allow_licence: Vec<String>,
    /// Denied licence (repeatable).
    #[arg(long, value_name = "SPDX", alias = "deny-license")]
    deny_licence: Vec<String>,
    /// Read the licences of crates.io packages in a Cargo.lock from this Cargo home's
    /// registry/src or registry/cache (e.g. ~/.cargo); local files only.
    #[arg(long, value_name = "DIR")]
    cargo_home: Option<PathBuf>,
    /// Allowed registry: host name or URL prefix (repeatable).
    #[arg(long, value_name = "REGISTRY")]
    allowed_registry: Vec<String>,
    /// Every third-party package must carry a hash where its lockfile format records one.
    #[arg(long)]
    require_hashes: bool,
    /// Packages that could not be checked do not fail the check.
    #[arg(long)]
    allow_unchecked: bool,
    /// Accepted for compatibility: every check is offline (there is no online mode).
    #[arg(long)]
    offline: bool,
    /// Policy file (default: palisade.toml beside PATH or in the current directory).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also sign an in-toto statement (predicate https://in-toto.io/attestation/vulns/v0.2)
    /// about the checked files and append it to --out.
    #[arg(long, requires_all = ["key", "out"])]
    attest: bool,
    /// Private key for --attest (repeatable).
    #[arg(long, requires = "attest")]
    key: Vec<PathBuf>,
    /// Attestation bundle (JSON Lines) --attest appends to.
    #[arg(long, requires = "attest", value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    Table,
    Json,
    Sarif,
}

fn load_lockfiles(paths: &[PathBuf]) -> anyhow::Result<(Inputs, Vec<PathBuf>)> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for root in &paths {
        let meta = std::fs::metadata(root).with_context(|| root.display().to_string())?;
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
                files.push((f, rel));
            }
        } else {
            files.push((root.clone(), root.to_string_lossy().replace('\\', "/")));
        }
    }
    let wanted: Vec<_> = files.iter().map(|(p, _)| (p.clone(), None)).collect();
    let mut inputs = Inputs::default();
    for ((_, shown), r) in files.iter().zip(palisade_sbom::load(&wanted)) {
        match r {
            Ok(lock) => inputs.add_lockfile(shown, &lock),
            Err(e) => inputs.add_unreadable(shown, &e.to_string()),
        }
    }
    Ok((inputs, files.into_iter().map(|(p, _)| p).collect()))
}

fn load_sbom(path: &Path) -> anyhow::Result<(Inputs, Vec<PathBuf>)> {
    let bytes = palisade_io::read_limited(path, 256 * 1024 * 1024)?;
    let comps = palisade_sbom::read_details(&bytes).with_context(|| path.display().to_string())?;
    let shown = path.display().to_string();
    let mut inputs = Inputs::default();
    for d in comps {
        let c = d.component;
        let p = match c.purl.as_deref().and_then(PackageRef::from_purl) {
            Some(mut p) => {
                if p.version.is_none() {
                    p.version = c.version.clone();
                }
                p
            }
            None => PackageRef {
                ecosystem: "unknown".into(),
                name: c.name.clone(),
                version: c.version.clone(),
                purl: c.purl.clone().unwrap_or_else(|| format!("name:{}", c.name)),
                locations: Vec::new(),
            },
        };
        inputs.add_declared(
            PackageRef {
                locations: vec![shown.clone()],
                ..p
            },
            &d.licences,
            d.hashes.len(),
            d.download,
        );
    }
    Ok((inputs, vec![path.to_path_buf()]))
}

#[derive(serde::Deserialize, Default)]
struct PalisadeToml {
    #[serde(default)]
    check: Option<CheckConfig>,
}

fn load_config(args: &CheckArgs) -> anyhow::Result<CheckConfig> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => {
            let dir = args
                .paths
                .first()
                .filter(|p| p.is_dir())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let p = dir.join("palisade.toml");
            p.is_file().then_some(p)
        }
    };
    let mut cfg = match &path {
        Some(p) => {
            let bytes = palisade_io::read_limited(p, 4 * 1024 * 1024)?;
            let text = String::from_utf8(bytes).with_context(|| p.display().to_string())?;
            let t: PalisadeToml = toml::from_str(&text).with_context(|| p.display().to_string())?;
            let mut c = t.check.unwrap_or_default();
            // Relative paths in the file are relative to the file.
            let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
            c.vex = c
                .vex
                .into_iter()
                .map(|v| if v.is_relative() { base.join(v) } else { v })
                .collect();
            c.db = c.db.map(|d| if d.is_relative() { base.join(d) } else { d });
            c.cargo_home = c
                .cargo_home
                .map(|d| if d.is_relative() { base.join(d) } else { d });
            c
        }
        None => CheckConfig::default(),
    };
    if let Some(t) = &args.severity_threshold {
        cfg.severity_threshold = Some(t.clone());
    }
    if let Some(reason) = &args.reason {
        for id in &args.ignore {
            cfg.ignore.push(IgnoreRule {
                id: id.clone(),
                reason: reason.clone(),
                until: args.until.clone(),
            });
        }
    }
    cfg.vex.extend(args.vex.iter().cloned());
    cfg.allow_licences
        .extend(args.allow_licence.iter().cloned());
    cfg.deny_licences.extend(args.deny_licence.iter().cloned());
    cfg.allowed_registries
        .extend(args.allowed_registry.iter().cloned());
    cfg.require_hashes |= args.require_hashes;
    cfg.allow_unchecked |= args.allow_unchecked;
    if args.db.is_some() {
        cfg.db = args.db.clone();
    }
    if args.cargo_home.is_some() {
        cfg.cargo_home = args.cargo_home.clone();
    }
    policy::validate(&cfg).map_err(|e| anyhow::anyhow!("policy: {e}"))?;
    Ok(cfg)
}

fn evaluate(inputs: &Inputs, cfg: &CheckConfig) -> anyhow::Result<Outcome> {
    let db = cfg
        .db
        .clone()
        .unwrap_or_else(palisade_advisory::index::default_dir);
    let index = palisade_advisory::Index::open(&db)?;
    Ok(palisade_advisory::check::evaluate(
        &index,
        db,
        inputs,
        cfg,
        &policy::today(),
    )?)
}

/// Runs `palisade check`.
pub fn run(args: CheckArgs, g: &crate::util::Globals) -> anyhow::Result<ExitCode> {
    let cfg = load_config(&args)?;
    let (mut inputs, subjects) = match &args.sbom {
        Some(s) => load_sbom(s)?,
        None => load_lockfiles(&args.paths)?,
    };
    if let Some(home) = &cfg.cargo_home {
        inputs.add_cargo_licences(home);
    }
    let started = crate::cmd::check::timestamp();
    let outcome = evaluate(&inputs, &cfg)?;
    if let Some(path) = &args.emit_vex {
        let items: Vec<(&Finding, Option<&VexStatement>)> = outcome
            .judged
            .iter()
            .filter(|(f, _, _)| f.informational.is_none())
            .map(|(f, _, s)| (f, s.as_ref()))
            .collect();
        let bytes = vex::emit_openvex(&items, &started);
        palisade_io::write_atomic(
            path,
            &bytes,
            palisade_io::WriteOptions {
                overwrite: true,
                mode: None,
            },
        )?;
    }
    if args.attest {
        attest(&args, &subjects, &outcome, &started)?;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        CheckFormat::Table => print_table(&mut out, &outcome)?,
        CheckFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&to_json(&outcome))?)?
        }
        CheckFormat::Sarif => out.write_all(sarif(&outcome).as_bytes())?,
    }
    let failing = outcome.judged.iter().filter(|(_, v, _)| v.fails()).count();
    g.info(format!(
        "{} packages: {} checked, {} unchecked; {} findings ({failing} failing), {} licence and {} source problems: {}",
        outcome.packages,
        outcome.checked,
        outcome.unchecked.len(),
        outcome.judged.len(),
        outcome.licences.len(),
        outcome.sources.len(),
        if outcome.failed() { "policy FAILED" } else { "policy met" }
    ));
    Ok(if outcome.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The time stamp written into VEX and attestations: SOURCE_DATE_EPOCH when set.
pub(crate) fn timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    palisade_io::rfc3339(secs)
}

fn pkg_label(p: &PackageRef) -> String {
    format!(
        "{} {} ({})",
        p.name,
        p.version.as_deref().unwrap_or("?"),
        p.ecosystem
    )
}

fn print_table(out: &mut impl std::io::Write, o: &Outcome) -> std::io::Result<()> {
    type Judged = (Finding, Verdict, Option<VexStatement>);
    let mut by_pkg: BTreeMap<String, Vec<&Judged>> = BTreeMap::new();
    for j in &o.judged {
        by_pkg.entry(pkg_label(&j.0.package)).or_default().push(j);
    }
    for (label, items) in &by_pkg {
        writeln!(
            out,
            "{label}  [{}]",
            items[0].0.package.locations.join(", ")
        )?;
        for (f, v, _) in items {
            let (mark, why) = match v {
                Verdict::Fail(w) => ("FAIL", w),
                Verdict::Pass(w) => ("pass", w),
            };
            let score = f
                .severity
                .score
                .map(|s| format!(" {s:.1}"))
                .unwrap_or_default();
            let fixed = f
                .fixed
                .as_deref()
                .map(|x| format!("; fixed in {x}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {mark} {} [{}{score}] {}{fixed}",
                f.id,
                f.severity.level.as_str(),
                f.summary
            )?;
            if !f.aliases.is_empty() {
                writeln!(out, "       aliases: {}", f.aliases.join(", "))?;
            }
            writeln!(out, "       {why}")?;
        }
    }
    for l in &o.licences {
        writeln!(
            out,
            "licence {}: {:?}: {}",
            pkg_label(&l.package),
            l.licence,
            l.problem
        )?;
    }
    for s in &o.sources {
        writeln!(
            out,
            "source {}: {}: {}",
            pkg_label(&s.package),
            s.source,
            s.problem
        )?;
    }
    if !o.unchecked.is_empty() {
        writeln!(
            out,
            "{} packages could not be checked{}:",
            o.unchecked.len(),
            if o.allow_unchecked { " (allowed)" } else { "" }
        )?;
        for u in &o.unchecked {
            writeln!(out, "  unchecked {}: {}", pkg_label(&u.package), u.reason)?;
        }
    }
    Ok(())
}

fn to_json(o: &Outcome) -> serde_json::Value {
    let findings: Vec<_> = o
        .judged
        .iter()
        .map(|(f, v, _)| {
            let mut x = serde_json::to_value(f).unwrap_or_default();
            x["verdict"] = serde_json::to_value(v).unwrap_or_default();
            x
        })
        .collect();
    json!({
        "index": {"db": o.db.display().to_string(), "digest": o.index_digest, "created": o.index_created},
        "packages": o.packages,
        "checked": o.checked,
        "passed": !o.failed(),
        "findings": findings,
        "licences": o.licences,
        "sources": o.sources,
        "unchecked": o.unchecked,
        "allow_unchecked": o.allow_unchecked,
    })
}

fn location(loc: Option<&String>) -> palisade_report::findings::SarifLocation {
    let loc = loc.cloned().unwrap_or_default();
    let (uri, line) = match loc.rsplit_once(':') {
        Some((u, l)) if l.parse::<u64>().is_ok() => (u.to_string(), l.parse().unwrap_or(0)),
        _ => (loc, 0),
    };
    palisade_report::findings::SarifLocation {
        uri,
        start_line: line,
        ..Default::default()
    }
}

fn sarif(o: &Outcome) -> String {
    use palisade_report::findings::{
        Level as SLevel, SarifResult, SarifRule, SarifRun, render_findings_sarif,
    };
    let mut rules: BTreeMap<String, SarifRule> = BTreeMap::new();
    let mut results = Vec::new();
    for (f, v, _) in &o.judged {
        rules.entry(f.id.clone()).or_insert_with(|| SarifRule {
            id: f.id.clone(),
            short: if f.summary.is_empty() {
                f.id.clone()
            } else {
                f.summary.clone()
            },
            help: match &f.fixed {
                Some(x) => format!("Upgrade {} to {x} or later.", f.package.name),
                None => "No fixed version is known: remove or replace the package.".into(),
            },
            help_uri: f.url.clone(),
            security_severity: f.severity.score.map(|s| s as f32).or(if f.malicious {
                Some(10.0)
            } else {
                None
            }),
            tags: vec![
                "security".into(),
                "materials".into(),
                f.package.ecosystem.clone(),
            ],
        });
        let mut props = BTreeMap::new();
        props.insert("aliases".to_string(), json!(f.aliases));
        props.insert("purl".to_string(), json!(f.package.purl));
        props.insert(
            "verdict".to_string(),
            serde_json::to_value(v).unwrap_or_default(),
        );
        let mut fp = BTreeMap::new();
        fp.insert(
            "palisade/v1".to_string(),
            format!("{}|{}", f.id, f.package.purl),
        );
        results.push(SarifResult {
            rule_id: f.id.clone(),
            level: Some(if v.fails() {
                SLevel::Error
            } else {
                SLevel::Note
            }),
            message: format!(
                "{} {} is affected by {}: {}",
                f.package.name,
                f.package.version.as_deref().unwrap_or("?"),
                f.id,
                match v {
                    Verdict::Fail(w) | Verdict::Pass(w) => w,
                }
            ),
            locations: f
                .package
                .locations
                .iter()
                .map(|l| location(Some(l)))
                .collect(),
            fingerprints: fp,
            properties: props,
        });
    }
    let mut policy_rule = |id: &str, short: &str| {
        rules.entry(id.to_string()).or_insert_with(|| SarifRule {
            id: id.into(),
            short: short.into(),
            help: short.into(),
            tags: vec!["materials".into()],
            ..Default::default()
        });
    };
    if !o.licences.is_empty() {
        policy_rule("licence-policy", "A licence is not allowed by the policy");
    }
    if !o.sources.is_empty() {
        policy_rule(
            "source-policy",
            "A package does not come from a trusted source with a pinned hash",
        );
    }
    if !o.unchecked.is_empty() {
        policy_rule(
            "unchecked-package",
            "A package could not be checked against the advisory index",
        );
    }
    for l in &o.licences {
        results.push(SarifResult {
            rule_id: "licence-policy".into(),
            level: Some(SLevel::Error),
            message: format!(
                "{}: licence {:?}: {}",
                pkg_label(&l.package),
                l.licence,
                l.problem
            ),
            locations: l
                .package
                .locations
                .iter()
                .map(|x| location(Some(x)))
                .collect(),
            ..Default::default()
        });
    }
    for s in &o.sources {
        results.push(SarifResult {
            rule_id: "source-policy".into(),
            level: Some(SLevel::Error),
            message: format!("{}: {}: {}", pkg_label(&s.package), s.source, s.problem),
            locations: s
                .package
                .locations
                .iter()
                .map(|x| location(Some(x)))
                .collect(),
            ..Default::default()
        });
    }
    for u in &o.unchecked {
        results.push(SarifResult {
            rule_id: "unchecked-package".into(),
            level: Some(if o.allow_unchecked {
                SLevel::Note
            } else {
                SLevel::Error
            }),
            message: format!("{}: {}", pkg_label(&u.package), u.reason),
            locations: u
                .package
                .locations
                .iter()
                .map(|x| location(Some(x)))
                .collect(),
            ..Default::default()
        });
    }
    render_findings_sarif(&SarifRun {
        tool_name: "palisade".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        information_uri: None,
        rules: rules.into_values().collect(),
        results,
    })
}

fn attest(
    args: &CheckArgs,
    subjects: &[PathBuf],
    o: &Outcome,
    started: &str,
) -> anyhow::Result<()> {
    let out = args.out.as_ref().context("--attest needs --out")?;
    let subjects = subjects
        .iter()
        .map(|p| crate::cmd::attest::subject_for(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let results: Vec<_> = o
        .judged
        .iter()
        .map(|(f, v, _)| {
            let mut sev = Vec::new();
            if let (Some(s), Some(vec)) = (f.severity.score, &f.severity.vector) {
                let method = if vec.starts_with("CVSS:4") {
                    "CVSSv4"
                } else {
                    "CVSSv3"
                };
                sev.push(json!({"method": method, "score": format!("{s:.1}")}));
            }
            json!({
                "id": f.id,
                "severity": sev,
                "annotations": [{"package": f.package.purl, "aliases": f.aliases, "fixed": f.fixed,
                                  "verdict": serde_json::to_value(v).unwrap_or_default()}],
            })
        })
        .collect();
    let predicate = json!({
        "invocation": {
            "parameters": std::env::args().skip(1).collect::<Vec<_>>(),
            "uri": "",
            "eventId": "",
            "builderId": "",
        },
        "scanner": {
            "uri": "https://example.invalid/palisade",
            "version": env!("CARGO_PKG_VERSION"),
            "db": {"uri": o.db.display().to_string(), "version": o.index_digest, "lastUpdate": o.index_created},
            "result": results,
        },
        "metadata": {"scanStartedOn": started, "scanFinishedOn": crate::cmd::check::timestamp()},
    });
    let keys = args
        .key
        .iter()
        .map(|k| crate::util::load_private(k, None))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let statement = palisade_attest::Statement::new(
        subjects,
        "https://in-toto.io/attestation/vulns/v0.2",
        predicate,
    )?;
    let refs: Vec<_> = keys.iter().collect();
    let envelope = palisade_attest::sign_statement(&statement, &refs)?;
    palisade_io::append_line_atomic(out, envelope.to_json_line().as_bytes(), 1 << 30)?;
    Ok(())
}
