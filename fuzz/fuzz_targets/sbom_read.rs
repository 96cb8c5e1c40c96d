#![no_main]
//! Fuzz the SBOM readers (CycloneDX / SPDX 2 / SPDX 3 JSON): components, summary, diff.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = palisade_sbom::read_components(data) {
        let d = palisade_sbom::diff(&c, &c);
        assert!(d.is_empty());
        let _ = palisade_sbom::check(&c, &[]);
    }
    let _ = palisade_sbom::summarize(data);
});
