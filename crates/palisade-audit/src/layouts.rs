//! The shape of the repository's in-toto layouts, for the controls about duties and
//! thresholds, and whether each step's links are there and signed by its functionaries.
//! Nothing is run: inspections are `palisade intoto verify`'s job at release time.

use std::collections::BTreeSet;
use std::path::Path;

use palisade_intoto::model::Layout;
use palisade_intoto::{Metadata, Payload, link_file_name};
use palisade_report::{Evidence, Status};

use crate::RepoFiles;

/// Step names that carry the release (the last such step, else the last step).
const RELEASE_WORDS: [&str; 6] = ["release", "publish", "sign", "package", "tag", "deploy"];

fn layouts(repo: &Path, files: &RepoFiles) -> Vec<(String, Result<Box<Layout>, String>)> {
    files
        .ending_with(".layout")
        .map(|rel| {
            let read = Metadata::read_file(&repo.join(rel))
                .map_err(|e| e.to_string())
                .and_then(|m| match m.payload {
                    Payload::Layout(l) => Ok(l),
                    _ => Err("not a layout".to_string()),
                });
            (rel.clone(), read)
        })
        .collect()
}

/// The verdict on an in-toto control other than `build.policy-adherence`.
pub(crate) fn control(repo: &Path, files: &RepoFiles, id: &str) -> (Status, Vec<Evidence>) {
    let all = layouts(repo, files);
    if all.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no in-toto layout (*.layout) in the repository",
            )],
        );
    }
    let mut evidence = Vec::new();
    let mut verdicts = Vec::new();
    for (rel, layout) in &all {
        let layout = match layout {
            Ok(l) => l,
            Err(e) => {
                evidence.push(Evidence::at(
                    format!("cannot be read: {e}"),
                    rel.as_str(),
                    None,
                ));
                verdicts.push(Status::Fail);
                continue;
            }
        };
        let (s, msg) = match id {
            "build.segregated-duties" => duties(layout),
            "build.release-threshold" => release(layout),
            _ => links(repo, rel, files, layout),
        };
        evidence.push(Evidence::at(msg, rel.as_str(), None));
        verdicts.push(s);
    }
    let status = if verdicts.iter().all(|s| *s == Status::Pass) {
        Status::Pass
    } else if verdicts
        .iter()
        .any(|s| matches!(s, Status::Pass | Status::Partial))
    {
        Status::Partial
    } else {
        Status::Fail
    };
    (status, evidence)
}

/// Separate duties: at least two steps, and no one key that may carry out every step.
fn duties(l: &Layout) -> (Status, String) {
    let names: Vec<&str> = l.steps.iter().map(|s| s.name.as_str()).collect();
    if l.steps.len() < 2 {
        return (
            Status::Fail,
            format!(
                "{} step(s) ({}): build, scan and publish are not separate",
                l.steps.len(),
                names.join(", ")
            ),
        );
    }
    let mut common: BTreeSet<&str> = l.steps[0].pubkeys.iter().map(String::as_str).collect();
    for s in &l.steps[1..] {
        let keys: BTreeSet<&str> = s.pubkeys.iter().map(String::as_str).collect();
        common = common.intersection(&keys).copied().collect();
    }
    if common.is_empty() {
        (
            Status::Pass,
            format!(
                "{} steps ({}), no key may carry out all of them",
                l.steps.len(),
                names.join(", ")
            ),
        )
    } else {
        let ids: Vec<String> = common.iter().map(|k| k.chars().take(8).collect()).collect();
        (
            Status::Partial,
            format!(
                "{} steps ({}), but key(s) {} may carry out every step",
                l.steps.len(),
                names.join(", "),
                ids.join(", ")
            ),
        )
    }
}

/// The release step needs at least two distinct functionaries.
fn release(l: &Layout) -> (Status, String) {
    let Some(step) = l
        .steps
        .iter()
        .rev()
        .find(|s| {
            let n = s.name.to_ascii_lowercase();
            RELEASE_WORDS.iter().any(|w| n.contains(w))
        })
        .or(l.steps.last())
    else {
        return (Status::Fail, "the layout has no steps".into());
    };
    let msg = format!(
        "release step '{}': threshold {} of {} functionary key(s)",
        step.name,
        step.threshold,
        step.pubkeys.len()
    );
    if step.threshold >= 2 && step.pubkeys.len() >= 2 {
        (Status::Pass, msg)
    } else {
        (
            Status::Fail,
            format!("{msg}: one person can attest the release"),
        )
    }
}

/// Each step has links signed by at least `threshold` of its functionaries, next to the
/// layout or anywhere in the repository.
fn links(repo: &Path, rel: &str, files: &RepoFiles, l: &Layout) -> (Status, String) {
    let _ = rel;
    let mut complete = Vec::new();
    let mut missing = Vec::new();
    for step in &l.steps {
        let mut signed = BTreeSet::new();
        for id in &step.pubkeys {
            let Some(Ok(key)) = l.keys.get(id) else {
                continue;
            };
            for kid in key.link_keyids() {
                let name = link_file_name(&step.name, &kid);
                for path in files
                    .paths
                    .iter()
                    .filter(|p| *p == &name || p.ends_with(&format!("/{name}")))
                {
                    if let Ok(m) = Metadata::read_file(&repo.join(path))
                        && m.verify_with(key).is_ok()
                    {
                        signed.insert(id.clone());
                    }
                }
            }
        }
        if signed.len() >= step.threshold.max(1) {
            complete.push(step.name.clone());
        } else {
            missing.push(format!(
                "{} ({} of {})",
                step.name,
                signed.len(),
                step.threshold.max(1)
            ));
        }
    }
    let msg = if missing.is_empty() {
        format!("every step has signed links: {}", complete.join(", "))
    } else {
        format!(
            "steps without enough signed links: {}{}",
            missing.join(", "),
            if complete.is_empty() {
                String::new()
            } else {
                format!("; complete: {}", complete.join(", "))
            }
        )
    };
    let status = if missing.is_empty() {
        Status::Pass
    } else if complete.is_empty() {
        Status::Fail
    } else {
        Status::Partial
    };
    (status, msg)
}
