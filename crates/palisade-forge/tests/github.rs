//! Forge controls from recorded GitHub API answers: served by a fake forge on 127.0.0.1
//! (pagination, 401, 403, 404, rate limit) and read from an exported directory.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use palisade_forge::{
    Access, Api, DirApi, Flavour, ForgeRepo, HttpApi, Local, Recorder, Settings, assess,
};
use palisade_report::Status;
use palisade_testkit::forge::{ForgeServer, Mode};

fn data() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("tests/data/github")
}

fn repo(path: &str) -> ForgeRepo {
    ForgeRepo::from_url(&format!("https://github.com/{path}.git"), None).unwrap()
}

fn local() -> Local {
    Local {
        contributing: vec!["CONTRIBUTING.md".into()],
        remotes: vec![("origin".into(), "https://github.com/acme/widget.git".into())],
    }
}

fn statuses(api: &dyn Api, r: &ForgeRepo) -> Vec<(String, Status, String)> {
    let a = assess(Access::Api(api, r), &local(), &Settings::default());
    palisade_forge::CONTROLS
        .iter()
        .map(|c| {
            let (s, ev) = a.control(c);
            let text = ev
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("\n");
            (c.to_string(), s, text)
        })
        .collect()
}

fn status_of(v: &[(String, Status, String)], id: &str) -> (Status, String) {
    let (_, s, t) = v.iter().find(|(c, _, _)| c == id).unwrap();
    (*s, t.clone())
}

#[test]
fn a_well_run_organisation_repository_passes_over_http_with_pagination() {
    let server = ForgeServer::start(&data(), Some("t0ken"), Mode::Normal);
    let api = HttpApi::new(Flavour::GitHub, &server.base, Some("t0ken".into()));
    let v = statuses(&api, &repo("acme/widget"));
    for (id, s, text) in &v {
        assert_eq!(*s, Status::Pass, "{id}: {text}");
    }
    let (_, roles) = status_of(&v, "source.contribution-policy");
    // five collaborators arrive over three pages of two
    assert!(
        roles.contains("5 collaborators: 1 admin, 1 maintain, 2 write, 0 triage, 1 read"),
        "{roles}"
    );
    let (_, review) = status_of(&v, "source.two-party-review");
    assert!(
        review.contains("2 of the last 2 merged pull requests"),
        "{review}"
    );
    let (_, bp) = status_of(&v, "source.branch-protection");
    assert!(bp.contains("required status checks: ci/test"), "{bp}");
    assert!(bp.contains("ruleset 42"), "{bp}");
    assert!(bp.contains("signed commits required"), "{bp}");
}

#[test]
fn a_personal_unprotected_repository_fails_with_reasons() {
    let api = DirApi::new(&data());
    let v = statuses(&api, &repo("solo/tool"));
    let (s, t) = status_of(&v, "source.branch-protection");
    assert_eq!(s, Status::Fail, "{t}");
    assert!(
        t.contains("'trunk' has no classic branch protection"),
        "{t}"
    );
    let (s, t) = status_of(&v, "source.two-party-review");
    assert_eq!(s, Status::Fail, "{t}");
    assert!(
        t.contains("merged without an independent approval: #3"),
        "{t}"
    );
    let (s, t) = status_of(&v, "source.mfa");
    assert_eq!(s, Status::Partial, "{t}");
    let (s, t) = status_of(&v, "source.ssh-keys");
    assert_eq!(s, Status::Fail, "{t}");
    assert!(t.contains("'deploy bot' is weak (RSA 1024 bits)"), "{t}");
}

#[test]
fn missing_permissions_give_unknown_not_a_guess() {
    let api = DirApi::new(&data());
    let v = statuses(&api, &repo("limited/app"));
    let (s, t) = status_of(&v, "source.branch-protection");
    // the ruleset is readable, the classic protection is not: partial, with the reason
    assert_eq!(s, Status::Partial, "{t}");
    assert!(t.contains("HTTP 403"), "{t}");
    let (s, t) = status_of(&v, "source.mfa");
    assert_eq!(s, Status::Unknown, "{t}");
    assert!(t.contains("only shown to organisation owners"), "{t}");
    let (s, t) = status_of(&v, "source.ssh-keys");
    assert_eq!(s, Status::Unknown, "{t}");
    // CONTRIBUTING exists locally; roles cannot be read: partial
    let (s, t) = status_of(&v, "source.contribution-policy");
    assert_eq!(s, Status::Partial, "{t}");
    assert!(t.contains("Must have push access"), "{t}");
}

