//! `palisade sbom …` end to end through the binary.

use std::path::{Path, PathBuf};

fn shared(p: &str) -> String {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles")
        .join(p)
        .display()
        .to_string()
}

/// Runs `palisade sbom ARGS`: exit 2 (usage or input error) becomes `Err(stderr)`.
fn run(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let out = assert_cmd::Command::cargo_bin("palisade")
        .expect("binary")
        .arg("sbom")
        .args(args)
        .output()
        .expect("runs");
    match out.status.code() {
        Some(2) => Err(anyhow::anyhow!(
            String::from_utf8_lossy(&out.stderr).into_owned()
        )),
        Some(c) => Ok(std::process::ExitCode::from(c as u8)),
        None => panic!("killed by a signal"),
    }
}

fn code(c: std::process::ExitCode) -> String {
    format!("{c:?}")
}

#[test]
fn generate_explicit_fixtures_both_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out: PathBuf = dir.path().join("bom.json");
    let out_s = out.display().to_string();
    let a = shared("yarn/trivy-yarn_happy.lock");
    let b = shared("go/scalibr-indirect-1.23.go.mod");
    let c = run(&["generate", &a, &b, "--out", &out_s]).expect("runs");
    assert_eq!(code(c), code(std::process::ExitCode::SUCCESS));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    assert_eq!(v["specVersion"], "1.6");
    assert_eq!(
        v["components"].as_array().expect("components").len(),
        18 + 3
    );
    // Existing output is not overwritten without --force.
    let e = run(&["generate", &a, "--out", &out_s]).expect_err("exists");
    assert!(e.to_string().contains("already exists"), "{e}");
    run(&[
        "generate",
        &a,
        "--out",
        &out_s,
        "--force",
        "--format",
        "spdx-json",
    ])
    .expect("force");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
}

#[test]
fn broken_file_is_an_error_unless_keep_going() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("bom.json").display().to_string();
    let good = shared("rust/trivy-cargo_v3.lock");
    let bad = shared("npm/npmcli-conflict-package-lock.json");
    let e = run(&["generate", &good, &bad, "--out", &out]).expect_err("broken input");
    assert!(
        e.to_string()
            .contains("npmcli-conflict-package-lock.json:13:"),
        "{e}"
    );
    let c = run(&["generate", &good, &bad, "--out", &out, "--keep-going"]).expect("keeps going");
    assert_eq!(code(c), code(std::process::ExitCode::from(1)));
}

#[test]
fn type_override_and_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("bom.json").display().to_string();
    let f = shared("pnpm/trivy-pnpm-lock_v6_with_dev.yaml");
    run(&["generate", "--type", "pnpm", &f, "--out", &out]).expect("typed");
    assert!(run(&["generate", "--type", "nonsense", &f]).is_err());
    assert!(run(&["generate", "--format", "xml", &f]).is_err());
    assert!(run(&["generate", "/nonexistent/path"]).is_err());
}

#[test]
fn every_help_has_an_example() {
    for args in [
        &["--help"][..],
        &["generate", "--help"][..],
        &["diff", "--help"][..],
    ] {
        let out = assert_cmd::Command::cargo_bin("palisade")
            .expect("binary")
            .arg("sbom")
            .args(args)
            .output()
            .expect("runs");
        let e = String::from_utf8_lossy(&out.stdout);
        assert!(e.contains("Examples:"), "{args:?}");
    }
}

#[test]
fn diff_by_purl_across_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.cdx.json").display().to_string();
    let b = dir.path().join("b.spdx.json").display().to_string();
    let c = dir.path().join("c.spdx3.json").display().to_string();
    let v1 = shared("rust/trivy-cargo_v3.lock");
    let v2 = shared("rust/trivy-cargo_mixed.lock");
    run(&["generate", &v1, "--out", &a]).expect("a");
    run(&["generate", &v1, "--out", &c, "--format", "spdx3-json"]).expect("c");
    run(&["generate", &v2, "--out", &b, "--format", "spdx-json"]).expect("b");
    assert_eq!(
        code(run(&["diff", &a, &c]).expect("same")),
        code(std::process::ExitCode::SUCCESS)
    );
    assert_eq!(
        code(run(&["diff", &a, &b]).expect("differs")),
        code(std::process::ExitCode::from(1))
    );
    let bad = shared("rust/trivy-cargo_v3.lock");
    assert!(run(&["diff", &a, &bad]).is_err());
}

