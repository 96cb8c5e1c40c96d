//! Every lockfile in ../shared/lockfiles parses with the origin tool's expected count,
//! or the difference is listed here with its reason.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles")
}

/// Files that must fail, and a fragment of the error.
const MUST_FAIL: &[(&str, &str)] = &[
    // Deliberately broken: git merge-conflict markers inside the JSON.
    (
        "npm/npmcli-conflict-package-lock.json",
        "npmcli-conflict-package-lock.json:",
    ),
    // Deliberately malformed fixture ("Wrongly formatted, this file should not be used!!!").
    (
        "go/scalibr-indirect-1.23.go.sum",
        "scalibr-indirect-1.23.go.sum:1: expected `module version hash`",
    ),
];

/// Files that legitimately resolve to no package.
const EMPTY: &[(&str, &str)] = &[
    (
        "npm/trivy-package-lock_v3_broken_link.json",
        "only the root and a link to a missing folder",
    ),
    (
        "python/scalibr-loop.requirements.txt",
        "only `-r other-loop.txt`, absent under its fixture name: skipped with a reason",
    ),
    (
        "python/scalibr-other-loop.requirements.txt",
        "only `-r loop.txt`, absent under its fixture name: skipped with a reason",
    ),
];

/// Where our count differs from the origin tool's expectation, and why.
const DIFFERENCES: &[(&str, usize, &str)] = &[
    (
        "npm/trivy-package-lock_v3_with_workspace.json",
        5,
        "workspace folder functions/func1 records no version: skipped with that reason (trivy reports it versionless)",
    ),
    (
        "yarn/trivy-yarn_v2_happy.lock",
        17,
        "trivy drops the `patch:` entry; fsevents 2.1.3 (patched) is installed, so we keep it",
    ),
    (
        "pnpm/trivy-pnpm-lock_v6_with_dev.yaml",
        85,
        "trivy drops the 79 dev packages; we keep them with scope dev",
    ),
    (
        "pnpm/trivy-pnpm-lock_v9_same-vers-diff-peers.yaml",
        6,
        "trivy counts one version under two peer sets twice; the purl (identity) is the same, so we merge",
    ),
    (
        "python/trivy-uv_normal.lock",
        20,
        "trivy counts the project itself (editable root); we report it as the SBOM root, not a dependency",
    ),
    (
        "r/scalibr-with-mixed-sources.renv.lock",
        2,
        "scalibr drops the GitHub-sourced package; we keep it as pkg:github",
    ),
    (
        "r/scalibr-with-bioconductor.renv.lock",
        2,
        "scalibr drops the Bioconductor package; we keep it as pkg:bioconductor",
    ),
];

#[test]
fn every_manifest_file() {
    let manifest = std::fs::read_to_string(root().join("manifest.tsv")).expect("manifest.tsv");
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let file = cols[0];
        let expected: Option<usize> = cols
            .get(8)
            .and_then(|e| e.split(',').next())
            .and_then(|e| e.trim().parse().ok());
        let path = root().join(file);
        let result = palisade_lockfile::parse_file(&path, None);
        if let Some((_, fragment)) = MUST_FAIL.iter().find(|(f, _)| *f == file) {
            match result {
                Ok(l) => failures.push(format!(
                    "{file}: expected an error, got {} packages",
                    l.packages.len()
                )),
                Err(e) => {
                    let msg = e.to_string();
                    if !msg.contains(fragment) {
                        failures.push(format!("{file}: error {msg:?} lacks {fragment:?}"));
                    }
                }
            }
            continue;
        }
        match result {
            Err(e) => failures.push(format!("{file}: {e}")),
            Ok(l) => {
                let n = l.packages.len();
                let c = l.coverage;
                assert_eq!(c.entries, c.parsed + c.skipped, "{file}: coverage adds up");
                report.push(format!(
                    "{file}\t{}\t{n}\t{:?}\tskipped={}",
                    l.format, expected, c.skipped
                ));
                if let Some(exp) = expected {
                    let allowed = DIFFERENCES
                        .iter()
                        .find(|(f, _, _)| *f == file)
                        .map(|(_, n, _)| *n);
                    let want = allowed.unwrap_or(exp);
                    if n != want {
                        failures.push(format!(
                            "{file}: {n} packages, expected {want} (origin says {exp})"
                        ));
                    }
                } else if n == 0 && !EMPTY.iter().any(|(f, _)| *f == file) {
                    failures.push(format!("{file}: no packages"));
                }
            }
        }
    }
    if std::env::var_os("LOCKFILE_REPORT").is_some() {
        eprintln!("{}", report.join("\n"));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
