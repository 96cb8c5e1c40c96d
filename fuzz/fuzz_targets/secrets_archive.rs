//! The archive walker of the secret scanner on arbitrary bytes (as a zip, tar, 7z, gzip,
//! zstd or xz stream, whichever the magic says; zip members stored, deflated, or with zstd,
//! LZMA, xz or bzip2; encrypted zip members and 7z blocks): no panic, no hang, bounded
//! output (every member within the size limit, the total within the budget), and the scan
//! of each member. Seed the corpus with real archives of each kind before a run, e.g.
//! `cp ../../shared/secrets/gitleaks-testdata/archives/{*.*,files/*.*} corpus/secrets_archive/`,
//! `cp seeds/secrets_archive/* corpus/secrets_archive/` (zips with zstd, LZMA, xz and
//! bzip2 members, encrypted zip members, encrypted 7z blocks and headers, written by the
//! helpers in `crates/palisade-secrets/tests/archives.rs`) and small ones made with `zstd`,
//! `xz`, `gzip` and `tar`.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palisade_secrets::archive::{ArchiveLimits, Skipped, walk};
use palisade_secrets::{Config, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Config::default().scanner().expect("built-in rules"))
}

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_depth: 3,
        max_total: 4 * 1024 * 1024,
        max_ratio: 200,
        max_member: 1024 * 1024,
    };
    let mut total = 0u64;
    let mut skipped = Skipped::default();
    walk("fuzz.bin", data, &limits, &mut skipped, &mut |name, bytes| {
        assert!(name.starts_with("fuzz.bin"));
        assert!(bytes.len() as u64 <= limits.max_member);
        total += bytes.len() as u64;
        let _ = scanner().scan(name, bytes);
    });
    // Each level may hold what it unpacked plus what it hands on: twice the budget.
    assert!(total <= 2 * limits.max_total);
});
