//! `palisade db` and `palisade check` end to end on ../shared/advisories and
//! ../shared/lockfiles, and the differential against cargo-audit on every Cargo.lock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use palisade_testkit::shared;
use predicates::prelude::*;

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir)
        .env_remove("PALISADE_PASSPHRASE")
        .env_remove("PALISADE_DB")
        .env("XDG_CACHE_HOME", dir.join("no-cache"));
    c
}

/// One index of all the shared advisories, imported once through the CLI.
fn db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let db = dir.join("db");
        palisade(&dir)
            .args(["db", "import"])
            .arg(shared("advisories"))
            .arg("--db")
            .arg(&db)
            .assert()
            .success()
            .stderr(predicate::str::contains("0 errors"));
        db
    })
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap()
}

fn ids(v: &serde_json::Value, informational: bool) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["informational"].is_string() == informational)
        .map(|f| {
            format!(
                "{} {}@{}",
                f["id"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn help_has_examples_and_status_reports() {
    let d = tempfile::tempdir().unwrap();
    for cmd in [
        vec!["check"],
        vec!["db"],
        vec!["db", "import"],
        vec!["db", "status"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        palisade(d.path())
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
    let out = palisade(d.path())
        .args(["db", "status", "--format", "json", "--db"])
        .arg(db())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert!(v["ecosystems"]["PyPI"]["advisories"].as_u64().unwrap() > 16_000);
    assert!(v["ecosystems"]["crates.io"]["advisories"].as_u64().unwrap() > 1_100);
    assert_eq!(v["age_days"], 0);
    palisade(d.path())
        .args(["db", "status", "--db"])
        .arg(db())
        .assert()
        .success()
        .stdout(predicate::str::contains("npm").and(predicate::str::contains("malicious")));
}

#[test]
fn no_index_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    palisade(d.path())
        .arg("check")
        .arg(shared("lockfiles/rust/real-cargo.Cargo.lock"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("palisade db import"));
}

#[test]
fn cargo_lock_findings_ignores_and_expiry() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/rust/real-cargo.Cargo.lock");
    let run = |extra: &[&str]| {
        let mut c = palisade(d.path());
        c.arg("check").arg(&lock).arg("--db").arg(db()).args(extra);
        c.assert()
    };
    let out = run(&["--format", "json"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    let vulns = ids(&v, false);
    assert!(vulns.contains("RUSTSEC-2026-0258 h2@0.4.15"), "{vulns:?}");
    assert!(
        vulns.contains("RUSTSEC-2026-0204 crossbeam-epoch@0.9.18"),
        "{vulns:?}"
    );
    let h2 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2026-0258")
        .unwrap();
    assert_eq!(h2["fixed"], "0.4.16");
    assert_eq!(h2["verdict"]["verdict"], "fail");
    let ign = [
        "--ignore",
        "RUSTSEC-2026-0258",
        "--ignore",
        "RUSTSEC-2026-0204",
        "--reason",
        "not reachable from our code",
    ];
    let mut future = ign.to_vec();
    future.extend(["--until", "2999-12-31"]);
    run(&future)
        .success()
        .stdout(predicate::str::contains("ignored until 2999-12-31"));
    let mut past = ign.to_vec();
    past.extend(["--until", "2020-01-01"]);
    run(&past)
        .code(1)
        .stdout(predicate::str::contains("expired on 2020-01-01"));
    // An alias works as well as the id.
    run(&[
        "--ignore",
        "GHSA-q83h-524g-xf6h",
        "--ignore",
        "RUSTSEC-2026-0204",
        "--reason",
        "x",
    ])
    .success();
    // A reason is required.
    run(&["--ignore", "RUSTSEC-2026-0258"]).code(2);
    run(&["--severity-threshold", "catastrophic"]).code(2);
}

#[test]
fn table_is_grouped_and_output_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/rust/real-pnpm.Cargo.lock");
    let once = || {
        palisade(d.path())
            .arg("check")
            .arg(&lock)
            .arg("--db")
            .arg(db())
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    let a = once();
    assert_eq!(a, once());
    let text = String::from_utf8(a).unwrap();
    assert!(text.contains("rsa 0.9.10 (crates.io)"), "{text}");
    assert!(text.contains("FAIL RUSTSEC-2023-0071"), "{text}");
    assert!(
        text.contains("pass RUSTSEC-2025-0141"),
        "informational passes: {text}"
    );
}

#[test]
fn sarif_is_valid() {
    let d = tempfile::tempdir().unwrap();
    let out = palisade(d.path())
        .arg("check")
        .arg(shared("lockfiles/rust/real-uv.Cargo.lock"))
        .args(["--format", "sarif", "--db"])
        .arg(db())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let path = d.path().join("check.sarif");
    std::fs::write(&path, &out).unwrap();
    palisade_testkit::sarif_check(&path).unwrap();
    let v = json(&out);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "RUSTSEC-2023-0071" && r["level"] == "error")
    );
    std::fs::write(&path, b"{\"version\":\"2.1.0\",\"runs\":[{}]}").unwrap();
    assert!(palisade_testkit::sarif_check(&path).is_err());
}

#[test]
fn emit_vex_then_triage_suppresses() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/rust/real-cargo.Cargo.lock");
    palisade(d.path())
        .arg("check")
        .arg(&lock)
        .args(["--emit-vex", "out.openvex.json", "--db"])
        .arg(db())
        .env("SOURCE_DATE_EPOCH", "0")
        .assert()
        .code(1);
    let text = std::fs::read_to_string(d.path().join("out.openvex.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(v["timestamp"], "1970-01-01T00:00:00Z");
    assert_eq!(v["statements"].as_array().unwrap().len(), 2);
    std::fs::write(
        d.path().join("triaged.json"),
        text.replace("\"affected\"", "\"not_affected\""),
    )
    .unwrap();
    palisade(d.path())
        .arg("check")
        .arg(&lock)
        .args(["--vex", "triaged.json", "--db"])
        .arg(db())
        .assert()
        .success()
        .stdout(predicate::str::contains("VEX not_affected"));
}

#[test]
fn policy_from_palisade_toml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        shared("lockfiles/rust/real-cargo.Cargo.lock"),
        d.path().join("Cargo.lock"),
    )
    .unwrap();
    let toml = format!(
        "[check]\ndb = {:?}\nseverity-threshold = \"critical\"\n\n[[check.ignore]]\nid = \"RUSTSEC-2026-0204\"\nreason = \"no raw pointers printed\"\nuntil = \"2999-01-01\"\n",
        db().display().to_string()
    );
    std::fs::write(d.path().join("palisade.toml"), &toml).unwrap();
    // h2's advisory has no CVSS: unknown severity is never below a threshold.
    palisade(d.path())
        .args(["check", "."])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("severity unknown")
                .and(predicate::str::contains("ignored until 2999-01-01")),
        );
    std::fs::write(
        d.path().join("palisade.toml"),
        toml + "\n[[check.ignore]]\nid = \"RUSTSEC-2026-0258\"\nreason = \"no HTTP/2 server\"\n",
    )
    .unwrap();
    palisade(d.path()).args(["check", "."]).assert().success();
    std::fs::write(d.path().join("palisade.toml"), "[check]\nsevrity = 1\n").unwrap();
    palisade(d.path()).args(["check", "."]).assert().code(2);
}

#[test]
fn unchecked_packages_fail_unless_allowed() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/dart/")
        .read_dir()
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("pubspec.lock"));
    let lock = lock.expect("a pubspec.lock in the shared lockfiles");
    palisade(d.path())
        .arg("check")
        .arg(&lock)
        .arg("--db")
        .arg(db())
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("could not be checked")
                .and(predicate::str::contains("no data for ecosystem \"Pub\"")),
        );
    palisade(d.path())
        .arg("check")
        .arg(&lock)
        .args(["--allow-unchecked", "--db"])
        .arg(db())
        .assert()
        .success()
        .stdout(predicate::str::contains("(allowed)"));
}

