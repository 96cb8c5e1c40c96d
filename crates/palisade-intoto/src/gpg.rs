//! OpenPGP (GnuPG) keys and signatures as securesystemslib records them for in-toto
//! (`in-toto-run --gpg`, `in-toto-sign --gpg`): keys `{keyid, type, method, hashes,
//! keyval.public, subkeys?}` with `method` one of `pgp+rsa-pkcsv1.5`,
//! `pgp+dsa-fips-180-2`, `pgp+eddsa-ed25519`, and signatures `{keyid, signature,
//! other_headers}` over the canonical JSON of `signed`.
//!
//! Keyrings (binary `pubring.gpg` / `gpg --export`, or ASCII-armoured `gpg --export -a`)
//! are read by rPGP (the `pgp` crate, the project's one OpenPGP reader, also behind
//! `palisade verify commits`), and every signature is checked by rPGP's RSA, DSA and
//! Ed25519 implementations; this module only translates securesystemslib's records.

use std::collections::BTreeMap;

use palisade_cjson::Value;
use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::packet::{PubKeyInner, PublicKey};
use pgp::ser::Serialize;
use pgp::types::{
    KeyDetails, KeyVersion, Mpi, PublicParams, SignatureBytes, Timestamp, VerifyingKey,
};

/// Largest keyring read.
pub const MAX_KEYRING: usize = 64 * 1024 * 1024;
/// Most keys read from one keyring.
pub const MAX_KEYS: usize = 10_000;

/// The OpenPGP public-key algorithms securesystemslib supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpgAlgorithm {
    /// RSA, PKCS#1 v1.5 signatures (`pgp+rsa-pkcsv1.5`).
    Rsa,
    /// DSA (`pgp+dsa-fips-180-2`).
    Dsa,
    /// EdDSA over Ed25519 (`pgp+eddsa-ed25519`).
    EdDsa,
}

/// The OID of Ed25519 (legacy EdDSA) in OpenPGP.
const ED25519_OID: [u8; 9] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01];

impl GpgAlgorithm {
    fn method(self) -> &'static str {
        match self {
            GpgAlgorithm::Rsa => "pgp+rsa-pkcsv1.5",
            GpgAlgorithm::Dsa => "pgp+dsa-fips-180-2",
            GpgAlgorithm::EdDsa => "pgp+eddsa-ed25519",
        }
    }
    fn sslib_type(self) -> &'static str {
        match self {
            GpgAlgorithm::Rsa => "rsa",
            GpgAlgorithm::Dsa => "dsa",
            GpgAlgorithm::EdDsa => "eddsa",
        }
    }
    fn from_method(m: &str) -> Option<GpgAlgorithm> {
        match m {
            "pgp+rsa-pkcsv1.5" => Some(GpgAlgorithm::Rsa),
            "pgp+dsa-fips-180-2" => Some(GpgAlgorithm::Dsa),
            "pgp+eddsa-ed25519" => Some(GpgAlgorithm::EdDsa),
            _ => None,
        }
    }
    fn pgp(self) -> PublicKeyAlgorithm {
        match self {
            GpgAlgorithm::Rsa => PublicKeyAlgorithm::RSA,
            GpgAlgorithm::Dsa => PublicKeyAlgorithm::DSA,
            GpgAlgorithm::EdDsa => PublicKeyAlgorithm::EdDSALegacy,
        }
    }
    /// The OpenPGP algorithm ids a signature by this key may carry.
    fn signature_ids(self) -> &'static [u8] {
        match self {
            GpgAlgorithm::Rsa => &[1, 3],
            GpgAlgorithm::Dsa => &[17],
            GpgAlgorithm::EdDsa => &[22],
        }
    }
    /// securesystemslib's names of the public parameters, in wire order.
    fn fields(self) -> &'static [&'static str] {
        match self {
            GpgAlgorithm::Rsa => &["n", "e"],
            GpgAlgorithm::Dsa => &["p", "q", "g", "y"],
            GpgAlgorithm::EdDsa => &["q"],
        }
    }
}

/// An OpenPGP public key (and its subkeys) trusted to sign in-toto metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpgKey {
    /// The v4 fingerprint, lowercase hex (securesystemslib's key id).
    pub keyid: String,
    /// The algorithm.
    pub algorithm: GpgAlgorithm,
    /// securesystemslib's public parameters (`n`, `e` / `p`, `q`, `g`, `y` / `q`), as
    /// big-endian bytes in wire order.
    params: Vec<(&'static str, Vec<u8>)>,
    /// Subkeys by key id.
    pub subkeys: BTreeMap<String, GpgKey>,
}

