//! What does this lockfile resolve to?
//!
//! One reader per ecosystem turns a lockfile or manifest (npm, yarn, pnpm, bun, pip
//! requirements, Pipfile.lock, poetry, uv, pdm, pylock, Cargo, Go, Bundler, Composer,
//! Gradle, Maven, NuGet, Mix, pub, SwiftPM, CocoaPods, Conan, renv, Deno) into a flat list
//! of [`Package`]s: name, version, package URL, hashes the file records, source URL, scope,
//! licence when stated, directness and dependency edges when the format records them.
//!
//! Nothing is dropped silently: every entry of a file ends up as a package, as a
//! [`Skipped`] entry with a reason, or the whole file is rejected with a [`LockfileError`]
//! naming the file and the line. [`Lockfile::coverage`] counts them.
//!
//! Input is untrusted: files are read with a size limit, nesting is bounded, and no reader
//! panics on malformed data.
//!
//! This crate is **not** for fetching anything (no network, no registry look-ups), for
//! resolving version ranges, nor for writing SBOMs (see `palisade-sbom`).

mod bunb;
mod dart;
mod deno;
mod dotnet;
mod elixir;
mod fastyaml;
mod golang;
mod java;
mod js;
mod native;
mod php;
mod python;
mod ruby;
mod rust;
mod swift;
mod util;

use std::fmt;
use std::path::{Path, PathBuf};

pub use util::purl_for;

/// Largest lockfile accepted: 64 MiB.
pub const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// A package ecosystem (decides the package URL type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// npm registry (npm, yarn, pnpm, bun, deno's npm: packages).
    Npm,
    /// JSR (deno's jsr: packages).
    Jsr,
    /// Python Package Index.
    PyPi,
    /// crates.io and Cargo git/path sources.
    Cargo,
    /// Go modules.
    Go,
    /// RubyGems.
    RubyGems,
    /// Packagist (Composer).
    Packagist,
    /// Maven (also Gradle).
    Maven,
    /// NuGet.
    NuGet,
    /// Hex (Elixir/Erlang).
    Hex,
    /// pub.dev (Dart/Flutter).
    Pub,
    /// Swift Package Manager.
    Swift,
    /// CocoaPods.
    CocoaPods,
    /// Conan (C/C++).
    Conan,
    /// CRAN (R).
    Cran,
    /// Bioconductor (R).
    Bioconductor,
    /// A GitHub repository (e.g. renv GitHub sources).
    GitHub,
}

impl Ecosystem {
    /// The package URL type.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Jsr => "generic",
            Ecosystem::PyPi => "pypi",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Hex => "hex",
            Ecosystem::Pub => "pub",
            Ecosystem::Swift => "swift",
            Ecosystem::CocoaPods => "cocoapods",
            Ecosystem::Conan => "conan",
            Ecosystem::Cran => "cran",
            Ecosystem::Bioconductor => "bioconductor",
            Ecosystem::GitHub => "github",
        }
    }

    /// Human name, as used in OSV.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Jsr => "JSR",
            Ecosystem::PyPi => "PyPI",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Hex => "Hex",
            Ecosystem::Pub => "Pub",
            Ecosystem::Swift => "SwiftURL",
            Ecosystem::CocoaPods => "CocoaPods",
            Ecosystem::Conan => "ConanCenter",
            Ecosystem::Cran => "CRAN",
            Ecosystem::Bioconductor => "Bioconductor",
            Ecosystem::GitHub => "GitHub",
        }
    }
}

/// Whether a package is needed at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Scope {
    /// Needed to run (or the file does not say).
    #[default]
    Required,
    /// Optional (installed when possible, or behind a feature/extra).
    Optional,
    /// Only for development, tests or builds.
    Dev,
}

impl Scope {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "dev",
        }
    }

    /// When the same package appears in several scopes, the strongest wins.
    pub fn strongest(self, other: Scope) -> Scope {
        self.min(other)
    }
}

/// A digest the lockfile records for a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash {
    /// Algorithm, lower case: `md5`, `sha1`, `sha256`, `sha384`, `sha512`, or a
    /// format-specific name such as `go-h1` (Go's dirhash) or `conan-rrev`.
    pub alg: String,
    /// The digest: lower-case hex for the standard algorithms, as recorded otherwise.
    pub value: String,
}

