//! Dart: pubspec.lock.

use serde_json::Value;

use crate::util::{Cx, Res, hash_hex, obj, pkg, s, scalar};
use crate::{Ecosystem, Scope};

/// pubspec.lock.
pub(crate) fn pubspec_lock(cx: &mut Cx) -> Res<()> {
    let doc = cx.yaml()?;
    for (name, e) in obj(doc.get("packages").unwrap_or(&Value::Null)) {
        let line = cx.line_of_next(&format!("\n  {name}:"));
        let Some(version) = e.get("version").and_then(scalar) else {
            cx.skip(line, name.clone(), "no version recorded");
            continue;
        };
        let mut p = pkg(Ecosystem::Pub, name, Some(&version));
        p.line = line;
        let dep = s(e, "dependency").unwrap_or("");
        p.direct = Some(dep.starts_with("direct"));
        if dep.contains("dev") {
            p.scope = Scope::Dev;
        }
        let desc = e.get("description").unwrap_or(&Value::Null);
        p.source = match s(e, "source") {
            Some("git") => s(desc, "url").map(|u| match s(desc, "resolved-ref") {
                Some(r) => format!("{u}@{r}"),
                None => u.to_string(),
            }),
            Some("path") => s(desc, "path").map(str::to_string),
            Some("sdk") => desc.as_str().map(|sdk| format!("sdk:{sdk}")),
            _ => s(desc, "url").map(str::to_string),
        };
        if let Some(h) = s(desc, "sha256").and_then(|h| hash_hex("sha256", h)) {
            p.hashes.push(h);
        }
        cx.add(p);
    }
    Ok(())
}
