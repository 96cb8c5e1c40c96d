//! Private keys: generation, PKCS#8 (plain and encrypted) and signing.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{self as sig, Ed25519KeyPair, KeyPair};
use der::Decode;
use der::asn1::ObjectIdentifier;
use palisade_cjson::Value;
use pkcs8::{EncodePrivateKey, PrivateKeyInfo};

use crate::pem::{pem_decode, pem_encode};
use crate::public::{OID_EC_PUBLIC_KEY, OID_ED25519, OID_RSA, curve_from_oid};
use crate::scheme::{Curve, Hash, Scheme};
use crate::{KeyError, PublicKey};

/// PBKDF2-HMAC-SHA256 iterations for encrypted PKCS#8 we write (OWASP 2023 guidance).
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// The most PBKDF2 iterations an encrypted key may ask for before we refuse to try
/// (a hostile key file must not make a command hang).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The largest scrypt work factor accepted (N = 2^20, r = 8 needs 1 GiB).
pub const MAX_SCRYPT_LOG_N: u8 = 20;

fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<(), KeyError> {
    use pkcs8::pkcs5::pbes2::Kdf;
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(());
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
            Err(KeyError::Unsupported(format!(
                "the key asks for {} PBKDF2 iterations (at most {MAX_PBKDF2_ITERATIONS} are tried)",
                p.iteration_count
            )))
        }
        Kdf::Scrypt(p)
            if p.cost_parameter > (1u64 << MAX_SCRYPT_LOG_N)
                || p.block_size > 16
                || p.parallelization > 16 =>
        {
            Err(KeyError::Unsupported(
                "the key's scrypt parameters ask for more work than is tried".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// A key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Ed25519
    Ed25519,
    /// ECDSA P-256
    EcdsaP256,
    /// ECDSA P-384
    EcdsaP384,
    /// ECDSA P-521
    EcdsaP521,
    /// RSA 3072 bits
    Rsa3072,
    /// RSA 4096 bits
    Rsa4096,
}

impl KeyAlgorithm {
    /// Every algorithm, in the order `--help` lists them.
    pub const ALL: [KeyAlgorithm; 6] = [
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::EcdsaP521,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
    ];
    /// The name used on the command line (`ed25519`, `ecdsa-p256`, `rsa-3072`, …).
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::EcdsaP384 => "ecdsa-p384",
            KeyAlgorithm::EcdsaP521 => "ecdsa-p521",
            KeyAlgorithm::Rsa3072 => "rsa-3072",
            KeyAlgorithm::Rsa4096 => "rsa-4096",
        }
    }
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        KeyAlgorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                KeyError::Unsupported(format!(
                    "key type '{s}' (supported: {})",
                    KeyAlgorithm::ALL.map(|a| a.name()).join(", ")
                ))
            })
    }
}

enum Inner {
    Ed25519(Ed25519KeyPair),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    Rsa(aws_lc_rs::rsa::KeyPair),
}

/// A private key that can sign with its [`PublicKey`]'s scheme.
pub struct PrivateKey {
    inner: Inner,
    /// PKCS#8 DER of the key (kept to write it out; zeroised on drop by the caller's
    /// process exit only — keys live as long as one command).
    pkcs8: Vec<u8>,
    public: PublicKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

fn crypto(e: impl std::fmt::Display) -> KeyError {
    KeyError::Crypto(e.to_string())
}

impl PrivateKey {
    /// Generates a new key.
    pub fn generate(alg: KeyAlgorithm) -> Result<PrivateKey, KeyError> {
        let pkcs8 = match alg {
            KeyAlgorithm::Ed25519 => Ed25519KeyPair::generate()
                .map_err(crypto)?
                .to_pkcs8v1()
                .map_err(crypto)?
                .as_ref()
                .to_vec(),
            KeyAlgorithm::EcdsaP256 => {
                ec_pkcs8(p256::SecretKey::random(&mut rand_core::OsRng).to_pkcs8_der())?
            }
            KeyAlgorithm::EcdsaP384 => {
                ec_pkcs8(p384::SecretKey::random(&mut rand_core::OsRng).to_pkcs8_der())?
            }
            KeyAlgorithm::EcdsaP521 => {
                ec_pkcs8(p521::SecretKey::random(&mut rand_core::OsRng).to_pkcs8_der())?
            }
            KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096 => {
                let size = if alg == KeyAlgorithm::Rsa3072 {
                    aws_lc_rs::rsa::KeySize::Rsa3072
                } else {
                    aws_lc_rs::rsa::KeySize::Rsa4096
                };
                let kp = aws_lc_rs::rsa::KeyPair::generate(size).map_err(crypto)?;
                kp.as_der().map_err(crypto)?.as_ref().to_vec()
            }
        };
        Self::from_pkcs8_der(&pkcs8)
    }

