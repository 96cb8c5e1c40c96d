//! `palisade intoto` end to end: Python in-toto's demo supply chains (good and tampered,
//! Metablock and DSSE) against `in-toto-verify` 3.1.0's recorded results, the layouts of
//! python-in-toto's demo signed with our `layout sign`, and interop the other way: chains
//! we record and sign are verified by Python's `in-toto-verify` (a missing peer fails).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use palisade_testkit::{peer_python, peer_script, peers_venv, shared};

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir).env_remove("PALISADE_PASSPHRASE");
    c
}

/// A writable copy of a read-only shared folder (verification runs inspections in it).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::write(&dest, std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

/// Runs our verify; returns (exit code, stdout + stderr).
fn verify(dir: &Path, layout: &str, key: &Path, path_env: Option<&str>) -> (i32, String) {
    let mut c = palisade(dir);
    c.args(["intoto", "verify", "--layout", layout, "--layout-key"])
        .arg(key);
    if let Some(p) = path_env {
        c.env("PATH", p);
    }
    let out = c.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

/// The exit code `in-toto-verify` recorded for a case in results.txt.
fn python_exit(results: &str, case: &str, key: &str) -> i32 {
    let head =
        format!("== {case} (in-toto-verify --layout root.layout --verification-keys {key}) exit=");
    let line = results
        .lines()
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("{case} not in results.txt"));
    line[head.len()..].trim().parse().unwrap()
}

#[test]
fn demo_cases_agree_with_in_toto_verify_and_name_the_failure() {
    let demo = shared("vectors/in-toto-demo");
    let results = std::fs::read_to_string(demo.join("results.txt")).unwrap();
    // what our message must name for each tampered case (step / rule / artefact)
    let expect: [(&str, &[&str]); 6] = [
        ("good", &["verified"]),
        (
            "tampered-artifact",
            &[
                "inspection 'untar'",
                "expected_materials",
                "DISALLOW *",
                "demo-project.tar.gz",
            ],
        ),
        (
            "tampered-link",
            &[
                "step 'update-version'",
                "validly signed",
                "update-version.c2a37f9a.link",
            ],
        ),
        (
            "missing-threshold-link",
            &["step 'review'", "requires 2 link file(s)", "found 1"],
        ),
        ("unauthorized-functionary", &["step 'package'", "found 0"]),
        ("expired-layout", &["layout expired"]),
    ];
    let mut cases: Vec<(String, &[&str])> = Vec::new();
    for mode in ["metablock", "dsse"] {
        for (c, words) in &expect {
            cases.push((format!("{mode}/{c}"), *words));
        }
    }
    cases.push(("mixed-dsse-layout-metablock-links".into(), &["verified"]));
    for (case, words) in cases {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&demo.join(&case), d.path());
        let (code, text) = verify(d.path(), "root.layout", Path::new("alice.pub"), None);
        assert_eq!(
            code,
            python_exit(&results, &case, "alice.pub"),
            "{case}: {text}"
        );
        for w in words {
            assert!(text.contains(w), "{case}: '{w}' not in: {text}");
        }
    }
    // JSON names step, rule and artefacts
    let d = tempfile::tempdir().unwrap();
    copy_dir(&demo.join("dsse/tampered-artifact"), d.path());
    let out = palisade(d.path())
        .args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            "alice.pub",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["step"], "untar");
    assert_eq!(v["rule"], "expected_materials: DISALLOW *");
    assert_eq!(v["artifacts"], serde_json::json!(["demo-project.tar.gz"]));
    // the good chains with the wrong layout key
    for mode in ["metablock", "dsse"] {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&demo.join(mode).join("good"), d.path());
        let (code, text) = verify(d.path(), "root.layout", &demo.join("keys/bob.pub"), None);
        assert_eq!(
            code,
            python_exit(&results, &format!("{mode}/good"), "bob.pub"),
            "{text}"
        );
        assert!(text.contains("layout signatures"), "{text}");
    }
}

#[test]
fn demo_verification_does_not_touch_the_link_dir_outside_the_copy() {
    // the inspection extracts into the working directory, not into ../shared
    let demo = shared("vectors/in-toto-demo/metablock/good");
    let d = tempfile::tempdir().unwrap();
    copy_dir(&demo, d.path());
    let (code, _) = verify(d.path(), "root.layout", Path::new("alice.pub"), None);
    assert_eq!(code, 0);
    assert!(d.path().join("demo-project/foo.py").is_file());
    assert!(!demo.join("demo-project").exists());
}