#[test]
fn licences_and_sources_on_npm() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/npm/real-codeql-action.package-lock.json");
    let base = |extra: &[&str]| {
        let mut c = palisade(d.path());
        c.arg("check").arg(&lock).arg("--db").arg(db()).args(extra);
        c.assert()
    };
    base(&[]).success();
    base(&["--deny-licence", "BlueOak-1.0.0"])
        .code(1)
        .stdout(predicate::str::contains("licence glob").and(predicate::str::contains("denied")));
    base(&["--allowed-registry", "registry.npmjs.org"]).success();
    base(&["--allowed-registry", "npm.example.internal"])
        .code(1)
        .stdout(predicate::str::contains("not from an allowed registry"));
    base(&["--allow-licence", "NotALicence"]).code(2);
}

#[test]
fn sbom_input_matches_lockfile_input() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/rust/real-uv.Cargo.lock");
    palisade(d.path())
        .args(["sbom", "generate", "--out", "sbom.cdx.json"])
        .arg(&lock)
        .assert()
        .success();
    let from_sbom = palisade(d.path())
        .args([
            "check",
            "--sbom",
            "sbom.cdx.json",
            "--format",
            "json",
            "--db",
        ])
        .arg(db())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let from_lock = palisade(d.path())
        .arg("check")
        .arg(&lock)
        .args(["--format", "json", "--db"])
        .arg(db())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(ids(&json(&from_sbom), false), ids(&json(&from_lock), false));
    assert!(!ids(&json(&from_sbom), false).is_empty());
}

