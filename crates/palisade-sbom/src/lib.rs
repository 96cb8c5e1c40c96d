//! Deterministic SBOMs from what lockfiles resolve to.
//!
//! [`discover`] finds conventional lockfile and manifest names under a directory
//! (honouring `.gitignore`), [`load`] reads them in parallel with `palisade-lockfile`,
//! [`assemble`] merges them into one [`Sbom`] whose root component is the project, and
//! [`write`] renders CycloneDX 1.6 JSON, SPDX 2.3 JSON or SPDX 3.0.1 JSON-LD.
//!
//! Output is deterministic: the same input gives byte-identical bytes. Components and
//! edges are sorted; the CycloneDX serial number and the SPDX document namespace are
//! derived from a SHA-256 of the document's content; the creation time is taken from
//! `SOURCE_DATE_EPOCH` when set and is otherwise the Unix epoch (1970-01-01T00:00:00Z),
//! so that the output depends on nothing but the input.
//!
//! [`read_components`], [`summarize`], [`diff`] and [`check`] read SBOMs back (CycloneDX
//! JSON/XML, SPDX 2 JSON/tag-value, SPDX 3 JSON-LD) and compare them by package URL.
//!
//! [`validate`] checks a supplier's SBOM against its specification: CycloneDX 1.4-1.6
//! and SPDX 2.2/2.3 JSON against the official JSON schemas (embedded: no network),
//! CycloneDX XML and SPDX tag-value against their mandatory structure.
//!
//! This crate is **not** for reading lockfiles (see `palisade-lockfile`) or for signing
//! SBOMs (see `palisade-attest`); it does no printing and no network.

mod cyclonedx;
mod read;
mod spdx;
mod spdx3;
mod textual;
mod validate;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use palisade_lockfile::{Format, Lockfile, LockfileError, Package};
use rayon::prelude::*;
pub use read::{
    ComponentDetails, DeclaredComponent, Diff, Mismatch, ReadError, Summary, check, diff,
    read_components, read_details, summarize,
};
pub use validate::{MAX_VIOLATIONS, Validation, Violation, validate};

/// The components of an assembled SBOM, as [`read_components`] would return them.
pub fn declared(sbom: &Sbom) -> Vec<DeclaredComponent> {
    sbom.components
        .iter()
        .map(|c| DeclaredComponent {
            purl: Some(c.package.purl.clone()),
            name: c.package.name.clone(),
            version: c.package.version.clone(),
        })
        .collect()
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    /// CycloneDX 1.6, JSON.
    CycloneDxJson,
    /// SPDX 2.3, JSON.
    SpdxJson,
    /// SPDX 3.0.1, JSON-LD.
    Spdx3Json,
}

impl std::str::FromStr for SbomFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cyclonedx-json" | "cyclonedx" | "cdx" => Ok(SbomFormat::CycloneDxJson),
            "spdx-json" | "spdx" => Ok(SbomFormat::SpdxJson),
            "spdx3-json" | "spdx3" => Ok(SbomFormat::Spdx3Json),
            other => Err(format!(
                "unknown SBOM format {other:?}; known: cyclonedx-json, spdx-json, spdx3-json"
            )),
        }
    }
}

/// Why an SBOM could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// Walking the directory failed.
    #[error("{path}: {message}")]
    Walk {
        /// Where.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `SOURCE_DATE_EPOCH` is not a non-negative integer.
    #[error("SOURCE_DATE_EPOCH={0:?} is not a number of seconds since 1970")]
    BadEpoch(String),
}

/// One component of the SBOM (a distinct package URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The merged package.
    pub package: Package,
    /// Lockfiles it was found in (paths relative to the scanned root).
    pub found_in: BTreeSet<String>,
}

/// The project the SBOM describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Name.
    pub name: String,
    /// Version, if known.
    pub version: Option<String>,
}

/// A bill of materials, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    /// The root component.
    pub project: Project,
    /// Components sorted by package URL.
    pub components: Vec<Component>,
    /// Package URLs the project depends on directly (sorted).
    pub direct: Vec<String>,
}

