//! allowed_signers and revocation-list readers, and principal pattern matching: never
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_source::signers::{AllowedSigners, Revoked, match_pattern_list, parse_time};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = AllowedSigners::parse(data) {
        for e in &a.entries {
            let _ = e.matches_principal("alice@example.com");
            let _ = e.allows_namespace("git");
            let _ = e.valid_at(1_700_000_000);
        }
    }
    let _ = Revoked::parse(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let mut mid = s.len() / 2;
        while !s.is_char_boundary(mid) {
            mid -= 1;
        }
        let (a, b) = s.split_at(mid);
        let _ = match_pattern_list(a, b);
        let _ = parse_time(s);
    }
});