#[test]
fn attest_signs_a_vulns_statement() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        shared("lockfiles/rust/real-uv.Cargo.lock"),
        d.path().join("Cargo.lock"),
    )
    .unwrap();
    palisade(d.path())
        .args([
            "key", "generate", "--type", "ed25519", "--out", "release", "-q",
        ])
        .assert()
        .success();
    palisade(d.path())
        .args([
            "check",
            "Cargo.lock",
            "--attest",
            "--key",
            "release",
            "--out",
            "check.intoto.jsonl",
            "--db",
        ])
        .arg(db())
        .assert()
        .code(1);
    palisade(d.path())
        .args([
            "attest",
            "verify",
            "--bundle",
            "check.intoto.jsonl",
            "--subject",
            "Cargo.lock",
            "--key",
            "release.pub",
            "--predicate-type",
            "https://in-toto.io/attestation/vulns/v0.2",
        ])
        .assert()
        .success();
    let line = std::fs::read_to_string(d.path().join("check.intoto.jsonl")).unwrap();
    assert!(line.lines().count() == 1);
}

/// Every Cargo.lock in ../shared/lockfiles (by name or content).
fn cargo_locks() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(shared("lockfiles/rust"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.ends_with(".lock") && std::fs::read_to_string(p).unwrap().contains("[[package]]")
        })
        .collect();
    out.sort();
    out
}

