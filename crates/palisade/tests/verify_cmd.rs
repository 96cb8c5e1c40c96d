//! `palisade verify commits` on the signed-commit fixture (`make-signed-repo.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture() -> PathBuf {
    palisade_testkit::signed_repo(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn rev(repo: &Path, r: &str) -> String {
    let o = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", r])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// Runs `palisade verify commits ARGS --format json` in `repo`, expecting `code`.
fn verify_json(repo: &Path, args: &[&std::ffi::OsStr], code: i32) -> (Vec<u8>, serde_json::Value) {
    let out = palisade(repo)
        .args(["verify", "commits"])
        .args(args)
        .args(["--format", "json"])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    let doc = serde_json::from_slice(&out).unwrap();
    (out, doc)
}

fn verdict_of<'a>(doc: &'a serde_json::Value, id: &str) -> &'a str {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["commit"] == id)
        .unwrap_or_else(|| panic!("{id} not in the results"))["verdict"]
        .as_str()
        .unwrap()
}

#[test]
fn whole_history_with_git_config_policy_fails_and_names_each_verdict() {
    let fx = fixture();
    let repo = fx.join("repo");
    let ring = fx.join("keys/grace.pub.asc");
    let args = ["--pgp-keys".as_ref(), ring.as_os_str()];
    let (out, doc) = verify_json(&repo, &args, 1);
    assert_eq!(doc["ok"], false);
    for (label, want) in [
        ("fx/01-good-alice", "good"),
        ("fx/02-unsigned", "unsigned"),
        ("fx/04-revoked-carol", "revoked"),
        ("fx/05-expired-dave", "outside-validity-window"),
        ("fx/07-unknown-mallory", "unknown-key"),
        ("fx/09-cert-frank", "good"),
        ("fx/10-bob-as-alice", "key-not-allowed-for-committer"),
        ("fx/11-gpg-grace", "good"),
    ] {
        assert_eq!(verdict_of(&doc, &rev(&repo, label)), want, "{label}");
    }
    // Annotated tags are reported too, by tag object id.
    assert_eq!(verdict_of(&doc, &rev(&repo, "v1.0")), "good");
    assert_eq!(verdict_of(&doc, &rev(&repo, "v1.0-unsigned")), "unsigned");
    assert_eq!(verdict_of(&doc, &rev(&repo, "v1.0-gpg")), "good");
    // Same bytes on a second run.
    let (again, _) = verify_json(&repo, &args, 1);
    assert_eq!(again, out);
}

#[test]
fn a_good_range_passes_and_openpgp_without_keyring_is_unsupported() {
    let fx = fixture();
    let repo = fx.join("repo");
    palisade(&repo)
        .args([
            "verify",
            "commits",
            "fx/11-gpg-grace..fx/13-feature-a2",
            "--signers",
        ])
        .arg(fx.join("keys/allowed_signers"))
        .assert()
        .success();
    palisade(&repo)
        .args(["verify", "commits", "fx/10-bob-as-alice..fx/11-gpg-grace"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unsupported"));
    // --no-bind-committer: git's own answer for bob signing as alice.
    palisade(&repo)
        .args([
            "verify",
            "commits",
            "fx/09-cert-frank..fx/10-bob-as-alice",
            "--no-bind-committer",
        ])
        .assert()
        .success();
    palisade(&repo)
        .args([
            "verify",
            "commits",
            "--since",
            "fx/12-feature-a1",
            "fx/13-feature-a2",
        ])
        .assert()
        .success();
}

#[test]
fn full_attestation_fails_merges_16_and_23() {
    let fx = fixture();
    let repo = fx.join("repo");
    let dir = tempfile::tempdir().unwrap();
    let mergers = dir.path().join("mergers");
    // Only alice merges.
    let signers = std::fs::read_to_string(fx.join("keys/allowed_signers")).unwrap();
    let alice: String = signers
        .lines()
        .filter(|l| l.starts_with("alice@"))
        .collect();
    std::fs::write(&mergers, format!("{alice}\n")).unwrap();
    let ring = fx.join("keys/grace.pub.asc");
    let args = [
        "--pgp-keys".as_ref(),
        ring.as_os_str(),
        "--require-signed-merges".as_ref(),
        "--mergers".as_ref(),
        mergers.as_os_str(),
    ];
    let (_, doc) = verify_json(&repo, &args, 1);
    let merges: Vec<&str> = doc["merges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["merge"].as_str().unwrap())
        .collect();
    let m16 = rev(&repo, "fx/16-signed-merge-of-unsigned");
    let m23 = rev(&repo, "fx/23-verified-merge-hiding-unsigned");
    let m18 = rev(&repo, "fx/18-unsigned-merge");
    assert!(merges.contains(&m16.as_str()), "{merges:?}");
    assert!(merges.contains(&m23.as_str()), "{merges:?}");
    assert!(merges.contains(&m18.as_str()), "{merges:?}");
    assert!(!merges.contains(&rev(&repo, "fx/14-signed-merge-verified").as_str()));
    assert!(!merges.contains(&rev(&repo, "fx/20-merge-with-mergetag").as_str()));
    let f23 = doc["merges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["merge"] == m23.as_str())
        .unwrap();
    assert_eq!(
        f23["unverified"][0],
        rev(&repo, "fx/21-feature-e-unsigned-middle")
    );
}

#[test]
fn input_errors_exit_2() {
    let fx = fixture();
    let repo = fx.join("repo");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad_signers");
    std::fs::write(&bad, "alice@example.com ssh-ed25519 not-base64!\n").unwrap();
    palisade(&repo)
        .args(["verify", "commits", "--signers"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad_signers").and(predicate::str::contains("line 1")));
    palisade(&repo)
        .args(["verify", "commits", "no-such-rev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rev"));
    // No policy anywhere.
    let empty = tempfile::tempdir().unwrap();
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(empty.path())
        .status()
        .unwrap();
    palisade(empty.path())
        .args(["verify", "commits"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .assert()
        .code(2);
    palisade(&repo)
        .args(["verify", "commits", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}