#[test]
fn check_sbom_against_lockfiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.cdx.json").display().to_string();
    let v1 = shared("rust/trivy-cargo_v3.lock");
    let v2 = shared("rust/trivy-cargo_mixed.lock");
    run(&["generate", &v1, "--out", &a]).expect("a");
    assert_eq!(
        code(run(&["check", &a, &v1]).expect("same")),
        code(std::process::ExitCode::SUCCESS)
    );
    assert_eq!(
        code(run(&["check", &a, &v2]).expect("differs")),
        code(std::process::ExitCode::from(1))
    );
}

#[test]
fn ingest_summarises_and_flags_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.spdx.json");
    let v1 = shared("php/trivy-composer_happy.lock");
    run(&[
        "generate",
        &v1,
        "--out",
        &a.display().to_string(),
        "--format",
        "spdx-json",
    ])
    .expect("a");
    let ok = run(&["ingest", &a.display().to_string()]).expect("reads");
    assert_eq!(code(ok), code(std::process::ExitCode::SUCCESS));
    let text = std::fs::read_to_string(&a)
        .expect("read")
        .replace("\"SPDX-2.3\"", "\"SPDX-9.9\"");
    std::fs::write(&a, text).expect("write");
    let bad = run(&["ingest", "--json", &a.display().to_string()]).expect("reads");
    assert_eq!(code(bad), code(std::process::ExitCode::from(1)));
}

#[test]
fn generate_attest_signs_the_sbom_about_the_artefact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pal = || {
        let mut c = assert_cmd::Command::cargo_bin("palisade").expect("binary");
        c.current_dir(d).env_remove("PALISADE_PASSPHRASE");
        c
    };
    pal()
        .args([
            "key",
            "generate",
            "--type",
            "ecdsa-p256",
            "--out",
            "k",
            "-q",
        ])
        .assert()
        .success();
    std::fs::write(d.join("app.bin"), "the artefact").expect("write");
    let lock = shared("rust/trivy-cargo_v3.lock");
    for (format, predicate) in [
        ("cyclonedx-json", "https://cyclonedx.org/bom"),
        ("spdx-json", "https://spdx.dev/Document"),
    ] {
        pal()
            .args([
                "sbom",
                "generate",
                &lock,
                "--format",
                format,
                "--out",
                &format!("bom.{format}"),
                "--attest",
            ])
            .args([
                "--key",
                "k",
                "--subject",
                "app.bin",
                "--bundle",
                "app.intoto.jsonl",
            ])
            .assert()
            .success();
        pal()
            .args([
                "attest",
                "verify",
                "--bundle",
                "app.intoto.jsonl",
                "--subject",
                "app.bin",
                "--key",
                "k.pub",
            ])
            .args(["--predicate-type", predicate])
            .assert()
            .success();
    }
    // the predicate is the SBOM itself
    let line = std::fs::read_to_string(d.join("app.intoto.jsonl")).expect("bundle");
    let env: serde_json::Value =
        serde_json::from_str(line.lines().next().expect("line")).expect("json");
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().expect("payload"))
        .expect("b64");
    let st: serde_json::Value = serde_json::from_slice(&payload).expect("statement");
    let bom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("bom.cyclonedx-json")).expect("bom"))
            .expect("json");
    assert_eq!(st["predicate"], bom);
    // --attest without its companions is a usage error, and nothing is written
    pal()
        .args(["sbom", "generate", &lock, "--attest", "--key", "k"])
        .assert()
        .code(2);
}

#[test]
fn ingest_subject_requires_a_signed_statement_carrying_this_sbom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pal = || {
        let mut c = assert_cmd::Command::cargo_bin("palisade").expect("binary");
        c.current_dir(d).env_remove("PALISADE_PASSPHRASE");
        c
    };
    pal()
        .args([
            "key", "generate", "--type", "ed25519", "--out", "supplier", "-q",
        ])
        .assert()
        .success();
    pal()
        .args([
            "key", "generate", "--type", "ed25519", "--out", "other", "-q",
        ])
        .assert()
        .success();
    std::fs::write(d.join("agent.tar.gz"), "supplied artefact").expect("write");
    let lock = shared("rust/trivy-cargo_v3.lock");
    pal()
        .args([
            "sbom",
            "generate",
            &lock,
            "--out",
            "agent.cdx.json",
            "--attest",
            "--key",
            "supplier",
        ])
        .args([
            "--subject",
            "agent.tar.gz",
            "--bundle",
            "agent.intoto.jsonl",
        ])
        .assert()
        .success();
    let ingest = |key: &str, sbom: &str| {
        pal()
            .args([
                "sbom",
                "ingest",
                sbom,
                "--subject",
                "agent.tar.gz",
                "--bundle",
                "agent.intoto.jsonl",
                "--key",
                key,
            ])
            .assert()
    };
    ingest("supplier.pub", "agent.cdx.json")
        .success()
        .stdout(predicates::str::contains("attested by:"));
    ingest("other.pub", "agent.cdx.json")
        .code(1)
        .stdout(predicates::str::contains("no signed statement"));
    // another SBOM than the one signed
    let other = shared("rust/trivy-cargo_mixed.lock");
    pal()
        .args(["sbom", "generate", &other, "--out", "swapped.cdx.json"])
        .assert()
        .success();
    ingest("supplier.pub", "swapped.cdx.json")
        .code(1)
        .stdout(predicates::str::contains("predicate is another SBOM"));
}

