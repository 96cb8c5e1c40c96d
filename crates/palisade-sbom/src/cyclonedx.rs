//! CycloneDX 1.6 JSON.

use std::borrow::Cow;
use std::str::FromStr;

use serde::Serialize;

use crate::{Component, HashingSink, Sbom, pretty_at, spdx_expression, stream_array_at};
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

// The document is serialised from typed records. Field order is the alphabetical key
// order of the former `serde_json::Value` tree (a sorted map), so the bytes are the same.
// The serial number is `urn:uuid:` and 36 characters, as long as the placeholder.

#[derive(Serialize)]
struct Metadata<'a> {
    component: Root<'a>,
    timestamp: &'a str,
    tools: Tools,
}

#[derive(Serialize)]
struct Root<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct Tools {
    components: [Tool; 1],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Comp<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(rename = "externalReferences", skip_serializing_if = "Option::is_none")]
    external_references: Option<[ExtRef<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<CdxHash<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licenses: Option<Licenses<'a>>,
    name: Cow<'a, str>,
    properties: Vec<Prop<'a>>,
    purl: &'a str,
    scope: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct ExtRef<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct CdxHash<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Licenses<'a> {
    Expression([Expression; 1]),
    Named(Vec<NamedLicense<'a>>),
}

#[derive(Serialize)]
struct Expression {
    expression: String,
}

#[derive(Serialize)]
struct NamedLicense<'a> {
    license: LicenseName<'a>,
}

#[derive(Serialize)]
struct LicenseName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Prop<'a> {
    name: Cow<'a, str>,
    value: &'a str,
}

#[derive(Serialize)]
struct Dep<'a> {
    #[serde(rename = "dependsOn")]
    depends_on: &'a [String],
    #[serde(rename = "ref")]
    reference: &'a str,
}

fn prop<'a>(name: impl Into<Cow<'a, str>>, value: &'a str) -> Prop<'a> {
    Prop {
        name: name.into(),
        value,
    }
}

/// Properties in the order the former writer sorted them: by their compact JSON text.
fn sort_props(props: &mut [Prop]) {
    let plain = |s: &str| !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    if props.iter().all(|p| plain(&p.name) && plain(p.value)) {
        // Without escapes the JSON text `{"name":"N","value":"V"}` orders as (N + '"', V).
        props.sort_by(|a, b| {
            let ka = a.name.bytes().chain(std::iter::once(b'"'));
            let kb = b.name.bytes().chain(std::iter::once(b'"'));
            ka.cmp(kb).then_with(|| a.value.cmp(b.value))
        });
    } else {
        props.sort_by_cached_key(|p| serde_json::to_string(p).unwrap_or_default());
    }
}

/// npm's `@scope/name` (and other namespaced purls) as CycloneDX group and name: the
/// decoded namespace and name of the package URL.
fn group_and_name(purl: &str, fallback: &str) -> (Option<String>, Cow<'static, str>) {
    match packageurl::PackageUrl::from_str(purl) {
        Ok(u) => (
            u.namespace().map(str::to_string),
            Cow::Owned(u.name().to_string()),
        ),
        Err(_) => (None, Cow::Owned(fallback.to_string())),
    }
}

/// The CycloneDX record of one component.
fn component(c: &Component) -> Comp<'_> {
    let p = &c.package;
    let (group, name) = group_and_name(&p.purl, &p.name);
    let mut hashes = Vec::new();
    let mut props = Vec::with_capacity(5 + c.found_in.len());
    props.push(prop("palisade:ecosystem", p.ecosystem.name()));
    props.push(prop("palisade:scope", p.scope.as_str()));
    if let Some(d) = p.direct {
        props.push(prop("palisade:direct", if d { "true" } else { "false" }));
    }
    for f in &c.found_in {
        props.push(prop("palisade:lockfile", f));
    }
    for h in &p.hashes {
        match cdx_alg(&h.alg) {
            Some(a) => hashes.push(CdxHash {
                alg: a,
                content: &h.value,
            }),
            None => props.push(prop(format!("palisade:hash:{}", h.alg), &h.value)),
        }
    }
    let licenses = if p.licenses.is_empty() {
        None
    } else {
        Some(match spdx_expression(&p.licenses) {
            Some(e) => Licenses::Expression([Expression { expression: e }]),
            None => Licenses::Named(
                p.licenses
                    .iter()
                    .map(|l| NamedLicense {
                        license: LicenseName { name: l },
                    })
                    .collect(),
            ),
        })
    };
    let mut external_references = None;
    if let Some(src) = &p.source {
        let is_vcs = src.starts_with("git") || src.contains(".git#") || src.contains(".git@");
        if is_plain_url(src) {
            external_references = Some([ExtRef {
                kind: if is_vcs { "vcs" } else { "distribution" },
                url: src,
            }]);
        } else {
            props.push(prop("palisade:source", src));
        }
    }
    sort_props(&mut props);
    Comp {
        bom_ref: &p.purl,
        external_references,
        group,
        hashes,
        licenses,
        name,
        properties: props,
        purl: &p.purl,
        scope: match p.scope {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "excluded",
        },
        kind: "library",
        version: p.version.as_deref(),
    }
}

pub(crate) fn render_to<W: std::io::Write + Send + ?Sized>(
    sbom: &Sbom,
    created: &str,
    out: &mut W,
) -> std::io::Result<()> {
    let mut deps = Vec::with_capacity(sbom.components.len() + 1);
    deps.push(Dep {
        depends_on: &sbom.direct,
        reference: ROOT_REF,
    });
    deps.extend(sbom.components.iter().map(|c| Dep {
        depends_on: &c.package.dependencies,
        reference: &c.package.purl,
    }));
    let metadata = Metadata {
        component: Root {
            bom_ref: ROOT_REF,
            name: &sbom.project.name,
            kind: "application",
            version: sbom.project.version.as_deref(),
        },
        timestamp: created,
        tools: Tools {
            components: [Tool {
                name: "palisade",
                kind: "application",
                version: env!("CARGO_PKG_VERSION"),
            }],
        },
    };
    // The document is written piece by piece, the component and dependency arrays in
    // parallel chunks, with the layout (two-space pretty JSON, keys in alphabetical
    // order) that serialising the whole document at once gives. The serial number is the
    // hash of the document with a placeholder in its place; as the serial is the last
    // value but two constants, everything is written before it is known.
    const PLACEHOLDER: &str = "urn:uuid:00000000-0000-5000-8000-000000000000";
    const TAIL: &[u8] = b"\",\n  \"specVersion\": \"1.6\",\n  \"version\": 1\n}\n";
    let mut sink = HashingSink::new(out);
    sink.put(b"{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": ")?;
    stream_array_at(&mut sink, &sbom.components, 1, |buf, c, level| {
        pretty_at(buf, &component(c), level)
    })?;
    sink.put(b",\n  \"dependencies\": ")?;
    stream_array_at(&mut sink, &deps, 1, pretty_at)?;
    let mut meta = b",\n  \"metadata\": ".to_vec();
    pretty_at(&mut meta, &metadata, 1);
    meta.extend_from_slice(b",\n  \"serialNumber\": \"");
    sink.put(&meta)?;
    sink.hash_only(PLACEHOLDER.as_bytes());
    sink.hash_only(TAIL);
    let serial = format!("urn:uuid:{}", sink.uuid());
    sink.write_plain(serial.as_bytes())?;
    sink.write_plain(TAIL)
}
