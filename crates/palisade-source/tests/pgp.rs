//! OpenPGP verdicts against keys made by GnuPG (with `--faked-system-time`): signing
//! subkeys, key expiry, revocation, committer binding, tampering.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use palisade_source::object::Ident;
use palisade_source::{AllowedSigners, Policy, Revoked, Verdict, load_pgp};

fn gpg(home: &Path, time: &str, args: &[&str]) -> Vec<u8> {
    let o = Command::new("gpg")
        .env("GNUPGHOME", home)
        .args([
            "--batch",
            "--yes",
            "--passphrase",
            "",
            "--pinentry-mode",
            "loopback",
        ])
        .args(["--faked-system-time", &format!("{time}!")])
        .args(args)
        .output()
        .expect("gpg (Debian package gnupg) is needed");
    assert!(
        o.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn fingerprints(home: &Path) -> Vec<String> {
    let out = gpg(home, "20240101T000200", &["--list-keys", "--with-colons"]);
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("fpr:"))
        .map(|l| l.split(':').nth(9).unwrap().to_string())
        .collect()
}

fn check(
    home: &Path,
    dir: &Path,
    payload: &[u8],
    sig: &[u8],
    email: &str,
) -> palisade_source::Outcome {
    let ring = dir.join("ring.asc");
    std::fs::write(
        &ring,
        gpg(home, "20240301T000000", &["--armor", "--export"]),
    )
    .unwrap();
    let mut p = Policy::new(AllowedSigners::default(), Revoked::default());
    p.pgp = Some(load_pgp(&ring).unwrap());
    let ident = Ident {
        name: "x".into(),
        email: email.into(),
        time: 1_706_745_600,
    };
    p.check(payload, Some(sig), Some(&ident))
}

#[test]
fn subkeys_expiry_revocation_binding() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("gnupg");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    gpg(
        &home,
        "20240101T000000",
        &[
            "--quick-gen-key",
            "Pat <pat@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
    );
    let primary = fingerprints(&home)[0].clone();
    gpg(
        &home,
        "20240101T000100",
        &["--quick-add-key", &primary, "ed25519", "sign", "never"],
    );
    let sub = fingerprints(&home)[1].clone();
    let payload = t.path().join("payload");
    std::fs::write(&payload, b"tree 0000\n\ncommit message\n").unwrap();
    let p = payload.to_str().unwrap();
    let sign = |time: &str, key: &str| {
        gpg(
            &home,
            time,
            &[
                "--armor",
                "--detach-sign",
                "-u",
                &format!("{key}!"),
                "-o",
                "-",
                p,
            ],
        )
    };
    let by_sub = sign("20240201T000000", &sub);
    let early = sign("20240105T000000", &primary);
    let body = std::fs::read(&payload).unwrap();

    // A signing subkey is found through its primary key; the committer is bound.
    let o = check(&home, t.path(), &body, &by_sub, "pat@example.com");
    assert_eq!(o.verdict, Verdict::Good, "{o:?}");
    assert_eq!(o.key.as_deref(), Some(sub.as_str()));
    assert_eq!(o.signer.as_deref(), Some("pat@example.com"));
    let o = check(&home, t.path(), &body, &by_sub, "eve@example.com");
    assert_eq!(o.verdict, Verdict::KeyNotAllowedForCommitter, "{o:?}");
    let o = check(
        &home,
        t.path(),
        b"tree 0000\n\nedited\n",
        &by_sub,
        "pat@example.com",
    );
    assert_eq!(o.verdict, Verdict::BadSignature, "{o:?}");

    // Expiry set on 2024-01-10 to one day: the February signature is outside the key's
    // life, the one from January 5th is not.
    gpg(
        &home,
        "20240110T000000",
        &["--quick-set-expire", &primary, "1d"],
    );
    let o = check(&home, t.path(), &body, &by_sub, "pat@example.com");
    assert_eq!(o.verdict, Verdict::OutsideValidityWindow, "{o:?}");
    let o = check(&home, t.path(), &body, &early, "pat@example.com");
    assert_eq!(o.verdict, Verdict::Good, "{o:?}");

    // The revocation certificate GnuPG made at generation, imported: revoked.
    let rev =
        std::fs::read_to_string(home.join(format!("openpgp-revocs.d/{primary}.rev"))).unwrap();
    let rev = rev.replace(
        ":-----BEGIN PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----",
    );
    let rev_path = t.path().join("rev.asc");
    std::fs::write(&rev_path, rev).unwrap();
    gpg(
        &home,
        "20240120T000000",
        &["--import", rev_path.to_str().unwrap()],
    );
    let o = check(&home, t.path(), &body, &early, "pat@example.com");
    assert_eq!(o.verdict, Verdict::Revoked, "{o:?}");

    // A key not in the keyring.
    let other = t.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::set_permissions(&other, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    gpg(
        &other,
        "20240101T000000",
        &[
            "--quick-gen-key",
            "Oz <oz@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
    );
    let oz = gpg(
        &other,
        "20240201T000000",
        &["--armor", "--detach-sign", "-o", "-", p],
    );
    let o = check(&home, t.path(), &body, &oz, "oz@example.com");
    assert_eq!(o.verdict, Verdict::UnknownKey, "{o:?}");
}

#[test]
fn keyring_errors_name_the_problem() {
    assert!(palisade_source::pgp::Keyring::parse(b"not a key").is_err());
    assert!(palisade_source::pgp::Keyring::parse(&[0xff; 10]).is_err());
}
