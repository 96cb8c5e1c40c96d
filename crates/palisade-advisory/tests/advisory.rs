//! The index built from all of ../shared/advisories, and matching per ecosystem with
//! real advisories (versions just inside and just outside each range), plus synthetic
//! OSV records for ecosystems the shared data has no vulnerability advisories for.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use palisade_advisory::import::Importer;
use palisade_advisory::matcher::{MatchReport, PackageRef};
use palisade_advisory::{Index, index};

fn shared_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let mut imp = Importer::default();
        imp.add(&palisade_testkit::shared("advisories"))
            .expect("import");
        let entries = std::mem::take(&mut imp.entries);
        index::write(&dir, entries, imp.stats).expect("write index");
        dir
    })
}

fn pkg(eco: &str, name: &str, version: &str) -> PackageRef {
    PackageRef {
        ecosystem: eco.into(),
        name: name.into(),
        version: Some(version.into()),
        purl: format!("pkg:x/{name}@{version}"),
        locations: vec![],
    }
}

fn check(db: &Path, eco: &str, name: &str, version: &str) -> MatchReport {
    let index = Index::open(db).expect("open");
    palisade_advisory::check_packages(&index, &[pkg(eco, name, version)]).expect("check")
}

fn ids(db: &Path, eco: &str, name: &str, version: &str) -> Vec<String> {
    let r = check(db, eco, name, version);
    assert!(
        r.unchecked.is_empty(),
        "{name} {version}: {:?}",
        r.unchecked
    );
    r.findings.into_iter().map(|f| f.id).collect()
}

#[test]
fn imports_all_shared_advisories() {
    let index = Index::open(shared_db()).expect("open");
    let m = &index.meta;
    let errors: usize = m.sources.iter().map(|s| s.error_count).sum();
    assert_eq!(errors, 0, "{:?}", m.sources);
    // 7,080 PyPA + 1,206 RustSec OSV + 1,205 RustSec native + 4,291 Go + 32,564 OSSF
    // malicious: each read once (the `osv-scanner -> osv-scalibr` links are not followed).
    let records: usize = m.sources.iter().map(|s| s.records).sum();
    assert_eq!(records, 46_346);
    let withdrawn: usize = m.sources.iter().map(|s| s.withdrawn).sum();
    // 269 PyPA + 13 RustSec OSV + 12 RustSec native + 17 Go + 56 malicious = 368 (README).
    assert!(withdrawn >= 360, "withdrawn {withdrawn}");
    let e = &m.ecosystems;
    assert!(
        e["PyPI"].advisories >= 7_080 - 269 + 9_207 - 1 - 10,
        "{e:?}"
    );
    assert_eq!(e["npm"].malicious, e["npm"].advisories);
    assert!(e["npm"].advisories >= 22_000);
    assert!(e["Go"].advisories >= 4_291 - 17);
    assert!(e["crates.io"].advisories >= 1_190);
    assert_eq!(e["RubyGems"].advisories, 815);
    assert_eq!(e["NuGet"].advisories, 234);
    // RustSec is read twice (OSV export and the native tar.gz): kept once per id.
    assert!(m.duplicates >= 1_180, "duplicates {}", m.duplicates);
    assert_eq!(m.digest.len(), 64);
}

#[test]
fn crates_io_smallvec_ranges() {
    let db = shared_db();
    for (v, hit) in [
        ("0.6.2", false),
        ("0.6.3", true),
        ("0.6.13", true),
        ("0.6.14", false),
        ("1.0.0", true),
        ("1.6.0", true),
        ("1.6.1", false),
    ] {
        let got = ids(db, "crates.io", "smallvec", v);
        assert_eq!(
            got.contains(&"RUSTSEC-2021-0003".to_string()),
            hit,
            "smallvec {v}: {got:?}"
        );
    }
    let r = check(db, "crates.io", "smallvec", "1.6.0");
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "RUSTSEC-2021-0003")
        .expect("finding");
    assert_eq!(f.fixed.as_deref(), Some("1.6.1"));
    assert_eq!(f.severity.score, Some(9.8));
    assert!(f.aliases.contains(&"CVE-2021-25900".to_string()));
    assert!(f.aliases.contains(&"GHSA-43w2-9j62-hq99".to_string()));
    let r = check(db, "crates.io", "smallvec", "0.6.5");
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "RUSTSEC-2021-0003")
        .expect("finding");
    assert_eq!(f.fixed.as_deref(), Some("0.6.14"), "nearest fixed version");
}

