//! `palisade verify commits`: signed commits, tags and merges against an allowed-signers
//! policy.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use palisade_source::{
    Item, Kind, MergeFinding, Policy, PolicyFiles, Repo, Verdict, check_merges, load_pgp,
    load_revoked, load_signers,
};
use serde_json::json;

use crate::util::{self, Format, Globals};

/// Verify signatures on commits, tags and merges.
#[derive(Args)]
pub struct VerifyArgs {
    #[command(subcommand)]
    cmd: VerifyCmd,
}

#[derive(Subcommand)]
enum VerifyCmd {
    /// Verify every commit and annotated tag of a range against the signing policy.
    #[command(after_help = "Examples:
  palisade verify commits
  palisade verify commits origin/main..HEAD --signers .palisade/allowed_signers
  palisade verify commits --since v2.0 --revoked .palisade/revoked_keys --format json
  palisade verify commits main --require-signed-merges --mergers .palisade/mergers
  palisade verify commits --pgp-keys maintainers.asc --no-bind-committer

Verdicts: good, unsigned, bad-signature, unknown-key, key-not-allowed-for-committer,
outside-validity-window, revoked, unsupported (X.509 / gitsign).
Policy, when no flag is given: palisade.toml [source] allowed_signers / revoked /
pgp_keys / mergers, else .palisade/allowed_signers (revoked_keys, pgp-keys.asc, mergers),
else git config gpg.ssh.allowedSignersFile and gpg.ssh.revocationFile.
Unlike git, the signing key must belong to the committer's (tagger's) email; validity
windows are evaluated at the committer time.
Exit codes: 0 every object good, 1 any is not, 2 usage or input error.")]
    Commits(CommitsArgs),
}

#[derive(Args)]
struct CommitsArgs {
    /// Range (`A..B`) or revision (its whole history); default: HEAD.
    range: Option<String>,
    /// The repository (any directory inside it).
    #[arg(long, short = 'C', default_value = ".")]
    repo: PathBuf,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Start at this commit (it and its descendants are checked).
    #[arg(long, value_name = "REV")]
    since: Option<String>,
    /// Full attestation: every merge on the first-parent chain signed by a merger, and
    /// every commit it brings in good.
    #[arg(long)]
    require_signed_merges: bool,
    /// Allowed signers of merge commits (with --require-signed-merges).
    #[arg(long, value_name = "FILE")]
    mergers: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The signing policy's flags, shared with `palisade hook pre-receive`.
#[derive(Args)]
pub struct PolicyArgs {
    /// Allowed signers file (git's gpg.ssh.allowedSignersFile format).
    #[arg(long, value_name = "FILE")]
    signers: Option<PathBuf>,
    /// Revoked SSH public keys, one a line.
    #[arg(long, value_name = "FILE")]
    revoked: Option<PathBuf>,
    /// Armored OpenPGP public keys.
    #[arg(long, value_name = "FILE")]
    pgp_keys: Option<PathBuf>,
    /// Do not require the key to belong to the committer's email (git's behaviour).
    #[arg(long)]
    no_bind_committer: bool,
}

/// Runs `palisade verify`.
pub fn run(args: VerifyArgs, g: &Globals) -> Result<ExitCode> {
    match args.cmd {
        VerifyCmd::Commits(a) => commits(a, g),
    }
}

/// Loads the policy: flags first, then what the repository declares.
pub fn policy_for(repo: &Repo, a: PolicyArgs) -> Result<(Policy, PolicyFiles)> {
    let mut files = PolicyFiles::discover(repo)?;
    if let Some(s) = a.signers {
        files.signers = Some(s);
    }
    if let Some(r) = a.revoked {
        files.revoked = Some(r);
    }
    if let Some(p) = a.pgp_keys {
        files.pgp_keys = Some(p);
    }
    if files.signers.is_none() && files.pgp_keys.is_none() {
        bail!(
            "no signing policy: pass --signers (or --pgp-keys), add .palisade/allowed_signers, \
             or set git config gpg.ssh.allowedSignersFile"
        );
    }
    let mut policy = palisade_source::load_policy(&files)?;
    policy.bind_committer = !a.no_bind_committer;
    Ok((policy, files))
}

fn commits(a: CommitsArgs, g: &Globals) -> Result<ExitCode> {
    if a.mergers.is_some() && !a.require_signed_merges {
        bail!("--mergers needs --require-signed-merges");
    }
    let repo = Repo::discover(&a.repo)?;
    let (policy, files) = policy_for(&repo, a.policy)?;
    let items =
        palisade_source::verify_range(&repo, a.range.as_deref(), a.since.as_deref(), &policy)?;
    let merges = if a.require_signed_merges {
        let Some(path) = a.mergers.or(files.mergers) else {
            bail!("--require-signed-merges needs --mergers FILE (or .palisade/mergers)");
        };
        let mut mp = Policy::new(
            load_signers(&path)?,
            match &files.revoked {
                Some(r) => load_revoked(r)?,
                None => Default::default(),
            },
        );
        mp.bind_committer = policy.bind_committer;
        if let Some(p) = &files.pgp_keys {
            mp.pgp = Some(load_pgp(p)?);
        }
        let tip = repo.range_tip(a.range.as_deref())?;
        Some(check_merges(&items, &tip.to_string(), &policy, &mp))
    } else {
        None
    };
    let bad = items
        .iter()
        .filter(|i| i.outcome.verdict != Verdict::Good)
        .count();
    let bad_merges = merges.as_ref().map_or(0, Vec::len);
    match a.format {
        Format::Json => {
            let mut doc = json!({
                "results": items.iter().map(item_json).collect::<Vec<_>>(),
                "ok": bad == 0 && bad_merges == 0,
            });
            if let Some(m) = &merges {
                doc["merges"] = json!(m.iter().map(merge_json).collect::<Vec<_>>());
            }
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Text => {
            for i in &items {
                outln!("{}", item_line(i));
            }
            for m in merges.iter().flatten() {
                outln!("merge-not-attested {} {}", m.merge, m.problem);
                for c in &m.unverified {
                    outln!("  brought in {c}");
                }
            }
        }
    }
    g.info(format!(
        "{} object(s) checked, {} not good{}",
        items.len(),
        bad,
        if merges.is_some() {
            format!(", {bad_merges} merge(s) without full attestation")
        } else {
            String::new()
        }
    ));
    Ok(if bad == 0 && bad_merges == 0 {
        ExitCode::SUCCESS
    } else {
        util::failed()
    })
}

fn item_json(i: &Item) -> serde_json::Value {
    json!({
        "kind": i.kind,
        "commit": i.id,
        "tag": i.name,
        "verdict": i.outcome.verdict,
        "signer": i.outcome.signer,
        "key": i.outcome.key,
        "reason": i.outcome.reason,
    })
}

fn merge_json(m: &MergeFinding) -> serde_json::Value {
    json!({"merge": m.merge, "problem": m.problem, "unverified": m.unverified})
}

fn item_line(i: &Item) -> String {
    let what = match (&i.kind, &i.name) {
        (Kind::Tag, Some(n)) => format!("tag {n} ({})", i.id),
        _ => i.id.clone(),
    };
    format!(
        "{:<30} {what} signer={} key={} — {}",
        i.outcome.verdict.as_str(),
        i.outcome.signer.as_deref().unwrap_or("-"),
        i.outcome.key.as_deref().unwrap_or("-"),
        i.outcome.reason
    )
}
