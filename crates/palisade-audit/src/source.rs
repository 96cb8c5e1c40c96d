//! Evidence for the source-phase controls from `palisade-source`: signed commits and
//! merges, key rotation, CODEOWNERS.

use std::path::Path;

use palisade_report::{Evidence, Status};
use palisade_source::codeowners::{self, CodeOwners};
use palisade_source::{Item, MergeFinding, Policy, PolicyFiles, Repo, Verdict};

/// Most not-good objects listed as evidence.
const MAX_LISTED: usize = 20;

/// What the repository's history says, gathered once for every signature control.
pub(crate) enum Signatures {
    NotChecked(String),
    NoPolicy(String),
    Checked(Box<Checked>),
}

pub(crate) struct Checked {
    items: Vec<Item>,
    policy: Policy,
    files: PolicyFiles,
    merges: Option<Result<Vec<MergeFinding>, String>>,
}

impl Signatures {
    pub(crate) fn gather(root: &Path) -> Signatures {
        let repo = match Repo::discover(root) {
            Ok(r) => r,
            Err(_) => return Signatures::NotChecked("not a git repository".into()),
        };
        if repo.resolve("HEAD").is_err() {
            return Signatures::NotChecked("the repository has no commits yet".into());
        }
        let files = match PolicyFiles::discover(&repo) {
            Ok(f) => f,
            Err(e) => return Signatures::NoPolicy(e.to_string()),
        };
        if files.signers.is_none() && files.pgp_keys.is_none() {
            return Signatures::NoPolicy(
                "no signing policy (.palisade/allowed_signers, palisade.toml [source], or git config gpg.ssh.allowedSignersFile)"
                    .into(),
            );
        }
        let policy = match palisade_source::load_policy(&files) {
            Ok(p) => p,
            Err(e) => return Signatures::NoPolicy(e.to_string()),
        };
        let items = match palisade_source::verify_range(&repo, None, None, &policy) {
            Ok(i) => i,
            Err(e) => return Signatures::NotChecked(e.to_string()),
        };
        let merges = files.mergers.as_ref().map(|m| {
            let mut mp = Policy::new(
                palisade_source::load_signers(m).map_err(|e| e.to_string())?,
                policy.revoked.clone(),
            );
            mp.pgp = policy.pgp.clone();
            let tip = repo.resolve("HEAD").map_err(|e| e.to_string())?;
            Ok(palisade_source::check_merges(
                &items,
                &tip.to_string(),
                &policy,
                &mp,
            ))
        });
        Signatures::Checked(Box::new(Checked {
            items,
            policy,
            files,
            merges,
        }))
    }

    pub(crate) fn control(&self, id: &str) -> (Status, Vec<Evidence>) {
        let (items, policy, files, merges) = match self {
            Signatures::NotChecked(why) => {
                return (Status::Unknown, vec![Evidence::note(why.clone())]);
            }
            Signatures::NoPolicy(why) => return (Status::Fail, vec![Evidence::note(why.clone())]),
            Signatures::Checked(c) => (&c.items, &c.policy, &c.files, &c.merges),
        };
        match id {
            "source.signed-merges" => merges_control(merges.as_ref()),
            "source.key-rotation" => rotation_control(items, policy, files),
            _ => commits_control(items),
        }
    }
}

fn not_good(items: &[Item]) -> Vec<Evidence> {
    items
        .iter()
        .filter(|i| i.outcome.verdict != Verdict::Good)
        .take(MAX_LISTED)
        .map(|i| {
            Evidence::note(format!(
                "{} {}: {} ({})",
                match &i.name {
                    Some(n) => format!("tag {n}"),
                    None => "commit".into(),
                },
                i.id,
                i.outcome.verdict,
                i.outcome.reason
            ))
        })
        .collect()
}

