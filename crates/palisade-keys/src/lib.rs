//! Keys, key ids and signature schemes, compatible with securesystemslib.
//!
//! Every signature Palisade makes or checks (DSSE envelopes, in-toto links and layouts,
//! TUF metadata, attestations) goes through this crate. It answers two questions: *which
//! key is this* (its type, scheme and securesystemslib key id) and *does this signature
//! verify*.
//!
//! * [`PublicKey`] reads SPKI PEM, OpenSSH public keys (`ssh-ed25519 …`,
//!   `ecdsa-sha2-nistp256 …`, `ssh-rsa …`) and securesystemslib / in-toto JSON key files
//!   ([`PublicKey::parse`] detects which), computes the key id exactly as securesystemslib
//!   does — sha256 over the canonical JSON of `{keytype, scheme, keyval}` (plus the legacy
//!   `keyid_hash_algorithms` when a JSON key carries it) — and verifies signatures.
//! * [`PrivateKey`] generates keys ([`KeyAlgorithm`]), writes PKCS#8 PEM (optionally
//!   encrypted, PBES2 / PBKDF2-SHA256 / AES-256-CBC) and reads PKCS#8, encrypted PKCS#8,
//!   PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) and securesystemslib JSON keys.
//!
//! Schemes ([`Scheme`]): `ed25519`, `ecdsa-sha2-nistp256/384/521`,
//! `rsassa-pss-sha256/384/512`, `rsa-pkcs1v15-sha256/384/512`. A scheme must fit the key
//! (an RSA scheme on an Ed25519 key is an error, as is a P-384 scheme on a P-256 key).
//!
//! Signatures: ECDSA signatures are written DER-encoded (what securesystemslib and cosign
//! expect) and deterministic (RFC 6979); verification accepts DER and raw `r‖s`. Ed25519
//! and RSA PKCS#1 v1.5 signatures are deterministic by nature; RSA-PSS uses a random salt
//! of the digest's length, as securesystemslib does.
//!
//! Crypto: aws-lc-rs verifies every scheme and does Ed25519 and RSA (generation and
//! signing). ECDSA signing is deterministic (RFC 6979, which aws-lc-rs does not expose):
//! the nonce and the scalar arithmetic come from RustCrypto's `p256`/`p384`/`p521`, the
//! point multiplication from aws-lc (see `det_ecdsa`).
//!
//! This crate does no file I/O and never prints; every error says what is wrong with the
//! key material, and the caller adds the file name.

mod det_ecdsa;
mod pem;
mod private;
mod public;
mod scheme;

pub use pem::{PemBlock, pem_decode, pem_encode};
pub use private::{KeyAlgorithm, PrivateKey};
pub use public::PublicKey;
pub use scheme::{Curve, KeyType, Scheme};

/// What went wrong with key material or a signature operation.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The bytes are not a key in any format this crate reads.
    #[error("not a recognised key: {0}")]
    Unrecognised(String),
    /// The key is in a known format but malformed.
    #[error("malformed key: {0}")]
    Malformed(String),
    /// The key or scheme is of a kind this crate does not support.
    #[error("unsupported key: {0}")]
    Unsupported(String),
    /// The scheme does not fit the key.
    #[error("scheme {scheme} does not fit a {key} key")]
    SchemeMismatch {
        /// The scheme asked for.
        scheme: String,
        /// The kind of key.
        key: String,
    },
    /// The private key is encrypted and no passphrase was given.
    #[error("the private key is encrypted; a passphrase is needed")]
    NeedPassphrase,
    /// The passphrase did not decrypt the key.
    #[error("could not decrypt the private key (wrong passphrase?)")]
    Decrypt,
    /// The signature does not verify with this key.
    #[error("signature does not verify")]
    BadSignature,
    /// The crypto library failed.
    #[error("crypto failure: {0}")]
    Crypto(String),
}

/// sha256 of `data`, as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data))
}

/// sha512 of `data`, as lowercase hex.
pub fn sha512_hex(data: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, data))
}
