//! Commit / tag signed-payload extraction and the whole verdict path over arbitrary
//! objects: never panic; the payload never grows.
#![no_main]
use libfuzzer_sys::fuzz_target;
use palisade_source::object::{parse_header, split_commit, split_tag};
use palisade_source::{AllowedSigners, Policy, Revoked};

fuzz_target!(|data: &[u8]| {
    let c = split_commit(data);
    assert!(c.payload.len() + c.signature.as_ref().map_or(0, Vec::len) <= data.len());
    let t = split_tag(data);
    assert!(t.payload.len() <= data.len());
    let _ = parse_header(data);
    let policy = Policy::new(AllowedSigners::default(), Revoked::default());
    let _ = palisade_source::check_commit(&policy, "0", data);
    let _ = palisade_source::check_tag(&policy, "0", "t", data);
});
