//! .NET: NuGet packages.lock.json.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Ecosystem;
use crate::util::{Cx, Res, hash_b64, obj, pkg, purl_for, s};

/// packages.lock.json (every target framework; the same package in several merges).
pub(crate) fn packages_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    for (framework, deps) in obj(doc.get("dependencies").unwrap_or(&Value::Null)) {
        let resolved: BTreeMap<String, String> = obj(deps)
            .filter_map(|(n, e)| s(e, "resolved").map(|v| (n.to_ascii_lowercase(), v.to_string())))
            .collect();
        for (name, e) in obj(deps) {
            let kind = s(e, "type").unwrap_or("");
            if kind == "Project" {
                cx.skip(
                    None,
                    format!("{framework}: {name}"),
                    "project reference (built from source in this repository)",
                );
                continue;
            }
            let Some(version) = s(e, "resolved") else {
                cx.skip(None, format!("{framework}: {name}"), "no resolved version");
                continue;
            };
            let mut p = pkg(Ecosystem::NuGet, name, Some(version));
            p.direct = Some(kind == "Direct");
            if let Some(h) = s(e, "contentHash").and_then(|h| hash_b64("sha512", h)) {
                p.hashes.push(h);
            }
            p.dependencies = obj(e.get("dependencies").unwrap_or(&Value::Null))
                .filter_map(|(d, _)| {
                    resolved
                        .get(&d.to_ascii_lowercase())
                        .map(|v| purl_for(Ecosystem::NuGet, d, Some(v)))
                })
                .collect();
            cx.add(p);
        }
    }
    Ok(())
}
