//! Verification edge cases through the library: sublayouts, parameter substitution,
//! thresholds, expiry, inspections with a timeout, command alignment warnings, links
//! that name another step, several layout keys.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use palisade_intoto::{
    EnvelopeKind, Failure, IntotoError, Link, Metadata, VerifyOptions, link_file_name, verify,
};
use palisade_keys::{KeyAlgorithm, PrivateKey};
use serde_json::json;

fn key() -> PrivateKey {
    PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap()
}

fn sslib(k: &PrivateKey) -> serde_json::Value {
    let mut v = k.public_key().to_sslib_value().to_serde_json().unwrap();
    v["keyid"] = json!(k.public_key().keyid());
    v
}

fn rule(r: &str) -> serde_json::Value {
    json!(r.split(' ').collect::<Vec<_>>())
}

fn arts(list: &[(&str, &str)]) -> palisade_intoto::Artifacts {
    list.iter()
        .map(|(p, h)| {
            (
                p.to_string(),
                BTreeMap::from([("sha256".to_string(), h.to_string())]).into(),
            )
        })
        .collect()
}

fn write_link(
    dir: &Path,
    step: &str,
    k: &PrivateKey,
    m: &[(&str, &str)],
    p: &[(&str, &str)],
    command: &[&str],
) {
    let mut l = Link::new(step);
    l.materials = arts(m);
    l.products = arts(p);
    l.command = command.iter().map(|s| s.to_string()).collect();
    let bytes = Metadata::sign_value(&l.to_value(), EnvelopeKind::Metablock, &[k]).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join(link_file_name(step, k.public_key().keyid())),
        bytes,
    )
    .unwrap();
}

fn layout_md(layout: serde_json::Value, owners: &[&PrivateKey], kind: EnvelopeKind) -> Metadata {
    let v = palisade_cjson::from_serde_json(&layout).unwrap();
    let bytes = Metadata::sign_value(&v, kind, owners).unwrap();
    Metadata::from_bytes(&bytes, "layout").unwrap()
}

fn opts(dir: &Path, owners: &[&PrivateKey]) -> VerifyOptions {
    VerifyOptions {
        layout_keys: owners
            .iter()
            .map(|k| palisade_intoto::LayoutKey::Key(k.public_key().clone()))
            .collect(),
        layout_threshold: None,
        link_dir: dir.to_path_buf(),
        params: None,
        inspection_timeout: Duration::from_secs(10),
        now: palisade_intoto::time::parse_utc("2030-01-01T00:00:00Z").unwrap(),
        work_dir: Some(dir.to_path_buf()),
    }
}

