//! TUF repository side: a repository folder whose published metadata is arbitrary bytes
//! (root, targets, snapshot, timestamp, one delegated role), then every editing operation
//! on it. Must never panic, and must never write outside the repository folder, whatever
//! role names or versions the files hold.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palisade_keys::{KeyAlgorithm, PrivateKey};
use palisade_tuf::metadata::PathMatch;
use palisade_tuf::repo::{Repository, sign_document};

const FILES: [&str; 6] = [
    "1.root.json",
    "1.targets.json",
    "1.snapshot.json",
    "timestamp.json",
    "1.team.json",
    "2.root.json",
];

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(KeyAlgorithm::Ed25519).expect("ed25519 key"))
}

fn files_under(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                files_under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The folder is made afresh for every input: base/repo is the repository, and
    // nothing may appear in base outside it.
    let base = std::env::temp_dir().join(format!("palisade-fuzz-tuf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let repo = base.join("repo");
    let md = repo.join("metadata");
    std::fs::create_dir_all(&md).expect("temp dir");
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() < FILES.len() - 1 {
        match rest.windows(6).position(|w| w == b"\n----\n") {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 6..];
            }
            None => break,
        }
    }
    parts.push(rest);
    for (name, bytes) in FILES.iter().zip(&parts) {
        std::fs::write(md.join(name), bytes).expect("write");
    }

    let k = key();
    let keys = std::slice::from_ref(k);
    let exp = (2_000_000_000, 2_000_000_000, 2_000_000_000);
    let r = Repository::open(&repo);
    let _ = r.expiries();
    let _ = r.add_target("targets", "a/b.txt", b"x", None, keys, exp);
    let _ = r.add_target("team", "team/c.txt", b"y", None, keys, exp);
    let _ = r.remove_target("targets", "a/b.txt", keys, exp);
    let _ = r.delegate(
        "targets",
        "new-team",
        &[k.public_key().clone()],
        1,
        PathMatch::Paths(vec!["new/*".into()]),
        false,
        keys,
        exp,
    );
    let _ = r.new_root(keys, None, |_| Ok(()));
    let _ = r.snapshot_and_timestamp(keys, 2_000_000_000, 2_000_000_000);
    if let Some(first) = parts.first() {
        let _ = sign_document(first, &[k], "fuzz.json");
    }

    let mut all = Vec::new();
    files_under(&base, &mut all);
    for p in &all {
        assert!(p.starts_with(&repo), "wrote outside the repository: {}", p.display());
    }
    let _ = std::fs::remove_dir_all(&base);
});
