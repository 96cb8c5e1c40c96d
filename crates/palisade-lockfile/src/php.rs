//! PHP: composer.lock.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{Cx, Res, arr, hash_hex, obj, pkg, purl_for, s};
use crate::{Ecosystem, Scope};

/// composer.lock (`packages` and `packages-dev`).
pub(crate) fn composer_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    for key in ["packages", "packages-dev"] {
        for e in arr(doc.get(key).unwrap_or(&Value::Null)) {
            if let (Some(n), Some(v)) = (s(e, "name"), s(e, "version")) {
                versions.insert(n.to_ascii_lowercase(), v.to_string());
            }
        }
    }
    for (key, scope) in [("packages", Scope::Required), ("packages-dev", Scope::Dev)] {
        for e in arr(doc.get(key).unwrap_or(&Value::Null)) {
            let (Some(name), Some(version)) = (s(e, "name"), s(e, "version")) else {
                cx.skip(
                    None,
                    s(e, "name").unwrap_or("?"),
                    "package without name or version",
                );
                continue;
            };
            let mut p = pkg(Ecosystem::Packagist, name, Some(version));
            p.scope = scope;
            p.line = cx.line_of_next(&format!("\"name\": \"{name}\""));
            let dist = e.get("dist").unwrap_or(&Value::Null);
            let src = e.get("source").unwrap_or(&Value::Null);
            p.source = s(dist, "url").or(s(src, "url")).map(str::to_string);
            if let Some(h) = s(dist, "shasum").and_then(|h| hash_hex("sha1", h)) {
                p.hashes.push(h);
            }
            p.licenses = arr(e.get("license").unwrap_or(&Value::Null))
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect();
            p.dependencies = obj(e.get("require").unwrap_or(&Value::Null))
                .filter_map(|(d, _)| {
                    versions
                        .get(&d.to_ascii_lowercase())
                        .map(|v| purl_for(Ecosystem::Packagist, d, Some(v)))
                })
                .collect();
            cx.add(p);
        }
    }
    Ok(())
}
