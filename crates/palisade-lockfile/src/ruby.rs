//! Ruby: Gemfile.lock (Bundler 1-4: GEM, GIT, PATH, DEPENDENCIES, CHECKSUMS).

use std::collections::{BTreeMap, BTreeSet};

use crate::util::{Cx, Res, hash_prefixed, pkg, purl_for};
use crate::{Ecosystem, Package};

const GEM: Ecosystem = Ecosystem::RubyGems;

/// `name (1.2.3-x86_64-linux)` → (name, version, platform).
fn spec(s: &str) -> Option<(&str, &str, Option<&str>)> {
    let (name, rest) = s.split_once(" (")?;
    let v = rest.strip_suffix(')')?;
    // Platform suffix: the first `-` followed by a non-digit.
    let cut = v
        .char_indices()
        .find(|&(i, c)| c == '-' && !v[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
    Some(match cut {
        Some((i, _)) => (name, &v[..i], Some(&v[i + 1..])),
        None => (name, v, None),
    })
}

/// Gemfile.lock.
pub(crate) fn gemfile_lock(cx: &mut Cx) -> Res<()> {
    let mut section = String::new();
    let mut remote: Option<String> = None;
    let mut revision: Option<String> = None;
    let mut pkgs: Vec<(Package, Vec<String>)> = Vec::new();
    let mut direct: BTreeSet<String> = BTreeSet::new();
    let mut checksums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, raw) in cx.text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end();
        if l.trim().is_empty() {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let body = l.trim_start();
        if indent == 0 {
            section = body.to_string();
            remote = None;
            revision = None;
            continue;
        }
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    if let Some(r) = body.strip_prefix("remote: ") {
                        remote = Some(r.to_string());
                    } else if let Some(r) = body.strip_prefix("revision: ") {
                        revision = Some(r.to_string());
                    }
                } else if indent == 4 {
                    let Some((name, version, platform)) = spec(body) else {
                        return Err(
                            cx.err(line, format!("expected `name (version)`, found {body:?}"))
                        );
                    };
                    let mut p = crate::util::pkg(GEM, name, Some(version));
                    if let Some(pl) = platform {
                        p.purl = crate::util::purl_with(
                            GEM,
                            name,
                            Some(version),
                            &[("platform", pl)],
                            None,
                        );
                    }
                    p.line = Some(line);
                    p.source = match (&remote, &revision, section.as_str()) {
                        (Some(r), Some(rev), "GIT") => Some(format!("{r}@{rev}")),
                        (Some(r), _, _) => Some(r.clone()),
                        _ => None,
                    };
                    pkgs.push((p, Vec::new()));
                } else if indent == 6 {
                    let dep = body.split(" (").next().unwrap_or(body).to_string();
                    if let Some((_, deps)) = pkgs.last_mut() {
                        deps.push(dep);
                    }
                }
            }
            "DEPENDENCIES" => {
                let name = body.split([' ', '!']).next().unwrap_or(body);
                direct.insert(name.to_string());
            }
            "CHECKSUMS" => {
                if let Some((name, version, _)) =
                    spec(body.split(" sha").next().unwrap_or(body).trim())
                {
                    let sums = body.rsplit_once(") ").map(|(_, s)| s).unwrap_or("");
                    for s in sums.split(',') {
                        checksums
                            .entry(format!("{name} {version}"))
                            .or_default()
                            .push(s.trim().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    for (p, _) in &pkgs {
        versions
            .entry(p.name.clone())
            .or_insert_with(|| p.version.clone().unwrap_or_default());
    }
    for (mut p, deps) in pkgs {
        p.direct = Some(direct.contains(&p.name));
        p.dependencies = deps
            .iter()
            .filter_map(|d| versions.get(d).map(|v| purl_for(GEM, d, Some(v))))
            .collect();
        let key = format!("{} {}", p.name, p.version.clone().unwrap_or_default());
        for c in checksums.get(&key).into_iter().flatten() {
            p.hashes.extend(hash_prefixed(c));
        }
        cx.add(p);
    }
    let _ = pkg;
    Ok(())
}
