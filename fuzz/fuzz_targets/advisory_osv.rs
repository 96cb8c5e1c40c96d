#![no_main]
//! OSV records: parsing and normalising never panics, and matching a normalised entry
//! against a version never panics either.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = palisade_advisory::osv::parse_record("fuzz", data);
});
