//! Public keys: reading every format, key ids, verification.

use std::collections::BTreeMap;

use std::sync::{Arc, OnceLock};

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use der::asn1::{BitString, ObjectIdentifier};
use der::{Decode, Encode};
use palisade_cjson::Value;
use pkcs8::EncodePublicKey;

use crate::pem::{pem_decode, pem_encode};
use crate::scheme::{Curve, Hash, KeyType, Scheme};
use crate::{KeyError, sha256_hex};

pub(crate) const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
pub(crate) const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// The smallest RSA modulus accepted (bits).
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted (bits).
pub const MAX_RSA_BITS: usize = 8192;

/// The raw material of a public key, in the form the verifier takes.
#[derive(Clone, PartialEq, Eq)]
enum Material {
    /// 32 raw bytes
    Ed25519(Vec<u8>),
    /// uncompressed SEC1 point
    Ecdsa(Curve, Vec<u8>),
    /// PKCS#1 RSAPublicKey DER
    Rsa(Vec<u8>),
}

/// A public key with its securesystemslib identity (keytype, scheme, keyval, key id).
#[derive(Clone)]
pub struct PublicKey {
    material: Material,
    key_type: KeyType,
    scheme: Scheme,
    /// `keytype` as written in the source (keeps the legacy `ecdsa-sha2-nistp256`).
    keytype_label: String,
    /// `keyval.public` exactly as securesystemslib stores it (hex or PEM).
    keyval_public: String,
    /// Other fields of a JSON key (legacy `keyid_hash_algorithms`, custom `x-…` fields):
    /// securesystemslib keeps them and they are part of the key id.
    extra: BTreeMap<String, Value>,
    /// Other fields of `keyval` than `public` and `private`.
    keyval_extra: BTreeMap<String, Value>,
    keyid: String,
    /// the key parsed for the crypto library, on first verification
    parsed: Arc<OnceLock<Option<Parsed>>>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.material == other.material
            && self.scheme == other.scheme
            && self.keytype_label == other.keytype_label
            && self.keyval_public == other.keyval_public
            && self.extra == other.extra
            && self.keyval_extra == other.keyval_extra
    }
}

impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("keyid", &self.keyid)
            .field("key_type", &self.key_type)
            .field("scheme", &self.scheme)
            .finish()
    }
}

