//! `palisade audit` source controls (signed commits and merges, key rotation,
//! CODEOWNERS) on a clone of the signed-commit fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;

fn control<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn audit_json(dir: &Path) -> serde_json::Value {
    let out = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .args(["audit", "--format", "json"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
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
fn source_controls_from_the_signed_fixture() {
    let fx = palisade_testkit::signed_repo(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("r");
    let ok = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(fx.join("repo"))
        .arg(&d)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(ok.success());
    // A clone has none of the fixture's git config: no policy yet.
    let j = audit_json(&d);
    assert_eq!(control(&j, "source.signed-commits")["status"], "fail");
    assert_eq!(control(&j, "source.codeowners")["status"], "fail");

    let signers = std::fs::read_to_string(fx.join("keys/allowed_signers")).unwrap();
    std::fs::create_dir_all(d.join(".palisade")).unwrap();
    std::fs::write(d.join(".palisade/allowed_signers"), &signers).unwrap();
    std::fs::copy(
        fx.join("keys/revoked_keys"),
        d.join(".palisade/revoked_keys"),
    )
    .unwrap();
    std::fs::copy(
        fx.join("keys/grace.pub.asc"),
        d.join(".palisade/pgp-keys.asc"),
    )
    .unwrap();
    let alice: String = signers
        .lines()
        .filter(|l| l.starts_with("alice@"))
        .collect();
    std::fs::write(d.join(".palisade/mergers"), format!("{alice}\n")).unwrap();
    std::fs::create_dir_all(d.join(".github")).unwrap();
    std::fs::write(d.join(".github/CODEOWNERS"), "* @org/maintainers\n").unwrap();

    let j = audit_json(&d);
    let c = control(&j, "source.signed-commits");
    assert_eq!(c["status"], "partial", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("of 27 commits"),
        "{c}"
    );
    let m = control(&j, "source.signed-merges");
    assert_eq!(m["status"], "fail", "{m}");
    let merges = m["evidence"].to_string();
    for label in [
        "16-signed-merge-of-unsigned",
        "23-verified-merge-hiding-unsigned",
    ] {
        let id = std::process::Command::new("git")
            .arg("-C")
            .arg(fx.join("repo"))
            .args(["rev-parse", &format!("fx/{label}")])
            .output()
            .unwrap();
        let id = String::from_utf8(id.stdout).unwrap();
        assert!(merges.contains(id.trim()), "{label} not in {merges}");
    }
    assert_eq!(control(&j, "source.key-rotation")["status"], "partial");
    assert_eq!(control(&j, "source.codeowners")["status"], "pass");
}
