//! `palisade hook pre-receive` installed in a bare repository: real `git push`es of good
//! and bad commits from the signed-commit fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    palisade_testkit::signed_repo(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

fn rev(dir: &Path, r: &str) -> String {
    String::from_utf8(git(dir, &["rev-parse", r]).stdout)
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn push_of_bad_commit_is_refused_good_one_accepted() {
    let fx = fixture();
    let src = fx.join("repo");
    let tmp = tempfile::tempdir().unwrap();
    let server = tmp.path().join("server.git");
    assert!(
        git(
            tmp.path(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                server.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let signers = fx.join("keys/allowed_signers");
    let revoked = fx.join("keys/revoked_keys");
    git(
        &server,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            signers.to_str().unwrap(),
        ],
    );
    git(
        &server,
        &[
            "config",
            "gpg.ssh.revocationFile",
            revoked.to_str().unwrap(),
        ],
    );
    let bin = assert_cmd::cargo::cargo_bin("palisade");
    let hook = server.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{}' hook pre-receive --protect 'refs/heads/main'\n",
            bin.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let url = server.to_str().unwrap();
    let push = |spec: &str| git(&src, &["push", "-q", url, spec]);

    // 01 is signed by alice: accepted.
    let ok = push("fx/01-good-alice^{commit}:refs/heads/main");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(rev(&server, "main"), rev(&src, "fx/01-good-alice"));

    // 03 brings the unsigned 02 with it: refused, and main does not move.
    let bad = push("fx/03-good-bob^{commit}:refs/heads/main");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(err.contains("palisade: refusing refs/heads/main"), "{err}");
    assert!(err.contains(&rev(&src, "fx/02-unsigned")), "{err}");
    assert!(err.contains("unsigned"), "{err}");
    assert_eq!(rev(&server, "main"), rev(&src, "fx/01-good-alice"));

    // bob signing as alice is refused (git itself would accept it).
    let b = push("fx/10-bob-as-alice^{commit}:refs/heads/main");
    assert!(!b.status.success());

    // An unprotected ref takes anything.
    let scratch = push("fx/03-good-bob^{commit}:refs/heads/scratch");
    assert!(
        scratch.status.success(),
        "{}",
        String::from_utf8_lossy(&scratch.stderr)
    );

    // Deleting the protected ref is refused.
    let del = push(":refs/heads/main");
    assert!(!del.status.success());
    assert!(String::from_utf8_lossy(&del.stderr).contains("deleting a protected ref"));
}

#[test]
fn malformed_hook_input_exits_2() {
    let fx = fixture();
    let out = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(fx.join("repo"))
        .args(["hook", "pre-receive"])
        .write_stdin("not a ref update\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn without_quarantine_the_range_old_new_is_checked() {
    // Run by hand (no GIT_QUARANTINE_PATH): the commits between old and new are read
    // from the repository itself.
    let fx = fixture();
    let repo = fx.join("repo");
    let run_with = |old: &str, new: &str, extra: &[&str]| {
        assert_cmd::Command::cargo_bin("palisade")
            .unwrap()
            .current_dir(&repo)
            .env_remove("GIT_QUARANTINE_PATH")
            .args(["hook", "pre-receive", "--protect", "refs/heads/*"])
            .args(extra)
            .write_stdin(format!("{old} {new} refs/heads/main\n"))
            .output()
            .unwrap()
    };
    let run = |old: &str, new: &str| run_with(old, new, &[]);
    let (c01, c02, c03) = (
        rev(&repo, "fx/01-good-alice"),
        rev(&repo, "fx/02-unsigned"),
        rev(&repo, "fx/03-good-bob"),
    );
    let out = run(&c01, &c03);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&c02));
    let out = run(&c02, &c03);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A deny-listed file added by a good commit is refused all the same.
    let out = run_with(&c02, &c03, &["--deny-file", "/03-*.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("adds deny-listed file 03-good-bob.txt"));
    let out = run_with(&c02, &c03, &["--deny-file", "*.pem"]);
    assert_eq!(out.status.code(), Some(0));
}
