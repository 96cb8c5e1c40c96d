//! The command line end to end: conventions (help, exit codes, no overwrite, atomic
//! writes, determinism) and the bad inputs the trust core must refuse cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use palisade_testkit::shared;
use predicates::prelude::*;

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir).env_remove("PALISADE_PASSPHRASE");
    c
}

fn genkey(dir: &Path, t: &str, name: &str) {
    palisade(dir)
        .args(["key", "generate", "--type", t, "--out", name, "-q"])
        .assert()
        .success();
}

#[test]
fn help_lists_commands_and_every_command_has_an_example() {
    let d = tempfile::tempdir().unwrap();
    palisade(d.path()).arg("--help").assert().success().stdout(
        predicate::str::contains("key")
            .and(predicate::str::contains("dsse"))
            .and(predicate::str::contains("attest")),
    );
    for cmd in [
        vec!["key", "generate"],
        vec!["key", "id"],
        vec!["dsse", "sign"],
        vec!["dsse", "verify"],
        vec!["attest"],
        vec!["attest", "verify"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        palisade(d.path())
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example").and(predicate::str::contains("palisade ")));
    }
    palisade(d.path())
        .args(["key", "frobnicate"])
        .assert()
        .code(2);
    palisade(d.path())
        .args(["key", "generate", "--type", "dsa", "--out", "x"])
        .assert()
        .code(2);
}

#[test]
fn generate_writes_private_0600_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = palisade(d)
        .args(["key", "generate", "--type", "ed25519", "--out", "k"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let keyid = String::from_utf8(out.stdout).unwrap();
    assert_eq!(keyid.trim().len(), 64);
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote k"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(d.join("k")).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(d.join("k.pub"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o644
        );
    }
    let before = std::fs::read(d.join("k")).unwrap();
    palisade(d)
        .args(["key", "generate", "--type", "ed25519", "--out", "k"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already exists").and(predicate::str::contains("--force")),
        );
    assert_eq!(std::fs::read(d.join("k")).unwrap(), before);
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "k", "--force", "--quiet",
        ])
        .assert()
        .success()
        .stderr("");
    assert_ne!(std::fs::read(d.join("k")).unwrap(), before);
    assert!(
        std::fs::read_to_string(d.join("k"))
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    // no temporary files left
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 2);
}

#[test]
fn encrypted_keys_need_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    palisade(d)
        .args([
            "key",
            "generate",
            "--type",
            "ecdsa-p256",
            "--out",
            "k",
            "--encrypt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PALISADE_PASSPHRASE"));
    assert!(!d.join("k").exists());
    palisade(d)
        .args([
            "key",
            "generate",
            "--type",
            "ecdsa-p256",
            "--out",
            "k",
            "--encrypt",
            "-q",
        ])
        .env("PALISADE_PASSPHRASE", "pw")
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(d.join("k"))
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    );
    std::fs::write(d.join("f"), "x").unwrap();
    palisade(d)
        .args(["dsse", "sign", "--key", "k", "--payload-type", "t", "f"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PALISADE_PASSPHRASE"));
    palisade(d)
        .args(["dsse", "sign", "--key", "k", "--payload-type", "t", "f"])
        .env("PALISADE_PASSPHRASE", "wrong")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("k: could not decrypt"));
    palisade(d)
        .args(["dsse", "sign", "--key", "k", "--payload-type", "t", "f"])
        .env("PALISADE_PASSPHRASE", "pw")
        .assert()
        .success();
}

