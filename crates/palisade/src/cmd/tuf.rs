//! `palisade tuf`: The Update Framework: a repository over a folder (`init`, `add`,
//! `remove`, `refresh`, `sign`) and a client (the tuf-conformance client protocol).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};
use palisade_tuf::{Client, FetchError, Fetcher, Limits};

use crate::util::Globals;

/// The Update Framework: a client that verifies repositories.
#[derive(Args)]
pub struct TufArgs {
    #[command(subcommand)]
    cmd: TufCmd,
}

#[derive(Subcommand)]
enum TufCmd {
    /// A TUF client speaking the tuf-conformance client protocol.
    #[command(after_help = "Examples:
  palisade tuf client --metadata-dir meta init root.json
  palisade tuf client --metadata-url http://127.0.0.1:8080/metadata --metadata-dir meta refresh
  palisade tuf client --metadata-url http://127.0.0.1:8080/metadata --metadata-dir meta \\
      --target-name file1.txt --target-dir out --target-base-url http://127.0.0.1:8080/targets download
  palisade tuf client --at 2025-02-09T12:02:08Z --metadata-url URL --metadata-dir meta refresh

Metadata is stored in the metadata dir byte for byte, under non-versioned names. Time
comes from the system clock (so faketime works) unless --at gives it.
Exit 0 ok, 1 failed (verification, download or anything else), 2 usage error.")]
    Client(ClientArgs),
    #[command(flatten)]
    Repo(RepoCmd),
}

#[derive(Subcommand)]
enum RepoCmd {
    /// Create a repository: root (signed by the root keys given, or unsigned for offline
    /// signing with `tuf sign`), empty targets, snapshot and timestamp.
    #[command(after_help = "Examples:
  palisade tuf init repo --root root.pub --targets t.pub --snapshot s.pub --timestamp ts.pub \\
      --key root --key t --key s --key ts
  palisade tuf init repo --root r1.pub --root r2.pub --threshold root=2 --targets t.pub \\
      --snapshot s.pub --timestamp ts.pub --key t --key s --key ts
  palisade tuf sign repo/metadata/1.root.json --key r1

Consistent snapshots are on: files are published as N.ROLE.json and targets/HASH.NAME.")]
    Init(InitArgs),
    /// Add (or replace) a target file and publish new targets, snapshot and timestamp.
    #[command(after_help = "Examples:
  palisade tuf add repo --file dist/app.tar.gz --key t --key s --key ts
  palisade tuf add repo --file app.tar.gz --path v1/app.tar.gz --custom '{\"team\":\"a\"}' --key t --key s --key ts")]
    Add(AddArgs),
    /// Remove a target and publish new targets, snapshot and timestamp.
    #[command(after_help = "Examples:
  palisade tuf remove repo --path v1/app.tar.gz --key t --key s --key ts")]
    Remove(RemoveArgs),
    /// Publish a new snapshot and timestamp (keeps them fresh).
    #[command(after_help = "Examples:
  palisade tuf refresh repo --key s --key ts --timestamp-days 1")]
    Refresh(RefreshArgs),
    /// Delegate target paths (patterns or hash prefixes) to a new role.
    #[command(after_help = "Examples:
  palisade tuf delegate repo --name team-a --to a.pub --paths 'team-a/*' --key t --key s --key ts
  palisade tuf delegate repo --name bin-0 --to bins.pub --hash-prefix 0 --hash-prefix 1 \\
      --terminating --key t --key s --key ts
  palisade tuf add repo --role team-a --file app.tar.gz --path team-a/app.tar.gz --key a --key s --key ts
  palisade tuf delegate repo --name bin --to bins.pub --succinct-bits 4 --key t --key s --key ts
  palisade tuf add repo --role bin --file app.tar.gz --key bins --key s --key ts")]
    Delegate(DelegateArgs),
    /// Rotate a top-level role's keys: a new root version signed by old and new root keys.
    #[command(after_help = "Examples:
  palisade tuf rotate repo --role timestamp --add ts2.pub --remove ts.pub --key root
  palisade tuf rotate repo --role root --add r2.pub --threshold 2 --key root --key r2

Prints the new root file. When the keys at hand do not meet both thresholds, add
signatures elsewhere with `palisade tuf sign FILE --key K`.")]
    Rotate(RotateArgs),
    /// Revoke a key: remove it from every top-level role in a new root version.
    #[command(after_help = "Examples:
  palisade tuf revoke repo --revoke leaked.pub --key root")]
    Revoke(RevokeArgs),
    /// Check the expiry of the published metadata (exit 1 if expired or expiring soon).
    #[command(after_help = "Examples:
  palisade tuf expire repo
  palisade tuf expire repo --within-days 2 --format json")]
    Expire(ExpireArgs),
    /// Add signatures to a metadata file (e.g. a root signed offline).
    #[command(after_help = "Examples:
  palisade tuf sign repo/metadata/1.root.json --key root-key-2")]
    Sign(SignArgs),
    /// Serve a repository folder read-only over HTTP (metadata/ and targets/).
    #[command(after_help = "Examples:
  palisade tuf serve repo
  palisade tuf serve repo --listen 0.0.0.0:8080
  palisade tuf serve repo --listen 127.0.0.1:0 > url.txt &   # free port; first line is the URL

Prints the base URL on the first line of standard output; clients use URL/metadata and
URL/targets. GET and HEAD only, no directory listings, Cache-Control: no-cache. Runs
until interrupted. Plain HTTP: TUF metadata is signed, but put TLS in front (a reverse
proxy) when serving beyond your machine, so clients' requests stay private.")]
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Repository folder (the one holding metadata/ and targets/).
    dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8000")]
    listen: std::net::SocketAddr,
}

