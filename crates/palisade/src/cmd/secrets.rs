//! `palisade secrets`: find credentials in the working tree, the index, all of history and
//! pushes; write baselines; install the pre-commit hook.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use palisade_secrets::{Baseline, Config, Finding, Match, Scanner, fingerprint, redact};
use serde_json::json;

use crate::util::{self, Globals};

const SECRETS_EXAMPLES: &str = "Examples:
  palisade secrets scan
  palisade secrets scan --history --format sarif > secrets.sarif
  palisade secrets scan --staged
  palisade secrets baseline
  palisade secrets hook install
  git push  # with `palisade secrets pre-receive` as the server's pre-receive hook";

const SCAN_EXAMPLES: &str = "Examples:
  # the working tree (honours .gitignore in a repository; a plain directory is scanned whole)
  palisade secrets scan
  palisade secrets scan ~/src/app --format json --show-secrets
  # every blob reachable from any ref, each scanned once, with the commits that added it
  palisade secrets scan --history
  palisade secrets scan --history --since v1.2.0      # commits not reachable from v1.2.0
  palisade secrets scan --history --since main..topic
  # the pre-commit case: index entries that differ from HEAD
  palisade secrets scan --staged

Findings are grouped per (rule, secret) with every location; the fingerprint is
sha256(rule, secret), so a baseline survives line moves, squashes and rebases. Lines
marked `palisade:allow` (or gitleaks:allow, pragma: allowlist secret, trufflehog:ignore)
and values encrypted with sops, sealed-secrets or age are not reported.
Settings: palisade.toml [secrets] (disable, rule, max_file_size, skip_paths, baseline,
deny_paths). Secrets are redacted unless --show-secrets.
Exit codes: 0 none found, 1 secrets found (not in the baseline), 2 usage or input error.";

const BASELINE_EXAMPLES: &str = "Examples:
  palisade secrets baseline                       # writes .palisade/secrets-baseline.json
  palisade secrets baseline --history --out accepted.json

The baseline lists fingerprints only (no secrets, no line numbers), sorted, so it merges
cleanly. `palisade secrets scan` subtracts it (from --baseline, palisade.toml [secrets]
baseline, or .palisade/secrets-baseline.json) and reports entries that no longer match.";

const HOOK_EXAMPLES: &str = "Examples:
  palisade secrets hook install          # .git/hooks/pre-commit runs `palisade secrets scan --staged`
  palisade secrets hook install --force  # replace an existing hook

With the pre-commit framework instead, add to .pre-commit-config.yaml:
  - repo: <this repository>
    hooks: [{id: palisade-secrets}]";

const PRE_RECEIVE_EXAMPLES: &str = "Examples:
  # in the bare repository on the server:
  printf '#!/bin/sh\\nexec palisade secrets pre-receive\\n' > hooks/pre-receive
  chmod +x hooks/pre-receive
  palisade secrets pre-receive --deny-path '*.p8' < updates

Reads git's `<old> <new> <ref>` lines on stdin. Every blob a new commit adds or changes is
scanned, archives in it opened (zip, tar, 7z, gzip, zstd, xz; members named
`outer.zip!inner/path`). The push is refused (exit 1) when one holds a secret, or when a
commit adds a deny-listed path (default: id_rsa and other SSH keys, .env, cloud credential
files, *.pem / *.key holding a private key; palisade.toml [secrets] deny_paths replaces
the list, --deny-path adds to it). Objects are read from git's quarantine
(GIT_QUARANTINE_PATH).";

/// Secret scanning.
#[derive(Args)]
#[command(after_help = SECRETS_EXAMPLES)]
pub struct SecretsArgs {
    #[command(subcommand)]
    cmd: SecretsCmd,
}

