//! `palisade ci …` end to end through the binary.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

fn palisade(args: &[&str], cwd: &Path) -> Output {
    assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const BAD_WORKFLOW: &str = "on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo \"${{ github.event.pull_request.title }}\"\n";

#[test]
fn finds_workflows_actions_and_gitlab_with_includes() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, ".github/workflows/ci.yml", BAD_WORKFLOW);
    write(
        r,
        "tools/build/action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: a/b@main\n",
    );
    write(r, ".gitlab-ci.yml", "include:\n  - local: ci/jobs.yml\n");
    write(
        r,
        "ci/jobs.yml",
        "deploy:\n  image: alpine\n  script:\n    - echo $CI_JOB_TOKEN\n",
    );
    write(r, "docs/other.yml", "jobs: {}\n");
    let out = palisade(&["ci", "audit", "--format", "json"], r);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "./.github/workflows/ci.yml",
            "./.gitlab-ci.yml",
            "./ci/jobs.yml",
            "./tools/build/action.yml"
        ]
    );
    let hit = |rule: &str, file: &str, line: u64| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == rule && f["file"] == file && f["line"] == line)
    };
    assert!(hit("template-injection", "./.github/workflows/ci.yml", 9));
    assert!(hit("dangerous-triggers", "./.github/workflows/ci.yml", 8));
    assert!(hit("unpinned-uses", "./tools/build/action.yml", 4));
    assert!(
        hit("gitlab-job-token", "./ci/jobs.yml", 4),
        "the local include is followed"
    );
    assert!(hit("unpinned-images", "./ci/jobs.yml", 2));
    // the table names file:line:col, rule, severity and the snippet
    let out = palisade(&["ci", "audit", "-q"], r);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("./.github/workflows/ci.yml:9:20  high    template-injection"),
        "{table}"
    );
    assert!(table.contains("| - run: echo \"${{ github.event.pull_request.title }}\""));
    // byte-identical on rerun
    assert_eq!(palisade(&["ci", "audit", "-q"], r).stdout, table.as_bytes());
}

#[test]
fn exit_codes_suppressions_config_and_min_severity() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        ".github/workflows/ok.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n",
    );
    assert_eq!(palisade(&["ci", "audit"], r).status.code(), Some(0));
    write(
        r,
        ".github/workflows/w.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      # palisade: ignore[unpinned-uses]\n      - uses: a/b@main\n      - uses: actions/checkout@v4\n      - uses: c/d@v1\n",
    );
    let out = palisade(&["ci", "audit", "--format", "json"], r);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["artipacked", "unpinned-uses", "unpinned-uses"],
        "line 8 suppressed by the comment above it; checkout@v4 (low) and c/d@v1 (medium) stay"
    );
    // medium and above: the tag-pinned c/d@v1 (medium) stays, GitHub's own checkout tag is low
    let out = palisade(
        &["ci", "audit", "--format", "json", "--min-severity", "high"],
        r,
    );
    assert_eq!(out.status.code(), Some(0), "nothing high");
    write(
        r,
        "palisade.toml",
        "[ci]\nignore = [\"artipacked\", \"unpinned-uses\"]\n",
    );
    assert_eq!(palisade(&["ci", "audit"], r).status.code(), Some(0));
    write(r, "palisade.toml", "[ci]\nignore = [\"no-such-rule\"]\n");
    assert_eq!(palisade(&["ci", "audit"], r).status.code(), Some(2));
    std::fs::remove_file(r.join("palisade.toml")).unwrap();
    // unreadable input: exit 2, the error names file, line and column
    write(r, ".github/workflows/broken.yml", "on: push\njobs: [\n");
    let out = palisade(&["ci", "audit", "-q"], r);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yml: line"), "{err}");
    assert_eq!(
        palisade(&["ci", "audit", "nope/"], r).status.code(),
        Some(2)
    );
}

#[test]
fn template_from_flag_and_palisade_toml() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        ".github/workflows/release.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n        with:\n          persist-credentials: false\n      - run: make dist\n",
    );
    write(
        r,
        "org.toml",
        "[[require]]\nname = \"provenance\"\nuses = \"slsa-framework/slsa-github-generator*\"\nscope = \"release\"\n[release]\nruns-on = [\"ubuntu-24.04\"]\n",
    );
    let out = palisade(
        &["ci", "audit", "--format", "json", "--template", "org.toml"],
        r,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["policy-required-step", "policy-release-runner"]);
    write(r, "palisade.toml", "[ci]\ntemplate = \"org.toml\"\n");
    assert_eq!(palisade(&["ci", "audit"], r).status.code(), Some(1));
    write(r, "org.toml", "[[require]]\nname = \"x\"\n");
    assert_eq!(
        palisade(&["ci", "audit"], r).status.code(),
        Some(2),
        "a bad template is an input error"
    );
}

