//! Interop with Python securesystemslib (and pyca/cryptography), both ways, for every key
//! type: key ids agree, what Palisade signs securesystemslib verifies, what
//! securesystemslib signs Palisade verifies. The peer is installed by
//! scripts/install-peers.sh; a missing peer fails these tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use palisade_testkit::{peer_ok, peer_script, run_peer};

const TYPES: [&str; 6] = [
    "ed25519",
    "ecdsa-p256",
    "ecdsa-p384",
    "ecdsa-p521",
    "rsa-3072",
    "rsa-4096",
];
const PASS: &str = "correct horse battery staple";

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir).env_remove("PALISADE_PASSPHRASE");
    c
}

fn script() -> std::path::PathBuf {
    peer_script(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        "sslib_peer.py",
    )
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn palisade_keys_and_signatures_are_accepted_by_securesystemslib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("payload.txt"), "release 1.2.3\n").unwrap();
    for t in TYPES {
        let name = format!("pal-{t}");
        // encrypted PKCS#8 that pyca/cryptography must decrypt
        let ours = stdout(
            palisade(d)
                .args(["key", "generate", "--type", t, "--out", &name, "--encrypt"])
                .env("PALISADE_PASSPHRASE", PASS),
        );
        let ours = ours.trim();
        let theirs_pub = peer_ok(&script(), &["keyid", &format!("{name}.pub")], &[], d);
        let theirs_priv = peer_ok(
            &script(),
            &["keyid", &name],
            &[("PALISADE_PASSPHRASE", PASS)],
            d,
        );
        assert_eq!(ours, theirs_pub.trim(), "{t}: key id of the public key");
        assert_eq!(
            ours,
            theirs_priv.trim(),
            "{t}: key id of the encrypted private key"
        );
        assert_eq!(
            stdout(palisade(d).args(["key", "id", &format!("{name}.pub")])).trim(),
            ours
        );

        let env_path = format!("{name}.dsse.json");
        palisade(d)
            .args([
                "dsse",
                "sign",
                "--key",
                &name,
                "--payload-type",
                "text/plain",
                "--out",
                &env_path,
                "payload.txt",
            ])
            .env("PALISADE_PASSPHRASE", PASS)
            .assert()
            .success();
        let ok = peer_ok(
            &script(),
            &["verify", &env_path, &format!("{name}.pub")],
            &[],
            d,
        );
        assert_eq!(ok.trim(), format!("OK {ours}"), "{t}");

        // tampering must make the peer refuse (so the check above can fail)
        let mut env: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(&env_path)).unwrap()).unwrap();
        env["payloadType"] = "text/html".into();
        std::fs::write(d.join("tampered.json"), env.to_string()).unwrap();
        let out = run_peer(
            &script(),
            &["verify", "tampered.json", &format!("{name}.pub")],
            &[],
            d,
        );
        assert!(
            !out.status.success(),
            "{t}: the peer accepted a tampered envelope"
        );
    }
}

#[test]
fn securesystemslib_keys_and_signatures_are_accepted_by_palisade() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("payload.txt"), "hello from python\n").unwrap();
    for t in TYPES {
        let name = format!("py-{t}");
        let theirs = peer_ok(
            &script(),
            &["genkey", t, &name],
            &[("PALISADE_PASSPHRASE", PASS)],
            d,
        );
        let theirs = theirs.trim();
        // their encrypted PKCS#8 (BestAvailableEncryption), their SPKI PEM, their OpenSSH line
        assert_eq!(
            stdout(palisade(d).args(["key", "id", &format!("{name}.pub")])).trim(),
            theirs,
            "{t}"
        );
        assert_eq!(
            stdout(palisade(d).args(["key", "id", &format!("{name}.ssh.pub")])).trim(),
            theirs,
            "{t} (OpenSSH)"
        );
        assert_eq!(
            stdout(
                palisade(d)
                    .args(["key", "id", &name])
                    .env("PALISADE_PASSPHRASE", PASS)
            )
            .trim(),
            theirs,
            "{t} (encrypted private key)"
        );
        let env = peer_ok(
            &script(),
            &["sign", &name, "text/plain", "payload.txt"],
            &[("PALISADE_PASSPHRASE", PASS)],
            d,
        );
        std::fs::write(d.join("theirs.json"), &env).unwrap();
        palisade(d)
            .args([
                "dsse",
                "verify",
                "--key",
                &format!("{name}.pub"),
                "--payload-out",
                "out.txt",
                "theirs.json",
            ])
            .assert()
            .success();
        assert_eq!(
            std::fs::read(d.join("out.txt")).unwrap(),
            b"hello from python\n"
        );
        // their OpenSSH public key verifies too
        palisade(d)
            .args([
                "dsse",
                "verify",
                "--key",
                &format!("{name}.ssh.pub"),
                "theirs.json",
            ])
            .assert()
            .success();
        // and a signature over another payload type does not
        let mut v: serde_json::Value = serde_json::from_str(&env).unwrap();
        v["payloadType"] = "text/other".into();
        std::fs::write(d.join("theirs-tampered.json"), v.to_string()).unwrap();
        palisade(d)
            .args([
                "dsse",
                "verify",
                "--key",
                &format!("{name}.pub"),
                "theirs-tampered.json",
            ])
            .assert()
            .code(1);
    }
}