#[derive(Subcommand)]
enum SecretsCmd {
    /// Scan the working tree, the index (--staged) or all of history (--history).
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Write a baseline accepting every current finding.
    #[command(after_help = BASELINE_EXAMPLES)]
    Baseline(BaselineArgs),
    /// Git hooks for secret scanning.
    #[command(after_help = HOOK_EXAMPLES)]
    Hook(HookArgs),
    /// Run as a server's pre-receive hook: refuse pushes that add secrets or deny-listed files.
    #[command(after_help = PRE_RECEIVE_EXAMPLES)]
    PreReceive(PreReceiveArgs),
    /// List the rules in force (built-in plus palisade.toml, minus disabled ones).
    #[command(
        after_help = "Examples:\n  palisade secrets rules\n  palisade secrets rules --format json"
    )]
    Rules(RulesArgs),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
enum OutFormat {
    /// A table for people.
    #[default]
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per location, streamed as found.
    Jsonl,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(Args)]
struct Source {
    /// The directory, file or repository (default: the current directory).
    path: Option<PathBuf>,
    /// Scan every blob reachable from the refs instead of the working tree.
    #[arg(long, conflicts_with = "staged")]
    history: bool,
    /// With --history: only commits not reachable from REV, or a range A..B.
    #[arg(long, value_name = "REV|RANGE", requires = "history")]
    since: Option<String>,
    /// Scan the index entries that differ from HEAD (pre-commit).
    #[arg(long)]
    staged: bool,
    /// Skip files larger than this (bytes; K, M, G suffixes). Default 10M or palisade.toml.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
    /// Open archives (zip, tar, 7z; gzip, zstd, xz) inside files and blobs up to this many
    /// levels, and scan their members, reported as `outer.tar.gz!inner/path` (0: do not
    /// open them).
    #[arg(long, value_name = "N", default_value_t = palisade_secrets::archive::DEFAULT_MAX_DEPTH)]
    max_archive_depth: u32,
    /// Also decode base64 runs (32 characters or more that decode to text) and scan the
    /// decoded text, one level deep; matches are reported at the encoded run.
    #[arg(long)]
    decode_base64: bool,
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    source: Source,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutFormat,
    /// Print secrets in full (redacted by default).
    #[arg(long)]
    show_secrets: bool,
    /// Baseline file whose fingerprints are not reported.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

#[derive(Args)]
struct BaselineArgs {
    #[command(flatten)]
    source: Source,
    /// Where to write it (default .palisade/secrets-baseline.json under PATH).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct HookArgs {
    #[command(subcommand)]
    cmd: HookCmd,
}

#[derive(Subcommand)]
enum HookCmd {
    /// Install a pre-commit hook running `palisade secrets scan --staged`.
    #[command(after_help = HOOK_EXAMPLES)]
    Install {
        /// The repository (default: the current directory).
        path: Option<PathBuf>,
        /// Replace an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct PreReceiveArgs {
    /// Also refuse paths matching this gitignore-style pattern (repeatable).
    #[arg(long, value_name = "PATTERN")]
    deny_path: Vec<String>,
    /// Print secrets in full in the refusal message (redacted by default).
    #[arg(long)]
    show_secrets: bool,
    /// Open archives (zip, tar, 7z; gzip, zstd, xz) in pushed blobs up to this many levels
    /// (0: do not open them); a secret in a member refuses the push as `path!inner`.
    #[arg(long, value_name = "N", default_value_t = palisade_secrets::archive::DEFAULT_MAX_DEPTH)]
    max_archive_depth: u32,
}

#[derive(Args)]
struct RulesArgs {
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    format: OutFormat,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1024),
        Some((i, 'm' | 'M')) => (&s[..i], 1024 * 1024),
        Some((i, 'g' | 'G')) => (&s[..i], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{s:?}: expected a size such as 1048576, 512K or 10M"))
}

/// Runs `palisade secrets`.
pub fn run(args: SecretsArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        SecretsCmd::Scan(a) => scan(a, g),
        SecretsCmd::Baseline(a) => baseline(a, g),
        SecretsCmd::Hook(HookArgs {
            cmd: HookCmd::Install { path, force },
        }) => hook_install(path, force, g),
        SecretsCmd::PreReceive(a) => pre_receive(a, g),
        SecretsCmd::Rules(a) => rules(a),
    }
}

/// The root to scan and its configuration.
fn setup(path: Option<&Path>) -> Result<(PathBuf, Config, Scanner)> {
    let root = path.unwrap_or(Path::new(".")).to_path_buf();
    if !root.exists() {
        bail!("{}: no such file or directory", root.display());
    }
    let dir = if root.is_file() {
        root.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        root.clone()
    };
    let cfg_root = repo_root(&dir).unwrap_or(dir);
    let cfg = Config::load(&cfg_root)?;
    let scanner = cfg.scanner()?;
    Ok((root, cfg, scanner))
}

/// The work tree containing `p`, if any.
fn repo_root(p: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(p).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

type Sink<'a> = &'a (dyn Fn(&str, &[Match], Option<&palisade_secrets::Commit>) + Sync);

/// Runs the scan the flags ask for.
fn collect(
    scanner: &Scanner,
    root: &Path,
    cfg: &Config,
    src: &Source,
    sink: Sink<'_>,
    g: &Globals,
) -> Result<Vec<Finding>> {
    let max = src
        .max_file_size
        .or(cfg.max_file_size)
        .unwrap_or(palisade_secrets::DEFAULT_MAX_FILE_SIZE);
    let findings = if src.history {
        let (f, st) = palisade_secrets::git::scan_history_archives(
            scanner,
            root,
            src.since.as_deref(),
            max,
            src.max_archive_depth,
            &|p, ms, c| sink(p, ms, Some(c)),
        )?;
        g.info(format!(
            "scanned {} commits, {} distinct blobs, {} bytes",
            st.commits, st.blobs, st.bytes
        ));
        info_skipped(&st.archive, g);
        f
    } else if src.staged {
        let (f, skipped) =
            palisade_secrets::git::scan_staged(scanner, root, max, src.max_archive_depth)?;
        info_skipped(&skipped, g);
        f
    } else {
        let opts = palisade_secrets::tree::TreeOptions {
            max_file_size: max,
            skip_paths: cfg.skip_paths.clone(),
            max_archive_depth: src.max_archive_depth,
        };
        let (f, st) =
            palisade_secrets::tree::scan_tree(scanner, root, &opts, &|p, ms| sink(p, ms, None))?;
        g.info(format!(
            "scanned {} files, {} bytes ({} binary and {} over {} bytes skipped)",
            st.files, st.bytes, st.binary, st.too_large, max
        ));
        info_skipped(&st.archive, g);
        f
    };
    Ok(findings.into_sorted())
}

/// Says what archive walks skipped (bombs, corrupt or encrypted members), if anything.
fn info_skipped(s: &palisade_secrets::archive::Skipped, g: &Globals) {
    if !s.is_empty() {
        g.info(s.to_string());
    }
}

/// The baseline in force: the flag, palisade.toml, or the default file when it exists.
fn load_baseline(root: &Path, cfg: &Config, flag: Option<&Path>) -> Result<Option<Baseline>> {
    let base = repo_root(root).unwrap_or_else(|| root.to_path_buf());
    let path = match (flag, &cfg.baseline) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => base.join(p),
        (None, None) => {
            let p = base.join(".palisade/secrets-baseline.json");
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    Ok(Some(Baseline::load(&path)?))
}

fn scan(a: ScanArgs, g: &Globals) -> Result<ExitCode> {
    let (root, cfg, scanner) = setup(a.source.path.as_deref())?;
    let scanner = scanner.decode_base64(a.source.decode_base64);
    let baseline = load_baseline(&root, &cfg, a.baseline.as_deref())?;
    let show = a.show_secrets;
    let out = Mutex::new(std::io::stdout());
    let jsonl = a.format == OutFormat::Jsonl;
    let sink = |path: &str, ms: &[Match], commit: Option<&palisade_secrets::Commit>| {
        if !jsonl {
            return;
        }
        let mut lines = String::new();
        for m in ms {
            let id = &scanner.rules()[m.rule].def.id;
            let fp = fingerprint(id, &m.secret);
            if baseline
                .as_ref()
                .is_some_and(|b| b.entries.contains_key(&fp))
            {
                continue;
            }
            let secret = String::from_utf8_lossy(&m.secret);
            let mut v = json!({
                "rule": id,
                "fingerprint": fp,
                "secret": if show { secret.to_string() } else { redact(&secret) },
                "path": path,
                "line": m.line,
                "column": m.column,
            });
            if let Some(c) = commit {
                v["commit"] = json!(c.id);
                v["author"] = json!(c.author);
                v["date"] = json!(c.date);
            }
            lines.push_str(&v.to_string());
            lines.push('\n');
        }
        if let Ok(mut o) = out.lock() {
            let _ = o.write_all(lines.as_bytes());
        }
    };
    let mut findings = collect(&scanner, &root, &cfg, &a.source, &sink, g)?;
    let stale = match &baseline {
        Some(b) => b.subtract(&mut findings),
        None => Vec::new(),
    };
    match a.format {
        OutFormat::Jsonl => {
            // Staged scans have no streaming hook: print their locations now.
            if a.source.staged {
                let mut o = std::io::stdout().lock();
                for f in &findings {
                    for l in &f.locations {
                        let mut v = l.to_json();
                        v["rule"] = json!(f.rule);
                        v["fingerprint"] = json!(f.fingerprint);
                        v["secret"] = json!(if show {
                            f.secret.clone()
                        } else {
                            redact(&f.secret)
                        });
                        writeln!(o, "{v}")?;
                    }
                }
            }
        }
        OutFormat::Json => util::print_json(&json!({
            "findings": findings.iter().map(|f| f.to_json(show)).collect::<Vec<_>>(),
            "stale_baseline": stale,
        })),
        OutFormat::Sarif => out!("{}", palisade_secrets::to_sarif(&scanner, &findings, show)),
        OutFormat::Table => print_table(&findings, show),
    }
    for s in &stale {
        g.info(format!(
            "baseline entry {s} matches no finding any more (remove it)"
        ));
    }
    if findings.is_empty() {
        g.info("no secrets found");
        Ok(ExitCode::SUCCESS)
    } else {
        g.info(format!("{} secret(s) found", findings.len()));
        Ok(util::failed())
    }
}

fn print_table(findings: &[Finding], show: bool) {
    let mut o = std::io::stdout().lock();
    for f in findings {
        let secret = if show {
            f.secret.clone()
        } else {
            redact(&f.secret)
        };
        let _ = writeln!(o, "{}  {}  {}", f.rule, secret, &f.fingerprint[..16]);
        for l in &f.locations {
            let commit = l
                .commit
                .as_ref()
                .map(|c| format!("  {} {} {}", &c.id[..c.id.len().min(12)], c.date, c.author))
                .unwrap_or_default();
            let _ = writeln!(o, "    {}:{}:{}{commit}", l.path, l.line, l.column);
        }
    }
}

fn baseline(a: BaselineArgs, g: &Globals) -> Result<ExitCode> {
    let (root, cfg, scanner) = setup(a.source.path.as_deref())?;
    let scanner = scanner.decode_base64(a.source.decode_base64);
    let findings = collect(&scanner, &root, &cfg, &a.source, &|_, _, _| {}, g)?;
    let out = match a.out {
        Some(o) => o,
        None => {
            let base = repo_root(&root).unwrap_or(root.clone());
            let dir = base.join(".palisade");
            std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
            dir.join("secrets-baseline.json")
        }
    };
    let b = Baseline::from_findings(&findings);
    palisade_io::write_atomic(
        &out,
        b.to_json().as_bytes(),
        palisade_io::WriteOptions {
            overwrite: true,
            mode: None,
        },
    )?;
    g.info(format!(
        "wrote {} ({} fingerprints)",
        out.display(),
        b.entries.len()
    ));
    Ok(ExitCode::SUCCESS)
}

const PRE_COMMIT_HOOK: &str = "#!/bin/sh\n# Installed by `palisade secrets hook install`.\nexec palisade secrets scan --staged --quiet\n";

fn hook_install(path: Option<PathBuf>, force: bool, g: &Globals) -> Result<ExitCode> {
    let p = path.unwrap_or_else(|| PathBuf::from("."));
    let repo = palisade_source::Repo::discover(&p)?;
    let hooks = repo.gix().common_dir().join("hooks");
    std::fs::create_dir_all(&hooks).with_context(|| hooks.display().to_string())?;
    let hook = hooks.join("pre-commit");
    if hook.exists() && !force {
        let existing = std::fs::read_to_string(&hook).unwrap_or_default();
        if existing == PRE_COMMIT_HOOK {
            g.info(format!("{} is already installed", hook.display()));
            return Ok(ExitCode::SUCCESS);
        }
        bail!(
            "{}: a pre-commit hook exists; add `palisade secrets scan --staged` to it, or use --force",
            hook.display()
        );
    }
    palisade_io::write_atomic(
        &hook,
        PRE_COMMIT_HOOK.as_bytes(),
        palisade_io::WriteOptions {
            overwrite: true,
            mode: Some(0o755),
        },
    )?;
    g.info(format!("installed {}", hook.display()));
    Ok(ExitCode::SUCCESS)
}

/// Largest pre-receive input read.
const STDIN_LIMIT: u64 = 16 * 1024 * 1024;

fn pre_receive(a: PreReceiveArgs, g: &Globals) -> Result<ExitCode> {
    let input = util::read(Path::new("-"), STDIN_LIMIT)?;
    let repo = palisade_source::Repo::discover(Path::new("."))?;
    let root = repo.root();
    let cfg = Config::load(&root)?;
    let scanner = cfg.scanner()?;
    let mut deny: Vec<String> = match &cfg.deny_paths {
        Some(d) => d.clone(),
        None => palisade_secrets::rules::DEFAULT_DENY_PATHS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    deny.extend(a.deny_path);
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from);
    let palisade_secrets::git::PushCheck {
        findings,
        refusals,
        skipped,
    } = palisade_secrets::git::check_push(
        &scanner,
        Path::new("."),
        &input,
        quarantine.as_deref(),
        &deny,
        cfg.max_file_size
            .unwrap_or(palisade_secrets::DEFAULT_MAX_FILE_SIZE),
        a.max_archive_depth,
    )?;
    info_skipped(&skipped, g);
    if refusals.is_empty() {
        g.info("palisade: no secrets in this push");
        return Ok(ExitCode::SUCCESS);
    }
    let secrets = findings.into_sorted();
    eprintln!("palisade: push refused: secrets or forbidden files");
    for r in &refusals {
        eprintln!(
            "  {} commit {} path {}: {}",
            r.refname, r.commit, r.path, r.reason
        );
    }
    for f in &secrets {
        let s = if a.show_secrets {
            f.secret.clone()
        } else {
            redact(&f.secret)
        };
        eprintln!("  {} {} (fingerprint {})", f.rule, s, f.fingerprint);
    }
    eprintln!(
        "Remove the secret from every commit of the push (git rebase -i, git commit --amend), \
         rotate it, then push again."
    );
    Ok(util::failed())
}

fn rules(a: RulesArgs) -> Result<ExitCode> {
    let (_, _, scanner) = setup(None)?;
    if a.format == OutFormat::Json {
        let v: Vec<_> = scanner
            .rules()
            .iter()
            .map(|r| json!({"id": r.def.id, "description": r.def.description, "keywords": r.def.keywords}))
            .collect();
        util::print_json(&json!({ "rules": v }));
    } else {
        for r in scanner.rules() {
            outln!("{:<36} {}", r.def.id, r.def.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}
