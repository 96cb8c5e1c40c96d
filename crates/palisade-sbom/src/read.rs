//! Reading SBOMs (CycloneDX 1.4-1.6 JSON, SPDX 2.2/2.3 JSON, SPDX 3.0 JSON-LD) into a
//! flat component list, and comparing two of them by package URL.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A component as an SBOM declares it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeclaredComponent {
    /// Package URL, if declared.
    pub purl: Option<String>,
    /// Name.
    pub name: String,
    /// Version, if declared.
    pub version: Option<String>,
}

impl DeclaredComponent {
    /// Identity across versions: the package URL without version, qualifiers and
    /// subpath; or `name` when there is no package URL.
    pub fn identity(&self) -> String {
        match &self.purl {
            Some(p) => {
                let base = p.split(['?', '#']).next().unwrap_or(p);
                // The version starts at the last `@` after the type's `/`.
                match base.rfind('@') {
                    Some(i) if base[..i].contains('/') => base[..i].to_string(),
                    _ => base.to_string(),
                }
            }
            None => format!("name:{}", self.name),
        }
    }
}

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON.
    #[error("line {line}: invalid JSON: {message}")]
    Json {
        /// Line (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Neither CycloneDX (JSON, XML) nor SPDX (JSON, tag-value, JSON-LD).
    #[error("not a CycloneDX (JSON/XML) or SPDX (JSON/tag-value) document")]
    Unknown,
}

/// Tag-value or XML SBOMs: their format name and entries; `None` for JSON.
fn textual(bytes: &[u8]) -> Result<Option<(String, Vec<crate::textual::Entry>)>, ReadError> {
    let kind = crate::textual::sniff(bytes);
    if kind.is_none() {
        return Ok(None);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::Unknown)?;
    Ok(Some(match kind {
        Some("xml") => crate::textual::cyclonedx_xml(text)?,
        _ => crate::textual::spdx_tag_value(text),
    }))
}

/// SPDX 2 packages the document describes (the project itself).
fn spdx2_described(v: &Value) -> BTreeSet<String> {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    v.get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| s(r, "relationshipType").as_deref() == Some("DESCRIBES"))
        .filter_map(|r| s(r, "relatedSpdxElement"))
        .chain(
            v.get("documentDescribes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string)),
        )
        .collect()
}

/// SPDX 3 root elements of the SBOMs in the graph (the project itself).
fn spdx3_roots(v: &Value) -> BTreeSet<String> {
    v.get("@graph")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("software_Sbom"))
        .flat_map(|o| {
            o.get("rootElement")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// A declared component with what a materials policy judges: licences, hashes and
/// where it is downloaded from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ComponentDetails {
    /// The component.
    pub component: DeclaredComponent,
    /// Licence expressions as declared (each one applies; NOASSERTION/NONE left out).
    pub licences: Vec<String>,
    /// Hashes as `algorithm:value`.
    pub hashes: Vec<String>,
    /// Download location or registry (CycloneDX `distribution` reference, SPDX
    /// `downloadLocation`, or the package URL's `repository_url`/`download_url`).
    pub download: Option<String>,
}

/// Reads the components an SBOM declares (the described root is not included).
pub fn read_components(bytes: &[u8]) -> Result<Vec<DeclaredComponent>, ReadError> {
    let mut out: Vec<DeclaredComponent> = read_details(bytes)?
        .into_iter()
        .map(|d| d.component)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// A licence expression worth keeping (not empty, NOASSERTION or NONE).
fn keep_licence(l: &str) -> Option<String> {
    let l = l.trim();
    (!l.is_empty() && l != "NOASSERTION" && l != "NONE").then(|| l.to_string())
}

/// A download location worth keeping.
fn keep_download(l: Option<String>) -> Option<String> {
    l.and_then(|l| keep_licence(&l))
}

/// The `repository_url` or `download_url` qualifier of a package URL (percent-decoded).
fn purl_download(purl: Option<&str>) -> Option<String> {
    let q = purl?.split('#').next()?.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        if k != "repository_url" && k != "download_url" {
            return None;
        }
        let mut out = Vec::new();
        let b = v.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b[i],
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                (c, _, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).ok()
    })
}

