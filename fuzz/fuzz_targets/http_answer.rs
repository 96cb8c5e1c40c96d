//! HTTP/1.1 answers as `palisade_http::Session` reads them (status line, headers,
//! Content-Length / chunked / read-to-end bodies, interim 1xx answers): never panics, and
//! never returns a body over the limit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limit = 4096;
    if let Ok((_, len, _)) = palisade_http::parse_answer_bytes(data, limit) {
        assert!(len as u64 <= limit, "body of {len} bytes over the limit");
    }
});
