//! `palisade sbom generate` through `cmd::sbom::run` (main.rs wires it in at merge).

#[path = "../src/cmd/sbom.rs"]
#[allow(dead_code)]
mod sbom;

use std::path::{Path, PathBuf};

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: sbom::SbomArgs,
}

fn shared(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lockfiles")
        .join(p)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let mut argv = vec!["palisade-sbom"];
    argv.extend_from_slice(args);
    sbom::run(Cli::try_parse_from(argv)?.args)
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
        let mut argv = vec!["palisade-sbom"];
        argv.extend_from_slice(args);
        let e = Cli::try_parse_from(argv).err().expect("help exits");
        assert!(e.to_string().contains("Examples:"), "{args:?}");
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
