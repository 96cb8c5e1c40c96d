//! `palisade audit`, control `source.no-secrets`: pass with a clean tree and a hook,
//! fail with evidence (path, line, rule; never the secret) when the tree holds one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn audit(dir: &Path) -> serde_json::Value {
    let out = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .args([
            "audit",
            "--format",
            "json",
            "--controls",
            "source.no-secrets",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn no_secrets_control_pass_partial_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(d)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(d.join("main.py"), "print('hello')\n").unwrap();
    let c = &audit(d)["controls"][0];
    assert_eq!(c["id"], "source.no-secrets");
    assert_eq!(c["status"], "partial", "{c:#}");

    std::fs::write(
        d.join(".pre-commit-config.yaml"),
        "repos:\n- repo: local\n  hooks:\n  - id: palisade-secrets\n    name: secrets\n    entry: palisade secrets scan --staged\n    language: system\n",
    )
    .unwrap();
    let c = &audit(d)["controls"][0];
    assert_eq!(c["status"], "pass", "{c:#}");

    let token = format!("{}_{}", "ghp", "R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo");
    std::fs::write(
        d.join("deploy.sh"),
        format!("#!/bin/sh\n\nexport T={token}\n"),
    )
    .unwrap();
    let report = audit(d);
    let c = &report["controls"][0];
    assert_eq!(c["status"], "fail", "{c:#}");
    let ev = c["evidence"].as_array().unwrap();
    assert!(
        ev.iter().any(|e| e["location"]["path"] == "deploy.sh"
            && e["location"]["line"] == 3
            && e["message"].as_str().unwrap().contains("github-pat")),
        "{c:#}"
    );
    assert!(
        !report.to_string().contains(&token),
        "the secret never appears"
    );
}
