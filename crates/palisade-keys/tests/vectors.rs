//! Keys from the peers' own test data: in-toto's PEM and JSON keys, python-tuf's keystore
//! and root metadata. Key ids must be what those projects recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_cjson::Value;
use palisade_keys::{KeyType, PrivateKey, PublicKey, Scheme};
use palisade_testkit::shared;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(shared(rel)).unwrap()
}

#[test]
fn in_toto_layout_key_ids() {
    // legacy keys: the id covers keyid_hash_algorithms too
    let layout = palisade_cjson::parse(&read(
        "vectors/in-toto/python-in-toto/demo_files/demo.layout.template",
    ))
    .unwrap();
    let Value::Object(keys) = layout.get("signed").unwrap().get("keys").unwrap() else {
        panic!()
    };
    assert!(keys.len() >= 2);
    for (id, key) in keys {
        let k = PublicKey::from_sslib_value(key).unwrap();
        assert_eq!(k.keyid(), id);
    }
}

#[test]
fn tuf_root_key_ids() {
    for rel in [
        "vectors/tuf/python-tuf/repository_data/repository/metadata/1.root.json",
        "vectors/tuf/tuf-conformance-static/tuf-on-ci-0.11/initial_root.json",
    ] {
        let root = palisade_cjson::parse(&read(rel)).unwrap();
        let Value::Object(keys) = root.get("signed").unwrap().get("keys").unwrap() else {
            panic!()
        };
        for (id, key) in keys {
            let k = PublicKey::from_sslib_value(key).unwrap_or_else(|e| panic!("{rel} {id}: {e}"));
            assert_eq!(k.keyid(), id, "{rel}");
        }
    }
}

#[test]
fn in_toto_json_private_key() {
    let danny = PrivateKey::parse(
        &read("vectors/in-toto/python-in-toto/demo_files/danny"),
        None,
    )
    .unwrap();
    assert_eq!(
        danny.public_key().keyid(),
        "36a5529f72cf3b1cc096a28887350969212f9d6c46529658ab186fc0cb781699"
    );
    let danny_pub = PublicKey::parse(
        &read("vectors/in-toto/python-in-toto/demo_files/danny.pub"),
        None,
    )
    .unwrap();
    assert_eq!(danny_pub.keyid(), danny.public_key().keyid());
    let sig = danny.sign(b"msg").unwrap();
    danny_pub.verify(b"msg", &sig).unwrap();
}

#[test]
fn in_toto_pems_plain_and_encrypted() {
    for (kind, kt) in [("rsa", "rsa"), ("ecdsa", "ecdsa"), ("ed25519", "ed25519")] {
        let dir = "vectors/in-toto/python-in-toto/pems";
        let plain = PrivateKey::parse(
            &read(&format!("{dir}/{kind}_private_unencrypted.pem")),
            None,
        )
        .unwrap();
        let enc_bytes = read(&format!("{dir}/{kind}_private_encrypted.pem"));
        assert!(PrivateKey::is_encrypted(&enc_bytes));
        assert!(matches!(
            PrivateKey::parse(&enc_bytes, None),
            Err(palisade_keys::KeyError::NeedPassphrase)
        ));
        let enc = match PrivateKey::parse(&enc_bytes, Some(b"hunter2")) {
            Ok(k) => k,
            Err(e) => {
                // the rsa and ecdsa files use PBES1 pbeWithMD5AndDES-CBC: refused, with a way out
                assert_ne!(kind, "ed25519");
                assert!(e.to_string().contains("legacy PBES1"), "{e}");
                assert!(e.to_string().contains("openssl pkcs8 -topk8"), "{e}");
                plain_clone(&plain)
            }
        };
        if kind == "ed25519" {
            assert!(matches!(
                PrivateKey::parse(&enc_bytes, Some(b"wrong")),
                Err(palisade_keys::KeyError::Decrypt)
            ));
        }
        let public = PublicKey::parse(&read(&format!("{dir}/{kind}_public.pem")), None).unwrap();
        assert_eq!(plain.public_key().keyid(), public.keyid());
        assert_eq!(enc.public_key().keyid(), public.keyid());
        assert_eq!(public.key_type().sslib_keytype(), kt);
        let sig = enc.sign(b"data").unwrap();
        public.verify(b"data", &sig).unwrap();
        assert!(public.verify(b"datA", &sig).is_err());
    }
}

