//! `palisade codeowners check`: CODEOWNERS syntax, dead rules, unowned paths, and who
//! must approve a change.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_source::Repo;
use palisade_source::codeowners::{self, CodeOwners, Pattern};
use serde_json::json;

use crate::util::{self, Format, Globals};

/// Check CODEOWNERS.
#[derive(Args)]
pub struct CodeownersArgs {
    #[command(subcommand)]
    cmd: CodeownersCmd,
}

#[derive(Subcommand)]
enum CodeownersCmd {
    /// Lint CODEOWNERS with GitHub's rules; list unowned paths and required approvers.
    #[command(after_help = "Examples:
  palisade codeowners check
  palisade codeowners check --require-owner 'src/**' --require-owner '.github/'
  palisade codeowners check --diff origin/main..HEAD --format json

The file is the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS (GitHub's order).
Findings: lines GitHub skips (negation, bad owners), rules that match no file, files
matching a --require-owner pattern that no rule owns. With --diff, each changed file and
the owners who must approve it (last matching rule wins).
Exit codes: 0 no findings, 1 findings (or no CODEOWNERS), 2 usage or input error.")]
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The repository root.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Paths matching this pattern (CODEOWNERS syntax) must have an owner (repeatable).
    #[arg(long, value_name = "PATTERN")]
    require_owner: Vec<String>,
    /// List the owners who must approve each file changed in this range (A..B).
    #[arg(long, value_name = "RANGE")]
    diff: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `palisade codeowners`.
pub fn run(args: CodeownersArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        CodeownersCmd::Check(a) => check(a, g),
    }
}

fn check(a: CheckArgs, g: &Globals) -> Result<ExitCode> {
    if !a.path.is_dir() {
        bail!("{}: not a directory", a.path.display());
    }
    let Some(file) = codeowners::locate(&a.path) else {
        eprintln!(
            "palisade: no CODEOWNERS in {} (looked for {})",
            a.path.display(),
            codeowners::LOCATIONS.join(", ")
        );
        return Ok(util::failed());
    };
    let bytes = util::read(&file, codeowners::MAX_SIZE as u64)?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8", file.display()))?;
    let co = CodeOwners::parse(&text);
    let files =
        codeowners::list_files(&a.path).with_context(|| format!("listing {}", a.path.display()))?;
    let rel = file
        .strip_prefix(&a.path)
        .unwrap_or(&file)
        .display()
        .to_string();
    let mut findings = Vec::new();
    for e in &co.errors {
        findings.push(
            json!({"kind": "invalid-line", "file": rel, "line": e.line, "message": e.reason}),
        );
    }
    for r in &co.rules {
        if !files.iter().any(|f| r.matches(f)) {
            findings.push(
                json!({"kind": "matches-nothing", "file": rel, "line": r.line,
                "message": format!("{:?} matches no file", r.pattern)}),
            );
        }
    }
    for pat in &a.require_owner {
        let p = Pattern::new(pat);
        for f in files.iter().filter(|f| p.matches(f)) {
            if co.owner_of(f).is_none_or(|r| r.owners.is_empty()) {
                findings.push(json!({"kind": "unowned", "path": f,
                    "message": format!("{f} matches --require-owner {pat:?} but no rule owns it")}));
            }
        }
    }
    let mut approvals = Vec::new();
    if let Some(range) = &a.diff {
        let repo = Repo::discover(&a.path)?;
        for path in repo.changed_paths(range)? {
            let rule = co.owner_of(&path);
            approvals.push(json!({
                "path": path,
                "owners": rule.map(|r| r.owners.clone()).unwrap_or_default(),
                "line": rule.map(|r| r.line),
            }));
        }
    }
    match a.format {
        Format::Json => {
            let doc = json!({"codeowners": rel, "rules": co.rules.len(), "findings": findings, "approvals": approvals});
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Text => {
            for f in &findings {
                let at = f["line"]
                    .as_u64()
                    .map(|l| format!("{rel}:{l}: "))
                    .unwrap_or_default();
                outln!(
                    "{} {at}{}",
                    f["kind"].as_str().unwrap_or(""),
                    f["message"].as_str().unwrap_or("")
                );
            }
            for ap in &approvals {
                let owners: Vec<&str> = ap["owners"]
                    .as_array()
                    .map(|o| o.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                outln!(
                    "approve {} {}",
                    ap["path"].as_str().unwrap_or(""),
                    if owners.is_empty() {
                        "(no owner)".to_string()
                    } else {
                        owners.join(" ")
                    }
                );
            }
        }
    }
    g.info(format!(
        "{rel}: {} rule(s), {} finding(s)",
        co.rules.len(),
        findings.len()
    ));
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        util::failed()
    })
}