/// One resolved package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Package name as the ecosystem spells it (`@scope/name`, `group:artifact`, module path).
    pub name: String,
    /// Resolved version (or commit), if the file pins one.
    pub version: Option<String>,
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Package URL (identity of the package; also used for dependency edges).
    pub purl: String,
    /// Digests recorded in the file, sorted.
    pub hashes: Vec<Hash>,
    /// Where it comes from: tarball, registry, VCS or path URL.
    pub source: Option<String>,
    /// Scope.
    pub scope: Scope,
    /// Licences as stated (SPDX expressions or free text), sorted.
    pub licenses: Vec<String>,
    /// Direct dependency of the project (`Some(true)`), transitive (`Some(false)`), unknown (`None`).
    pub direct: Option<bool>,
    /// Package URLs of the packages this one depends on (sorted, only those in the file).
    pub dependencies: Vec<String>,
    /// Line of the entry in the file (1-based), when known.
    pub line: Option<usize>,
}

/// An entry that was read but is not reported as a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// Line (1-based), when known.
    pub line: Option<usize>,
    /// The entry, as the file names it.
    pub entry: String,
    /// Why it is not a package.
    pub reason: String,
}

/// How much of a file was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Entries read (packages before merging duplicates, plus skipped entries).
    pub entries: usize,
    /// Entries that became packages.
    pub parsed: usize,
    /// Entries skipped with a reason.
    pub skipped: usize,
    /// Distinct packages after merging entries with the same package URL.
    pub packages: usize,
}

/// What a lockfile resolves to.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// The project's own name and version when the file states them.
    pub project: Option<(String, Option<String>)>,
    /// Distinct packages, sorted by package URL.
    pub packages: Vec<Package>,
    /// Entries not reported as packages, with reasons.
    pub skipped: Vec<Skipped>,
    /// Remarks about the whole file (e.g. directness unknown: no package.json beside it).
    pub notes: Vec<String>,
    /// Counts.
    pub coverage: Coverage,
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LockfileError {
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] palisade_io::IoError),
    /// The file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The format could not be recognised from the name or content.
    #[error("{}: not a recognised lockfile or manifest (use --type to say which)", path.display())]
    Unrecognised {
        /// The file.
        path: PathBuf,
    },
    /// A recognised format this crate cannot read.
    #[error("{}:1: {message}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What to do instead.
        message: String,
    },
}

macro_rules! formats {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A lockfile or manifest format.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Format {
            $(#[doc = $doc] $variant,)*
        }
        impl Format {
            /// All formats.
            pub const ALL: &'static [Format] = &[$(Format::$variant,)*];
            /// The name used on the command line (`--type`).
            pub fn name(self) -> &'static str {
                match self { $(Format::$variant => $name,)* }
            }
        }
    };
}

formats! {
    NpmLock => "npm", "npm package-lock.json / npm-shrinkwrap.json (v1-v3)";
    YarnLock => "yarn", "yarn.lock (classic v1 and berry)";
    PnpmLock => "pnpm", "pnpm-lock.yaml (v5-v9, multi-document)";
    BunLock => "bun", "bun.lock (JSONC text lock)";
    BunLockb => "bun-binary", "bun.lockb (legacy binary lock, bun-lockfile-format-v0)";
    Requirements => "requirements", "pip requirements*.txt";
    PipfileLock => "pipfile", "Pipfile.lock";
    PoetryLock => "poetry", "poetry.lock";
    UvLock => "uv", "uv.lock";
    PdmLock => "pdm", "pdm.lock";
    PyLock => "pylock", "pylock.toml (PEP 751)";
    CargoLock => "cargo", "Cargo.lock (v1-v4)";
    GoMod => "gomod", "go.mod";
    GoSum => "gosum", "go.sum";
    GemfileLock => "gemfile", "Gemfile.lock";
    ComposerLock => "composer", "composer.lock";
    GradleLock => "gradle", "gradle.lockfile";
    MavenPom => "maven", "Maven pom.xml (declared dependencies)";
    NuGetLock => "nuget", "NuGet packages.lock.json";
    MixLock => "mix", "mix.lock";
    PubspecLock => "pubspec", "pubspec.lock";
    PackageResolved => "swift", "SwiftPM Package.resolved (v1-v3)";
    PodfileLock => "cocoapods", "CocoaPods Podfile.lock";
    ConanLock => "conan", "conan.lock (0.2-0.5)";
    RenvLock => "renv", "renv.lock";
    DenoLock => "deno", "deno.lock";
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown lockfile type {s:?}; known: {}", names.join(", "))
            })
    }
}

