//! Validation of suppliers' SBOMs against their specifications.
//!
//! JSON documents are checked against the official JSON schemas, embedded in the binary
//! (see `schemas/README.md` for their sources and licences: the CycloneDX schemas are
//! Apache-2.0, the SPDX 2 schemas CC-BY-3.0). Nothing is fetched: the `$ref`s from the
//! CycloneDX schemas to `spdx.schema.json` and `jsf-0.82.schema.json` are served from the
//! embedded copies, and any other reference fails the build of the validator.
//!
//! CycloneDX XML is checked for what its XSD requires of the parts `ingest` reads (the
//! namespace, components' `type` and `name`, hash algorithms, scopes); SPDX tag-value for
//! the fields the specification makes mandatory for the document, packages, files,
//! snippets and extracted licences.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use quick_xml::events::Event;
use serde_json::Value;

use crate::read::ReadError;

/// One place where a document breaks its specification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// Where: a JSON pointer (`/components/3/type`, empty for the document itself) for
    /// JSON, an element path (`/bom/components/component[2]`) for XML, `line N` for
    /// SPDX tag-value.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The outcome of [`validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// What the document was checked against (`CycloneDX 1.6 JSON schema`, …), or why it
    /// was not (`no schema for SPDX 3 JSON-LD`).
    pub against: String,
    /// Whether a schema or the specification's required fields were applied.
    pub checked: bool,
    /// Violations, sorted by path then message; at most [`MAX_VIOLATIONS`].
    pub violations: Vec<Violation>,
    /// Violations found beyond [`MAX_VIOLATIONS`].
    pub more: usize,
}

/// Most violations listed; the rest are counted.
pub const MAX_VIOLATIONS: usize = 1000;

/// Longest message kept (a schema error can quote a whole enumeration).
const MAX_MESSAGE: usize = 300;

const CDX_14: &str = include_str!("../schemas/bom-1.4.schema.json");
const CDX_15: &str = include_str!("../schemas/bom-1.5.schema.json");
const CDX_16: &str = include_str!("../schemas/bom-1.6.schema.json");
const CDX_SPDX_IDS: &str = include_str!("../schemas/spdx.schema.json");
const CDX_JSF: &str = include_str!("../schemas/jsf-0.82.schema.json");
const SPDX_22: &str = include_str!("../schemas/spdx-2.2.schema.json");
const SPDX_23: &str = include_str!("../schemas/spdx-2.3.schema.json");

/// Serves the schemas the CycloneDX schemas refer to from the embedded copies; refuses
/// everything else (no network, no files).
struct Embedded;

impl jsonschema::Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = match uri.as_str() {
            "http://cyclonedx.org/schema/spdx.schema.json" => CDX_SPDX_IDS,
            "http://cyclonedx.org/schema/jsf-0.82.schema.json" => CDX_JSF,
            other => return Err(format!("{other} is not an embedded schema").into()),
        };
        Ok(serde_json::from_str(text)?)
    }
}

type Compiled = Result<jsonschema::Validator, String>;

fn compile(text: &str) -> Compiled {
    let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_retriever(Embedded)
        .build(&schema)
        .map_err(|e| e.to_string())
}

/// The compiled validator of an embedded schema, built once per process.
fn schema(which: &str) -> Option<&'static Compiled> {
    static CELLS: [OnceLock<Compiled>; 5] = [const { OnceLock::new() }; 5];
    let (i, text) = match which {
        "CycloneDX 1.4" => (0, CDX_14),
        "CycloneDX 1.5" => (1, CDX_15),
        "CycloneDX 1.6" => (2, CDX_16),
        "SPDX-2.2" => (3, SPDX_22),
        "SPDX-2.3" => (4, SPDX_23),
        _ => return None,
    };
    Some(CELLS[i].get_or_init(|| compile(text)))
}

fn clip(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// A path split into text and numbers, so that `/components/9` sorts before
/// `/components/10` and `line 9` before `line 10`.
fn natural(path: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        let text_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at(text_len);
        let num_len = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (num, tail) = tail.split_at(num_len);
        out.push((text.to_string(), num.parse().unwrap_or(u64::MAX)));
        rest = tail;
    }
    out
}

/// Sorts (naturally by path, then by message), removes duplicates and caps the list.
fn finish(against: String, checked: bool, mut v: Vec<Violation>) -> Validation {
    v.sort_by_cached_key(|x| (natural(&x.path), x.path.clone(), x.message.clone()));
    v.dedup();
    let more = v.len().saturating_sub(MAX_VIOLATIONS);
    v.truncate(MAX_VIOLATIONS);
    Validation {
        against,
        checked,
        violations: v,
        more,
    }
}

