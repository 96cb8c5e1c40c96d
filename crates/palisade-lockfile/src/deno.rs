//! Deno: deno.lock (v2-v5; jsr: and npm: packages).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Ecosystem;
use crate::js::split_at_version;
use crate::util::{Cx, Res, arr, hash_hex, hashes_sri, obj, pkg, purl_for, s};

/// deno.lock.
pub(crate) fn deno_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    let groups = doc
        .get("packages")
        .filter(|p| p.get("jsr").is_some() || p.get("npm").is_some())
        .unwrap_or(&doc);
    let mut by_name: BTreeMap<(Ecosystem, String), String> = BTreeMap::new();
    let mut entries = Vec::new();
    for (kind, eco) in [("jsr", Ecosystem::Jsr), ("npm", Ecosystem::Npm)] {
        for (key, e) in obj(groups.get(kind).unwrap_or(&Value::Null)) {
            let base = key.split('_').next().unwrap_or(key);
            let Some((name, version)) = split_at_version(base) else {
                cx.skip(None, key.clone(), "cannot read name@version");
                continue;
            };
            let mut p = pkg(eco, name, Some(version));
            if let Some(i) = s(e, "integrity") {
                p.hashes = if i.starts_with("sha") {
                    hashes_sri(i)
                } else {
                    hash_hex("sha256", i).into_iter().collect()
                };
            }
            by_name.insert((eco, name.to_string()), p.purl.clone());
            entries.push((p, e));
        }
    }
    for (mut p, e) in entries {
        let deps: Vec<String> = match e.get("dependencies") {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(v) => arr(v)
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect(),
            None => Vec::new(),
        };
        p.dependencies = deps
            .iter()
            .filter_map(|d| {
                let (eco, rest) = match d.split_once(':') {
                    Some(("jsr", r)) => (Ecosystem::Jsr, r),
                    Some(("npm", r)) => (Ecosystem::Npm, r),
                    _ => (p.ecosystem, d.as_str()),
                };
                match split_at_version(rest) {
                    Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => {
                        Some(purl_for(eco, n, Some(v)))
                    }
                    Some((n, _)) => by_name.get(&(eco, n.to_string())).cloned(),
                    None => by_name.get(&(eco, rest.to_string())).cloned(),
                }
            })
            .collect();
        cx.add(p);
    }
    Ok(())
}
