//! SPDX 2.3 JSON.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Sbom, content_uuid, spdx_expression, to_bytes};
use palisade_lockfile::Scope;

const ROOT_ID: &str = "SPDXRef-Root";

fn spdx_alg(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "md5" => "MD5",
        "sha1" => "SHA1",
        "sha256" => "SHA256",
        "sha384" => "SHA384",
        "sha512" => "SHA512",
        _ => return None,
    })
}

/// `SPDXRef-Package-<name>-<12 hex of sha256(purl)>`: readable, unique, stable.
fn spdx_id(name: &str, purl: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let h = Sha256::digest(purl.as_bytes());
    let hex: String = h[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("SPDXRef-Package-{}-{hex}", clean.trim_matches('-'))
}

fn download_location(src: Option<&String>) -> String {
    match src {
        Some(s)
            if (s.starts_with("https://") || s.starts_with("http://"))
                && crate::cyclonedx::is_plain_url(s) =>
        {
            s.clone()
        }
        _ => "NOASSERTION".to_string(),
    }
}

pub(crate) fn render(sbom: &Sbom, created: &str) -> Vec<u8> {
    let ids: BTreeMap<&str, String> = sbom
        .components
        .iter()
        .map(|c| {
            (
                c.package.purl.as_str(),
                spdx_id(&c.package.name, &c.package.purl),
            )
        })
        .collect();
    let mut packages = Vec::new();
    let mut rels = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": ROOT_ID,
    })];
    let mut root = json!({
        "SPDXID": ROOT_ID,
        "name": sbom.project.name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "APPLICATION",
    });
    if let Some(v) = &sbom.project.version {
        root["versionInfo"] = json!(v);
    }
    packages.push(root);
    for c in &sbom.components {
        let p = &c.package;
        let id = &ids[p.purl.as_str()];
        let mut pk = json!({
            "SPDXID": id,
            "name": p.name,
            "downloadLocation": download_location(p.source.as_ref()),
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": spdx_expression(&p.licenses).unwrap_or_else(|| "NOASSERTION".into()),
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "LIBRARY",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if let Some(v) = &p.version {
            pk["versionInfo"] = json!(v);
        }
        let sums: Vec<Value> = p
            .hashes
            .iter()
            .filter_map(|h| {
                spdx_alg(&h.alg).map(|a| json!({"algorithm": a, "checksumValue": h.value}))
            })
            .collect();
        if !sums.is_empty() {
            pk["checksums"] = Value::Array(sums);
        }
        let mut comment = format!("scope: {}", p.scope.as_str());
        if !c.found_in.is_empty() {
            let files: Vec<&str> = c.found_in.iter().map(String::as_str).collect();
            comment.push_str(&format!("; found in: {}", files.join(", ")));
        }
        pk["comment"] = json!(comment);
        packages.push(pk);
        for d in &p.dependencies {
            if let Some(did) = ids.get(d.as_str()) {
                rels.push(json!({
                    "spdxElementId": id,
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": did,
                }));
            }
        }
    }
    let scope_of: BTreeMap<&str, Scope> = sbom
        .components
        .iter()
        .map(|c| (c.package.purl.as_str(), c.package.scope))
        .collect();
    for d in &sbom.direct {
        let Some(did) = ids.get(d.as_str()) else {
            continue;
        };
        let rel = match scope_of.get(d.as_str()) {
            Some(Scope::Dev) => {
                json!({"spdxElementId": did, "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": ROOT_ID})
            }
            Some(Scope::Optional) => {
                json!({"spdxElementId": did, "relationshipType": "OPTIONAL_DEPENDENCY_OF", "relatedSpdxElement": ROOT_ID})
            }
            _ => {
                json!({"spdxElementId": ROOT_ID, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": did})
            }
        };
        rels.push(rel);
    }
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": sbom.project.name,
        "creationInfo": {
            "created": created,
            "creators": [format!("Tool: palisade-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": rels,
    });
    const PLACEHOLDER: &str = "https://spdx.org/spdxdocs/palisade/placeholder";
    doc["documentNamespace"] = json!(PLACEHOLDER);
    let bytes = to_bytes(&doc);
    let uuid = content_uuid(&bytes);
    let slug = crate::namespace_slug(&sbom.project.name);
    let ns = format!("https://spdx.org/spdxdocs/palisade/{slug}-{uuid}");
    crate::replace_once(bytes, PLACEHOLDER, &ns)
}
