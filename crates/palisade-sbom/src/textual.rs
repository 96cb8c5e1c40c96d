//! SBOMs that are not JSON: SPDX 2 tag-value and CycloneDX XML (1.4-1.6).

use quick_xml::events::Event;

use crate::read::{DeclaredComponent, ReadError, Summary};

/// One package with what `ingest` counts.
pub(crate) struct Entry {
    pub component: DeclaredComponent,
    pub license: bool,
    pub hashed: bool,
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
            "PackageName" => pkgs.push((
                None,
                Entry {
                    component: DeclaredComponent {
                        purl: None,
                        name: value.to_string(),
                        version: None,
                    },
                    license: false,
                    hashed: false,
                },
            )),
            tag => {
                let Some((id, e)) = pkgs.last_mut() else {
                    continue;
                };
                match tag {
                    "SPDXID" if id.is_none() => *id = Some(value.to_string()),
                    "PackageVersion" => e.component.version = Some(value.to_string()),
                    "PackageLicenseDeclared" | "PackageLicenseConcluded" => {
                        e.license |= real_license(value)
                    }
                    "PackageChecksum" => e.hashed = true,
                    "ExternalRef" => {
                        let f: Vec<&str> = value.split_whitespace().collect();
                        if f.len() >= 3 && f[1] == "purl" {
                            e.component.purl = Some(f[2].to_string());
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
        .map(|(_, e)| e)
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
                if name == "component" && path.iter().any(|p| p == "components") {
                    stack.push(Entry {
                        component: DeclaredComponent {
                            purl: None,
                            name: String::new(),
                            version: None,
                        },
                        license: false,
                        hashed: false,
                    });
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
                    match last.as_str() {
                        "name" => e.component.name = v,
                        "version" => e.component.version = Some(v),
                        "purl" => e.component.purl = Some(v),
                        "group" if !v.is_empty() => {
                            e.component.name = format!("{v}/{}", e.component.name)
                        }
                        "licenses" => e.license = true,
                        "hashes" => e.hashed = true,
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
            .filter(|e| e.component.purl.is_none())
            .count(),
        missing_version: entries
            .iter()
            .filter(|e| e.component.version.is_none())
            .count(),
        missing_license: entries.iter().filter(|e| !e.license).count(),
        with_hashes: entries.iter().filter(|e| e.hashed).count(),
        problems: Vec::new(),
    };
    if entries.iter().any(|e| e.component.name.is_empty()) {
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
