//! SPDX 3.0.1 JSON-LD (Core and Software profiles).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Sbom, content_uuid, spdx_expression, to_bytes};
use palisade_lockfile::Scope;

/// Replaced by the content-derived document IRI once the content is known.
const BASE: &str = "urn:palisade:spdx3-document-base";

fn alg(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "md5",
        "sha1" => "sha1",
        "sha256" => "sha256",
        "sha384" => "sha384",
        "sha512" => "sha512",
        _ => return None,
    })
}

fn short(s: &str) -> String {
    let h = Sha256::digest(s.as_bytes());
    h[..8].iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn render(sbom: &Sbom, created: &str) -> Vec<u8> {
    let ci = "_:creationinfo";
    let id = |frag: &str| format!("{BASE}#{frag}");
    let root_id = id("root");
    let agent_id = id("agent-palisade");
    let tool_id = id("tool-palisade");
    let mut graph = vec![
        json!({
            "type": "CreationInfo",
            "@id": ci,
            "specVersion": "3.0.1",
            "created": created,
            "createdBy": [agent_id],
            "createdUsing": [tool_id],
        }),
        json!({"type": "SoftwareAgent", "spdxId": agent_id, "creationInfo": ci, "name": "palisade"}),
        json!({"type": "Tool", "spdxId": tool_id, "creationInfo": ci, "name": format!("palisade {}", env!("CARGO_PKG_VERSION"))}),
    ];
    let mut elements: Vec<String> = vec![root_id.clone()];
    let mut root = json!({
        "type": "software_Package",
        "spdxId": root_id,
        "creationInfo": ci,
        "name": sbom.project.name,
        "software_primaryPurpose": "application",
    });
    if let Some(v) = &sbom.project.version {
        root["software_packageVersion"] = json!(v);
    }
    graph.push(root);
    let ids: BTreeMap<&str, String> = sbom
        .components
        .iter()
        .map(|c| {
            (
                c.package.purl.as_str(),
                id(&format!("pkg-{}", short(&c.package.purl))),
            )
        })
        .collect();
    let mut rels = Vec::new();
    // Licence expression elements already in the graph (one per distinct expression).
    let mut licences: HashSet<String> = HashSet::new();
    for c in &sbom.components {
        let p = &c.package;
        let pid = ids[p.purl.as_str()].clone();
        let mut pk = json!({
            "type": "software_Package",
            "spdxId": pid,
            "creationInfo": ci,
            "name": p.name,
            "software_packageUrl": p.purl,
            "software_primaryPurpose": "library",
        });
        if let Some(v) = &p.version {
            pk["software_packageVersion"] = json!(v);
        }
        if let Some(src) = &p.source
            && crate::cyclonedx::is_plain_url(src)
        {
            pk["software_downloadLocation"] = json!(src);
        }
        let hashes: Vec<Value> = p
            .hashes
            .iter()
            .filter_map(|h| {
                alg(&h.alg).map(|a| json!({"type": "Hash", "algorithm": a, "hashValue": h.value}))
            })
            .collect();
        if !hashes.is_empty() {
            pk["verifiedUsing"] = Value::Array(hashes);
        }
        graph.push(pk);
        elements.push(pid.clone());
        if let Some(expr) = spdx_expression(&p.licenses) {
            let lid = id(&format!("license-{}", short(&expr)));
            if licences.insert(lid.clone()) {
                graph.push(json!({
                    "type": "simplelicensing_LicenseExpression",
                    "spdxId": lid,
                    "creationInfo": ci,
                    "simplelicensing_licenseExpression": expr,
                }));
                elements.push(lid.clone());
            }
            rels.push((pid.clone(), "hasDeclaredLicense", vec![lid], None));
        }
        let to: Vec<String> = p
            .dependencies
            .iter()
            .filter_map(|d| ids.get(d.as_str()).cloned())
            .collect();
        if !to.is_empty() {
            rels.push((pid.clone(), "dependsOn", to, None));
        }
    }
    let scope_of: BTreeMap<&str, Scope> = sbom
        .components
        .iter()
        .map(|c| (c.package.purl.as_str(), c.package.scope))
        .collect();
    for (scope, name) in [
        (Scope::Required, "runtime"),
        (Scope::Optional, "runtime"),
        (Scope::Dev, "development"),
    ] {
        let to: Vec<String> = sbom
            .direct
            .iter()
            .filter(|d| scope_of.get(d.as_str()) == Some(&scope))
            .filter_map(|d| ids.get(d.as_str()).cloned())
            .collect();
        if !to.is_empty() {
            rels.push((root_id.clone(), "dependsOn", to, Some(name)));
        }
    }
    for (n, (from, kind, to, lifecycle)) in rels.into_iter().enumerate() {
        let rid = id(&format!("rel-{n}"));
        let mut r = json!({
            "type": if lifecycle.is_some() { "LifecycleScopedRelationship" } else { "Relationship" },
            "spdxId": rid,
            "creationInfo": ci,
            "from": from,
            "to": to,
            "relationshipType": kind,
        });
        if let Some(l) = lifecycle {
            r["scope"] = json!(l);
        }
        graph.push(r);
        elements.push(rid);
    }
    let sbom_id = id("sbom");
    graph.push(json!({
        "type": "software_Sbom",
        "spdxId": sbom_id,
        "creationInfo": ci,
        "rootElement": [root_id],
        "element": elements,
        "software_sbomType": ["source"],
    }));
    graph.push(json!({
        "type": "SpdxDocument",
        "spdxId": id("document"),
        "creationInfo": ci,
        "name": sbom.project.name,
        "profileConformance": ["core", "software", "simpleLicensing"],
        "rootElement": [sbom_id],
    }));
    let doc = json!({
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": graph,
    });
    let bytes = to_bytes(&doc);
    let slug = crate::namespace_slug(&sbom.project.name);
    let base = format!(
        "https://spdx.org/spdxdocs/palisade/{slug}-{}",
        content_uuid(&bytes)
    );
    String::from_utf8_lossy(&bytes)
        .replace(BASE, &base)
        .into_bytes()
}