#[test]
fn python_tuf_keystore_pkcs8() {
    let root = palisade_cjson::parse(&read(
        "vectors/tuf/python-tuf/repository_data/repository/metadata/1.root.json",
    ))
    .unwrap();
    let Value::Object(keys) = root.get("signed").unwrap().get("keys").unwrap() else {
        panic!()
    };
    for name in ["root_key", "targets_key", "snapshot_key", "timestamp_key"] {
        let k = PrivateKey::parse(
            &read(&format!(
                "vectors/tuf/python-tuf/repository_data/keystore/{name}"
            )),
            None,
        )
        .unwrap();
        // the root's key dict (with its scheme) verifies what the keystore key signs
        let found = keys
            .values()
            .filter_map(|v| PublicKey::from_sslib_value(v).ok())
            .any(|pk| {
                let mut signer =
                    PrivateKey::parse(k.to_pkcs8_pem(None).unwrap().as_bytes(), None).unwrap();
                pk.to_spki_der().unwrap() == k.public_key().to_spki_der().unwrap()
                    && signer.set_scheme(pk.scheme()).is_ok()
                    && pk.verify(b"m", &signer.sign(b"m").unwrap()).is_ok()
            });
        assert!(found, "{name} is not a key of 1.root.json");
    }
}

#[test]
fn scheme_must_fit_the_key() {
    let ed = PrivateKey::generate(palisade_keys::KeyAlgorithm::Ed25519).unwrap();
    let err = ed
        .public_key()
        .with_scheme("rsassa-pss-sha256".parse().unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "scheme rsassa-pss-sha256 does not fit a ed25519 key"
    );
    let p256 = PrivateKey::generate(palisade_keys::KeyAlgorithm::EcdsaP256).unwrap();
    assert!(
        p256.public_key()
            .with_scheme(Scheme::Ecdsa(palisade_keys::Curve::P384))
            .is_err()
    );
    assert_eq!(
        p256.public_key().key_type(),
        KeyType::Ecdsa(palisade_keys::Curve::P256)
    );
    assert!("rsa-pss".parse::<Scheme>().is_err());
}

#[test]
fn every_scheme_signs_and_verifies() {
    use palisade_keys::KeyAlgorithm as A;
    let rsa = PrivateKey::generate(A::Rsa3072).unwrap();
    for scheme in Scheme::ALL {
        let mut key = match scheme {
            Scheme::Ed25519 => PrivateKey::generate(A::Ed25519).unwrap(),
            Scheme::Ecdsa(palisade_keys::Curve::P256) => {
                PrivateKey::generate(A::EcdsaP256).unwrap()
            }
            Scheme::Ecdsa(palisade_keys::Curve::P384) => {
                PrivateKey::generate(A::EcdsaP384).unwrap()
            }
            Scheme::Ecdsa(palisade_keys::Curve::P521) => {
                PrivateKey::generate(A::EcdsaP521).unwrap()
            }
            _ => PrivateKey::parse(rsa.to_pkcs8_pem(None).unwrap().as_bytes(), None).unwrap(),
        };
        key.set_scheme(scheme).unwrap();
        let sig = key.sign(b"payload").unwrap();
        key.public_key()
            .verify(b"payload", &sig)
            .unwrap_or_else(|e| panic!("{scheme}: {e}"));
        assert!(
            key.public_key().verify(b"payloaD", &sig).is_err(),
            "{scheme}"
        );
        // the other RSA padding does not verify
        if let Scheme::RsaPss(_) = scheme {
            let other = key
                .public_key()
                .with_scheme("rsa-pkcs1v15-sha256".parse().unwrap())
                .unwrap();
            assert!(other.verify(b"payload", &sig).is_err());
        }
    }
}

#[test]
fn encrypted_roundtrip_and_bad_material() {
    let k = PrivateKey::generate(palisade_keys::KeyAlgorithm::EcdsaP384).unwrap();
    let pem = k.to_pkcs8_pem(Some(b"s3cret")).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    let back = PrivateKey::parse(pem.as_bytes(), Some(b"s3cret")).unwrap();
    assert_eq!(back.public_key().keyid(), k.public_key().keyid());
    let public_pem = k.public_key().to_pem().unwrap();
    // truncated PEM
    let cut = &public_pem[..public_pem.len() - 30];
    let err = PublicKey::parse(cut.as_bytes(), None).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    // garbage inside a valid PEM frame
    let garbage = palisade_keys::pem_encode("PUBLIC KEY", b"\x30\x03\x02\x01\x01");
    assert!(PublicKey::parse(garbage.as_bytes(), None).is_err());
    // a public key is not a signing key
    assert!(PrivateKey::parse(public_pem.as_bytes(), None).is_err());
    assert!(PublicKey::parse(b"hello", None).is_err());
    assert!(
        PublicKey::parse(
            b"{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"00\"}}",
            None
        )
        .is_err()
    );
}

fn plain_clone(k: &PrivateKey) -> PrivateKey {
    PrivateKey::parse(k.to_pkcs8_pem(None).unwrap().as_bytes(), None).unwrap()
}