/// Signs the folder's `demo.layout.template` with alice's key into `root.layout`.
fn sign_template(dir: &Path) {
    alice_signs(dir, &["--out", "root.layout", "demo.layout.template"]);
}

/// `palisade intoto layout sign --key alice ARGS… -q` in `dir`, which must succeed.
fn alice_signs(dir: &Path, args: &[&str]) {
    palisade(dir)
        .args(["intoto", "layout", "sign", "--key", "alice", "-q"])
        .args(args)
        .assert()
        .success();
}

/// A folder with `scripts/tar` (the demo inspection) and `python` on PATH.
fn python_demo_dir(files: &[PathBuf]) -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(f, d.path().join(f.file_name().unwrap())).unwrap();
    }
    std::fs::create_dir(d.path().join("scripts")).unwrap();
    std::fs::copy(
        peer_script(
            &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
            "intoto_tar.py",
        ),
        d.path().join("scripts/tar"),
    )
    .unwrap();
    let bin = d.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(peer_python(), bin.join("python")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (d, path)
}

#[test]
fn python_in_toto_demo_layouts_signed_by_us_verify_their_links() {
    let base = shared("vectors/in-toto/python-in-toto");
    for (folder, envelope) in [("demo_files", "metablock"), ("demo_dsse_files", "dsse")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(base.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        for f in ["alice", "alice.pub", "foo.tar.gz"] {
            files.push(base.join("demo_files").join(f));
        }
        files.sort();
        files.dedup();
        let (d, path) = python_demo_dir(&files);
        sign_template(d.path());
        let signed = std::fs::read_to_string(d.path().join("root.layout")).unwrap();
        assert_eq!(
            signed.contains("\"payload\""),
            envelope == "dsse",
            "{folder}"
        );
        let (code, text) = verify(d.path(), "root.layout", Path::new("alice.pub"), Some(&path));
        assert_eq!(code, 0, "{folder}: {text}");
        // Python agrees with our signature
        let py = StdCommand::new(peers_venv().join("bin/in-toto-verify"))
            .args([
                "--layout",
                "root.layout",
                "--verification-keys",
                "alice.pub",
            ])
            .current_dir(d.path())
            .env("PATH", &path)
            .output()
            .expect("in-toto-verify (run scripts/install-peers.sh)");
        assert!(
            py.status.success(),
            "{folder}: {}",
            String::from_utf8_lossy(&py.stderr)
        );
        // a replaced tarball: the inspection (untar) fails
        let (code, text) = {
            std::fs::write(d.path().join("foo.tar.gz"), b"not the package").unwrap();
            verify(d.path(), "root.layout", Path::new("alice.pub"), Some(&path))
        };
        assert_eq!(code, 1, "{folder}: {text}");
        assert!(text.contains("inspection 'untar'"), "{folder}: {text}");
    }
}

fn in_toto_verify(dir: &Path) -> (i32, String) {
    let out = StdCommand::new(peers_venv().join("bin/in-toto-verify"))
        .args([
            "--layout",
            "root.layout",
            "--verification-keys",
            "alice.pub",
        ])
        .current_dir(dir)
        .output()
        .expect("in-toto-verify is missing: run scripts/install-peers.sh");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rule(r: &str) -> serde_json::Value {
    serde_json::Value::Array(
        r.split(' ')
            .map(|x| serde_json::Value::String(x.into()))
            .collect(),
    )
}

/// Records write-code (bob) and package (carl) with `intoto run`, writes the layout with
/// `layout new`, adds rules and an inspection, signs it with alice; returns the folder
/// holding what a verifier gets: layout, alice.pub, links, foo.tar.gz.
fn record_chain(envelope: &str, layout_envelope: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("work");
    std::fs::create_dir(&w).unwrap();
    for (t, n) in [
        ("ed25519", "alice"),
        ("ed25519", "bob"),
        ("ecdsa-p256", "carl"),
    ] {
        palisade(&w)
            .args(["key", "generate", "--type", t, "--out", n, "-q"])
            .assert()
            .success();
    }
    palisade(&w)
        .args([
            "intoto",
            "run",
            "--step",
            "write-code",
            "--key",
            "bob",
            "--envelope",
            envelope,
            "-p",
            "foo.py",
            "-q",
            "--",
        ])
        .args(["sh", "-c", "echo 'print(1)' > foo.py"])
        .assert()
        .success();
    palisade(&w)
        .args([
            "intoto", "record", "start", "--step", "package", "--key", "carl", "-m", "foo.py", "-q",
        ])
        .assert()
        .success();
    assert!(
        StdCommand::new("tar")
            .args(["czf", "foo.tar.gz", "foo.py"])
            .current_dir(&w)
            .status()
            .unwrap()
            .success()
    );
    palisade(&w)
        .args([
            "intoto",
            "record",
            "stop",
            "--step",
            "package",
            "--key",
            "carl",
            "--envelope",
            envelope,
            "-p",
            "foo.tar.gz",
            "-q",
        ])
        .assert()
        .success();
    palisade(&w)
        .args([
            "intoto",
            "layout",
            "new",
            "--out",
            "root.layout",
            "--expires",
            "2036-01-01T00:00:00Z",
        ])
        .args([
            "--step",
            "write-code=bob.pub",
            "--step",
            "package=carl.pub",
            "-q",
        ])
        .assert()
        .success();
    let mut l: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.join("root.layout")).unwrap()).unwrap();
    let steps = l["signed"]["steps"].as_array_mut().unwrap();
    steps[0]["expected_products"] = serde_json::json!([rule("CREATE foo.py"), rule("DISALLOW *")]);
    steps[0]["expected_command"] = serde_json::json!(["sh", "-c", "echo 'print(1)' > foo.py"]);
    steps[1]["expected_materials"] = serde_json::json!([
        rule("MATCH foo.py WITH PRODUCTS FROM write-code"),
        rule("DISALLOW *")
    ]);
    steps[1]["expected_products"] =
        serde_json::json!([rule("CREATE foo.tar.gz"), rule("DISALLOW *")]);
    l["signed"]["inspect"] = serde_json::json!([{
        "_type": "inspection",
        "name": "untar",
        "run": ["tar", "xzf", "foo.tar.gz"],
        "expected_materials": [rule("MATCH foo.tar.gz WITH PRODUCTS FROM package"), rule("ALLOW root.layout"), rule("ALLOW alice.pub"), rule("DISALLOW *")],
        "expected_products": [rule("MATCH foo.py WITH PRODUCTS FROM write-code"), rule("ALLOW foo.tar.gz"), rule("ALLOW root.layout"), rule("ALLOW alice.pub"), rule("DISALLOW *")]
    }]);
    std::fs::write(
        w.join("root.layout"),
        serde_json::to_vec_pretty(&l).unwrap(),
    )
    .unwrap();
    alice_signs(&w, &["--envelope", layout_envelope, "root.layout"]);
    let f = d.path().join("final");
    std::fs::create_dir(&f).unwrap();
    for e in std::fs::read_dir(&w).unwrap() {
        let p = e.unwrap().path();
        let n = p.file_name().unwrap().to_str().unwrap().to_string();
        if n.ends_with(".link") || ["root.layout", "alice.pub", "foo.tar.gz"].contains(&n.as_str())
        {
            std::fs::copy(&p, f.join(&n)).unwrap();
        }
    }
    d
}