/// Reads the components an SBOM declares with their licences, hashes and download
/// locations, in document order (the described root is not included).
pub fn read_details(bytes: &[u8]) -> Result<Vec<ComponentDetails>, ReadError> {
    if let Some((_, entries)) = textual(bytes)? {
        return Ok(entries.into_iter().map(|e| e.details).collect());
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::Json {
        line: e.line(),
        message: e.to_string(),
    })?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let arr = |v: &Value, k: &str| -> Vec<Value> {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        // Components nest (`components` inside components).
        let mut stack: Vec<&Value> = v.get("components").into_iter().collect();
        while let Some(list) = stack.pop() {
            for c in list.as_array().into_iter().flatten() {
                let purl = s(c, "purl");
                let licences = arr(c, "licenses")
                    .iter()
                    .filter_map(|l| {
                        s(l, "expression").or_else(|| {
                            let lic = l.get("license")?;
                            s(lic, "id").or_else(|| s(lic, "name"))
                        })
                    })
                    .filter_map(|l| keep_licence(&l))
                    .collect();
                let hashes = arr(c, "hashes")
                    .iter()
                    .filter_map(|h| Some(format!("{}:{}", s(h, "alg")?, s(h, "content")?)))
                    .collect();
                let download = keep_download(
                    arr(c, "externalReferences")
                        .iter()
                        .find(|r| s(r, "type").as_deref() == Some("distribution"))
                        .and_then(|r| s(r, "url")),
                )
                .or_else(|| purl_download(purl.as_deref()));
                out.push(ComponentDetails {
                    component: DeclaredComponent {
                        purl,
                        name: match s(c, "group") {
                            Some(g) if !g.is_empty() => {
                                format!("{g}/{}", s(c, "name").unwrap_or_default())
                            }
                            _ => s(c, "name").unwrap_or_default(),
                        },
                        version: s(c, "version"),
                    },
                    licences,
                    hashes,
                    download,
                });
                if let Some(sub) = c.get("components") {
                    stack.push(sub);
                }
            }
        }
    } else if v.get("spdxVersion").is_some() {
        let described = spdx2_described(&v);
        for p in v
            .get("packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if s(p, "SPDXID").is_some_and(|id| described.contains(&id)) {
                continue;
            }
            let purl = p
                .get("externalRefs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|r| s(r, "referenceType").as_deref() == Some("purl"))
                .and_then(|r| s(r, "referenceLocator"));
            // The concluded licence when there is one, else the declared one.
            let licences = ["licenseConcluded", "licenseDeclared"]
                .iter()
                .find_map(|k| s(p, k).and_then(|l| keep_licence(&l)))
                .into_iter()
                .collect();
            let hashes = arr(p, "checksums")
                .iter()
                .filter_map(|h| Some(format!("{}:{}", s(h, "algorithm")?, s(h, "checksumValue")?)))
                .collect();
            let download =
                keep_download(s(p, "downloadLocation")).or_else(|| purl_download(purl.as_deref()));
            out.push(ComponentDetails {
                component: DeclaredComponent {
                    purl,
                    name: s(p, "name").unwrap_or_default(),
                    version: s(p, "versionInfo"),
                },
                licences,
                hashes,
                download,
            });
        }
    } else if let Some(graph) = v.get("@graph").and_then(Value::as_array) {
        let roots = spdx3_roots(&v);
        // Licence elements by id, and the licence relationships (concluded, declared).
        let expr_of: BTreeMap<String, String> = graph
            .iter()
            .filter_map(|o| {
                let id = s(o, "spdxId")?;
                let e = s(o, "simplelicensing_licenseExpression")
                    .or_else(|| s(o, "expandedlicensing_licenseId"))?;
                Some((id, e))
            })
            .collect();
        let mut rels: BTreeMap<(String, bool), Vec<String>> = BTreeMap::new();
        for r in graph {
            let concluded = match s(r, "relationshipType").as_deref() {
                Some("hasConcludedLicense") => true,
                Some("hasDeclaredLicense") => false,
                _ => continue,
            };
            let (Some(from), Some(to)) = (s(r, "from"), r.get("to")) else {
                continue;
            };
            let tos: Vec<String> = match to {
                Value::String(t) => vec![t.clone()],
                Value::Array(ts) => ts
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let exprs = tos.iter().filter_map(|t| {
                expr_of.get(t).cloned().or_else(|| {
                    // Listed licences may be referenced by their SPDX URL.
                    t.strip_prefix("https://spdx.org/licenses/")
                        .map(str::to_string)
                })
            });
            rels.entry((from, concluded)).or_default().extend(exprs);
        }
        for o in graph {
            if s(o, "type").as_deref() != Some("software_Package")
                || s(o, "spdxId").is_some_and(|id| roots.contains(&id))
            {
                continue;
            }
            let id = s(o, "spdxId").unwrap_or_default();
            let licences = [true, false]
                .iter()
                .find_map(|c| {
                    let l: Vec<String> = rels
                        .get(&(id.clone(), *c))?
                        .iter()
                        .filter_map(|l| keep_licence(l))
                        .collect();
                    (!l.is_empty()).then_some(l)
                })
                .unwrap_or_default();
            let hashes = arr(o, "verifiedUsing")
                .iter()
                .filter_map(|h| Some(format!("{}:{}", s(h, "algorithm")?, s(h, "hashValue")?)))
                .collect();
            let purl = s(o, "software_packageUrl");
            let download = keep_download(s(o, "software_downloadLocation"))
                .or_else(|| purl_download(purl.as_deref()));
            out.push(ComponentDetails {
                component: DeclaredComponent {
                    purl,
                    name: s(o, "name").unwrap_or_default(),
                    version: s(o, "software_packageVersion"),
                },
                licences,
                hashes,
                download,
            });
        }
    } else {
        return Err(ReadError::Unknown);
    }
    Ok(out)
}

/// What changed from one SBOM to another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Identities only in the second.
    pub added: Vec<DeclaredComponent>,
    /// Identities only in the first.
    pub removed: Vec<DeclaredComponent>,
    /// Same identity, different versions: (identity, versions before, versions after).
    pub changed: Vec<(String, Vec<String>, Vec<String>)>,
}

