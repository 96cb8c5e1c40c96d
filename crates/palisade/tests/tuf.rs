//! `palisade tuf client`: python-tuf's test repository, the tuf-conformance static
//! repositories, a repository written by python-tuf's Metadata API, and attacks (rollback,
//! freeze, mix-and-match, wrong hash / length, endless data, threshold, key rotation).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use palisade_keys::PrivateKey;
use palisade_testkit::shared;
use predicates::prelude::PredicateBooleanExt;
use serde_json::{Value, json};

/// `palisade tuf serve`'s server on 127.0.0.1 (free port), serving `root`: in this
/// process (the library) or as the command; stopped on drop.
enum Server {
    Lib(palisade_serve::Server),
    Cli(std::process::Child, String),
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::Lib(palisade_serve::Server::start(root, "127.0.0.1:0".parse().unwrap()).unwrap())
    }

    /// `palisade tuf serve ROOT --listen 127.0.0.1:0`, reading the URL it prints first.
    fn command(root: &Path) -> Server {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("palisade"))
            .args(["tuf", "serve", s(root), "--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
        Server::Cli(child, line.trim().to_string())
    }

    fn url(&self, p: &str) -> String {
        match self {
            Server::Lib(s) => format!("{}/{p}", s.url()),
            Server::Cli(_, u) => format!("{u}/{p}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Server::Cli(c, _) = self {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn palisade() -> Command {
    Command::cargo_bin("palisade").unwrap()
}

/// Runs the client; returns (exit code, stderr).
fn client(args: &[&str]) -> (i32, String) {
    let out = palisade()
        .arg("tuf")
        .arg("client")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A client folder initialised with `root`.
fn init(root: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("meta")).unwrap();
    std::fs::create_dir(d.path().join("out")).unwrap();
    let (code, err) = client(&["--metadata-dir", s(&d.path().join("meta")), "init", s(root)]);
    assert_eq!(code, 0, "{err}");
    d
}

fn refresh(c: &Path, srv: &Server, extra: &[&str]) -> (i32, String) {
    let mut a = vec![
        "--metadata-url".to_string(),
        srv.url("metadata"),
        "--metadata-dir".into(),
        s(&c.join("meta")).into(),
    ];
    a.extend(extra.iter().map(|x| x.to_string()));
    a.push("refresh".into());
    client(&a.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A refresh that must fail (exit 1) with each of `needles` in its message.
fn refresh_fails(c: &Path, srv: &Server, extra: &[&str], needles: &[&str]) {
    let (code, err) = refresh(c, srv, extra);
    assert_eq!(code, 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "{n}: {err}");
    }
}

fn download(c: &Path, srv: &Server, targets: &[&str], extra: &[&str]) -> (i32, String) {
    let mut a = vec![
        "--metadata-url".to_string(),
        srv.url("metadata"),
        "--metadata-dir".into(),
        s(&c.join("meta")).into(),
        "--target-dir".into(),
        s(&c.join("out")).into(),
        "--target-base-url".into(),
        srv.url("targets"),
    ];
    for t in targets {
        a.push("--target-name".into());
        a.push(t.to_string());
    }
    a.extend(extra.iter().map(|x| x.to_string()));
    a.push("download".into());
    client(&a.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Serves `repo`, initialises a client with its `1.root.json` and downloads `targets`
/// (which must succeed).
fn serve_and_download(repo: &Path, targets: &[&str]) -> (Server, tempfile::TempDir) {
    let srv = Server::start(repo);
    let c = init(&repo.join("metadata/1.root.json"));
    let (code, err) = download(c.path(), &srv, targets, &[]);
    assert_eq!(code, 0, "{err}");
    (srv, c)
}

/// python-tuf's ngclient.Updater downloading `targets` from `repo` served by `srv`.
fn py_updater(repo: &Path, srv: &Server, work: &Path, targets: &[&str]) -> String {
    let script = palisade_testkit::peer_script(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        "tuf_updater.py",
    );
    let mut args = vec![
        s(&repo.join("metadata/1.root.json")).to_string(),
        srv.url("metadata/"),
        srv.url("targets/"),
        s(work).to_string(),
    ];
    args.extend(targets.iter().map(|t| t.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    palisade_testkit::peer_ok(&script, &args, &[], work.parent().unwrap())
}

/// tuf-js's Updater (npm) doing the same as [`py_updater`].
fn js_updater(repo: &Path, srv: &Server, work: &Path, targets: &[&str]) -> String {
    let script = palisade_testkit::peer_script(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        "tuf_updater.js",
    );
    let npm = palisade_testkit::peers_npm("tuf-js");
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(repo.join("metadata/1.root.json"))
        .arg(srv.url("metadata/"))
        .arg(srv.url("targets/"))
        .arg(work)
        .args(targets)
        .env("NODE_PATH", npm.join("node_modules"))
        .output()
        .expect("node is missing");
    assert!(
        out.status.success(),
        "tuf-js: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

// ---- python-tuf's test repository (non-consistent snapshots, rsa + ed25519) ----

const PYTUF: &str = "vectors/tuf/python-tuf/repository_data";

/// The python-tuf repository copied into a tempdir (so tests can change it).
fn pytuf_repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&shared(&format!("{PYTUF}/repository")), d.path());
    for e in walk(d.path()) {
        let mut p = std::fs::metadata(&e).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        std::fs::set_permissions(&e, p).unwrap();
    }
    d
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap().path();
        if e.is_dir() {
            out.extend(walk(&e));
        }
        out.push(e);
    }
    out
}

fn key(name: &str) -> PrivateKey {
    let pem = std::fs::read(shared(&format!("{PYTUF}/keystore/{name}"))).unwrap();
    PrivateKey::parse(&pem, None).unwrap()
}

fn keyid(name: &str) -> &'static str {
    match name {
        "root_key" => "4e777de0d275f9d28588dd9a1606cc748e548f9e22b6795b7cb3f63f98035fcb",
        "snapshot_key" => "59a4df8af818e9ed7abe0764c0b47b4240952aa0d179b5b78346c470ac30278d",
        "targets_key" => "65171251a9aff5a8b3143a813481cb07f6e0de4eb197c767837fe4491b739093",
        "timestamp_key" => "8a1c4a3ac2d515dec982ba9910c5fd79b91ae57f625b9cff25d06bf0a61c1758",
        "delegation_key" => "c8022fa1e9b9cb239a6b362bbdffa9649e61ad2cb699d2e4bc4fdf7930a0e64a",
        _ => panic!("{name}"),
    }
}

/// Signs `signed` with (keyid, key) pairs into a metadata document.
fn sign_doc(signed: &Value, keys: &[(&str, &PrivateKey)]) -> Vec<u8> {
    let canon = palisade_cjson::encode(&palisade_cjson::from_serde_json(signed).unwrap());
    let sigs: Vec<Value> = keys
        .iter()
        .map(|(id, k)| json!({"keyid": id, "sig": hex::encode(k.sign(&canon).unwrap())}))
        .collect();
    serde_json::to_vec_pretty(&json!({"signed": signed, "signatures": sigs})).unwrap()
}

/// Edits `signed` of `repo/metadata/file` and re-signs it with the python-tuf keys.
fn edit(repo: &Path, file: &str, keys: &[&str], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let p = repo.join("metadata").join(file);
    let doc: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let mut signed = doc["signed"].clone();
    f(&mut signed);
    let ks: Vec<(String, PrivateKey)> = keys
        .iter()
        .map(|k| (keyid(k).to_string(), key(k)))
        .collect();
    let pairs: Vec<(&str, &PrivateKey)> = ks.iter().map(|(i, k)| (i.as_str(), k)).collect();
    let bytes = sign_doc(&signed, &pairs);
    std::fs::write(&p, &bytes).unwrap();
    bytes
}

/// Fixes snapshot's and timestamp's meta (versions, lengths, hashes) after edits.
fn relink(repo: &Path) {
    let md = repo.join("metadata");
    let targets: Value =
        serde_json::from_slice(&std::fs::read(md.join("targets.json")).unwrap()).unwrap();
    let tv = targets["signed"]["version"].clone();
    edit(repo, "snapshot.json", &["snapshot_key"], |s| {
        s["meta"]["targets.json"]["version"] = tv;
        s["version"] = json!(s["version"].as_u64().unwrap() + 1);
    });
    let snap = std::fs::read(md.join("snapshot.json")).unwrap();
    let sv: Value = serde_json::from_slice(&snap).unwrap();
    edit(repo, "timestamp.json", &["timestamp_key"], |t| {
        t["meta"]["snapshot.json"] = json!({
            "version": sv["signed"]["version"],
            "length": snap.len(),
            "hashes": {"sha256": palisade_keys::sha256_hex(&snap)},
        });
        t["version"] = json!(t["version"].as_u64().unwrap() + 1);
    });
}

#[test]
fn python_tuf_repository_refresh_and_download_with_delegation() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    let c = init(&repo.path().join("metadata/1.root.json"));
    let (code, err) = download(c.path(), &srv, &["file1.txt", "file3.txt"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(c.path().join("out/file1.txt")).unwrap(),
        std::fs::read(repo.path().join("targets/file1.txt")).unwrap()
    );
    assert!(c.path().join("out/file3.txt").is_file());
    // Metadata is stored byte for byte under non-versioned names.
    for f in [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
        "role1.json",
    ] {
        assert_eq!(
            std::fs::read(c.path().join("meta").join(f)).unwrap(),
            std::fs::read(repo.path().join("metadata").join(f)).unwrap(),
            "{f}"
        );
    }
    // A target nobody lists fails.
    let (code, _) = download(c.path(), &srv, &["nope.txt"], &[]);
    assert_eq!(code, 1);
    // A matching copy in the target dir is used without downloading (the server's copy
    // is gone); a copy that does not match is replaced.
    let served = repo.path().join("targets/file1.txt");
    let original = std::fs::read(&served).unwrap();
    std::fs::remove_file(&served).unwrap();
    let (code, err) = download(c.path(), &srv, &["file1.txt"], &[]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&served, &original).unwrap();
    std::fs::write(c.path().join("out/file1.txt"), b"stale").unwrap();
    let (code, err) = download(c.path(), &srv, &["file1.txt"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(c.path().join("out/file1.txt")).unwrap(),
        std::fs::read(repo.path().join("targets/file1.txt")).unwrap()
    );
}

#[test]
fn freeze_expired_metadata_fails_and_at_pins_time() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    let c = init(&repo.path().join("metadata/1.root.json"));
    refresh_fails(
        c.path(),
        &srv,
        &["--at", "2031-01-01T00:00:00Z"],
        &["expired"],
    );
    let (code, err) = refresh(c.path(), &srv, &["--at", "2029-12-31T23:59:59Z"]);
    assert_eq!(code, 0, "{err}");
    // An expired timestamp (freshly signed) is refused too.
    edit(repo.path(), "timestamp.json", &["timestamp_key"], |t| {
        t["expires"] = json!("2020-01-01T00:00:00Z");
        t["version"] = json!(2);
    });
    refresh_fails(c.path(), &srv, &[], &["timestamp.json", "expired"]);
    // ...and never stored: the trusted timestamp stays version 1.
    let ts: Value =
        serde_json::from_slice(&std::fs::read(c.path().join("meta/timestamp.json")).unwrap())
            .unwrap();
    assert_eq!(ts["signed"]["version"], json!(1));
}

#[test]
fn rollback_of_timestamp_and_snapshot_is_refused() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    let c = init(&repo.path().join("metadata/1.root.json"));
    let old_ts = std::fs::read(repo.path().join("metadata/timestamp.json")).unwrap();
    relink(repo.path()); // snapshot v2, timestamp v2
    let (code, err) = refresh(c.path(), &srv, &[]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(repo.path().join("metadata/timestamp.json"), &old_ts).unwrap();
    refresh_fails(c.path(), &srv, &[], &["rollback"]);
    // A new timestamp pointing at an older snapshot version is a rollback too.
    edit(repo.path(), "timestamp.json", &["timestamp_key"], |t| {
        t["version"] = json!(5);
    });
    let (code, err) = refresh(c.path(), &srv, &[]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn mix_and_match_and_wrong_hashes_are_refused() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    // A snapshot other than the one timestamp lists (hash/length no longer match).
    edit(repo.path(), "snapshot.json", &["snapshot_key"], |s| {
        s["version"] = json!(1);
        s["expires"] = json!("2029-01-01T00:00:00Z");
    });
    let c = init(&repo.path().join("metadata/1.root.json"));
    refresh_fails(c.path(), &srv, &[], &["snapshot.json"]);

    // A target whose bytes changed.
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    std::fs::write(
        repo.path().join("targets/file1.txt"),
        b"This is an example target fileX",
    )
    .unwrap();
    let c = init(&repo.path().join("metadata/1.root.json"));
    let (code, err) = download(c.path(), &srv, &["file1.txt"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("file1.txt") && err.contains("hash"), "{err}");
    assert!(!c.path().join("out/file1.txt").exists());
    // ...or whose length changed (longer than listed: the download is cut off).
    std::fs::write(repo.path().join("targets/file1.txt"), vec![b'x'; 4096]).unwrap();
    let (code, _) = download(c.path(), &srv, &["file1.txt"], &[]);
    assert_eq!(code, 1);
}

#[test]
fn endless_data_is_cut_off() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    let p = repo.path().join("metadata/timestamp.json");
    let mut big = std::fs::read(&p).unwrap();
    big.extend(std::iter::repeat_n(b' ', 20_000));
    std::fs::write(&p, big).unwrap();
    let c = init(&repo.path().join("metadata/1.root.json"));
    refresh_fails(c.path(), &srv, &[], &["timestamp.json", "16384"]);
}

#[test]
fn threshold_not_met_is_refused() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    // timestamp signed by the snapshot key only.
    let p = repo.path().join("metadata/timestamp.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let k = key("snapshot_key");
    std::fs::write(&p, sign_doc(&doc["signed"], &[(keyid("snapshot_key"), &k)])).unwrap();
    let c = init(&repo.path().join("metadata/1.root.json"));
    refresh_fails(
        c.path(),
        &srv,
        &[],
        &["0 valid signature(s) of role timestamp"],
    );
    // A signature by an unknown key next to a good one is ignored.
    let t = key("timestamp_key");
    std::fs::write(
        &p,
        sign_doc(
            &doc["signed"],
            &[(keyid("snapshot_key"), &k), (keyid("timestamp_key"), &t)],
        ),
    )
    .unwrap();
    let (code, err) = refresh(c.path(), &srv, &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn key_rotation_chain_needs_both_thresholds() {
    let repo = pytuf_repo();
    let srv = Server::start(repo.path());
    let c = init(&repo.path().join("metadata/1.root.json"));
    let root_key = key("root_key");
    let new_key = PrivateKey::generate("ed25519".parse().unwrap()).unwrap();
    let new_id = "aa".repeat(32);
    let v1: Value =
        serde_json::from_slice(&std::fs::read(repo.path().join("metadata/1.root.json")).unwrap())
            .unwrap();
    // v2 moves the root role to a new key: signed by old and new.
    let mut v2 = v1["signed"].clone();
    v2["version"] = json!(2);
    v2["keys"][&new_id] = new_key
        .public_key()
        .to_sslib_value()
        .to_serde_json()
        .unwrap();
    v2["roles"]["root"]["keyids"] = json!([new_id]);
    // Only the new key signed: the old root's threshold is not met.
    std::fs::write(
        repo.path().join("metadata/2.root.json"),
        sign_doc(&v2, &[(&new_id, &new_key)]),
    )
    .unwrap();
    refresh_fails(c.path(), &srv, &[], &["2.root.json"]);
    // Both sign: accepted, and stored as root.json.
    let both = sign_doc(&v2, &[(&new_id, &new_key), (keyid("root_key"), &root_key)]);
    std::fs::write(repo.path().join("metadata/2.root.json"), &both).unwrap();
    let (code, err) = refresh(c.path(), &srv, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(c.path().join("meta/root.json")).unwrap(),
        both
    );
    // v3 signed by the old root key only: the new threshold is not met.
    let mut v3 = v2.clone();
    v3["version"] = json!(3);
    std::fs::write(
        repo.path().join("metadata/3.root.json"),
        sign_doc(&v3, &[(keyid("root_key"), &root_key)]),
    )
    .unwrap();
    let (code, _) = refresh(c.path(), &srv, &[]);
    assert_eq!(code, 1);
    // A root whose version is not the next one is refused.
    let mut v4 = v2.clone();
    v4["version"] = json!(4);
    std::fs::write(
        repo.path().join("metadata/3.root.json"),
        sign_doc(&v4, &[(&new_id, &new_key)]),
    )
    .unwrap();
    refresh_fails(c.path(), &srv, &[], &["3.root.json"]);
}

// ---- tuf-conformance static repositories ----

fn static_repo(name: &str, at: Option<&str>) {
    let dir = shared(&format!("vectors/tuf/tuf-conformance-static/{name}"));
    let srv = Server::start(&dir);
    let c = init(&dir.join("initial_root.json"));
    let target = std::fs::read_to_string(dir.join("targetpath")).unwrap();
    let target = target.trim();
    let extra: Vec<&str> = at.map(|t| vec!["--at", t]).unwrap_or_default();
    let (code, err) = refresh(c.path(), &srv, &extra);
    assert_eq!(code, 0, "{err}");
    let (code, err) = download(c.path(), &srv, &[target], &extra);
    assert_eq!(code, 0, "{err}");
    let out = c.path().join("out").join(palisade_tuf::quote(target));
    assert!(out.is_file(), "{}", out.display());
}

#[test]
fn conformance_static_tuf_on_ci() {
    static_repo("tuf-on-ci-0.11", None);
}

#[test]
fn conformance_static_sigstore_root_signing_at_pinned_time() {
    static_repo("sigstore-root-signing", Some("2025-02-09T12:02:08Z"));
    // Without the pinned time its metadata has expired.
    let dir = shared("vectors/tuf/tuf-conformance-static/sigstore-root-signing");
    let srv = Server::start(&dir);
    let c = init(&dir.join("initial_root.json"));
    let (code, _) = refresh(c.path(), &srv, &["--at", "2026-11-25T00:00:00Z"]);
    assert_eq!(code, 1);
}

// ---- interop: a repository written by python-tuf's Metadata API ----

#[test]
fn interop_python_tuf_metadata_api_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let script = palisade_testkit::peer_script(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        "tuf_repo.py",
    );
    palisade_testkit::peer_ok(&script, &[s(&repo)], &[], tmp.path());
    let (_srv, c) = serve_and_download(&repo, &["file1.txt", "team/app.tar.gz"]);
    assert_eq!(
        std::fs::read(c.path().join("out/team%2Fapp.tar.gz")).unwrap(),
        b"delegated target bytes\n"
    );
    // The rotation was followed: root.json is version 2, byte for byte.
    assert_eq!(
        std::fs::read(c.path().join("meta/root.json")).unwrap(),
        std::fs::read(repo.join("metadata/2.root.json")).unwrap()
    );
    assert!(c.path().join("meta/team.json").is_file());
}

// ---- repository side: built by `palisade tuf`, read by our client and python-tuf ----

fn run_ok(args: &[&str]) {
    let out = palisade().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository made with `palisade tuf`, its root signed offline with `tuf sign`.
fn our_repo(tmp: &Path) -> PathBuf {
    let k = |n: &str| tmp.join(n);
    for (n, t) in [
        ("root", "rsa-3072"),
        ("targets", "ed25519"),
        ("snapshot", "ecdsa-p256"),
        ("timestamp", "ed25519"),
    ] {
        run_ok(&["key", "generate", "--type", t, "--out", s(&k(n))]);
    }
    let repo = tmp.join("repo");
    let pubk = |n: &str| s(&k(n)).to_string() + ".pub";
    let (r, t, sn, ts) = (
        pubk("root"),
        pubk("targets"),
        pubk("snapshot"),
        pubk("timestamp"),
    );
    // No root key at hand: root is written unsigned, then signed "elsewhere".
    run_ok(&[
        "tuf",
        "init",
        s(&repo),
        "--root",
        &r,
        "--targets",
        &t,
        "--snapshot",
        &sn,
        "--timestamp",
        &ts,
        "--key",
        s(&k("targets")),
        "--key",
        s(&k("snapshot")),
        "--key",
        s(&k("timestamp")),
    ]);
    let root = repo.join("metadata/1.root.json");
    let unsigned: Value = serde_json::from_slice(&std::fs::read(&root).unwrap()).unwrap();
    assert_eq!(unsigned["signatures"], json!([]));
    run_ok(&["tuf", "sign", s(&root), "--key", s(&k("root"))]);
    std::fs::write(tmp.join("a.txt"), b"first artefact\n").unwrap();
    std::fs::write(tmp.join("b.bin"), vec![7u8; 5000]).unwrap();
    let (kt, ks, kts) = (k("targets"), k("snapshot"), k("timestamp"));
    let (fa, fb) = (tmp.join("a.txt"), tmp.join("b.bin"));
    let keys = ["--key", s(&kt), "--key", s(&ks), "--key", s(&kts)];
    let mut add = vec!["tuf", "add", s(&repo), "--file", s(&fa)];
    add.extend(keys);
    run_ok(&add);
    let mut add = vec![
        "tuf",
        "add",
        s(&repo),
        "--file",
        s(&fb),
        "--path",
        "dir/sub/b.bin",
        "--custom",
        "{\"team\":\"x\"}",
    ];
    add.extend(keys);
    run_ok(&add);
    let mut rf = vec!["tuf", "refresh", s(&repo)];
    rf.extend(keys);
    run_ok(&rf);
    repo
}

#[test]
fn our_repository_with_offline_root_serves_our_client() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = our_repo(tmp.path());
    let (srv, c) = serve_and_download(&repo, &["a.txt", "dir/sub/b.bin"]);
    assert_eq!(
        std::fs::read(c.path().join("out/a.txt")).unwrap(),
        b"first artefact\n"
    );
    assert_eq!(
        std::fs::read(c.path().join("out/dir%2Fsub%2Fb.bin")).unwrap(),
        vec![7u8; 5000]
    );
    // timestamp expires after a day by default: a week later the client refuses.
    let later = palisade_intoto::time::format_utc(palisade_intoto::time::now() + 8 * 86_400);
    let (code, _) = refresh(c.path(), &srv, &["--at", &later]);
    assert_eq!(code, 1);
}

#[test]
fn interop_python_tuf_updater_reads_our_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = our_repo(tmp.path());
    let srv = Server::command(&repo);
    let work = tmp.path().join("py");
    let out = py_updater(&repo, &srv, &work, &["a.txt", "dir/sub/b.bin"]);
    let js = js_updater(
        &repo,
        &srv,
        &work.with_extension("js"),
        &["a.txt", "dir/sub/b.bin"],
    );
    assert_eq!(js, out, "tuf-js and python-tuf agree");
    assert_eq!(out, "a.txt 15\ndir/sub/b.bin 5000\n");
}

#[test]
fn repository_delegate_rotate_revoke_expire_with_both_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let repo = our_repo(t);
    let k = |n: &str| s(&t.join(n)).to_string();
    let p = |n: &str| k(n) + ".pub";
    for n in ["team", "bins", "ts2", "root2"] {
        run_ok(&["key", "generate", "--type", "ed25519", "--out", &k(n)]);
    }
    let online = [
        "--key",
        &k("targets"),
        "--key",
        &k("snapshot"),
        "--key",
        &k("timestamp"),
    ];
    let r = s(&repo).to_string();
    // Client state before the changes, to check it follows them.
    let srv = Server::start(&repo);
    let c = init(&repo.join("metadata/1.root.json"));
    assert_eq!(refresh(c.path(), &srv, &[]).0, 0);

    let (pteam, pbins) = (p("team"), p("bins"));
    let mut a = vec![
        "tuf", "delegate", &r, "--name", "team", "--to", &pteam, "--paths", "team/*",
    ];
    a.extend(online);
    run_ok(&a);
    // A hashed bin covering every path (all 16 first hex digits), terminating.
    let prefixes: Vec<String> = (0..16).map(|i| format!("{i:x}")).collect();
    let mut a = vec![
        "tuf",
        "delegate",
        &r,
        "--name",
        "bins",
        "--to",
        &pbins,
        "--terminating",
    ];
    for x in &prefixes {
        a.extend(["--hash-prefix", x.as_str()]);
    }
    a.extend(online);
    run_ok(&a);
    std::fs::write(t.join("app"), b"team app\n").unwrap();
    std::fs::write(t.join("any"), b"binned\n").unwrap();
    let (fa, fb) = (k("app"), k("any"));
    let team_keys = [
        "--key",
        &k("team"),
        "--key",
        &k("snapshot"),
        "--key",
        &k("timestamp"),
    ];
    let mut a = vec![
        "tuf", "add", &r, "--role", "team", "--file", &fa, "--path", "team/app",
    ];
    a.extend(team_keys);
    run_ok(&a);
    let bins_keys = [
        "--key",
        &k("bins"),
        "--key",
        &k("snapshot"),
        "--key",
        &k("timestamp"),
    ];
    let mut a = vec![
        "tuf", "add", &r, "--role", "bins", "--file", &fb, "--path", "x/any",
    ];
    a.extend(bins_keys);
    run_ok(&a);

    // Rotate timestamp to a new key, add a second root key (threshold 2), revoke it.
    let out = palisade()
        .args([
            "tuf",
            "rotate",
            &r,
            "--role",
            "timestamp",
            "--add",
            &p("ts2"),
            "--remove",
            &p("timestamp"),
            "--key",
            &k("root"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .ends_with("2.root.json")
    );
    run_ok(&[
        "tuf",
        "rotate",
        &r,
        "--role",
        "root",
        "--add",
        &p("root2"),
        "--threshold",
        "2",
        "--key",
        &k("root"),
        "--key",
        &k("root2"),
    ]);
    // Revoking the only snapshot key is refused (the role would have no key).
    let out = palisade()
        .args([
            "tuf",
            "revoke",
            &r,
            "--revoke",
            &p("snapshot"),
            "--key",
            &k("root"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Lower the root threshold, then revoke the second root key: versions 3 and 4.
    run_ok(&[
        "tuf",
        "rotate",
        &r,
        "--role",
        "root",
        "--threshold",
        "1",
        "--key",
        &k("root"),
        "--key",
        &k("root2"),
    ]);
    run_ok(&[
        "tuf",
        "revoke",
        &r,
        "--revoke",
        &p("root2"),
        "--key",
        &k("root"),
        "--key",
        &k("root2"),
    ]);
    run_ok(&[
        "tuf",
        "refresh",
        &r,
        "--key",
        &k("snapshot"),
        "--key",
        &k("ts2"),
    ]);

    let (code, err) = download(c.path(), &srv, &["team/app", "x/any", "a.txt"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(c.path().join("out/team%2Fapp")).unwrap(),
        b"team app\n"
    );
    let root: Value =
        serde_json::from_slice(&std::fs::read(c.path().join("meta/root.json")).unwrap()).unwrap();
    assert_eq!(root["signed"]["version"], json!(5));

    let py = py_updater(&repo, &srv, &t.join("py"), &["team/app", "x/any"]);
    assert_eq!(py, "team/app 9\nx/any 7\n");
    // tuf-js follows the rotated root chain and the delegation too
    let js = js_updater(&repo, &srv, &t.join("js"), &["team/app", "x/any"]);
    assert_eq!(js, py);

    // expire: fresh now; a timestamp of one day fails --within-days 2.
    run_ok(&["tuf", "expire", &r]);
    let out = palisade()
        .args([
            "tuf",
            "expire",
            &r,
            "--within-days",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["file"] == "timestamp.json" && m["status"] == "expiring")
    );
}

fn audit_status(dir: &Path) -> Value {
    let out = palisade()
        .current_dir(dir)
        .args(["audit", "--format", "json", "--controls"])
        .arg("artefacts.tuf,artefacts.rotate-revoke,deployment.freshness,build.offline-root")
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut m = serde_json::Map::new();
    for c in j["controls"].as_array().unwrap() {
        m.insert(c["id"].as_str().unwrap().into(), c["status"].clone());
    }
    Value::Object(m)
}

#[test]
fn audit_reports_tuf_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // No TUF metadata at all: fail.
    std::fs::create_dir(t.join("empty")).unwrap();
    let st = audit_status(&t.join("empty"));
    assert_eq!(st["artefacts.tuf"], "fail");
    let repo = our_repo(t);
    let st = audit_status(&repo);
    assert_eq!(st["artefacts.tuf"], "pass", "{st}");
    assert_eq!(st["deployment.freshness"], "pass", "{st}");
    assert_eq!(st["build.offline-root"], "pass", "{st}");
    assert_eq!(st["artefacts.rotate-revoke"], "fail", "{st}");
    let k = |n: &str| s(&t.join(n)).to_string();
    run_ok(&["key", "generate", "--type", "ed25519", "--out", &k("ts2")]);
    let r = s(&repo).to_string();
    run_ok(&[
        "tuf",
        "rotate",
        &r,
        "--role",
        "timestamp",
        "--add",
        &(k("ts2") + ".pub"),
        "--key",
        &k("root"),
    ]);
    let st = audit_status(&repo);
    assert_eq!(st["artefacts.rotate-revoke"], "pass", "{st}");
    // A root version not signed by its predecessor breaks the chain.
    let bad = repo.join("metadata/3.root.json");
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(repo.join("metadata/2.root.json")).unwrap()).unwrap();
    v["signed"]["version"] = json!(3);
    std::fs::write(&bad, serde_json::to_vec(&v).unwrap()).unwrap();
    let st = audit_status(&repo);
    assert_eq!(st["artefacts.tuf"], "fail", "{st}");
}

#[test]
fn every_tuf_command_has_examples_and_usage_errors_exit_2() {
    for cmd in [
        "client", "init", "add", "remove", "delegate", "rotate", "revoke", "refresh", "expire",
        "sign", "serve",
    ] {
        palisade()
            .args(["tuf", cmd, "--help"])
            .assert()
            .success()
            .stdout(
                predicates::str::contains("Examples:")
                    .and(predicates::str::contains("palisade tuf")),
            );
    }
    let (code, _) = client(&["refresh"]);
    assert_eq!(code, 2);
    let d = tempfile::tempdir().unwrap();
    // `serve` refuses a folder that is not a repository, and a bad address.
    palisade()
        .args(["tuf", "serve", s(d.path()), "--listen", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no metadata/ folder"));
    palisade()
        .args(["tuf", "serve", s(d.path()), "--listen", "localhost"])
        .assert()
        .code(2);
    let (code, _) = client(&["--metadata-dir", s(d.path()), "refresh"]);
    assert_eq!(code, 2);
    let (code, _) = client(&[
        "--metadata-dir",
        s(d.path()),
        "--metadata-url",
        "http://127.0.0.1:9/",
        "--at",
        "yesterday",
        "refresh",
    ]);
    assert_eq!(code, 2);
    // A missing trusted root is a failure of the client protocol: exit 1.
    let (code, _) = client(&[
        "--metadata-dir",
        s(d.path()),
        "--metadata-url",
        "http://127.0.0.1:9/",
        "refresh",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn succinct_hash_bins_from_our_repository_with_both_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let repo = our_repo(t);
    let k = |n: &str| s(&t.join(n)).to_string();
    run_ok(&["key", "generate", "--type", "ed25519", "--out", &k("bins")]);
    let r = s(&repo).to_string();
    let pb = k("bins") + ".pub";
    run_ok(&[
        "tuf",
        "delegate",
        &r,
        "--name",
        "bin",
        "--to",
        &pb,
        "--succinct-bits",
        "3",
        "--key",
        &k("targets"),
        "--key",
        &k("snapshot"),
        "--key",
        &k("timestamp"),
    ]);
    assert!(repo.join("metadata/1.bin-7.json").is_file());
    std::fs::write(t.join("c.txt"), b"binned file\n").unwrap();
    let fc = k("c.txt");
    run_ok(&[
        "tuf",
        "add",
        &r,
        "--role",
        "bin",
        "--file",
        &fc,
        "--path",
        "deep/c.txt",
        "--key",
        &k("bins"),
        "--key",
        &k("snapshot"),
        "--key",
        &k("timestamp"),
    ]);
    let (srv, _c) = serve_and_download(&repo, &["deep/c.txt"]);
    let py = py_updater(&repo, &srv, &t.join("py"), &["deep/c.txt"]);
    assert_eq!(py, "deep/c.txt 12\n");
    let js = js_updater(&repo, &srv, &t.join("js"), &["deep/c.txt"]);
    assert_eq!(js, py, "tuf-js: succinct hash bins");
}
