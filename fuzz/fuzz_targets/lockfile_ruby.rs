#![no_main]
//! Fuzz the ruby readers: the first byte picks the format, the rest is the file.
use libfuzzer_sys::fuzz_target;
use palisade_lockfile::Format;

const FORMATS: &[Format] = &[Format::GemfileLock];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let format = FORMATS[pick as usize % FORMATS.len()];
    let path = std::path::Path::new("/nonexistent-palisade-fuzz/lockfile");
    if let Ok(lock) = palisade_lockfile::parse_bytes(path, body, format) {
        let c = lock.coverage;
        assert_eq!(c.entries, c.parsed + c.skipped);
        assert!(c.packages <= c.parsed);
    }
});