#[test]
fn ingest_validates_against_the_schema_and_names_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.cdx.json");
    let a_s = a.display().to_string();
    let lock = shared("php/trivy-composer_happy.lock");
    run(&["generate", &lock, "--out", &a_s]).expect("generate");
    let out = assert_cmd::Command::cargo_bin("palisade")
        .expect("binary")
        .args(["sbom", "ingest", &a_s])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("valid (CycloneDX 1.6 JSON schema)"), "{text}");
    // A bad enum and a wrong type: exit 1, each violation with its JSON pointer.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&a).expect("read")).expect("json");
    v["components"][0]["type"] = serde_json::json!("gizmo");
    v["components"][1]["name"] = serde_json::json!(7);
    std::fs::write(&a, serde_json::to_vec(&v).expect("json")).expect("write");
    let out = assert_cmd::Command::cargo_bin("palisade")
        .expect("binary")
        .args(["sbom", "ingest", &a_s])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("INVALID (CycloneDX 1.6 JSON schema)"),
        "{text}"
    );
    assert!(text.contains("invalid /components/0/type:"), "{text}");
    assert!(text.contains("invalid /components/1/name:"), "{text}");
    let out = assert_cmd::Command::cargo_bin("palisade")
        .expect("binary")
        .args(["sbom", "ingest", "--json", &a_s])
        .output()
        .expect("runs");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths: Vec<&str> = j["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|x| x["path"].as_str())
        .collect();
    assert!(paths.contains(&"/components/0/type"), "{j}");
    assert_eq!(j["validated_against"], "CycloneDX 1.6 JSON schema");
    // --no-validate: the summary only; a name that is no string is still a structural
    // problem, a bad type enum is not.
    let bad = run(&["ingest", "--no-validate", &a_s]).expect("reads");
    assert_eq!(code(bad), code(std::process::ExitCode::from(1)));
    v["components"][1]["name"] = serde_json::json!("seven");
    std::fs::write(&a, serde_json::to_vec(&v).expect("json")).expect("write");
    let ok = run(&["ingest", "--no-validate", &a_s]).expect("reads");
    assert_eq!(code(ok), code(std::process::ExitCode::SUCCESS));
    // Not an SBOM at all: exit 2.
    std::fs::write(&a, b"{\"hello\": 1}").expect("write");
    let e = run(&["ingest", &a_s]).expect_err("not an SBOM");
    assert!(e.to_string().contains("not a CycloneDX"), "{e}");
}

#[test]
fn coverage_says_when_directness_is_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("yarn.lock");
    std::fs::copy(shared("yarn/trivy-yarn_happy.lock"), &lock).expect("copy");
    let out_path = dir.path().join("bom.json").display().to_string();
    let gen_ = |extra: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("palisade")
            .expect("binary")
            .args(["sbom", "generate"])
            .arg(dir.path())
            .args(["--out", &out_path, "--force"])
            .args(extra)
            .output()
            .expect("runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = gen_(&[]);
    assert!(
        err.contains("note: no package.json beside the lockfile"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"dependencies": {"promise": "^8.0.3"}}"#,
    )
    .expect("write");
    let err = gen_(&[]);
    assert!(
        err.contains("note: direct dependencies and dev scope from package.json"),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("read")).expect("json");
    // The root depends on promise only; asap hangs below it.
    let root_deps = v["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .find(|d| d["ref"] == v["metadata"]["component"]["bom-ref"])
        .expect("root entry")["dependsOn"]
        .clone();
    assert_eq!(root_deps, serde_json::json!(["pkg:npm/promise@8.0.3"]));
}