fn failure(r: Result<palisade_intoto::Report, IntotoError>) -> Failure {
    match r {
        Err(IntotoError::Verification(f)) => f,
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

fn step(
    name: &str,
    keys: &[&PrivateKey],
    threshold: usize,
    mats: &[&str],
    prods: &[&str],
) -> serde_json::Value {
    json!({
        "_type": "step", "name": name, "threshold": threshold,
        "pubkeys": keys.iter().map(|k| k.public_key().keyid()).collect::<Vec<_>>(),
        "expected_command": [],
        "expected_materials": mats.iter().map(|r| rule(r)).collect::<Vec<_>>(),
        "expected_products": prods.iter().map(|r| rule(r)).collect::<Vec<_>>(),
    })
}

fn layout(keys: &[&PrivateKey], steps: Vec<serde_json::Value>, expires: &str) -> serde_json::Value {
    let mut km = serde_json::Map::new();
    for k in keys {
        km.insert(k.public_key().keyid().to_string(), sslib(k));
    }
    json!({"_type": "layout", "expires": expires, "readme": "", "keys": km, "steps": steps, "inspect": []})
}

#[test]
fn sublayout_is_verified_recursively_with_the_functionarys_key() {
    let d = tempfile::tempdir().unwrap();
    let (owner, sub_owner, dev) = (key(), key(), key());
    // the sublayout, signed by the functionary of step "build"
    let sub = layout(
        &[&dev],
        vec![step(
            "compile",
            &[&dev],
            1,
            &[],
            &["CREATE app", "DISALLOW *"],
        )],
        "2036-01-01T00:00:00Z",
    );
    let subv = palisade_cjson::from_serde_json(&sub).unwrap();
    let bytes = Metadata::sign_value(&subv, EnvelopeKind::Metablock, &[&sub_owner]).unwrap();
    std::fs::write(
        d.path()
            .join(link_file_name("build", sub_owner.public_key().keyid())),
        bytes,
    )
    .unwrap();
    let sub_dir = d
        .path()
        .join(format!("build.{}", &sub_owner.public_key().keyid()[..8]));
    write_link(&sub_dir, "compile", &dev, &[], &[("app", "A")], &[]);
    write_link(d.path(), "ship", &owner, &[("app", "A")], &[], &[]);
    let root = layout(
        &[&sub_owner, &owner],
        vec![
            step(
                "build",
                &[&sub_owner],
                1,
                &[],
                &["CREATE app", "DISALLOW *"],
            ),
            step(
                "ship",
                &[&owner],
                1,
                &["MATCH app WITH PRODUCTS FROM build", "DISALLOW *"],
                &[],
            ),
        ],
        "2036-01-01T00:00:00Z",
    );
    let md = layout_md(root.clone(), &[&owner], EnvelopeKind::Dsse);
    let report = verify(&md, &opts(d.path(), &[&owner])).unwrap();
    assert!(report.summary.materials.is_empty());
    // the sublayout's own link breaks its rule → the failure names both levels
    write_link(
        &sub_dir,
        "compile",
        &dev,
        &[],
        &[("app", "A"), ("junk", "J")],
        &[],
    );
    let f = failure(verify(&md, &opts(d.path(), &[&owner])));
    let text = f.to_string();
    assert!(matches!(f, Failure::Sublayout { .. }), "{text}");
    assert!(
        text.contains("step 'build'") && text.contains("step 'compile'") && text.contains("junk"),
        "{text}"
    );
}

#[test]
fn parameters_are_substituted_in_rules() {
    let d = tempfile::tempdir().unwrap();
    let (owner, f1) = (key(), key());
    write_link(d.path(), "s", &f1, &[], &[("pkg-1.2.tar.gz", "A")], &[]);
    let l = layout(
        &[&f1],
        vec![step(
            "s",
            &[&f1],
            1,
            &[],
            &["CREATE pkg-{VERSION}.tar.gz", "DISALLOW *"],
        )],
        "2036-01-01T00:00:00Z",
    );
    let md = layout_md(l, &[&owner], EnvelopeKind::Metablock);
    let mut o = opts(d.path(), &[&owner]);
    // without substitution the braces stay and the rule does not match
    assert!(matches!(failure(verify(&md, &o)), Failure::Rule { .. }));
    o.params = Some(BTreeMap::from([("VERSION".to_string(), "1.2".to_string())]));
    verify(&md, &o).unwrap();
    o.params = Some(BTreeMap::from([("OTHER".to_string(), "x".to_string())]));
    assert!(matches!(verify(&md, &o), Err(IntotoError::Parameter(_))));
}

#[test]
fn thresholds_count_distinct_valid_functionaries_that_agree() {
    let d = tempfile::tempdir().unwrap();
    let (owner, a, b, outsider) = (key(), key(), key(), key());
    let l = layout(
        &[&a, &b],
        vec![step("review", &[&a, &b], 2, &[], &[])],
        "2036-01-01T00:00:00Z",
    );
    let md = layout_md(l, &[&owner], EnvelopeKind::Metablock);
    write_link(d.path(), "review", &a, &[("x", "1")], &[], &[]);
    // b's file signed by someone else does not count
    let mut lk = Link::new("review");
    lk.materials = arts(&[("x", "1")]);
    let forged =
        Metadata::sign_value(&lk.to_value(), EnvelopeKind::Metablock, &[&outsider]).unwrap();
    std::fs::write(
        d.path()
            .join(link_file_name("review", b.public_key().keyid())),
        forged,
    )
    .unwrap();
    let f = failure(verify(&md, &opts(d.path(), &[&owner])));
    assert!(
        matches!(
            f,
            Failure::Threshold {
                valid: 1,
                threshold: 2,
                ..
            }
        ),
        "{f}"
    );
    // b's link for another step name does not count either
    write_link(d.path(), "other", &b, &[("x", "1")], &[], &[]);
    std::fs::rename(
        d.path()
            .join(link_file_name("other", b.public_key().keyid())),
        d.path()
            .join(link_file_name("review", b.public_key().keyid())),
    )
    .unwrap();
    assert!(
        failure(verify(&md, &opts(d.path(), &[&owner])))
            .to_string()
            .contains("is for step 'other'")
    );
    // both valid but disagreeing
    write_link(d.path(), "review", &b, &[("x", "2")], &[], &[]);
    assert!(matches!(
        failure(verify(&md, &opts(d.path(), &[&owner]))),
        Failure::DifferentArtifacts { .. }
    ));
    write_link(d.path(), "review", &b, &[("x", "1")], &[], &[]);
    verify(&md, &opts(d.path(), &[&owner])).unwrap();
}

#[test]
fn expiry_reads_now_and_layout_keys_all_sign_by_default() {
    let d = tempfile::tempdir().unwrap();
    let (o1, o2, f) = (key(), key(), key());
    write_link(d.path(), "s", &f, &[], &[], &["make"]);
    let mut st = step("s", &[&f], 1, &[], &[]);
    st["expected_command"] = json!(["make", "all"]);
    let l = layout(&[&f], vec![st], "2030-06-01T00:00:00Z");
    let md = layout_md(l, &[&o1], EnvelopeKind::Metablock);
    let mut o = opts(d.path(), &[&o1]);
    let report = verify(&md, &o).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("ran 'make'") && w.contains("'make all'")),
        "{:?}",
        report.warnings
    );
    o.now = palisade_intoto::time::parse_utc("2030-06-01T00:00:01Z").unwrap();
    assert!(matches!(
        failure(verify(&md, &o)),
        Failure::LayoutExpired { .. }
    ));
    // two layout keys given, one signed: Python's rule (all) fails, a threshold of 1 passes
    let mut o2k = opts(d.path(), &[&o1, &o2]);
    assert!(matches!(
        failure(verify(&md, &o2k)),
        Failure::LayoutSignature {
            valid: 1,
            threshold: 2,
            ..
        }
    ));
    o2k.layout_threshold = Some(1);
    verify(&md, &o2k).unwrap();
}