#[test]
fn pypi_ranges_names_and_withdrawn() {
    let db = shared_db();
    for (v, hit) in [
        ("1.25.3", false),
        ("1.25.4", true),
        ("1.26.4", true),
        ("1.26.5", false),
    ] {
        let got = ids(db, "PyPI", "urllib3", v);
        assert_eq!(
            got.contains(&"PYSEC-2021-108".to_string()),
            hit,
            "urllib3 {v}: {got:?}"
        );
    }
    // PEP 503 names: case and separators do not matter.
    assert!(ids(db, "PyPI", "URLLib3", "1.26.0").contains(&"PYSEC-2021-108".to_string()));
    assert!(ids(db, "PyPI", "matrix_synapse", "1.24.0").contains(&"PYSEC-2021-132".to_string()));
    // Withdrawn records do not match.
    assert!(
        !ids(db, "PyPI", "zope2", "2.12.0")
            .iter()
            .any(|i| i == "PYSEC-2006-7")
    );
}

#[test]
fn go_pseudo_versions_and_incompatible() {
    let db = shared_db();
    let m = "github.com/docker/distribution";
    assert!(ids(db, "Go", m, "v2.7.1+incompatible").contains(&"GO-2022-0379".to_string()));
    assert!(!ids(db, "Go", m, "v2.8.0+incompatible").contains(&"GO-2022-0379".to_string()));
    let u = "github.com/satori/go.uuid";
    assert!(!ids(db, "Go", u, "v1.2.0").contains(&"GO-2022-0244".to_string()));
    assert!(
        ids(db, "Go", u, "v1.2.1-0.20180103161547-0ef6afb2f6cd")
            .contains(&"GO-2022-0244".to_string())
    );
    assert!(
        ids(db, "Go", u, "v1.2.1-0.20180301000000-000000000000")
            .contains(&"GO-2022-0244".to_string())
    );
    assert!(
        !ids(db, "Go", u, "v1.2.1-0.20180404165556-75cca531ea76")
            .contains(&"GO-2022-0244".to_string())
    );
}

#[test]
fn malicious_packages_match_every_version() {
    let db = shared_db();
    let r = check(db, "npm", "cxp-jquery", "9.9.9");
    assert!(
        r.findings
            .iter()
            .any(|f| f.id == "MAL-2021-1" && f.malicious)
    );
    let r = check(db, "crates.io", "rustdecimal", "1.23.1");
    assert!(r.findings.iter().any(|f| f.malicious), "{:?}", r.findings);
    assert!(check(db, "npm", "left-pad", "1.3.0").findings.is_empty());
}

#[test]
fn unknown_ecosystems_and_bad_versions_are_unchecked() {
    let db = shared_db();
    let index = Index::open(db).expect("open");
    let r = palisade_advisory::check_packages(
        &index,
        &[
            pkg("CocoaPods", "AFNetworking", "4.0.0"),
            pkg("Hex", "phoenix", "1.7.0"),
            pkg("crates.io", "smallvec", "not-a-version"),
        ],
    )
    .expect("check");
    assert_eq!(r.checked, 0);
    assert_eq!(r.unchecked.len(), 3, "{:?}", r.unchecked);
}

/// Writes an index from OSV records given as JSON text.
fn synthetic(records: &[&str]) -> PathBuf {
    let src = tempfile::tempdir().expect("tempdir").keep();
    for (i, r) in records.iter().enumerate() {
        std::fs::write(src.join(format!("r{i}.json")), r).expect("write");
    }
    let db = src.join("db");
    let mut imp = Importer::default();
    imp.add(&src).expect("import");
    assert!(
        imp.stats.iter().all(|s| s.error_count == 0),
        "{:?}",
        imp.stats
    );
    let entries = std::mem::take(&mut imp.entries);
    index::write(&db, entries, imp.stats).expect("write");
    db
}

fn rec(id: &str, eco: &str, name: &str, events: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z"{extra},
           "affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},
           "ranges":[{{"type":"ECOSYSTEM","events":{events}}}]}}]}}"#
    )
}

