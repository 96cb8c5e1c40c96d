//! Precision and recall on the labelled corpus in `../shared/secrets` (examples from the
//! rule tests of noseyparker, gitleaks, detect-secrets and ripsecrets). Prints a table
//! per source; `PALISADE_CORPUS_MISSES=1` also prints every miss and false alarm.

use palisade_secrets::Config;
use serde_json::Value;

struct Score {
    source: &'static str,
    tp: usize,
    fneg: usize,
    fp: usize,
    tn: usize,
}

impl Score {
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fneg).max(1) as f64
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
}

fn score(file: &str, source: &'static str, verbose: bool) -> Score {
    let scanner = Config::default().scanner().expect("scanner");
    let text = std::fs::read_to_string(palisade_testkit::shared(&format!("secrets/{file}")))
        .expect("corpus file");
    let mut s = Score {
        source,
        tp: 0,
        fneg: 0,
        fp: 0,
        tn: 0,
    };
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).expect("json line");
        let body = r["text"].as_str().unwrap_or_default();
        let path = r["path_hint"].as_str().unwrap_or("snippet");
        let found: Vec<String> = scanner
            .scan(path, body.as_bytes())
            .iter()
            .map(|m| String::from_utf8_lossy(&m.secret).into_owned())
            .collect();
        let id = r["id"].as_str().unwrap_or_default();
        if r["label"].as_bool() == Some(true) {
            let hit = match r["secret"].as_str() {
                Some(sec) => found
                    .iter()
                    .any(|f| f.contains(sec) || sec.contains(f.as_str())),
                None => !found.is_empty(),
            };
            if hit {
                s.tp += 1;
            } else {
                s.fneg += 1;
                if verbose {
                    println!(
                        "MISS {id} {:?} found={found:?}",
                        body.chars().take(160).collect::<String>()
                    );
                }
            }
        } else {
            if r.get("also_positive_for").is_some() {
                continue;
            }
            if found.is_empty() {
                s.tn += 1;
            } else {
                s.fp += 1;
                if verbose {
                    println!(
                        "FP {id} {:?} found={found:?}",
                        body.chars().take(160).collect::<String>()
                    );
                }
            }
        }
    }
    s
}

#[test]
fn labelled_corpus_precision_and_recall() {
    let verbose = std::env::var_os("PALISADE_CORPUS_MISSES").is_some();
    let scores = [
        score("noseyparker-examples.jsonl", "noseyparker", verbose),
        score("gitleaks-rules.jsonl", "gitleaks", verbose),
        score("detect-secrets-tests.jsonl", "detect-secrets", verbose),
        score("ripsecrets.jsonl", "ripsecrets", verbose),
    ];
    println!(
        "{:<16} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "source", "TP", "FN", "FP", "TN", "precision", "recall"
    );
    let (mut tp, mut fneg, mut fp, mut tn) = (0, 0, 0, 0);
    for s in &scores {
        println!(
            "{:<16} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
            s.source,
            s.tp,
            s.fneg,
            s.fp,
            s.tn,
            s.precision(),
            s.recall()
        );
        tp += s.tp;
        fneg += s.fneg;
        fp += s.fp;
        tn += s.tn;
    }
    let all = Score {
        source: "all",
        tp,
        fneg,
        fp,
        tn,
    };
    println!(
        "{:<16} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
        "all",
        tp,
        fneg,
        fp,
        tn,
        all.precision(),
        all.recall()
    );
    // Floors that guard against regressions (see the issue note for the target).
    // Measured 0.896 / 0.941 (issue 5, sixth session); the target is recall >= 0.95.
    assert!(all.recall() >= 0.89, "recall {:.3}", all.recall());
    assert!(all.precision() >= 0.93, "precision {:.3}", all.precision());
}
