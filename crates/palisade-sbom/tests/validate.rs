//! Validation of suppliers' SBOMs: what real tools write (syft, cyclonedx-python-lib,
//! and our own generator) is valid in every version and encoding; broken documents fail
//! naming the place.
//!
//! syft and cyclonedx-python-lib come from the peers' venv (`scripts/peers-sbom.sh`); a
//! missing peer fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_sbom::{Project, SbomFormat, Validation, validate};
use palisade_testkit::{peer_python, peer_script, peers_venv, shared};
use serde_json::{Value, json};

fn valid(v: &Validation, what: &str) {
    assert!(v.checked, "{what}: not checked ({})", v.against);
    assert!(
        v.violations.is_empty(),
        "{what} ({}): {:#?}",
        v.against,
        &v.violations[..v.violations.len().min(10)]
    );
}

fn of(path: &Path) -> Validation {
    validate(&std::fs::read(path).expect("read")).expect("an SBOM")
}

/// syft scans a directory of real lockfiles (npm v3, poetry, Cargo) and writes every
/// format and version it has.
fn syft_outputs(dir: &Path) -> Vec<PathBuf> {
    let syft = peers_venv().join("bin/syft");
    assert!(
        syft.exists(),
        "{} missing: run scripts/peers-sbom.sh",
        syft.display()
    );
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for (from, to) in [
        (
            "lockfiles/npm/trivy-package-lock_v3.json",
            "package-lock.json",
        ),
        ("lockfiles/python/trivy-poetry_flask.lock", "poetry.lock"),
        ("lockfiles/rust/trivy-cargo_v3.lock", "Cargo.lock"),
    ] {
        std::fs::copy(shared(from), src.join(to)).expect("copy");
    }
    let outputs = [
        ("cyclonedx-json@1.4", "c14.json"),
        ("cyclonedx-json@1.5", "c15.json"),
        ("cyclonedx-json@1.6", "c16.json"),
        ("cyclonedx-xml@1.4", "c14.xml"),
        ("cyclonedx-xml@1.5", "c15.xml"),
        ("cyclonedx-xml@1.6", "c16.xml"),
        ("spdx-json@2.2", "s22.json"),
        ("spdx-json@2.3", "s23.json"),
        ("spdx-tag-value@2.2", "s22.spdx"),
        ("spdx-tag-value@2.3", "s23.spdx"),
    ];
    let mut cmd = Command::new(&syft);
    cmd.arg("scan")
        .arg(format!("dir:{}", src.display()))
        .arg("-q");
    for (f, name) in outputs {
        cmd.arg("-o")
            .arg(format!("{f}={}", dir.join(name).display()));
    }
    let out = cmd
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .expect("syft runs");
    assert!(
        out.status.success(),
        "syft: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.iter().map(|(_, n)| dir.join(n)).collect()
}

#[test]
fn syft_sboms_are_valid_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = syft_outputs(dir.path());
    for f in &files {
        let v = of(f);
        valid(&v, &f.display().to_string());
        // Not vacuous: each lists the scanned packages.
        let s = palisade_sbom::summarize(&std::fs::read(f).expect("read")).expect("reads");
        assert!(s.components > 20, "{}: {}", f.display(), s.components);
    }
    let against: Vec<String> = files.iter().map(|f| of(f).against).collect();
    assert_eq!(
        against,
        [
            "CycloneDX 1.4 JSON schema",
            "CycloneDX 1.5 JSON schema",
            "CycloneDX 1.6 JSON schema",
            "CycloneDX 1.4 XML (namespace and components)",
            "CycloneDX 1.5 XML (namespace and components)",
            "CycloneDX 1.6 XML (namespace and components)",
            "SPDX-2.2 JSON schema",
            "SPDX-2.3 JSON schema",
            "SPDX-2.2 tag-value (mandatory fields)",
            "SPDX-2.3 tag-value (mandatory fields)",
        ]
    );
}

#[test]
fn witness_vectors_written_by_syft_are_valid() {
    for f in ["sbom.cdx.json", "sbom.spdx.json"] {
        valid(&of(&shared(&format!("vectors/witness/test/{f}"))), f);
    }
}

#[test]
fn cyclonedx_python_lib_sboms_are_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = peer_script(env!("CARGO_MANIFEST_DIR"), "cdx_write.py");
    let out = Command::new(peer_python())
        .arg(&script)
        .arg(dir.path())
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for v in ["1.4", "1.5", "1.6"] {
        for ext in ["json", "xml"] {
            let f = dir.path().join(format!("bom-{v}.{ext}"));
            let got = of(&f);
            valid(&got, &f.display().to_string());
            assert!(got.against.starts_with(&format!("CycloneDX {v}")));
        }
    }
}