/// Recognises a conventional lockfile/manifest name (exact name, as found in a project
/// tree). Used for discovery; `<origin>-<name>` fixtures are recognised by [`detect`].
pub fn format_for_conventional_name(file_name: &str) -> Option<Format> {
    let n = file_name.to_ascii_lowercase();
    Some(match n.as_str() {
        "package-lock.json" | "npm-shrinkwrap.json" => Format::NpmLock,
        "yarn.lock" => Format::YarnLock,
        "pnpm-lock.yaml" => Format::PnpmLock,
        "bun.lock" => Format::BunLock,
        "bun.lockb" => Format::BunLockb,
        "pipfile.lock" => Format::PipfileLock,
        "poetry.lock" => Format::PoetryLock,
        "uv.lock" => Format::UvLock,
        "pdm.lock" => Format::PdmLock,
        "pylock.toml" => Format::PyLock,
        "cargo.lock" => Format::CargoLock,
        "go.mod" => Format::GoMod,
        "go.sum" => Format::GoSum,
        "gemfile.lock" | "gems.locked" => Format::GemfileLock,
        "composer.lock" => Format::ComposerLock,
        "gradle.lockfile" => Format::GradleLock,
        "pom.xml" => Format::MavenPom,
        "packages.lock.json" => Format::NuGetLock,
        "mix.lock" => Format::MixLock,
        "pubspec.lock" => Format::PubspecLock,
        "package.resolved" => Format::PackageResolved,
        "podfile.lock" => Format::PodfileLock,
        "conan.lock" => Format::ConanLock,
        "renv.lock" => Format::RenvLock,
        "deno.lock" => Format::DenoLock,
        _ => {
            if n.starts_with("pylock.") && n.ends_with(".toml") {
                Format::PyLock
            } else if n.ends_with(".txt") && n.contains("requirements") {
                Format::Requirements
            } else {
                return None;
            }
        }
    })
}

/// Detects the format of a file from its name (also `<origin>-<name>` fixtures such as
/// `trivy-yarn_happy.lock`), falling back to its content.
pub fn detect(path: &Path, content: &[u8]) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    detect_by_name(path).or_else(|| detect_content(&name, content))
}

/// Detects the format from the file name alone: conventional names and names ending
/// in one (`<origin>-<name>` fixtures such as `scalibr-alias.v1.package-lock.json`).
pub fn detect_by_name(path: &Path) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(f) = format_for_conventional_name(&name) {
        return Some(f);
    }
    const SUFFIXES: &[(&str, Format)] = &[
        ("package-lock.json", Format::NpmLock),
        ("npm-shrinkwrap.json", Format::NpmLock),
        ("yarn.lock", Format::YarnLock),
        ("pnpm-lock.yaml", Format::PnpmLock),
        ("bun.lockb", Format::BunLockb),
        ("bun.lock", Format::BunLock),
        ("pipfile.lock", Format::PipfileLock),
        ("poetry.lock", Format::PoetryLock),
        ("uv.lock", Format::UvLock),
        ("pdm.lock", Format::PdmLock),
        ("pylock.toml", Format::PyLock),
        ("cargo.lock", Format::CargoLock),
        (".go.mod", Format::GoMod),
        (".go.sum", Format::GoSum),
        ("gemfile.lock", Format::GemfileLock),
        ("composer.lock", Format::ComposerLock),
        ("gradle.lockfile", Format::GradleLock),
        ("pom.xml", Format::MavenPom),
        ("packages.lock.json", Format::NuGetLock),
        ("mix.lock", Format::MixLock),
        ("pubspec.lock", Format::PubspecLock),
        ("package.resolved", Format::PackageResolved),
        ("podfile.lock", Format::PodfileLock),
        ("conan.lock", Format::ConanLock),
        ("renv.lock", Format::RenvLock),
        ("deno.lock", Format::DenoLock),
    ];
    for (suffix, f) in SUFFIXES {
        if name.ends_with(suffix) {
            return Some(*f);
        }
    }
    if name.ends_with(".txt") && name.contains("requirements") {
        return Some(Format::Requirements);
    }
    None
}

