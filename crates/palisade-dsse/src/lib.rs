//! DSSE (Dead Simple Signing Envelope) v1: the envelope every Palisade attestation,
//! in-toto link and signed document travels in.
//!
//! * [`pae`] builds the Pre-Authentication Encoding exactly as the spec defines it:
//!   `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
//! * [`Envelope::sign`] signs a payload with one or more [`PrivateKey`]s; each signature
//!   carries the securesystemslib key id (securesystemslib refuses signatures without a
//!   matching `keyid`).
//! * [`Envelope::verify`] checks a threshold of **distinct** keys: the same key signing
//!   twice counts once, signatures whose key id names none of the given keys are skipped
//!   (not fatal), signatures without a key id are tried against every key. Standard and
//!   URL-safe base64 (padded or not) are accepted everywhere.
//! * [`Envelope::from_json`] reads an envelope from untrusted bytes with a size bound and
//!   an error that says what is wrong.
//!
//! Not here: what the payload means (see `palisade-attest` for in-toto statements).

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use palisade_keys::{KeyError, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};

/// The largest envelope [`Envelope::from_json`] reads: 64 MiB.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024 * 1024;
/// The most signatures an envelope may carry.
pub const MAX_SIGNATURES: usize = 256;

/// The payload type of in-toto statements.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// What is wrong with an envelope or its signatures.
#[derive(Debug, thiserror::Error)]
pub enum DsseError {
    /// The bytes are not a DSSE envelope.
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    /// The envelope carries no signatures.
    #[error("the envelope carries no signatures")]
    NoSignatures,
    /// Fewer distinct keys signed than the threshold asks.
    #[error("{valid} of the required {threshold} distinct key(s) signed the envelope{detail}")]
    Threshold {
        /// Distinct keys whose signature verified.
        valid: usize,
        /// Keys required.
        threshold: usize,
        /// Why the other signatures did not count.
        detail: String,
    },
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(#[from] KeyError),
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Key id (optional in the spec; securesystemslib needs it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// Base64 of the signature bytes.
    pub sig: String,
}

/// A DSSE envelope as it is written in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the payload.
    pub payload: String,
    /// The payload's type URI or media type.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The signatures.
    pub signatures: Vec<Signature>,
}

/// The result of a successful verification.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The payload's type.
    pub payload_type: String,
    /// The decoded payload.
    pub payload: Vec<u8>,
    /// Key ids of the distinct keys whose signatures verified, sorted.
    pub signers: Vec<String>,
}

/// The Pre-Authentication Encoding of a payload: what is actually signed.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decodes standard or URL-safe base64, with or without padding.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    if trimmed.contains(['-', '_']) {
        URL_SAFE_NO_PAD.decode(trimmed).ok()
    } else {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .ok()
    }
}

impl Envelope {
    /// Signs `payload` with every key in `keys`.
    pub fn sign(
        payload_type: &str,
        payload: &[u8],
        keys: &[&PrivateKey],
    ) -> Result<Envelope, DsseError> {
        let message = pae(payload_type, payload);
        let mut signatures = Vec::with_capacity(keys.len());
        for key in keys {
            signatures.push(Signature {
                keyid: key.public_key().keyid().to_string(),
                sig: STANDARD.encode(key.sign(&message)?),
            });
        }
        Ok(Envelope {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_string(),
            signatures,
        })
    }