/// Validates an SBOM: CycloneDX 1.4-1.6 JSON and SPDX 2.2/2.3 JSON against the official
/// JSON schemas, CycloneDX XML and SPDX tag-value against the requirements described in
/// the module documentation. SPDX 3 JSON-LD is not validated (`checked` is false).
///
/// Errors only when the bytes are no SBOM at all (not JSON, XML or tag-value).
pub fn validate(bytes: &[u8]) -> Result<Validation, ReadError> {
    match crate::textual::sniff(bytes) {
        Some("xml") => {
            let text = std::str::from_utf8(bytes).map_err(|_| ReadError::Unknown)?;
            return Ok(validate_xml(text));
        }
        Some(_) => {
            let text = std::str::from_utf8(bytes).map_err(|_| ReadError::Unknown)?;
            return Ok(validate_tag_value(text));
        }
        None => {}
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::Json {
        line: e.line(),
        message: e.to_string(),
    })?;
    let str_at = |k: &str| v.get(k).and_then(Value::as_str);
    let which = if str_at("bomFormat") == Some("CycloneDX") {
        format!("CycloneDX {}", str_at("specVersion").unwrap_or("?"))
    } else if let Some(s) = str_at("spdxVersion") {
        s.to_string()
    } else if v.get("@context").is_some() || v.get("@graph").is_some() {
        return Ok(finish(
            "no JSON schema applied to SPDX 3 JSON-LD".into(),
            false,
            Vec::new(),
        ));
    } else {
        return Err(ReadError::Unknown);
    };
    let Some(compiled) = schema(&which) else {
        let (path, known) = if which.starts_with("CycloneDX") {
            ("/specVersion", "1.4, 1.5 or 1.6")
        } else {
            ("/spdxVersion", "SPDX-2.2 or SPDX-2.3")
        };
        return Ok(finish(
            format!("no schema for {which}"),
            true,
            vec![Violation {
                path: path.into(),
                message: format!("{which} has no embedded schema (validated: {known})"),
            }],
        ));
    };
    let against = format!("{which} JSON schema");
    let validator = match compiled {
        Ok(v) => v,
        // The embedded schemas compile (tested); should one not, say so.
        Err(e) => {
            return Ok(finish(
                against,
                false,
                vec![Violation {
                    path: String::new(),
                    message: clip(format!("the embedded schema does not compile: {e}")),
                }],
            ));
        }
    };
    let violations = validator
        .iter_errors(&v)
        .map(|e| {
            let masked = e.masked().to_string();
            // Name the offending value when it is a short scalar (`"gizmo" is not one
            // of …`); objects and long strings stay `value`.
            let shown = match e.instance().as_ref() {
                Value::String(x) if x.chars().count() <= 60 => Some(format!("{x:?}")),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            let message = match (shown, masked.strip_prefix("value ")) {
                (Some(x), Some(rest)) => format!("{x} {rest}"),
                _ => masked,
            };
            Violation {
                path: e.instance_path().as_str().to_string(),
                message: clip(message),
            }
        })
        .collect();
    Ok(finish(against, true, violations))
}

/// Component types the CycloneDX XSDs allow, by version: one list, ordered by the
/// version that added each type (1.4's eight, then 1.5's four, then 1.6's one).
fn cdx_component_types(version: &str) -> &'static [&'static str] {
    const TYPES: &[&str] = &[
        "application",
        "framework",
        "library",
        "container",
        "operating-system",
        "device",
        "firmware",
        "file",
        // 1.5
        "platform",
        "device-driver",
        "machine-learning-model",
        "data",
        // 1.6
        "cryptographic-asset",
    ];
    match version {
        "1.4" => &TYPES[..8],
        "1.5" => &TYPES[..12],
        _ => TYPES,
    }
}

const CDX_HASH_ALGS: &[&str] = &[
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
];

/// An open XML element while walking a CycloneDX document.
struct Open {
    name: String,
    /// `/bom/components/component[2]`.
    path: String,
    /// Children seen so far, by name, for indices and required children.
    children: std::collections::BTreeMap<String, usize>,
}