fn detect_content(name: &str, content: &[u8]) -> Option<Format> {
    if content.starts_with(b"#!/usr/bin/env bun") || (content.contains(&0) && name.contains("bun"))
    {
        return Some(Format::BunLockb);
    }
    if content.starts_with(&[0xff, 0xfe]) || content.starts_with(&[0xfe, 0xff]) {
        return Some(Format::Requirements);
    }
    let text = String::from_utf8_lossy(&content[..content.len().min(64 * 1024)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let has = |s: &str| t.contains(s);
    if t.starts_with('{') {
        return Some(if has("\"pipfile-spec\"") {
            Format::PipfileLock
        } else if has("\"content-hash\"") && has("\"packages\"") {
            Format::ComposerLock
        } else if has("\"graph_lock\"") || has("\"build_requires\"") {
            Format::ConanLock
        } else if has("\"Packages\"") && has("\"R\"") {
            Format::RenvLock
        } else if has("\"pins\"") {
            Format::PackageResolved
        } else if has("\"lockfileVersion\"") && has("\"workspaces\"") && !has("\"node_modules/") {
            Format::BunLock
        } else if has("\"lockfileVersion\"") {
            Format::NpmLock
        } else if has("\"specifiers\"") || has("\"jsr\"") {
            Format::DenoLock
        } else if has("\"resolved\"") && has("\"type\"") {
            Format::NuGetLock
        } else {
            return None;
        });
    }
    if t.starts_with("%{") {
        return Some(Format::MixLock);
    }
    if t.starts_with("<?xml") || t.starts_with("<project") {
        return Some(Format::MavenPom);
    }
    if has("# yarn lockfile v1") || has("__metadata:") {
        return Some(Format::YarnLock);
    }
    if t.starts_with("lockfileVersion:") || has("\nlockfileVersion:") {
        return Some(Format::PnpmLock);
    }
    if t.starts_with("PODS:") {
        return Some(Format::PodfileLock);
    }
    if has("\nsdks:") && has("packages:") {
        return Some(Format::PubspecLock);
    }
    if has("\nBUNDLED WITH")
        || t.starts_with("GEM\n")
        || t.starts_with("GIT\n")
        || t.starts_with("PATH\n")
    {
        return Some(Format::GemfileLock);
    }
    if has("[[packages]]") && has("lock-version") {
        return Some(Format::PyLock);
    }
    if has("[[package]]") {
        return Some(if has("lock_version") {
            Format::PdmLock
        } else if has("python-versions") || has("[metadata.files]") || has("@generated by Poetry") {
            Format::PoetryLock
        } else if has("requires-python") {
            Format::UvLock
        } else {
            Format::CargoLock
        });
    }
    if t.starts_with("module ") || has("\nmodule ") || has("\nrequire ") || t.starts_with("require")
    {
        return Some(Format::GoMod);
    }
    if has(" h1:") {
        return Some(Format::GoSum);
    }
    if has("# This is a Gradle generated file") || name.ends_with(".lockfile") {
        return Some(Format::GradleLock);
    }
    if name.ends_with(".txt") {
        return Some(Format::Requirements);
    }
    None
}

/// Reads and parses a file, detecting its format unless `format` is given.
pub fn parse_file(path: &Path, format: Option<Format>) -> Result<Lockfile, LockfileError> {
    let bytes = palisade_io::read_limited(path, MAX_LOCKFILE_BYTES)?;
    let format = match format.or_else(|| detect(path, &bytes)) {
        Some(f) => f,
        None => {
            return Err(LockfileError::Unrecognised {
                path: path.to_path_buf(),
            });
        }
    };
    parse_bytes(path, &bytes, format)
}

/// Parses bytes already read. `path` is used in messages and to follow relative
/// includes (`-r` in requirements files).
pub fn parse_bytes(path: &Path, bytes: &[u8], format: Format) -> Result<Lockfile, LockfileError> {
    if format == Format::BunLockb {
        let mut cx = util::Cx::new(path, "");
        bunb::parse(&mut cx, bytes)?;
        return Ok(cx.finish(format));
    }
    let text = util::decode_text(path, bytes)?;
    if let Some(i) = text
        .lines()
        .position(|l| l.starts_with("<<<<<<< ") || l == "<<<<<<<")
    {
        return Err(LockfileError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message: "unresolved git merge conflict markers (resolve the conflict, or let the \
                      package manager regenerate the lockfile)"
                .into(),
        });
    }
    let mut cx = util::Cx::new(path, &text);
    match format {
        Format::NpmLock => js::npm(&mut cx)?,
        Format::YarnLock => js::yarn(&mut cx)?,
        Format::PnpmLock => js::pnpm(&mut cx)?,
        Format::BunLock => js::bun(&mut cx)?,
        Format::BunLockb => {}
        Format::Requirements => python::requirements(&mut cx)?,
        Format::PipfileLock => python::pipfile(&mut cx)?,
        Format::PoetryLock => python::poetry(&mut cx)?,
        Format::UvLock => python::uv(&mut cx)?,
        Format::PdmLock => python::pdm(&mut cx)?,
        Format::PyLock => python::pylock(&mut cx)?,
        Format::CargoLock => rust::cargo_lock(&mut cx)?,
        Format::GoMod => golang::go_mod(&mut cx)?,
        Format::GoSum => golang::go_sum(&mut cx)?,
        Format::GemfileLock => ruby::gemfile_lock(&mut cx)?,
        Format::ComposerLock => php::composer_lock(&mut cx)?,
        Format::GradleLock => java::gradle_lock(&mut cx)?,
        Format::MavenPom => java::pom(&mut cx)?,
        Format::NuGetLock => dotnet::packages_lock(&mut cx)?,
        Format::MixLock => elixir::mix_lock(&mut cx)?,
        Format::PubspecLock => dart::pubspec_lock(&mut cx)?,
        Format::PackageResolved => swift::package_resolved(&mut cx)?,
        Format::PodfileLock => swift::podfile_lock(&mut cx)?,
        Format::ConanLock => native::conan_lock(&mut cx)?,
        Format::RenvLock => native::renv_lock(&mut cx)?,
        Format::DenoLock => deno::deno_lock(&mut cx)?,
    }
    Ok(cx.finish(format))
}

/// For the differential fuzz target and tests: where the fast reader for pnpm's YAML
/// style and serde_saphyr read `text` differently (`None` when they agree).
#[doc(hidden)]
pub fn pnpm_fast_path_disagreement(text: &str) -> Option<String> {
    js::pnpm_fast_path_disagreement(text)
}

/// Merges packages with the same package URL: strongest scope, union of hashes,
/// licences and edges; keeps the first source and line.
pub fn merge_packages(packages: impl IntoIterator<Item = Package>) -> Vec<Package> {
    merge_tagged(packages.into_iter().map(|p| (p, ())).collect())
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

/// [`merge_packages`] for packages that carry a tag (such as the file they were read
/// from): each merged package comes with the tags of the entries merged into it, in the
/// order given.
pub fn merge_tagged<T: Sync>(packages: Vec<(Package, T)>) -> Vec<(Package, Vec<T>)> {
    // A stable sort of indices by purl (runs already in order, such as the sorted packages
    // of several lockfiles one after another, are merged cheaply), then one pass over
    // runs of equal purls: entries keep their order within a run, so "first" is the first
    // given. Packages are moved once, not shuffled by the sort.
    let mut order: Vec<usize> = (0..packages.len()).collect();
    let by_purl = |&a: &usize, &b: &usize| packages[a].0.purl.cmp(&packages[b].0.purl);
    if order.len() >= 8192 {
        // The merge of a whole project's lockfiles: a parallel (also stable) sort.
        use rayon::slice::ParallelSliceMut as _;
        order.par_sort_by(by_purl);
    } else {
        order.sort_by(by_purl);
    }
    let mut slots: Vec<Option<(Package, T)>> = packages.into_iter().map(Some).collect();
    let mut out: Vec<(Package, Vec<T>)> = Vec::with_capacity(slots.len());
    for i in order {
        let Some((p, tag)) = slots[i].take() else {
            continue;
        };
        match out.last_mut() {
            Some((q, tags)) if q.purl == p.purl => {
                tags.push(tag);
                q.scope = q.scope.strongest(p.scope);
                q.hashes.extend(p.hashes);
                q.licenses.extend(p.licenses);
                q.dependencies.extend(p.dependencies);
                q.direct = match (q.direct, p.direct) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    _ => None,
                };
                if q.source.is_none() {
                    q.source = p.source;
                }
                if q.line.is_none() {
                    q.line = p.line;
                }
            }
            _ => out.push((p, vec![tag])),
        }
    }
    for (p, _) in &mut out {
        p.hashes.sort();
        p.hashes.dedup();
        p.licenses.sort();
        p.licenses.dedup();
        p.dependencies.sort();
        p.dependencies.dedup();
        let own = &p.purl;
        p.dependencies.retain(|d| d != own);
    }
    out
}
