//! The whole `../shared/workflows` corpus (real workflows and actions of 45 projects):
//! every file read, none unparsable, findings per rule printed.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use palisade_ci::{Kind, Options, audit, counts, discover};

fn corpus() -> Vec<PathBuf> {
    let root = palisade_testkit::shared("workflows");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_shared_workflow_is_read_and_audited() {
    let files = corpus();
    assert!(
        files.len() >= 700,
        "the corpus has 724 YAML files, found {}",
        files.len()
    );
    let found = discover(&files).unwrap();
    assert_eq!(found.len(), files.len(), "explicit files are all taken");
    let kinds = |k: Kind| found.iter().filter(|(_, x)| *x == k).count();
    assert_eq!(kinds(Kind::Action), 66);
    assert_eq!(kinds(Kind::Dependabot), 31);
    assert_eq!(kinds(Kind::Workflow), 627);
    let report = audit(&found, &Options::default());
    assert!(report.errors.is_empty(), "unparsable: {:#?}", report.errors);
    assert_eq!(report.files.len(), files.len());
    let per_rule = counts(&report);
    eprintln!(
        "findings per rule over ../shared/workflows ({} files):",
        files.len()
    );
    for (rule, n) in &per_rule {
        eprintln!("  {rule:<26} {n}");
    }
    // real projects: mutable tags, checkouts keeping the token, privileged triggers
    for rule in [
        "unpinned-uses",
        "artipacked",
        "template-injection",
        "dangerous-triggers",
        "cache-poisoning",
        "missing-permissions",
    ] {
        assert!(
            per_rule.get(rule).copied().unwrap_or(0) > 0,
            "no {rule} finding at all"
        );
    }
    // every finding names a real place of its file
    for f in &report.findings {
        let text = std::fs::read_to_string(&f.file).unwrap();
        let lines = text.lines().count();
        assert!(f.line >= 1 && f.line <= lines.max(1), "{f:?}");
        assert!(f.column >= 1);
    }
    // deterministic
    assert_eq!(audit(&found, &Options::default()), report);
}