/// A GPG signature of a Metablock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpgSignature {
    /// The signing (sub)key's fingerprint.
    pub keyid: String,
    /// The signature as securesystemslib records it, hex: the RSA value, a DER DSA
    /// signature, or Ed25519's `R || S`.
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

/// An OpenPGP MPI: bit count then the big-endian value without leading zeros.
fn push_mpi(out: &mut Vec<u8>, v: &[u8]) -> Result<(), String> {
    let v: &[u8] = match v.iter().position(|b| *b != 0) {
        Some(i) => &v[i..],
        None => &[],
    };
    let bits = match v.first() {
        Some(b) => (v.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
        None => 0,
    };
    let bits = u16::try_from(bits).map_err(|_| "a key parameter is too large".to_string())?;
    out.extend_from_slice(&bits.to_be_bytes());
    out.extend_from_slice(v);
    Ok(())
}

/// Reads `n` MPIs from the front of `data`.
fn read_mpis(mut data: &[u8], n: usize) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let bits = usize::from(u16::from_be_bytes([*data.first()?, *data.get(1)?]));
        let len = bits.div_ceil(8);
        out.push(data.get(2..2 + len)?.to_vec());
        data = &data[2 + len..];
    }
    Some(out)
}

impl GpgKey {
    /// Whether a securesystemslib key dict is an OpenPGP key (`method` or `scheme`
    /// `pgp+…`).
    pub fn is_gpg_value(v: &Value) -> bool {
        ["method", "scheme"].iter().any(|f| {
            v.get(f)
                .and_then(Value::as_str)
                .is_some_and(|m| m.starts_with("pgp+"))
        })
    }

    /// Reads a securesystemslib GPG key dict (`keyid` is taken from the dict, or from
    /// `fallback_keyid`).
    pub fn from_sslib_value(v: &Value, fallback_keyid: &str) -> Result<GpgKey, String> {
        Self::from_value_depth(v, fallback_keyid, 0)
    }

    fn from_value_depth(v: &Value, fallback_keyid: &str, depth: usize) -> Result<GpgKey, String> {
        let method = v
            .get("method")
            .or_else(|| v.get("scheme"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let algorithm = GpgAlgorithm::from_method(method).ok_or_else(|| {
            format!(
                "OpenPGP key method '{method}' is not supported (pgp+rsa-pkcsv1.5, \
                 pgp+dsa-fips-180-2, pgp+eddsa-ed25519)"
            )
        })?;
        let public = v
            .get("keyval")
            .and_then(|k| k.get("public"))
            .ok_or("no 'keyval.public'")?;
        let keyid = v
            .get("keyid")
            .and_then(Value::as_str)
            .unwrap_or(fallback_keyid)
            .to_lowercase();
        let mut params = Vec::new();
        for f in algorithm.fields() {
            params.push((*f, hex_field(public.get(f), &format!("keyval.public.{f}"))?));
        }
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
        let key = GpgKey {
            keyid,
            algorithm,
            params,
            subkeys,
        };
        // Refuse parameters rPGP would not accept now, not at verification time.
        key.pgp_key()?;
        Ok(key)
    }

    /// The securesystemslib dict of this key.
    pub fn to_sslib_value(&self) -> Value {
        let s = |x: &str| Value::String(x.to_string());
        let public: BTreeMap<String, Value> = self
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), s(&hex::encode(v))))
            .collect();
        let mut keyval = BTreeMap::new();
        keyval.insert("public".to_string(), Value::Object(public));
        keyval.insert("private".to_string(), s(""));
        let mut m = BTreeMap::new();
        m.insert("keyid".to_string(), s(&self.keyid));
        m.insert("type".to_string(), s(self.algorithm.sslib_type()));
        m.insert("method".to_string(), s(self.algorithm.method()));
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

