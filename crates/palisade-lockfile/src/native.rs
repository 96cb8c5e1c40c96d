//! C/C++ and R: conan.lock (0.2-0.5) and renv.lock.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{Cx, Res, arr, hash_hex, obj, pkg, purl_with, s};
use crate::{Ecosystem, Hash, Package, Scope};

/// `name/version[@user/channel][#rrev][%timestamp][:package_id[#prev]]`.
fn conan_ref(r: &str) -> Option<Package> {
    let r = r.split(':').next().unwrap_or(r);
    let (r, _ts) = r.split_once('%').unwrap_or((r, ""));
    let (r, rrev) = r
        .split_once('#')
        .map(|(a, b)| (a, Some(b)))
        .unwrap_or((r, None));
    let (nv, uc) = r
        .split_once('@')
        .map(|(a, b)| (a, Some(b)))
        .unwrap_or((r, None));
    let (name, version) = nv.split_once('/')?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let (user, channel) = uc.and_then(|u| u.split_once('/')).unwrap_or(("", ""));
    let mut p = pkg(Ecosystem::Conan, name, Some(version));
    let mut q: Vec<(&str, &str)> = vec![("user", user), ("channel", channel)];
    if let Some(rr) = rrev {
        q.push(("rrev", rr));
        p.hashes.push(Hash {
            alg: "conan-rrev".into(),
            value: rr.to_string(),
        });
    }
    p.purl = purl_with(Ecosystem::Conan, name, Some(version), &q, None);
    Some(p)
}

/// conan.lock.
pub(crate) fn conan_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    if let Some(nodes) = doc.get("graph_lock").and_then(|g| g.get("nodes")) {
        let mut by_id: BTreeMap<&String, Package> = BTreeMap::new();
        let mut reqs: BTreeMap<&String, Vec<String>> = BTreeMap::new();
        let mut roots: Vec<String> = Vec::new();
        for (id, n) in obj(nodes) {
            let r = s(n, "ref").or(s(n, "pref")).unwrap_or("");
            let requires: Vec<String> = match n.get("requires") {
                Some(Value::Object(m)) => m
                    .values()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Some(v) => arr(v)
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                None => Vec::new(),
            };
            let build: Vec<String> = arr(n.get("build_requires").unwrap_or(&Value::Null))
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            if n.get("path").is_some() || r.is_empty() {
                cx.skip(
                    None,
                    format!("node {id} {r}"),
                    "the consumer (conanfile) itself",
                );
                roots.extend(requires.iter().cloned());
                continue;
            }
            let Some(mut p) = conan_ref(r) else {
                cx.skip(
                    None,
                    format!("node {id} {r}"),
                    "cannot read name/version reference",
                );
                continue;
            };
            if let Some(prev) = s(n, "prev") {
                p.hashes.push(Hash {
                    alg: "conan-prev".into(),
                    value: prev.to_string(),
                });
            }
            if s(n, "context") == Some("build") {
                p.scope = Scope::Dev;
            }
            reqs.insert(id, requires.into_iter().chain(build).collect());
            by_id.insert(id, p);
        }
        let purls: BTreeMap<String, String> = by_id
            .iter()
            .map(|(k, p)| ((*k).clone(), p.purl.clone()))
            .collect();
        for (id, mut p) in by_id {
            p.dependencies = reqs
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|r| purls.get(r).cloned())
                .collect();
            p.direct = Some(roots.contains(id));
            cx.add(p);
        }
        return Ok(());
    }
    for (key, scope) in [
        ("requires", Scope::Required),
        ("build_requires", Scope::Dev),
        ("python_requires", Scope::Dev),
    ] {
        for r in arr(doc.get(key).unwrap_or(&Value::Null)) {
            let Some(rs) = r.as_str() else {
                cx.skip(None, r.to_string(), "reference is not a string");
                continue;
            };
            match conan_ref(rs) {
                Some(mut p) => {
                    p.scope = scope;
                    p.line = cx.line_of(rs);
                    cx.add(p);
                }
                None => cx.skip(cx.line_of(rs), rs, "cannot read name/version reference"),
            }
        }
    }
    Ok(())
}

/// renv.lock: CRAN packages as `pkg:cran`, Bioconductor as `pkg:bioconductor`, GitHub
/// sources as `pkg:github`.
pub(crate) fn renv_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    let mut entries = Vec::new();
    for (key, e) in obj(doc.get("Packages").unwrap_or(&Value::Null)) {
        let name = s(e, "Package").unwrap_or(key);
        let line = cx.line_of_next(&format!("\"{key}\": {{"));
        let Some(version) = s(e, "Version") else {
            cx.skip(line, name, "no Version");
            continue;
        };
        let source = s(e, "Source").unwrap_or("");
        let mut p = match source {
            "GitHub" | "GitLab" => {
                let (Some(user), Some(repo)) = (s(e, "RemoteUsername"), s(e, "RemoteRepo")) else {
                    cx.skip(
                        line,
                        name,
                        "GitHub source without RemoteUsername/RemoteRepo",
                    );
                    continue;
                };
                let mut p = pkg(
                    Ecosystem::GitHub,
                    &format!("{user}/{repo}"),
                    s(e, "RemoteSha").or(Some(version)),
                );
                p.source = Some(format!(
                    "https://{}/{user}/{repo}",
                    s(e, "RemoteHost")
                        .unwrap_or("github.com")
                        .replace("api.github.com", "github.com")
                ));
                p
            }
            "Bioconductor" => pkg(Ecosystem::Bioconductor, name, Some(version)),
            "Repository" | "" => {
                let mut p = pkg(Ecosystem::Cran, name, Some(version));
                p.source = s(e, "Repository").map(str::to_string);
                p
            }
            other => {
                cx.skip(line, name, format!("source {other:?} (local or unknown)"));
                continue;
            }
        };
        p.line = line;
        if let Some(h) = s(e, "Hash").and_then(|h| hash_hex("md5", h)) {
            p.hashes.push(h);
        }
        entries.push((
            p,
            arr(e.get("Requirements").unwrap_or(&Value::Null))
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect::<Vec<_>>(),
        ));
    }
    let by_name: BTreeMap<String, String> = entries
        .iter()
        .map(|(p, _)| (p.name.clone(), p.purl.clone()))
        .collect();
    for (mut p, reqs) in entries {
        p.dependencies = reqs
            .iter()
            .filter_map(|r| by_name.get(r).cloned())
            .collect();
        cx.add(p);
    }
    Ok(())
}
