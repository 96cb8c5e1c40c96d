//! Policy: licences over SPDX expressions, ignores with expiry, severity threshold,
//! malicious packages, VEX (OpenVEX and CycloneDX) round trip, trusted sources.

use palisade_advisory::matcher::{Finding, PackageRef};
use palisade_advisory::policy::{
    IgnoreRule, LicenceRule, SourceFacts, Verdict, check_sources, judge, judge_licence,
};
use palisade_advisory::severity::{Level, Severity};
use palisade_advisory::vex;

fn rules(list: &[&str]) -> Vec<LicenceRule> {
    list.iter()
        .map(|s| LicenceRule::parse(s).expect("rule"))
        .collect()
}

#[test]
fn licence_expressions() {
    let allow = rules(&[
        "MIT",
        "Apache-2.0",
        "GPL-2.0-only WITH Classpath-exception-2.0",
    ]);
    let deny = rules(&["GPL-3.0-only"]);
    assert_eq!(judge_licence("MIT OR GPL-3.0-only", &allow, &[]), None);
    assert_eq!(
        judge_licence("(MIT OR Apache-2.0) AND Apache-2.0", &allow, &[]),
        None
    );
    assert!(judge_licence("GPL-3.0-only", &allow, &[]).is_some());
    assert!(judge_licence("MIT AND GPL-3.0-only", &[], &deny).is_some());
    assert_eq!(judge_licence("MIT OR GPL-3.0-only", &[], &deny), None);
    assert_eq!(
        judge_licence("GPL-2.0-only WITH Classpath-exception-2.0", &allow, &[]),
        None
    );
    assert!(
        judge_licence("GPL-2.0-only", &allow, &[]).is_some(),
        "the exception is required"
    );
    let odd = judge_licence("LicenseRef-Proprietary", &allow, &[]).expect("reported");
    assert!(odd.contains("non-SPDX"), "{odd}");
    let bad = judge_licence("Some licence, ask us", &allow, &[]).expect("reported");
    assert!(bad.contains("not an SPDX expression"), "{bad}");
    assert!(LicenceRule::parse("Not-A-Licence").is_err());
    // Lax forms found in the wild (`Apache 2.0`-style ids and `/`) are still judged.
    assert_eq!(judge_licence("MIT/Apache-2.0", &allow, &[]), None);
}

fn finding(id: &str, level: Level) -> Finding {
    Finding {
        package: PackageRef {
            ecosystem: "npm".into(),
            name: "lib".into(),
            version: Some("1.0.0".into()),
            purl: "pkg:npm/lib@1.0.0".into(),
            locations: vec!["package-lock.json:10".into()],
        },
        id: id.into(),
        aliases: vec!["CVE-2024-0001".into()],
        summary: "bad".into(),
        severity: Severity {
            level,
            score: None,
            vector: None,
        },
        malicious: false,
        informational: None,
        fixed: Some("1.0.1".into()),
        url: None,
    }
}

#[test]
fn ignores_expire_and_threshold() {
    let f = finding("GHSA-aaaa-bbbb-cccc", Level::High);
    let today = "2026-11-25";
    let ign = |until: Option<&str>| {
        vec![IgnoreRule {
            id: "CVE-2024-0001".into(),
            reason: "not reachable".into(),
            until: until.map(str::to_string),
        }]
    };
    assert!(!judge(&f, None, &ign(Some("2026-12-31")), &[], today).fails());
    assert!(
        !judge(&f, None, &ign(Some(today)), &[], today).fails(),
        "the last day still applies"
    );
    let v = judge(&f, None, &ign(Some("2026-11-24")), &[], today);
    match v {
        Verdict::Fail(why) => assert!(why.contains("expired on 2026-11-24"), "{why}"),
        other => panic!("expired ignore must fail: {other:?}"),
    }
    assert!(judge(&f, None, &[], &[], today).fails());
    assert!(!judge(&f, Some(Level::Critical), &[], &[], today).fails());
    assert!(judge(&f, Some(Level::High), &[], &[], today).fails());
    let unknown = finding("GHSA-x", Level::Unknown);
    assert!(
        judge(&unknown, Some(Level::Critical), &[], &[], today).fails(),
        "never fail open"
    );
    let mut mal = finding("MAL-2024-1", Level::Critical);
    mal.malicious = true;
    let ign_mal = vec![IgnoreRule {
        id: "MAL-2024-1".into(),
        reason: "r".into(),
        until: None,
    }];
    assert!(judge(&mal, Some(Level::Critical), &ign_mal, &[], today).fails());
    let mut info = finding("RUSTSEC-2024-0001", Level::Unknown);
    info.informational = Some("unmaintained".into());
    assert!(!judge(&info, None, &[], &[], today).fails());
}