#[test]
fn python_in_toto_verifies_chains_we_record_and_sign() {
    for (envelope, layout_envelope) in [
        ("metablock", "metablock"),
        ("dsse", "dsse"),
        ("metablock", "dsse"),
    ] {
        let d = record_chain(envelope, layout_envelope);
        let f = d.path().join("final");
        let links: Vec<String> = std::fs::read_dir(&f)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".link"))
            .collect();
        assert_eq!(links.len(), 2, "{links:?}");
        // a copy for each verifier: the inspection extracts foo.py
        let ours = d.path().join("ours");
        copy_dir(&f, &ours);
        let (code, text) = verify(&ours, "root.layout", Path::new("alice.pub"), None);
        assert_eq!(code, 0, "{envelope}/{layout_envelope}: {text}");
        let py = d.path().join("py");
        copy_dir(&f, &py);
        let (code, err) = in_toto_verify(&py);
        assert_eq!(
            code, 0,
            "{envelope}/{layout_envelope}: in-toto-verify: {err}"
        );
        // change the product after the fact: a different foo.py in the tarball
        let bad = d.path().join("bad");
        copy_dir(&f, &bad);
        std::fs::write(bad.join("foo.py"), "print('evil')\n").unwrap();
        assert!(
            StdCommand::new("tar")
                .args(["czf", "foo.tar.gz", "foo.py"])
                .current_dir(&bad)
                .status()
                .unwrap()
                .success()
        );
        std::fs::remove_file(bad.join("foo.py")).unwrap();
        let bad_py = d.path().join("bad_py");
        copy_dir(&bad, &bad_py);
        let (code, err) = in_toto_verify(&bad_py);
        assert_eq!(
            code, 1,
            "{envelope}/{layout_envelope}: in-toto-verify accepted a changed product: {err}"
        );
        assert!(err.contains("DISALLOW"), "{err}");
        let (code, text) = verify(&bad, "root.layout", Path::new("alice.pub"), None);
        assert_eq!(code, 1, "{text}");
        assert!(
            text.contains("inspection 'untar'")
                && text.contains("DISALLOW *")
                && text.contains("foo.tar.gz"),
            "{text}"
        );
    }
}

