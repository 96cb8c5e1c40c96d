//! CODEOWNERS against `../shared/codeowners`: hmarr's pattern/path answers (recorded
//! against GitHub's behaviour) and 19 real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_source::codeowners::{CodeOwners, Pattern};

#[test]
fn every_recorded_pattern_answer() {
    let text = std::fs::read_to_string(palisade_testkit::shared(
        "codeowners/hmarr-codeowners-patterns.json",
    ))
    .unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for c in cases.as_array().unwrap() {
        let pattern = c["pattern"].as_str().unwrap();
        let p = Pattern::new(pattern);
        for (path, want) in c["paths"].as_object().unwrap() {
            n += 1;
            if p.matches(path) != want.as_bool().unwrap() {
                failures.push(format!("{pattern:?} on {path:?}: want {want}"));
            }
        }
    }
    assert!(n >= 150, "{n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn real_files_parse_without_errors() {
    let dir = palisade_testkit::shared("codeowners");
    let mut files = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "CODEOWNERS") {
            files += 1;
            let co = CodeOwners::parse(&std::fs::read_to_string(&p).unwrap());
            assert!(co.errors.is_empty(), "{}: {:?}", p.display(), co.errors);
        }
    }
    assert_eq!(files, 19);
}
