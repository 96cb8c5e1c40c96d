#![no_main]
//! Differential: the fast reader for pnpm's YAML style against serde_saphyr. Whenever
//! the fast reader accepts a text (whole, or each piece of a large lock cut for parallel
//! reading), the packages, skips and coverage, and the text as an untyped value, must be
//! the ones serde_saphyr gives. Seed with real locks (../shared/lockfiles/pnpm) so that
//! mutations of pnpm's own style, and inputs over 512 KB, are tried.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(d) = palisade_lockfile::pnpm_fast_path_disagreement(text) {
        panic!("{d}");
    }
});
