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

use std::collections::BTreeSet;
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
    // Largest files first, so that a big lock does not start last and keep one thread
    // busy after the others are done.
    let mut order: Vec<(u64, usize)> = inputs
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (std::fs::metadata(p).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut parsed: Vec<(usize, Result<Lockfile, LockfileError>)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&(_, i)| (i, palisade_lockfile::parse_file(&inputs[i].0, inputs[i].1)))
        .collect();
    parsed.sort_unstable_by_key(|(i, _)| *i);
    parsed.into_iter().map(|(_, r)| r).collect()
}

/// Merges lockfiles into one SBOM. `files` pairs each lockfile with the path to record
/// (relative to the scanned root, so that output does not depend on where the tree is).
///
/// The packages are moved out of the lockfiles (they are left with none); their
/// formats, coverage, notes and skipped entries stay for the caller to report.
pub fn assemble(project: Project, files: &mut [(String, Lockfile)]) -> Sbom {
    let mut all = Vec::with_capacity(files.iter().map(|(_, l)| l.packages.len()).sum());
    for (index, (_, lock)) in files.iter_mut().enumerate() {
        let packages = std::mem::take(&mut lock.packages);
        // Direct dependencies: as the file says, or else the packages nothing in the file
        // depends on.
        let direct: Vec<bool> = if packages.iter().any(|p| p.direct.is_some()) {
            packages.iter().map(|p| p.direct == Some(true)).collect()
        } else {
            let mut sorted: Vec<&str> = packages.iter().map(|p| p.purl.as_str()).collect();
            sorted.sort_unstable();
            let mut has_parent = vec![false; sorted.len()];
            for d in packages.iter().flat_map(|p| &p.dependencies) {
                if let Ok(i) = sorted.binary_search(&d.as_str()) {
                    has_parent[i] = true;
                }
            }
            packages
                .iter()
                .map(|p| {
                    sorted
                        .binary_search(&p.purl.as_str())
                        .is_ok_and(|i| !has_parent[i])
                })
                .collect()
        };
        all.extend(
            packages
                .into_iter()
                .zip(direct)
                .map(|(p, is_direct)| (p, (index, is_direct))),
        );
    }
    let merged = palisade_lockfile::merge_tagged(all);
    // Components come out sorted by purl, so the direct ones are sorted too.
    let mut direct = Vec::new();
    let components = merged
        .into_iter()
        .map(|(package, tags)| {
            if tags.iter().any(|&(_, d)| d) {
                direct.push(package.purl.clone());
            }
            Component {
                found_in: tags.iter().map(|&(i, _)| files[i].0.clone()).collect(),
                package,
            }
        })
        .collect();
    Sbom {
        project,
        components,
        direct,
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
    let mut out = Vec::new();
    // Writing to a Vec does not fail.
    let _ = write_to(sbom, format, created, &mut out);
    out
}

/// Renders the SBOM into `out`: the bytes of [`write`]. CycloneDX is streamed (written
/// while it is rendered, never held whole); the SPDX formats are rendered, then written.
pub fn write_to<W: std::io::Write + Send + ?Sized>(
    sbom: &Sbom,
    format: SbomFormat,
    created: &str,
    out: &mut W,
) -> std::io::Result<()> {
    match format {
        SbomFormat::CycloneDxJson => cyclonedx::render_to(sbom, created, out),
        SbomFormat::SpdxJson => out.write_all(&spdx::render(sbom, created)),
        SbomFormat::Spdx3Json => out.write_all(&spdx3::render(sbom, created)),
    }
}

/// SHA-256 of bytes, as a version-5-shaped UUID (the serial number must match the
/// CycloneDX UUID pattern).
pub(crate) fn content_uuid(bytes: &[u8]) -> String {
    // aws-lc's SHA-256 (assembly, SHA-NI where the CPU has it): the whole document is
    // hashed, and the portable implementation cost an eighth of `sbom generate`.
    uuid_of_digest(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// A SHA-256 digest as a version-5-shaped UUID.
fn uuid_of_digest(h: &[u8]) -> String {
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

/// serde_json's pretty layout (two-space indent) for a value that sits `level` levels
/// deep in a larger document, so that pieces rendered apart (and in parallel) join into
/// exactly the bytes `serde_json::to_writer_pretty` would give for the whole.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn newline(&self, w: &mut (impl std::io::Write + ?Sized), comma: bool) -> std::io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        indent(w, self.level)
    }
}

fn indent(w: &mut (impl std::io::Write + ?Sized), level: usize) -> std::io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    let mut n = 2 * level;
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Appends `v` as pretty JSON laid out for `level` levels of nesting.
pub(crate) fn pretty_at<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T, level: usize) {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        Nested {
            level,
            has_value: false,
        },
    );
    // Writing to a Vec does not fail, and our records serialise without errors.
    let _ = v.serialize(&mut ser);
}