    /// rPGP's view of this key (creation time is not part of securesystemslib's record
    /// and does not enter verification).
    fn pgp_key(&self) -> Result<PublicKey, String> {
        let mut wire = Vec::new();
        if self.algorithm == GpgAlgorithm::EdDsa {
            wire.push(ED25519_OID.len() as u8);
            wire.extend_from_slice(&ED25519_OID);
            let q = &self.params.first().ok_or("no Ed25519 point")?.1;
            if q.len() != 32 {
                return Err(format!("an Ed25519 key is 32 bytes, not {}", q.len()));
            }
            let mut point = vec![0x40];
            point.extend_from_slice(q);
            // the prefix byte makes the MPI 263 bits
            wire.extend_from_slice(&263u16.to_be_bytes());
            wire.extend_from_slice(&point);
        } else {
            for (_, v) in &self.params {
                push_mpi(&mut wire, v)?;
            }
        }
        let params =
            PublicParams::try_from_reader(self.algorithm.pgp(), Some(wire.len()), &wire[..])
                .map_err(|e| format!("OpenPGP key {}: {e}", self.keyid))?;
        let inner = PubKeyInner::new(
            KeyVersion::V4,
            self.algorithm.pgp(),
            Timestamp::from_secs(0),
            None,
            params,
        )
        .map_err(|e| format!("OpenPGP key {}: {e}", self.keyid))?;
        PublicKey::from_inner(inner).map_err(|e| format!("OpenPGP key {}: {e}", self.keyid))
    }

