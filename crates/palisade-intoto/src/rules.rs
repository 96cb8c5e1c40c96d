//! Artefact rules applied with Python in-toto's queue semantics: every artefact of the
//! item starts in the queue; each rule consumes what it matches (MATCH, CREATE, DELETE,
//! MODIFY, ALLOW); DISALLOW fails on anything still queued that it matches, REQUIRE
//! fails when its path is no longer (or never was) queued. Consumed artefacts are out of
//! reach of later rules — so `ALLOW x` before `DISALLOW *` lets `x` through.

use std::collections::BTreeMap;

use crate::model::{ArtifactKind, Artifacts, Digests, Link, Rule};
use crate::pattern::Pattern;

/// Why an item's artefacts break its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// The rule as written.
    pub rule: String,
    /// The artefacts that broke it (DISALLOW) or the one missing (REQUIRE).
    pub artifacts: Vec<String>,
    /// What happened.
    pub message: String,
}

fn join_prefix(prefix: &str, path: &str) -> String {
    // os.path.join(prefix, path) for relative paths (a '/'-rooted path replaces prefix)
    if path.starts_with('/') {
        path.to_string()
    } else if prefix.is_empty() || prefix.ends_with('/') {
        format!("{prefix}{path}")
    } else {
        format!("{prefix}/{path}")
    }
}

/// [`join_prefix`] into a reused buffer.
fn join_prefix_into(out: &mut String, prefix: &str, path: &str) {
    if !path.starts_with('/') {
        out.push_str(prefix);
        if !(prefix.is_empty() || prefix.ends_with('/')) {
            out.push('/');
        }
    }
    out.push_str(path);
}

/// The artefacts not yet consumed: the item's paths (with their digests) in sorted order
/// and a flag each; rules work on indices into it.
struct Queue<'a> {
    entries: Vec<(&'a str, &'a Digests)>,
    live: Vec<bool>,
}

impl<'a> Queue<'a> {
    fn new(source: &'a Artifacts) -> Queue<'a> {
        let entries: Vec<(&str, &Digests)> = source.iter().map(|(p, d)| (p.as_str(), d)).collect();
        let live = vec![true; entries.len()];
        Queue { entries, live }
    }

    /// Indices of the artefacts still queued, in path order.
    fn live(&self) -> impl Iterator<Item = usize> + '_ {
        self.live
            .iter()
            .enumerate()
            .filter(|(_, l)| **l)
            .map(|(i, _)| i)
    }

    fn path(&self, i: usize) -> &'a str {
        self.entries[i].0
    }

    /// The index of `path` if it is still queued.
    fn get(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|(p, _)| (*p).cmp(path))
            .ok()
            .filter(|i| self.live[*i])
    }
}

/// Looks up destination artefacts for a rising sequence of paths in one pass over the
/// (sorted) destination, falling back to a search when a path is out of order.
struct Cursor<'a> {
    all: &'a Artifacts,
    it: std::iter::Peekable<std::collections::btree_map::Iter<'a, String, Digests>>,
    last: String,
}

impl<'a> Cursor<'a> {
    fn new(all: &'a Artifacts) -> Cursor<'a> {
        Cursor {
            all,
            it: all.iter().peekable(),
            last: String::new(),
        }
    }

    fn get(&mut self, path: &str) -> Option<&'a Digests> {
        if path < self.last.as_str() {
            return self.all.get(path);
        }
        self.last.clear();
        self.last.push_str(path);
        while let Some((k, _)) = self.it.peek() {
            if k.as_str() < path {
                self.it.next();
            } else {
                break;
            }
        }
        match self.it.peek() {
            Some((k, d)) if k.as_str() == path => Some(*d),
            _ => None,
        }
    }
}

/// Indices of the queued artefacts whose path matches `pattern`.
fn filter(queue: &Queue<'_>, pattern: &str) -> Vec<usize> {
    let p = Pattern::new(pattern);
    if let Some(lit) = p.literal() {
        return queue.get(lit).into_iter().collect();
    }
    queue.live().filter(|i| p.matches(queue.path(*i))).collect()
}