#[test]
fn statement_links_and_record_start_stop() {
    // links as in-toto Statements (link predicate v0.3) verify with us
    let d = record_chain("statement", "metablock");
    let f = d.path().join("final");
    let link = std::fs::read_dir(&f)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_str().unwrap().contains("write-code"))
        .unwrap();
    let env: serde_json::Value = serde_json::from_slice(&std::fs::read(&link).unwrap()).unwrap();
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(
        st["predicateType"],
        "https://in-toto.io/attestation/link/v0.3"
    );
    assert_eq!(st["subject"][0]["name"], "foo.py");
    let (code, text) = verify(&f, "root.layout", Path::new("alice.pub"), None);
    assert_eq!(code, 0, "{text}");
    // the unfinished link is gone after stop
    assert!(std::fs::read_dir(d.path().join("work")).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_str()
            .unwrap()
            .ends_with("-unfinished")
    }));
}

#[test]
fn every_intoto_command_has_examples_and_bad_input_exits_2() {
    let d = tempfile::tempdir().unwrap();
    for cmd in [
        vec!["intoto", "verify"],
        vec!["intoto", "run"],
        vec!["intoto", "record"],
        vec!["intoto", "record", "start"],
        vec!["intoto", "record", "stop"],
        vec!["intoto", "layout"],
        vec!["intoto", "layout", "new"],
        vec!["intoto", "layout", "sign"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let out = palisade(d.path()).args(&args).output().unwrap();
        assert!(out.status.success(), "{cmd:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Examples:"),
            "{cmd:?}"
        );
    }
    palisade(d.path())
        .args(["key", "generate", "--type", "ed25519", "--out", "k", "-q"])
        .assert()
        .success();
    std::fs::write(
        d.path().join("bad.layout"),
        b"{\"signed\": {\"_type\": \"layout\"}, \"signatures\": []}",
    )
    .unwrap();
    let out = palisade(d.path())
        .args([
            "intoto",
            "verify",
            "--layout",
            "bad.layout",
            "--layout-key",
            "k.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.layout") && err.contains("$.signed.expires"),
        "{err}"
    );
    // a link file is not overwritten without --force
    palisade(d.path())
        .args(["intoto", "run", "--step", "s", "--key", "k", "-x", "-q"])
        .assert()
        .success();
    palisade(d.path())
        .args(["intoto", "run", "--step", "s", "--key", "k", "-x", "-q"])
        .assert()
        .code(2);
    // --force overwrites; same input, same bytes (ed25519 signatures are deterministic)
    let mut seen = Vec::new();
    for _ in 0..2 {
        palisade(d.path())
            .args([
                "intoto", "run", "--step", "s", "--key", "k", "-x", "-q", "--force",
            ])
            .assert()
            .success();
        seen.push(the_link(d.path()));
    }
    let (a, b) = (&seen[0], &seen[1]);
    assert_eq!(a, b);
}

