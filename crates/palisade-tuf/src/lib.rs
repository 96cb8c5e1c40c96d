//! The Update Framework (TUF, specification 1.0.34) for Palisade.
//!
//! What it is for: reading TUF metadata from untrusted bytes ([`metadata`]: root,
//! timestamp, snapshot, targets, delegations with paths, `path_hash_prefixes` and succinct
//! hash bins), checking signature thresholds over the canonical JSON of `signed`, and the
//! client workflow of §5 ([`client`]): the root chain (both thresholds, at most 256 new
//! roots), rollback, freeze, mix-and-match and endless-data defences, consistent
//! snapshots, the lazy pre-order depth-first delegation search, byte-exact local storage.
//!
//! What it is not for: networking (callers pass a [`client::Fetcher`]), printing, or key
//! handling (that is `palisade-keys`; canonical JSON is `palisade-cjson`).

pub mod client;
mod download;
pub mod metadata;
pub mod repo;

pub use client::{Client, FetchError, FetchedTarget, Fetcher, Limits, init, quote};
pub use metadata::{Metadata, RoleType, TargetFile};

/// What went wrong, naming the file (role) concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TufError {
    /// The file is not valid TUF metadata.
    #[error("{file}: {message}")]
    Malformed {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Not enough valid signatures.
    #[error("{file}: {have} valid signature(s) of role {role}, {need} needed")]
    Threshold {
        /// The file.
        file: String,
        /// The role whose keys were checked.
        role: String,
        /// Distinct valid signatures found.
        have: u64,
        /// Threshold.
        need: u64,
    },
    /// A version went backwards (rollback attack).
    #[error("{file}: rollback: {message}")]
    Rollback {
        /// The file.
        file: String,
        /// Details.
        message: String,
    },
    /// The metadata expired (freeze attack).
    #[error("{file}: expired at {expires}")]
    Expired {
        /// The file.
        file: String,
        /// `expires` as written.
        expires: String,
    },
    /// The file is not the one the referring metadata lists (mix-and-match).
    #[error("{file}: {message}")]
    Mismatch {
        /// The file.
        file: String,
        /// Details.
        message: String,
    },
    /// Wrong length.
    #[error("{file}: length {got}, expected {expected}")]
    LengthMismatch {
        /// The file.
        file: String,
        /// Listed length.
        expected: u64,
        /// Actual length.
        got: u64,
    },
    /// A listed hash does not match, or its algorithm is unknown.
    #[error("{file}: {algorithm} hash does not match (or the algorithm is unknown)")]
    HashMismatch {
        /// The file.
        file: String,
        /// The algorithm.
        algorithm: String,
    },
    /// The download failed.
    #[error("{file}: fetching {url}: {message}")]
    Fetch {
        /// The file.
        file: String,
        /// The URL.
        url: String,
        /// Details.
        message: String,
    },
    /// A local file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// A state that should not happen.
    #[error("internal: {0}")]
    Internal(String),
}

impl TufError {
    pub(crate) fn internal(m: &str) -> TufError {
        TufError::Internal(m.to_string())
    }
}