fn own_sbom(format: SbomFormat) -> Vec<u8> {
    let lock =
        palisade_lockfile::parse_file(&shared("lockfiles/php/trivy-composer_happy.lock"), None)
            .expect("parses");
    let sbom = palisade_sbom::assemble(
        Project {
            name: "p".into(),
            version: Some("1.0.0".into()),
        },
        &mut [("composer.lock".into(), lock)],
    );
    palisade_sbom::write(&sbom, format, "2026-11-25T00:00:00Z")
}

#[test]
fn own_sboms_are_valid_and_spdx3_is_not_schema_checked() {
    valid(
        &validate(&own_sbom(SbomFormat::CycloneDxJson)).expect("json"),
        "cdx",
    );
    valid(
        &validate(&own_sbom(SbomFormat::SpdxJson)).expect("json"),
        "spdx",
    );
    let v = validate(&own_sbom(SbomFormat::Spdx3Json)).expect("json");
    assert!(!v.checked && v.violations.is_empty(), "{v:?}");
}

/// Violations of the JSON document `v` as `(path, message)`.
fn violations(v: &Value) -> Vec<(String, String)> {
    validate(&serde_json::to_vec(v).expect("json"))
        .expect("an SBOM")
        .violations
        .into_iter()
        .map(|x| (x.path, x.message))
        .collect()
}

fn has(vs: &[(String, String)], path: &str, word: &str) {
    assert!(
        vs.iter().any(|(p, m)| p == path && m.contains(word)),
        "no violation at {path} mentioning {word:?}: {vs:#?}"
    );
}

/// cyclonedx-python-lib's strict JSON validator on a CycloneDX 1.6 document.
fn python_lib_accepts(v: &Value) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bom.json");
    std::fs::write(&f, serde_json::to_vec(v).expect("json")).expect("write");
    let script = "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\nsys.exit(0 if JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read()) is None else 1)";
    let out = Command::new(peer_python())
        .args(["-c", script])
        .arg(&f)
        .output()
        .expect("python");
    match out.status.code() {
        Some(0) => true,
        Some(1) => false,
        _ => panic!("validator failed: {}", String::from_utf8_lossy(&out.stderr)),
    }
}

#[test]
fn broken_cyclonedx_json_names_the_path() {
    let mut v: Value = serde_json::from_slice(&own_sbom(SbomFormat::CycloneDxJson)).expect("json");
    assert!(violations(&v).is_empty());
    assert!(python_lib_accepts(&v));
    // Wrong type, missing required field, bad enum, unknown property.
    v["components"][0]["version"] = json!(5);
    v["components"][1]
        .as_object_mut()
        .expect("object")
        .remove("name");
    v["components"][2]["type"] = json!("gizmo");
    v["components"][3]["colour"] = json!("red");
    v["serialNumber"] = json!("not-a-uuid");
    let vs = violations(&v);
    // The official validator agrees that it is invalid.
    assert!(
        !python_lib_accepts(&v),
        "cyclonedx-python-lib accepts the broken SBOM"
    );
    has(&vs, "/components/0/version", "string");
    has(&vs, "/components/1", "name");
    has(&vs, "/components/2/type", "\"gizmo\" is not one of");
    has(&vs, "/components/3", "colour");
    has(&vs, "/serialNumber", "");
    // Each version has its own schema: `cryptographic-asset` is 1.6 only.
    let mut v: Value = serde_json::from_slice(&own_sbom(SbomFormat::CycloneDxJson)).expect("json");
    v["components"][0]["type"] = json!("cryptographic-asset");
    assert!(violations(&v).is_empty());
    v["specVersion"] = json!("1.5");
    v.as_object_mut().expect("object").remove("$schema");
    has(&violations(&v), "/components/0/type", "");
    v["specVersion"] = json!("1.3");
    has(&violations(&v), "/specVersion", "no embedded schema");
}

