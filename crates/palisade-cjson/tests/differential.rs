//! Differential test against securesystemslib's `encode_canonical`: the Python side
//! generates documents (non-NFC text, control characters, non-BMP keys, deep nesting,
//! big integers) in random JSON layouts, and what it encodes must be byte-identical to
//! what we parse and encode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use palisade_testkit::{peer_ok, peer_script, workspace_root};

const DOCUMENTS: usize = 10_000;

#[test]
fn ten_thousand_documents_match_securesystemslib() {
    let dir = std::env::temp_dir().join(format!("palisade-cjson-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("corpus.txt");
    let script = peer_script(
        workspace_root().join("crates/palisade").to_str().unwrap(),
        "sslib_peer.py",
    );
    peer_ok(
        &script,
        &[
            "cjson-corpus",
            corpus.to_str().unwrap(),
            "--count",
            &DOCUMENTS.to_string(),
            "--seed",
            "20261125",
        ],
        &[],
        &dir,
    );
    let text = std::fs::read_to_string(&corpus).unwrap();
    let mut checked = 0;
    let mut deep = 0;
    let mut big = 0;
    for (n, line) in text.lines().enumerate() {
        let (input, expected) = line.split_once(' ').unwrap();
        let input = STANDARD.decode(input).unwrap();
        let expected = STANDARD.decode(expected).unwrap();
        let value = palisade_cjson::parse(&input)
            .unwrap_or_else(|e| panic!("document {n}: {e}\n{}", String::from_utf8_lossy(&input)));
        let ours = palisade_cjson::encode(&value);
        assert!(
            ours == expected,
            "document {n} differs\ninput:    {}\nexpected: {:?}\nours:     {:?}",
            String::from_utf8_lossy(&input),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&ours)
        );
        checked += 1;
        if depth(&value) >= 50 {
            deep += 1;
        }
        if expected
            .windows(40)
            .any(|w| w.iter().all(u8::is_ascii_digit))
        {
            big += 1;
        }
    }
    assert_eq!(checked, DOCUMENTS);
    assert!(
        deep >= DOCUMENTS / 60,
        "the corpus must hold deeply nested documents ({deep})"
    );
    assert!(big > 100, "the corpus must hold big integers");
    std::fs::remove_dir_all(&dir).ok();
}

fn depth(v: &palisade_cjson::Value) -> usize {
    match v {
        palisade_cjson::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        palisade_cjson::Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