/// CycloneDX XML: the namespace names a version 1.4-1.6; every component has a valid
/// `type` and a `name`; hashes name a known algorithm and hold hex; scopes are
/// `required`, `optional` or `excluded`; the serial number is a UUID URN.
fn validate_xml(text: &str) -> Validation {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut out = Vec::new();
    let mut version = String::new();
    let mut against = "CycloneDX XML".to_string();
    let mut buf = String::new();
    let mut seen_root = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = (reader.error_position() as usize).min(text.len());
                let line = text[..at].matches('\n').count() + 1;
                out.push(Violation {
                    path: format!("line {line}"),
                    message: clip(format!("invalid XML: {e}")),
                });
                break;
            }
        };
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            if stack.len() > 256 {
                out.push(Violation {
                    path: stack.last().map(|o| o.path.clone()).unwrap_or_default(),
                    message: "nested deeper than 256 elements".into(),
                });
                break;
            }
            let name = e.local_name().as_ref().to_string();
            let attrs: Vec<(String, String)> = e
                .attributes()
                .flatten()
                .map(|a| (a.key.as_ref().to_string(), a.value.as_ref().to_string()))
                .collect();
            let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            let path = match stack.last_mut() {
                Some(parent) => {
                    let n = parent.children.entry(name.clone()).or_default();
                    *n += 1;
                    format!("{}/{name}[{n}]", parent.path)
                }
                None => format!("/{name}"),
            };
            if stack.is_empty() {
                seen_root = true;
                let ns = attr("xmlns").unwrap_or("");
                version = ns
                    .strip_prefix("http://cyclonedx.org/schema/bom/")
                    .unwrap_or("")
                    .to_string();
                if name != "bom" {
                    out.push(Violation {
                        path: path.clone(),
                        message: format!("the root element is <{name}>, not <bom>"),
                    });
                } else if !["1.4", "1.5", "1.6"].contains(&version.as_str()) {
                    out.push(Violation {
                        path: path.clone(),
                        message: format!(
                            "namespace {ns:?} is not CycloneDX 1.4, 1.5 or 1.6 (http://cyclonedx.org/schema/bom/1.x)"
                        ),
                    });
                } else {
                    against = format!("CycloneDX {version} XML (namespace and components)");
                }
                if let Some(v) = attr("version")
                    && !v.parse::<u64>().is_ok_and(|n| n >= 1)
                {
                    out.push(Violation {
                        path: format!("{path}/@version"),
                        message: format!("{v:?} is not a positive integer"),
                    });
                }
                if let Some(s) = attr("serialNumber")
                    && !is_uuid_urn(s)
                {
                    out.push(Violation {
                        path: format!("{path}/@serialNumber"),
                        message: format!("{s:?} is not a urn:uuid: URN"),
                    });
                }
            }
            let parent = stack.last().map(|o| o.name.as_str()).unwrap_or("");
            if name == "component" && parent == "components" {
                match attr("type") {
                    None => out.push(Violation {
                        path: path.clone(),
                        message: "a component has no type attribute".into(),
                    }),
                    Some(t) if !cdx_component_types(&version).contains(&t) => out.push(Violation {
                        path: format!("{path}/@type"),
                        message: format!("{t:?} is not a component type of CycloneDX {version}"),
                    }),
                    Some(_) => {}
                }
            }
            if name == "hash"
                && parent == "hashes"
                && !attr("alg").is_some_and(|a| CDX_HASH_ALGS.contains(&a))
            {
                out.push(Violation {
                    path: format!("{path}/@alg"),
                    message: format!(
                        "{:?} is not a CycloneDX hash algorithm",
                        attr("alg").unwrap_or("")
                    ),
                });
            }
            let open = Open {
                name,
                path,
                children: Default::default(),
            };
            if empty {
                close(&open, &stack, "", &mut out);
            } else {
                stack.push(open);
            }
            buf.clear();
            continue;
        }
        match ev {
            Event::Text(t) if buf.len() < 1 << 20 => {
                let s: &str = t.as_ref();
                buf.push_str(s);
            }
            Event::CData(t) if buf.len() < 1 << 20 => {
                let s: &str = t.as_ref();
                buf.push_str(s);
            }
            Event::End(_) => {
                if let Some(open) = stack.pop() {
                    close(&open, &stack, buf.trim(), &mut out);
                }
                buf.clear();
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    out.push(Violation {
                        path: open.path.clone(),
                        message: format!("<{}> is never closed", open.name),
                    });
                }
                break;
            }
            _ => {}
        }
    }
    if !seen_root {
        out.push(Violation {
            path: String::new(),
            message: "no root element".into(),
        });
    }
    finish(against, true, out)
}