impl Diff {
    /// No difference.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares by identity (package URL without version), then by versions.
pub fn diff(a: &[DeclaredComponent], b: &[DeclaredComponent]) -> Diff {
    let group = |xs: &[DeclaredComponent]| {
        let mut m: BTreeMap<String, Vec<DeclaredComponent>> = BTreeMap::new();
        for x in xs {
            m.entry(x.identity()).or_default().push(x.clone());
        }
        m
    };
    let (ga, gb) = (group(a), group(b));
    let mut d = Diff::default();
    for (id, xs) in &ga {
        match gb.get(id) {
            None => d.removed.extend(xs.iter().cloned()),
            Some(ys) => {
                let va: BTreeSet<String> = xs
                    .iter()
                    .map(|x| x.version.clone().unwrap_or_default())
                    .collect();
                let vb: BTreeSet<String> = ys
                    .iter()
                    .map(|y| y.version.clone().unwrap_or_default())
                    .collect();
                if va != vb {
                    d.changed.push((
                        id.clone(),
                        va.into_iter().collect(),
                        vb.into_iter().collect(),
                    ));
                }
            }
        }
    }
    for (id, ys) in &gb {
        if !ga.contains_key(id) {
            d.added.extend(ys.iter().cloned());
        }
    }
    d
}

/// A declared component and an actual one that are probably the same package under
/// different identifiers (package URL type, namespace, or name spelling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// As the SBOM declares it.
    pub declared: DeclaredComponent,
    /// As the lockfiles resolve it.
    pub actual: DeclaredComponent,
}

/// Name reduced to lower-case letters and digits of its last path segment, so that
/// `Foo_Bar`, `foo-bar`, `@x/foo-bar` and `org.x:foo-bar` meet.
fn loose_name(c: &DeclaredComponent) -> String {
    let from_purl = c.purl.as_deref().and_then(|p| {
        let base = p.split(['?', '#']).next()?;
        let base = base
            .rsplit_once('@')
            .filter(|(a, _)| a.contains('/'))
            .map(|(a, _)| a)
            .unwrap_or(base);
        base.rsplit('/').next().map(str::to_string)
    });
    let n = from_purl.unwrap_or_else(|| c.name.clone());
    let n = n.rsplit([':', '/']).next().unwrap_or(&n).to_string();
    n.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Composition check: `declared` against `actual`. Pairs of removed/added components
/// with the same loose name and version become identifier mismatches and are taken out
/// of the diff.
pub fn check(
    declared: &[DeclaredComponent],
    actual: &[DeclaredComponent],
) -> (Diff, Vec<Mismatch>) {
    let mut d = diff(declared, actual);
    let mut mismatches = Vec::new();
    let mut i = 0;
    while i < d.removed.len() {
        let r = &d.removed[i];
        let key = (loose_name(r), r.version.clone());
        match d
            .added
            .iter()
            .position(|a| (loose_name(a), a.version.clone()) == key)
        {
            Some(j) => {
                let actual = d.added.remove(j);
                let declared = d.removed.remove(i);
                mismatches.push(Mismatch { declared, actual });
            }
            None => i += 1,
        }
    }
    (d, mismatches)
}

/// What a supplier's SBOM contains, for `sbom ingest`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `CycloneDX 1.6`, `SPDX-2.3`, `SPDX 3.0`.
    pub format: String,
    /// Components (the described root excluded).
    pub components: usize,
    /// Components without a package URL.
    pub missing_purl: usize,
    /// Components without a version.
    pub missing_version: usize,
    /// Components without a licence (or only NOASSERTION/NONE).
    pub missing_license: usize,
    /// Components with at least one hash.
    pub with_hashes: usize,
    /// Structural problems found (missing required fields, unknown spec version).
    pub problems: Vec<String>,
}

