//! SBOMs that are not JSON: SPDX 2 tag-value and CycloneDX XML (1.4-1.6).

use quick_xml::events::Event;

use crate::read::{ComponentDetails, DeclaredComponent, ReadError, Summary};

/// One package with what `ingest` counts and what `check` judges.
pub(crate) struct Entry {
    pub details: ComponentDetails,
    pub license: bool,
    pub hashed: bool,
    /// SPDX tag-value: the concluded licence (preferred over the declared one).
    concluded: Option<String>,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            details: ComponentDetails {
                component: DeclaredComponent {
                    purl: None,
                    name: String::new(),
                    version: None,
                },
                licences: Vec::new(),
                hashes: Vec::new(),
                download: None,
            },
            license: false,
            hashed: false,
            concluded: None,
        }
    }
}

fn real_license(l: &str) -> bool {
    let l = l.trim();
    !l.is_empty() && l != "NOASSERTION" && l != "NONE"
}

/// SPDX 2.x tag-value. Returns the spec version and the packages not described by the
/// document (the project itself is left out).
pub(crate) fn spdx_tag_value(text: &str) -> (String, Vec<Entry>) {
    let mut version = String::new();
    let mut described = std::collections::BTreeSet::new();
    let mut pkgs: Vec<(Option<String>, Entry)> = Vec::new();
    let mut in_text = false;
    for line in text.lines() {
        if in_text {
            in_text = !line.contains("</text>");
            continue;
        }
        if line.contains("<text>") && !line.contains("</text>") {
            in_text = true;
        }
        let Some((tag, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match tag.trim() {
            "SPDXVersion" => version = value.to_string(),
            "Relationship" => {
                let f: Vec<&str> = value.split_whitespace().collect();
                if f.len() == 3 && f[1] == "DESCRIBES" {
                    described.insert(f[2].to_string());
                }
            }
            "PackageName" => {
                let mut e = Entry::new();
                e.details.component.name = value.to_string();
                pkgs.push((None, e));
            }
            tag => {
                let Some((id, e)) = pkgs.last_mut() else {
                    continue;
                };
                match tag {
                    "SPDXID" if id.is_none() => *id = Some(value.to_string()),
                    "PackageVersion" => e.details.component.version = Some(value.to_string()),
                    "PackageLicenseDeclared" if real_license(value) => {
                        e.license = true;
                        e.details.licences = vec![value.to_string()];
                    }
                    "PackageLicenseConcluded" if real_license(value) => {
                        e.license = true;
                        e.concluded = Some(value.to_string());
                    }
                    "PackageDownloadLocation" if real_license(value) => {
                        e.details.download = Some(value.to_string())
                    }
                    "PackageChecksum" => {
                        e.hashed = true;
                        if let Some((alg, v)) = value.split_once(':') {
                            e.details
                                .hashes
                                .push(format!("{}:{}", alg.trim(), v.trim()));
                        }
                    }
                    "ExternalRef" => {
                        let f: Vec<&str> = value.split_whitespace().collect();
                        if f.len() >= 3 && f[1] == "purl" {
                            e.details.component.purl = Some(f[2].to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let entries = pkgs
        .into_iter()
        .filter(|(id, _)| !id.as_ref().is_some_and(|i| described.contains(i)))
        .map(|(_, mut e)| {
            if let Some(c) = e.concluded.take() {
                e.details.licences = vec![c];
            }
            e
        })
        .collect();
    (version, entries)
}

/// CycloneDX XML: every `<component>` under `<components>` (nested too), not the
/// metadata component. Returns the spec version from the namespace.
pub(crate) fn cyclonedx_xml(text: &str) -> Result<(String, Vec<Entry>), ReadError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<Entry> = Vec::new();
    let mut out = Vec::new();
    let mut version = String::new();
    let mut buf = String::new();
    let mut alg = String::new();
    loop {
        let ev = reader.read_event().map_err(|e| ReadError::Json {
            line: text[..(reader.error_position() as usize).min(text.len())]
                .matches('\n')
                .count()
                + 1,
            message: format!("invalid XML: {e}"),
        })?;
        match ev {
            Event::Start(e) => {
                if path.len() > 256 {
                    return Err(ReadError::Unknown);
                }
                let ln = e.local_name();
                let name: &str = ln.as_ref();
                if name == "bom" {
                    for a in e.attributes().flatten() {
                        if a.key.as_ref() == "xmlns" {
                            let v = a.value.as_ref();
                            version = format!("CycloneDX {}", v.rsplit('/').next().unwrap_or(""));
                        }
                    }
                }
                if name == "hash" {
                    alg = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "alg")
                        .map(|a| a.value.as_ref().to_string())
                        .unwrap_or_default();
                }
                if name == "component" && path.iter().any(|p| p == "components") {
                    stack.push(Entry::new());
                }
                path.push(name.to_string());
                buf.clear();
            }
            Event::Text(t) => {
                let s: &str = t.as_ref();
                buf.push_str(s);
            }
            Event::End(_) => {
                let last = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                if parent == "component"
                    && let Some(e) = stack.last_mut()
                {
                    let v = buf.trim().to_string();
                    let c = &mut e.details.component;
                    match last.as_str() {
                        "name" => c.name = v,
                        "version" => c.version = Some(v),
                        "purl" => c.purl = Some(v),
                        "group" if !v.is_empty() => c.name = format!("{v}/{}", c.name),
                        "licenses" => e.license = true,
                        "hashes" => e.hashed = true,
                        _ => {}
                    }
                }
                // Licences, hashes and the distribution URL of the current component.
                let n = path.len();
                let grand = |k: usize| n >= k && path[n - k] == "component";
                if let Some(e) = stack.last_mut() {
                    let v = buf.trim().to_string();
                    match (last.as_str(), parent) {
                        ("id" | "name", "license") if grand(3) && real_license(&v) => {
                            e.details.licences.push(v)
                        }
                        ("expression", "licenses") if grand(2) && real_license(&v) => {
                            e.details.licences.push(v)
                        }
                        ("hash", "hashes") if grand(2) && !v.is_empty() => {
                            e.details.hashes.push(format!("{alg}:{v}"))
                        }
                        _ => {}
                    }
                }
                if last == "component" && path.iter().any(|p| p == "components") {
                    out.extend(stack.pop());
                }
                buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if version.is_empty() {
        return Err(ReadError::Unknown);
    }
    Ok((version, out))
}

/// Summary of a non-JSON SBOM.
pub(crate) fn summary(format: String, entries: &[Entry]) -> Summary {
    let mut s = Summary {
        format,
        components: entries.len(),
        missing_purl: entries
            .iter()
            .filter(|e| e.details.component.purl.is_none())
            .count(),
        missing_version: entries
            .iter()
            .filter(|e| e.details.component.version.is_none())
            .count(),
        missing_license: entries.iter().filter(|e| !e.license).count(),
        with_hashes: entries.iter().filter(|e| e.hashed).count(),
        problems: Vec::new(),
    };
    if entries.iter().any(|e| e.details.component.name.is_empty()) {
        s.problems.push("a component has no name".into());
    }
    let ok = [
        "SPDX-2.2",
        "SPDX-2.3",
        "CycloneDX 1.4",
        "CycloneDX 1.5",
        "CycloneDX 1.6",
    ];
    if !ok.contains(&s.format.as_str()) {
        s.problems
            .push(format!("unsupported version {:?}", s.format));
    }
    s
}

/// The kind of a non-JSON SBOM, from its first bytes.
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        Some("xml")
    } else if t.starts_with("SPDXVersion:") || t.starts_with('#') && text.contains("SPDXVersion:") {
        Some("tag-value")
    } else {
        None
    }
}
