//! OpenPGP (GnuPG) RSA keys and signatures as securesystemslib records them for in-toto
//! (`in-toto-run --gpg`, `in-toto-sign --gpg`): keys `{keyid, type: rsa, method:
//! pgp+rsa-pkcsv1.5, hashes, keyval.public: {n, e}, subkeys?}` and signatures `{keyid,
//! signature, other_headers}` over the canonical JSON of `signed`. Also reads RSA public
//! keys (and subkeys) from a binary GnuPG keyring (`pubring.gpg`, `gpg --export`).
//!
//! Only RSA (PKCS#1 v1.5) is supported; DSA and EdDSA OpenPGP keys are refused.

use std::collections::BTreeMap;

use palisade_cjson::Value;

/// An OpenPGP RSA public key (and its subkeys) trusted to sign in-toto metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpgKey {
    /// The v4 fingerprint, lowercase hex (securesystemslib's key id).
    pub keyid: String,
    /// Modulus, big-endian.
    pub n: Vec<u8>,
    /// Public exponent, big-endian.
    pub e: Vec<u8>,
    /// Subkeys by key id.
    pub subkeys: BTreeMap<String, GpgKey>,
}

/// A GPG signature of a Metablock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpgSignature {
    /// The signing (sub)key's fingerprint.
    pub keyid: String,
    /// The RSA signature, hex.
    pub signature: String,
    /// The signature packet's hashed part (version … hashed subpackets), hex.
    pub other_headers: String,
}

fn hex_field(v: Option<&Value>, what: &str) -> Result<Vec<u8>, String> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no string '{what}'"))?;
    hex::decode(s).map_err(|_| format!("'{what}' is not hex"))
}

impl GpgKey {
    /// Whether a securesystemslib key dict is an OpenPGP key (`method: pgp+…`).
    pub fn is_gpg_value(v: &Value) -> bool {
        v.get("method")
            .and_then(Value::as_str)
            .is_some_and(|m| m.starts_with("pgp+"))
    }

    /// Reads a securesystemslib GPG key dict (`keyid` is taken from the dict, or from
    /// `fallback_keyid`).
    pub fn from_sslib_value(v: &Value, fallback_keyid: &str) -> Result<GpgKey, String> {
        Self::from_value_depth(v, fallback_keyid, 0)
    }

    fn from_value_depth(v: &Value, fallback_keyid: &str, depth: usize) -> Result<GpgKey, String> {
        let method = v.get("method").and_then(Value::as_str).unwrap_or("");
        if method != "pgp+rsa-pkcsv1.5" {
            return Err(format!(
                "OpenPGP key method '{method}' is not supported (only pgp+rsa-pkcsv1.5)"
            ));
        }
        let public = v
            .get("keyval")
            .and_then(|k| k.get("public"))
            .ok_or("no 'keyval.public'")?;
        let keyid = v
            .get("keyid")
            .and_then(Value::as_str)
            .unwrap_or(fallback_keyid)
            .to_lowercase();
        let mut subkeys = BTreeMap::new();
        if let Some(Value::Object(subs)) = v.get("subkeys") {
            if depth > 0 || subs.len() > 64 {
                return Err("nested or too many subkeys".into());
            }
            for (id, sk) in subs {
                let k = Self::from_value_depth(sk, id, depth + 1)?;
                subkeys.insert(k.keyid.clone(), k);
            }
        }
        Ok(GpgKey {
            keyid,
            n: hex_field(public.get("n"), "keyval.public.n")?,
            e: hex_field(public.get("e"), "keyval.public.e")?,
            subkeys,
        })
    }

    /// The securesystemslib dict of this key.
    pub fn to_sslib_value(&self) -> Value {
        let s = |x: &str| Value::String(x.to_string());
        let mut public = BTreeMap::new();
        public.insert("n".to_string(), s(&hex::encode(&self.n)));
        public.insert("e".to_string(), s(&hex::encode(&self.e)));
        let mut keyval = BTreeMap::new();
        keyval.insert("public".to_string(), Value::Object(public));
        keyval.insert("private".to_string(), s(""));
        let mut m = BTreeMap::new();
        m.insert("keyid".to_string(), s(&self.keyid));
        m.insert("type".to_string(), s("rsa"));
        m.insert("method".to_string(), s("pgp+rsa-pkcsv1.5"));
        m.insert("hashes".to_string(), Value::Array(vec![s("pgp+SHA2")]));
        m.insert("keyval".to_string(), Value::Object(keyval));
        if !self.subkeys.is_empty() {
            m.insert(
                "subkeys".to_string(),
                Value::Object(
                    self.subkeys
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_sslib_value()))
                        .collect(),
                ),
            );
        }
        Value::Object(m)
    }

    /// This key and its subkeys, by key id.
    pub fn all_keyids(&self) -> Vec<&str> {
        std::iter::once(self.keyid.as_str())
            .chain(self.subkeys.keys().map(String::as_str))
            .collect()
    }

    fn key_for(&self, keyid: &str) -> Option<&GpgKey> {
        let keyid = keyid.to_lowercase();
        if self.keyid == keyid {
            Some(self)
        } else {
            self.subkeys.get(&keyid)
        }
    }

    /// Verifies a GPG signature over `content` made by this key or one of its subkeys.
    pub fn verify(&self, content: &[u8], sig: &GpgSignature) -> Result<(), String> {
        let key = self
            .key_for(&sig.keyid)
            .ok_or_else(|| format!("key {} did not make this signature", self.keyid))?;
        let headers =
            hex::decode(&sig.other_headers).map_err(|_| "other_headers is not hex".to_string())?;
        let mut signature =
            hex::decode(&sig.signature).map_err(|_| "signature is not hex".to_string())?;
        let params: &aws_lc_rs::signature::RsaParameters = match headers.get(3) {
            Some(8) => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            Some(9) => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA384,
            Some(10) => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA512,
            other => return Err(format!("OpenPGP hash algorithm {other:?} is not supported")),
        };
        if headers.first() != Some(&4) || headers.get(2) != Some(&1) {
            return Err("not a v4 RSA OpenPGP signature".into());
        }
        let modulus_len = key.n.iter().skip_while(|b| **b == 0).count();
        if signature.len() < modulus_len {
            let mut padded = vec![0u8; modulus_len - signature.len()];
            padded.extend_from_slice(&signature);
            signature = padded;
        }
        let len = u32::try_from(headers.len()).map_err(|_| "other_headers too long".to_string())?;
        let mut message = Vec::with_capacity(content.len() + headers.len() + 6);
        message.extend_from_slice(content);
        message.extend_from_slice(&headers);
        message.extend_from_slice(&[0x04, 0xff]);
        message.extend_from_slice(&len.to_be_bytes());
        let components = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: &key.n,
            e: &key.e,
        };
        components
            .verify(params, &message, &signature)
            .map_err(|_| format!("the GPG signature by {} does not verify", sig.keyid))
    }
}