    /// Reads an envelope from JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, DsseError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(DsseError::Malformed(format!(
                "{} bytes, more than the limit of {MAX_ENVELOPE_BYTES}",
                bytes.len()
            )));
        }
        let env: Envelope =
            serde_json::from_slice(bytes).map_err(|e| DsseError::Malformed(e.to_string()))?;
        if env.signatures.len() > MAX_SIGNATURES {
            return Err(DsseError::Malformed(format!(
                "{} signatures, more than the limit of {MAX_SIGNATURES}",
                env.signatures.len()
            )));
        }
        Ok(env)
    }

    /// The envelope as pretty JSON with a final newline (field order is fixed, so the
    /// output is deterministic).
    pub fn to_json_pretty(&self) -> String {
        // serialising a plain struct of strings cannot fail
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The envelope as one line of JSON (for JSON Lines bundles).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The decoded payload (without verifying anything).
    pub fn payload_bytes(&self) -> Result<Vec<u8>, DsseError> {
        decode_base64(&self.payload)
            .ok_or_else(|| DsseError::Malformed("payload is not valid base64".into()))
    }

    /// Verifies that at least `threshold` distinct keys of `keys` signed the envelope.
    pub fn verify(&self, keys: &[PublicKey], threshold: usize) -> Result<Verified, DsseError> {
        if threshold == 0 {
            return Err(DsseError::Malformed("threshold must be at least 1".into()));
        }
        if self.signatures.is_empty() {
            return Err(DsseError::NoSignatures);
        }
        let payload = self.payload_bytes()?;
        let message = pae(&self.payload_type, &payload);
        let mut signers = BTreeSet::new();
        let mut problems = Vec::new();
        for (n, s) in self.signatures.iter().enumerate() {
            let Some(sig) = decode_base64(&s.sig) else {
                problems.push(format!("signature {n}: not valid base64"));
                continue;
            };
            let candidates: Vec<&PublicKey> = keys
                .iter()
                .filter(|k| s.keyid.is_empty() || k.keyid() == s.keyid)
                .collect();
            if candidates.is_empty() {
                problems.push(format!("signature {n}: unknown key id {}", s.keyid));
                continue;
            }
            match candidates.iter().find(|k| k.verify(&message, &sig).is_ok()) {
                Some(k) => {
                    signers.insert(k.keyid().to_string());
                }
                None => problems.push(format!("signature {n}: does not verify")),
            }
        }
        if signers.len() >= threshold {
            Ok(Verified {
                payload_type: self.payload_type.clone(),
                payload,
                signers: signers.into_iter().collect(),
            })
        } else {
            Err(DsseError::Threshold {
                valid: signers.len(),
                threshold,
                detail: if problems.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", problems.join("; "))
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_keys::KeyAlgorithm;

    #[test]
    fn spec_pae_vector() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn base64_variants() {
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ").unwrap(), b"hello world");
        assert_eq!(decode_base64("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_base64("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert!(decode_base64("!!").is_none());
    }

    #[test]
    fn threshold_counts_distinct_keys() {
        let a = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let b = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let env = Envelope::sign("t", b"x", &[&a, &a]).unwrap();
        let keys = [a.public_key().clone(), a.public_key().clone()];
        assert!(env.verify(&keys, 1).is_ok());
        let err = env.verify(&keys, 2).unwrap_err();
        assert!(
            matches!(
                err,
                DsseError::Threshold {
                    valid: 1,
                    threshold: 2,
                    ..
                }
            ),
            "{err}"
        );
        let env2 = Envelope::sign("t", b"x", &[&a, &b]).unwrap();
        let ok = env2
            .verify(&[a.public_key().clone(), b.public_key().clone()], 2)
            .unwrap();
        assert_eq!(ok.signers.len(), 2);
        // unknown key ids are skipped, not fatal
        let c = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let env3 = Envelope::sign("t", b"x", &[&c, &a]).unwrap();
        assert!(env3.verify(&[a.public_key().clone()], 1).is_ok());
    }

    #[test]
    fn tampering_is_detected() {
        let a = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let mut env = Envelope::sign("t", b"x", &[&a]).unwrap();
        env.payload_type = "u".into();
        assert!(env.verify(&[a.public_key().clone()], 1).is_err());
        let mut env = Envelope::sign("t", b"x", &[&a]).unwrap();
        env.signatures.clear();
        assert!(matches!(
            env.verify(&[a.public_key().clone()], 1),
            Err(DsseError::NoSignatures)
        ));
    }
}
