//! `palisade secrets`: tree scans (plain directory and repository), output formats,
//! baselines, history (added then removed, two branches, packed and loose objects,
//! renames, --since), --staged (archives included), the pre-commit hook and a real
//! `git push` through the pre-receive hook (a secret in a file, in a pushed .tar.gz, a
//! deny-listed path).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Test tokens are assembled at run time so that this file holds no secret itself.
fn gh_token(tail: &str) -> String {
    format!("{}_{}", "ghp", tail)
}
const TAIL1: &str = "R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo";
const TAIL2: &str = "Zp3Lk8Qw2Mx7Nc4Vb9Hj6Gf1Ds5Ar0Te8YuI";
const TAIL3: &str = "Hq4Wn9Ke2Rt7Yp3Ux8Ia5Sd1Fg6Jl0Zc2Vb7";

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ann Author")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann Author")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
        .output()
        .unwrap()
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn init_repo(dir: &Path) {
    git_ok(dir, &["init", "-q", "-b", "main"]);
}

fn commit_all(dir: &Path, msg: &str) -> String {
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", msg]);
    git_ok(dir, &["rev-parse", "HEAD"])
}

fn palisade(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(args)
        .output()
        .unwrap()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// A zip holding `files`.
fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A gzip-compressed tar holding `files`.
fn tar_gz_of(files: &[(&str, &str)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut t = tar::Builder::new(gz);
    for (name, text) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        t.append_data(&mut h, name, text.as_bytes()).unwrap();
    }
    t.into_inner().unwrap().finish().unwrap()
}

fn rules_found(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plain_directory_scan_formats_and_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let t1 = gh_token(TAIL1);
    // Hidden file: scanned in a plain directory.
    std::fs::write(d.join(".env"), format!("GITHUB_TOKEN={t1}\n")).unwrap();
    // sops-encrypted value: not reported.
    std::fs::write(
        d.join("secrets.enc.yaml"),
        "db_password: ENC[AES256_GCM,data:Tr7o1Ne2PZ9kq1,iv:8Zb1y3Qw==,tag:Pq==,type:str]\n",
    )
    .unwrap();
    // Inline ignore.
    std::fs::write(
        d.join("fixture.py"),
        format!("TOKEN = \"{}\"  # palisade:allow\n", gh_token(TAIL2)),
    )
    .unwrap();
    // Binary and oversized files: skipped.
    let mut bin = b"\x00\x01\x02".to_vec();
    bin.extend_from_slice(gh_token(TAIL3).as_bytes());
    std::fs::write(d.join("blob.bin"), bin).unwrap();
    std::fs::write(
        d.join("big.txt"),
        format!("{}\n{}", "x".repeat(5000), gh_token(TAIL3)),
    )
    .unwrap();

    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--format",
            "json",
            "--max-file-size",
            "4K",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_of(&o);
    assert_eq!(rules_found(&v), ["github-pat"], "{v:#}");
    let f = &v["findings"][0];
    assert_eq!(f["locations"][0]["path"], ".env");
    assert_eq!(f["locations"][0]["line"], 1);
    assert_eq!(f["locations"][0]["column"], 14);
    assert_ne!(f["secret"], t1.as_str(), "redacted by default");
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);

    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--format",
            "json",
            "--show-secrets",
            "--max-file-size",
            "4K",
        ],
    );
    assert_eq!(json_of(&o)["findings"][0]["secret"], t1.as_str());

    // Without the size limit the big file is scanned too.
    let o = palisade(d, &["secrets", "scan", "--format", "json"]);
    assert_eq!(json_of(&o)["findings"].as_array().unwrap().len(), 2);

    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--format",
            "jsonl",
            "--max-file-size",
            "4K",
        ],
    );
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let l: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(l["path"], ".env");

    let o = palisade(d, &["secrets", "scan", "--max-file-size", "4K"]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("github-pat") && table.contains(".env:1:14"),
        "{table}"
    );
    assert!(!table.contains(&t1), "{table}");

    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--format",
            "sarif",
            "--max-file-size",
            "4K",
        ],
    );
    let sarif = d.join("out.sarif");
    std::fs::write(&sarif, &o.stdout).unwrap();
    palisade_testkit::sarif_check(&sarif).unwrap();
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["runs"][0]["results"][0]["ruleId"], "github-pat");
    assert!(!String::from_utf8_lossy(&o.stdout).contains(&t1));
    // A broken document is refused by the checker (the check can fail).
    std::fs::write(&sarif, r#"{"version":"2.1.0","runs":[{"tool":{}}]}"#).unwrap();
    assert!(palisade_testkit::sarif_check(&sarif).is_err());
}

