//! Source-phase controls: are the commits, tags and merges of a repository signed by the
//! keys its policy allows?
//!
//! * [`object`]: git's signed-payload rules, our own extractor (every `gpgsig*` header
//!   is removed, as git does — gix removes only the first).
//! * [`sshsig`]: SSHSIG and OpenSSH certificates, verified in-process through
//!   `palisade-keys` (no `ssh-keygen`).
//! * [`signers`]: git's `allowed_signers` format and the revocation list.
//! * [`pgp`]: OpenPGP signatures against an armored keyring (rPGP).
//! * [`verify`]: the [`Verdict`] of one object against a [`Policy`]. Unlike git, the key
//!   must belong to the committer's email (unless binding is turned off).
//! * [`repo`]: repository access with gix, in-process.
//! * [`verify_range`] and [`check_merges`]: a whole range, and full attestation of
//!   merges (every commit a merge brings in must verify, not only its tip).
//!
//! Not here: printing or exit codes (the `palisade` binary), secrets scanning, X.509 /
//! gitsign verification (reported as [`Verdict::Unsupported`]).

pub mod codeowners;
pub mod hook;
pub mod object;
pub mod pgp;
pub mod repo;
pub mod signers;
pub mod sshsig;
pub mod verify;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use object::{Ident, SigFormat};
pub use repo::Repo;
pub use signers::{AllowedSigners, PolicyError, Revoked};
pub use verify::{Outcome, Policy, Verdict};

/// Largest policy file (allowed signers, revocation list, keyring) read.
pub const POLICY_FILE_LIMIT: u64 = 16 * 1024 * 1024;

/// What went wrong reading the repository or the policy (not a verification failure).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The repository could not be read.
    #[error("git: {0}")]
    Git(String),
    /// A revision did not resolve.
    #[error("revision {spec:?}: {reason}")]
    Rev {
        /// The revision as given.
        spec: String,
        /// Why.
        reason: String,
    },
    /// A policy file is unreadable or malformed.
    #[error("{}: {reason}", file.display())]
    Policy {
        /// The file.
        file: PathBuf,
        /// Why (with the line where known).
        reason: String,
    },
}

/// Commit or annotated tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A commit.
    Commit,
    /// An annotated tag.
    Tag,
}

/// One verified object.
#[derive(Debug, Clone)]
pub struct Item {
    /// Commit or tag.
    pub kind: Kind,
    /// Object id (hex).
    pub id: String,
    /// Tag ref name (`refs/tags/v1.0`), for tags.
    pub name: Option<String>,
    /// Parent ids (commits).
    pub parents: Vec<String>,
    /// Committer or tagger.
    pub identity: Option<Ident>,
    /// The verdict.
    pub outcome: Outcome,
    signed: object::Signed,
}

impl Item {
    /// The verdict of this object under another policy (e.g. the mergers).
    pub fn recheck(&self, policy: &Policy) -> Outcome {
        policy.check(
            &self.signed.payload,
            self.signed.signature.as_deref(),
            self.identity.as_ref(),
        )
    }
}

/// Verifies one raw commit.
pub fn check_commit(policy: &Policy, id: &str, data: &[u8]) -> Item {
    check_object(policy, Kind::Commit, id, None, data)
}

/// Verifies one raw annotated tag.
pub fn check_tag(policy: &Policy, id: &str, name: &str, data: &[u8]) -> Item {
    check_object(policy, Kind::Tag, id, Some(name), data)
}

fn check_object(policy: &Policy, kind: Kind, id: &str, name: Option<&str>, data: &[u8]) -> Item {
    let h = object::parse_header(data);
    let signed = match kind {
        Kind::Commit => object::split_commit(data),
        Kind::Tag => object::split_tag(data),
    };
    let outcome = policy.check(
        &signed.payload,
        signed.signature.as_deref(),
        h.identity.as_ref(),
    );
    Item {
        kind,
        id: id.to_string(),
        name: name.map(str::to_string),
        parents: h.parents,
        identity: h.identity,
        outcome,
        signed,
    }
}

