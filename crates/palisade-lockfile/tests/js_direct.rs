//! yarn (classic and berry) and bun text locks: direct and transitive dependencies and
//! dev scope from the package.json beside the lock (workspaces too); without one, the
//! lock says so in its notes.

use std::path::Path;

use palisade_lockfile::{Lockfile, Scope, parse_file};
use palisade_testkit::shared;

fn copy_to(dir: &Path, fixture: &str, name: &str) -> std::path::PathBuf {
    let to = dir.join(name);
    std::fs::copy(shared(fixture), &to).expect("copy");
    to
}

fn get<'a>(l: &'a Lockfile, name: &str, version: &str) -> &'a palisade_lockfile::Package {
    l.packages
        .iter()
        .find(|p| p.name == name && p.version.as_deref() == Some(version))
        .unwrap_or_else(|| panic!("{name}@{version} missing"))
}

#[test]
fn yarn_classic_direct_and_dev_from_package_json_and_workspaces() {
    let d = tempfile::tempdir().expect("tempdir");
    let lock = copy_to(
        d.path(),
        "lockfiles/yarn/trivy-yarn_happy.lock",
        "yarn.lock",
    );
    // Without package.json: not told apart, and said.
    let l = parse_file(&lock, None).expect("parses");
    assert!(l.packages.iter().all(|p| p.direct.is_none()));
    assert!(
        l.notes.iter().any(|n| n.contains("no package.json")),
        "{:?}",
        l.notes
    );
    std::fs::write(
        d.path().join("package.json"),
        r#"{"name": "app", "workspaces": ["packages/*"],
            "dependencies": {"promise": "^8.0.3"},
            "devDependencies": {"jquery": "^3.4.1"}}"#,
    )
    .expect("write");
    std::fs::create_dir_all(d.path().join("packages/ui")).expect("mkdir");
    std::fs::write(
        d.path().join("packages/ui/package.json"),
        r#"{"name": "ui", "dependencies": {"wide-align": "1.1.3"}}"#,
    )
    .expect("write");
    let l = parse_file(&lock, None).expect("parses");
    assert!(
        l.notes
            .iter()
            .any(|n| n.contains("1 workspace package.json")),
        "{:?}",
        l.notes
    );
    let promise = get(&l, "promise", "8.0.3");
    assert_eq!(
        (promise.direct, promise.scope),
        (Some(true), Scope::Required)
    );
    // Reached only through promise: transitive, required.
    let asap = get(&l, "asap", "2.0.6");
    assert_eq!((asap.direct, asap.scope), (Some(false), Scope::Required));
    let jquery = get(&l, "jquery", "3.4.1");
    assert_eq!((jquery.direct, jquery.scope), (Some(true), Scope::Dev));
    // A workspace's dependency is direct, and what it pulls in transitive.
    assert_eq!(get(&l, "wide-align", "1.1.3").direct, Some(true));
    let sw = get(&l, "string-width", "2.1.1");
    assert_eq!((sw.direct, sw.scope), (Some(false), Scope::Required));
}

#[test]
fn yarn_berry_direct_from_the_lock_workspace_or_package_json() {
    let d = tempfile::tempdir().expect("tempdir");
    let lock = copy_to(
        d.path(),
        "lockfiles/yarn/pnpm-has-yarn2-lock.yarn.lock",
        "yarn.lock",
    );
    // The root workspace entry of the lock names the direct dependencies.
    let l = parse_file(&lock, None).expect("parses");
    assert_eq!(get(&l, "rimraf", "2.5.1").direct, Some(true));
    assert!(l.packages.iter().any(|p| p.direct == Some(false)));
    assert!(
        l.notes.iter().any(|n| n.contains("dev scope unknown")),
        "{:?}",
        l.notes
    );
    // package.json says which are dev.
    std::fs::write(
        d.path().join("package.json"),
        r#"{"name": "has-yarn2-lock", "dependencies": {"is-positive": "1.0.0", "minimatch": "^3.0.4"},
            "optionalDependencies": {"is-negative": "1.0.0"}, "devDependencies": {"rimraf": "2.5.1"}}"#,
    )
    .expect("write");
    let l = parse_file(&lock, None).expect("parses");
    let rimraf = get(&l, "rimraf", "2.5.1");
    assert_eq!((rimraf.direct, rimraf.scope), (Some(true), Scope::Dev));
    assert_eq!(get(&l, "minimatch", "3.0.4").scope, Scope::Required);
}

#[test]
fn bun_text_lock_direct_from_its_workspaces() {
    let d = tempfile::tempdir().expect("tempdir");
    let lock = copy_to(d.path(), "lockfiles/bun/trivy-bun_happy.lock", "bun.lock");
    let l = parse_file(&lock, None).expect("parses");
    assert!(
        l.packages.iter().any(|p| p.direct == Some(true)),
        "{:#?}",
        l.packages
    );
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}
