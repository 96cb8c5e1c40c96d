#![no_main]
//! VEX documents (OpenVEX, CycloneDX).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = palisade_advisory::vex::read("fuzz", data);
});