/// Every commit of `range` (newest first) and then every annotated tag on them (by
/// name), each with its verdict.
pub fn verify_range(
    repo: &Repo,
    range: Option<&str>,
    since: Option<&str>,
    policy: &Policy,
) -> Result<Vec<Item>, SourceError> {
    let ids = repo.commits(range, since)?;
    let raws = ids
        .iter()
        .map(|id| repo.object(*id))
        .collect::<Result<Vec<_>, _>>()?;
    let set: HashSet<_> = ids.iter().copied().collect();
    let tags = repo.tags_on(&set)?;
    let mut items: Vec<Item> = raws
        .par_iter()
        .map(|r| check_commit(policy, &r.id, &r.data))
        .collect();
    items.extend(
        tags.par_iter()
            .map(|(name, r)| check_tag(policy, &r.id, name, &r.data))
            .collect::<Vec<_>>(),
    );
    Ok(items)
}

/// A merge on the protected branch that fails full attestation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergeFinding {
    /// The merge commit.
    pub merge: String,
    /// What is wrong.
    pub problem: String,
    /// The commits it brought in that do not verify.
    pub unverified: Vec<String>,
}

/// Full attestation: every merge on the first-parent chain from `tip` must be good under
/// `mergers`, every commit it brings in (reachable from its other parents, not from its
/// first) must be good under the main verdicts in `items`, and every signed tag it merged
/// (`mergetag` header) must be good under `main`.
/// `main` is the policy the range was verified with (it checks `mergetag` signatures).
pub fn check_merges(
    items: &[Item],
    tip: &str,
    main: &Policy,
    mergers: &Policy,
) -> Vec<MergeFinding> {
    let commits: HashMap<&str, &Item> = items
        .iter()
        .filter(|i| i.kind == Kind::Commit)
        .map(|i| (i.id.as_str(), i))
        .collect();
    let ancestors = |starts: &[String]| {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&str> = starts.iter().map(String::as_str).collect();
        while let Some(c) = stack.pop() {
            if let Some(item) = commits.get(c)
                && seen.insert(item.id.as_str())
            {
                stack.extend(item.parents.iter().map(String::as_str));
            }
        }
        seen
    };
    let mut out = Vec::new();
    let mut cur = commits.get(tip).copied();
    let mut guard = HashSet::new();
    while let Some(c) = cur {
        if !guard.insert(c.id.as_str()) {
            break;
        }
        if c.parents.len() > 1 {
            let merger = c.recheck(mergers);
            let first = ancestors(&c.parents[..1]);
            let brought = ancestors(&c.parents[1..]);
            let mut unverified: Vec<String> = brought
                .iter()
                .filter(|id| !first.contains(*id))
                .filter_map(|id| commits.get(id))
                .filter(|i| i.outcome.verdict != Verdict::Good)
                .map(|i| i.id.clone())
                .collect();
            unverified.sort();
            let mut problems = Vec::new();
            // A merged signed tag travels in a `mergetag` header: it must verify too.
            for tag in object::parse_header(&c.signed.payload).mergetags {
                let t = check_tag(main, &c.id, "mergetag", &tag);
                if t.outcome.verdict != Verdict::Good {
                    let name = object::parse_header(&tag).tag_name.unwrap_or_default();
                    problems.push(format!(
                        "mergetag {name}: {} ({})",
                        t.outcome.verdict, t.outcome.reason
                    ));
                }
            }
            if merger.verdict != Verdict::Good {
                problems.push(format!(
                    "merge is not signed by a merger: {} ({})",
                    merger.verdict, merger.reason
                ));
            }
            if !unverified.is_empty() {
                problems.push(format!(
                    "brings in {} commit(s) that do not verify",
                    unverified.len()
                ));
            }
            if !problems.is_empty() {
                out.push(MergeFinding {
                    merge: c.id.clone(),
                    problem: problems.join("; "),
                    unverified,
                });
            }
        }
        cur = c
            .parents
            .first()
            .and_then(|p| commits.get(p.as_str()).copied());
    }
    out
}

