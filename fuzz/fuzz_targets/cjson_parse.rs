//! Canonical JSON reader: never panics; what it accepts re-encodes to a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = palisade_cjson::parse(data) {
        let once = palisade_cjson::encode(&v);
        // canonical JSON writes control characters raw, so read it back leniently
        let lenient = palisade_cjson::Limits {
            allow_raw_control_characters: true,
            ..palisade_cjson::Limits::default()
        };
        let again = palisade_cjson::parse_with(&once, lenient).expect("canonical output must parse");
        assert_eq!(again, v, "canonical bytes read back to the same value");
        assert_eq!(palisade_cjson::encode(&again), once, "canonical form is a fixed point");
    }
});