    /// Verifies a GPG signature over `content` made by this key or one of its subkeys.
    pub fn verify(&self, content: &[u8], sig: &GpgSignature) -> Result<(), String> {
        let key = self
            .key_for(&sig.keyid)
            .ok_or_else(|| format!("key {} did not make this signature", self.keyid))?;
        let headers =
            hex::decode(&sig.other_headers).map_err(|_| "other_headers is not hex".to_string())?;
        let raw = hex::decode(&sig.signature).map_err(|_| "signature is not hex".to_string())?;
        if headers.first() != Some(&4) || headers.len() < 6 {
            return Err("not a v4 OpenPGP signature".into());
        }
        let alg = headers[2];
        if !key.algorithm.signature_ids().contains(&alg) {
            return Err(format!(
                "signature algorithm {alg} does not match the {} key {}",
                key.algorithm.sslib_type(),
                key.keyid
            ));
        }
        let (hash, digest_alg): (HashAlgorithm, &'static aws_lc_rs::digest::Algorithm) =
            match headers[3] {
                8 => (HashAlgorithm::Sha256, &aws_lc_rs::digest::SHA256),
                9 => (HashAlgorithm::Sha384, &aws_lc_rs::digest::SHA384),
                10 => (HashAlgorithm::Sha512, &aws_lc_rs::digest::SHA512),
                11 => (HashAlgorithm::Sha224, &aws_lc_rs::digest::SHA224),
                other => {
                    return Err(format!(
                        "OpenPGP hash algorithm {other} is not supported (SHA-2 only)"
                    ));
                }
            };
        let len = u32::try_from(headers.len()).map_err(|_| "other_headers too long".to_string())?;
        let mut ctx = aws_lc_rs::digest::Context::new(digest_alg);
        ctx.update(content);
        ctx.update(&headers);
        ctx.update(&[0x04, 0xff]);
        ctx.update(&len.to_be_bytes());
        let digest = ctx.finish();
        let mpis = match key.algorithm {
            GpgAlgorithm::Rsa => vec![Mpi::from_slice(&raw)],
            GpgAlgorithm::Dsa => {
                let (r, s) = der_rs(&raw).ok_or("the DSA signature is not DER (r, s)")?;
                vec![Mpi::from_slice(r), Mpi::from_slice(s)]
            }
            GpgAlgorithm::EdDsa => {
                if raw.len() != 64 {
                    return Err("an Ed25519 signature is 64 bytes".into());
                }
                vec![Mpi::from_slice(&raw[..32]), Mpi::from_slice(&raw[32..])]
            }
        };
        key.pgp_key()?
            .verify(hash, digest.as_ref(), &SignatureBytes::Mpis(mpis))
            .map_err(|_| format!("the GPG signature by {} does not verify", sig.keyid))
    }

    fn from_pgp(fingerprint: &[u8], params: &PublicParams) -> Option<GpgKey> {
        let (algorithm, wire) = match params {
            PublicParams::RSA(_) => (GpgAlgorithm::Rsa, params.to_bytes().ok()?),
            PublicParams::DSA(_) => (GpgAlgorithm::Dsa, params.to_bytes().ok()?),
            PublicParams::EdDSALegacy(pgp::types::EddsaLegacyPublicParams::Ed25519 { key }) => {
                return Some(GpgKey {
                    keyid: hex::encode(fingerprint),
                    algorithm: GpgAlgorithm::EdDsa,
                    params: vec![("q", key.as_bytes().to_vec())],
                    subkeys: BTreeMap::new(),
                });
            }
            _ => return None,
        };
        let values = read_mpis(&wire, algorithm.fields().len())?;
        Some(GpgKey {
            keyid: hex::encode(fingerprint),
            algorithm,
            params: algorithm.fields().iter().copied().zip(values).collect(),
            subkeys: BTreeMap::new(),
        })
    }
}

/// `(r, s)` of a DER `SEQUENCE { INTEGER r, INTEGER s }` (short or long lengths).
fn der_rs(der: &[u8]) -> Option<(&[u8], &[u8])> {
    fn tlv(d: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        if *d.first()? != tag {
            return None;
        }
        let (len, start): (usize, usize) = match *d.get(1)? {
            l @ 0..=0x7f => (usize::from(l), 2),
            0x81 => (usize::from(*d.get(2)?), 3),
            0x82 => (usize::from(u16::from_be_bytes([*d.get(2)?, *d.get(3)?])), 4),
            _ => return None,
        };
        let body = d.get(start..start.checked_add(len)?)?;
        Some((body, &d[start + len..]))
    }
    let (seq, rest) = tlv(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (r, seq) = tlv(seq, 0x02)?;
    let (s, seq) = tlv(seq, 0x02)?;
    seq.is_empty().then_some((r, s))
}

/// Reads the RSA, DSA and Ed25519 primary keys (with their subkeys of those algorithms)
/// of an OpenPGP keyring, binary (`pubring.gpg`, `gpg --export`) or ASCII-armoured
/// (`gpg --export --armor`). Keys of other algorithms are skipped; a keyring that does
/// not parse is an error.
pub fn read_keyring(data: &[u8]) -> Result<Vec<GpgKey>, String> {
    if data.len() > MAX_KEYRING {
        return Err(format!("keyring larger than {MAX_KEYRING} bytes"));
    }
    // ASCII armour is taken off first; GnuPG 1's keyrings hold trust packets (tag 12,
    // local data of no meaning here) that would end a key early, so they are dropped.
    let trimmed = data.trim_ascii_start();
    let binary: Vec<u8> = if trimmed.starts_with(b"-----BEGIN PGP") {
        let mut out = Vec::new();
        let mut d = pgp::armor::Dearmor::new(std::io::BufReader::new(trimmed));
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut d, MAX_KEYRING as u64),
            &mut out,
        )
        .map_err(|e| format!("ASCII armour: {e}"))?;
        out
    } else {
        data.to_vec()
    };
    let packets = pgp::packet::PacketParser::new(&binary[..])
        .filter(|p| !matches!(p, Ok(pgp::packet::Packet::Trust(_))));
    let iter = SignedPublicKey::from_packets(packets.peekable());
    let mut keys = Vec::new();
    for (i, k) in iter.enumerate() {
        if i >= MAX_KEYS {
            return Err(format!("more than {MAX_KEYS} keys"));
        }
        let k = k.map_err(|e| format!("key {}: {e}", i + 1))?;
        let primary = &k.primary_key;
        let Some(mut key) =
            GpgKey::from_pgp(primary.fingerprint().as_bytes(), primary.public_params())
        else {
            continue;
        };
        for sub in &k.public_subkeys {
            if let Some(s) =
                GpgKey::from_pgp(sub.key.fingerprint().as_bytes(), sub.key.public_params())
            {
                key.subkeys.insert(s.keyid.clone(), s);
            }
        }
        keys.push(key);
    }
    if keys.is_empty() {
        return Err("no RSA, DSA or Ed25519 public key in the keyring".into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpis_round_trip() {
        let mut w = Vec::new();
        push_mpi(&mut w, &[0, 0, 1, 0xff]).unwrap();
        push_mpi(&mut w, &[0x80]).unwrap();
        assert_eq!(w, [0, 9, 1, 0xff, 0, 8, 0x80]);
        assert_eq!(read_mpis(&w, 2).unwrap(), vec![vec![1, 0xff], vec![0x80]]);
        assert!(read_mpis(&w, 3).is_none());
    }

    #[test]
    fn der_signatures_are_read_strictly() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07];
        assert_eq!(der_rs(&der), Some((&[5u8][..], &[7u8][..])));
        assert_eq!(der_rs(&der[..7]), None);
        let mut trailing = der.to_vec();
        trailing.push(0);
        assert_eq!(der_rs(&trailing), None);
    }
}
