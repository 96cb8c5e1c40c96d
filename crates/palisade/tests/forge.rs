//! Forge controls in `palisade audit` and `palisade forge export`, against a fake forge
//! on 127.0.0.1 serving recorded GitHub API answers (never the network).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use palisade_testkit::forge::{ForgeServer, Mode};
use palisade_testkit::workspace_root;

const FORGE: [&str; 5] = [
    "source.contribution-policy",
    "source.two-party-review",
    "source.branch-protection",
    "source.mfa",
    "source.ssh-keys",
];

fn answers() -> PathBuf {
    workspace_root().join("crates/palisade-forge/tests/data/github")
}

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1");
    c
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(ok.success(), "git {args:?}");
}

fn repo(remote: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["remote", "add", "origin", remote]);
    std::fs::write(dir.path().join("CONTRIBUTING.md"), "Send pull requests.\n").unwrap();
    dir
}

fn forge_controls(out: &[u8]) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(out).unwrap();
    v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| FORGE.contains(&c["id"].as_str().unwrap()))
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["evidence"].to_string(),
            )
        })
        .collect()
}

fn audit(dir: &Path, args: &[&str]) -> Vec<(String, String, String)> {
    let out = palisade(dir)
        .args(["audit", "--format", "json", "--controls", &FORGE.join(",")])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = forge_controls(&out.stdout);
    assert_eq!(c.len(), 5);
    c
}

#[test]
fn audit_reads_the_forge_with_a_token_and_offline_from_an_export() {
    let server = ForgeServer::start(&answers(), Some("t0ken"), Mode::Normal);
    let d = repo("git@github.com:acme/widget.git");
    // token from the environment, as in CI
    let out = palisade(d.path())
        .env("GITHUB_TOKEN", "t0ken")
        .args(["audit", "--format", "json", "--forge-api", &server.base])
        .output()
        .unwrap();
    assert!(out.status.success());
    let live = forge_controls(&out.stdout);
    for (id, status, ev) in &live {
        assert_eq!(status, "pass", "{id}: {ev}");
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("t0ken"));

    // export once, audit offline later: same verdicts
    let export = tempfile::tempdir().unwrap();
    palisade(d.path())
        .args([
            "forge",
            "export",
            "--github-token",
            "t0ken",
            "--forge-api",
            &server.base,
            "--out",
        ])
        .arg(export.path())
        .assert()
        .success();
    drop(server);
    let offline = audit(d.path(), &["--forge-data", export.path().to_str().unwrap()]);
    assert_eq!(live, offline);
}

#[test]
fn without_forge_access_the_controls_say_so() {
    let d = repo("https://github.com/acme/widget.git");
    for args in [&[][..], &["--offline", "--github-token", "x"][..]] {
        for (id, status, ev) in audit(d.path(), args) {
            if id == "source.contribution-policy" {
                // the CONTRIBUTING file is the local half
                assert_eq!(status, "partial", "{ev}");
            } else {
                assert_eq!(status, "unknown", "{id}");
            }
            assert!(ev.contains("needs forge access"), "{id}: {ev}");
        }
    }
}

#[test]
fn a_failing_forge_and_a_remote_with_a_password_fail() {
    let d = repo("https://solo:hunter2secret@github.com/solo/tool.git");
    let c = audit(d.path(), &["--forge-data", answers().to_str().unwrap()]);
    let get = |id: &str| c.iter().find(|(i, _, _)| i == id).unwrap().clone();
    assert_eq!(get("source.branch-protection").1, "fail");
    assert_eq!(get("source.two-party-review").1, "fail");
    let (_, status, ev) = get("source.ssh-keys");
    assert_eq!(status, "fail");
    assert!(
        ev.contains("embeds a credential: https://***@github.com/solo/tool.git"),
        "{ev}"
    );
    assert!(!ev.contains("hunter2"));
}

#[test]
fn a_bad_token_and_a_rate_limit_are_reported_not_fatal() {
    let server = ForgeServer::start(&answers(), Some("right"), Mode::Normal);
    let d = repo("https://github.com/acme/widget");
    for (id, status, ev) in audit(
        d.path(),
        &["--github-token", "wrong", "--forge-api", &server.base],
    ) {
        if id != "source.contribution-policy" {
            assert_eq!(status, "unknown");
        }
        assert!(ev.contains("HTTP 401: Bad credentials"), "{id}: {ev}");
    }
    let server = ForgeServer::start(&answers(), None, Mode::RateLimited);
    for (id, _, ev) in audit(
        d.path(),
        &["--github-token", "t", "--forge-api", &server.base],
    ) {
        assert!(ev.contains("rate limit is exhausted"), "{id}: {ev}");
    }
    // export with a bad token: a usage/input error naming the reason
    let out = palisade(d.path())
        .args([
            "forge",
            "export",
            "--github-token",
            "wrong",
            "--forge-api",
            "http://127.0.0.1:9",
            "--out",
        ])
        .arg(d.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing exported"));
}

#[test]
fn forge_settings_come_from_palisade_toml() {
    let d = repo("https://example.org/whatever.git");
    std::fs::write(
        d.path().join("palisade.toml"),
        "[forge]\nrepo = \"solo/tool\"\nmin-approvals = 0\n",
    )
    .unwrap();
    let c = audit(d.path(), &["--forge-data", answers().to_str().unwrap()]);
    let (_, status, ev) = c
        .iter()
        .find(|(i, _, _)| i == "source.branch-protection")
        .unwrap();
    assert_eq!(status, "fail", "{ev}");
    std::fs::write(d.path().join("palisade.toml"), "[forge]\nrepos = \"x\"\n").unwrap();
    let out = palisade(d.path()).args(["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("palisade.toml"));
}
