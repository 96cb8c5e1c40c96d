//! Rust: Cargo.lock v1-v4.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Ecosystem;
use crate::util::{Cx, Res, arr, hash_hex, obj, pkg, purl_for, s, scalar};

/// Cargo.lock (v1 `[metadata]` checksums, v2-v4 inline checksums).
pub(crate) fn cargo_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.toml()?;
    let entries: Vec<&Value> = arr(doc.get("package").unwrap_or(&Value::Null)).collect();
    let mut versions: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in &entries {
        if let (Some(n), Some(v)) = (s(e, "name"), e.get("version").and_then(scalar)) {
            versions.entry(n).or_default().push(v);
        }
    }
    let mut v1_checksums: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in obj(doc.get("metadata").unwrap_or(&Value::Null)) {
        if let (Some(rest), Some(v)) = (k.strip_prefix("checksum "), v.as_str()) {
            v1_checksums.insert(rest.to_string(), v.to_string());
        }
    }
    for e in entries {
        let (Some(name), Some(version)) = (s(e, "name"), e.get("version").and_then(scalar)) else {
            cx.skip(
                None,
                s(e, "name").unwrap_or("?"),
                "[[package]] without name or version",
            );
            continue;
        };
        let mut p = pkg(Ecosystem::Cargo, name, Some(&version));
        p.line = cx.line_of_next(&format!("name = \"{name}\"\nversion = \"{version}\""));
        p.source = s(e, "source").map(str::to_string);
        let v1_key = match &p.source {
            Some(src) => format!("{name} {version} ({src})"),
            None => format!("{name} {version}"),
        };
        let sum = s(e, "checksum")
            .map(str::to_string)
            .or_else(|| v1_checksums.get(&v1_key).cloned());
        if let Some(h) = sum.as_deref().and_then(|c| hash_hex("sha256", c)) {
            p.hashes.push(h);
        }
        p.dependencies = arr(e.get("dependencies").unwrap_or(&Value::Null))
            .filter_map(Value::as_str)
            .filter_map(|d| {
                let mut parts = d.split(' ');
                let dn = parts.next()?;
                let dv = match parts.next() {
                    Some(v) => v.to_string(),
                    None => versions.get(dn).and_then(|vs| vs.first().cloned())?,
                };
                Some(purl_for(Ecosystem::Cargo, dn, Some(&dv)))
            })
            .collect();
        cx.add(p);
    }
    Ok(())
}
