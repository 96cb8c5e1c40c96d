//! CycloneDX 1.6 JSON.

use std::str::FromStr;

use serde_json::{Value, json};

use crate::{Sbom, content_uuid, spdx_expression, to_bytes};
use palisade_lockfile::Scope;

const ROOT_REF: &str = "palisade:root";

fn cdx_alg(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "md5" => "MD5",
        "sha1" => "SHA-1",
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        _ => return None,
    })
}

/// A URL a strict IRI-reference validator accepts: `scheme://host[:port]/...` with a
/// numeric port and no spaces (npm's `git+ssh://git@github.com:owner/repo` is not one).
pub(crate) fn is_plain_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let port_ok = match host_port.rsplit_once(':') {
        Some((_, port)) => port.chars().all(|c| c.is_ascii_digit()),
        None => true,
    };
    scheme_ok
        && port_ok
        && !host_port.is_empty()
        && !s.contains(|c: char| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

pub(crate) fn render(sbom: &Sbom, created: &str) -> Vec<u8> {
    let mut components = Vec::new();
    let mut deps = Vec::new();
    for c in &sbom.components {
        let p = &c.package;
        let parsed = packageurl::PackageUrl::from_str(&p.purl).ok();
        let (group, name) = match &parsed {
            Some(u) => (u.namespace().map(str::to_string), u.name().to_string()),
            None => (None, p.name.clone()),
        };
        let mut comp = json!({
            "type": "library",
            "bom-ref": p.purl,
            "name": name,
            "purl": p.purl,
            "scope": match p.scope {
                Scope::Required => "required",
                Scope::Optional => "optional",
                Scope::Dev => "excluded",
            },
        });
        if let Some(g) = group {
            comp["group"] = json!(g);
        }
        if let Some(v) = &p.version {
            comp["version"] = json!(v);
        }
        let mut hashes: Vec<Value> = Vec::new();
        let mut props = vec![prop("palisade:ecosystem", p.ecosystem.name())];
        props.push(prop("palisade:scope", p.scope.as_str()));
        if let Some(d) = p.direct {
            props.push(prop("palisade:direct", d.to_string()));
        }
        for f in &c.found_in {
            props.push(prop("palisade:lockfile", f.clone()));
        }
        for h in &p.hashes {
            match cdx_alg(&h.alg) {
                Some(a) => hashes.push(json!({"alg": a, "content": h.value})),
                None => props.push(prop(&format!("palisade:hash:{}", h.alg), h.value.clone())),
            }
        }
        if !hashes.is_empty() {
            comp["hashes"] = Value::Array(hashes);
        }
        if !p.licenses.is_empty() {
            comp["licenses"] = match spdx_expression(&p.licenses) {
                Some(e) => json!([{"expression": e}]),
                None => Value::Array(
                    p.licenses
                        .iter()
                        .map(|l| json!({"license": {"name": l}}))
                        .collect(),
                ),
            };
        }
        if let Some(src) = &p.source {
            let is_vcs = src.starts_with("git") || src.contains(".git#") || src.contains(".git@");
            if is_plain_url(src) {
                comp["externalReferences"] = json!([{
                    "type": if is_vcs { "vcs" } else { "distribution" },
                    "url": src,
                }]);
            } else {
                props.push(prop("palisade:source", src.clone()));
            }
        }
        props.sort_by_key(|p| p.to_string());
        comp["properties"] = Value::Array(props);
        components.push(comp);
        deps.push(json!({"ref": p.purl, "dependsOn": p.dependencies}));
    }
    deps.insert(0, json!({"ref": ROOT_REF, "dependsOn": sbom.direct}));
    let mut root = json!({
        "type": "application",
        "bom-ref": ROOT_REF,
        "name": sbom.project.name,
    });
    if let Some(v) = &sbom.project.version {
        root["version"] = json!(v);
    }
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": {"components": [{
                "type": "application",
                "name": "palisade",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": root,
        },
        "components": components,
        "dependencies": deps,
    });
    // Hash the document with a placeholder serial, then put the real one in its place:
    // one serialisation instead of two.
    const PLACEHOLDER: &str = "urn:uuid:00000000-0000-5000-8000-000000000000";
    doc["serialNumber"] = json!(PLACEHOLDER);
    let bytes = to_bytes(&doc);
    let serial = format!("urn:uuid:{}", content_uuid(&bytes));
    crate::replace_once(bytes, PLACEHOLDER, &serial)
}
