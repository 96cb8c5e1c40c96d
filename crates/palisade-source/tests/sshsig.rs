//! SSHSIG made by `ssh-keygen -Y sign` for every key type git users have (Ed25519,
//! ECDSA P-256/384/521, RSA with rsa-sha2-512), both hash algorithms, and certificates
//! issued by `ssh-keygen -s` (validity, principals, unknown CA).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use palisade_source::object::Ident;
use palisade_source::sshsig::SshSig;
use palisade_source::{AllowedSigners, Policy, Revoked, Verdict};

fn keygen(args: &[&str]) {
    let o = Command::new("ssh-keygen")
        .args(args)
        .output()
        .expect("ssh-keygen (openssh-client)");
    assert!(
        o.status.success(),
        "ssh-keygen {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn sign(key: &Path, ns: &str, file: &Path, extra: &[&str]) -> Vec<u8> {
    let _ = std::fs::remove_file(file.with_extension("txt.sig"));
    let mut args = vec!["-q", "-Y", "sign", "-n", ns, "-f", key.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    keygen(&args);
    std::fs::read(file.with_extension("txt.sig")).unwrap()
}

#[test]
fn every_key_type_and_hash() {
    let t = tempfile::tempdir().unwrap();
    let msg = t.path().join("m.txt");
    std::fs::write(&msg, b"tree 1\n\nmessage\n").unwrap();
    for (ty, bits) in [
        ("ed25519", ""),
        ("ecdsa", "256"),
        ("ecdsa", "384"),
        ("ecdsa", "521"),
        ("rsa", "3072"),
    ] {
        let key = t.path().join(format!("{ty}{bits}"));
        let mut a = vec!["-q", "-t", ty, "-N", "", "-f", key.to_str().unwrap()];
        if !bits.is_empty() {
            a.extend(["-b", bits]);
        }
        keygen(&a);
        for hash in ["sha512", "sha256"] {
            let sig = sign(&key, "git", &msg, &["-O", &format!("hashalg={hash}")]);
            let s = SshSig::from_armor(&sig).unwrap();
            assert_eq!(s.hash_alg, hash);
            s.verify("git", b"tree 1\n\nmessage\n")
                .unwrap_or_else(|e| panic!("{ty}{bits} {hash}: {e}"));
            assert!(
                s.verify("git", b"tree 1\n\nmessagE\n").is_err(),
                "{ty}{bits}"
            );
            assert!(
                s.verify("file", b"tree 1\n\nmessage\n").is_err(),
                "{ty}{bits}"
            );
        }
    }
}

#[test]
fn certificates_window_principals_and_ca() {
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    for k in ["ca", "other-ca", "user"] {
        keygen(&[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            p(k).to_str().unwrap(),
        ]);
    }
    let ca_pub = std::fs::read_to_string(p("ca.pub")).unwrap();
    let ca_pub: Vec<&str> = ca_pub.split_whitespace().collect();
    let policy_text = format!(
        "*@example.com cert-authority,namespaces=\"git\" {} {}\n",
        ca_pub[0], ca_pub[1]
    );
    let policy = Policy::new(
        AllowedSigners::parse(policy_text.as_bytes()).unwrap(),
        Revoked::default(),
    );
    let msg = p("m.txt");
    std::fs::write(&msg, b"payload\n").unwrap();
    let payload = b"payload\n";
    let cert_sig = |ca: &str, principals: &str, validity: &str| {
        let _ = std::fs::remove_file(p("user-cert.pub"));
        keygen(&[
            "-q",
            "-s",
            p(ca).to_str().unwrap(),
            "-I",
            "uid",
            "-n",
            principals,
            "-V",
            validity,
            p("user.pub").to_str().unwrap(),
        ]);
        // ssh-keygen signs with the certificate when given it (the private key beside it).
        sign(&p("user-cert.pub"), "git", &msg, &[])
    };
    let at = |email: &str, time: i64| Ident {
        name: "u".into(),
        email: email.into(),
        time,
    };
    let jan15 = 1_705_312_800; // 2024-01-15T10:00:00Z

    let sig = cert_sig("ca", "u@example.com", "20240101:20240201");
    let o = policy.check(payload, Some(&sig), Some(&at("u@example.com", jan15)));
    assert_eq!(o.verdict, Verdict::Good, "{o:?}");
    assert_eq!(o.signer.as_deref(), Some("u@example.com"));
    // Committer time after the certificate expired.
    let o = policy.check(
        payload,
        Some(&sig),
        Some(&at("u@example.com", jan15 + 40 * 86400)),
    );
    assert_eq!(o.verdict, Verdict::OutsideValidityWindow, "{o:?}");
    // The committer is not the certificate's principal.
    let o = policy.check(payload, Some(&sig), Some(&at("v@example.com", jan15)));
    assert_eq!(o.verdict, Verdict::KeyNotAllowedForCommitter, "{o:?}");
    // The principal is outside the CA line's pattern.
    let sig = cert_sig("ca", "u@evil.test", "20240101:20240201");
    let o = policy.check(payload, Some(&sig), Some(&at("u@evil.test", jan15)));
    assert_eq!(o.verdict, Verdict::KeyNotAllowedForCommitter, "{o:?}");
    // Issued by a CA the policy does not list.
    let sig = cert_sig("other-ca", "u@example.com", "20240101:20240201");
    let o = policy.check(payload, Some(&sig), Some(&at("u@example.com", jan15)));
    assert_eq!(o.verdict, Verdict::UnknownKey, "{o:?}");
    // The CA itself revoked.
    let sig = cert_sig("ca", "u@example.com", "20240101:20240201");
    let mut revoking = policy.clone();
    revoking.revoked = Revoked::parse(std::fs::read(p("ca.pub")).unwrap().as_slice()).unwrap();
    let o = revoking.check(payload, Some(&sig), Some(&at("u@example.com", jan15)));
    assert_eq!(o.verdict, Verdict::Revoked, "{o:?}");
}

#[test]
fn malformed_signatures_are_bad_not_panics() {
    let policy = Policy::new(AllowedSigners::default(), Revoked::default());
    for sig in [
        &b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n"[..],
        b"-----BEGIN SSH SIGNATURE-----\n!!!\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
        b"-----BEGIN SSH SIGNATURE-----\nAAAAAAAAAAAA\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN PGP SIGNATURE-----\n\n=abcd\n-----END PGP SIGNATURE-----\n",
    ] {
        let o = policy.check(b"x", Some(sig), None);
        assert!(
            matches!(o.verdict, Verdict::BadSignature | Verdict::Unsupported),
            "{o:?}"
        );
    }
    let o = policy.check(b"x", Some(b"-----BEGIN SIGNED MESSAGE-----\nMII=\n"), None);
    assert_eq!(o.verdict, Verdict::Unsupported);
    assert!(o.reason.contains("X.509"));
}
