//! `palisade audit` on repositories the test builds, one per control state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use palisade_testkit::{peer_python, workspace_root};
use predicates::prelude::*;

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir)
        .env_remove("PALISADE_PASSPHRASE")
        .env("NO_COLOR", "1");
    c
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::write(dir.path().join("app.bin"), "release").unwrap();
    dir
}

fn control<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn audit_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = palisade(dir)
        .args(["audit", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn attestation_control_in_each_state() {
    let r = repo();
    let d = r.path();
    // no bundle: fail, and a requirement turns it into exit 1
    let j = audit_json(d, &[]);
    assert_eq!(control(&j, "artefacts.sign-every-step")["status"], "fail");
    assert_eq!(control(&j, "source.signed-commits")["status"], "unknown");
    assert!(
        control(&j, "source.signed-commits")["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not checked by this version")
    );
    assert_eq!(
        control(&j, "build.orchestration-platform")["status"],
        "manual"
    );
    palisade(d)
        .args(["audit", "--require", "artefacts.sign-every-step", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("artefacts.sign-every-step"));

    // a signed bundle, no trusted key: partial
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "release", "-q",
        ])
        .assert()
        .success();
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "other", "-q",
        ])
        .assert()
        .success();
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.bin",
            "--predicate-type",
            "https://example.com/review/v1",
            "--predicate",
            "{}",
            "--key",
            "release",
            "--bundle",
            "app.intoto.jsonl",
            "-q",
        ])
        .assert()
        .success();
    let j = audit_json(d, &[]);
    assert_eq!(
        control(&j, "artefacts.sign-every-step")["status"],
        "partial"
    );
    // the trusted key: pass, with the bundle line as evidence
    let j = audit_json(d, &["--key", "release.pub"]);
    let c = control(&j, "artefacts.sign-every-step");
    assert_eq!(c["status"], "pass");
    assert_eq!(c["evidence"][0]["location"]["path"], "app.intoto.jsonl");
    assert_eq!(c["evidence"][0]["location"]["line"], 1);
    // another key: fail
    let j = audit_json(d, &["--key", "other.pub"]);
    assert_eq!(control(&j, "artefacts.sign-every-step")["status"], "fail");
    // policy in palisade.toml
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"artefacts.sign-every-step\"]\nkeys = [\"release.pub\"]\n",
    )
    .unwrap();
    palisade(d).args(["audit", "-q"]).assert().success();
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"artefacts.sign-every-step\"]\nkeys = [\"other.pub\"]\n",
    )
    .unwrap();
    palisade(d).args(["audit", "-q"]).assert().code(1);
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"no.such-control\"]\n",
    )
    .unwrap();
    palisade(d)
        .args(["audit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown control"));
    std::fs::write(d.join("palisade.toml"), "[audit\n").unwrap();
    palisade(d)
        .args(["audit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("palisade.toml"));
}

#[test]
fn every_format_renders_and_json_is_deterministic_and_valid() {
    let r = repo();
    let d = r.path();
    let a = palisade(d)
        .args(["audit", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    let b = palisade(d)
        .args(["audit", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(a, b);
    let j: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(j["schema_version"], "1");
    assert!(j["controls"].as_array().unwrap().len() >= 45);
    // the published schema accepts it (checked by Python jsonschema, an independent validator)
    std::fs::write(d.join("report.json"), &a).unwrap();
    let schema = workspace_root().join("crates/palisade-report/schema/report.schema.json");
    let check = "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')";
    let out = std::process::Command::new(peer_python())
        .args(["-c", check])
        .arg(d.join("report.json"))
        .arg(&schema)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // and refuses a broken one (so the check above can fail)
    let mut broken = j.clone();
    broken["controls"][0]["status"] = "maybe".into();
    std::fs::write(d.join("broken.json"), broken.to_string()).unwrap();
    let out = std::process::Command::new(peer_python())
        .args(["-c", check])
        .arg(d.join("broken.json"))
        .arg(&schema)
        .output()
        .unwrap();
    assert!(!out.status.success());

    let sarif: serde_json::Value = serde_json::from_slice(
        &palisade(d)
            .args(["audit", "--format", "sarif"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "artefacts.sign-every-step" && r["level"] == "error")
    );
    let md = String::from_utf8(
        palisade(d)
            .args(["audit", "--format", "markdown"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(md.contains("| phase | pass | fail |") && md.contains("## Artefacts"));
    palisade(d)
        .args(["audit", "--format", "html", "--out", "audit.html", "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(d.join("audit.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("id=\"status-chart\""));
    // self-contained: nothing to fetch
    assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"));
    let table = String::from_utf8(palisade(d).args(["audit"]).output().unwrap().stdout).unwrap();
    assert!(table.contains("Artefacts (") && table.contains("fix: palisade attest"));
    assert!(!table.contains('\x1b'), "no colour when piped");
}

#[test]
fn subsets_and_listing() {
    let r = repo();
    let j = audit_json(r.path(), &["--controls", "source.no-secrets,artefacts.tuf"]);
    assert_eq!(j["controls"].as_array().unwrap().len(), 2);
    palisade(r.path())
        .args(["audit", "--controls", "nope"])
        .assert()
        .code(2);
    palisade(r.path())
        .args(["audit", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deployment.freshness"));
    palisade(r.path())
        .args(["audit", "does/not/exist"])
        .assert()
        .code(2);
}