/// The bytes of the one link file in `dir`.
fn the_link(dir: &Path) -> Vec<u8> {
    let name = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .find(|n| n.to_str().unwrap().ends_with(".link"))
        .unwrap();
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn gpg_links_and_a_gpg_signed_layout_from_python_in_toto() {
    let base = shared("vectors/in-toto/python-in-toto");
    let mut files: Vec<PathBuf> = std::fs::read_dir(base.join("demo_files_gpg"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(base.join("demo_files/alice"));
    files.push(base.join("demo_files/alice.pub"));
    // 1. links signed with GnuPG (RSA subkey fingerprints in the layout), layout signed by us
    let (d, _) = python_demo_dir(&files);
    sign_template(d.path());
    let (code, text) = verify(d.path(), "root.layout", Path::new("alice.pub"), None);
    assert_eq!(code, 0, "{text}");
    // a GPG-signed link edited after signing no longer counts
    let link = d.path().join("write-code.8288ef56.link");
    let edited = std::fs::read_to_string(&link)
        .unwrap()
        .replace("74dc3727", "00dc3727");
    std::fs::write(&link, edited).unwrap();
    let (code, text) = verify(d.path(), "root.layout", Path::new("alice.pub"), None);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("step 'write-code'") && text.contains("GPG signature"),
        "{text}"
    );

    // 2. the layout signed with GnuPG by Python's in-toto-sign, verified with our keyring reader
    let (d, _) = python_demo_dir(&files);
    let home = tempfile::Builder::new()
        .prefix("g")
        .tempdir_in("/tmp")
        .unwrap();
    copy_dir(&base.join("gpg_keyrings/rsa"), home.path());
    std::fs::set_permissions(
        home.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let mut l: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("demo.layout.template")).unwrap())
            .unwrap();
    l["signed"]["expires"] = "2036-01-01T00:00:00Z".into();
    std::fs::write(
        d.path().join("root.layout"),
        serde_json::to_vec(&l).unwrap(),
    )
    .unwrap();
    let owner = "8465A1E2E0FB2B40ADB2478E18FB3F537E0C8A17";
    let signed = StdCommand::new(peers_venv().join("bin/in-toto-sign"))
        .args(["-f", "root.layout", "--gpg", owner, "--gpg-home"])
        .arg(home.path())
        .current_dir(d.path())
        .output()
        .expect("in-toto-sign is missing: run scripts/install-peers.sh");
    // the gpg-agent that signing started goes with the test's keyring
    let _ = StdCommand::new("gpgconf")
        .arg("--homedir")
        .arg(home.path())
        .args(["--kill", "all"])
        .status();
    assert!(
        signed.status.success(),
        "in-toto-sign --gpg (needs gpg): {}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let ring = base.join("gpg_keyrings/rsa/pubring.gpg");
    // (exit code, stdout) of our verify with GPG layout key `gpg` and extra arguments
    let gpg_verify = |gpg: &str, extra: &[&str]| {
        let out = palisade(d.path())
            .args(["intoto", "verify", "--layout", "root.layout", "--gpg", gpg])
            .args(extra)
            .arg("--gpg-keyring")
            .arg(&ring)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = gpg_verify(owner, &[]);
    assert_eq!(code, Some(0), "{text}");
    // another key of the keyring did not sign it
    let (code, text) = gpg_verify("7B3ABB26B97B655AB9296BD15B0BD02E1C768C43", &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("layout signatures"), "{text}");
    // we add an ordinary signature to the GPG-signed layout and keep the GPG one
    palisade(d.path())
        .args([
            "intoto",
            "layout",
            "sign",
            "--key",
            "alice",
            "root.layout",
            "-q",
        ])
        .assert()
        .success();
    let (code, text) = gpg_verify(owner, &["--layout-key", "alice.pub"]);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn run_shows_the_command_output_while_it_runs_and_records_it() {
    use std::io::{BufRead, BufReader};
    let d = tempfile::tempdir().unwrap();
    palisade(d.path())
        .args(["key", "generate", "--type", "ed25519", "--out", "k", "-q"])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("palisade");
    let mut child = std::process::Command::new(bin)
        .current_dir(d.path())
        .args(["intoto", "run", "--step", "build", "--key", "k", "-q", "--"])
        .args(["sh", "-c", "echo first; sleep 4; echo second"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "first\n");
    // the first line arrived while the step is still running
    assert!(
        child.try_wait().unwrap().is_none(),
        "output only shown at the end"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert_eq!(rest, "second\n");
    assert!(child.wait().unwrap().success());
    let link: serde_json::Value = serde_json::from_slice(&the_link(d.path())).unwrap();
    assert_eq!(link["signed"]["byproducts"]["stdout"], "first\nsecond\n");
}

/// A private GnuPG home under /tmp (gpg-agent's socket path must stay short), with the
/// agent stopped when dropped.
struct GpgHome(tempfile::TempDir);

impl GpgHome {
    fn new(from: Option<&Path>) -> GpgHome {
        let home = tempfile::Builder::new()
            .prefix("g")
            .tempdir_in("/tmp")
            .unwrap();
        if let Some(f) = from {
            copy_dir(f, home.path());
        }
        std::fs::set_permissions(
            home.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        GpgHome(home)
    }
    fn gpg(&self, args: &[&str]) -> Vec<u8> {
        let out = StdCommand::new("gpg")
            .arg("--homedir")
            .arg(self.0.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg (Debian gnupg) is missing: run scripts/install-peers.sh");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = StdCommand::new("gpgconf")
            .arg("--homedir")
            .arg(self.0.path())
            .args(["--kill", "all"])
            .status();
    }
}

#[test]
fn dsa_and_eddsa_gpg_layouts_signed_by_python_in_toto() {
    let dsa = GpgHome::new(Some(&shared(
        "vectors/in-toto/python-in-toto/gpg_keyrings/dsa",
    )));
    let ed = GpgHome::new(None);
    ed.gpg(&[
        "--quick-gen-key",
        "Ed Signer <ed@example.org>",
        "ed25519",
        "sign",
        "never",
    ]);
    let listing = String::from_utf8(ed.gpg(&["--with-colons", "--list-keys"])).unwrap();
    let ed_fpr = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    let d = tempfile::tempdir().unwrap();
    // the Ed25519 keyring is ASCII-armoured; the DSA one is GnuPG's binary pubring.gpg
    std::fs::write(
        d.path().join("ed.asc"),
        ed.gpg(&["--export", "--armor", &ed_fpr]),
    )
    .unwrap();
    let cases = [
        (
            "dsa",
            &dsa,
            "C242A830DAAF1C2BEF604A9EF033A3A3E267B3B1".to_string(),
            dsa.0.path().join("pubring.gpg"),
        ),
        ("eddsa", &ed, ed_fpr.clone(), d.path().join("ed.asc")),
    ];
    for (name, home, fpr, ring) in cases {
        let layout = format!("{name}.layout");
        std::fs::write(
            d.path().join(&layout),
            r#"{"signed": {"_type": "layout", "expires": "2036-01-01T00:00:00Z", "keys": {},
               "steps": [], "inspect": [], "readme": "signed with GnuPG"}, "signatures": []}"#,
        )
        .unwrap();
        let signed = StdCommand::new(peers_venv().join("bin/in-toto-sign"))
            .args(["-f", &layout, "--gpg", &fpr, "--gpg-home"])
            .arg(home.0.path())
            .current_dir(d.path())
            .output()
            .expect("in-toto-sign is missing: run scripts/install-peers.sh");
        assert!(
            signed.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&signed.stderr)
        );
        // Python's own record of the key (securesystemslib's dict) as a layout key file
        let export = "import json,sys; from securesystemslib._gpg.functions import export_pubkey; \
             json.dump(export_pubkey(sys.argv[1], homedir=sys.argv[2]), open(sys.argv[3], 'w'))";
        let ok = StdCommand::new(peer_python())
            .args(["-c", export, fpr.as_str()])
            .arg(home.0.path())
            .arg(d.path().join(format!("{name}.key.json")))
            .status()
            .unwrap();
        assert!(ok.success(), "{name}: export_pubkey");
        let run = |layout: &str, key: &[&str]| {
            let out = palisade(d.path())
                .args(["intoto", "verify", "--layout", layout])
                .args(key)
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        };
        let by_ring = ["--gpg", &fpr[30..], "--gpg-keyring", ring.to_str().unwrap()];
        let key_file = format!("{name}.key.json");
        let by_dict = ["--layout-key", key_file.as_str()];
        for key in [&by_ring[..], &by_dict[..]] {
            let (code, text) = run(&layout, key);
            assert_eq!(code, Some(0), "{name} {key:?}: {text}");
        }
        // the same layout changed after signing is refused, by keyring and by dict
        let tampered = std::fs::read_to_string(d.path().join(&layout))
            .unwrap()
            .replace("signed with GnuPG", "signed with GnuPG!");
        std::fs::write(d.path().join("tampered.layout"), tampered).unwrap();
        for key in [&by_ring[..], &by_dict[..]] {
            let (code, text) = run("tampered.layout", key);
            assert_eq!(code, Some(1), "{name} {key:?}: {text}");
            assert!(text.contains("layout signatures"), "{text}");
        }
    }
}
