#![no_main]
//! Version parsers of every scheme: no panic, and the order is consistent
//! (antisymmetric, reflexive) on whatever two versions the input holds.

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use palisade_version::Scheme;

const SCHEMES: [Scheme; 12] = [
    Scheme::SemVer,
    Scheme::Pub,
    Scheme::Pep440,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Packagist,
    Scheme::Debian,
    Scheme::RedHat,
    Scheme::Cran,
    Scheme::Hackage,
    Scheme::Alpine,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.0"));
    for s in SCHEMES {
        let (Ok(x), Ok(y)) = (palisade_version::parse(s, a), palisade_version::parse(s, b)) else {
            continue;
        };
        assert_eq!(x.cmp(&x), Ordering::Equal);
        assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{s:?}: {a:?} vs {b:?}");
    }
});