/// cargo-audit (scripts/peers-cargo-audit.sh) on the unpacked RustSec database; returns
/// (vulnerabilities, warnings) or the error when it cannot read the lockfile.
fn cargo_audit(
    lock: &Path,
    advisory_db: &Path,
) -> Result<(BTreeSet<String>, BTreeSet<String>), String> {
    let bin = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap()
        .join(".cache/palisade/cargo-audit/bin/cargo-audit");
    assert!(
        bin.exists(),
        "cargo-audit missing: run scripts/peers-cargo-audit.sh"
    );
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(lock, d.path().join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(d.path().join(".cargo")).unwrap();
    std::fs::write(
        d.path().join(".cargo/audit.toml"),
        "[yanked]\nenabled = false\n",
    )
    .unwrap();
    let out = std::process::Command::new(bin)
        .current_dir(d.path())
        .args(["audit", "--no-fetch", "--json", "-f", "Cargo.lock", "--db"])
        .arg(advisory_db)
        .output()
        .unwrap();
    let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(_) => return Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    };
    let item = |x: &serde_json::Value| {
        format!(
            "{} {}@{}",
            x["advisory"]["id"].as_str().unwrap(),
            x["package"]["name"].as_str().unwrap(),
            x["package"]["version"].as_str().unwrap()
        )
    };
    let vulns = v["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(item)
        .collect();
    let mut warns = BTreeSet::new();
    for (_, list) in v["warnings"].as_object().into_iter().flatten() {
        for w in list.as_array().into_iter().flatten() {
            if w["advisory"].is_object() {
                warns.insert(item(w));
            }
        }
    }
    Ok((vulns, warns))
}

#[test]
fn differential_against_cargo_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(shared("advisories/rustsec/advisory-db.tar.gz"))
        .arg("-C")
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let advisory_db = tmp.path().join("advisory-db");
    let locks = cargo_locks();
    assert!(locks.len() >= 10, "{locks:?}");
    // Disagreements, explained (see README): cargo-audit refuses a lockfile whose
    // dependency list names a package the file does not contain; we read it.
    let explained: BTreeSet<&str> = ["scalibr-two-packages-with-local.Cargo.lock"].into();
    let mut refused = BTreeSet::new();
    let mut compared = 0;
    let mut total_findings = 0;
    for lock in &locks {
        let name = lock.file_name().unwrap().to_string_lossy().to_string();
        let ours = palisade(tmp.path())
            .arg("check")
            .arg(lock)
            .args(["--format", "json", "-q", "--db"])
            .arg(db())
            .output()
            .unwrap();
        let ours = json(&ours.stdout);
        match cargo_audit(lock, &advisory_db) {
            Ok((vulns, warns)) => {
                assert_eq!(ids(&ours, false), vulns, "{name}: vulnerabilities differ");
                assert_eq!(
                    ids(&ours, true),
                    warns,
                    "{name}: informational advisories differ"
                );
                compared += 1;
                total_findings += vulns.len() + warns.len();
            }
            Err(e) => {
                assert!(ours["findings"].as_array().unwrap().is_empty(), "{name}");
                refused.insert(name.clone());
                assert!(e.contains("couldn't resolve dependency"), "{name}: {e}");
            }
        }
    }
    assert_eq!(
        refused.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        explained
    );
    assert!(compared >= 9);
    assert!(
        total_findings >= 20,
        "the comparison must cover real findings: {total_findings}"
    );
}

#[test]
fn audit_materials_controls() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        shared("lockfiles/rust/real-cargo.Cargo.lock"),
        d.path().join("Cargo.lock"),
    )
    .unwrap();
    let audit = |dir: &Path| {
        let out = palisade(dir)
            .args([
                "audit",
                "--format",
                "json",
                "--controls",
                "materials.vulnerabilities,materials.licences",
            ])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let get = |id: &str| {
            v["controls"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap()
                .clone()
        };
        (get("materials.vulnerabilities"), get("materials.licences"))
    };
    // No index: unknown, saying what to run.
    let (vulns, _) = audit(d.path());
    assert_eq!(vulns["status"], "unknown");
    assert!(vulns.to_string().contains("palisade db import"), "{vulns}");
    // With the index named in palisade.toml: fail, with the advisories as evidence.
    let toml = format!("[check]\ndb = {:?}\n", db().display().to_string());
    std::fs::write(d.path().join("palisade.toml"), &toml).unwrap();
    let (vulns, licences) = audit(d.path());
    assert_eq!(vulns["status"], "fail", "{vulns}");
    assert!(vulns.to_string().contains("RUSTSEC-2026-0258"), "{vulns}");
    assert_eq!(licences["status"], "unknown", "no licence policy set");
    // Accepted with reasons: pass.
    std::fs::write(
        d.path().join("palisade.toml"),
        toml + "[[check.ignore]]\nid = \"RUSTSEC-2026-0258\"\nreason = \"r\"\n[[check.ignore]]\nid = \"RUSTSEC-2026-0204\"\nreason = \"r\"\n",
    )
    .unwrap();
    let (vulns, _) = audit(d.path());
    assert_eq!(vulns["status"], "pass", "{vulns}");
}