/// Output on its way to a writer, hashed (SHA-256) as it goes: the content-derived
/// serial of a document whose serial comes last is known once the rest is written.
pub(crate) struct HashingSink<'w, W: std::io::Write + Send + ?Sized> {
    out: &'w mut W,
    hash: aws_lc_rs::digest::Context,
}

impl<'w, W: std::io::Write + Send + ?Sized> HashingSink<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> Self {
        HashingSink {
            out,
            hash: aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        }
    }

    /// Hashes and writes.
    pub(crate) fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.out.write_all(bytes)
    }

    /// Hashes without writing (bytes that stand in for what is written later).
    pub(crate) fn hash_only(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// The UUID of everything hashed so far ([`content_uuid`]'s form); the sink goes on
    /// as a plain writer.
    pub(crate) fn uuid(&mut self) -> String {
        let done = std::mem::replace(
            &mut self.hash,
            aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        );
        uuid_of_digest(done.finish().as_ref())
    }

    /// Writes without hashing (what comes after the serial).
    pub(crate) fn write_plain(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }
}

/// A JSON array at `level` (the level of the key that holds it) whose items are written
/// by `item(out, element, level)` (with [`pretty_at`]): the bytes `pretty_at` would give
/// for the whole array, streamed to `sink`. Items are rendered in parallel in chunks, a
/// batch at a time, and each batch is hashed and written while the next one renders.
pub(crate) fn stream_array_at<E: Sync, W: std::io::Write + Send + ?Sized>(
    sink: &mut HashingSink<'_, W>,
    items: &[E],
    level: usize,
    item: impl Fn(&mut Vec<u8>, &E, usize) + Sync,
) -> std::io::Result<()> {
    if items.is_empty() {
        return sink.put(b"[]");
    }
    const CHUNK: usize = 128;
    const BATCH: usize = 16 * CHUNK;
    let render = |batch: &[E]| -> Vec<Vec<u8>> {
        batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 768);
                for e in chunk {
                    buf.extend_from_slice(b",\n");
                    let _ = indent(&mut buf, level + 1);
                    item(&mut buf, e, level + 1);
                }
                buf
            })
            .collect()
    };
    let mut batches = items.chunks(BATCH);
    let mut pending = batches.next().map(render).unwrap_or_default();
    sink.put(b"[")?;
    let mut first = true;
    loop {
        let next = batches.next();
        let (written, rendered) = rayon::join(
            || -> std::io::Result<()> {
                for piece in &pending {
                    // Every item starts with ",\n"; the very first one takes only "\n".
                    sink.put(if first { &piece[1..] } else { piece })?;
                    first = false;
                }
                Ok(())
            },
            || next.map(render),
        );
        written?;
        match rendered {
            Some(r) => pending = r,
            None => break,
        }
    }
    let mut close = b"\n".to_vec();
    let _ = indent(&mut close, level);
    close.push(b']');
    sink.put(&close)
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