    /// Reads a private key: PKCS#8 PEM (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED
    /// PRIVATE KEY`, needs `passphrase`), PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE
    /// KEY`), or a securesystemslib JSON key with `keyval.private`.
    pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
        let trimmed = bytes.trim_ascii();
        if trimmed.starts_with(b"{") {
            return Self::from_sslib_json(trimmed, passphrase);
        }
        let block = pem_decode(trimmed)?;
        if block.headers.iter().any(|h| h.starts_with("Proc-Type")) {
            return Err(KeyError::Unsupported(
                "legacy OpenSSL-encrypted PEM (Proc-Type header); convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8`".into(),
            ));
        }
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => {
                let pass = passphrase.ok_or(KeyError::NeedPassphrase)?;
                let enc = pkcs8::EncryptedPrivateKeyInfo::try_from(block.der.as_slice())
                    .map_err(|e| KeyError::Malformed(format!("encrypted PKCS#8: {e}")))?;
                check_kdf_cost(&enc.encryption_algorithm)?;
                if let pkcs8::pkcs5::EncryptionScheme::Pbes1(alg) = &enc.encryption_algorithm {
                    return Err(KeyError::Unsupported(format!(
                        "legacy PBES1 encryption ({}) is too weak to use; re-encrypt the key with \
                         `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
                        alg.encryption.oid()
                    )));
                }
                let doc = enc.decrypt(pass).map_err(|_| KeyError::Decrypt)?;
                Self::from_pkcs8_der(doc.as_bytes())
            }
            "RSA PRIVATE KEY" => {
                let kp = aws_lc_rs::rsa::KeyPair::from_der(&block.der)
                    .map_err(|e| KeyError::Malformed(format!("PKCS#1 RSA key: {e}")))?;
                let pkcs8 = kp.as_der().map_err(crypto)?.as_ref().to_vec();
                Self::from_pkcs8_der(&pkcs8)
            }
            "EC PRIVATE KEY" => {
                let ec = sec1::EcPrivateKey::from_der(&block.der)
                    .map_err(|e| KeyError::Malformed(format!("SEC1 EC key: {e}")))?;
                let curve = ec
                    .parameters
                    .and_then(|p| p.named_curve())
                    .ok_or_else(|| KeyError::Malformed("SEC1 EC key without named curve".into()))
                    .and_then(curve_from_oid)?;
                let pkcs8 = match curve {
                    Curve::P256 => ec_pkcs8(
                        p256::SecretKey::from_sec1_der(&block.der)
                            .map_err(|e| KeyError::Malformed(e.to_string()))?
                            .to_pkcs8_der(),
                    )?,
                    Curve::P384 => ec_pkcs8(
                        p384::SecretKey::from_sec1_der(&block.der)
                            .map_err(|e| KeyError::Malformed(e.to_string()))?
                            .to_pkcs8_der(),
                    )?,
                    Curve::P521 => ec_pkcs8(
                        p521::SecretKey::from_sec1_der(&block.der)
                            .map_err(|e| KeyError::Malformed(e.to_string()))?
                            .to_pkcs8_der(),
                    )?,
                };
                Self::from_pkcs8_der(&pkcs8)
            }
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(KeyError::Unrecognised(
                "this is a public key; signing needs the private key".into(),
            )),
            "OPENSSH PRIVATE KEY" => Err(KeyError::Unsupported(
                "OpenSSH private key format; convert it with `ssh-keygen -p -m PKCS8 -f KEY`"
                    .into(),
            )),
            other => Err(KeyError::Unrecognised(format!("PEM block '{other}'"))),
        }
    }

    /// Whether `bytes` hold an encrypted private key (so a passphrase must be obtained).
    pub fn is_encrypted(bytes: &[u8]) -> bool {
        pem_decode(bytes.trim_ascii())
            .map(|b| b.label == "ENCRYPTED PRIVATE KEY")
            .unwrap_or(false)
    }

    fn from_sslib_json(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
        let v = palisade_cjson::parse(bytes)
            .map_err(|e| KeyError::Malformed(format!("JSON key: {e}")))?;
        let public = PublicKey::from_sslib_value(&v)?;
        let private = v
            .get("keyval")
            .and_then(|kv| kv.get("private"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                KeyError::Unrecognised(
                    "this JSON key has no keyval.private; signing needs it".into(),
                )
            })?;
        let mut key = if public.key_type() == crate::KeyType::Ed25519 {
            let seed = hex::decode(private)
                .map_err(|_| KeyError::Malformed("ed25519 keyval.private is not hex".into()))?;
            let pub_raw = hex::decode(public.keyval_public())
                .map_err(|_| KeyError::Malformed("ed25519 keyval.public is not hex".into()))?;
            let kp = Ed25519KeyPair::from_seed_and_public_key(&seed, &pub_raw).map_err(|e| {
                KeyError::Malformed(format!("ed25519 private key does not match public: {e}"))
            })?;
            let pkcs8 = kp.to_pkcs8v1().map_err(crypto)?.as_ref().to_vec();
            Self::from_pkcs8_der(&pkcs8)?
        } else {
            Self::parse(private.as_bytes(), passphrase)?
        };
        if key.public.to_spki_der()? != public.to_spki_der()? {
            return Err(KeyError::Malformed(
                "keyval.private does not belong to keyval.public".into(),
            ));
        }
        key.public = public;
        Ok(key)
    }

    /// Reads an unencrypted PKCS#8 DER private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let info = PrivateKeyInfo::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("PKCS#8: {e}")))?;
        let oid = info.algorithm.oid;
        let (inner, public) = if oid == OID_ED25519 {
            let kp = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                .map_err(|e| KeyError::Malformed(format!("ed25519 PKCS#8: {e}")))?;
            let public = PublicKey::from_ed25519_raw(kp.public_key().as_ref())?;
            (Inner::Ed25519(kp), public)
        } else if oid == OID_RSA {
            let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(der)
                .map_err(|e| KeyError::Malformed(format!("RSA PKCS#8: {e}")))?;
            let public = PublicKey::from_rsa_pkcs1(kp.public_key().as_ref())?;
            (Inner::Rsa(kp), public)
        } else if oid == OID_EC_PUBLIC_KEY {
            let curve_oid: ObjectIdentifier = info
                .algorithm
                .parameters
                .ok_or_else(|| KeyError::Malformed("EC key without curve".into()))?
                .decode_as()
                .map_err(|e| KeyError::Unsupported(format!("EC curve parameters: {e}")))?;
            let curve = curve_from_oid(curve_oid)?;
            let scalar = info.private_key;
            let bad =
                |e: &dyn std::fmt::Display| KeyError::Malformed(format!("EC private key: {e}"));
            match curve {
                Curve::P256 => {
                    let sk = p256::SecretKey::from_sec1_der(scalar).map_err(|e| bad(&e))?;
                    let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &sk.public_key(),
                        false,
                    );
                    (
                        Inner::P256(sk),
                        PublicKey::from_ec_point(curve, point.as_bytes())?,
                    )
                }
                Curve::P384 => {
                    let sk = p384::SecretKey::from_sec1_der(scalar).map_err(|e| bad(&e))?;
                    let point = p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &sk.public_key(),
                        false,
                    );
                    (
                        Inner::P384(sk),
                        PublicKey::from_ec_point(curve, point.as_bytes())?,
                    )
                }
                Curve::P521 => {
                    let sk = p521::SecretKey::from_sec1_der(scalar).map_err(|e| bad(&e))?;
                    let point = p521::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &sk.public_key(),
                        false,
                    );
                    let public = PublicKey::from_ec_point(curve, point.as_bytes())?;
                    (Inner::P521(sk), public)
                }
            }
        } else {
            return Err(KeyError::Unsupported(format!(
                "private key algorithm {oid}"
            )));
        };
        Ok(PrivateKey {
            inner,
            pkcs8: der.to_vec(),
            public,
        })
    }

    /// The public half, with the scheme and key id signatures will carry.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Uses another scheme for signing (must fit the key).
    pub fn set_scheme(&mut self, scheme: Scheme) -> Result<(), KeyError> {
        self.public = self.public.with_scheme(scheme)?;
        Ok(())
    }

    /// PKCS#8 PEM of the key, encrypted (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) when a
    /// passphrase is given.
    pub fn to_pkcs8_pem(&self, passphrase: Option<&[u8]>) -> Result<String, KeyError> {
        match passphrase {
            None => Ok(pem_encode("PRIVATE KEY", &self.pkcs8)),
            Some(pass) => {
                let rng = SystemRandom::new();
                let mut salt = [0u8; 16];
                let mut iv = [0u8; 16];
                rng.fill(&mut salt).map_err(crypto)?;
                rng.fill(&mut iv).map_err(crypto)?;
                let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(
                    PBKDF2_ITERATIONS,
                    &salt,
                    &iv,
                )
                .map_err(crypto)?;
                let info = PrivateKeyInfo::from_der(&self.pkcs8).map_err(crypto)?;
                let doc = info.encrypt_with_params(params, pass).map_err(crypto)?;
                Ok(pem_encode("ENCRYPTED PRIVATE KEY", doc.as_bytes()))
            }
        }
    }

    /// Signs `message` with the key's scheme. ECDSA signatures are DER-encoded.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let scheme = self.public.scheme();
        Ok(match (&self.inner, scheme) {
            (Inner::Ed25519(kp), Scheme::Ed25519) => kp.sign(message).as_ref().to_vec(),
            (Inner::P256(k), Scheme::Ecdsa(Curve::P256)) => {
                crate::det_ecdsa::sign_p256(&k.to_nonzero_scalar(), message)?
            }
            (Inner::P384(k), Scheme::Ecdsa(Curve::P384)) => {
                crate::det_ecdsa::sign_p384(&k.to_nonzero_scalar(), message)?
            }
            (Inner::P521(k), Scheme::Ecdsa(Curve::P521)) => {
                crate::det_ecdsa::sign_p521(&k.to_nonzero_scalar(), message)?
            }
            (Inner::Rsa(kp), Scheme::RsaPss(h) | Scheme::RsaPkcs1v15(h)) => {
                let pss = matches!(scheme, Scheme::RsaPss(_));
                let alg: &'static dyn sig::RsaEncoding = match (pss, h) {
                    (true, Hash::Sha256) => &sig::RSA_PSS_SHA256,
                    (true, Hash::Sha384) => &sig::RSA_PSS_SHA384,
                    (true, Hash::Sha512) => &sig::RSA_PSS_SHA512,
                    (false, Hash::Sha256) => &sig::RSA_PKCS1_SHA256,
                    (false, Hash::Sha384) => &sig::RSA_PKCS1_SHA384,
                    (false, Hash::Sha512) => &sig::RSA_PKCS1_SHA512,
                };
                let mut out = vec![0u8; kp.public_modulus_len()];
                kp.sign(alg, &SystemRandom::new(), message, &mut out)
                    .map_err(crypto)?;
                out
            }
            _ => {
                return Err(KeyError::SchemeMismatch {
                    scheme: scheme.to_string(),
                    key: self.public.key_type().to_string(),
                });
            }
        })
    }
}

fn ec_pkcs8(doc: pkcs8::Result<pkcs8::SecretDocument>) -> Result<Vec<u8>, KeyError> {
    Ok(doc.map_err(crypto)?.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn hostile_kdf_cost_is_refused_without_trying() {
        let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(
            MAX_PBKDF2_ITERATIONS + 1,
            &[7u8; 16],
            &[9u8; 16],
        )
        .unwrap();
        let enc = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: params.into(),
            encrypted_data: &[0u8; 48],
        };
        let pem = pem_encode("ENCRYPTED PRIVATE KEY", &enc.to_der().unwrap());
        let err = PrivateKey::parse(pem.as_bytes(), Some(b"pw")).unwrap_err();
        assert!(err.to_string().contains("PBKDF2 iterations"), "{err}");
    }
}
