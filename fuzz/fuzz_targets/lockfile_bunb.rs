#![no_main]
//! Fuzz the bun.lockb (binary) reader: every offset, count and string comes from the
//! input. Seed it with a real bun.lockb (../shared/lockfiles/bun/*.bun.lockb) as corpus.
use libfuzzer_sys::fuzz_target;
use palisade_lockfile::Format;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("/nonexistent-palisade-fuzz/bun.lockb");
    if let Ok(lock) = palisade_lockfile::parse_bytes(path, data, Format::BunLockb) {
        let c = lock.coverage;
        assert_eq!(c.entries, c.parsed + c.skipped);
        assert!(c.packages <= c.parsed);
    }
});
