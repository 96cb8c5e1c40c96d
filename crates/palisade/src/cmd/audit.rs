//! `palisade audit`: every control of the paper for a repository, with evidence.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use palisade_audit::{AuditConfig, Options, audit, catalogue};
use palisade_io::{WriteOptions, write_atomic};
use palisade_report::Status;

use crate::util::{self, Globals};

/// Output formats of the audit report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AuditFormat {
    /// A table grouped by phase (coloured on a terminal).
    Table,
    /// The versioned JSON report (schema in crates/palisade-report/schema/).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// Markdown for a pull-request comment or CI job summary.
    Markdown,
    /// One self-contained HTML page with a chart per phase.
    Html,
}

/// Audit a repository against every control of the CNCF Software Supply Chain Best
/// Practices.
#[derive(Args)]
#[command(after_help = "Examples:
  palisade audit
  palisade audit path/to/repo --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  palisade audit --format html --out audit.html
  palisade audit --format sarif --out palisade.sarif
  palisade audit --key release.pub --require artefacts.sign-every-step
  palisade audit --list
  GITHUB_TOKEN=… palisade audit            # forge controls from the GitHub API
  palisade forge export --out forge-data && palisade audit --forge-data forge-data

Statuses: pass, fail, partial, unknown (not checked by this version, or no data),
not-applicable, manual (organisational). Exit 1 when a control listed in palisade.toml
`[audit] require = [...]` (or --require) does not pass.")]
pub struct AuditArgs {
    /// The repository (default: the current directory).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    format: AuditFormat,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only these controls (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    controls: Vec<String>,
    /// A control that must pass (adds to palisade.toml's [audit] require).
    #[arg(long)]
    require: Vec<String>,
    /// A public key trusted to sign attestations (adds to [audit] keys).
    #[arg(long)]
    key: Vec<PathBuf>,
    /// List the controls and exit.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    forge: ForgeArgs,
}

/// Where the forge controls (branch protection, reviews, MFA, roles, keys) get answers.
#[derive(Args, Clone, Debug)]
pub struct ForgeArgs {
    /// A GitHub token for the forge controls (read-only; admin rights show more).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    github_token: Option<String>,
    /// A GitLab token for the forge controls.
    #[arg(long, env = "GITLAB_TOKEN", hide_env_values = true)]
    gitlab_token: Option<String>,
    /// Forge answers exported earlier by `palisade forge export` (no network).
    #[arg(long, value_name = "DIR")]
    forge_data: Option<PathBuf>,
    /// The forge's API root (default: from the repository's host, e.g. https://api.github.com).
    #[arg(long, value_name = "URL")]
    forge_api: Option<String>,
    /// The repository on the forge, OWNER/NAME or a URL (default: from the git remotes).
    #[arg(long, value_name = "OWNER/NAME")]
    forge_repo: Option<String>,
    /// The forge's kind for a host whose name does not say.
    #[arg(long, value_parser = ["github", "gitlab"])]
    forge_kind: Option<String>,
    /// Ask no server, even with a token (forge controls stay unknown).
    #[arg(long)]
    offline: bool,
}

impl ForgeArgs {
    /// Flags over `palisade.toml` `[forge]`.
    pub fn source(&self, config: &palisade_audit::ForgeConfig) -> palisade_audit::ForgeSource {
        let mut settings = palisade_forge::Settings::default();
        if let Some(n) = config.pr_limit {
            settings.pr_limit = n;
        }
        if let Some(n) = config.max_admins {
            settings.max_admins = n;
        }
        if let Some(n) = config.min_approvals {
            settings.min_approvals = n;
        }
        let kind = self.forge_kind.clone().or_else(|| config.kind.clone());
        palisade_audit::ForgeSource {
            data_dir: self.forge_data.clone(),
            github_token: self.github_token.clone().filter(|t| !t.is_empty()),
            gitlab_token: self.gitlab_token.clone().filter(|t| !t.is_empty()),
            api: self.forge_api.clone().or_else(|| config.api.clone()),
            repo: self.forge_repo.clone().or_else(|| config.repo.clone()),
            kind,
            offline: self.offline,
            settings,
        }
    }
}

/// Runs `palisade audit`.
pub fn run(a: AuditArgs, g: &Globals) -> Result<ExitCode> {
    if a.list {
        for c in catalogue()? {
            outln!(
                "{:<36} {:<10} {:<15} {}",
                c.id,
                c.phase.as_str(),
                c.kind,
                c.title
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let config = AuditConfig::load(&a.path)?;
    let mut key_paths: Vec<PathBuf> = config.keys.iter().map(|k| a.path.join(k)).collect();
    key_paths.extend(a.key.iter().cloned());
    let keys = if key_paths.is_empty() {
        Vec::new()
    } else {
        util::load_publics(&key_paths, None)?
    };
    let mut required = config.require.clone();
    required.extend(a.require.iter().cloned());
    let all = catalogue()?;
    for id in &required {
        if !all.iter().any(|c| &c.id == id) {
            anyhow::bail!(
                "palisade.toml / --require: unknown control '{id}' (see `palisade audit --list`)"
            );
        }
    }
    let report = audit(
        &a.path,
        &Options {
            controls: a.controls.clone(),
            keys,
            forge: a.forge.source(&config.forge),
        },
    )
    .with_context(|| format!("auditing {}", a.path.display()))?;
    let colour = a.out.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = match a.format {
        AuditFormat::Table => palisade_report::render_table(&report, colour),
        AuditFormat::Json => palisade_report::render_json(&report),
        AuditFormat::Sarif => palisade_report::render_sarif(&report),
        AuditFormat::Markdown => palisade_report::render_markdown(&report),
        AuditFormat::Html => palisade_report::render_html(&report),
    };
    match &a.out {
        Some(out) => {
            write_atomic(
                out,
                text.as_bytes(),
                WriteOptions {
                    overwrite: true,
                    mode: None,
                },
            )?;
            g.info(format!("wrote {}", out.display()));
        }
        None => out!("{text}"),
    }
    let failed: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| required.contains(&c.id) && c.status != Status::Pass)
        .map(|c| c.id.as_str())
        .collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("required controls that do not pass: {}", failed.join(", "));
        Ok(util::failed())
    }
}
