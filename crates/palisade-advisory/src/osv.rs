//! OSV records (<https://ossf.github.io/osv-schema/>) and the normalised [`Entry`] the
//! index stores: one per (advisory, affected package).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AdvisoryError;

/// Largest single OSV record accepted: 8 MiB.
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// An OSV record, as far as matching needs it (unknown fields are ignored).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Record {
    /// `id`.
    pub id: String,
    /// `modified`.
    pub modified: Option<String>,
    /// `published`.
    pub published: Option<String>,
    /// `withdrawn`: when set, the record no longer applies.
    pub withdrawn: Option<String>,
    /// `aliases`.
    pub aliases: Vec<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `details` (only its first line is kept, when there is no summary).
    pub details: Option<String>,
    /// `severity`.
    pub severity: Vec<SeverityItem>,
    /// `affected`.
    pub affected: Vec<Affected>,
    /// `references`.
    pub references: Vec<Reference>,
    /// `database_specific`.
    pub database_specific: Value,
}

/// `severity[]`.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq, Eq)]
#[serde(default)]
pub struct SeverityItem {
    /// `CVSS_V3`, `CVSS_V4`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector.
    pub score: String,
}

/// `references[]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Reference {
    /// `ADVISORY`, `WEB`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// URL.
    pub url: String,
}

/// `affected[]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Affected {
    /// `package`.
    pub package: Option<PackageId>,
    /// `severity` (per package, OSV 1.4+).
    pub severity: Vec<SeverityItem>,
    /// `ranges`.
    pub ranges: Vec<RangeIn>,
    /// `versions`.
    pub versions: Vec<String>,
    /// `database_specific`.
    pub database_specific: Value,
}

/// `affected[].package`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct PackageId {
    /// `ecosystem`.
    pub ecosystem: String,
    /// `name`.
    pub name: String,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct RangeIn {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `events`.
    pub events: Vec<Value>,
}

/// One range event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Event {
    /// `introduced`.
    #[serde(rename = "i")]
    Introduced(String),
    /// `fixed`.
    #[serde(rename = "f")]
    Fixed(String),
    /// `last_affected`.
    #[serde(rename = "l")]
    LastAffected(String),
}

/// A version range of an entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Range {
    /// `true` for `SEMVER` (SemVer order whatever the ecosystem), `false` for
    /// `ECOSYSTEM`.
    #[serde(rename = "s")]
    pub semver: bool,
    /// The events, as given.
    #[serde(rename = "e")]
    pub events: Vec<Event>,
}

/// RustSec's own form: requirement strings of the patched and unaffected versions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct CargoReqs {
    /// `versions.patched`.
    pub patched: Vec<String>,
    /// `versions.unaffected`.
    pub unaffected: Vec<String>,
}

/// What the index stores per (advisory, affected package).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Entry {
    /// Advisory id.
    pub id: String,
    /// Aliases (sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// OSV ecosystem (as written, e.g. `PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// Package name as written.
    pub package: String,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// CVSS vectors (v3.x, v4.0) and other severity items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityItem>,
    /// A textual severity (`database_specific.severity`: `HIGH`, `MODERATE`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_label: Option<String>,
    /// A malicious package record (OSSF `MAL-`): always a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub malicious: bool,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`): not a
    /// vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Ranges (`GIT` ranges are dropped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicit affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// RustSec requirements (native RustSec records only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo: Option<CargoReqs>,
    /// The advisory's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `modified`, to prefer the newest copy of an id seen twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(200).collect()
}

fn events(place: &str, raw: &[Value]) -> Result<Vec<Event>, AdvisoryError> {
    let mut out = Vec::new();
    for e in raw {
        let obj = e
            .as_object()
            .ok_or_else(|| AdvisoryError::format(place, "a range event is not an object"))?;
        for (k, v) in obj {
            let s = v.as_str().map(str::to_string);
            let ev = match (k.as_str(), s) {
                ("introduced", Some(s)) => Event::Introduced(s),
                ("fixed", Some(s)) => Event::Fixed(s),
                ("last_affected", Some(s)) => Event::LastAffected(s),
                ("limit", _) => continue,
                (other, _) => {
                    return Err(AdvisoryError::format(
                        place,
                        format!("unknown or malformed range event {other:?}"),
                    ));
                }
            };
            out.push(ev);
        }
    }
    Ok(out)
}

