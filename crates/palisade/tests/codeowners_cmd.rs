//! `palisade codeowners check` on a repository the test builds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap();
    assert!(ok.success(), "git {args:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir);
    c
}

#[test]
fn lint_unowned_and_diff_approvers() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "src/lib.rs", "1");
    write(d, "docs/a.md", "1");
    write(d, "ci/build.sh", "1");
    write(
        d,
        ".github/CODEOWNERS",
        "# owners\n/src/ @org/core\ndocs/* docs@example.com\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "one"]);
    palisade(d).args(["codeowners", "check"]).assert().success();
    // ci/ is required to have an owner and has none.
    palisade(d)
        .args(["codeowners", "check", "--require-owner", "ci/"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unowned ci/build.sh"));
    // A negation line and a rule that matches nothing.
    write(
        d,
        ".github/CODEOWNERS",
        "/src/ @org/core\n!docs/x @a\n/nothing/ @b\n",
    );
    let out = palisade(d)
        .args(["codeowners", "check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let kinds: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["invalid-line", "matches-nothing"]);
    assert_eq!(j["findings"][0]["line"], 2);
    // --diff: who approves each changed file.
    write(d, ".github/CODEOWNERS", "* @all\n/src/ @org/core\n");
    write(d, "src/lib.rs", "2");
    write(d, "src/new/mod.rs", "2");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "two"]);
    let out = palisade(d)
        .args([
            "codeowners",
            "check",
            "--diff",
            "HEAD~1..HEAD",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let got: Vec<(String, String)> = j["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_string(),
                a["owners"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (".github/CODEOWNERS".to_string(), "@all".to_string()),
            ("src/lib.rs".to_string(), "@org/core".to_string()),
            ("src/new/mod.rs".to_string(), "@org/core".to_string()),
        ]
    );
    // No CODEOWNERS at all: exit 1; --help has examples.
    let empty = tempfile::tempdir().unwrap();
    palisade(empty.path())
        .args(["codeowners", "check"])
        .assert()
        .code(1);
    palisade(d)
        .args(["codeowners", "check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}