fn has_license_cdx(c: &Value) -> bool {
    c.get("licenses")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty())
}

fn real_license(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|l| !l.is_empty() && l != "NOASSERTION" && l != "NONE")
}

/// Summarises and structurally checks a CycloneDX (1.4-1.6) or SPDX (2.2/2.3, 3.0)
/// JSON SBOM.
pub fn summarize(bytes: &[u8]) -> Result<Summary, ReadError> {
    if let Some((format, entries)) = textual(bytes)? {
        return Ok(crate::textual::summary(format, &entries));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::Json {
        line: e.line(),
        message: e.to_string(),
    })?;
    let comps = read_components(bytes)?;
    let mut s = Summary {
        components: comps.len(),
        missing_purl: comps.iter().filter(|c| c.purl.is_none()).count(),
        missing_version: comps.iter().filter(|c| c.version.is_none()).count(),
        ..Summary::default()
    };
    let str_of = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if str_of("bomFormat") == "CycloneDX" {
        let spec = str_of("specVersion");
        s.format = format!("CycloneDX {spec}");
        if !["1.4", "1.5", "1.6"].contains(&spec.as_str()) {
            s.problems
                .push(format!("specVersion {spec:?} is not 1.4, 1.5 or 1.6"));
        }
        let mut stack: Vec<&Value> = v.get("components").into_iter().collect();
        while let Some(list) = stack.pop() {
            for c in list.as_array().into_iter().flatten() {
                if c.get("name").and_then(Value::as_str).is_none() {
                    s.problems.push("a component has no name".into());
                }
                if c.get("type").and_then(Value::as_str).is_none() {
                    s.problems.push("a component has no type".into());
                }
                if !has_license_cdx(c) {
                    s.missing_license += 1;
                }
                if c.get("hashes")
                    .and_then(Value::as_array)
                    .is_some_and(|h| !h.is_empty())
                {
                    s.with_hashes += 1;
                }
                if let Some(sub) = c.get("components") {
                    stack.push(sub);
                }
            }
        }
    } else if v.get("spdxVersion").is_some() {
        let spec = str_of("spdxVersion");
        s.format = spec.clone();
        if !["SPDX-2.2", "SPDX-2.3"].contains(&spec.as_str()) {
            s.problems
                .push(format!("spdxVersion {spec:?} is not SPDX-2.2 or SPDX-2.3"));
        }
        for k in ["SPDXID", "name", "documentNamespace", "dataLicense"] {
            if v.get(k).is_none() {
                s.problems.push(format!("document has no {k}"));
            }
        }
        let pkgs: Vec<&Value> = v
            .get("packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let described = spdx2_described(&v);
        let is_root = |p: &Value| {
            p.get("SPDXID")
                .and_then(Value::as_str)
                .is_some_and(|id| described.contains(id))
        };
        for p in pkgs.iter().filter(|p| !is_root(p)) {
            if !real_license(p.get("licenseDeclared")) && !real_license(p.get("licenseConcluded")) {
                s.missing_license += 1;
            }
            if p.get("checksums")
                .and_then(Value::as_array)
                .is_some_and(|h| !h.is_empty())
            {
                s.with_hashes += 1;
            }
        }
        for p in &pkgs {
            for k in ["SPDXID", "name", "downloadLocation"] {
                if p.get(k).is_none() {
                    s.problems.push(format!("a package has no {k}"));
                }
            }
        }
    } else {
        s.format = "SPDX 3.0".into();
        let graph: Vec<&Value> = v
            .get("@graph")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let licensed: BTreeSet<&str> = graph
            .iter()
            .filter(|o| {
                o.get("relationshipType").and_then(Value::as_str) == Some("hasDeclaredLicense")
            })
            .filter_map(|o| o.get("from").and_then(Value::as_str))
            .collect();
        let roots = spdx3_roots(&v);
        let pkgs = graph.iter().filter(|o| {
            o.get("type").and_then(Value::as_str) == Some("software_Package")
                && !o
                    .get("spdxId")
                    .and_then(Value::as_str)
                    .is_some_and(|id| roots.contains(id))
        });
        for p in pkgs {
            if !p
                .get("spdxId")
                .and_then(Value::as_str)
                .is_some_and(|id| licensed.contains(id))
            {
                s.missing_license += 1;
            }
            if p.get("verifiedUsing")
                .and_then(Value::as_array)
                .is_some_and(|h| !h.is_empty())
            {
                s.with_hashes += 1;
            }
        }
    }
    s.problems.sort();
    s.problems.dedup();
    Ok(s)
}
