//! The RustSec advisory database's native format: Markdown files whose front matter
//! is a TOML block (`[advisory]`, `[versions]`), under `crates/<name>/RUSTSEC-*.md`.

use serde::Deserialize;

use crate::AdvisoryError;
use crate::osv::{CargoReqs, Entry, Normalised, SeverityItem};

/// Largest advisory file accepted: 1 MiB.
pub const MAX_ADVISORY_BYTES: usize = 1024 * 1024;

#[derive(Deserialize)]
struct Front {
    advisory: Advisory,
    #[serde(default)]
    versions: Versions,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    package: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Parses one RustSec advisory (`.md` with a ```` ```toml ```` front matter block, or a
/// bare `.toml` advisory).
pub fn parse_advisory(place: &str, bytes: &[u8]) -> Result<Normalised, AdvisoryError> {
    if bytes.len() > MAX_ADVISORY_BYTES {
        return Err(AdvisoryError::TooLarge {
            place: place.to_string(),
            limit: MAX_ADVISORY_BYTES as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| AdvisoryError::format(place, e))?;
    let (toml_text, rest) = match text.trim_start().strip_prefix("```toml") {
        Some(after) => match after.find("\n```") {
            Some(end) => (&after[..end], &after[end + 4..]),
            None => return Err(AdvisoryError::format(place, "unterminated ```toml block")),
        },
        None => (text, ""),
    };
    let front: Front = toml::from_str(toml_text).map_err(|e| AdvisoryError::format(place, e))?;
    if front.advisory.withdrawn.is_some() {
        return Ok(Normalised {
            entries: Vec::new(),
            withdrawn: true,
        });
    }
    for req in front
        .versions
        .patched
        .iter()
        .chain(&front.versions.unaffected)
    {
        semver::VersionReq::parse(req).map_err(|e| {
            AdvisoryError::format(
                format!("{place} ({})", front.advisory.id),
                format!("version requirement {req:?}: {e}"),
            )
        })?;
    }
    let summary = rest
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().chars().take(200).collect())
        .unwrap_or_default();
    let a = front.advisory;
    let mut aliases = a.aliases;
    aliases.sort();
    aliases.dedup();
    Ok(Normalised {
        entries: vec![Entry {
            id: a.id.clone(),
            aliases,
            ecosystem: "crates.io".into(),
            package: a.package,
            summary,
            severity: a
                .cvss
                .into_iter()
                .map(|v| SeverityItem {
                    kind: if v.starts_with("CVSS:4") {
                        "CVSS_V4".into()
                    } else {
                        "CVSS_V3".into()
                    },
                    score: v,
                })
                .collect(),
            severity_label: None,
            malicious: false,
            informational: a.informational,
            ranges: Vec::new(),
            versions: Vec::new(),
            cargo: Some(CargoReqs {
                patched: front.versions.patched,
                unaffected: front.versions.unaffected,
            }),
            url: a
                .url
                .or_else(|| Some(format!("https://rustsec.org/advisories/{}.html", a.id))),
            modified: None,
        }],
        withdrawn: false,
    })
}