#[derive(Args)]
struct ClientArgs {
    /// Local folder of trusted metadata.
    #[arg(long, global = true)]
    metadata_dir: Option<PathBuf>,
    /// Base URL of the repository's metadata.
    #[arg(long, global = true)]
    metadata_url: Option<String>,
    /// Target path to download (repeatable).
    #[arg(long, global = true)]
    target_name: Vec<String>,
    /// Folder to write downloaded targets to.
    #[arg(long, global = true)]
    target_dir: Option<PathBuf>,
    /// Base URL of the repository's targets.
    #[arg(long, global = true)]
    target_base_url: Option<String>,
    /// Check expiry as of this moment (RFC 3339, e.g. 2025-02-09T12:02:08Z) instead of now.
    #[arg(long, global = true)]
    at: Option<String>,
    #[command(subcommand)]
    action: ClientAction,
}

#[derive(Subcommand)]
enum ClientAction {
    /// Trust ROOT (a root.json): copy it into the metadata dir.
    Init {
        /// The initial trusted root.
        root: PathBuf,
    },
    /// Update root, timestamp, snapshot and targets.
    Refresh,
    /// Refresh, then find and download each --target-name.
    Download,
}

/// Target downloads in flight at once (and HTTP connections kept alive for them).
const DOWNLOADS_IN_FLIGHT: usize = 8;

/// Largest root file accepted by `init`.
const ROOT_LIMIT: u64 = 512_000;

/// The TUF client's fetcher: Palisade's one HTTP(S) client (`palisade-http`: TLS with
/// the platform's roots, timeouts, bounded bodies, no redirects).
struct Http {
    client: palisade_http::Client,
    /// Idle sessions (a kept-alive connection each). A fetching thread takes one and puts
    /// it back, so each download thread keeps using a connection of its own.
    sessions: std::sync::Mutex<Vec<palisade_http::Session>>,
}