/// Licence and source policy give the same verdicts on an SBOM (each format
/// `palisade sbom generate` writes) as on the lockfile it was made from.
#[test]
fn sbom_licences_and_sources_match_lockfile() {
    let d = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/npm/real-codeql-action.package-lock.json");
    // Issues without locations (they name the file they came from) and without the
    // licence text (an SBOM carries it in canonical SPDX form: `LGPL-2.1+` becomes
    // `LGPL-2.1-or-later`).
    let issues = |out: &[u8]| {
        let v = json(out);
        let mut got = BTreeSet::new();
        for (kind, key) in [("licences", "licence"), ("sources", "source")] {
            for i in v[kind].as_array().unwrap() {
                got.insert(format!(
                    "{kind} {}@{} {} {}",
                    i["package"]["name"].as_str().unwrap(),
                    i["package"]["version"].as_str().unwrap(),
                    if kind == "sources" {
                        i[key].as_str().unwrap()
                    } else {
                        ""
                    },
                    i["problem"].as_str().unwrap()
                ));
            }
        }
        got
    };
    let policies: [&[&str]; 4] = [
        &["--deny-licence", "BlueOak-1.0.0"],
        &[
            "--allow-licence",
            "MIT",
            "--allow-licence",
            "ISC",
            "--allow-licence",
            "Apache-2.0",
        ],
        &["--allowed-registry", "npm.example.internal"],
        &[
            "--allowed-registry",
            "registry.npmjs.org",
            "--require-hashes",
        ],
    ];
    let run = |input: &[&std::ffi::OsStr], policy: &[&str]| {
        let out = palisade(d.path())
            .arg("check")
            .args(input)
            .args(["--allow-unchecked", "--format", "json", "--db"])
            .arg(db())
            .args(policy)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        issues(&out)
    };
    for f in ["cyclonedx-json", "spdx-json", "spdx3-json"] {
        let out = format!("sbom.{f}");
        palisade(d.path())
            .args(["sbom", "generate", "--format", f, "--out", &out])
            .arg(&lock)
            .assert()
            .success();
        for p in policies {
            let from_lock = run(&[lock.as_os_str()], p);
            let from_sbom = run(&["--sbom".as_ref(), out.as_ref()], p);
            assert!(!from_lock.is_empty(), "{p:?}");
            assert_eq!(from_sbom, from_lock, "{f} {p:?}");
        }
    }
}

/// SBOMs written by syft (../shared/vectors/witness): licence allow and deny lists pass
/// and fail on what they declare (CycloneDX `license.id` and `expression`, SPDX
/// `licenseDeclared`).
#[test]
fn sbom_from_syft_licence_policy() {
    let d = tempfile::tempdir().unwrap();
    let allowed = [
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "MIT",
        "MPL-2.0",
        "BSD-2-Clause",
        "Apache-2.0",
        "Zlib",
    ];
    for f in ["sbom.cdx.json", "sbom.spdx.json"] {
        let sbom = shared(&format!("vectors/witness/test/{f}"));
        let check = |policy: Vec<String>| {
            let mut c = palisade(d.path());
            c.arg("check")
                .arg("--sbom")
                .arg(&sbom)
                .args(["--allow-unchecked", "--db"])
                .arg(db())
                .args(policy);
            c.assert()
        };
        let allow = |skip: &str| {
            allowed
                .iter()
                .filter(|l| **l != skip)
                .flat_map(|l| ["--allow-licence".to_string(), l.to_string()])
                .collect::<Vec<_>>()
        };
        check(allow("")).success();
        let out = check(allow("Zlib")).code(1).get_output().stdout.clone();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("licence ").count(), 1, "{f}: {out}");
        assert!(
            out.contains("licence zlib 1.3.1-r0") || out.contains("zlib"),
            "{out}"
        );
        // `MIT AND BSD-2-Clause AND GPL-2.0-or-later`: one denied part fails it.
        let out = check(vec!["--deny-licence".into(), "BSD-2-Clause".into()])
            .code(1)
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("licence ").count(), 1, "{f}: {out}");
        assert!(out.contains("musl-utils"), "{out}");
        let out = check(vec!["--deny-licence".into(), "GPL-2.0-only".into()])
            .code(1)
            .get_output()
            .stdout
            .clone();
        assert_eq!(
            String::from_utf8(out).unwrap().matches("licence ").count(),
            7
        );
    }
}

