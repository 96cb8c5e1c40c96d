//! `palisade audit` on repositories the test builds, one per control state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use palisade_testkit::{peer_python, workspace_root};
use predicates::prelude::*;

fn palisade(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("palisade").unwrap();
    c.current_dir(dir)
        .env_remove("PALISADE_PASSPHRASE")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1");
    c
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::write(dir.path().join("app.bin"), "release").unwrap();
    dir
}

fn control<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn audit_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = palisade(dir)
        .args(["audit", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn attestation_control_in_each_state() {
    let r = repo();
    let d = r.path();
    // no bundle: fail, and a requirement turns it into exit 1
    let j = audit_json(d, &[]);
    assert_eq!(control(&j, "artefacts.sign-every-step")["status"], "fail");
    assert_eq!(control(&j, "source.signed-commits")["status"], "unknown");
    // no secrets, but no pre-commit hook blocks new ones (see audit_secrets.rs)
    assert_eq!(control(&j, "source.no-secrets")["status"], "partial");
    assert_eq!(
        control(&j, "build.orchestration-platform")["status"],
        "manual"
    );
    palisade(d)
        .args(["audit", "--require", "artefacts.sign-every-step", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("artefacts.sign-every-step"));

    // a signed bundle, no trusted key: partial
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "release", "-q",
        ])
        .assert()
        .success();
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "other", "-q",
        ])
        .assert()
        .success();
    palisade(d)
        .args([
            "attest",
            "--subject",
            "app.bin",
            "--predicate-type",
            "https://example.com/review/v1",
            "--predicate",
            "{}",
            "--key",
            "release",
            "--bundle",
            "app.intoto.jsonl",
            "-q",
        ])
        .assert()
        .success();
    let j = audit_json(d, &[]);
    assert_eq!(
        control(&j, "artefacts.sign-every-step")["status"],
        "partial"
    );
    // the trusted key: pass, with the bundle line as evidence
    let j = audit_json(d, &["--key", "release.pub"]);
    let c = control(&j, "artefacts.sign-every-step");
    assert_eq!(c["status"], "pass");
    assert_eq!(c["evidence"][0]["location"]["path"], "app.intoto.jsonl");
    assert_eq!(c["evidence"][0]["location"]["line"], 1);
    // another key: fail
    let j = audit_json(d, &["--key", "other.pub"]);
    assert_eq!(control(&j, "artefacts.sign-every-step")["status"], "fail");
    // policy in palisade.toml
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"artefacts.sign-every-step\"]\nkeys = [\"release.pub\"]\n",
    )
    .unwrap();
    palisade(d).args(["audit", "-q"]).assert().success();
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"artefacts.sign-every-step\"]\nkeys = [\"other.pub\"]\n",
    )
    .unwrap();
    palisade(d).args(["audit", "-q"]).assert().code(1);
    std::fs::write(
        d.join("palisade.toml"),
        "[audit]\nrequire = [\"no.such-control\"]\n",
    )
    .unwrap();
    palisade(d)
        .args(["audit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown control"));
    std::fs::write(d.join("palisade.toml"), "[audit\n").unwrap();
    palisade(d)
        .args(["audit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("palisade.toml"));
}

#[test]
fn every_format_renders_and_json_is_deterministic_and_valid() {
    let r = repo();
    let d = r.path();
    let a = palisade(d)
        .args(["audit", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    let b = palisade(d)
        .args(["audit", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(a, b);
    let j: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(j["schema_version"], "1");
    assert!(j["controls"].as_array().unwrap().len() >= 45);
    // the published schema accepts it (checked by Python jsonschema, an independent validator)
    std::fs::write(d.join("report.json"), &a).unwrap();
    let schema = workspace_root().join("crates/palisade-report/schema/report.schema.json");
    let check = "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')";
    let out = std::process::Command::new(peer_python())
        .args(["-c", check])
        .arg(d.join("report.json"))
        .arg(&schema)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // and refuses a broken one (so the check above can fail)
    let mut broken = j.clone();
    broken["controls"][0]["status"] = "maybe".into();
    std::fs::write(d.join("broken.json"), broken.to_string()).unwrap();
    let out = std::process::Command::new(peer_python())
        .args(["-c", check])
        .arg(d.join("broken.json"))
        .arg(&schema)
        .output()
        .unwrap();
    assert!(!out.status.success());

    let sarif_bytes = palisade(d)
        .args(["audit", "--format", "sarif"])
        .output()
        .unwrap()
        .stdout;
    let sarif: serde_json::Value = serde_json::from_slice(&sarif_bytes).unwrap();
    // the SARIF 2.1.0 object model (PyPI sarif-pydantic) accepts it, and refuses a broken one
    std::fs::write(d.join("audit.sarif"), &sarif_bytes).unwrap();
    palisade_testkit::sarif_check(&d.join("audit.sarif")).unwrap();
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "catastrophic".into();
    std::fs::write(d.join("broken.sarif"), broken.to_string()).unwrap();
    assert!(
        palisade_testkit::sarif_check(&d.join("broken.sarif")).is_err(),
        "a bad level must be refused"
    );
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "artefacts.sign-every-step" && r["level"] == "error")
    );
    let md = String::from_utf8(
        palisade(d)
            .args(["audit", "--format", "markdown"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(md.contains("| phase | pass | fail |") && md.contains("## Artefacts"));
    palisade(d)
        .args(["audit", "--format", "html", "--out", "audit.html", "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(d.join("audit.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("id=\"status-chart\""));
    // self-contained: nothing to fetch
    assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"));
    let table = String::from_utf8(palisade(d).args(["audit"]).output().unwrap().stdout).unwrap();
    assert!(table.contains("Artefacts (") && table.contains("fix: palisade attest"));
    assert!(!table.contains('\x1b'), "no colour when piped");
}

#[test]
fn subsets_and_listing() {
    let r = repo();
    let j = audit_json(r.path(), &["--controls", "source.no-secrets,artefacts.tuf"]);
    assert_eq!(j["controls"].as_array().unwrap().len(), 2);
    palisade(r.path())
        .args(["audit", "--controls", "nope"])
        .assert()
        .code(2);
    palisade(r.path())
        .args(["audit", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deployment.freshness"));
    palisade(r.path())
        .args(["audit", "does/not/exist"])
        .assert()
        .code(2);
}

/// Renders `page` in headless Chromium behind a recording proxy on 127.0.0.1; returns the
/// rendered DOM and the hosts the page asked for (Chromium's own service traffic to
/// Google's update, time and account hosts is left out: it is the browser's, not the
/// page's).
fn render_in_chromium(page: &Path, screenshot: &Path) -> (String, Vec<String>) {
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("Debian's chromium is needed (scripts/install-peers.sh installs it)");
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = proxy.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let recorder = Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut conn in proxy.incoming().flatten() {
            conn.set_read_timeout(Some(std::time::Duration::from_secs(2)))
                .ok();
            let mut buf = [0u8; 512];
            let n = conn.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let host = head
                .lines()
                .find_map(|l| l.strip_prefix("Host: "))
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or("")
                .to_string();
            recorder.lock().unwrap().push(host);
        }
    });
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{port}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let browser_own = |h: &str| {
        ["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
            .iter()
            .any(|d| h == *d || h.ends_with(&format!(".{d}")))
    };
    let hosts = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|h| !browser_own(h))
        .cloned()
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), hosts)
}

#[test]
fn html_report_renders_in_headless_chromium_without_network() {
    let r = repo();
    let d = r.path();
    palisade(d)
        .args(["audit", "--format", "html", "--out", "audit.html", "-q"])
        .assert()
        .success();
    let (dom, hosts) = render_in_chromium(&d.join("audit.html"), &d.join("audit.png"));
    assert!(
        dom.contains("id=\"status-chart\""),
        "the chart is in the rendered page"
    );
    assert!(dom.contains("artefacts.sign-every-step"));
    let png = std::fs::read(d.join("audit.png")).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
    assert!(
        hosts.is_empty(),
        "the report made network requests: {hosts:?}"
    );
    // the recorder does see a page's request (so the check above can fail)
    std::fs::write(
        d.join("leaky.html"),
        "<!DOCTYPE html><img src=\"http://palisade-test.invalid/x.png\">",
    )
    .unwrap();
    let (_, hosts) = render_in_chromium(&d.join("leaky.html"), &d.join("leaky.png"));
    assert!(
        hosts.iter().any(|h| h == "palisade-test.invalid"),
        "{hosts:?}"
    );
}

#[test]
fn lockfile_controls_in_each_state() {
    let r = repo();
    let d = r.path();
    // no manifest at all: not applicable
    let j = audit_json(
        d,
        &[
            "--controls",
            "materials.track-dependencies,materials.verify-third-party",
        ],
    );
    assert_eq!(
        control(&j, "materials.track-dependencies")["status"],
        "not-applicable"
    );
    let lock = |integrity: bool| {
        let pkg = if integrity {
            r#"{"version": "1.0.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz", "integrity": "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}"#
        } else {
            r#"{"version": "1.0.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz"}"#
        };
        format!(
            r#"{{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {{"": {{"name": "app", "version": "1.0.0", "dependencies": {{"left-pad": "^1.0.0"}}}}, "node_modules/left-pad": {pkg}}}}}"#
        )
    };
    std::fs::write(d.join("package-lock.json"), lock(true)).unwrap();
    let j = audit_json(d, &[]);
    assert_eq!(
        control(&j, "materials.track-dependencies")["status"],
        "pass"
    );
    assert_eq!(
        control(&j, "materials.verify-third-party")["status"],
        "pass"
    );
    std::fs::write(d.join("package-lock.json"), lock(false)).unwrap();
    let j = audit_json(d, &[]);
    let c = control(&j, "materials.verify-third-party");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["evidence"][0]["location"]["path"], "package-lock.json");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pkg:npm/left-pad@1.0.0")
    );
    std::fs::write(
        d.join("package-lock.json"),
        "{\"lockfileVersion\": 3, \"packages\": [",
    )
    .unwrap();
    let j = audit_json(d, &[]);
    let c = control(&j, "materials.track-dependencies");
    assert_eq!(c["status"], "fail");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be read")
    );
}

#[test]
fn layout_control_in_each_state() {
    use palisade_testkit::shared;
    let r = repo();
    let d = r.path();
    let j = audit_json(d, &["--controls", "build.policy-adherence"]);
    assert_eq!(control(&j, "build.policy-adherence")["status"], "fail");
    for (case, kind) in [("good", "dsse"), ("good", "metablock")] {
        let src = shared(&format!("vectors/in-toto-demo/{kind}/{case}"));
        std::fs::copy(src.join("root.layout"), d.join("root.layout")).unwrap();
        std::fs::copy(src.join("alice.pub"), d.join("alice.pub")).unwrap();
        let j = audit_json(d, &["--controls", "build.policy-adherence"]);
        assert_eq!(
            control(&j, "build.policy-adherence")["status"],
            "partial",
            "{kind}"
        );
        let j = audit_json(
            d,
            &["--controls", "build.policy-adherence", "--key", "alice.pub"],
        );
        let c = control(&j, "build.policy-adherence");
        assert_eq!(c["status"], "pass", "{kind}: {c}");
        assert_eq!(c["evidence"][0]["location"]["path"], "root.layout");
        let bob = shared("vectors/in-toto-demo/keys/bob.pub");
        let j = audit_json(
            d,
            &[
                "--controls",
                "build.policy-adherence",
                "--key",
                bob.to_str().unwrap(),
            ],
        );
        assert_eq!(
            control(&j, "build.policy-adherence")["status"],
            "fail",
            "{kind}"
        );
    }
    // an expired layout fails, whoever signed it
    let src = shared("vectors/in-toto-demo/metablock/expired-layout");
    std::fs::copy(src.join("root.layout"), d.join("root.layout")).unwrap();
    let j = audit_json(
        d,
        &["--controls", "build.policy-adherence", "--key", "alice.pub"],
    );
    let c = control(&j, "build.policy-adherence");
    assert_eq!(c["status"], "fail");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{c}"
    );
}

#[test]
fn sbom_attestation_control() {
    let r = repo();
    let d = r.path();
    let j = audit_json(d, &["--controls", "materials.sbom"]);
    assert_eq!(control(&j, "materials.sbom")["status"], "fail");
    palisade(d)
        .args([
            "key", "generate", "--type", "ed25519", "--out", "release", "-q",
        ])
        .assert()
        .success();
    std::fs::write(
        d.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    palisade(d)
        .args([
            "sbom",
            "generate",
            "Cargo.lock",
            "--out",
            "app.cdx.json",
            "--attest",
            "--key",
            "release",
        ])
        .args(["--subject", "app.bin", "--bundle", "app.intoto.jsonl"])
        .assert()
        .success();
    let j = audit_json(d, &["--controls", "materials.sbom"]);
    assert_eq!(control(&j, "materials.sbom")["status"], "partial");
    let j = audit_json(d, &["--controls", "materials.sbom", "--key", "release.pub"]);
    let c = control(&j, "materials.sbom");
    assert_eq!(c["status"], "pass", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SBOM of app.bin")
    );
}

/// Source controls (signed commits and merges, key rotation, CODEOWNERS) on a clone of
/// the signed-commit fixture.
#[test]
fn source_controls_from_the_signed_fixture() {
    let fx = palisade_testkit::signed_repo(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("r");
    let ok = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(fx.join("repo"))
        .arg(&d)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(ok.success());
    // A clone has none of the fixture's git config: no policy yet.
    let j = audit_json(&d, &[]);
    assert_eq!(control(&j, "source.signed-commits")["status"], "fail");
    assert_eq!(control(&j, "source.codeowners")["status"], "fail");

    let signers = std::fs::read_to_string(fx.join("keys/allowed_signers")).unwrap();
    std::fs::create_dir_all(d.join(".palisade")).unwrap();
    std::fs::write(d.join(".palisade/allowed_signers"), &signers).unwrap();
    std::fs::copy(
        fx.join("keys/revoked_keys"),
        d.join(".palisade/revoked_keys"),
    )
    .unwrap();
    std::fs::copy(
        fx.join("keys/grace.pub.asc"),
        d.join(".palisade/pgp-keys.asc"),
    )
    .unwrap();
    let alice: String = signers
        .lines()
        .filter(|l| l.starts_with("alice@"))
        .collect();
    std::fs::write(d.join(".palisade/mergers"), format!("{alice}\n")).unwrap();
    std::fs::create_dir_all(d.join(".github")).unwrap();
    std::fs::write(d.join(".github/CODEOWNERS"), "* @org/maintainers\n").unwrap();

    let j = audit_json(&d, &[]);
    let c = control(&j, "source.signed-commits");
    assert_eq!(c["status"], "partial", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("of 27 commits"),
        "{c}"
    );
    let m = control(&j, "source.signed-merges");
    assert_eq!(m["status"], "fail", "{m}");
    let merges = m["evidence"].to_string();
    for label in [
        "16-signed-merge-of-unsigned",
        "23-verified-merge-hiding-unsigned",
    ] {
        let id = std::process::Command::new("git")
            .arg("-C")
            .arg(fx.join("repo"))
            .args(["rev-parse", &format!("fx/{label}")])
            .output()
            .unwrap();
        let id = String::from_utf8(id.stdout).unwrap();
        assert!(merges.contains(id.trim()), "{label} not in {merges}");
    }
    assert_eq!(control(&j, "source.key-rotation")["status"], "partial");
    assert_eq!(control(&j, "source.codeowners")["status"], "pass");
}

#[test]
fn layout_shape_and_links_in_each_state() {
    use palisade_testkit::shared;
    let ids = "build.segregated-duties,build.release-threshold,artefacts.validate-each-step";
    let r = repo();
    let d = r.path();
    let j = audit_json(d, &["--controls", ids]);
    for id in ids.split(',') {
        assert_eq!(control(&j, id)["status"], "fail", "{id} without a layout");
    }
    let copy = |case: &str| {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "link" || x == "layout") {
                std::fs::remove_file(p).unwrap();
            }
        }
        let src = shared(&format!("vectors/in-toto-demo/metablock/{case}"));
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
        }
    };
    copy("good");
    let j = audit_json(d, &["--controls", ids]);
    // clone/update-version by bob, package by carl, review by both: no key does it all
    let c = control(&j, "build.segregated-duties");
    assert_eq!(c["status"], "pass", "{c}");
    // the release step (package) has threshold 1
    let c = control(&j, "build.release-threshold");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("release step 'package': threshold 1"),
        "{c}"
    );
    let c = control(&j, "artefacts.validate-each-step");
    assert_eq!(c["status"], "pass", "{c}");
    // one of review's two links is missing: that step is short of its threshold
    copy("missing-threshold-link");
    let j = audit_json(d, &["--controls", ids]);
    let c = control(&j, "artefacts.validate-each-step");
    assert_eq!(c["status"], "partial", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("review (1 of 2)"),
        "{c}"
    );
    // a link whose signature is broken does not count
    copy("tampered-link");
    let j = audit_json(d, &["--controls", ids]);
    assert_ne!(
        control(&j, "artefacts.validate-each-step")["status"],
        "pass"
    );
}