#[test]
fn broken_spdx_json_names_the_path() {
    let mut v: Value = serde_json::from_slice(&own_sbom(SbomFormat::SpdxJson)).expect("json");
    assert!(violations(&v).is_empty());
    v["packages"][0]
        .as_object_mut()
        .expect("object")
        .remove("downloadLocation");
    v["packages"][1]["filesAnalyzed"] = json!("yes");
    v["relationships"][0]["relationshipType"] = json!("LIKES");
    v.as_object_mut().expect("object").remove("creationInfo");
    let vs = violations(&v);
    has(&vs, "/packages/0", "downloadLocation");
    has(&vs, "/packages/1/filesAnalyzed", "boolean");
    has(&vs, "/relationships/0/relationshipType", "");
    has(&vs, "", "creationInfo");
    // The 2.2 schema for 2.2 documents: `primaryPackagePurpose` is new in 2.3.
    let mut v: Value = serde_json::from_slice(&own_sbom(SbomFormat::SpdxJson)).expect("json");
    v["packages"][0]["primaryPackagePurpose"] = json!("LIBRARY");
    assert!(violations(&v).is_empty());
    v["spdxVersion"] = json!("SPDX-2.2");
    has(&violations(&v), "/packages/0", "primaryPackagePurpose");
}

#[test]
fn broken_tag_value_names_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = syft_outputs(dir.path())
        .into_iter()
        .find(|p| p.ends_with("s23.spdx"))
        .expect("tag-value");
    let text = std::fs::read_to_string(&f).expect("read");
    valid(&validate(text.as_bytes()).expect("reads"), "syft tag-value");
    let first_pkg = text
        .lines()
        .position(|l| l.starts_with("PackageName:"))
        .expect("a package")
        + 1;
    let broken: String = text
        .lines()
        .filter(|l| !l.starts_with("DocumentNamespace:"))
        .map(|l| {
            if l.starts_with("DataLicense:") {
                "DataLicense: MIT".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    // The first package loses its download location (lines shift by the one removed).
    let mut lines: Vec<&str> = broken.lines().collect();
    let dl = lines
        .iter()
        .position(|l| l.starts_with("PackageDownloadLocation:"))
        .expect("download location");
    lines.remove(dl);
    let v = validate(lines.join("\n").as_bytes()).expect("reads");
    let vs: Vec<(String, String)> = v
        .violations
        .into_iter()
        .map(|x| (x.path, x.message))
        .collect();
    has(&vs, "line 1", "DocumentNamespace");
    has(
        &vs,
        &format!("line {}", first_pkg - 1),
        "PackageDownloadLocation",
    );
    assert!(
        vs.iter().any(|(_, m)| m.contains("DataLicense \"MIT\"")),
        "{vs:?}"
    );
}

#[test]
fn broken_cyclonedx_xml_names_the_element() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = peer_script(env!("CARGO_MANIFEST_DIR"), "cdx_write.py");
    let out = Command::new(peer_python())
        .arg(&script)
        .arg(dir.path())
        .output()
        .expect("python");
    assert!(out.status.success());
    let text = std::fs::read_to_string(dir.path().join("bom-1.5.xml")).expect("read");
    let broken = text
        .replacen(
            "<component type=\"library\"",
            "<component type=\"gizmo\"",
            1,
        )
        .replacen("<name>lodash</name>", "", 1)
        .replacen("alg=\"SHA-256\"", "alg=\"SHA-257\"", 1);
    let v = validate(broken.as_bytes()).expect("reads");
    let vs: Vec<(String, String)> = v
        .violations
        .into_iter()
        .map(|x| (x.path, x.message))
        .collect();
    has(&vs, "/bom/components[1]/component[1]/@type", "gizmo");
    has(&vs, "/bom/components[1]/component[2]", "no <name>");
    has(
        &vs,
        "/bom/components[1]/component[1]/hashes[1]/hash[1]/@alg",
        "SHA-257",
    );
    let v = validate(
        text.replace(
            "cyclonedx.org/schema/bom/1.5",
            "cyclonedx.org/schema/bom/1.1",
        )
        .as_bytes(),
    )
    .expect("reads");
    assert!(
        v.violations[0]
            .message
            .contains("not CycloneDX 1.4, 1.5 or 1.6"),
        "{v:?}"
    );
}

#[test]
fn not_an_sbom_is_an_error_and_garbage_never_panics() {
    assert!(validate(b"{\"x\": 1}").is_err());
    assert!(validate(b"{\"bomFormat\": \"CycloneDX\"").is_err());
    for junk in [
        &b"<bom"[..],
        b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><components><component>",
        b"SPDXVersion: SPDX-2.3\nPackageName: x\nPackageComment: <text>never closed",
        b"<",
    ] {
        let v = validate(junk).expect("textual SBOMs always give violations");
        assert!(
            !v.violations.is_empty(),
            "{:?}",
            String::from_utf8_lossy(junk)
        );
    }
}