#[test]
fn repository_scan_honours_gitignore_and_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    std::fs::write(d.join(".gitignore"), "local.env\n").unwrap();
    std::fs::write(d.join("local.env"), format!("T={}\n", gh_token(TAIL1))).unwrap();
    std::fs::write(d.join("app.cfg"), "name = demo\n").unwrap();
    commit_all(d, "init");
    let o = palisade(d, &["secrets", "scan", "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // From a subdirectory, the root's .gitignore still applies.
    std::fs::write(d.join(".gitignore"), "local.env\nsub/local.env\n").unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(d.join("sub/local.env"), format!("T={}\n", gh_token(TAIL1))).unwrap();
    let o = palisade(&d.join("sub"), &["secrets", "scan", "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // A committed secret: found; a baseline accepts it; a new one is still reported.
    std::fs::write(d.join("app.cfg"), format!("token = {}\n", gh_token(TAIL2))).unwrap();
    assert_eq!(palisade(d, &["secrets", "scan"]).status.code(), Some(1));
    let b = palisade(d, &["secrets", "baseline"]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let text = std::fs::read_to_string(d.join(".palisade/secrets-baseline.json")).unwrap();
    assert!(!text.contains(TAIL2), "no secret in the baseline");
    assert_eq!(palisade(d, &["secrets", "scan"]).status.code(), Some(0));
    std::fs::write(
        d.join("app.cfg"),
        format!(
            "token = {}\n\n\nother = {}\n",
            gh_token(TAIL2),
            gh_token(TAIL3)
        ),
    )
    .unwrap();
    let o = palisade(d, &["secrets", "scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["locations"][0]["line"], 4);
    // The accepted secret removed: its baseline entry is reported stale.
    std::fs::write(d.join("app.cfg"), "name = demo\n").unwrap();
    let o = palisade(d, &["secrets", "scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_of(&o)["stale_baseline"].as_array().unwrap().len(), 1);

    // palisade.toml can disable a rule; an unknown rule id is a usage error.
    std::fs::write(d.join("app.cfg"), format!("token = {}\n", gh_token(TAIL3))).unwrap();
    std::fs::write(
        d.join("palisade.toml"),
        "[secrets]\ndisable = [\"github-pat\", \"generic-secret-config\"]\n",
    )
    .unwrap();
    assert_eq!(palisade(d, &["secrets", "scan"]).status.code(), Some(0));
    std::fs::write(d.join("palisade.toml"), "[secrets]\ndisable = [\"nope\"]\n").unwrap();
    assert_eq!(palisade(d, &["secrets", "scan"]).status.code(), Some(2));
}

#[test]
fn history_scan_finds_removed_secrets_once_per_blob() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    std::fs::write(d.join("README"), "hello\n").unwrap();
    commit_all(d, "init");
    // Added then removed.
    std::fs::write(
        d.join("config.txt"),
        format!("token: {}\n", gh_token(TAIL1)),
    )
    .unwrap();
    let added = commit_all(d, "add config");
    // Renamed (same blob at a new path), then removed.
    git_ok(d, &["mv", "config.txt", "settings.txt"]);
    let renamed = commit_all(d, "rename");
    std::fs::remove_file(d.join("settings.txt")).unwrap();
    commit_all(d, "remove secret");
    // The same content on another branch, at another path.
    git_ok(
        d,
        &["checkout", "-q", "-b", "feature", &format!("{added}^")],
    );
    std::fs::write(d.join("copy.txt"), format!("token: {}\n", gh_token(TAIL1))).unwrap();
    let branch = commit_all(d, "same blob elsewhere");
    git_ok(d, &["checkout", "-q", "main"]);
    // Pack everything, then one more loose commit with another secret.
    git_ok(d, &["gc", "-q"]);
    assert!(d.join(".git/objects/pack").read_dir().unwrap().count() > 0);
    std::fs::write(d.join("late.txt"), format!("x = {}\n", gh_token(TAIL2))).unwrap();
    let late = commit_all(d, "late");

    // The working tree has only the late one.
    let o = palisade(d, &["secrets", "scan", "--format", "json"]);
    assert_eq!(json_of(&o)["findings"].as_array().unwrap().len(), 1);

    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--history",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_of(&o);
    let fs = v["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 2, "{v:#}");
    let first = fs
        .iter()
        .find(|f| f["secret"] == gh_token(TAIL1).as_str())
        .unwrap();
    let locs: Vec<(String, String)> = first["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["commit"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        locs.contains(&("config.txt".into(), added.clone())),
        "{locs:?}"
    );
    assert!(
        locs.contains(&("settings.txt".into(), renamed.clone())),
        "{locs:?}"
    );
    assert!(
        locs.contains(&("copy.txt".into(), branch.clone())),
        "{locs:?}"
    );
    assert_eq!(locs.len(), 3, "{locs:?}");
    let l0 = &first["locations"][0];
    assert_eq!(l0["author"], "Ann Author <ann@example.com>");
    assert_eq!(l0["date"], "2024-01-02T03:04:05Z");
    let second = fs
        .iter()
        .find(|f| f["secret"] == gh_token(TAIL2).as_str())
        .unwrap();
    assert_eq!(second["locations"][0]["commit"], late.as_str());
    let err = String::from_utf8_lossy(&o.stderr);
    // 6 commits; blobs: README, config (one blob, three paths), late.txt, and no more.
    assert!(err.contains("scanned 6 commits, 3 distinct blobs"), "{err}");

    // --since REV: commits of any ref not reachable from REV (the late one on main, and
    // the feature branch, which main~1 does not contain).
    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--history",
            "--since",
            "main~1",
            "--format",
            "json",
        ],
    );
    let v = json_of(&o);
    let mut paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap())
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["copy.txt", "late.txt"], "{v:#}");
    let o = palisade(
        d,
        &[
            "secrets",
            "scan",
            "--history",
            "--since",
            &format!("{added}..{renamed}"),
            "--format",
            "json",
        ],
    );
    let v = json_of(&o);
    assert_eq!(
        v["findings"][0]["locations"].as_array().unwrap().len(),
        1,
        "{v:#}"
    );
    assert_eq!(v["findings"][0]["locations"][0]["path"], "settings.txt");

    let o = palisade(d, &["secrets", "scan", "--history", "--format", "sarif"]);
    let sarif = d.join("h.sarif");
    std::fs::write(&sarif, &o.stdout).unwrap();
    palisade_testkit::sarif_check(&sarif).unwrap();
}

#[test]
fn staged_scan_and_pre_commit_hook() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    std::fs::write(d.join("a.txt"), "nothing\n").unwrap();
    commit_all(d, "init");
    // Only in the working tree: not staged, not reported.
    std::fs::write(d.join("a.txt"), format!("t = {}\n", gh_token(TAIL1))).unwrap();
    assert_eq!(
        palisade(d, &["secrets", "scan", "--staged"]).status.code(),
        Some(0)
    );
    // Staged: reported, at the staged path.
    std::fs::write(d.join("b.txt"), format!("\nt = {}\n", gh_token(TAIL2))).unwrap();
    git_ok(d, &["add", "b.txt"]);
    let o = palisade(d, &["secrets", "scan", "--staged", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["findings"][0]["locations"][0]["path"], "b.txt");
    assert_eq!(v["findings"][0]["locations"][0]["line"], 2);

    // A staged archive is opened as in the other scans: the member is named.
    git_ok(d, &["reset", "-q", "b.txt"]);
    let z = zip_of(&[
        ("conf/readme.md", "nothing here\n"),
        ("conf/app.env", &format!("A=1\nTOKEN={}\n", gh_token(TAIL3))),
    ]);
    std::fs::write(d.join("keys.zip"), z).unwrap();
    git_ok(d, &["add", "keys.zip"]);
    let o = palisade(d, &["secrets", "scan", "--staged", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_of(&o);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["findings"][0]["rule"], "github-pat");
    assert_eq!(
        v["findings"][0]["locations"][0]["path"],
        "keys.zip!conf/app.env"
    );
    assert_eq!(v["findings"][0]["locations"][0]["line"], 2);
    // Depth 0: the archive is a binary blob, skipped.
    let o = palisade(
        d,
        &["secrets", "scan", "--staged", "--max-archive-depth", "0"],
    );
    assert_eq!(o.status.code(), Some(0));
    git_ok(d, &["reset", "-q", "keys.zip"]);
    std::fs::remove_file(d.join("keys.zip")).unwrap();
    git_ok(d, &["add", "b.txt"]);

    // The installed hook refuses the commit.
    let o = palisade(d, &["secrets", "hook", "install"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join(".git/hooks/pre-commit").is_file());
    let bin_dir = assert_cmd::cargo::cargo_bin("palisade")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = |d: &Path| {
        Command::new("git")
            .arg("-C")
            .arg(d)
            .args(["commit", "-q", "-m", "x"])
            .env("PATH", &path)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "a")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "a")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .output()
            .unwrap()
    };
    let o = commit(d);
    assert!(!o.status.success(), "the hook must refuse");
    git_ok(d, &["reset", "-q", "b.txt"]);
    std::fs::write(d.join("c.txt"), "fine\n").unwrap();
    git_ok(d, &["add", "c.txt"]);
    let o = commit(d);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A second install does not clobber silently.
    std::fs::write(d.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    assert_eq!(
        palisade(d, &["secrets", "hook", "install"]).status.code(),
        Some(2)
    );
}

#[test]
fn pre_receive_refuses_secret_and_denied_paths_accepts_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let server = tmp.path().join("server.git");
    git_ok(
        tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            server.to_str().unwrap(),
        ],
    );
    let bin = assert_cmd::cargo::cargo_bin("palisade");
    let hook = server.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' secrets pre-receive\n", bin.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    init_repo(&src);
    std::fs::write(src.join("README"), "hi\n").unwrap();
    commit_all(&src, "init");
    let url = server.to_str().unwrap();
    let push = |spec: &str| git(&src, &["push", "-q", url, spec]);
    let ok = push("HEAD:refs/heads/main");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // A secret in a commit under the new tip: refused, naming commit, path and rule.
    std::fs::write(
        src.join("deploy.sh"),
        format!("export GITHUB_TOKEN={}\n", gh_token(TAIL1)),
    )
    .unwrap();
    let bad = commit_all(&src, "oops");
    std::fs::remove_file(src.join("deploy.sh")).unwrap();
    commit_all(&src, "removed again");
    let o = push("HEAD:refs/heads/main");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains(&bad) && err.contains("deploy.sh") && err.contains("github-pat"),
        "{err}"
    );
    assert!(!err.contains(TAIL1), "redacted: {err}");

    // A deny-listed file (no secret inside needed).
    git_ok(&src, &["reset", "-q", "--hard", "HEAD~2"]);
    std::fs::write(src.join(".env"), "DEBUG=1\n").unwrap();
    let env_commit = commit_all(&src, "env");
    let o = push("HEAD:refs/heads/main");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains(&env_commit) && err.contains(".env") && err.contains("deny-listed"),
        "{err}"
    );

    // Archives: commit ARCHIVE (a .tar.gz of MEMBERS) on the previous tip, push it: the
    // push is refused with stderr naming the commit and every one of NEEDLES.
    let refused_archive = |archive: &str, members: &[(&str, &str)], needles: &[&str]| {
        git_ok(&src, &["reset", "-q", "--hard", "HEAD~1"]);
        std::fs::write(src.join(archive), tar_gz_of(members)).unwrap();
        let commit = commit_all(&src, archive);
        let o = push("HEAD:refs/heads/main");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!o.status.success(), "{err}");
        assert!(err.contains(&commit), "{err}");
        for n in needles {
            assert!(err.contains(n), "{n}: {err}");
        }
        err
    };
    // A secret inside a pushed archive: refused, naming the member.
    let deploy = format!("#!/bin/sh\nexport GH={}\n", gh_token(TAIL3));
    let err = refused_archive(
        "bundle.tar.gz",
        &[("cfg/ok.txt", "fine\n"), ("cfg/deploy.sh", &deploy)],
        &["bundle.tar.gz!cfg/deploy.sh", "github-pat"],
    );
    assert!(!err.contains(TAIL3), "redacted: {err}");
    // A deny-listed file inside a pushed archive (no secret inside needed).
    let err = refused_archive(
        "release.tar.gz",
        &[("app/readme.txt", "hello\n"), ("app/.env", "DEBUG=1\n")],
        &["release.tar.gz!app/.env", "deny-listed"],
    );
    assert!(!err.contains("readme.txt"), "{err}");

    // Clean: accepted.
    git_ok(&src, &["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(src.join("main.rs"), "fn main() {}\n").unwrap();
    commit_all(&src, "clean");
    let o = push("HEAD:refs/heads/main");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Malformed input: exit 2.
    let o = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(&server)
        .args(["secrets", "pre-receive"])
        .write_stdin("garbage\n")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// Encrypted archives cannot be scanned (there are no passwords): the summary says how
/// many members were encrypted, apart from corrupt ones, and the scan still succeeds.
#[test]
fn encrypted_archives_are_counted_in_the_summary() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/secrets_archive");
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "zip-encrypted.zip",
        "7z-encrypted-header.7z",
        "7z-encrypted-block.7z",
    ] {
        std::fs::copy(seeds.join(f), dir.path().join(f)).unwrap();
    }
    let o = palisade(dir.path(), &["secrets", "scan", "."]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("0 that did not unpack"), "{err}");
    let n: u64 = err
        .split(" encrypted (not scanned)")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // Two zip members (ZipCrypto, AES), the 7z whose file list is encrypted, and the
    // encrypted block of the other 7z.
    assert_eq!(n, 4, "{err}");
}
