//! bun.lockb (binary): read directly, and equal to what bun itself says the file holds.
//!
//! The oracle is bun 1.1.38 (npm `bun`, installed by `scripts/install-peers.sh` into the
//! peers' npm prefix): `bun bun.lockb` prints the binary lock as a yarn v1 lock, which
//! our yarn reader reads. A missing bun fails the test.

use std::collections::BTreeSet;
use std::path::Path;

use palisade_lockfile::{Format, Scope, parse_bytes, parse_file};
use palisade_testkit::{peers_npm, shared};

fn fixture() -> std::path::PathBuf {
    shared("lockfiles/bun/secretlint-binary-compiler.bun.lockb")
}

#[test]
fn lockb_equals_bun_s_own_reading() {
    let ours = parse_file(&fixture(), None).expect("bun.lockb parses");
    assert_eq!(ours.format, Format::BunLockb);
    let c = ours.coverage;
    assert_eq!(c.entries, c.parsed + c.skipped);
    // The root and the workspace packages it links are skipped with a reason.
    assert!(ours.skipped.iter().any(|s| s.reason == "the project root"));
    assert!(
        ours.skipped
            .iter()
            .any(|s| s.reason.starts_with("a workspace of the project")),
        "{:?}",
        ours.skipped
    );
    // bun's own reading, as a yarn lock.
    let bun = peers_npm("bun").join("node_modules/.bin/bun");
    let dir = tempfile_dir();
    std::fs::copy(fixture(), dir.join("bun.lockb")).expect("copy");
    let out = std::process::Command::new(&bun)
        .arg("bun.lockb")
        .current_dir(&dir)
        .output()
        .expect("bun runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yarn = parse_bytes(Path::new("yarn.lock"), &out.stdout, Format::YarnLock).expect("yarn");
    let key = |l: &palisade_lockfile::Lockfile| -> BTreeSet<(String, Option<String>)> {
        l.packages
            .iter()
            .filter(|p| {
                p.version.is_some() && p.source.as_deref().is_some_and(|s| s.starts_with("http"))
            })
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect()
    };
    let (a, b) = (key(&ours), key(&yarn));
    assert!(a.len() > 300, "{}", a.len());
    assert_eq!(
        a.symmetric_difference(&b).collect::<Vec<_>>(),
        Vec::<&(String, Option<String>)>::new()
    );
    // Integrity: every registry package has the sha512 bun prints.
    for p in &ours.packages {
        let y = yarn
            .packages
            .iter()
            .find(|q| q.purl == p.purl)
            .unwrap_or_else(|| panic!("{} not in bun's reading", p.purl));
        assert_eq!(p.hashes, y.hashes, "{}", p.purl);
    }
    // Edges and directness from the root's dependency list.
    assert!(ours.packages.iter().any(|p| p.direct == Some(true)));
    assert!(ours.packages.iter().any(|p| p.direct == Some(false)));
    assert!(ours.packages.iter().any(|p| !p.dependencies.is_empty()));
    assert!(
        ours.packages
            .iter()
            .all(|p| p.scope != Scope::Optional || p.direct.is_some())
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("palisade-bunb-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

#[test]
fn truncated_or_corrupt_lockb_is_an_error_not_a_panic() {
    let bytes = std::fs::read(fixture()).expect("read");
    // Every prefix length up to the package columns, then a sample of longer ones.
    let mut lengths: Vec<usize> = (0..200).collect();
    lengths.extend((200..bytes.len()).step_by(997));
    for n in lengths {
        let _ = parse_bytes(Path::new("bun.lockb"), &bytes[..n], Format::BunLockb);
    }
    // Flipped bytes in the header, counts and offsets.
    for at in (42..200).chain((200..bytes.len()).step_by(1231)) {
        let mut b = bytes.clone();
        b[at] ^= 0xff;
        let _ = parse_bytes(Path::new("bun.lockb"), &b, Format::BunLockb);
    }
    let e = parse_bytes(
        Path::new("x.lockb"),
        b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x02",
        Format::BunLockb,
    )
    .expect_err("truncated");
    assert!(e.to_string().contains("x.lockb:1: bun.lockb:"), "{e}");
    let e = parse_bytes(Path::new("x.lockb"), b"hello", Format::BunLockb).expect_err("not bun");
    assert!(e.to_string().contains("not a bun.lockb"), "{e}");
}
