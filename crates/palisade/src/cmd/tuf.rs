//! `palisade tuf`: The Update Framework client (the tuf-conformance client protocol).

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

/// Largest root file accepted by `init`.
const ROOT_LIMIT: u64 = 512_000;

/// HTTP(S)-less blocking fetcher over `ureq` (plain HTTP).
struct Http {
    agent: ureq::Agent,
}

impl Http {
    fn new() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Http { agent }
    }
}

impl Fetcher for Http {
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let mut resp = self
            .agent
            .get(url)
            .call()
            .map_err(|e| FetchError::Other(e.to_string()))?;
        let status = resp.status().as_u16();
        if status == 403 || status == 404 {
            return Err(FetchError::NotFound(status));
        }
        if status != 200 {
            return Err(FetchError::Other(format!("HTTP {status}")));
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(max_len.saturating_add(1))
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(max_len),
                other => FetchError::Other(other.to_string()),
            })?;
        if body.len() as u64 > max_len {
            return Err(FetchError::TooLarge(max_len));
        }
        Ok(body)
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
        TufCmd::Client(a) => match client(a, g) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("palisade: tuf client: {e:#}");
                Ok(ExitCode::from(1))
            }
        },
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
            for t in &a.target_name {
                let info = c
                    .target_info(t)?
                    .ok_or_else(|| anyhow!("{t}: no trusted role lists this target"))?;
                let out = c.download_target(t, &info, tdir, base)?;
                g.info(format!("{t}: {}", out.display()));
            }
            Ok(())
        }
    }
}
