//! in-toto: record the steps of a software supply chain as signed links, write and sign
//! the layout that says who may do which step with which artefacts, and verify the
//! whole chain — reading and writing what Python in-toto 3.x and in-toto-golang do.
//!
//! * [`model`]: [`Link`], [`Layout`], [`Step`], [`Inspection`], artefact [`Rule`]s.
//! * [`metadata`]: [`Metadata`] reads signed documents from untrusted bytes (bounded size
//!   and depth; errors name the file and the JSON path): legacy Metablocks
//!   (`{signed, signatures}`, signatures over canonical JSON), DSSE envelopes with the
//!   raw link/layout as payload (Python's `--use-dsse`), and DSSE in-toto Statements with
//!   the link predicate `https://in-toto.io/attestation/link/v0.3`. It signs them too.
//! * [`verify()`]: final product verification per the in-toto v1.0 specification, with
//!   Python in-toto's semantics (consumed-artefact queue, fnmatch patterns where `*`
//!   matches `/`, sublayouts, `{PARAM}` substitution, inspections with a timeout). A
//!   failure is a [`Failure`] naming the step, the rule and the artefacts.
//! * [`record`]: hashing materials and products (excludes, `lstrip`, symlinked
//!   directories, line-ending normalisation) and running a step's command.
//!
//! Not here: key handling (`palisade-keys`), canonical JSON (`palisade-cjson`), DSSE
//! (`palisade-dsse`), statements (`palisade-attest`), file writing (`palisade-io`), and
//! no printing: warnings come back in the [`Report`]. OpenPGP keys ([`gpg`]): RSA, DSA
//! and Ed25519, read and checked by rPGP.

pub mod gpg;
pub mod metadata;
pub mod model;
pub mod pattern;
pub mod record;
pub mod rules;
pub mod time;
pub mod verify;

pub use metadata::{EnvelopeKind, Metadata, Payload};
pub use model::{
    ArtifactKind, Artifacts, Digests, Inspection, Layout, LayoutKey, Link, Rule, Step,
};
pub use verify::{Failure, Report, VerifyOptions, link_file_name, verify};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum IntotoError {
    /// A document is not well-formed in-toto metadata.
    #[error("{file}: at {place}: {message}")]
    Malformed {
        /// The file (or other source).
        file: String,
        /// JSON path.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] palisade_io::IoError),
    /// Signing failed or a key is unusable.
    #[error("{0}")]
    Key(String),
    /// Recording artefacts or running a command failed.
    #[error("{0}")]
    Record(String),
    /// A command ran out of time.
    #[error("'{command}' timed out after {seconds} s")]
    Timeout {
        /// The command.
        command: String,
        /// The limit.
        seconds: u64,
    },
    /// Bad parameters or options.
    #[error("{0}")]
    Parameter(String),
    /// The supply chain does not verify.
    #[error("verification failed: {0}")]
    Verification(Failure),
}