/// Lockfiles and manifests under `root` whose names say what they are (conventional
/// names, or names ending in one such as `web.pnpm-lock.yaml`), honouring
/// `.gitignore` (also outside a git repository), skipping hidden files, `node_modules`
/// and `.git`. Sorted.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, SbomError> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(|e| e.file_name() != "node_modules")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| SbomError::Walk {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        if entry.file_type().is_some_and(|t| t.is_file())
            && palisade_lockfile::detect_by_name(entry.path()).is_some()
        {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

/// Reads lockfiles in parallel, each with its format (`None`: detect); results in the
/// order of `inputs`.
pub fn load(inputs: &[(PathBuf, Option<Format>)]) -> Vec<Result<Lockfile, LockfileError>> {
    inputs
        .par_iter()
        .map(|(p, f)| palisade_lockfile::parse_file(p, *f))
        .collect()
}

/// Merges lockfiles into one SBOM. `files` pairs each lockfile with the path to record
/// (relative to the scanned root, so that output does not depend on where the tree is).
pub fn assemble(project: Project, files: &[(String, Lockfile)]) -> Sbom {
    // Hash maps of borrowed purls for the lookups (a large lock has tens of thousands).
    let mut found: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut direct: BTreeSet<&str> = BTreeSet::new();
    let mut all = Vec::with_capacity(files.iter().map(|(_, l)| l.packages.len()).sum());
    for (shown, lock) in files {
        let any_direct_info = lock.packages.iter().any(|p| p.direct.is_some());
        let mut has_parent: HashSet<&str> = HashSet::new();
        if !any_direct_info {
            for p in &lock.packages {
                for d in &p.dependencies {
                    has_parent.insert(d);
                }
            }
        }
        for p in &lock.packages {
            found
                .entry(p.purl.as_str())
                .or_default()
                .insert(shown.clone());
            let is_direct = if any_direct_info {
                p.direct == Some(true)
            } else {
                !has_parent.contains(p.purl.as_str())
            };
            if is_direct {
                direct.insert(&p.purl);
            }
            all.push(p.clone());
        }
    }
    let components = palisade_lockfile::merge_packages(all)
        .into_iter()
        .map(|package| Component {
            found_in: found.remove(package.purl.as_str()).unwrap_or_default(),
            package,
        })
        .collect();
    Sbom {
        project,
        components,
        direct: direct.into_iter().map(str::to_string).collect(),
    }
}

/// Creation time: `SOURCE_DATE_EPOCH` when set, else the Unix epoch. RFC 3339, UTC.
pub fn creation_time() -> Result<String, SbomError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => {
            let secs: u64 = v
                .trim()
                .parse()
                .map_err(|_| SbomError::BadEpoch(v.clone()))?;
            Ok(rfc3339(secs))
        }
        Err(_) => Ok(rfc3339(0)),
    }
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ` (see [`palisade_io::rfc3339`]).
pub fn rfc3339(secs: u64) -> String {
    palisade_io::rfc3339(secs)
}

/// Renders the SBOM. `created` is an RFC 3339 time (see [`creation_time`]).
pub fn write(sbom: &Sbom, format: SbomFormat, created: &str) -> Vec<u8> {
    match format {
        SbomFormat::CycloneDxJson => cyclonedx::render(sbom, created),
        SbomFormat::SpdxJson => spdx::render(sbom, created),
        SbomFormat::Spdx3Json => spdx3::render(sbom, created),
    }
}

/// SHA-256 of bytes, as a version-5-shaped UUID (the serial number must match the
/// CycloneDX UUID pattern).
pub(crate) fn content_uuid(bytes: &[u8]) -> String {
    // aws-lc's SHA-256 (assembly, SHA-NI where the CPU has it): the whole document is
    // hashed, and the portable implementation cost an eighth of `sbom generate`.
    let h = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let h = h.as_ref();
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Replaces the first occurrence of `from` (a placeholder string value) in JSON bytes.
pub(crate) fn replace_once(mut bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let quoted = format!("\"{from}\"");
    match memchr::memmem::find(&bytes, quoted.as_bytes()) {
        Some(i) if from.len() == to.len() => {
            // Same length (the CycloneDX serial): in place, no copy of the document.
            bytes[i + 1..i + 1 + to.len()].copy_from_slice(to.as_bytes());
            bytes
        }
        Some(i) => {
            let mut out = Vec::with_capacity(bytes.len() + to.len());
            out.extend_from_slice(&bytes[..i]);
            out.extend_from_slice(format!("\"{to}\"").as_bytes());
            out.extend_from_slice(&bytes[i + quoted.len()..]);
            out
        }
        None => bytes,
    }
}

/// Pretty JSON with a final newline; keys are sorted (serde_json's default map).
pub(crate) fn to_bytes(v: &serde_json::Value) -> Vec<u8> {
    to_bytes_sized(v, 0)
}

/// Pretty JSON of any serialisable value with a final newline, into a buffer of
/// `capacity` bytes to start with.
pub(crate) fn to_bytes_sized<T: serde::Serialize>(v: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    if serde_json::to_writer_pretty(&mut out, v).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}

/// Licences as one SPDX expression when every stated licence parses as one.
pub(crate) fn spdx_expression(licenses: &[String]) -> Option<String> {
    if licenses.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for l in licenses {
        // Deprecated or sloppy spellings (`LGPL-2.1+`, `GPL-2.0`, `MIT/Apache-2.0`) in
        // their canonical SPDX form rather than lost.
        let e = ::spdx::Expression::parse(l).ok().or_else(|| {
            let canonical = ::spdx::Expression::canonicalize(l).ok()??;
            ::spdx::Expression::parse(&canonical).ok()
        })?;
        parts.push(e.to_string());
    }
    Some(if parts.len() == 1 {
        parts.remove(0)
    } else {
        parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    })
}

/// The project name as it appears in SPDX document namespaces: ASCII letters, digits,
/// `.` and `-`; anything else becomes `-`.
pub(crate) fn namespace_slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_values() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn uuid_shape() {
        let u = content_uuid(b"x");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
    }
}