/// Crates (all in the local Cargo registry) with a spread of licence expressions: `OR`,
/// `AND`, Cargo's `/`, and licences outside a plain MIT/Apache list.
const DENY_PROJECT_DEPS: &str = r#"memchr = "=2.8.0"
itoa = "=1.0.18"
subtle = "=2.6.1"
foldhash = "=0.2.0"
unicode-ident = "=1.0.24"
r-efi = "=6.0.0"
fnv = "=1.0.7"
local-helper = { path = "local-helper" }
"#;

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

/// Writes a crate `name` 0.1.0-style manifest (`[package]` + `extra`) and an empty lib.
fn write_crate(dir: &Path, name: &str, version: &str, license: &str, extra: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
             license = \"{license}\"\npublish = false\n{extra}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
}

/// `cargo generate-lockfile ARGS` in `dir` (with `CARGO_HOME` set when given).
fn generate_lockfile(dir: &Path, args: &[&str], cargo_home: Option<&Path>) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(dir).arg("generate-lockfile").args(args);
    if let Some(h) = cargo_home {
        cmd.env("CARGO_HOME", h);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "Cargo.lock does not resolve: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small Cargo project whose Cargo.lock resolves offline from the local registry.
fn deny_project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_crate(
        p,
        "deny-probe",
        "0.1.0",
        "MIT",
        &format!("\n[dependencies]\n{DENY_PROJECT_DEPS}"),
    );
    // A local crate: neither tool holds it to the policy (cargo-deny: private).
    write_crate(
        &p.join("local-helper"),
        "local-helper",
        "0.1.0",
        "GPL-3.0-only",
        "",
    );
    generate_lockfile(p, &["--offline"], None);
    d
}

/// A Cargo project with a git dependency: a local git repository (`file://`), a path
/// crate, and no registry crates, resolved with a CARGO_HOME of its own (so fetching the
/// git source touches nothing but that repository). Returns (temp dir, project dir,
/// CARGO_HOME, the repository's URL).
fn deny_git_project() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let d = tempfile::tempdir().unwrap();
    let git_repo = d.path().join("gitdep");
    write_crate(&git_repo, "gitdep", "0.3.0", "MIT", "");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(&git_repo)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "gitdep 0.3.0"]);
    let url = format!("file://{}", git_repo.display());
    let p = d.path().join("project");
    write_crate(
        &p,
        "deny-git-probe",
        "0.1.0",
        "MIT",
        &format!(
            "\n[dependencies]\ngitdep = {{ git = {url:?}, branch = \"main\" }}\n\
             local-helper = {{ path = \"local-helper\" }}\n"
        ),
    );
    write_crate(&p.join("local-helper"), "local-helper", "0.1.0", "MIT", "");
    let home = d.path().join("cargo-home");
    generate_lockfile(&p, &[], Some(&home));
    let lock = std::fs::read_to_string(p.join("Cargo.lock")).unwrap();
    assert!(
        lock.contains(&format!("source = \"git+{url}?branch=main#")),
        "{lock}"
    );
    (d, p, home, url)
}

/// cargo-deny (scripts/peers-cargo-deny.sh) `check <check>` with `deny_toml`; the
/// crates it rejects as `name@version`.
fn cargo_deny(project: &Path, check: &str, deny_toml: &str) -> BTreeSet<String> {
    cargo_deny_with_home(project, check, deny_toml, None)
}