/// Reads the RSA primary keys (with their RSA subkeys) of a binary OpenPGP keyring.
/// Keys of other algorithms are skipped.
pub fn read_keyring(data: &[u8]) -> Result<Vec<GpgKey>, String> {
    let mut keys: Vec<GpgKey> = Vec::new();
    let mut current_primary_is_rsa = false;
    let mut i = 0usize;
    let mut count = 0usize;
    while i < data.len() {
        count += 1;
        if count > 100_000 {
            return Err("too many packets".into());
        }
        let (tag, body, next) = packet(data, i)?;
        i = next;
        match tag {
            6 | 14 => {
                let parsed = rsa_public_key(body);
                if tag == 6 {
                    current_primary_is_rsa = parsed.is_some();
                    if let Some(k) = parsed {
                        keys.push(k);
                    }
                } else if let (Some(k), true, Some(primary)) =
                    (parsed, current_primary_is_rsa, keys.last_mut())
                {
                    primary.subkeys.insert(k.keyid.clone(), k);
                }
            }
            _ => {}
        }
    }
    Ok(keys)
}

/// One OpenPGP packet at `i`: (tag, body, index after it).
fn packet(data: &[u8], i: usize) -> Result<(u8, &[u8], usize), String> {
    let bad = || format!("malformed OpenPGP packet at byte {i}");
    let h = *data.get(i).ok_or_else(bad)?;
    if h & 0x80 == 0 {
        return Err(bad());
    }
    let (tag, len, start) = if h & 0x40 != 0 {
        let tag = h & 0x3f;
        let l0 = usize::from(*data.get(i + 1).ok_or_else(bad)?);
        match l0 {
            0..=191 => (tag, l0, i + 2),
            192..=223 => {
                let l1 = usize::from(*data.get(i + 2).ok_or_else(bad)?);
                (tag, ((l0 - 192) << 8) + l1 + 192, i + 3)
            }
            255 => {
                let b = data.get(i + 2..i + 6).ok_or_else(bad)?;
                (
                    tag,
                    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
                    i + 6,
                )
            }
            _ => {
                return Err(format!(
                    "partial-length OpenPGP packet at byte {i} is not supported"
                ));
            }
        }
    } else {
        let tag = (h >> 2) & 0x0f;
        match h & 3 {
            0 => (tag, usize::from(*data.get(i + 1).ok_or_else(bad)?), i + 2),
            1 => {
                let b = data.get(i + 1..i + 3).ok_or_else(bad)?;
                (tag, usize::from(u16::from_be_bytes([b[0], b[1]])), i + 3)
            }
            2 => {
                let b = data.get(i + 1..i + 5).ok_or_else(bad)?;
                (
                    tag,
                    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
                    i + 5,
                )
            }
            _ => return Err(format!("indeterminate-length OpenPGP packet at byte {i}")),
        }
    };
    let end = start.checked_add(len).ok_or_else(bad)?;
    let body = data.get(start..end).ok_or_else(bad)?;
    Ok((tag, body, end))
}

/// A v4 RSA public key packet body: its fingerprint, n and e.
fn rsa_public_key(body: &[u8]) -> Option<GpgKey> {
    if body.first() != Some(&4) || !matches!(body.get(5), Some(1..=3)) {
        return None;
    }
    let mut at = 6;
    let mut mpi = || -> Option<Vec<u8>> {
        let b = body.get(at..at + 2)?;
        let bits = usize::from(u16::from_be_bytes([b[0], b[1]]));
        let len = bits.div_ceil(8);
        let v = body.get(at + 2..at + 2 + len)?.to_vec();
        at += 2 + len;
        Some(v)
    };
    let n = mpi()?;
    let e = mpi()?;
    let mut hashed = vec![0x99];
    hashed.extend_from_slice(&u16::try_from(body.len()).ok()?.to_be_bytes());
    hashed.extend_from_slice(body);
    let fp = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &hashed);
    Some(GpgKey {
        keyid: hex::encode(fp),
        n,
        e,
        subkeys: BTreeMap::new(),
    })
}
