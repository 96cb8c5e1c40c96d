//! Every built-in rule finds a secret in each of its examples and nothing in each of its
//! negative examples; there are at least 150 rules, each with both kinds of example.

use palisade_secrets::{Config, RuleDef, Scanner, rules};

fn rule_hits(scanner: &Scanner, id: &str, path: &str, text: &str) -> Vec<String> {
    scanner
        .scan(path, text.as_bytes())
        .into_iter()
        .filter(|m| scanner.rules()[m.rule].def.id == id)
        .map(|m| String::from_utf8_lossy(&m.secret).into_owned())
        .collect()
}

/// A file name the rule's `path` regex accepts (rules bound to a file kind).
fn path_for(def: &RuleDef) -> &'static str {
    const CANDIDATES: &[&str] = &[
        "config/app.env",
        "gradle.properties",
        ".pypirc",
        "settings.xml",
        "index.php",
        ".pgpass",
        "kubeconfig.yaml",
        "jenkins/credentials.xml",
        "infra/main.tf",
    ];
    let Some(p) = &def.path else {
        return "src/app.txt";
    };
    let re = regex::Regex::new(p).expect("path regex");
    CANDIDATES
        .iter()
        .find(|c| re.is_match(c))
        .copied()
        .unwrap_or("src/app.txt")
}

#[test]
fn every_rule_has_examples_that_hold() {
    let defs = rules::default_rules().expect("built-in rules parse");
    assert!(defs.len() >= 150, "only {} rules", defs.len());
    let scanner = Scanner::new(defs.clone()).expect("built-in rules compile");
    let mut failures = Vec::new();
    for d in &defs {
        if d.examples.is_empty() || d.negative.is_empty() {
            failures.push(format!("{}: needs examples and negative examples", d.id));
        }
        let path = path_for(d);
        for e in &d.examples {
            if rule_hits(&scanner, &d.id, path, e).is_empty() {
                failures.push(format!("{}: example not found: {e:?}", d.id));
            }
        }
        for n in &d.negative {
            let hits = rule_hits(&scanner, &d.id, path, n);
            if !hits.is_empty() {
                failures.push(format!(
                    "{}: negative example matched {hits:?}: {n:?}",
                    d.id
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn config_disables_and_adds_rules() {
    let cfg: Config = toml::from_str(
        r#"
disable = ["github-pat"]
[[rule]]
id = "acme-token"
description = "ACME internal token"
keywords = ["acme_"]
regex = '''\b(acme_[a-z0-9]{20})\b'''
examples = ["acme_q8w7e6r5t4y3u2i1o0p9"]
negative = ["acme_short"]
"#,
    )
    .expect("config");
    let scanner = cfg.scanner().expect("scanner");
    let text = format!(
        "t = acme_q8w7e6r5t4y3u2i1o0p9\ng = {}_{}\n",
        "ghp", "R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo"
    );
    let ids: Vec<&str> = scanner
        .scan("x.txt", text.as_bytes())
        .iter()
        .map(|m| scanner.rules()[m.rule].def.id.as_str())
        .collect();
    assert!(ids.contains(&"acme-token"), "{ids:?}");
    assert!(!ids.contains(&"github-pat"), "{ids:?}");
    let bad: Config = toml::from_str("disable = [\"no-such-rule\"]").expect("config");
    assert!(bad.scanner().is_err());
    // A user's rule is compiled when the scanner is built: a bad pattern is an error
    // then, not a rule that silently finds nothing.
    let bad: Config = toml::from_str(
        r#"
[[rule]]
id = "broken"
description = "unclosed group"
keywords = ["acme_"]
regex = '(acme_[a-z]+'
"#,
    )
    .expect("config");
    let err = bad.scanner().expect_err("bad regex").to_string();
    assert!(err.contains("broken"), "{err}");
}

/// In C-family sources single quotes delimit one character, so a longer single-quoted
/// value is not a string; the same line in Python or in a double-quoted C string is.
/// Values made of punctuation alone are not credentials.
#[test]
fn quoting_rules_follow_the_language() {
    let scanner = Scanner::new(rules::default_rules().expect("rules")).expect("scanner");
    let found = |path: &str, text: &str| !scanner.scan(path, text.as_bytes()).is_empty();
    let single = "api_key = 'Tg3D1TMZxWICVZq9';\n";
    let double = "api_key = \"Tg3D1TMZxWICVZq9\";\n";
    assert!(found("src/app.py", single));
    assert!(found("src/app.java", single));
    assert!(!found("src/app.c", single));
    assert!(!found("src/App.cs", single));
    assert!(!found("vendor.tar.gz!src/k.mm", single));
    assert!(found("src/app.c", double));
    assert!(!found("src/app.py", "password = \",.:-@*?!\"\n"));
    assert!(found("src/app.py", "password = \"A,.:-@*?!\"\n"));
}
