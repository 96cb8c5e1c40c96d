//! Version ordering per package ecosystem, as each ecosystem's own tools order versions.
//!
//! Vulnerability ranges (OSV `ECOSYSTEM` and `SEMVER` ranges) are only as good as the
//! comparison behind them: `1.0.0rc1 < 1.0.0` in PyPI, `1.0-SNAPSHOT < 1.0` in Maven,
//! `1.2.3-1~deb7u1 < 1.2.3-1` in Debian. [`parse`] reads a version under the rules of one
//! [`Scheme`] and gives a [`Version`] whose `Ord` is that ecosystem's order. Versions of
//! two different schemes never compare meaningfully: callers compare within one scheme.
//!
//! Parsing is total for the lenient schemes (Maven, RubyGems, Debian, Packagist, PyPI's
//! legacy versions) and strict where the ecosystem is strict (SemVer), so an unparsable
//! version is reported, never silently matched. Inputs longer than [`MAX_VERSION_LEN`]
//! are refused.

use std::cmp::Ordering;

mod alpine;
mod debian;
mod maven;
mod nuget;
mod num;
mod other;
mod packagist;
mod pep440;
mod rubygems;
mod semver;

/// Longest version string accepted.
pub const MAX_VERSION_LEN: usize = 256;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0 (npm, crates.io, Go, Hex; OSV `SEMVER` ranges). A leading
    /// `v` is accepted; build metadata (Go's `+incompatible`) is ignored.
    SemVer,
    /// Dart's pub: SemVer, but build metadata orders too.
    Pub,
    /// PEP 440 (PyPI), with pre-PEP-440 "legacy" versions ordered before all others.
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// NuGet (SemVer with four numbers, case-insensitive pre-release labels).
    NuGet,
    /// Packagist/Composer (PHP `version_compare` rules).
    Packagist,
    /// Debian's dpkg (epoch, upstream, revision, `~`).
    Debian,
    /// Red Hat's rpm (`rpmvercmp`, epoch:version-release).
    RedHat,
    /// CRAN (R `package_version`).
    Cran,
    /// Hackage (Haskell's `Data.Version`: numbers only).
    Hackage,
    /// Alpine's apk.
    Alpine,
}

impl Scheme {
    /// The scheme of an OSV ecosystem name (`PyPI`, `crates.io`, `Debian:12`, ...), or
    /// `None` for ecosystems without a known ordering.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match base {
            "npm" | "crates.io" | "Go" | "Hex" | "SwiftURL" | "JSR" => Scheme::SemVer,
            "Pub" => Scheme::Pub,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Packagist,
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "openSUSE" | "SUSE" => Scheme::RedHat,
            "CRAN" | "Bioconductor" => Scheme::Cran,
            "Hackage" => Scheme::Hackage,
            "Alpine" | "Chainguard" | "Wolfi" => Scheme::Alpine,
            _ => return None,
        })
    }
}

/// Why a version could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Empty or only spaces.
    #[error("empty version")]
    Empty,
    /// Longer than [`MAX_VERSION_LEN`].
    #[error("version longer than {MAX_VERSION_LEN} bytes")]
    TooLong,
    /// Not a version of this scheme.
    #[error("{version:?} is not a valid {scheme:?} version: {reason}")]
    Invalid {
        /// The scheme.
        scheme: Scheme,
        /// The input.
        version: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A parsed version; `Ord` follows its scheme's rules.
#[derive(Debug, Clone)]
pub struct Version {
    scheme: Scheme,
    text: String,
    key: Key,
}

#[derive(Debug, Clone)]
enum Key {
    SemVer(semver::SemVer),
    Pep440(pep440::Pep440),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::PhpVersion),
    Debian(debian::DebVersion),
    RedHat(other::RpmVersion),
    Numeric(other::NumericVersion),
    Alpine,
}

impl Version {
    /// The scheme it was read with.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The text it was read from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Reads `text` as a version of `scheme`.
pub fn parse(scheme: Scheme, text: &str) -> Result<Version, VersionError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(VersionError::Empty);
    }
    if t.len() > MAX_VERSION_LEN {
        return Err(VersionError::TooLong);
    }
    let invalid = |reason| VersionError::Invalid {
        scheme,
        version: t.to_string(),
        reason,
    };
    let key = match scheme {
        Scheme::SemVer => Key::SemVer(semver::SemVer::parse(t, false).map_err(invalid)?),
        Scheme::Pub => Key::SemVer(semver::SemVer::parse(t, true).map_err(invalid)?),
        Scheme::Pep440 => Key::Pep440(pep440::Pep440::parse(t)),
        Scheme::Maven => Key::Maven(maven::MavenVersion::parse(t)),
        Scheme::RubyGems => Key::RubyGems(rubygems::GemVersion::parse(t).map_err(invalid)?),
        Scheme::NuGet => Key::NuGet(nuget::NuGetVersion::parse(t).map_err(invalid)?),
        Scheme::Packagist => Key::Packagist(packagist::PhpVersion::parse(t)),
        Scheme::Debian => Key::Debian(debian::DebVersion::parse(t).map_err(invalid)?),
        Scheme::RedHat => Key::RedHat(other::RpmVersion::parse(t)),
        Scheme::Cran => {
            Key::Numeric(other::NumericVersion::parse(t, &['.', '-']).map_err(invalid)?)
        }
        Scheme::Alpine => Key::Alpine,
        Scheme::Hackage => Key::Numeric(other::NumericVersion::parse(t, &['.']).map_err(invalid)?),
    };
    Ok(Version {
        scheme,
        text: t.to_string(),
        key,
    })
}

/// Compares two version strings under one scheme.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(scheme, a)?.cmp(&parse(scheme, b)?))
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.key, &other.key) {
            (Key::SemVer(a), Key::SemVer(b)) => a.cmp(b),
            (Key::Pep440(a), Key::Pep440(b)) => a.cmp(b),
            (Key::Maven(a), Key::Maven(b)) => a.cmp(b),
            (Key::RubyGems(a), Key::RubyGems(b)) => a.cmp(b),
            (Key::NuGet(a), Key::NuGet(b)) => a.cmp(b),
            (Key::Packagist(a), Key::Packagist(b)) => a.cmp(b),
            (Key::Debian(a), Key::Debian(b)) => a.cmp(b),
            (Key::RedHat(a), Key::RedHat(b)) => a.cmp(b),
            (Key::Numeric(a), Key::Numeric(b)) => a.cmp(b),
            (Key::Alpine, Key::Alpine) => alpine::compare(&self.text, &other.text),
            // Different schemes: an arbitrary but consistent order.
            _ => self
                .scheme
                .cmp(&other.scheme)
                .then_with(|| self.text.cmp(&other.text)),
        }
    }
}