fn cargo_deny_with_home(
    project: &Path,
    check: &str,
    deny_toml: &str,
    cargo_home: Option<&Path>,
) -> BTreeSet<String> {
    let bin = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap()
        .join(".cache/palisade/cargo-deny/bin/cargo-deny");
    assert!(
        bin.exists(),
        "cargo-deny missing: run scripts/peers-cargo-deny.sh"
    );
    std::fs::write(project.join("deny.toml"), deny_toml).unwrap();
    let mut cmd = std::process::Command::new(bin);
    cmd.current_dir(project)
        .args(["--offline", "--locked", "--format", "json", "check", check]);
    if let Some(h) = cargo_home {
        cmd.env("CARGO_HOME", h);
    }
    let out = cmd.output().unwrap();
    let mut rejected = BTreeSet::new();
    let mut summary = false;
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|_| panic!("cargo-deny: {}", String::from_utf8_lossy(&out.stderr)));
        summary |= v["type"] == "summary";
        if v["type"] != "diagnostic" || v["fields"]["severity"] != "error" {
            continue;
        }
        for g in v["fields"]["graphs"].as_array().unwrap() {
            rejected.insert(format!(
                "{}@{}",
                g["Krate"]["name"].as_str().unwrap(),
                g["Krate"]["version"].as_str().unwrap()
            ));
        }
    }
    assert!(summary, "cargo-deny gave no summary");
    assert_eq!(out.status.success(), rejected.is_empty(), "{rejected:?}");
    rejected
}

