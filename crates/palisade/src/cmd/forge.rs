//! `palisade forge export`: save the forge's answers for an offline audit.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use palisade_forge::{Access, HttpApi, Local, Recorder};

use crate::cmd::audit::ForgeArgs;
use crate::util::Globals;

/// Read the forge's settings (branch protection, reviews, MFA, roles, keys).
#[derive(Args)]
pub struct ForgeCmd {
    #[command(subcommand)]
    action: ForgeAction,
}

#[derive(Subcommand)]
enum ForgeAction {
    /// Ask the forge's API every question `palisade audit` asks and save the answers, so
    /// the audit can run later without network or token (`--forge-data DIR`).
    #[command(after_help = "Examples:
  GITHUB_TOKEN=… palisade forge export --out forge-data
  palisade forge export --forge-repo acme/widget --out forge-data
  palisade audit --forge-data forge-data

The files are the API's JSON answers, one per question (`repos/O/R.json`,
`repos/O/R/branches/main/protection.json`, …); listings hold every page. Answers
the token may not read are saved as the forge's error ({\"message\", \"status\"}).")]
    Export(ExportArgs),
}

#[derive(Args)]
struct ExportArgs {
    /// The repository whose remotes name the forge repository.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Directory to write the answers to (created; existing answers are replaced).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    forge: ForgeArgs,
}

/// Runs `palisade forge`.
pub fn run(a: ForgeCmd, g: &Globals) -> Result<ExitCode> {
    match a.action {
        ForgeAction::Export(e) => export(e, g),
    }
}

fn export(e: ExportArgs, g: &Globals) -> Result<ExitCode> {
    let config = palisade_audit::AuditConfig::load(&e.path)?;
    let source = e.forge.source(&config.forge);
    if source.data_dir.is_some() || source.offline {
        bail!("forge export asks the live API: --forge-data and --offline do not apply");
    }
    let repo = palisade_audit::forge_repo(&e.path, &source).map_err(anyhow::Error::msg)?;
    let token = match repo.flavour {
        palisade_forge::Flavour::GitHub => source.github_token.clone(),
        palisade_forge::Flavour::GitLab => source.gitlab_token.clone(),
    };
    let base = source.api.clone().unwrap_or_else(|| repo.default_api());
    let api = HttpApi::new(repo.flavour, &base, token);
    std::fs::create_dir_all(&e.out)?;
    let rec = Recorder::new(&api, &e.out);
    let a = palisade_forge::assess(
        Access::Api(&rec, &repo),
        &Local::default(),
        &source.settings,
    );
    let written = rec.written();
    if written.is_empty() {
        let (_, ev) = a.control("source.branch-protection");
        let why = ev.first().map(|e| e.message.clone()).unwrap_or_default();
        bail!("{}: nothing exported: {why}", repo.path);
    }
    g.info(format!(
        "exported {} answers about {} to {}",
        written.len(),
        repo.path,
        e.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