/// Where each part of the policy comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFiles {
    /// Allowed signers file.
    pub signers: Option<PathBuf>,
    /// Revocation list.
    pub revoked: Option<PathBuf>,
    /// Armored OpenPGP keyring.
    pub pgp_keys: Option<PathBuf>,
    /// Allowed signers of merges.
    pub mergers: Option<PathBuf>,
    /// Refs the pre-receive hook protects (`[source] protected`, glob patterns).
    pub protected: Vec<String>,
}

impl PolicyFiles {
    /// Finds the policy of the repository at `root`: `palisade.toml` `[source]`
    /// (`allowed_signers`, `revoked`, `pgp_keys`, `mergers`, relative to the root), then
    /// `.palisade/allowed_signers`, `.palisade/revoked_keys`, `.palisade/pgp-keys.asc`,
    /// `.palisade/mergers`, then git's `gpg.ssh.allowedSignersFile` /
    /// `gpg.ssh.revocationFile`.
    pub fn discover(repo: &Repo) -> Result<PolicyFiles, SourceError> {
        let root = repo.root();
        let mut f = PolicyFiles::default();
        let toml_path = root.join("palisade.toml");
        if toml_path.is_file() {
            let err = policy_err(&toml_path);
            let bytes = read_policy(&toml_path)?;
            let text = String::from_utf8(bytes).map_err(|_| err(&"not UTF-8"))?;
            let v: toml::Table = toml::from_str(&text).map_err(|e| err(&e))?;
            if let Some(src) = v.get("source").and_then(|s| s.as_table()) {
                let get = |k: &str| src.get(k).and_then(|x| x.as_str()).map(|p| root.join(p));
                f.signers = get("allowed_signers");
                f.revoked = get("revoked");
                f.pgp_keys = get("pgp_keys");
                f.mergers = get("mergers");
                if let Some(list) = src.get("protected").and_then(|x| x.as_array()) {
                    f.protected = list
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                }
            }
        }
        let dot = |name: &str| Some(root.join(".palisade").join(name)).filter(|p| p.is_file());
        f.signers = f.signers.or_else(|| dot("allowed_signers"));
        f.revoked = f.revoked.or_else(|| dot("revoked_keys"));
        f.pgp_keys = f.pgp_keys.or_else(|| dot("pgp-keys.asc"));
        f.mergers = f.mergers.or_else(|| dot("mergers"));
        if f.signers.is_none() {
            f.signers = repo.config_path("gpg.ssh.allowedSignersFile");
            if f.revoked.is_none() {
                f.revoked = repo.config_path("gpg.ssh.revocationFile");
            }
        }
        Ok(f)
    }
}

/// A policy error naming `path`.
fn policy_err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> SourceError + '_ {
    move |e| SourceError::Policy {
        file: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn read_policy(path: &Path) -> Result<Vec<u8>, SourceError> {
    palisade_io::read_limited(path, POLICY_FILE_LIMIT).map_err(|e| policy_err(path)(&e))
}

/// Reads an allowed-signers file.
pub fn load_signers(path: &Path) -> Result<AllowedSigners, SourceError> {
    AllowedSigners::parse(&read_policy(path)?).map_err(|e| policy_err(path)(&e))
}

/// Reads a revocation list. A missing file is an error here (git only warns): a policy
/// that names a revocation list must have it.
pub fn load_revoked(path: &Path) -> Result<Revoked, SourceError> {
    Revoked::parse(&read_policy(path)?).map_err(|e| policy_err(path)(&e))
}

/// Reads an armored OpenPGP keyring.
pub fn load_pgp(path: &Path) -> Result<pgp::Keyring, SourceError> {
    pgp::Keyring::parse(&read_policy(path)?).map_err(|e| policy_err(path)(&e))
}

/// Builds the policy from its files (any may be absent: no SSH signer is then allowed).
pub fn load_policy(files: &PolicyFiles) -> Result<Policy, SourceError> {
    let signers = match &files.signers {
        Some(p) => load_signers(p)?,
        None => AllowedSigners::default(),
    };
    let revoked = match &files.revoked {
        Some(p) => load_revoked(p)?,
        None => Revoked::default(),
    };
    let mut policy = Policy::new(signers, revoked);
    if let Some(p) = &files.pgp_keys {
        policy.pgp = Some(load_pgp(p)?);
    }
    Ok(policy)
}
