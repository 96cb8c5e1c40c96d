//! SPDX 2.3 JSON.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Sbom, content_uuid, spdx_expression, to_bytes_sized};
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

// The document is serialised from typed records. Field order is the alphabetical key
// order of the former `serde_json::Value` tree (a sorted map), so the bytes are the same.

#[derive(Serialize)]
struct Doc<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    #[serde(rename = "creationInfo")]
    creation_info: CreationInfo<'a>,
    #[serde(rename = "dataLicense")]
    data_license: &'static str,
    #[serde(rename = "documentNamespace")]
    document_namespace: &'static str,
    name: &'a str,
    packages: Vec<Package<'a>>,
    relationships: Vec<Relationship<'a>>,
    #[serde(rename = "spdxVersion")]
    spdx_version: &'static str,
}

#[derive(Serialize)]
struct CreationInfo<'a> {
    created: &'a str,
    creators: [String; 1],
}

#[derive(Serialize)]
struct Package<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(rename = "copyrightText", skip_serializing_if = "Option::is_none")]
    copyright_text: Option<&'static str>,
    #[serde(rename = "downloadLocation")]
    download_location: &'a str,
    #[serde(rename = "externalRefs", skip_serializing_if = "Option::is_none")]
    external_refs: Option<[ExternalRef<'a>; 1]>,
    #[serde(rename = "filesAnalyzed")]
    files_analyzed: bool,
    #[serde(rename = "licenseConcluded", skip_serializing_if = "Option::is_none")]
    license_concluded: Option<&'static str>,
    #[serde(rename = "licenseDeclared", skip_serializing_if = "Option::is_none")]
    license_declared: Option<String>,
    name: &'a str,
    #[serde(rename = "primaryPackagePurpose")]
    primary_package_purpose: &'static str,
    #[serde(rename = "versionInfo", skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
}

#[derive(Serialize)]
struct Checksum<'a> {
    algorithm: &'static str,
    #[serde(rename = "checksumValue")]
    checksum_value: &'a str,
}

#[derive(Serialize)]
struct ExternalRef<'a> {
    #[serde(rename = "referenceCategory")]
    reference_category: &'static str,
    #[serde(rename = "referenceLocator")]
    reference_locator: &'a str,
    #[serde(rename = "referenceType")]
    reference_type: &'static str,
}

#[derive(Serialize)]
struct Relationship<'a> {
    #[serde(rename = "relatedSpdxElement")]
    related: &'a str,
    #[serde(rename = "relationshipType")]
    kind: &'static str,
    #[serde(rename = "spdxElementId")]
    element: &'a str,
}

pub(crate) fn render(sbom: &Sbom, created: &str) -> Vec<u8> {
    let ids: HashMap<&str, String> = sbom
        .components
        .iter()
        .map(|c| {
            (
                c.package.purl.as_str(),
                spdx_id(&c.package.name, &c.package.purl),
            )
        })
        .collect();
    let locations: Vec<String> = sbom
        .components
        .iter()
        .map(|c| download_location(c.package.source.as_ref()))
        .collect();
    let mut packages = Vec::with_capacity(sbom.components.len() + 1);
    let mut rels = vec![Relationship {
        element: "SPDXRef-DOCUMENT",
        kind: "DESCRIBES",
        related: ROOT_ID,
    }];
    packages.push(Package {
        spdx_id: ROOT_ID,
        checksums: Vec::new(),
        comment: None,
        copyright_text: None,
        download_location: "NOASSERTION",
        external_refs: None,
        files_analyzed: false,
        license_concluded: None,
        license_declared: None,
        name: &sbom.project.name,
        primary_package_purpose: "APPLICATION",
        version_info: sbom.project.version.as_deref(),
    });
    for (c, location) in sbom.components.iter().zip(&locations) {
        let p = &c.package;
        let id = ids[p.purl.as_str()].as_str();
        let checksums = p
            .hashes
            .iter()
            .filter_map(|h| {
                spdx_alg(&h.alg).map(|a| Checksum {
                    algorithm: a,
                    checksum_value: &h.value,
                })
            })
            .collect();
        let mut comment = format!("scope: {}", p.scope.as_str());
        if !c.found_in.is_empty() {
            let files: Vec<&str> = c.found_in.iter().map(String::as_str).collect();
            comment.push_str(&format!("; found in: {}", files.join(", ")));
        }
        packages.push(Package {
            spdx_id: id,
            checksums,
            comment: Some(comment),
            copyright_text: Some("NOASSERTION"),
            download_location: location,
            external_refs: Some([ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_locator: &p.purl,
                reference_type: "purl",
            }]),
            files_analyzed: false,
            license_concluded: Some("NOASSERTION"),
            license_declared: Some(
                spdx_expression(&p.licenses).unwrap_or_else(|| "NOASSERTION".into()),
            ),
            name: &p.name,
            primary_package_purpose: "LIBRARY",
            version_info: p.version.as_deref(),
        });
        for d in &p.dependencies {
            if let Some(did) = ids.get(d.as_str()) {
                rels.push(Relationship {
                    element: id,
                    kind: "DEPENDS_ON",
                    related: did,
                });
            }
        }
    }
    let scope_of: HashMap<&str, Scope> = sbom
        .components
        .iter()
        .map(|c| (c.package.purl.as_str(), c.package.scope))
        .collect();
    for d in &sbom.direct {
        let Some(did) = ids.get(d.as_str()) else {
            continue;
        };
        rels.push(match scope_of.get(d.as_str()) {
            Some(Scope::Dev) => Relationship {
                element: did,
                kind: "DEV_DEPENDENCY_OF",
                related: ROOT_ID,
            },
            Some(Scope::Optional) => Relationship {
                element: did,
                kind: "OPTIONAL_DEPENDENCY_OF",
                related: ROOT_ID,
            },
            _ => Relationship {
                element: ROOT_ID,
                kind: "DEPENDS_ON",
                related: did,
            },
        });
    }
    // Hash the document with a placeholder namespace, then put the real one in its place.
    const PLACEHOLDER: &str = "https://spdx.org/spdxdocs/palisade/placeholder";
    let doc = Doc {
        spdx_id: "SPDXRef-DOCUMENT",
        creation_info: CreationInfo {
            created,
            creators: [format!("Tool: palisade-{}", env!("CARGO_PKG_VERSION"))],
        },
        data_license: "CC0-1.0",
        document_namespace: PLACEHOLDER,
        name: &sbom.project.name,
        packages,
        relationships: rels,
        spdx_version: "SPDX-2.3",
    };
    // About 1.2 KiB per package and relationship in pretty JSON.
    let bytes = to_bytes_sized(&doc, 1200 * (sbom.components.len() + 1));
    let uuid = content_uuid(&bytes);
    let slug = crate::namespace_slug(&sbom.project.name);
    let ns = format!("https://spdx.org/spdxdocs/palisade/{slug}-{uuid}");
    crate::replace_once(bytes, PLACEHOLDER, &ns)
}