/// MATCH: the queued artefacts (under the source prefix, matching the pattern) whose
/// counterpart in the destination (under the destination prefix) has the same digests.
fn match_rule(
    queue: &Queue<'_>,
    pattern: &str,
    src_prefix: Option<&str>,
    dest_prefix: Option<&str>,
    dest: &Artifacts,
) -> Vec<usize> {
    let norm_src = src_prefix.map(|p| join_prefix(p, ""));
    let pat = Pattern::new(pattern);
    let mut out = Vec::new();
    let mut cursor = Cursor::new(dest);
    let mut joined = String::new();
    for i in queue.live() {
        let (full, digests) = queue.entries[i];
        let rel = match &norm_src {
            Some(p) => match full.strip_prefix(p.as_str()) {
                Some(r) => r,
                None => continue,
            },
            None => full,
        };
        if !pat.matches(rel) {
            continue;
        }
        let found = match dest_prefix {
            Some(d) => {
                joined.clear();
                join_prefix_into(&mut joined, d, rel);
                cursor.get(&joined)
            }
            None => cursor.get(rel),
        };
        if found == Some(digests) {
            out.push(i);
        }
    }
    out
}

/// Applies `rules` to the `kind` artefacts of `link` (the source item); `links` holds
/// every step's and inspection's (reduced) link by name, for MATCH.
pub fn apply_rules(
    kind: ArtifactKind,
    rules: &[Vec<String>],
    link: &Link,
    links: &BTreeMap<String, Link>,
) -> Result<(), RuleFailure> {
    let source: &Artifacts = match kind {
        ArtifactKind::Materials => &link.materials,
        ArtifactKind::Products => &link.products,
    };
    let (before, after) = (&link.materials, &link.products);
    let mut queue = Queue::new(source);
    for stanzas in rules {
        let shown = stanzas.join(" ");
        let rule = Rule::parse(stanzas).map_err(|e| RuleFailure {
            rule: shown.clone(),
            artifacts: Vec::new(),
            message: e,
        })?;
        let consumed: Vec<usize> = match &rule {
            Rule::Match {
                pattern,
                src_prefix,
                dest_kind,
                dest_prefix,
                dest_name,
            } => {
                let Some(dest) = links.get(dest_name) else {
                    continue;
                };
                let dest_art = match dest_kind {
                    ArtifactKind::Materials => &dest.materials,
                    ArtifactKind::Products => &dest.products,
                };
                match_rule(
                    &queue,
                    pattern,
                    src_prefix.as_deref(),
                    dest_prefix.as_deref(),
                    dest_art,
                )
            }
            Rule::Create(p) => filter(&queue, p)
                .into_iter()
                .filter(|i| {
                    let a = queue.path(*i);
                    !before.contains_key(a) && after.contains_key(a)
                })
                .collect(),
            Rule::Delete(p) => filter(&queue, p)
                .into_iter()
                .filter(|i| {
                    let a = queue.path(*i);
                    before.contains_key(a) && !after.contains_key(a)
                })
                .collect(),
            Rule::Modify(p) => filter(&queue, p)
                .into_iter()
                .filter(|i| {
                    let a = queue.path(*i);
                    matches!((before.get(a), after.get(a)), (Some(m), Some(pr)) if m != pr)
                })
                .collect(),
            Rule::Allow(p) => filter(&queue, p),
            Rule::Disallow(p) => {
                let hit: Vec<String> = filter(&queue, p)
                    .into_iter()
                    .map(|i| queue.path(i).to_string())
                    .collect();
                if !hit.is_empty() {
                    return Err(RuleFailure {
                        rule: shown,
                        message: format!("disallowed artefact(s): {}", hit.join(", ")),
                        artifacts: hit,
                    });
                }
                Vec::new()
            }
            Rule::Require(p) => {
                if queue.get(p).is_none() {
                    return Err(RuleFailure {
                        rule: shown,
                        artifacts: vec![p.clone()],
                        message: format!(
                            "required artefact {p} is not among the unconsumed {}",
                            kind.as_str()
                        ),
                    });
                }
                Vec::new()
            }
        };
        for i in consumed {
            queue.live[i] = false;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arts(list: &[(&str, &str)]) -> Artifacts {
        list.iter()
            .map(|(p, h)| {
                (
                    p.to_string(),
                    BTreeMap::from([("sha256".to_string(), h.to_string())]).into(),
                )
            })
            .collect()
    }

    fn rules(list: &[&str]) -> Vec<Vec<String>> {
        list.iter()
            .map(|r| r.split(' ').map(String::from).collect())
            .collect()
    }

    fn link(name: &str, m: &[(&str, &str)], p: &[(&str, &str)]) -> Link {
        let mut l = Link::new(name);
        l.materials = arts(m);
        l.products = arts(p);
        l
    }

    fn check(kind: ArtifactKind, r: &[&str], l: &Link, others: &[Link]) -> Result<(), RuleFailure> {
        let links: BTreeMap<String, Link> = others
            .iter()
            .chain([l])
            .map(|x| (x.name.clone(), x.clone()))
            .collect();
        apply_rules(kind, &rules(r), l, &links)
    }

    #[test]
    fn allow_before_disallow_star() {
        let l = link("s", &[], &[("a.txt", "1"), ("b.bin", "2")]);
        assert!(
            check(
                ArtifactKind::Products,
                &["ALLOW *.txt", "ALLOW b.bin", "DISALLOW *"],
                &l,
                &[]
            )
            .is_ok()
        );
        let e = check(
            ArtifactKind::Products,
            &["ALLOW *.txt", "DISALLOW *"],
            &l,
            &[],
        )
        .unwrap_err();
        assert_eq!(e.rule, "DISALLOW *");
        assert_eq!(e.artifacts, vec!["b.bin"]);
        // DISALLOW first catches everything, even what a later ALLOW names
        assert!(check(ArtifactKind::Products, &["DISALLOW *", "ALLOW *"], &l, &[]).is_err());
    }

    #[test]
    fn consumed_artifacts_are_out_of_reach() {
        let l = link("s", &[], &[("x", "1")]);
        // ALLOW consumes x: REQUIRE no longer finds it in the queue
        let e = check(ArtifactKind::Products, &["ALLOW x", "REQUIRE x"], &l, &[]).unwrap_err();
        assert_eq!(e.artifacts, vec!["x"]);
        assert!(
            check(
                ArtifactKind::Products,
                &["REQUIRE x", "ALLOW x", "DISALLOW *"],
                &l,
                &[]
            )
            .is_ok()
        );
        // REQUIRE is literal, not a pattern
        assert!(check(ArtifactKind::Products, &["REQUIRE *"], &l, &[]).is_err());
    }

    #[test]
    fn create_delete_modify() {
        let l = link(
            "s",
            &[("kept", "1"), ("gone", "2"), ("changed", "3")],
            &[("kept", "1"), ("changed", "4"), ("new", "5")],
        );
        assert!(
            check(
                ArtifactKind::Products,
                &["CREATE new", "MODIFY changed", "ALLOW kept", "DISALLOW *"],
                &l,
                &[]
            )
            .is_ok()
        );
        assert!(
            check(
                ArtifactKind::Materials,
                &["DELETE gone", "MODIFY changed", "ALLOW kept", "DISALLOW *"],
                &l,
                &[]
            )
            .is_ok()
        );
        // CREATE does not consume an artefact that existed before
        assert_eq!(
            check(ArtifactKind::Products, &["CREATE *", "DISALLOW *"], &l, &[])
                .unwrap_err()
                .artifacts,
            vec!["changed", "kept"]
        );
        // MODIFY does not consume unchanged ones
        assert_eq!(
            check(
                ArtifactKind::Products,
                &["MODIFY *", "DISALLOW kept"],
                &l,
                &[]
            )
            .unwrap_err()
            .artifacts,
            vec!["kept"]
        );
        // DELETE on products consumes nothing (a product was not deleted)
        assert!(
            check(
                ArtifactKind::Products,
                &["DELETE *", "DISALLOW new"],
                &l,
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn match_with_prefixes() {
        let build = link("build", &[], &[("dist/app", "A"), ("dist/lib", "L")]);
        let pkg = link(
            "pkg",
            &[("src/app", "A"), ("src/lib", "X"), ("other", "A")],
            &[],
        );
        // IN src on the source, IN dist on the destination
        let e = check(
            ArtifactKind::Materials,
            &[
                "MATCH * IN src WITH PRODUCTS IN dist FROM build",
                "DISALLOW *",
            ],
            &pkg,
            std::slice::from_ref(&build),
        )
        .unwrap_err();
        // src/lib has another hash; "other" is outside the prefix
        assert_eq!(e.artifacts, vec!["other", "src/lib"]);
        // a trailing slash on the prefix is the same prefix
        let e2 = check(
            ArtifactKind::Materials,
            &[
                "MATCH * IN src/ WITH PRODUCTS IN dist/ FROM build",
                "DISALLOW *",
            ],
            &pkg,
            std::slice::from_ref(&build),
        )
        .unwrap_err();
        assert_eq!(e, e2);
        // the pattern applies after the source prefix is taken off
        let e3 = check(
            ArtifactKind::Materials,
            &[
                "MATCH src/* WITH PRODUCTS IN dist FROM build",
                "DISALLOW src/*",
            ],
            &pkg,
            std::slice::from_ref(&build),
        )
        .unwrap_err();
        assert_eq!(e3.artifacts, vec!["src/app", "src/lib"]);
        // unknown destination step: nothing consumed, not an error by itself
        assert!(
            check(
                ArtifactKind::Materials,
                &["MATCH * WITH PRODUCTS FROM nowhere"],
                &pkg,
                &[]
            )
            .is_ok()
        );
        // MATCH without prefixes: same path, same hash
        let b2 = link("b2", &[], &[("other", "A")]);
        assert!(
            check(
                ArtifactKind::Materials,
                &["MATCH other WITH PRODUCTS FROM b2", "DISALLOW other"],
                &pkg,
                &[b2]
            )
            .is_ok()
        );
        // MATCH only consumes what is still queued
        let e4 = check(
            ArtifactKind::Materials,
            &[
                "ALLOW src/app",
                "MATCH * IN src WITH PRODUCTS IN dist FROM build",
                "REQUIRE src/app",
            ],
            &pkg,
            &[build],
        )
        .unwrap_err();
        assert_eq!(e4.rule, "REQUIRE src/app");
    }

    #[test]
    fn cursor_finds_paths_in_and_out_of_order() {
        let all = arts(&[("a", "1"), ("b", "2"), ("d", "4")]);
        let mut c = Cursor::new(&all);
        assert_eq!(
            c.get("b").map(|d| d["sha256"].to_string()),
            Some("2".into())
        );
        assert_eq!(
            c.get("a").map(|d| d["sha256"].to_string()),
            Some("1".into())
        );
        assert!(c.get("c").is_none());
        assert_eq!(
            c.get("d").map(|d| d["sha256"].to_string()),
            Some("4".into())
        );
        assert!(c.get("e").is_none());
        assert_eq!(
            c.get("b").map(|d| d["sha256"].to_string()),
            Some("2".into())
        );
    }

    #[test]
    fn match_compares_every_hash() {
        let mut a = link("a", &[], &[("f", "1")]);
        a.products
            .get_mut("f")
            .unwrap()
            .insert("sha512".into(), "x".into());
        let b = link("b", &[("f", "1")], &[]);
        assert!(
            check(
                ArtifactKind::Materials,
                &["MATCH f WITH PRODUCTS FROM a", "DISALLOW f"],
                &b,
                &[a]
            )
            .is_err()
        );
    }
}
