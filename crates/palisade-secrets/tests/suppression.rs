//! What is not reported: the four inline ignore markers, values encrypted with sops,
//! sealed-secrets and age; and what still is, next to them.

use palisade_secrets::Config;

fn token(tail: &str) -> String {
    format!("{}_{}", "ghp", tail)
}

fn found(text: &str) -> usize {
    let s = Config::default().scanner().expect("scanner");
    s.scan("config.yaml", text.as_bytes()).len()
}

#[test]
fn inline_markers_silence_their_line_only() {
    let t = token("R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo");
    for marker in [
        "palisade:allow",
        "gitleaks:allow",
        "pragma: allowlist secret",
        "trufflehog:ignore",
    ] {
        assert_eq!(found(&format!("a: {t} # {marker}\n")), 0, "{marker}");
        assert_eq!(
            found(&format!("# {marker}\na: {t}\n")),
            1,
            "{marker} on another line"
        );
    }
    assert_eq!(
        found(&format!("# pragma: allowlist nextline secret\na: {t}\n")),
        0
    );
    assert_eq!(found(&format!("a: {t}\n")), 1);
}

#[test]
fn encrypted_values_are_not_secrets() {
    // sops
    let sops = "db:\n    password: ENC[AES256_GCM,data:q8Zk3Jd0Lr7Wmv2P,iv:0Pw4Gk8oE1rV9mZ2hN5qXc==,tag:Rt6Yd3Lq8Vn1Zx4Bp7Jk0w==,type:str]\nsops:\n    mac: ENC[AES256_GCM,data:Hq4Wn9Ke2Rt7Yp3Ux8Ia5Sd1Fg6Jl0Zc2Vb7Nm4Qe8Wr3Ty6Ui9Op1As5Df2Gh,iv:Zp3L,tag:Qw2M,type:str]\n";
    assert_eq!(found(sops), 0);
    // sealed-secrets
    let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq8Zk3Jd0Lr7Wmv2PHq4Wn9Ke2Rt7Yp3Ux8Ia5Sd1Fg6Jl0Zc2Vb7Nm4Qe8Wr3Ty6Ui9Op1As5Df2Gh==\n    api_key: Zp3Lk8Qw2Mx7Nc4Vb9Hj6Gf1Ds5Ar0Te8YuIo1Pa2Sd3Fg4Hj5Kl6\n";
    assert_eq!(found(sealed), 0);
    // age armour
    let age = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBxOFprM0pkMExyN1dtdjJQ\ntoken: Zp3Lk8Qw2Mx7Nc4Vb9Hj6Gf1Ds5Ar0Te8YuIo1Pa2Sd3Fg4Hj5Kl6\n-----END AGE ENCRYPTED FILE-----\n";
    assert_eq!(found(age), 0);
    // The same plain value outside the armour is reported.
    let plain = format!(
        "{age}token = \"{}\"\n",
        token("Zp3Lk8Qw2Mx7Nc4Vb9Hj6Gf1Ds5Ar0Te8YuI")
    );
    assert_eq!(found(&plain), 1);
}
