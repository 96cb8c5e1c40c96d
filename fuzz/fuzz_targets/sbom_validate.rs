#![no_main]
//! Fuzz SBOM validation: CycloneDX/SPDX JSON against the embedded schemas, CycloneDX XML
//! and SPDX tag-value against their required structure.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = palisade_sbom::validate(data) {
        assert!(v.violations.len() <= palisade_sbom::MAX_VIOLATIONS);
    }
});