#[test]
fn synthetic_npm_maven_rubygems_nuget_packagist() {
    let recs = [
        rec(
            "GHSA-npm1-0000-0001",
            "npm",
            "@scope/pkg",
            r#"[{"introduced":"1.0.0-beta.2"},{"fixed":"1.2.3"}]"#,
            "",
        ),
        rec(
            "GHSA-mvn1-0000-0001",
            "Maven",
            "org.example:lib",
            r#"[{"introduced":"2.0-alpha-1"},{"fixed":"2.0.1"}]"#,
            "",
        ),
        rec(
            "GHSA-gem1-0000-0001",
            "RubyGems",
            "rack",
            r#"[{"introduced":"2.0.0.beta1"},{"last_affected":"2.2.3"}]"#,
            "",
        ),
        rec(
            "GHSA-nug1-0000-0001",
            "NuGet",
            "Newtonsoft.Json",
            r#"[{"introduced":"0"},{"fixed":"13.0.1"}]"#,
            "",
        ),
        rec(
            "GHSA-php1-0000-0001",
            "Packagist",
            "symfony/http-kernel",
            r#"[{"introduced":"5.0.0-RC1"},{"fixed":"5.4.20"}]"#,
            "",
        ),
    ];
    let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
    let db = synthetic(&refs);
    let cases = [
        ("npm", "@scope/pkg", "1.0.0-beta.1", false),
        ("npm", "@scope/pkg", "1.0.0-beta.2", true),
        ("npm", "@scope/pkg", "1.2.2", true),
        ("npm", "@scope/pkg", "1.2.3", false),
        ("Maven", "org.example:lib", "1.9", false),
        ("Maven", "org.example:lib", "2.0-alpha-1", true),
        ("Maven", "org.example:lib", "2.0-SNAPSHOT", true),
        ("Maven", "org.example:lib", "2.0", true),
        ("Maven", "org.example:lib", "2.0.1", false),
        ("Maven", "org.example:lib", "2.0.1-RC1", true),
        ("RubyGems", "rack", "1.6.13", false),
        ("RubyGems", "rack", "2.0.0.beta1", true),
        ("RubyGems", "rack", "2.2.3", true),
        ("RubyGems", "rack", "2.2.3.1", false),
        ("NuGet", "newtonsoft.json", "12.0.3", true),
        ("NuGet", "Newtonsoft.Json", "13.0.0.9", true),
        ("NuGet", "Newtonsoft.Json", "13.0.1", false),
        ("Packagist", "symfony/http-kernel", "4.4.50", false),
        ("Packagist", "symfony/http-kernel", "5.0.0-RC1", true),
        ("Packagist", "symfony/http-kernel", "v5.4.19", true),
        ("Packagist", "symfony/http-kernel", "5.4.20", false),
    ];
    for (eco, name, v, hit) in cases {
        let got = ids(&db, eco, name, v);
        assert_eq!(!got.is_empty(), hit, "{eco} {name} {v}: {got:?}");
    }
}

#[test]
fn versions_lists_aliases_and_cvss() {
    let a = r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2024-0001"],"modified":"2024-01-01T00:00:00Z",
        "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}],
        "affected":[{"package":{"ecosystem":"npm","name":"lib"},"versions":["1.0.0","1.0.1"]}]}"#;
    let b = r#"{"id":"CVE-2024-0001","modified":"2024-01-01T00:00:00Z",
        "severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
        "affected":[{"package":{"ecosystem":"npm","name":"lib"},
          "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.2"}]},
                    {"type":"GIT","repo":"https://example.invalid/x","events":[{"introduced":"abc"}]}]}]}"#;
    let db = synthetic(&[a, b]);
    let r = check(&db, "npm", "lib", "1.0.1");
    assert_eq!(r.findings.len(), 1, "aliases merged: {:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.id, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(f.aliases, vec!["CVE-2024-0001".to_string()]);
    assert_eq!(
        f.severity.score,
        Some(9.3),
        "CVSS v4.0 scored, highest wins"
    );
    assert_eq!(f.fixed.as_deref(), Some("1.0.2"));
    // 0.9.0 is only in the CVE's range.
    let r = check(&db, "npm", "lib", "0.9.0");
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].id, "CVE-2024-0001");
    assert!(check(&db, "npm", "lib", "1.0.2").findings.is_empty());
}

#[test]
fn cvss_scores() {
    use palisade_advisory::severity::cvss_score;
    assert_eq!(
        cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Some(9.8)
    );
    assert_eq!(
        cvss_score("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
        Some(1.8)
    );
    assert_eq!(
        cvss_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        Some(9.3)
    );
    assert_eq!(
        cvss_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
        None,
        "CVSS v2 is not scored"
    );
    assert_eq!(cvss_score("CVSS:3.1/garbage"), None);
}

#[test]
fn rustsec_native_archive_matches_like_osv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut imp = Importer::default();
    imp.add(&palisade_testkit::shared(
        "advisories/rustsec/advisory-db.tar.gz",
    ))
    .expect("import");
    let st = &imp.stats[0];
    assert_eq!(st.error_count, 0, "{:?}", st.errors);
    assert_eq!(st.skipped, 20, "rust/ toolchain advisories skipped");
    assert!(st.records >= 1_205);
    let entries = std::mem::take(&mut imp.entries);
    index::write(dir.path(), entries, imp.stats).expect("write");
    for (v, hit) in [
        ("0.6.2", false),
        ("0.6.3", true),
        ("0.6.14", false),
        ("1.6.0", true),
        ("1.6.1", false),
    ] {
        let got = ids(dir.path(), "crates.io", "smallvec", v);
        assert_eq!(got.contains(&"RUSTSEC-2021-0003".to_string()), hit, "{v}");
    }
    let r = check(dir.path(), "crates.io", "smallvec", "0.6.5");
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "RUSTSEC-2021-0003")
        .expect("finding");
    assert_eq!(f.fixed.as_deref(), Some("0.6.14"));
}

