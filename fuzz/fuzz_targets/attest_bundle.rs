//! Attestation bundle (JSON Lines) reader and statement parser: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(lines) = palisade_attest::read_bundle(data) {
        for (_, line) in lines {
            if let palisade_attest::BundleLine::Envelope(env) = line
                && let Ok(p) = env.payload_bytes()
            {
                let _ = palisade_attest::Statement::from_json(&p);
            }
        }
    }
    let _ = palisade_attest::Statement::from_json(data);
});