#[test]
fn key_ids_of_json_keys_and_legacy_keytypes() {
    let d = tempfile::tempdir().unwrap();
    palisade(d.path())
        .args(["key", "id"])
        .arg(shared(
            "vectors/in-toto/python-in-toto/demo_files/danny.pub",
        ))
        .assert()
        .success()
        .stdout("36a5529f72cf3b1cc096a28887350969212f9d6c46529658ab186fc0cb781699\n");
    // the legacy keytype "ecdsa-sha2-nistp256" is read, and is part of the id
    let pem = std::fs::read_to_string(shared("vectors/dsse/hello_world.pub.pem")).unwrap();
    let legacy = serde_json::json!({"keytype": "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": pem}});
    std::fs::write(d.path().join("legacy.json"), legacy.to_string()).unwrap();
    let out = palisade(d.path())
        .args(["key", "id", "--format", "json", "legacy.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["keytype"], "ecdsa-sha2-nistp256");
    let expected = palisade_keys::sha256_hex(&palisade_cjson::to_vec(&legacy).unwrap());
    assert_eq!(v["keyid"], expected.as_str());
    // and it verifies the spec's envelope
    palisade(d.path())
        .args(["dsse", "verify", "--key", "legacy.json"])
        .arg(shared("vectors/dsse/hello_world.dsse.json"))
        .assert()
        .success();
}

#[test]
fn dsse_spec_vectors_through_the_cli() {
    let d = tempfile::tempdir().unwrap();
    let key = shared("vectors/dsse/hello_world.pub.pem");
    for (name, code) in [
        ("hello_world.dsse.json", 0),
        ("hello_world.der-sig.dsse.json", 0),
        ("hello_world.urlsafe-sig.dsse.json", 0),
        ("hello_world.tampered-payload_fail.dsse.json", 1),
        ("hello_world.tampered-type_fail.dsse.json", 1),
    ] {
        palisade(d.path())
            .args(["dsse", "verify", "--key"])
            .arg(&key)
            .arg(shared(&format!("vectors/dsse/{name}")))
            .assert()
            .code(code);
    }
}

#[test]
fn dsse_threshold_counts_distinct_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (t, n) in [("ed25519", "a"), ("ecdsa-p384", "b"), ("rsa-3072", "c")] {
        genkey(d, t, n);
    }
    std::fs::write(d.join("p"), "payload").unwrap();
    palisade(d)
        .args([
            "dsse",
            "sign",
            "--key",
            "a",
            "--key",
            "b",
            "--key",
            "a",
            "--payload-type",
            "t",
            "--out",
            "e.json",
            "p",
            "-q",
        ])
        .assert()
        .success();
    let v = |args: &[&str]| {
        palisade(d)
            .args(["dsse", "verify"])
            .args(args)
            .arg("e.json")
            .assert()
    };
    v(&[
        "--key",
        "a.pub",
        "--key",
        "b.pub",
        "--key",
        "c.pub",
        "--threshold",
        "2",
    ])
    .success();
    v(&[
        "--key",
        "a.pub",
        "--key",
        "b.pub",
        "--key",
        "c.pub",
        "--threshold",
        "3",
    ])
    .code(1)
    .stderr(predicate::str::contains("2 of the required 3"));
    // a signed twice: still one key; the same key given twice: still one key
    v(&["--key", "a.pub", "--key", "a.pub", "--threshold", "2"]).code(1);
    // unknown key ids (b's signature when only a is trusted) are skipped, not fatal
    v(&["--key", "a.pub"]).success();
    v(&["--key", "c.pub"])
        .code(1)
        .stderr(predicate::str::contains("unknown key id"));
    let out = palisade(d)
        .args([
            "dsse", "verify", "--format", "json", "--key", "b.pub", "--key", "a.pub", "e.json",
        ])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["verified"], true);
    assert_eq!(j["signers"].as_array().unwrap().len(), 2);
    v(&["--key", "a.pub", "--payload-type", "other"]).code(1);
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    genkey(d, "ed25519", "k");
    std::fs::write(d.join("p"), "payload").unwrap();
    // truncated PEM
    let pem = std::fs::read_to_string(d.join("k.pub")).unwrap();
    std::fs::write(d.join("cut.pub"), &pem[..pem.len() / 2]).unwrap();
    palisade(d)
        .args(["key", "id", "cut.pub"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.pub").and(predicate::str::contains("truncated")));
    // wrong key type for the scheme
    palisade(d)
        .args([
            "dsse",
            "sign",
            "--key",
            "k",
            "--scheme",
            "rsassa-pss-sha256",
            "--payload-type",
            "t",
            "p",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not fit a ed25519 key"));
    palisade(d)
        .args(["key", "id", "--scheme", "ecdsa-sha2-nistp256", "k.pub"])
        .assert()
        .code(2);
    // envelope with no signatures
    palisade(d)
        .args([
            "dsse",
            "sign",
            "--key",
            "k",
            "--payload-type",
            "t",
            "--out",
            "e.json",
            "p",
        ])
        .assert()
        .success();
    let mut env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("e.json")).unwrap()).unwrap();
    let good = env.clone();
    env["signatures"] = serde_json::json!([]);
    std::fs::write(d.join("nosig.json"), env.to_string()).unwrap();
    palisade(d)
        .args(["dsse", "verify", "--key", "k.pub", "nosig.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no signatures"));
    // a signature over a different payload type
    let mut other = good.clone();
    other["payloadType"] = "application/other".into();
    std::fs::write(d.join("othertype.json"), other.to_string()).unwrap();
    palisade(d)
        .args(["dsse", "verify", "--key", "k.pub", "othertype.json"])
        .assert()
        .code(1);
    // not an envelope / not JSON
    std::fs::write(d.join("junk.json"), "{\"payload\": 3}").unwrap();
    palisade(d)
        .args(["dsse", "verify", "--key", "k.pub", "junk.json"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("junk.json")
                .and(predicate::str::contains("not a DSSE envelope")),
        );
    // nothing half-written: --out refuses an existing file and keeps it whole
    std::fs::write(d.join("keep.json"), "precious").unwrap();
    palisade(d)
        .args([
            "dsse",
            "sign",
            "--key",
            "k",
            "--payload-type",
            "t",
            "--out",
            "keep.json",
            "p",
        ])
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(d.join("keep.json")).unwrap(),
        "precious"
    );
    // a key file that is a directory, a missing file
    palisade(d)
        .args(["key", "id", "missing.pub"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.pub"));
}

#[test]
fn attest_bundles_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    genkey(d, "ed25519", "a");
    genkey(d, "ecdsa-p256", "b");
    std::fs::write(d.join("app.bin"), "the artefact").unwrap();
    std::fs::write(d.join("other.bin"), "another artefact").unwrap();
    std::fs::write(d.join("pred.json"), "{\"builder\": {\"id\": \"local\"}}").unwrap();
    let attest = |extra: &[&str]| {
        palisade(d)
            .args([
                "attest",
                "--subject",
                "app.bin",
                "--predicate-type",
                "https://slsa.dev/provenance/v1",
                "--predicate",
                "pred.json",
                "-q",
            ])
            .args(extra)
            .assert()
    };
    attest(&["--key", "a", "--bundle", "b.jsonl"]).success();
    // the explicit `attest sign` form, two keys, to the same bundle
    palisade(d)
        .args([
            "attest",
            "sign",
            "--subject",
            "./app.bin",
            "--subject",
            "other.bin",
            "--predicate-type",
            "https://example.com/review/v1",
        ])
        .args([
            "--predicate",
            "{\"ok\": true}",
            "--key",
            "a",
            "--key",
            "b",
            "--bundle",
            "b.jsonl",
            "-q",
        ])
        .assert()
        .success();
    let bundle = std::fs::read_to_string(d.join("b.jsonl")).unwrap();
    assert_eq!(bundle.lines().count(), 2);
    let verify = |extra: &[&str]| {
        palisade(d)
            .args(["attest", "verify", "--bundle", "b.jsonl"])
            .args(extra)
            .assert()
    };
    verify(&["--subject", "app.bin", "--key", "a.pub"]).success();
    verify(&[
        "--subject",
        "app.bin",
        "--key",
        "a.pub",
        "--predicate-type",
        "https://slsa.dev/provenance/v1",
    ])
    .success();
    verify(&[
        "--subject",
        "other.bin",
        "--key",
        "a.pub",
        "--predicate-type",
        "https://slsa.dev/provenance/v1",
    ])
    .code(1);
    verify(&[
        "--subject",
        "other.bin",
        "--key",
        "a.pub",
        "--key",
        "b.pub",
        "--threshold",
        "2",
    ])
    .success();
    verify(&[
        "--subject",
        "app.bin",
        "--key",
        "b.pub",
        "--predicate-type",
        "https://slsa.dev/provenance/v1",
    ])
    .code(1)
    .stderr(predicate::str::contains("line 1"));
    verify(&["--subject", "pred.json", "--key", "a.pub"])
        .code(1)
        .stderr(predicate::str::contains("no subject"));
    // unknown lines are ignored, malformed ones reported with their number
    let mut with_noise = bundle.clone();
    with_noise.push_str(
        "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}\nthis is not json\n",
    );
    std::fs::write(d.join("b.jsonl"), &with_noise).unwrap();
    verify(&["--subject", "app.bin", "--key", "a.pub"])
        .success()
        .stderr(predicate::str::contains("b.jsonl:4: malformed line"));
    let out = palisade(d)
        .args([
            "attest",
            "verify",
            "--bundle",
            "b.jsonl",
            "--subject",
            "app.bin",
            "--key",
            "a.pub",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["verified"], true);
    assert_eq!(j["ignored"], serde_json::json!([3]));
    assert_eq!(j["malformed"][0]["line"], 4);
    assert_eq!(j["accepted"].as_array().unwrap().len(), 2);
    // a failed signing leaves the bundle as it was
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.bin",
            "--predicate-type",
            "https://e/x",
            "--predicate",
            "{\"a\":1}",
            "--key",
            "a.pub",
            "--bundle",
            "b.jsonl",
        ])
        .assert()
        .code(2);
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.bin",
            "--predicate-type",
            "https://e/x",
            "--predicate",
            "[1]",
            "--key",
            "a",
            "--bundle",
            "b.jsonl",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must be a JSON object"));
    assert_eq!(
        std::fs::read_to_string(d.join("b.jsonl")).unwrap(),
        with_noise
    );
}

#[test]
fn a_100_megabyte_bundle_line_is_reported_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    genkey(d, "ed25519", "a");
    std::fs::write(d.join("app.bin"), "x").unwrap();
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.bin",
            "--predicate-type",
            "https://e/p",
            "--predicate",
            "{}",
            "--key",
            "a",
            "--bundle",
            "b.jsonl",
            "-q",
        ])
        .assert()
        .success();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("b.jsonl"))
        .unwrap();
    use std::io::Write;
    let chunk = vec![b'A'; 1 << 20];
    f.write_all(b"{\"payload\":\"").unwrap();
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}\n").unwrap();
    drop(f);
    palisade(d)
        .args([
            "attest",
            "verify",
            "--bundle",
            "b.jsonl",
            "--subject",
            "app.bin",
            "--key",
            "a.pub",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "b.jsonl:2: malformed line: line is 104857615 bytes, more than the limit",
        ));
    // and with only the long line, verification fails (exit 1), without a panic
    palisade(d)
        .args([
            "attest",
            "verify",
            "--bundle",
            "b.jsonl",
            "--subject",
            "b.jsonl",
            "--key",
            "a.pub",
        ])
        .assert()
        .code(1);
}

#[test]
fn signing_is_deterministic_where_the_scheme_allows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.bin"), "x").unwrap();
    for t in ["ed25519", "ecdsa-p256", "ecdsa-p521"] {
        genkey(d, t, t);
        let run = || {
            palisade(d)
                .args([
                    "attest",
                    "--subject",
                    "app.bin",
                    "--predicate-type",
                    "https://e/p",
                    "--predicate",
                    "{\"b\":1,\"a\":[1,2]}",
                    "--key",
                    t,
                ])
                .output()
                .unwrap()
                .stdout
        };
        assert_eq!(run(), run(), "{t}");
    }
}

/// A reader that goes away (`palisade ... | head -1`) ends the command quietly with 141
/// (128 + SIGPIPE), not with a panic; a full disk on stdout is an error (exit 2).
#[test]
fn closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("palisade");
    let mut child = std::process::Command::new(&bin)
        .args(["secrets", "scan", "--format", "json", "--quiet"])
        .arg(shared("secrets"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte of the answer, then hang up.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");

    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = std::process::Command::new(&bin)
            .args(["secrets", "scan", "--format", "json", "--quiet"])
            .arg(shared("secrets"))
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("writing to standard output"), "{err}");
    }
}