#[test]
fn sboms_kept_in_the_repository_are_read_and_compared() {
    let r = repo();
    let d = r.path();
    let ids = "materials.supplier-sbom,materials.composition-analysis";
    let j = audit_json(d, &["--controls", ids]);
    assert_eq!(control(&j, "materials.supplier-sbom")["status"], "fail");
    std::fs::write(
        d.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\"]\n\n\
         [[package]]\nname = \"itoa\"\nversion = \"1.0.11\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
         checksum = \"49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b\"\n",
    )
    .unwrap();
    let out = palisade(d)
        .args([
            "sbom",
            "generate",
            "--format",
            "cyclonedx-json",
            "--out",
            "app.cdx.json",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = audit_json(d, &["--controls", ids]);
    let c = control(&j, "materials.supplier-sbom");
    assert_eq!(c["status"], "pass", "{c}");
    let c = control(&j, "materials.composition-analysis");
    assert_eq!(c["status"], "pass", "{c}");
    // the lockfile moves on, the SBOM does not
    let lock = std::fs::read_to_string(d.join("Cargo.lock")).unwrap();
    std::fs::write(d.join("Cargo.lock"), lock.replace("1.0.11", "1.0.15")).unwrap();
    let j = audit_json(d, &["--controls", ids]);
    let c = control(&j, "materials.composition-analysis");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 version differences"),
        "{c}"
    );
    // a broken SBOM is named
    std::fs::write(d.join("vendor.spdx.json"), "{\"spdxVersion\": ").unwrap();
    let j = audit_json(d, &["--controls", ids]);
    let c = control(&j, "materials.supplier-sbom");
    assert_eq!(c["status"], "partial", "{c}");
}
