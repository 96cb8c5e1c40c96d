#![no_main]
//! Fuzz format detection from content, then the chosen reader.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("/nonexistent-palisade-fuzz/unknown");
    if let Some(format) = palisade_lockfile::detect(path, data) {
        let _ = palisade_lockfile::parse_bytes(path, data, format);
    }
});
