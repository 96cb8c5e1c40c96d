//! `palisade ci`: audit CI definitions (GitHub Actions, GitLab CI) and hold them to an
//! organisation's template.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use palisade_ci::{Options, Policy, Severity};
use palisade_io::{WriteOptions, write_atomic};

use crate::util::Globals;

const CI_EXAMPLES: &str = "Examples:
  palisade ci audit
  palisade ci audit --format sarif --out ci.sarif .
  palisade ci audit --template org-policy.toml --min-severity medium
  palisade ci rules";

const AUDIT_EXAMPLES: &str = "Examples:
  # every workflow, action and .gitlab-ci.yml under the current directory
  palisade ci audit
  # files named explicitly: action.y{a,}ml = action, .gitlab-ci.yml = GitLab, else workflow
  palisade ci audit ci/release.yml build/action.yml
  # SARIF for GitHub code scanning, only medium and above
  palisade ci audit --format sarif --min-severity medium --out ci.sarif
  # hold the pipelines to the organisation's template
  palisade ci audit --template org-policy.toml
  # also print the commit each tag names today (GitHub's commits API)
  palisade ci audit --online                      # GITHUB_TOKEN raises the rate limit

Suppress a finding with `# palisade: ignore[RULE]` on its line or the line above, or
for the whole repository with palisade.toml:
  [ci]
  ignore = [\"artipacked\"]
  template = \"org-policy.toml\"
  min-severity = \"low\"

Exit status: 0 no findings, 1 findings, 2 unreadable or unparsable input.";

/// CI definition audit.
#[derive(clap::Args, Debug)]
#[command(after_help = CI_EXAMPLES)]
pub struct CiArgs {
    #[command(subcommand)]
    command: CiCommand,
}

#[derive(clap::Subcommand, Debug)]
enum CiCommand {
    /// Audit workflows, actions and GitLab pipelines: pinning, permissions, injection,
    /// dangerous triggers, credentials, and the organisation's template.
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// List the rules with their severity.
    Rules,
}

/// Output of `ci audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
enum CiFormat {
    /// One finding per line with its snippet.
    #[default]
    Table,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

#[derive(clap::Args, Debug)]
struct AuditArgs {
    /// Directories to search or files to audit (default: the current directory).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CiFormat::Table)]
    format: CiFormat,
    /// Write the output here (atomically) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The organisation's pipeline template (TOML; see the crate docs).
    #[arg(long)]
    template: Option<PathBuf>,
    /// Report only findings at or above this severity: info, low, medium, high.
    #[arg(long)]
    min_severity: Option<Severity>,
    /// A rule id not to report (repeatable; adds to palisade.toml [ci] ignore).
    #[arg(long)]
    ignore: Vec<String>,
    /// Ask the forge which commit each tag or branch of an unpinned action names today,
    /// and print it with the finding (the fix is then a copy).
    #[arg(long)]
    online: bool,
    /// The forge's REST API for --online (GitHub's `/repos/OWNER/REPO/commits/REF`).
    /// HTTPS with the platform's roots, or plain HTTP for a mirror.
    #[arg(long, default_value = "https://api.github.com", requires = "online")]
    forge_api: String,
    /// The palisade.toml to read [ci] from (default: in the first directory given, or
    /// the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Default)]
struct CiConfig {
    ignore: Vec<String>,
    template: Option<PathBuf>,
    min_severity: Option<Severity>,
}

fn load_config(path: &Path, explicit: bool) -> Result<CiConfig> {
    if !explicit && !path.is_file() {
        return Ok(CiConfig::default());
    }
    let bytes = palisade_io::read_limited(path, 1024 * 1024)?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8", path.display()))?;
    let c = palisade_ci::Config::from_palisade_toml(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(CiConfig {
        ignore: c.ignore,
        template: c.template.map(|t| base.join(t)),
        min_severity: match c.min_severity {
            Some(m) => Some(m.parse().map_err(|e: String| {
                anyhow::anyhow!("{}: [ci] min-severity: {e}", path.display())
            })?),
            None => None,
        },
    })
}

/// Runs `palisade ci`.
pub fn run(a: CiArgs, g: &Globals) -> Result<ExitCode> {
    match a.command {
        CiCommand::Rules => {
            for r in palisade_ci::rules() {
                outln!("{:<28} {:<7} {}", r.id, r.severity.as_str(), r.short);
            }
            Ok(ExitCode::SUCCESS)
        }
        CiCommand::Audit(a) => audit(a, g),
    }
}

fn audit(a: AuditArgs, g: &Globals) -> Result<ExitCode> {
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let config_path = a.config.clone().unwrap_or_else(|| {
        paths
            .iter()
            .find(|p| p.is_dir())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("palisade.toml")
    });
    let config = load_config(&config_path, a.config.is_some())?;
    let known: Vec<&str> = palisade_ci::rules().iter().map(|r| r.id).collect();
    let mut ignore = config.ignore.clone();
    ignore.extend(a.ignore.iter().cloned());
    for r in &ignore {
        if !known.contains(&r.as_str()) {
            anyhow::bail!("unknown rule '{r}' to ignore (see `palisade ci rules`)");
        }
    }
    let policy = match a.template.as_ref().or(config.template.as_ref()) {
        Some(t) => {
            let bytes = palisade_io::read_limited(t, 1024 * 1024)?;
            let text =
                String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8", t.display()))?;
            Some(Policy::from_toml(&text).with_context(|| t.display().to_string())?)
        }
        None => None,
    };
    let files = palisade_ci::discover(&paths)?;
    let opts = Options {
        policy,
        ignore,
        min_severity: a.min_severity.or(config.min_severity),
    };
    let mut report = palisade_ci::audit(&files, &opts);
    if a.online {
        let forge = Forge::new(&a.forge_api);
        for e in palisade_ci::resolve_pins(&mut report, &forge) {
            eprintln!("palisade: warning: --online: {e}");
        }
    }
    let text = match a.format {
        CiFormat::Table => table(&report),
        CiFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        CiFormat::Sarif => palisade_report::findings::render_findings_sarif(
            &palisade_ci::to_sarif(&report, env!("CARGO_PKG_VERSION")),
        ),
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
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())?;
        }
    }
    for e in &report.errors {
        eprintln!("palisade: error: {}: {}", e.file, e.message);
    }
    let counts = palisade_ci::counts(&report);
    let per_rule: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    g.info(format!(
        "{} files, {} findings{}{}, {} suppressed, {} unreadable",
        report.files.len(),
        report.findings.len(),
        if per_rule.is_empty() { "" } else { ": " },
        per_rule.join(", "),
        report.suppressed,
        report.errors.len()
    ));
    Ok(if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if !report.findings.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn table(r: &palisade_ci::Report) -> String {
    let mut s = String::new();
    for f in &r.findings {
        s.push_str(&format!(
            "{}:{}:{}  {:<6}  {}  {}\n",
            f.file,
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
        if !f.snippet.is_empty() {
            s.push_str(&format!("    | {}\n", f.snippet));
        }
    }
    s
}

/// The forge API for `--online`: `GET {api}/repos/OWNER/REPO/commits/REF` with
/// `Accept: application/vnd.github.sha` answers the commit as 40 hex characters.
struct Forge {
    api: String,
    client: palisade_http::Client,
    token: Option<String>,
}

impl Forge {
    fn new(api: &str) -> Self {
        Forge {
            api: api.trim_end_matches('/').to_string(),
            client: palisade_http::Client::new(std::time::Duration::from_secs(20)),
            token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
        }
    }
}

impl palisade_ci::RefResolver for Forge {
    fn resolve(&self, repo: &str, reference: &str) -> Result<Option<String>, String> {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let (owner, name) = repo.split_once('/').ok_or("not owner/repo")?;
        let url = format!(
            "{}/repos/{}/{}/commits/{}",
            self.api,
            enc(owner),
            enc(name),
            enc(reference)
        );
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Accept", "application/vnd.github.sha")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let resp = self
            .client
            .get(&url, &headers, 256)
            .map_err(|e| e.to_string())?;
        match resp.status {
            200 => {}
            404 | 422 => return Ok(None),
            s => return Err(format!("HTTP {s} from {url}")),
        }
        Ok(Some(String::from_utf8_lossy(&resp.body).trim().to_string()))
    }
}
