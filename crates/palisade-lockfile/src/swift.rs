//! Swift: SwiftPM Package.resolved (v1-v3) and CocoaPods Podfile.lock.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{Cx, Res, arr, hash_hex, obj, pkg, purl_with, s};
use crate::{Ecosystem, Package};

/// `https://github.com/Owner/Repo.git` → `github.com/Owner/Repo`.
fn swift_name(url: &str) -> String {
    let u = url.split("://").nth(1).unwrap_or(url);
    let u = u
        .split_once('@')
        .map(|(_, r)| r)
        .unwrap_or(u)
        .replace(':', "/");
    u.trim_end_matches('/').trim_end_matches(".git").to_string()
}

/// Package.resolved.
pub(crate) fn package_resolved(cx: &mut Cx) -> Res<()> {
    let doc = cx.jsonc()?;
    let pins = doc
        .get("object")
        .and_then(|o| o.get("pins"))
        .or(doc.get("pins"))
        .unwrap_or(&Value::Null);
    for pin in arr(pins) {
        let url = s(pin, "location").or(s(pin, "repositoryURL")).unwrap_or("");
        let id = s(pin, "identity").or(s(pin, "package")).unwrap_or(url);
        let line = cx.line_of_next(&format!("\"{url}\""));
        if url.is_empty() {
            cx.skip(line, id, "pin without a repository location");
            continue;
        }
        let state = pin.get("state").unwrap_or(&Value::Null);
        let version = s(state, "version")
            .or(s(state, "revision"))
            .or(s(state, "branch"));
        if s(pin, "kind") == Some("localSourceControl") || url.starts_with('/') {
            cx.skip(line, id, "local source-control checkout");
            continue;
        }
        let mut p = pkg(Ecosystem::Swift, &swift_name(url), version);
        p.line = line;
        p.source = Some(url.to_string());
        if let Some(rev) = s(state, "revision") {
            p.hashes.push(crate::Hash {
                alg: "git-commit".into(),
                value: rev.to_string(),
            });
        }
        cx.add(p);
    }
    Ok(())
}

fn pod(s: &str) -> Option<(&str, &str)> {
    let (n, rest) = s.split_once(" (")?;
    Some((n.trim(), rest.strip_suffix(')')?.trim_start_matches("= ")))
}

fn pod_package(name: &str, version: &str) -> Package {
    let (base, sub) = name
        .split_once('/')
        .map(|(b, s)| (b, Some(s)))
        .unwrap_or((name, None));
    let mut p = pkg(Ecosystem::CocoaPods, name, Some(version));
    p.purl = purl_with(Ecosystem::CocoaPods, base, Some(version), &[], sub);
    p
}

/// Podfile.lock.
pub(crate) fn podfile_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.yaml()?;
    let checksums: BTreeMap<&String, &str> = obj(doc.get("SPEC CHECKSUMS").unwrap_or(&Value::Null))
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .collect();
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    for item in arr(doc.get("PODS").unwrap_or(&Value::Null)) {
        match item {
            Value::String(h) => items.push((h.clone(), Vec::new())),
            Value::Object(m) => {
                for (h, deps) in m {
                    items.push((
                        h.clone(),
                        arr(deps)
                            .filter_map(|d| d.as_str().map(str::to_string))
                            .collect(),
                    ));
                }
            }
            _ => cx.skip(
                None,
                item.to_string(),
                "PODS entry is neither a string nor a map",
            ),
        }
    }
    for (h, _) in &items {
        if let Some((n, v)) = pod(h) {
            versions.insert(n.to_string(), v.to_string());
        }
    }
    for (h, deps) in items {
        let Some((name, version)) = pod(&h) else {
            cx.skip(None, h.clone(), "not `Name (version)`");
            continue;
        };
        let mut p = pod_package(name, version);
        p.line = cx.line_of_next(&format!("- {h}"));
        let base = name.split('/').next().unwrap_or(name);
        if let Some(c) = checksums
            .get(&base.to_string())
            .and_then(|c| hash_hex("sha1", c))
        {
            p.hashes.push(c);
        }
        p.dependencies = deps
            .iter()
            .filter_map(|d| {
                let n = d.split(" (").next().unwrap_or(d).trim();
                versions.get(n).map(|v| pod_package(n, v).purl)
            })
            .collect();
        cx.add(p);
    }
    Ok(())
}