impl PublicKey {
    /// Reads a public key in any supported format: SPKI PEM (`PUBLIC KEY`), PKCS#1 PEM
    /// (`RSA PUBLIC KEY`), an OpenSSH public key line, or a securesystemslib / in-toto
    /// JSON key. A private key (PEM or JSON) yields its public half — but an encrypted
    /// private key needs [`crate::PrivateKey::parse`] and a passphrase.
    ///
    /// `scheme` overrides the default scheme for the key type (PEM and SSH keys) or
    /// replaces the scheme of a JSON key; the key id follows the scheme.
    pub fn parse(bytes: &[u8], scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        let trimmed = trim_ascii(bytes);
        if trimmed.starts_with(b"{") {
            let key = Self::from_sslib_json(trimmed)?;
            return match scheme {
                Some(s) => key.with_scheme(s),
                None => Ok(key),
            };
        }
        if trimmed.starts_with(b"ssh-") || trimmed.starts_with(b"ecdsa-sha2-") {
            return Self::from_openssh(trimmed, scheme);
        }
        if trimmed.windows(11).any(|w| w == b"-----BEGIN ") {
            let block = pem_decode(trimmed)?;
            return match block.label.as_str() {
                "PUBLIC KEY" => Self::from_spki_der(&block.der, scheme),
                "RSA PUBLIC KEY" => Self::from_material(Material::Rsa(block.der), scheme),
                _ => Ok(crate::PrivateKey::parse(trimmed, None)?
                    .public_key()
                    .with_scheme_opt(scheme)?),
            };
        }
        Err(KeyError::Unrecognised(
            "expected a PEM key, an OpenSSH public key or a securesystemslib JSON key".into(),
        ))
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8], scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("SubjectPublicKeyInfo: {e}")))?;
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| KeyError::Malformed("public key bit string is not whole bytes".into()))?
            .to_vec();
        let material = if spki.algorithm.oid == OID_ED25519 {
            Material::Ed25519(key_bytes)
        } else if spki.algorithm.oid == OID_RSA {
            Material::Rsa(key_bytes)
        } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
            let curve_oid: ObjectIdentifier = spki
                .algorithm
                .parameters
                .ok_or_else(|| KeyError::Malformed("EC key without curve parameters".into()))?
                .decode_as()
                .map_err(|e| KeyError::Unsupported(format!("EC curve parameters: {e}")))?;
            Material::Ecdsa(curve_from_oid(curve_oid)?, key_bytes)
        } else {
            return Err(KeyError::Unsupported(format!(
                "public key algorithm {}",
                spki.algorithm.oid
            )));
        };
        Self::from_material(material, scheme)
    }

    /// Reads an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    pub fn from_openssh(line: &[u8], scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        let text = std::str::from_utf8(line)
            .map_err(|_| KeyError::Malformed("OpenSSH key is not UTF-8".into()))?;
        let key = ssh_key::PublicKey::from_openssh(text.trim())
            .map_err(|e| KeyError::Malformed(format!("OpenSSH public key: {e}")))?;
        Self::from_ssh_key_data(key.key_data(), scheme)
    }

    /// Reads an SSH public key in its wire encoding (RFC 4253 §6.6: `string type` then the
    /// type's fields), as SSHSIG blobs and OpenSSH certificates carry it.
    pub fn from_ssh_wire(blob: &[u8], scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        let key = ssh_key::PublicKey::from_bytes(blob)
            .map_err(|e| KeyError::Malformed(format!("SSH public key: {e}")))?;
        Self::from_ssh_key_data(key.key_data(), scheme)
    }

    fn from_ssh_key_data(
        data: &ssh_key::public::KeyData,
        scheme: Option<Scheme>,
    ) -> Result<PublicKey, KeyError> {
        let material = match data {
            ssh_key::public::KeyData::Ed25519(k) => Material::Ed25519(k.0.to_vec()),
            ssh_key::public::KeyData::Ecdsa(k) => {
                let curve = match k {
                    ssh_key::public::EcdsaPublicKey::NistP256(_) => Curve::P256,
                    ssh_key::public::EcdsaPublicKey::NistP384(_) => Curve::P384,
                    ssh_key::public::EcdsaPublicKey::NistP521(_) => Curve::P521,
                };
                Material::Ecdsa(curve, k.as_sec1_bytes().to_vec())
            }
            ssh_key::public::KeyData::Rsa(k) => {
                let n =
                    k.n.as_positive_bytes()
                        .ok_or_else(|| KeyError::Malformed("RSA modulus is negative".into()))?;
                let e =
                    k.e.as_positive_bytes()
                        .ok_or_else(|| KeyError::Malformed("RSA exponent is negative".into()))?;
                let pk = pkcs1::RsaPublicKey {
                    modulus: der::asn1::UintRef::new(n)
                        .map_err(|e| KeyError::Malformed(format!("RSA modulus: {e}")))?,
                    public_exponent: der::asn1::UintRef::new(e)
                        .map_err(|e| KeyError::Malformed(format!("RSA exponent: {e}")))?,
                };
                Material::Rsa(
                    pk.to_der()
                        .map_err(|e| KeyError::Malformed(format!("RSA key: {e}")))?,
                )
            }
            other => {
                return Err(KeyError::Unsupported(format!(
                    "OpenSSH key type {}",
                    other.algorithm()
                )));
            }
        };
        Self::from_material(material, scheme)
    }

    /// Reads a securesystemslib / in-toto JSON key (`{keytype, scheme, keyval}`), public or
    /// private. The key id is sha256 over the canonical JSON of the whole key dict without
    /// `keyid` and `keyval.private`: `{keytype, scheme, keyval}` for a modern key, plus the
    /// legacy `keyid_hash_algorithms` or custom fields when the key carries them — as
    /// securesystemslib, in-toto and TUF tools computed the ids they recorded.
    pub fn from_sslib_json(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let v = palisade_cjson::parse_with(
            bytes,
            palisade_cjson::Limits {
                max_depth: 8,
                ..palisade_cjson::Limits::default()
            },
        )
        .map_err(|e| KeyError::Malformed(format!("JSON key: {e}")))?;
        Self::from_sslib_value(&v)
    }

    /// Like [`PublicKey::from_sslib_json`], from a parsed value (e.g. an entry of a TUF
    /// root's or in-toto layout's `keys`).
    pub fn from_sslib_value(v: &Value) -> Result<PublicKey, KeyError> {
        let field = |name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| KeyError::Malformed(format!("JSON key has no string '{name}'")))
        };
        let keytype = field("keytype")?;
        let scheme: Scheme = field("scheme")?.parse()?;
        let public = v
            .get("keyval")
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::Malformed("JSON key has no string 'keyval.public'".into()))?;
        let material = match keytype {
            "ed25519" => {
                let raw = hex::decode(public)
                    .map_err(|_| KeyError::Malformed("ed25519 keyval.public is not hex".into()))?;
                Material::Ed25519(raw)
            }
            "ecdsa" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "rsa" => {
                let block = pem_decode(public.as_bytes())?;
                let key = match block.label.as_str() {
                    "PUBLIC KEY" => Self::from_spki_der(&block.der, Some(scheme))?,
                    "RSA PUBLIC KEY" => {
                        Self::from_material(Material::Rsa(block.der), Some(scheme))?
                    }
                    other => {
                        return Err(KeyError::Malformed(format!(
                            "keyval.public holds a '{other}' PEM block"
                        )));
                    }
                };
                let expected = key.key_type.sslib_keytype();
                let legacy_ok = keytype.starts_with("ecdsa-sha2-") && expected == "ecdsa";
                if keytype != expected && !legacy_ok {
                    return Err(KeyError::Malformed(format!(
                        "keytype '{keytype}' but keyval.public is a {} key",
                        key.key_type
                    )));
                }
                key.material
            }
            other => return Err(KeyError::Unsupported(format!("keytype '{other}'"))),
        };
        let Value::Object(fields) = v else {
            return Err(KeyError::Malformed("a JSON key must be an object".into()));
        };
        let extra: BTreeMap<String, Value> = fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "keytype" | "scheme" | "keyval" | "keyid"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let keyval_extra: BTreeMap<String, Value> = match v.get("keyval") {
            Some(Value::Object(kv)) => kv
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "public" | "private"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => BTreeMap::new(),
        };
        let mut key = Self::from_material(material, Some(scheme))?;
        key.keytype_label = keytype.to_string();
        key.keyval_public = public.to_string();
        key.extra = extra;
        key.keyval_extra = keyval_extra;
        key.keyid = key.compute_keyid();
        Ok(key)
    }

    fn from_material(material: Material, scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        // keep EC points uncompressed, as the verifier and OpenSSL's SPKI want them
        let material = match material {
            Material::Ecdsa(curve, point) => {
                Material::Ecdsa(curve, ec_uncompressed(curve, &point)?)
            }
            m => m,
        };
        let (key_type, keyval_public) = match &material {
            Material::Ed25519(raw) => {
                if raw.len() != 32 {
                    return Err(KeyError::Malformed(format!(
                        "ed25519 public key is {} bytes, not 32",
                        raw.len()
                    )));
                }
                (KeyType::Ed25519, hex::encode(raw))
            }
            Material::Ecdsa(curve, point) => {
                let spki = ec_spki_der(*curve, point)?;
                (KeyType::Ecdsa(*curve), pem_encode("PUBLIC KEY", &spki))
            }
            Material::Rsa(pkcs1_der) => {
                let pk = pkcs1::RsaPublicKey::from_der(pkcs1_der)
                    .map_err(|e| KeyError::Malformed(format!("RSA public key: {e}")))?;
                let n = pk.modulus.as_bytes();
                let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
                if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                    return Err(KeyError::Unsupported(format!(
                        "RSA modulus of {bits} bits (allowed: {MIN_RSA_BITS} to {MAX_RSA_BITS})"
                    )));
                }
                let spki = spki::SubjectPublicKeyInfoOwned {
                    algorithm: spki::AlgorithmIdentifierOwned {
                        oid: OID_RSA,
                        parameters: Some(der::asn1::Null.into()),
                    },
                    subject_public_key: BitString::from_bytes(pkcs1_der)
                        .map_err(|e| KeyError::Malformed(e.to_string()))?,
                }
                .to_der()
                .map_err(|e| KeyError::Malformed(e.to_string()))?;
                (KeyType::Rsa(bits), pem_encode("PUBLIC KEY", &spki))
            }
        };
        let scheme = scheme.unwrap_or(key_type.default_scheme());
        scheme.check_fits(key_type)?;
        let mut key = PublicKey {
            material,
            key_type,
            scheme,
            keytype_label: key_type.sslib_keytype().to_string(),
            keyval_public,
            extra: BTreeMap::new(),
            keyval_extra: BTreeMap::new(),
            keyid: String::new(),
            parsed: Arc::default(),
        };
        key.keyid = key.compute_keyid();
        Ok(key)
    }

    pub(crate) fn from_ed25519_raw(raw: &[u8]) -> Result<PublicKey, KeyError> {
        Self::from_material(Material::Ed25519(raw.to_vec()), None)
    }
    pub(crate) fn from_ec_point(curve: Curve, point: &[u8]) -> Result<PublicKey, KeyError> {
        Self::from_material(Material::Ecdsa(curve, point.to_vec()), None)
    }
    pub(crate) fn from_rsa_pkcs1(der: &[u8]) -> Result<PublicKey, KeyError> {
        Self::from_material(Material::Rsa(der.to_vec()), None)
    }

    /// The same key under another scheme (the key id changes with it).
    pub fn with_scheme(&self, scheme: Scheme) -> Result<PublicKey, KeyError> {
        scheme.check_fits(self.key_type)?;
        let mut k = self.clone();
        k.scheme = scheme;
        k.keyid = k.compute_keyid();
        k.parsed = Arc::default();
        Ok(k)
    }

    pub(crate) fn with_scheme_opt(&self, scheme: Option<Scheme>) -> Result<PublicKey, KeyError> {
        match scheme {
            Some(s) => self.with_scheme(s),
            None => Ok(self.clone()),
        }
    }

    /// The securesystemslib dict of this key: `{keytype, scheme, keyval: {public}}`, plus
    /// any other fields a JSON key carried (legacy `keyid_hash_algorithms`, custom
    /// fields). Its canonical JSON hashes to the key id.
    pub fn to_sslib_value(&self) -> Value {
        let mut keyval = self.keyval_extra.clone();
        keyval.insert("public".into(), Value::String(self.keyval_public.clone()));
        let mut m = self.extra.clone();
        m.insert("keytype".into(), Value::String(self.keytype_label.clone()));
        m.insert("scheme".into(), Value::String(self.scheme.to_string()));
        m.insert("keyval".into(), Value::Object(keyval));
        Value::Object(m)
    }

    fn compute_keyid(&self) -> String {
        sha256_hex(&palisade_cjson::encode(&self.to_sslib_value()))
    }

    /// The securesystemslib key id (64 hex digits).
    pub fn keyid(&self) -> &str {
        &self.keyid
    }
    /// The signature scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
    /// The kind of key.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }
    /// `keyval.public` (hex for Ed25519, SPKI PEM otherwise).
    pub fn keyval_public(&self) -> &str {
        &self.keyval_public
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        match &self.material {
            Material::Ed25519(raw) => {
                let mut der = vec![
                    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
                ];
                der.extend_from_slice(raw);
                Ok(der)
            }
            Material::Ecdsa(curve, point) => ec_spki_der(*curve, point),
            Material::Rsa(_) => Ok(pem_decode(self.keyval_public.as_bytes())?.der),
        }
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        Ok(pem_encode("PUBLIC KEY", &self.to_spki_der()?))
    }

    /// Verifies `signature` over `message` with this key's scheme.
    ///
    /// ECDSA signatures may be DER or raw `r‖s`. The key is parsed for the crypto library
    /// once, on first use, and kept for later verifications.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
        let parsed = self
            .parsed
            .get_or_init(|| self.parse_for_verification().ok())
            .as_ref()
            .ok_or_else(|| KeyError::Malformed("the crypto library rejects this key".into()))?;
        if let (Some(fixed), Material::Ecdsa(curve, _)) = (&parsed.fixed, &self.material)
            && signature.len() == 2 * curve.field_len()
            && fixed.verify_sig(message, signature).is_ok()
        {
            return Ok(());
        }
        parsed
            .primary
            .verify_sig(message, signature)
            .map_err(|_| KeyError::BadSignature)
    }

    fn parse_for_verification(&self) -> Result<Parsed, KeyError> {
        let parse = |alg: &'static dyn VerificationAlgorithm, key: &[u8]| {
            ParsedPublicKey::new(alg, key).map_err(|e| KeyError::Malformed(e.to_string()))
        };
        match (&self.material, self.scheme) {
            (Material::Ed25519(raw), Scheme::Ed25519) => Ok(Parsed {
                primary: parse(&sig::ED25519, raw)?,
                fixed: None,
            }),
            (Material::Ecdsa(curve, point), Scheme::Ecdsa(_)) => {
                let (asn1, fixed): (
                    &'static dyn VerificationAlgorithm,
                    &'static dyn VerificationAlgorithm,
                ) = match curve {
                    Curve::P256 => (&sig::ECDSA_P256_SHA256_ASN1, &sig::ECDSA_P256_SHA256_FIXED),
                    Curve::P384 => (&sig::ECDSA_P384_SHA384_ASN1, &sig::ECDSA_P384_SHA384_FIXED),
                    Curve::P521 => (&sig::ECDSA_P521_SHA512_ASN1, &sig::ECDSA_P521_SHA512_FIXED),
                };
                Ok(Parsed {
                    primary: parse(asn1, point)?,
                    fixed: Some(parse(fixed, point)?),
                })
            }
            (Material::Rsa(der), Scheme::RsaPss(h)) => Ok(Parsed {
                primary: parse(
                    match h {
                        Hash::Sha256 => &sig::RSA_PSS_2048_8192_SHA256,
                        Hash::Sha384 => &sig::RSA_PSS_2048_8192_SHA384,
                        Hash::Sha512 => &sig::RSA_PSS_2048_8192_SHA512,
                    },
                    der,
                )?,
                fixed: None,
            }),
            (Material::Rsa(der), Scheme::RsaPkcs1v15(h)) => Ok(Parsed {
                primary: parse(
                    match h {
                        Hash::Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                        Hash::Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
                        Hash::Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
                    },
                    der,
                )?,
                fixed: None,
            }),
            _ => Err(KeyError::SchemeMismatch {
                scheme: self.scheme.to_string(),
                key: self.key_type.to_string(),
            }),
        }
    }
}

