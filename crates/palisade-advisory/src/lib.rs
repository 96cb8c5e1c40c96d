//! The materials check: an offline advisory index and the policy around it.
//!
//! - [`import`] reads OSV records (single JSON files, JSON Lines, `.gz`, the per-ecosystem
//!   `all.zip` of the osv-scanner offline layout), the RustSec advisory database (its
//!   directory layout or a `.tar.gz`) and OSSF malicious-package records, and
//!   [`index::write`] stores them as a compact per-ecosystem index, swapped into place
//!   atomically.
//! - [`matcher`] matches packages against it with each ecosystem's own version order
//!   ([`palisade_version`]): OSV `SEMVER`/`ECOSYSTEM` ranges (`GIT` ranges are ignored),
//!   explicit `versions` lists, `withdrawn` records skipped, aliases merged into one
//!   finding, CVSS v3.1/v4.0 scores computed, the nearest fixed version.
//! - [`policy`] judges the result: severity threshold, ignores with expiry, VEX
//!   (OpenVEX and CycloneDX), licence allow/deny lists over SPDX expressions, trusted
//!   sources and hash pinning.
//! - [`cargo_licences`] finds crates' licences in a local Cargo home for `Cargo.lock`.
//!
//! Nothing here touches the network.

pub mod cargo_licences;
pub mod check;
pub mod import;
pub mod index;
pub mod matcher;
pub mod osv;
pub mod policy;
pub mod rustsec;
pub mod severity;
pub mod vex;

pub use index::{Index, IndexMeta};
pub use matcher::{Finding, MatchReport, PackageRef, check_packages};
pub use osv::Entry;

/// Errors of this crate; each names the file (and record) it is about.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// Reading or writing a file failed.
    #[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A record or document is malformed.
    #[error("{place}: {message}")]
    Format {
        /// File (and entry or line).
        place: String,
        /// What is wrong.
        message: String,
    },
    /// A size bound was exceeded.
    #[error("{place}: larger than the limit of {limit} bytes")]
    TooLarge {
        /// File (and entry).
        place: String,
        /// The bound.
        limit: u64,
    },
    /// No index at the given place.
    #[error("no advisory index at {0}: run `palisade db import SOURCE...` first")]
    NoIndex(String),
}

impl From<palisade_io::IoError> for AdvisoryError {
    fn from(e: palisade_io::IoError) -> AdvisoryError {
        AdvisoryError::Io {
            path: String::new(),
            message: e.to_string(),
        }
    }
}

impl AdvisoryError {
    pub(crate) fn io(path: impl std::fmt::Display, e: impl std::fmt::Display) -> AdvisoryError {
        AdvisoryError::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
    }
    pub(crate) fn format(
        place: impl std::fmt::Display,
        e: impl std::fmt::Display,
    ) -> AdvisoryError {
        AdvisoryError::Format {
            place: place.to_string(),
            message: e.to_string(),
        }
    }
}
