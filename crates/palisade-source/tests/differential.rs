//! Differential test against git on `../shared/fixtures/make-signed-repo.sh`: for every
//! label where git recorded a verdict (`git-verify.txt`, written by git itself when the
//! fixture is built), ours agrees — or differs exactly where Palisade is stricter by
//! design, as each row below explains.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_source::{PolicyFiles, Repo, Verdict, check_commit, check_tag, load_pgp, load_policy};

fn fixture() -> PathBuf {
    palisade_testkit::signed_repo(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

/// git's `%G?` per label, from git-verify.txt.
fn git_verdicts(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("git-verify.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("tag "))
        .filter_map(|l| {
            let mut f = l.split(" | ");
            let label = f.next()?.trim().to_string();
            let g = f.next()?.split('|').next()?.trim().to_string();
            Some((label, g))
        })
        .collect()
}

fn git(repo: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}");
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// Ours, per git letter, with the labels where we are deliberately stricter.
fn expected(label: &str, git: &str) -> Verdict {
    match label {
        // git: U ("Good signature … key has expired … No principal matched"). The key's
        // valid-before (2024-01-31) precedes the committer date (2024-02-05): we name it.
        "05-expired-dave" => Verdict::OutsideValidityWindow,
        // git: U (good signature, no principal). The key is in no policy line.
        "07-unknown-mallory" => Verdict::UnknownKey,
        // git: G — git never compares the principal with the committer. The committer is
        // alice, the key is bob's: we bind the key to the committer's email.
        "10-bob-as-alice" => Verdict::KeyNotAllowedForCommitter,
        // git: B with no reason ("Could not verify signature."): the key is revoked.
        "04-revoked-carol" => Verdict::Revoked,
        _ => match git {
            "G" => Verdict::Good,
            "N" => Verdict::Unsigned,
            "B" => Verdict::BadSignature,
            other => panic!("{label}: git said {other}, no mapping"),
        },
    }
}

#[test]
fn verdicts_agree_with_git_on_every_label() {
    let dir = &fixture();
    let repo_dir = dir.join("repo");
    let repo = Repo::discover(&repo_dir).unwrap();
    let files = PolicyFiles::discover(&repo).unwrap();
    // git config gpg.ssh.allowedSignersFile / revocationFile are found.
    assert_eq!(
        files.signers.as_deref(),
        Some(dir.join("keys/allowed_signers").as_path())
    );
    let mut policy = load_policy(&files).unwrap();
    policy.pgp = Some(load_pgp(&dir.join("keys/grace.pub.asc")).unwrap());
    let verdicts = git_verdicts(dir);
    assert_eq!(verdicts.len(), 25, "{verdicts:?}");
    let mut table = Vec::new();
    for (label, g) in &verdicts {
        let id = git(&repo_dir, &["rev-parse", &format!("fx/{label}^{{commit}}")]);
        let data = git(&repo_dir, &["cat-file", "commit", &id]);
        let raw = repo.object(repo.resolve(&id).unwrap()).unwrap();
        assert_eq!(
            raw.data,
            format!("{data}\n").into_bytes(),
            "{label}: gix read the object as git"
        );
        let item = check_commit(&policy, &id, &raw.data);
        let want = expected(label, g);
        table.push(format!(
            "{label}: git {g}, ours {} ({})",
            item.outcome.verdict, item.outcome.reason
        ));
        assert_eq!(item.outcome.verdict, want, "{label}: {:?}", item.outcome);
    }
    eprintln!("{}", table.join("\n"));
}

#[test]
fn binding_off_matches_git_for_bob_as_alice() {
    let dir = &fixture();
    let repo = Repo::discover(&dir.join("repo")).unwrap();
    let mut policy = load_policy(&PolicyFiles::discover(&repo).unwrap()).unwrap();
    policy.bind_committer = false;
    let id = repo.resolve("fx/10-bob-as-alice").unwrap();
    let item = check_commit(&policy, &id.to_string(), &repo.object(id).unwrap().data);
    assert_eq!(item.outcome.verdict, Verdict::Good);
    assert_eq!(item.outcome.signer.as_deref(), Some("bob@example.com"));
}

#[test]
fn keys_and_signers_match_git_log() {
    // %GS / %GK for good SSH commits: same principal and fingerprint as git.
    let dir = &fixture();
    let repo = Repo::discover(&dir.join("repo")).unwrap();
    let policy = load_policy(&PolicyFiles::discover(&repo).unwrap()).unwrap();
    for label in [
        "01-good-alice",
        "03-good-bob",
        "06-backdated-dave",
        "09-cert-frank",
        "20-merge-with-mergetag",
    ] {
        let line = git(
            &dir.join("repo"),
            &["log", "-1", "--format=%GS|%GK", &format!("fx/{label}")],
        );
        let (gs, gk) = line.split_once('|').unwrap();
        let id = repo.resolve(&format!("fx/{label}")).unwrap();
        let item = check_commit(&policy, &id.to_string(), &repo.object(id).unwrap().data);
        assert_eq!(item.outcome.verdict, Verdict::Good, "{label}");
        assert_eq!(item.outcome.signer.as_deref(), Some(gs), "{label}");
        assert_eq!(item.outcome.key.as_deref(), Some(gk), "{label}");
    }
}

#[test]
fn tags_agree_with_git_verify_tag() {
    let dir = &fixture();
    let repo = Repo::discover(&dir.join("repo")).unwrap();
    let mut policy = load_policy(&PolicyFiles::discover(&repo).unwrap()).unwrap();
    policy.pgp = Some(load_pgp(&dir.join("keys/grace.pub.asc")).unwrap());
    // The range walk finds the same tags with gix.
    let items = palisade_source::verify_range(&repo, None, None, &policy).unwrap();
    let tags: Vec<_> = items.iter().filter_map(|i| i.name.clone()).collect();
    assert!(tags.contains(&"refs/tags/v1.0-gpg".to_string()), "{tags:?}");
    for (tag, want) in [
        ("v1.0", Verdict::Good),
        ("v1.0-unsigned", Verdict::Unsigned),
        ("v1.0-gpg", Verdict::Good),
        ("feature-d-v1", Verdict::Good),
    ] {
        let id = git(&dir.join("repo"), &["rev-parse", tag]);
        let raw = git(&dir.join("repo"), &["cat-file", "tag", &id]);
        let item = check_tag(&policy, &id, tag, format!("{raw}\n").as_bytes());
        assert_eq!(item.outcome.verdict, want, "{tag}: {:?}", item.outcome);
    }
}

#[test]
fn mergetag_of_merge_20_verifies_like_git_verify_tag() {
    let dir = &fixture();
    let repo = Repo::discover(&dir.join("repo")).unwrap();
    let policy = load_policy(&PolicyFiles::discover(&repo).unwrap()).unwrap();
    let id = repo.resolve("fx/20-merge-with-mergetag").unwrap();
    let data = repo.object(id).unwrap().data;
    let tags = palisade_source::object::parse_header(&data).mergetags;
    assert_eq!(tags.len(), 1);
    // The embedded tag is byte for byte the tag object git stored for feature-d-v1.
    let stored = git(&dir.join("repo"), &["cat-file", "tag", "feature-d-v1"]);
    assert_eq!(tags[0], format!("{stored}\n").into_bytes());
    let item = check_tag(&policy, "mergetag", "feature-d-v1", &tags[0]);
    assert_eq!(item.outcome.verdict, Verdict::Good, "{:?}", item.outcome);
    // A tampered mergetag fails full attestation of the merge.
    let mut bad = data.clone();
    let at = bad
        .windows(15)
        .position(|w| w == b"feature-d ready")
        .unwrap();
    bad[at] = b'F';
    let items = vec![check_commit(&policy, "m", &bad)];
    let f = palisade_source::check_merges(&items, "m", &policy, &policy);
    assert!(
        f.iter()
            .any(|m| m.problem.contains("mergetag feature-d-v1")),
        "{f:?}"
    );
}