impl Http {
    fn new() -> Self {
        Http {
            client: palisade_http::Client::new(Duration::from_secs(60)),
            sessions: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Fetcher for Http {
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let mut session = self
            .sessions
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_else(|| palisade_http::Session::new(&self.client));
        let resp = session.get(url, &[], max_len);
        if let Ok(mut s) = self.sessions.lock() {
            s.push(session);
        }
        let resp = resp.map_err(|e| match e {
            palisade_http::HttpError::TooLarge { .. } => FetchError::TooLarge(max_len),
            other => FetchError::Other(other.to_string()),
        })?;
        match resp.status {
            200 => Ok(resp.body),
            403 | 404 => Err(FetchError::NotFound(resp.status)),
            status => Err(FetchError::Other(format!("HTTP {status}"))),
        }
    }
}

fn now(at: Option<&str>) -> Result<i64> {
    match at {
        Some(t) => palisade_intoto::time::parse_utc(t).map_err(|e| anyhow!("--at: {e}")),
        None => Ok(palisade_intoto::time::now()),
    }
}

/// Runs `palisade tuf`.
pub fn run(args: TufArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        TufCmd::Client(a) => {
            check_usage(&a)?;
            Ok(client_exit(client(a, g)))
        }
        TufCmd::Repo(c) => repo_cmd(c, g),
    }
}

/// Missing flags are usage errors (exit 2), not failed verification.
fn check_usage(a: &ClientArgs) -> Result<()> {
    if a.metadata_dir.is_none() {
        return Err(anyhow!("--metadata-dir is required"));
    }
    if !matches!(a.action, ClientAction::Init { .. }) && a.metadata_url.is_none() {
        return Err(anyhow!("--metadata-url is required"));
    }
    if matches!(a.action, ClientAction::Download)
        && (a.target_dir.is_none() || a.target_base_url.is_none() || a.target_name.is_empty())
    {
        return Err(anyhow!(
            "download needs --target-name, --target-dir and --target-base-url"
        ));
    }
    if let Some(t) = &a.at {
        palisade_intoto::time::parse_utc(t).map_err(|e| anyhow!("--at: {e}"))?;
    }
    Ok(())
}

fn client_exit(r: Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("palisade: tuf client: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn client(a: ClientArgs, g: &Globals) -> Result<()> {
    let dir = a
        .metadata_dir
        .clone()
        .ok_or_else(|| anyhow!("--metadata-dir is required"))?;
    let now = now(a.at.as_deref())?;
    match &a.action {
        ClientAction::Init { root } => {
            let bytes = palisade_io::read_limited(root, ROOT_LIMIT)?;
            palisade_tuf::init(&dir, &bytes).with_context(|| format!("{}", root.display()))?;
            g.info(format!("trusted {}", root.display()));
            Ok(())
        }
        ClientAction::Refresh | ClientAction::Download => {
            let url = a
                .metadata_url
                .as_deref()
                .ok_or_else(|| anyhow!("--metadata-url is required"))?;
            let http = Http::new();
            let mut c = Client::new(&dir, url, &http, Limits::default(), now)?;
            c.refresh()?;
            if matches!(a.action, ClientAction::Refresh) {
                g.info(format!("refreshed: root version {}", c.root_version()));
                return Ok(());
            }
            let tdir = a
                .target_dir
                .as_ref()
                .ok_or_else(|| anyhow!("--target-dir is required"))?;
            let base = a
                .target_base_url
                .as_deref()
                .ok_or_else(|| anyhow!("--target-base-url is required"))?;
            if a.target_name.is_empty() {
                return Err(anyhow!("--target-name is required"));
            }
            // Finding each target walks the delegations (and fetches their metadata) in
            // order; the verified downloads are then independent and run in parallel.
            let mut wanted = Vec::with_capacity(a.target_name.len());
            for t in &a.target_name {
                let info = c
                    .target_info(t)?
                    .ok_or_else(|| anyhow!("{t}: no trusted role lists this target"))?;
                wanted.push((t, info));
            }
            // Fetched and verified on DOWNLOADS_IN_FLIGHT threads (each keeps its own
            // kept-alive connection), written from this one.
            let results = c.download_targets(&wanted, tdir, base, DOWNLOADS_IN_FLIGHT);
            for ((t, _), r) in wanted.iter().zip(results) {
                let out = r?;
                g.info(format!("{t}: {}", out.display()));
            }
            Ok(())
        }
    }
}

/// Default expiry in days per role.
fn expiry(now: i64, days: u64) -> i64 {
    now.saturating_add((days as i64).saturating_mul(86_400))
}

#[derive(Args)]
struct RepoKeys {
    /// Private key(s) to sign with; each signs the roles it is listed for.
    #[arg(long = "key")]
    keys: Vec<PathBuf>,
    /// Days until targets expires.
    #[arg(long, default_value_t = 90)]
    targets_days: u64,
    /// Days until snapshot expires.
    #[arg(long, default_value_t = 7)]
    snapshot_days: u64,
    /// Days until timestamp expires.
    #[arg(long, default_value_t = 1)]
    timestamp_days: u64,
}

impl RepoKeys {
    fn load(&self) -> Result<Vec<palisade_keys::PrivateKey>> {
        self.keys
            .iter()
            .map(|p| crate::util::load_private(p, None))
            .collect()
    }
    fn expires(&self) -> (i64, i64, i64) {
        let now = palisade_intoto::time::now();
        (
            expiry(now, self.targets_days),
            expiry(now, self.snapshot_days),
            expiry(now, self.timestamp_days),
        )
    }
}

#[derive(Args)]
struct InitArgs {
    /// Repository folder (gets metadata/ and targets/).
    dir: PathBuf,
    /// Root public key (repeatable).
    #[arg(long = "root", required = true)]
    root: Vec<PathBuf>,
    /// Targets public key (repeatable).
    #[arg(long = "targets", required = true)]
    targets: Vec<PathBuf>,
    /// Snapshot public key (repeatable).
    #[arg(long = "snapshot", required = true)]
    snapshot: Vec<PathBuf>,
    /// Timestamp public key (repeatable).
    #[arg(long = "timestamp", required = true)]
    timestamp: Vec<PathBuf>,
    /// Threshold of a role, ROLE=N (repeatable; default 1).
    #[arg(long = "threshold")]
    thresholds: Vec<String>,
    /// Days until root expires.
    #[arg(long, default_value_t = 365)]
    root_days: u64,
    #[command(flatten)]
    keys: RepoKeys,
}

#[derive(Args)]
struct AddArgs {
    /// Repository folder.
    dir: PathBuf,
    /// The file to publish.
    #[arg(long)]
    file: PathBuf,
    /// Its target path (default: the file name).
    #[arg(long)]
    path: Option<String>,
    /// Custom metadata (a JSON object).
    #[arg(long)]
    custom: Option<String>,
    /// The targets role listing it.
    #[arg(long, default_value = "targets")]
    role: String,
    #[command(flatten)]
    keys: RepoKeys,
}

#[derive(Args)]
struct DelegateArgs {
    /// Repository folder.
    dir: PathBuf,
    /// The new role's name.
    #[arg(long)]
    name: String,
    /// The delegating role.
    #[arg(long, default_value = "targets")]
    delegator: String,
    /// Public key of the new role (repeatable).
    #[arg(long, required = true)]
    to: Vec<PathBuf>,
    /// Signatures the new role needs.
    #[arg(long, default_value_t = 1)]
    threshold: u64,
    /// Path pattern (repeatable).
    #[arg(long, conflicts_with = "hash_prefix")]
    paths: Vec<String>,
    /// sha256 hex prefix of target paths (repeatable; hashed bins).
    #[arg(long)]
    hash_prefix: Vec<String>,
    /// Stop the search after this role.
    #[arg(long)]
    terminating: bool,
    /// Succinct hash bins (TAP 15): 2^N roles NAME-HEX share the --to keys and cover
    /// every path; `add --role NAME` then picks the bin of each path.
    #[arg(long, conflicts_with_all = ["paths", "hash_prefix", "terminating"])]
    succinct_bits: Option<u32>,
    #[command(flatten)]
    keys: RepoKeys,
}

#[derive(Args)]
struct RotateArgs {
    /// Repository folder.
    dir: PathBuf,
    /// Top-level role whose keys change.
    #[arg(long)]
    role: String,
    /// Public key to add (repeatable).
    #[arg(long)]
    add: Vec<PathBuf>,
    /// Public key to remove (repeatable).
    #[arg(long)]
    remove: Vec<PathBuf>,
    /// New threshold for the role.
    #[arg(long)]
    threshold: Option<u64>,
    /// Root private key(s) to sign the new root with.
    #[arg(long = "key")]
    keys: Vec<PathBuf>,
}

#[derive(Args)]
struct RevokeArgs {
    /// Repository folder.
    dir: PathBuf,
    /// Public key to revoke.
    #[arg(long)]
    revoke: PathBuf,
    /// Root private key(s) to sign the new root with.
    #[arg(long = "key")]
    keys: Vec<PathBuf>,
}

#[derive(Args)]
struct ExpireArgs {
    /// Repository folder.
    dir: PathBuf,
    /// Also fail when metadata expires within this many days.
    #[arg(long, default_value_t = 0)]
    within_days: u64,
    /// Output format.
    #[arg(long, default_value = "text")]
    format: crate::util::Format,
}

#[derive(Args)]
struct RemoveArgs {
    /// Repository folder.
    dir: PathBuf,
    /// Target path to remove.
    #[arg(long)]
    path: String,
    /// The targets role listing it.
    #[arg(long, default_value = "targets")]
    role: String,
    #[command(flatten)]
    keys: RepoKeys,
}

#[derive(Args)]
struct RefreshArgs {
    /// Repository folder.
    dir: PathBuf,
    #[command(flatten)]
    keys: RepoKeys,
}

#[derive(Args)]
struct SignArgs {
    /// Metadata file to add signatures to (in place).
    file: PathBuf,
    /// Private key (repeatable).
    #[arg(long = "key", required = true)]
    keys: Vec<PathBuf>,
}

fn load_keys(paths: &[PathBuf]) -> Result<Vec<palisade_keys::PrivateKey>> {
    paths
        .iter()
        .map(|p| crate::util::load_private(p, None))
        .collect()
}

/// Largest metadata file `tuf sign` reads.
const MD_LIMIT: u64 = 64 * 1024 * 1024;

fn repo_cmd(cmd: RepoCmd, g: &Globals) -> Result<ExitCode> {
    use palisade_tuf::repo::{Repository, RootSpec};
    match cmd {
        RepoCmd::Init(a) => {
            let now = palisade_intoto::time::now();
            let mut spec = RootSpec {
                keys: Default::default(),
                thresholds: Default::default(),
                expires: Default::default(),
            };
            for (role, paths) in [
                ("root", &a.root),
                ("targets", &a.targets),
                ("snapshot", &a.snapshot),
                ("timestamp", &a.timestamp),
            ] {
                let ks = paths
                    .iter()
                    .map(|p| crate::util::load_public(p, None))
                    .collect::<Result<Vec<_>>>()?;
                spec.keys.insert(role.into(), ks);
            }
            for t in &a.thresholds {
                let (r, n) = t
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--threshold {t}: expected ROLE=N"))?;
                let n: u64 = n
                    .parse()
                    .map_err(|_| anyhow!("--threshold {t}: N must be a number"))?;
                if n == 0 || !palisade_tuf::repo::TOP_ROLES.contains(&r) {
                    return Err(anyhow!("--threshold {t}: unknown role or zero"));
                }
                spec.thresholds.insert(r.into(), n);
            }
            let (te, se, tse) = a.keys.expires();
            spec.expires.insert("root".into(), expiry(now, a.root_days));
            spec.expires.insert("targets".into(), te);
            spec.expires.insert("snapshot".into(), se);
            spec.expires.insert("timestamp".into(), tse);
            Repository::open(&a.dir).init(&spec, &a.keys.load()?)?;
            g.info(format!("initialised {}", a.dir.display()));
        }
        RepoCmd::Add(a) => {
            let data = palisade_io::read_limited(&a.file, palisade_io::DEFAULT_READ_LIMIT)?;
            let path = match &a.path {
                Some(p) => p.clone(),
                None => a
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| anyhow!("{}: no file name", a.file.display()))?,
            };
            let custom = match &a.custom {
                Some(c) => Some(serde_json::from_str(c).context("--custom")?),
                None => None,
            };
            Repository::open(&a.dir).add_target(
                &a.role,
                &path,
                &data,
                custom,
                &a.keys.load()?,
                a.keys.expires(),
            )?;
            g.info(format!("added {path}"));
        }
        RepoCmd::Remove(a) => {
            Repository::open(&a.dir).remove_target(
                &a.role,
                &a.path,
                &a.keys.load()?,
                a.keys.expires(),
            )?;
            g.info(format!("removed {}", a.path));
        }
        RepoCmd::Refresh(a) => {
            let (_, se, tse) = a.keys.expires();
            Repository::open(&a.dir).snapshot_and_timestamp(&a.keys.load()?, se, tse)?;
            g.info("new snapshot and timestamp");
        }
        RepoCmd::Delegate(a) => {
            let pubs =
                a.to.iter()
                    .map(|p| crate::util::load_public(p, None))
                    .collect::<Result<Vec<_>>>()?;
            let paths = if a.hash_prefix.is_empty() {
                palisade_tuf::metadata::PathMatch::Paths(a.paths.clone())
            } else {
                palisade_tuf::metadata::PathMatch::HashPrefixes(a.hash_prefix.clone())
            };
            if a.threshold == 0 {
                return Err(anyhow!("--threshold must be at least 1"));
            }
            if let Some(bits) = a.succinct_bits {
                Repository::open(&a.dir).delegate_succinct(
                    &a.delegator,
                    &a.name,
                    bits,
                    &pubs,
                    a.threshold,
                    &a.keys.load()?,
                    a.keys.expires(),
                )?;
                g.info(format!(
                    "delegated to {} hash bins {}-*",
                    1u64 << bits,
                    a.name
                ));
                return Ok(ExitCode::SUCCESS);
            }
            Repository::open(&a.dir).delegate(
                &a.delegator,
                &a.name,
                &pubs,
                a.threshold,
                paths,
                a.terminating,
                &a.keys.load()?,
                a.keys.expires(),
            )?;
            g.info(format!("delegated to {}", a.name));
        }
        RepoCmd::Rotate(a) => {
            if !palisade_tuf::repo::TOP_ROLES.contains(&a.role.as_str()) {
                return Err(anyhow!(
                    "--role must be root, targets, snapshot or timestamp"
                ));
            }
            let add = a
                .add
                .iter()
                .map(|p| crate::util::load_public(p, None))
                .collect::<Result<Vec<_>>>()?;
            let remove = a
                .remove
                .iter()
                .map(|p| crate::util::load_public(p, None).map(|k| k.keyid().to_string()))
                .collect::<Result<Vec<_>>>()?;
            let keys = load_keys(&a.keys)?;
            let role = a.role.clone();
            let out = Repository::open(&a.dir).new_root(&keys, None, |root| {
                palisade_tuf::repo::change_role(root, &role, &add, &remove, a.threshold)
            })?;
            outln!("{}", out.display());
        }
        RepoCmd::Revoke(a) => {
            let k = crate::util::load_public(&a.revoke, None)?;
            let id = k.keyid().to_string();
            let keys = load_keys(&a.keys)?;
            let out = Repository::open(&a.dir).new_root(&keys, None, |root| {
                for role in palisade_tuf::repo::TOP_ROLES {
                    palisade_tuf::repo::change_role(
                        root,
                        role,
                        &[],
                        std::slice::from_ref(&id),
                        None,
                    )?;
                }
                Ok(())
            })?;
            outln!("{}", out.display());
        }
        RepoCmd::Serve(a) => {
            if !a.dir.join("metadata").is_dir() {
                return Err(anyhow!(
                    "{}: no metadata/ folder: not a TUF repository (see `palisade tuf init`)",
                    a.dir.display()
                ));
            }
            let server = palisade_serve::Server::start(&a.dir, a.listen)?;
            {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                writeln!(out, "{}", server.url())?;
                out.flush()?;
            }
            g.info(format!(
                "serving {} at {} (metadata: {0}/metadata, targets: {0}/targets); Ctrl-C stops",
                a.dir.display(),
                server.url()
            ));
            server.wait()?;
        }
        RepoCmd::Expire(a) => {
            let now = palisade_intoto::time::now();
            let limit = expiry(now, a.within_days);
            let list = Repository::open(&a.dir).expiries()?;
            let mut bad = false;
            let mut rows = Vec::new();
            for (file, t, text) in &list {
                let status = if *t <= now {
                    "expired"
                } else if *t <= limit {
                    "expiring"
                } else {
                    "ok"
                };
                bad |= status != "ok";
                rows.push(serde_json::json!({"file": file, "expires": text, "status": status}));
                if !matches!(a.format, crate::util::Format::Json) {
                    outln!("{status:9} {text}  {file}");
                }
            }
            if matches!(a.format, crate::util::Format::Json) {
                crate::util::print_json(&serde_json::json!({"metadata": rows}));
            }
            return Ok(if bad {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        RepoCmd::Sign(a) => {
            let keys = a
                .keys
                .iter()
                .map(|p| crate::util::load_private(p, None))
                .collect::<Result<Vec<_>>>()?;
            let refs: Vec<&palisade_keys::PrivateKey> = keys.iter().collect();
            let bytes = palisade_io::read_limited(&a.file, MD_LIMIT)?;
            let name = a.file.display().to_string();
            let out = palisade_tuf::repo::sign_document(&bytes, &refs, &name)?;
            palisade_io::write_atomic(
                &a.file,
                &out,
                palisade_io::WriteOptions {
                    overwrite: true,
                    mode: None,
                },
            )?;
            g.info(format!("signed {name}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
