//! SBOM files kept in the repository: suppliers' SBOMs read and checked, and the
//! project's own SBOM compared with what its lockfiles resolve to.

use std::path::Path;

use palisade_report::{Evidence, Status};

use crate::{Lockfiles, RepoFiles};

/// Largest SBOM read: 64 MiB.
const SBOM_LIMIT: u64 = 64 * 1024 * 1024;

fn is_sbom(p: &str) -> bool {
    let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
    [".cdx.json", ".cdx.xml", ".spdx.json", ".spdx", ".bom.json"]
        .iter()
        .any(|s| name.ends_with(s))
        || matches!(
            name.as_str(),
            "bom.json" | "bom.xml" | "sbom.json" | "sbom.spdx.json"
        )
}

fn sboms(files: &RepoFiles) -> Vec<&String> {
    files.paths.iter().filter(|p| is_sbom(p)).collect()
}

/// `materials.supplier-sbom`: the SBOMs in the repository read and structurally checked.
pub(crate) fn supplier(repo: &Path, files: &RepoFiles) -> (Status, Vec<Evidence>) {
    let found = sboms(files);
    if found.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no SBOM (*.cdx.json, *.spdx.json, bom.json …) kept in the repository",
            )],
        );
    }
    let mut evidence = Vec::new();
    let (mut good, mut weak) = (0, 0);
    for rel in found {
        let read = palisade_io::read_limited(&repo.join(rel), SBOM_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|b| palisade_sbom::summarize(&b).map_err(|e| e.to_string()));
        match read {
            Ok(s) if s.problems.is_empty() => {
                good += 1;
                evidence.push(Evidence::at(
                    format!(
                        "{}: {} components ({} without a package URL, {} without a version, {} without a licence)",
                        s.format, s.components, s.missing_purl, s.missing_version, s.missing_license
                    ),
                    rel.as_str(),
                    None,
                ));
            }
            Ok(s) => {
                weak += 1;
                evidence.push(Evidence::at(
                    format!("{}: {}", s.format, s.problems.join("; ")),
                    rel.as_str(),
                    None,
                ));
            }
            Err(e) => {
                weak += 1;
                evidence.push(Evidence::at(
                    format!("cannot be read: {e}"),
                    rel.as_str(),
                    None,
                ));
            }
        }
    }
    let status = match (good, weak) {
        (_, 0) => Status::Pass,
        (0, _) => Status::Fail,
        _ => Status::Partial,
    };
    (status, evidence)
}

/// `materials.composition-analysis`: each SBOM against what the lockfiles resolve to.
pub(crate) fn composition(
    repo: &Path,
    files: &RepoFiles,
    lockfiles: &Lockfiles,
) -> (Status, Vec<Evidence>) {
    let found = sboms(files);
    if found.is_empty() {
        return (
            Status::Fail,
            vec![Evidence::note(
                "no SBOM in the repository to compare with the lockfiles (palisade sbom generate)",
            )],
        );
    }
    let mut parsed: Vec<(String, palisade_lockfile::Lockfile)> = lockfiles
        .files
        .iter()
        .filter_map(|(p, r)| r.as_ref().ok().map(|l| (p.clone(), l.clone())))
        .collect();
    if parsed.is_empty() {
        return (
            Status::NotApplicable,
            vec![Evidence::note("no lockfile to compare the SBOM with")],
        );
    }
    let project = palisade_sbom::Project {
        name: repo
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into()),
        version: None,
    };
    let actual = palisade_sbom::declared(&palisade_sbom::assemble(project, &mut parsed));
    let mut evidence = Vec::new();
    let (mut same, mut differ) = (0, 0);
    for rel in found {
        let declared = match palisade_io::read_limited(&repo.join(rel), SBOM_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|b| palisade_sbom::read_components(&b).map_err(|e| e.to_string()))
        {
            Ok(d) => d,
            Err(e) => {
                differ += 1;
                evidence.push(Evidence::at(
                    format!("cannot be read: {e}"),
                    rel.as_str(),
                    None,
                ));
                continue;
            }
        };
        let (d, mismatches) = palisade_sbom::check(&declared, &actual);
        let msg = format!(
            "{} declared, {} resolved: {} missing from the SBOM, {} not resolved, {} version differences, {} identifier mismatches",
            declared.len(),
            actual.len(),
            d.added.len(),
            d.removed.len(),
            d.changed.len(),
            mismatches.len()
        );
        if d.is_empty() && mismatches.is_empty() {
            same += 1;
        } else {
            differ += 1;
        }
        evidence.push(Evidence::at(msg, rel.as_str(), None));
    }
    let status = match (same, differ) {
        (_, 0) => Status::Pass,
        (0, _) => Status::Fail,
        _ => Status::Partial,
    };
    (status, evidence)
}
