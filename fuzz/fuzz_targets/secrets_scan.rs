//! The secret scanner on arbitrary bytes: no panic, no super-linear time, and every
//! match points at its secret (offset, line, column agree with the buffer).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palisade_secrets::{Config, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Config::default().scanner().expect("built-in rules"))
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file name, so path-bound rules run too.
    let paths = [
        "a.env", "gradle.properties", ".pypirc", "x.yaml", "main.go", "snippet", "main.tf", "a.c",
    ];
    let (path, body) = match data.split_first() {
        Some((b, rest)) => (paths[*b as usize % paths.len()], rest),
        None => ("snippet", data),
    };
    for m in scanner().scan(path, body) {
        if m.encoded {
            // Found in a decoded base64 run: the location is the run's.
            assert!(m.offset < body.len());
            continue;
        }
        assert_eq!(&body[m.offset..m.offset + m.secret.len()], m.secret.as_slice());
        let line = 1 + body[..m.offset].iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(m.line, line);
        let ls = body[..m.offset].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        assert_eq!(m.column, (m.offset - ls + 1) as u64);
    }
});
