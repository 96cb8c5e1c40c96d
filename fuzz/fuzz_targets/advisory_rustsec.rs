#![no_main]
//! RustSec advisories (Markdown with a TOML front matter block).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = palisade_advisory::rustsec::parse_advisory("fuzz", data);
});
