//! The DSSE spec's own vector and the envelopes made from it in ../shared/vectors/dsse.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use palisade_dsse::{Envelope, pae};
use palisade_keys::{PrivateKey, PublicKey};
use palisade_testkit::shared;

fn facts() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(shared("vectors/dsse/facts.json")).unwrap()).unwrap()
}

#[test]
fn pae_matches_the_spec() {
    let f = facts();
    let p = pae(
        f["payloadType"].as_str().unwrap(),
        f["body_utf8"].as_str().unwrap().as_bytes(),
    );
    assert_eq!(p, f["pae_utf8"].as_str().unwrap().as_bytes());
    assert_eq!(
        palisade_keys::sha256_hex(&p),
        f["pae_sha256"].as_str().unwrap()
    );
}

#[test]
fn deterministic_ecdsa_reproduces_the_spec_signature() {
    let f = facts();
    let key = PrivateKey::parse(
        &std::fs::read(shared("vectors/dsse/hello_world.key.pem")).unwrap(),
        None,
    )
    .unwrap();
    let env = Envelope::sign("http://example.com/HelloWorld", b"hello world", &[&key]).unwrap();
    // RFC 6979 makes the signature a known answer: the spec's, DER-encoded.
    assert_eq!(env.signatures[0].sig, f["sig_der_b64"].as_str().unwrap());
    let pem_pub = PublicKey::parse(
        &std::fs::read(shared("vectors/dsse/hello_world.pub.pem")).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(pem_pub.keyid(), key.public_key().keyid());
}

#[test]
fn shared_envelopes_verify_or_fail_as_labelled() {
    let key = PublicKey::parse(
        &std::fs::read(shared("vectors/dsse/hello_world.pub.pem")).unwrap(),
        None,
    )
    .unwrap();
    let dir = shared("vectors/dsse");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".dsse.json") {
            continue;
        }
        seen += 1;
        let env = Envelope::from_json(&std::fs::read(&path).unwrap()).unwrap();
        let result = env.verify(std::slice::from_ref(&key), 1);
        if name.contains("_fail") {
            assert!(result.is_err(), "{name} must fail");
        } else {
            let v = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(v.payload, b"hello world");
            assert_eq!(v.signers, vec![key.keyid().to_string()]);
        }
    }
    assert_eq!(seen, 5);
    // raw r||s of the spec verifies too
    let raw = STANDARD
        .decode(facts()["sig_raw_r_s_b64"].as_str().unwrap())
        .unwrap();
    key.verify(&pae("http://example.com/HelloWorld", b"hello world"), &raw)
        .unwrap();
}