#[test]
fn vex_round_trip() {
    let f = finding("GHSA-aaaa-bbbb-cccc", Level::High);
    let doc = vex::emit_openvex(&[(&f, None)], "2026-01-01T00:00:00Z");
    let again = vex::emit_openvex(&[(&f, None)], "2026-01-01T00:00:00Z");
    assert_eq!(doc, again, "deterministic");
    let stmts = vex::read("emitted", &doc).expect("read back");
    assert_eq!(stmts.len(), 1);
    assert_eq!(stmts[0].status, "affected");
    assert!(!stmts[0].suppresses(&f), "affected does not suppress");
    // The user triages it: not_affected.
    let text = String::from_utf8(doc)
        .expect("utf8")
        .replace("\"affected\"", "\"not_affected\"");
    let stmts = vex::read("triaged", text.as_bytes()).expect("read");
    assert!(stmts[0].suppresses(&f));
    assert!(!judge(&f, None, &[], &stmts, "2026-11-25").fails());
    // Another version of the package is not covered.
    let mut other = f.clone();
    other.package.purl = "pkg:npm/lib@2.0.0".into();
    assert!(!stmts[0].suppresses(&other));
}

#[test]
fn cyclonedx_vex() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.5",
      "components":[{"bom-ref":"lib-1","purl":"pkg:npm/lib@1.0.0"}],
      "vulnerabilities":[
        {"id":"CVE-2024-0001","analysis":{"state":"not_affected","justification":"code_not_reachable"},"affects":[{"ref":"lib-1"}]},
        {"id":"CVE-2024-0002","analysis":{"state":"exploitable"},"affects":[{"ref":"pkg:npm/lib"}]}]}"#;
    let stmts = vex::read("cdx", doc).expect("read");
    assert_eq!(stmts.len(), 2);
    let f = finding("GHSA-aaaa-bbbb-cccc", Level::High);
    assert!(
        stmts[0].suppresses(&f),
        "matched through its alias and the bom-ref"
    );
    let mut g = f.clone();
    g.aliases = vec!["CVE-2024-0002".into()];
    assert!(!stmts.iter().any(|s| s.suppresses(&g)));
    assert!(vex::read("junk", b"{\"x\":1}").is_err());
}

#[test]
fn trusted_sources_and_hashes() {
    let p = |name: &str| PackageRef {
        ecosystem: "npm".into(),
        name: name.into(),
        version: Some("1.0.0".into()),
        purl: format!("pkg:npm/{name}@1.0.0"),
        locations: vec![],
    };
    let facts = vec![
        SourceFacts {
            package: p("good"),
            source: Some("https://registry.npmjs.org/good/-/good-1.0.0.tgz".into()),
            hashes: 1,
            format_has_hashes: true,
            local: false,
        },
        SourceFacts {
            package: p("evil"),
            source: Some("https://evil.example/evil-1.0.0.tgz".into()),
            hashes: 1,
            format_has_hashes: true,
            local: false,
        },
        SourceFacts {
            package: p("nohash"),
            source: None,
            hashes: 0,
            format_has_hashes: true,
            local: false,
        },
        SourceFacts {
            package: p("local"),
            source: Some("file:../local".into()),
            hashes: 0,
            format_has_hashes: true,
            local: true,
        },
    ];
    let allowed = vec!["registry.npmjs.org".to_string()];
    let issues = check_sources(&facts, &allowed, true);
    let names: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.package.name.as_str(), i.problem.as_str()))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names
            .iter()
            .any(|(n, p)| *n == "evil" && p.contains("allowed registry"))
    );
    assert!(
        names
            .iter()
            .any(|(n, p)| *n == "nohash" && p.contains("hash"))
    );
    assert!(check_sources(&facts, &[], false).is_empty());
    let cargo = vec!["https://github.com/rust-lang/crates.io-index".to_string()];
    assert!(palisade_advisory::policy::source_allowed(
        "registry+https://github.com/rust-lang/crates.io-index",
        &cargo
    ));
}

/// Allowed URLs match on path boundaries; git sources are compared without `git+`,
/// `.git`, the branch query and the commit fragment.
#[test]
fn allowed_source_urls_match_whole_path_parts() {
    use palisade_advisory::policy::source_allowed;
    let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let repo = a(&["https://github.com/org/repo"]);
    for ok in [
        "git+https://github.com/org/repo?branch=main#0123abcd",
        "git+https://github.com/org/repo.git#0123abcd",
        "git+https://GitHub.com/org/repo#0123abcd",
    ] {
        assert!(source_allowed(ok, &repo), "{ok}");
    }
    for no in [
        "git+https://github.com/org/repo-evil#0123abcd",
        "git+https://github.com/org/repository#0123abcd",
        "git+https://github.com/other/repo#0123abcd",
        "registry+https://github.com/org/repo-index",
    ] {
        assert!(!source_allowed(no, &repo), "{no}");
    }
    let org = a(&["https://github.com/org/"]);
    assert!(source_allowed(
        "git+https://github.com/org/anything#1",
        &org
    ));
    assert!(!source_allowed(
        "git+https://github.com/organisation/x#1",
        &org
    ));
    // npm tarball URLs sit under an allowed registry URL.
    let npm = a(&["https://registry.npmjs.org/"]);
    assert!(source_allowed(
        "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
        &npm
    ));
    assert!(!source_allowed(
        "https://registry.npmjs.org.evil.example/lodash/-/lodash-4.17.21.tgz",
        &npm
    ));
}