/// A key as the crypto library holds it, parsed once.
struct Parsed {
    primary: ParsedPublicKey,
    /// raw `r‖s` verifier for ECDSA keys
    fixed: Option<ParsedPublicKey>,
}

pub(crate) fn curve_from_oid(oid: ObjectIdentifier) -> Result<Curve, KeyError> {
    if oid == OID_P256 {
        Ok(Curve::P256)
    } else if oid == OID_P384 {
        Ok(Curve::P384)
    } else if oid == OID_P521 {
        Ok(Curve::P521)
    } else {
        Err(KeyError::Unsupported(format!("elliptic curve {oid}")))
    }
}

/// Validates an EC point and returns the canonical SPKI DER (uncompressed point), as
/// OpenSSL writes it.
fn ec_spki_der(curve: Curve, point: &[u8]) -> Result<Vec<u8>, KeyError> {
    let bad = |e: &dyn std::fmt::Display| {
        KeyError::Malformed(format!("not a valid {} point: {e}", curve.nist_name()))
    };
    let doc = match curve {
        Curve::P256 => p256::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_public_key_der(),
        Curve::P384 => p384::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_public_key_der(),
        Curve::P521 => p521::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_public_key_der(),
    };
    Ok(doc.map_err(|e| bad(&e))?.as_bytes().to_vec())
}

fn ec_uncompressed(curve: Curve, point: &[u8]) -> Result<Vec<u8>, KeyError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let bad = |e: &dyn std::fmt::Display| {
        KeyError::Malformed(format!("not a valid {} point: {e}", curve.nist_name()))
    };
    Ok(match curve {
        Curve::P256 => p256::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        Curve::P384 => p384::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        Curve::P521 => p521::PublicKey::from_sec1_bytes(point)
            .map_err(|e| bad(&e))?
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
    })
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    b.trim_ascii()
}