#[test]
fn rsa_schemes_agree_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p"), "x").unwrap();
    palisade(d)
        .args(["key", "generate", "--type", "rsa-3072", "--out", "r"])
        .assert()
        .success();
    for scheme in [
        "rsassa-pss-sha256",
        "rsassa-pss-sha384",
        "rsassa-pss-sha512",
        "rsa-pkcs1v15-sha256",
        "rsa-pkcs1v15-sha384",
        "rsa-pkcs1v15-sha512",
    ] {
        let ours = stdout(palisade(d).args(["key", "id", "--scheme", scheme, "r.pub"]));
        let theirs = peer_ok(&script(), &["keyid", "r.pub", "--scheme", scheme], &[], d);
        assert_eq!(ours.trim(), theirs.trim(), "{scheme}");
        // ours -> theirs
        let env = stdout(palisade(d).args([
            "dsse",
            "sign",
            "--key",
            "r",
            "--scheme",
            scheme,
            "--payload-type",
            "t",
            "p",
        ]));
        std::fs::write(d.join("e.json"), env).unwrap();
        peer_ok(
            &script(),
            &["verify", "e.json", "r.pub", "--scheme", scheme],
            &[],
            d,
        );
        // theirs -> ours
        let env = peer_ok(
            &script(),
            &["sign", "r", "t", "p", "--scheme", scheme],
            &[],
            d,
        );
        std::fs::write(d.join("e2.json"), env).unwrap();
        palisade(d)
            .args([
                "dsse", "verify", "--scheme", scheme, "--key", "r.pub", "e2.json",
            ])
            .assert()
            .success();
    }
}

#[test]
fn attestations_are_dsse_that_securesystemslib_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.tar.gz"), b"\x1f\x8b not really").unwrap();
    palisade(d)
        .args(["key", "generate", "--type", "ecdsa-p256", "--out", "k"])
        .assert()
        .success();
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.tar.gz",
            "--predicate-type",
            "https://example.com/review/v1",
            "--predicate",
            "{\"ok\":true}",
            "--key",
            "k",
            "--bundle",
            "b.intoto.jsonl",
        ])
        .assert()
        .success();
    let line = std::fs::read_to_string(d.join("b.intoto.jsonl")).unwrap();
    std::fs::write(d.join("env.json"), line.trim()).unwrap();
    peer_ok(
        &script(),
        &[
            "verify",
            "env.json",
            "k.pub",
            "--payload-out",
            "statement.json",
        ],
        &[],
        d,
    );
    let st: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("statement.json")).unwrap()).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://example.com/review/v1");
    assert_eq!(st["subject"][0]["name"], "app.tar.gz");
    let bytes = std::fs::read(d.join("app.tar.gz")).unwrap();
    assert_eq!(
        st["subject"][0]["digest"]["sha256"],
        palisade_keys::sha256_hex(&bytes)
    );
    assert_eq!(
        st["subject"][0]["digest"]["sha512"],
        palisade_keys::sha512_hex(&bytes)
    );
}

#[test]
fn ecdsa_signatures_equal_openssl_deterministic_ones() {
    // RFC 6979: the same key and message give OpenSSL's signature, byte for byte
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p"), "deterministic\n").unwrap();
    for t in ["ecdsa-p256", "ecdsa-p384", "ecdsa-p521"] {
        palisade(d)
            .args(["key", "generate", "--type", t, "--out", t, "-q"])
            .assert()
            .success();
        for payload_type in ["text/plain", "application/vnd.in-toto+json"] {
            let env = stdout(palisade(d).args([
                "dsse",
                "sign",
                "--key",
                t,
                "--payload-type",
                payload_type,
                "p",
            ]));
            let env: serde_json::Value = serde_json::from_str(&env).unwrap();
            let theirs = peer_ok(&script(), &["detsign", t, payload_type, "p"], &[], d);
            assert_eq!(
                env["signatures"][0]["sig"].as_str().unwrap(),
                theirs.trim(),
                "{t}"
            );
        }
    }
}
