//! `palisade hook pre-receive`: refuse pushes that bring commits or tags the signing
//! policy does not accept.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use palisade_source::Repo;
use palisade_source::hook::{check_push, parse_updates};

use crate::util::{self, Globals};

/// Git server hooks.
#[derive(Args)]
pub struct HookArgs {
    #[command(subcommand)]
    cmd: HookCmd,
}

#[derive(Subcommand)]
enum HookCmd {
    /// Run as a server's pre-receive hook: reads `<old> <new> <ref>` lines on stdin.
    #[command(after_help = "Examples:
  # in the bare repository on the server:
  printf '#!/bin/sh\\nexec palisade hook pre-receive\\n' > hooks/pre-receive
  chmod +x hooks/pre-receive
  palisade hook pre-receive --protect 'refs/heads/main' --protect 'refs/tags/*' < updates
  palisade hook pre-receive --deny-file '*.pem' --deny-file .env

Every new commit (and a pushed annotated tag) on a protected ref must be good under the
policy (the same as `palisade verify commits`: flags, palisade.toml [source],
.palisade/allowed_signers, or git config gpg.ssh.allowedSignersFile); deleting a
protected ref is refused, and so is a new commit adding a --deny-file match. Protected refs: --protect, else palisade.toml [source]
protected, else refs/heads/* and refs/tags/*. Pushed objects are read from git's
quarantine (GIT_QUARANTINE_PATH). Secret scanning joins once the scanner exists.
Exit codes: 0 accept, 1 refuse, 2 usage or input error (git refuses the push too).")]
    PreReceive(PreReceiveArgs),
}

#[derive(Args)]
struct PreReceiveArgs {
    /// Protected ref pattern (repeatable; `*` and `?` wildcards).
    #[arg(long, value_name = "PATTERN")]
    protect: Vec<String>,
    /// Refuse commits that add or modify a file matching this pattern (CODEOWNERS
    /// syntax; repeatable), e.g. `*.pem`, `.env`.
    #[arg(long, value_name = "PATTERN")]
    deny_file: Vec<String>,
    #[command(flatten)]
    policy: super::verify::PolicyArgs,
}

/// Largest pre-receive input read.
const STDIN_LIMIT: u64 = 16 * 1024 * 1024;

/// Runs `palisade hook`.
pub fn run(args: HookArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        HookCmd::PreReceive(a) => pre_receive(a, g),
    }
}

fn pre_receive(a: PreReceiveArgs, g: &Globals) -> Result<ExitCode> {
    let input = util::read(Path::new("-"), STDIN_LIMIT)?;
    let updates = parse_updates(&input)?;
    let repo = Repo::discover(Path::new("."))?;
    let (policy, files) = super::verify::policy_for(&repo, a.policy)?;
    let protected = if !a.protect.is_empty() {
        a.protect
    } else if !files.protected.is_empty() {
        files.protected
    } else {
        vec!["refs/heads/*".into(), "refs/tags/*".into()]
    };
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from);
    let (items, refusals) = check_push(
        &repo,
        quarantine.as_deref(),
        &updates,
        &protected,
        &a.deny_file,
        &policy,
    )?;
    for r in &refusals {
        eprintln!(
            "palisade: refusing {}: {}{}",
            r.refname,
            r.object
                .as_deref()
                .map(|o| format!("{o} "))
                .unwrap_or_default(),
            r.reason
        );
    }
    g.info(format!(
        "palisade: {} object(s) checked, {} refused",
        items.len(),
        refusals.len()
    ));
    Ok(if refusals.is_empty() {
        ExitCode::SUCCESS
    } else {
        util::failed()
    })
}