#[test]
fn a_bad_token_and_a_rate_limit_stop_early_with_a_clear_reason() {
    let server = ForgeServer::start(&data(), Some("right"), Mode::Normal);
    let api = HttpApi::new(Flavour::GitHub, &server.base, Some("wrong".into()));
    let v = statuses(&api, &repo("acme/widget"));
    for (id, s, t) in &v {
        // the local CONTRIBUTING file still counts for the contribution policy
        let want = if id == "source.contribution-policy" {
            Status::Partial
        } else {
            Status::Unknown
        };
        assert_eq!(*s, want, "{id}");
        assert!(
            t.contains("refused the token (HTTP 401: Bad credentials)"),
            "{id}: {t}"
        );
    }
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "nothing asked after a 401"
    );

    let server = ForgeServer::start(&data(), None, Mode::RateLimited);
    let api = HttpApi::new(Flavour::GitHub, &server.base, None);
    let v = statuses(&api, &repo("acme/widget"));
    for (id, s, t) in &v {
        let want = if id == "source.contribution-policy" {
            Status::Partial
        } else {
            Status::Unknown
        };
        assert_eq!(*s, want, "{id}");
        assert!(
            t.contains("rate limit is exhausted (resets at 2026-01-01T00:00:00Z)"),
            "{id}: {t}"
        );
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn an_unknown_repository_is_unknown() {
    let api = DirApi::new(&data());
    let v = statuses(&api, &repo("nobody/nothing"));
    for (id, s, t) in &v {
        let want = if id == "source.contribution-policy" {
            Status::Partial
        } else {
            Status::Unknown
        };
        assert_eq!(*s, want, "{id}");
        assert!(t.contains("not in the exported forge data"), "{t}");
    }
}

#[test]
fn exported_answers_give_the_same_verdicts_offline() {
    let server = ForgeServer::start(&data(), Some("t"), Mode::Normal);
    let http = HttpApi::new(Flavour::GitHub, &server.base, Some("t".into()));
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::new(&http, dir.path());
    for r in ["acme/widget", "solo/tool", "limited/app"] {
        let live = statuses(&rec, &repo(r));
        let offline = statuses(&DirApi::new(dir.path()), &repo(r));
        assert_eq!(live, offline, "{r}");
    }
    assert!(
        rec.written()
            .iter()
            .any(|p| p.starts_with("repos/acme/widget/collaborators"))
    );
    // a listing is exported whole (all pages in one array)
    let c: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("repos/acme/widget/collaborators.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(c.as_array().unwrap().len(), 5);
}

#[test]
fn exported_paths_cannot_leave_the_directory() {
    assert!(DirApi::file_for(Path::new("/d"), "repos/../../etc/passwd").is_none());
    assert!(DirApi::file_for(Path::new("/d"), "/abs").is_none());
    assert_eq!(
        DirApi::file_for(Path::new("/d"), "repos/o/r/keys?per_page=100").unwrap(),
        Path::new("/d/repos/o/r/keys.json")
    );
}

#[test]
fn gitlab_projects_are_read_from_the_v4_api() {
    let root =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("tests/data/gitlab");
    let server = ForgeServer::start(&root, Some("glpat-x"), Mode::Normal);
    let api = HttpApi::new(Flavour::GitLab, &server.base, Some("glpat-x".into()));
    let r = ForgeRepo::from_url("git@gitlab.com:platform/infra/deployer.git", None).unwrap();
    let v = statuses(&api, &r);
    let (s, t) = status_of(&v, "source.branch-protection");
    assert_eq!(s, Status::Pass, "{t}");
    assert!(t.contains("pipeline must succeed"), "{t}");
    // !39 had one approval besides its author
    let (s, t) = status_of(&v, "source.two-party-review");
    assert_eq!(s, Status::Partial, "{t}");
    assert!(t.contains("2 of the last 3 merged merge requests"), "{t}");
    assert!(t.contains("fewer approvals than required: !39 (1)"), "{t}");
    assert_eq!(status_of(&v, "source.mfa").0, Status::Pass);
    // four owners (over four pages of members) exceed the three allowed
    let (s, t) = status_of(&v, "source.contribution-policy");
    assert_eq!(s, Status::Partial, "{t}");
    assert!(
        t.contains("7 collaborators: 4 owner, 1 maintainer, 1 developer, 1 reporter, 0 guest"),
        "{t}"
    );
    let (s, t) = status_of(&v, "source.ssh-keys");
    assert_eq!(s, Status::Partial, "{t}");
    assert!(t.contains("'argo' (ssh-ed25519) has write access"), "{t}");
}
