//! History and index scans on gitleaks' small test repositories (`../shared/secrets`):
//! a token added in history and removed on another branch, and a staged change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use palisade_secrets::{Config, git};

/// Copies a fixture repository (its git directory is stored as `dotGit`) to a temp dir.
fn fixture(name: &str, tmp: &Path) -> PathBuf {
    let src = palisade_testkit::shared(&format!("secrets/gitleaks-testdata/repos/{name}"));
    let dst = tmp.join(name);
    copy_dir(&src, &dst);
    std::fs::rename(dst.join("dotGit"), dst.join(".git")).unwrap();
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        let t = e.file_type().unwrap();
        if t.is_dir() {
            copy_dir(&e.path(), &to);
        } else if t.is_file() {
            std::fs::copy(e.path(), &to).unwrap();
            let mut p = std::fs::metadata(&to).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            p.set_readonly(false);
            std::fs::set_permissions(&to, p).unwrap();
        }
    }
}

#[test]
fn small_repo_history_names_the_commits_that_added_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture("small", tmp.path());
    let scanner = Config::default().scanner().unwrap();
    let (f, stats) = git::scan_history(&scanner, &repo, None, 1 << 20, &|_, _, _| {}).unwrap();
    let fs = f.into_sorted();
    let aws = fs
        .iter()
        .find(|f| f.rule == "aws-access-key-id")
        .expect("aws finding");
    assert_eq!(aws.secret, "AKIALALEMEL33243OLIA"); // palisade:allow (gitleaks' fixture)
    let commits: Vec<&str> = aws
        .locations
        .iter()
        .filter_map(|l| l.commit.as_ref().map(|c| &c.id[..7]))
        .collect();
    // main.go in "Accidentally add a secret", foo/foo.go in "adding foo package".
    assert!(commits.contains(&"1b6da43"), "{commits:?}");
    assert!(commits.contains(&"491504d"), "{commits:?}");
    assert!(stats.commits >= 9 && stats.blobs > 0, "{stats:?}");
    // Each distinct blob once: fewer blobs than (commit, path) introductions.
    let introductions: usize = fs.iter().map(|f| f.locations.len()).sum();
    assert!(introductions >= aws.locations.len());
}

#[test]
fn staged_repo_reports_the_staged_change_only() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture("staged", tmp.path());
    let scanner = Config::default().scanner().unwrap();
    let fs = git::scan_staged(&scanner, &repo, 1 << 20, 3)
        .unwrap()
        .0
        .into_sorted();
    assert!(!fs.is_empty());
    for f in &fs {
        for l in &f.locations {
            assert_eq!(l.path, "api/api.go", "{f:?}");
            assert!(l.commit.is_none());
        }
    }
    let aws = fs.iter().find(|f| f.rule == "aws-access-key-id").unwrap();
    assert_eq!(aws.locations.len(), 2, "two copies staged: {aws:?}");
}

/// Archives in history: `nested.tar.gz` is opened in its blob, and its members' secrets
/// are reported under `nested.tar.gz!inner/path` with the commit that added it; at depth
/// 0 the blob is binary and skipped. `main.go.zst` (its own commit) is opened too, and
/// so are the zstd, xz and 7z archives inside `nested.tar.gz`.
#[test]
fn archives_repo_history_opens_the_tar_gz_and_zst_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture("archives", tmp.path());
    let scanner = Config::default().scanner().unwrap();
    let scan = |depth| {
        git::scan_history_archives(&scanner, &repo, None, 1 << 24, depth, &|_, _, _| {})
            .unwrap()
            .0
            .into_sorted()
    };
    let fs = scan(3);
    let paths: Vec<&str> = fs
        .iter()
        .flat_map(|f| f.locations.iter().map(|l| l.path.as_str()))
        .collect();
    for inner in [
        "nested.tar.gz!archives/files.zip!files/main.go",
        "nested.tar.gz!archives/files.tar!files/main.go",
        "nested.tar.gz!archives/files/main.go",
        "nested.tar.gz!archives/files/main.go.gz!main.go",
        "nested.tar.gz!archives/files/main.go.xz!main.go",
        "nested.tar.gz!archives/files/main.go.zst!main.go",
        "nested.tar.gz!archives/files.7z!files/main.go",
        "nested.tar.gz!archives/files.tar.xz!files/main.go",
        "nested.tar.gz!archives/files.tar.zst!files/main.go",
        "main.go.zst!main.go",
    ] {
        assert!(paths.contains(&inner), "{inner} not in {paths:?}");
    }
    let zst = fs
        .iter()
        .flat_map(|f| &f.locations)
        .find(|l| l.path == "main.go.zst!main.go")
        .and_then(|l| l.commit.as_ref())
        .map(|c| c.id.as_str());
    assert_eq!(zst, Some("db8789716fc664dbce0ed2d492570e92abf717a5"));
    assert!(
        fs.iter()
            .flat_map(|f| &f.locations)
            .all(|l| l.commit.is_some())
    );
    let none = scan(0);
    assert!(
        none.iter()
            .flat_map(|f| &f.locations)
            .all(|l| !l.path.contains('!')),
        "{none:?}"
    );
}