/// How one record was read.
#[derive(Debug, Default)]
pub struct Normalised {
    /// Entries (empty for a withdrawn record).
    pub entries: Vec<Entry>,
    /// The record was withdrawn.
    pub withdrawn: bool,
}

/// Parses one OSV record and normalises it into entries. `place` names it in errors.
pub fn parse_record(place: &str, bytes: &[u8]) -> Result<Normalised, AdvisoryError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(AdvisoryError::TooLarge {
            place: place.to_string(),
            limit: MAX_RECORD_BYTES as u64,
        });
    }
    let rec: Record = serde_json::from_slice(bytes).map_err(|e| AdvisoryError::format(place, e))?;
    normalise(place, rec)
}

/// Normalises a parsed record.
pub fn normalise(place: &str, rec: Record) -> Result<Normalised, AdvisoryError> {
    if rec.id.is_empty() {
        return Err(AdvisoryError::format(place, "record without an id"));
    }
    if rec.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
        return Ok(Normalised {
            entries: Vec::new(),
            withdrawn: true,
        });
    }
    let place = format!("{place} ({})", rec.id);
    let summary = rec
        .summary
        .as_deref()
        .map(first_line)
        .filter(|s| !s.is_empty())
        .or_else(|| rec.details.as_deref().map(first_line))
        .unwrap_or_default();
    let mut aliases = rec.aliases.clone();
    aliases.retain(|a| a != &rec.id);
    aliases.sort();
    aliases.dedup();
    let malicious = rec.id.starts_with("MAL-")
        || rec
            .database_specific
            .get("malicious-packages-origins")
            .is_some();
    let label = rec
        .database_specific
        .get("severity")
        .and_then(Value::as_str)
        .map(str::to_string);
    let url = rec
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or_else(|| rec.references.first())
        .map(|r| r.url.clone());
    let mut entries = Vec::new();
    for aff in &rec.affected {
        let Some(pkg) = &aff.package else { continue };
        if pkg.name.is_empty() || pkg.ecosystem.is_empty() {
            continue;
        }
        let mut ranges = Vec::new();
        for r in &aff.ranges {
            let semver = match r.kind.as_str() {
                "SEMVER" => true,
                "ECOSYSTEM" => false,
                _ => continue,
            };
            ranges.push(Range {
                semver,
                events: events(&place, &r.events)?,
            });
        }
        let informational = aff
            .database_specific
            .get("informational")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut severity = rec.severity.clone();
        severity.extend(aff.severity.iter().cloned());
        entries.push(Entry {
            id: rec.id.clone(),
            aliases: aliases.clone(),
            ecosystem: pkg.ecosystem.clone(),
            package: pkg.name.clone(),
            summary: summary.clone(),
            severity,
            severity_label: label.clone(),
            malicious,
            informational,
            ranges,
            versions: aff.versions.clone(),
            cargo: None,
            url: url.clone(),
            modified: rec.modified.clone(),
        });
    }
    Ok(Normalised {
        entries,
        withdrawn: false,
    })
}

/// The base ecosystem of an OSV ecosystem string (`Debian:12` -> `Debian`).
pub fn base_ecosystem(eco: &str) -> &str {
    eco.split(':').next().unwrap_or(eco)
}

/// The key a package name is looked up by: PyPI names are normalised (PEP 503),
/// NuGet and Packagist names are case-insensitive, others are exact.
pub fn name_key(ecosystem: &str, name: &str) -> String {
    match base_ecosystem(ecosystem) {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for ch in name.chars() {
                if matches!(ch, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(ch.to_lowercase());
                }
            }
            out
        }
        "NuGet" | "Packagist" => name.to_lowercase(),
        _ => name.to_string(),
    }
}