/// Checks made when an element closes (its text and children are known).
fn close(open: &Open, stack: &[Open], text: &str, out: &mut Vec<Violation>) {
    let parent = stack.last().map(|o| o.name.as_str()).unwrap_or("");
    match (open.name.as_str(), parent) {
        ("component", "components") if !open.children.contains_key("name") => out.push(Violation {
            path: open.path.clone(),
            message: "a component has no <name>".into(),
        }),
        ("hash", "hashes")
            if !(32..=128).contains(&text.len())
                || !text.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            out.push(Violation {
                path: open.path.clone(),
                message: clip(format!("{text:?} is not a hexadecimal digest")),
            })
        }
        ("scope", "component") if !["required", "optional", "excluded"].contains(&text) => out
            .push(Violation {
                path: open.path.clone(),
                message: clip(format!("{text:?} is not required, optional or excluded")),
            }),
        _ => {}
    }
}

fn is_uuid_urn(s: &str) -> bool {
    let Some(u) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = u.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A section of a tag-value document: the document header, a package, a file, a
/// snippet or an extracted licence.
struct Section {
    kind: &'static str,
    /// Line where it starts.
    line: usize,
    tags: BTreeSet<String>,
    /// `FileChecksum` algorithms seen.
    checksums: BTreeSet<String>,
}

impl Section {
    fn new(kind: &'static str, line: usize) -> Section {
        Section {
            kind,
            line,
            tags: BTreeSet::new(),
            checksums: BTreeSet::new(),
        }
    }
}

/// Relationship types of SPDX 2.3 (2.2 has the same but `REQUIREMENT_DESCRIPTION_FOR` and
/// `SPECIFICATION_FOR`).
const RELATIONSHIPS: &[&str] = &[
    "DESCRIBES",
    "DESCRIBED_BY",
    "CONTAINS",
    "CONTAINED_BY",
    "DEPENDS_ON",
    "DEPENDENCY_OF",
    "DEPENDENCY_MANIFEST_OF",
    "BUILD_DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "EXAMPLE_OF",
    "GENERATES",
    "GENERATED_FROM",
    "ANCESTOR_OF",
    "DESCENDANT_OF",
    "VARIANT_OF",
    "DISTRIBUTION_ARTIFACT",
    "PATCH_FOR",
    "PATCH_APPLIED",
    "COPY_OF",
    "FILE_ADDED",
    "FILE_DELETED",
    "FILE_MODIFIED",
    "EXPANDED_FROM_ARCHIVE",
    "DYNAMIC_LINK",
    "STATIC_LINK",
    "DATA_FILE_OF",
    "TEST_CASE_OF",
    "BUILD_TOOL_OF",
    "DEV_TOOL_OF",
    "TEST_OF",
    "TEST_TOOL_OF",
    "DOCUMENTATION_OF",
    "OPTIONAL_COMPONENT_OF",
    "METAFILE_OF",
    "PACKAGE_OF",
    "AMENDS",
    "PREREQUISITE_FOR",
    "HAS_PREREQUISITE",
    "REQUIREMENT_DESCRIPTION_FOR",
    "SPECIFICATION_FOR",
    "OTHER",
];

/// SPDX 2.2/2.3 tag-value: the mandatory fields of the document, packages, files,
/// snippets and extracted licences (2.2 makes the licence and copyright fields of
/// packages, files and snippets mandatory too), element identifiers, relationships.
fn validate_tag_value(text: &str) -> Validation {
    let mut out = Vec::new();
    let mut sections = vec![Section::new("document", 1)];
    let mut version = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = t.split_once(':') else {
            out.push(Violation {
                path: format!("line {n}"),
                message: "not a `Tag: value` line".into(),
            });
            continue;
        };
        let tag = tag.trim().to_string();
        let mut value = value.trim().to_string();
        // A `<text>` value runs to `</text>`, possibly lines later.
        if value.starts_with("<text>") && !value.contains("</text>") {
            let mut closed = false;
            for (_, more) in lines.by_ref() {
                if value.len() < 1 << 20 {
                    value.push('\n');
                    value.push_str(more);
                }
                if more.contains("</text>") {
                    closed = true;
                    break;
                }
            }
            if !closed {
                out.push(Violation {
                    path: format!("line {n}"),
                    message: format!("{tag}: <text> is never closed by </text>"),
                });
            }
        }
        let kind = match tag.as_str() {
            "PackageName" => Some("package"),
            "FileName" => Some("file"),
            "SnippetSPDXID" => Some("snippet"),
            "LicenseID" => Some("extracted licence"),
            _ => None,
        };
        if let Some(kind) = kind {
            sections.push(Section::new(kind, n));
        }
        let at = format!("line {n}");
        match tag.as_str() {
            "SPDXVersion" => {
                version = value.clone();
                if !["SPDX-2.2", "SPDX-2.3"].contains(&value.as_str()) {
                    out.push(Violation {
                        path: at.clone(),
                        message: format!("SPDXVersion {value:?} is not SPDX-2.2 or SPDX-2.3"),
                    });
                }
            }
            "DataLicense" if value != "CC0-1.0" => out.push(Violation {
                path: at.clone(),
                message: format!("DataLicense {value:?} is not CC0-1.0"),
            }),
            "SPDXID" | "SnippetSPDXID" | "SnippetFromFileSPDXID"
                if !value.starts_with("SPDXRef-") =>
            {
                out.push(Violation {
                    path: at.clone(),
                    message: format!("{tag} {value:?} does not start with SPDXRef-"),
                })
            }
            "SPDXID"
                if sections.len() == 1
                    && !sections[0].tags.contains("SPDXID")
                    && value != "SPDXRef-DOCUMENT" =>
            {
                out.push(Violation {
                    path: at.clone(),
                    message: format!("the document's SPDXID {value:?} is not SPDXRef-DOCUMENT"),
                })
            }
            "Relationship" => {
                let f: Vec<&str> = value.split_whitespace().collect();
                if f.len() != 3 || !RELATIONSHIPS.contains(&f[1]) {
                    out.push(Violation {
                        path: at.clone(),
                        message: clip(format!(
                            "Relationship {value:?} is not `ELEMENT TYPE ELEMENT` with a known type"
                        )),
                    });
                }
            }
            "PackageDownloadLocation" if value.is_empty() => out.push(Violation {
                path: at.clone(),
                message: "PackageDownloadLocation is empty (NOASSERTION or NONE when unknown)"
                    .into(),
            }),
            _ => {}
        }
        // Relationships and annotations may follow any section without belonging to it.
        if let Some(s) = sections.last_mut() {
            if tag == "FileChecksum"
                && let Some((alg, _)) = value.split_once(':')
            {
                s.checksums.insert(alg.trim().to_string());
            }
            s.tags.insert(tag);
        }
    }
    let v22 = version == "SPDX-2.2";
    for s in &sections {
        let mut required: Vec<&str> = match s.kind {
            "document" => vec![
                "SPDXVersion",
                "DataLicense",
                "SPDXID",
                "DocumentName",
                "DocumentNamespace",
                "Creator",
                "Created",
            ],
            "package" => vec!["SPDXID", "PackageDownloadLocation"],
            "file" => vec!["SPDXID", "FileChecksum"],
            "snippet" => vec!["SnippetFromFileSPDXID", "SnippetByteRange"],
            _ => vec!["ExtractedText"],
        };
        if v22 {
            required.extend(match s.kind {
                "package" => &[
                    "PackageLicenseConcluded",
                    "PackageLicenseDeclared",
                    "PackageCopyrightText",
                ][..],
                "file" => &["LicenseConcluded", "LicenseInfoInFile", "FileCopyrightText"][..],
                "snippet" => &["SnippetLicenseConcluded", "SnippetCopyrightText"][..],
                "extracted licence" => &["LicenseName"][..],
                _ => &[][..],
            });
        }
        for tag in required {
            if !s.tags.contains(tag) {
                out.push(Violation {
                    path: format!("line {}", s.line),
                    message: format!("the {} has no {tag}", s.kind),
                });
            }
        }
        if s.kind == "file" && s.tags.contains("FileChecksum") && !s.checksums.contains("SHA1") {
            out.push(Violation {
                path: format!("line {}", s.line),
                message: "the file has no SHA1 FileChecksum".into(),
            });
        }
    }
    let against = if ["SPDX-2.2", "SPDX-2.3"].contains(&version.as_str()) {
        format!("{version} tag-value (mandatory fields)")
    } else {
        "SPDX tag-value (mandatory fields)".to_string()
    };
    finish(against, true, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_types_by_version() {
        let t = |v: &str| cdx_component_types(v).to_vec();
        assert_eq!(t("1.4").len(), 8);
        assert!(t("1.4").contains(&"firmware") && !t("1.4").contains(&"platform"));
        assert!(t("1.5").contains(&"platform") && t("1.5").contains(&"data"));
        assert!(!t("1.5").contains(&"cryptographic-asset"));
        assert!(t("1.6").contains(&"cryptographic-asset") && t("1.6").len() == 13);
    }

    #[test]
    fn every_embedded_schema_compiles() {
        for w in [
            "CycloneDX 1.4",
            "CycloneDX 1.5",
            "CycloneDX 1.6",
            "SPDX-2.2",
            "SPDX-2.3",
        ] {
            assert!(schema(w).expect("known").is_ok(), "{w}: {:?}", schema(w));
        }
    }

    #[test]
    fn uuid_urn() {
        assert!(is_uuid_urn("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_uuid_urn("urn:uuid:3e671687"));
    }
}