#[test]
fn inspections_time_out_and_must_return_zero() {
    let d = tempfile::tempdir().unwrap();
    let owner = key();
    let mut l = layout(&[], vec![], "2036-01-01T00:00:00Z");
    l["inspect"] = json!([{"_type": "inspection", "name": "slow", "run": ["sleep", "5"], "expected_materials": [], "expected_products": []}]);
    let md = layout_md(l.clone(), &[&owner], EnvelopeKind::Metablock);
    let mut o = opts(d.path(), &[&owner]);
    o.inspection_timeout = Duration::from_millis(300);
    let f = failure(verify(&md, &o));
    assert!(
        f.to_string().contains("inspection 'slow'") && f.to_string().contains("timed out"),
        "{f}"
    );
    l["inspect"][0]["run"] = json!(["false"]);
    let md = layout_md(l.clone(), &[&owner], EnvelopeKind::Metablock);
    assert!(failure(verify(&md, &o)).to_string().contains("returned 1"));
    // an inspection sees the work directory: CREATE on its products
    l["inspect"][0]["run"] = json!(["touch", "made"]);
    l["inspect"][0]["expected_products"] = json!([rule("CREATE made"), rule("DISALLOW *")]);
    let md = layout_md(l, &[&owner], EnvelopeKind::Metablock);
    verify(&md, &o).unwrap();
}

#[test]
fn malformed_documents_name_file_and_place() {
    let e = Metadata::from_bytes(
        br#"{"signed": {"_type": "link", "name": 3}, "signatures": []}"#,
        "x.link",
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "x.link: at $.signed.name: expected a string");
    let e = Metadata::from_bytes(br#"{"signed": {"_type": "layout", "expires": "2036-01-01T00:00:00Z", "steps": [{"name": "a", "expected_products": [["MATCH", "x"]]}]}, "signatures": []}"#, "r.layout").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("r.layout: at $.signed.steps[0].expected_products[0]:"),
        "{e}"
    );
    let e = Metadata::from_bytes(b"{\"signed\": 1.5, \"signatures\": []}", "f").unwrap_err();
    assert!(e.to_string().contains("f: at $"), "{e}");
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(Metadata::from_bytes(deep.as_bytes(), "deep").is_err());
}