fn commits_control(items: &[Item]) -> (Status, Vec<Evidence>) {
    let good = items
        .iter()
        .filter(|i| i.outcome.verdict == Verdict::Good)
        .count();
    let mut ev = vec![Evidence::note(format!(
        "{good} of {} commits and annotated tags on HEAD's history are signed by an allowed key",
        items.len()
    ))];
    ev.extend(not_good(items));
    let status = if good == items.len() {
        Status::Pass
    } else if good > 0 {
        Status::Partial
    } else {
        Status::Fail
    };
    (status, ev)
}

fn merges_control(merges: Option<&Result<Vec<MergeFinding>, String>>) -> (Status, Vec<Evidence>) {
    match merges {
        None => (
            Status::Fail,
            vec![Evidence::note(
                "no mergers policy (.palisade/mergers or palisade.toml [source] mergers)",
            )],
        ),
        Some(Err(e)) => (Status::Fail, vec![Evidence::note(e.clone())]),
        Some(Ok(f)) if f.is_empty() => (
            Status::Pass,
            vec![Evidence::note(
                "every merge on HEAD's first-parent chain is signed by a merger and brings in only verified commits",
            )],
        ),
        Some(Ok(f)) => (
            Status::Fail,
            f.iter()
                .take(MAX_LISTED)
                .map(|m| Evidence::note(format!("merge {}: {}", m.merge, m.problem)))
                .collect(),
        ),
    }
}

fn rotation_control(
    items: &[Item],
    policy: &Policy,
    files: &PolicyFiles,
) -> (Status, Vec<Evidence>) {
    let entries = &policy.signers.entries;
    let windowed = entries
        .iter()
        .filter(|e| e.valid_before.is_some() || e.cert_authority)
        .count();
    let has_revocation = files.revoked.is_some();
    let mut ev = vec![Evidence::note(format!(
        "{windowed} of {} allowed-signers lines have a validity window (valid-before or certificates)",
        entries.len()
    ))];
    ev.push(Evidence::note(match &files.revoked {
        Some(p) => format!("revocation list: {}", p.display()),
        None => "no revocation list".into(),
    }));
    let expired_or_revoked = items
        .iter()
        .filter(|i| {
            matches!(
                i.outcome.verdict,
                Verdict::Revoked | Verdict::OutsideValidityWindow
            )
        })
        .count();
    if expired_or_revoked > 0 {
        ev.push(Evidence::note(format!(
            "{expired_or_revoked} object(s) in history signed by revoked or expired keys"
        )));
    }
    let all_windowed = !entries.is_empty() && windowed == entries.len();
    let status = match (all_windowed, has_revocation) {
        (true, true) => Status::Pass,
        (false, false) if windowed == 0 => Status::Fail,
        _ => Status::Partial,
    };
    (status, ev)
}

/// `source.codeowners`.
pub(crate) fn codeowners_control(root: &Path) -> (Status, Vec<Evidence>) {
    let Some(file) = codeowners::locate(root) else {
        return (
            Status::Fail,
            vec![Evidence::note(format!(
                "no CODEOWNERS (looked for {})",
                codeowners::LOCATIONS.join(", ")
            ))],
        );
    };
    let rel = file
        .strip_prefix(root)
        .unwrap_or(&file)
        .display()
        .to_string();
    let text = match palisade_io::read_limited(&file, codeowners::MAX_SIZE as u64) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => return (Status::Fail, vec![Evidence::note(e.to_string())]),
    };
    let co = CodeOwners::parse(&text);
    let mut ev = vec![Evidence::at(
        format!("{} rule(s)", co.rules.len()),
        rel.clone(),
        None,
    )];
    for e in co.errors.iter().take(MAX_LISTED) {
        ev.push(Evidence::at(
            format!("GitHub skips this line: {}", e.reason),
            rel.clone(),
            Some(e.line as u64),
        ));
    }
    let status = if co.rules.is_empty() {
        Status::Fail
    } else if co.errors.is_empty() {
        Status::Pass
    } else {
        Status::Partial
    };
    (status, ev)
}