#[test]
fn sarif_over_the_shared_corpus_validates() {
    let corpus = palisade_testkit::shared("workflows");
    let d = tempfile::tempdir().unwrap();
    let out_path = d.path().join("ci.sarif");
    let out = palisade(
        &[
            "ci",
            "audit",
            "-q",
            "--format",
            "sarif",
            "--out",
            out_path.to_str().unwrap(),
            "aquasecurity__trivy",
            "sigstore__cosign",
            "zizmorcore__zizmor",
        ],
        &corpus,
    );
    // directories are searched for .github/workflows only: give the files explicitly
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing found by directory walk in a flat corpus"
    );
    let mut files: Vec<String> = Vec::new();
    for dir in [
        "aquasecurity__trivy",
        "sigstore__cosign",
        "zizmorcore__zizmor",
    ] {
        for e in std::fs::read_dir(corpus.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                files.push(format!(
                    "{dir}/{}",
                    p.file_name().unwrap().to_str().unwrap()
                ));
            }
        }
    }
    files.sort();
    let mut args = vec![
        "ci",
        "audit",
        "-q",
        "--format",
        "sarif",
        "--out",
        out_path.to_str().unwrap(),
    ];
    args.extend(files.iter().map(String::as_str));
    let out = palisade(&args, &corpus);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    palisade_testkit::sarif_check(&out_path).unwrap();
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 50);
    let r = &results[0];
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert!(
        region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1
    );
    assert!(region["endColumn"].as_u64().is_some() && region["snippet"]["text"].is_string());
    assert!(r["partialFingerprints"]["palisade/v1"].is_string());
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "catastrophic".into();
    std::fs::write(d.path().join("broken.sarif"), broken.to_string()).unwrap();
    assert!(palisade_testkit::sarif_check(&d.path().join("broken.sarif")).is_err());
}

#[test]
fn rules_are_listed() {
    let d = tempfile::tempdir().unwrap();
    let out = palisade(&["ci", "rules"], d.path());
    let s = String::from_utf8(out.stdout).unwrap();
    for r in [
        "unpinned-uses",
        "template-injection",
        "gitlab-job-token",
        "policy-required-step",
    ] {
        assert!(s.contains(r), "{s}");
    }
}

/// A fake forge on 127.0.0.1: answers `GET /repos/a/b/commits/v1` with a commit, 404
/// otherwise; counts requests.
fn fake_forge() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            let mut accept_sha = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if line
                    .to_ascii_lowercase()
                    .starts_with("accept: application/vnd.github.sha")
                {
                    accept_sha = true;
                }
            }
            h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (status, body) = if first.starts_with("GET /repos/a/b/commits/v1 ") && accept_sha {
                ("200 OK", "8e5e7e5ab8b370d6c329ec480221332ada57f0ab")
            } else {
                ("404 Not Found", "{}")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}"), hits)
}

#[test]
fn online_resolves_tags_against_a_fake_forge() {
    let (api, hits) = fake_forge();
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        ".github/workflows/w.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n      - uses: a/b/sub@v1\n      - uses: c/d@main\n",
    );
    let out = palisade(
        &[
            "ci",
            "audit",
            "--format",
            "json",
            "--online",
            "--forge-api",
            &api,
        ],
        r,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f[0]["pin"], "8e5e7e5ab8b370d6c329ec480221332ada57f0ab");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("today: a/b@8e5e7e5ab8b370d6c329ec480221332ada57f0ab # v1")
    );
    assert_eq!(
        f[1]["pin"], "8e5e7e5ab8b370d6c329ec480221332ada57f0ab",
        "a sub-path action of the same repository"
    );
    assert!(
        f[2].get("pin").is_none(),
        "unknown to the forge: left as is"
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "a/b@v1 asked once, c/d@main once"
    );
    // offline by default: nothing is asked
    let out = palisade(&["ci", "audit", "--format", "json"], r);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"][0].get("pin").is_none());
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}