/// `palisade check` on the same Cargo.lock: the packages with licence or source
/// problems, as `name@version`.
fn palisade_rejects(project: &Path, kind: &str, policy: &[String]) -> BTreeSet<String> {
    let out = palisade(project)
        .arg("check")
        .arg("Cargo.lock")
        .args(["--format", "json", "--allow-unchecked", "--cargo-home"])
        .arg(cargo_home())
        .arg("--db")
        .arg(db())
        .args(policy)
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let got: BTreeSet<String> = v[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}@{}",
                i["package"]["name"].as_str().unwrap(),
                i["package"]["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(out.status.code(), Some(if got.is_empty() { 0 } else { 1 }));
    got
}

/// cargo-deny is the second oracle for licences and sources: the same allow lists
/// give the same rejected crates.
#[test]
fn differential_against_cargo_deny() {
    let d = deny_project();
    let p = d.path();
    let allow_lists: [&[&str]; 5] = [
        &["MIT", "Apache-2.0"],
        &["Apache-2.0"],
        &["MIT"],
        &["MIT", "Apache-2.0", "Zlib", "Unicode-3.0"],
        &[
            "MIT",
            "Apache-2.0",
            "Zlib",
            "Unicode-3.0",
            "BSD-3-Clause",
            "Unlicense",
        ],
    ];
    let mut seen_fail = false;
    let mut seen_pass = false;
    for allow in allow_lists {
        let deny_toml = format!(
            "[licenses]\nallow = {allow:?}\nunused-allowed-license = \"allow\"\n\
             [licenses.private]\nignore = true\n"
        );
        let theirs = cargo_deny(p, "licenses", &deny_toml);
        let policy: Vec<String> = allow
            .iter()
            .flat_map(|l| ["--allow-licence".to_string(), l.to_string()])
            .collect();
        let ours = palisade_rejects(p, "licences", &policy);
        assert_eq!(ours, theirs, "allow {allow:?}");
        seen_fail |= !ours.is_empty();
        seen_pass |= ours.is_empty();
    }
    assert!(seen_fail && seen_pass);
    // `MIT OR Apache-2.0 OR LGPL-2.1-or-later` passes with MIT alone (r-efi), and
    // Cargo's `Apache-2.0 / MIT` is an OR (fnv); `(MIT OR Apache-2.0) AND Unicode-3.0`
    // needs Unicode-3.0 (unicode-ident).
    let mit_only = palisade_rejects(p, "licences", &["--allow-licence".into(), "MIT".into()]);
    assert!(!mit_only.contains("r-efi@6.0.0") && !mit_only.contains("fnv@1.0.7"));
    assert!(mit_only.contains("unicode-ident@1.0.24"));

    for (registry, deny_url) in [
        (
            "https://github.com/rust-lang/crates.io-index",
            "https://github.com/rust-lang/crates.io-index",
        ),
        (
            "registry.example.internal",
            "https://registry.example.internal/index",
        ),
    ] {
        let deny_toml = format!(
            "[sources]\nunknown-registry = \"deny\"\nunknown-git = \"deny\"\n\
             allow-registry = [{deny_url:?}]\nunused-allowed-source = \"allow\"\n"
        );
        let theirs = cargo_deny(p, "sources", &deny_toml);
        let ours = palisade_rejects(
            p,
            "sources",
            &["--allowed-registry".into(), registry.into()],
        );
        assert_eq!(ours, theirs, "{registry}");
        // Seven registry crates; the path crate is never a third-party source.
        assert!(ours.is_empty() || ours.len() == 7, "{ours:?}");
    }
}

/// `db import --add` keeps what the index held: importing A then adding B gives the
/// same index (digest) as importing A and B at once; without --add, B replaces A.
#[test]
fn db_import_add_keeps_the_previous_index() {
    let d = tempfile::tempdir().unwrap();
    let a = shared("advisories/rustsec/advisory-db.tar.gz");
    let b = shared("advisories/govulndb/osv-scalibr/Go/all.zip");
    let status = |db: &str| {
        let out = palisade(d.path())
            .args(["db", "status", "--format", "json", "--db", db])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json(&out)
    };
    let import = |db: &str, add: bool, srcs: &[&PathBuf]| {
        let mut c = palisade(d.path());
        c.args(["db", "import", "--db", db]);
        if add {
            c.arg("--add");
        }
        c.args(srcs).assert().success();
    };
    import("both", false, &[&a, &b]);
    import("added", false, &[&a]);
    import("added", true, &[&b]);
    import("replaced", false, &[&a]);
    import("replaced", false, &[&b]);
    let (both, added, replaced) = (status("both"), status("added"), status("replaced"));
    let ecos = |v: &serde_json::Value| {
        v["ecosystems"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(ecos(&both), ["Go", "crates.io"]);
    assert_eq!(ecos(&added), ecos(&both));
    assert_eq!(added["ecosystems"], both["ecosystems"]);
    assert_eq!(added["digest"], both["digest"]);
    assert_eq!(added["sources"].as_array().unwrap().len(), 2);
    assert_eq!(ecos(&replaced), ["Go"]);
    // Adding the same source again changes nothing but its statistics.
    import("added", true, &[&b]);
    assert_eq!(status("added")["digest"], both["digest"]);
    assert_eq!(status("added")["sources"].as_array().unwrap().len(), 2);
    // The added index still finds RustSec advisories.
    palisade(d.path())
        .arg("check")
        .arg(shared("lockfiles/rust/real-uv.Cargo.lock"))
        .args(["--db", "added", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("RUSTSEC-"));
}

/// Git sources against cargo-deny's `allow-git` (unknown git sources denied): the
/// repository's own URL lets it in on both sides, no URL or a look-alike URL (a prefix
/// of it, `.../git` for `.../gitdep`) keeps it out on both.
#[test]
fn git_sources_against_cargo_deny() {
    let (_d, p, home, url) = deny_git_project();
    let lookalike = url.trim_end_matches("dep").to_string();
    let mut seen = BTreeSet::new();
    for allow_git in [vec![url.clone()], vec![], vec![lookalike.clone()]] {
        let deny_toml = format!(
            "[sources]\nunknown-registry = \"deny\"\nunknown-git = \"deny\"\n\
             allow-git = {allow_git:?}\nunused-allowed-source = \"allow\"\n"
        );
        let theirs = cargo_deny_with_home(&p, "sources", &deny_toml, Some(&home));
        let mut policy = vec![
            "--allowed-registry".to_string(),
            "https://github.com/rust-lang/crates.io-index".to_string(),
        ];
        for g in &allow_git {
            policy.extend(["--allowed-registry".to_string(), g.clone()]);
        }
        let ours = palisade_rejects(&p, "sources", &policy);
        assert_eq!(ours, theirs, "allow-git {allow_git:?}");
        seen.insert(ours.len());
    }
    // Both outcomes were seen: the git crate let in, and refused.
    assert_eq!(seen, BTreeSet::from([0, 1]));
}
