//! Key types and signature schemes, named as securesystemslib names them.

use std::fmt;
use std::str::FromStr;

use crate::KeyError;

/// A NIST curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// P-256 (secp256r1)
    P256,
    /// P-384 (secp384r1)
    P384,
    /// P-521 (secp521r1)
    P521,
}

impl Curve {
    /// Bytes of one field element (half of a raw `r‖s` signature).
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
    /// `nistp256`, …
    pub fn nist_name(self) -> &'static str {
        match self {
            Curve::P256 => "nistp256",
            Curve::P384 => "nistp384",
            Curve::P521 => "nistp521",
        }
    }
}

/// The kind of key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Ed25519
    Ed25519,
    /// ECDSA on a NIST curve
    Ecdsa(Curve),
    /// RSA with the modulus size in bits
    Rsa(usize),
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Ed25519 => f.write_str("ed25519"),
            KeyType::Ecdsa(c) => write!(f, "ecdsa {}", c.nist_name()),
            KeyType::Rsa(bits) => write!(f, "rsa-{bits}"),
        }
    }
}

impl KeyType {
    /// securesystemslib's `keytype` field for this key (`ed25519`, `ecdsa`, `rsa`).
    pub fn sslib_keytype(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::Ecdsa(_) => "ecdsa",
            KeyType::Rsa(_) => "rsa",
        }
    }
    /// The scheme securesystemslib picks by default for this key.
    pub fn default_scheme(self) -> Scheme {
        match self {
            KeyType::Ed25519 => Scheme::Ed25519,
            KeyType::Ecdsa(c) => Scheme::Ecdsa(c),
            KeyType::Rsa(_) => Scheme::RsaPss(Hash::Sha256),
        }
    }
}

/// A hash function used by a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hash {
    /// SHA-256
    Sha256,
    /// SHA-384
    Sha384,
    /// SHA-512
    Sha512,
}

impl Hash {
    fn bits(self) -> u32 {
        match self {
            Hash::Sha256 => 256,
            Hash::Sha384 => 384,
            Hash::Sha512 => 512,
        }
    }
}

/// A signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `ed25519`
    Ed25519,
    /// `ecdsa-sha2-nistpNNN` (the hash follows the curve: 256, 384, 512)
    Ecdsa(Curve),
    /// `rsassa-pss-shaNNN`
    RsaPss(Hash),
    /// `rsa-pkcs1v15-shaNNN`
    RsaPkcs1v15(Hash),
}

impl Scheme {
    /// Every scheme this crate supports.
    pub const ALL: [Scheme; 10] = [
        Scheme::Ed25519,
        Scheme::Ecdsa(Curve::P256),
        Scheme::Ecdsa(Curve::P384),
        Scheme::Ecdsa(Curve::P521),
        Scheme::RsaPss(Hash::Sha256),
        Scheme::RsaPss(Hash::Sha384),
        Scheme::RsaPss(Hash::Sha512),
        Scheme::RsaPkcs1v15(Hash::Sha256),
        Scheme::RsaPkcs1v15(Hash::Sha384),
        Scheme::RsaPkcs1v15(Hash::Sha512),
    ];

    /// Checks that this scheme can be used with `key`.
    pub fn check_fits(self, key: KeyType) -> Result<(), KeyError> {
        let ok = matches!(
            (self, key),
            (Scheme::Ed25519, KeyType::Ed25519)
                | (Scheme::RsaPss(_), KeyType::Rsa(_))
                | (Scheme::RsaPkcs1v15(_), KeyType::Rsa(_))
        ) || matches!((self, key), (Scheme::Ecdsa(a), KeyType::Ecdsa(b)) if a == b);
        if ok {
            Ok(())
        } else {
            Err(KeyError::SchemeMismatch {
                scheme: self.to_string(),
                key: key.to_string(),
            })
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheme::Ed25519 => f.write_str("ed25519"),
            Scheme::Ecdsa(c) => write!(f, "ecdsa-sha2-{}", c.nist_name()),
            Scheme::RsaPss(h) => write!(f, "rsassa-pss-sha{}", h.bits()),
            Scheme::RsaPkcs1v15(h) => write!(f, "rsa-pkcs1v15-sha{}", h.bits()),
        }
    }
}

impl FromStr for Scheme {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        Scheme::ALL
            .into_iter()
            .find(|sch| sch.to_string() == s)
            .ok_or_else(|| {
                KeyError::Unsupported(format!(
                    "scheme '{s}' (supported: {})",
                    Scheme::ALL.map(|s| s.to_string()).join(", ")
                ))
            })
    }
}