#[test]
fn interrupted_import_leaves_previous_index() {
    let a = rec("OSV-A", "npm", "a", r#"[{"introduced":"0"}]"#, "");
    let db = synthetic(&[&a]);
    let before = Index::open(&db).expect("open").meta.digest;
    // A crash mid-import leaves a half-written generation that CURRENT does not name.
    std::fs::create_dir_all(db.join("gen-1-1")).expect("mkdir");
    std::fs::write(db.join("gen-1-1/npm.jsonl"), b"{garbage").expect("write");
    let idx = Index::open(&db).expect("still opens");
    assert_eq!(idx.meta.digest, before);
    assert_eq!(check(&db, "npm", "a", "1.0.0").findings.len(), 1);
    // The next import replaces it and cleans up.
    let mut imp = Importer::default();
    imp.add(&palisade_testkit::shared(
        "advisories/ossf-malicious/crates.io.jsonl.gz",
    ))
    .expect("import");
    let entries = std::mem::take(&mut imp.entries);
    index::write(&db, entries, imp.stats).expect("write");
    assert!(!db.join("gen-1-1").exists());
    assert!(
        check(&db, "npm", "a", "1.0.0").unchecked.len() == 1,
        "npm no longer in the index"
    );
}

/// Writers take turns on one index: eight concurrent `--add` imports of one record each
/// all end up in the index (before the lock, the last to finish won), and an index
/// opened before a write can still be read after it.
#[test]
fn concurrent_added_imports_all_land() {
    let base = rec("OSV-BASE", "npm", "base", r#"[{"introduced":"0"}]"#, "");
    let db = synthetic(&[&base]);
    let opened_before = Index::open(&db).expect("open");
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                let src = tempfile::tempdir().expect("tempdir");
                let r = rec(
                    &format!("OSV-ADD-{i}"),
                    "npm",
                    &format!("pkg{i}"),
                    r#"[{"introduced":"0"}]"#,
                    "",
                );
                std::fs::write(src.path().join("r.json"), r).expect("write");
                let mut imp = Importer::default();
                imp.add(src.path()).expect("import");
                let entries = std::mem::take(&mut imp.entries);
                index::write_added(&db, entries, imp.stats).expect("write_added");
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(ids(&db, "npm", "base", "1.0.0"), ["OSV-BASE"]);
    for i in 0..8 {
        assert_eq!(
            ids(&db, "npm", &format!("pkg{i}"), "1.0.0"),
            [format!("OSV-ADD-{i}")],
            "import {i} was lost"
        );
    }
    assert_eq!(Index::open(&db).expect("open").meta.sources.len(), 9);
    // Only the current generation and the one before it remain.
    let gens = std::fs::read_dir(&db)
        .expect("read db")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(gens, 2);
    // A reader that opened the index before all this sees an index (its generation was
    // replaced long ago and removed: it reports an error, never a panic).
    let _ = palisade_advisory::check_packages(&opened_before, &[pkg("npm", "base", "1.0.0")]);
}

#[test]
fn malformed_records_are_errors_naming_the_place() {
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        src.path().join("bad.json"),
        r#"{"id":"X-1","modified":"x","affected":[{"package":{"ecosystem":"npm","name":"p"},"ranges":[{"type":"SEMVER","events":[{"bogus":"1"}]}]}]}"#,
    )
    .expect("write");
    std::fs::write(
        src.path().join("lines.jsonl"),
        b"{\"id\":\"Y-1\",\"modified\":\"x\"}\nnot json\n",
    )
    .expect("write");
    std::fs::write(
        src.path().join("package.json"),
        br#"{"name":"not-an-advisory"}"#,
    )
    .expect("write");
    let mut imp = Importer::default();
    imp.add(src.path()).expect("import");
    let st = &imp.stats[0];
    assert_eq!(st.error_count, 2, "{:?}", st.errors);
    assert!(
        st.errors
            .iter()
            .any(|e| e.contains("bad.json") && e.contains("bogus"))
    );
    assert!(st.errors.iter().any(|e| e.contains("lines.jsonl:2")));
    assert_eq!(st.records, 1);
}

#[test]
fn zip_layout_is_read() {
    let mut imp = Importer::default();
    imp.add(&palisade_testkit::shared(
        "advisories/govulndb/osv-scalibr/Go/all.zip",
    ))
    .expect("import");
    assert_eq!(imp.stats[0].error_count, 0);
    assert_eq!(imp.stats[0].records, 4_291);
    assert_eq!(imp.stats[0].withdrawn, 17);
}
