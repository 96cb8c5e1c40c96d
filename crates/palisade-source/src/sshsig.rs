//! SSHSIG blobs (OpenSSH `PROTOCOL.sshsig`) and OpenSSH certificates
//! (`PROTOCOL.certkeys`), read with our own bounded wire reader.
//!
//! ssh-key 0.6 cannot read an SSHSIG whose public key is a certificate, so the framing
//! is parsed here; the keys themselves are handed to `palisade-keys`, which verifies.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use palisade_keys::{PublicKey, Scheme};
use sha2::Digest;

/// Largest armored SSH signature read (a certificate-bearing RSA-16384 SSHSIG is far
/// smaller).
pub const MAX_SSHSIG_ARMOR: usize = 64 * 1024;

/// What is wrong with an SSH signature or certificate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SshSigError {
    /// Not an armored SSH signature, or not base64.
    #[error("SSH signature armor: {0}")]
    Armor(String),
    /// The binary structure is malformed (the offset says where).
    #[error("malformed {what} at byte {offset}: {reason}")]
    Malformed {
        /// "SSHSIG" or "certificate"
        what: &'static str,
        /// byte offset into the blob
        offset: usize,
        /// what is wrong
        reason: String,
    },
    /// A key or signature algorithm this version does not verify.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The signature does not verify.
    #[error("signature does not verify: {0}")]
    Bad(String),
}

/// A bounded reader over SSH wire encoding (RFC 4251 §5).
pub(crate) struct Wire<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Wire<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Wire { buf, pos: 0, what }
    }
    fn err(&self, reason: impl Into<String>) -> SshSigError {
        SshSigError::Malformed {
            what: self.what,
            offset: self.pos,
            reason: reason.into(),
        }
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], SshSigError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.err(format!("needs {n} more bytes, message is truncated")))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    pub(crate) fn u32(&mut self) -> Result<u32, SshSigError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, SshSigError> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    pub(crate) fn string(&mut self) -> Result<&'a [u8], SshSigError> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
    pub(crate) fn text(&mut self) -> Result<&'a str, SshSigError> {
        let at = self.pos;
        let s = self.string()?;
        std::str::from_utf8(s).map_err(|_| SshSigError::Malformed {
            what: self.what,
            offset: at,
            reason: "string is not UTF-8".into(),
        })
    }
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// `SHA256:…` (unpadded base64 of sha256 over the key blob), as ssh-keygen and git print.
pub fn fingerprint(blob: &[u8]) -> String {
    format!(
        "SHA256:{}",
        STANDARD_NO_PAD.encode(sha2::Sha256::digest(blob))
    )
}

/// The key-type name at the start of a key blob (`ssh-ed25519`, …).
pub(crate) fn key_type(blob: &[u8]) -> Result<&str, SshSigError> {
    Wire::new(blob, "public key").text()
}

/// An OpenSSH certificate, as far as signature checking needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The certified key, as a plain key blob.
    pub key: Vec<u8>,
    /// The certificate's serial.
    pub serial: u64,
    /// 1 user, 2 host.
    pub cert_type: u32,
    /// The key id the CA wrote.
    pub key_id: String,
    /// The principals it is valid for (empty: any, which git's policy refuses).
    pub principals: Vec<String>,
    /// Valid from (seconds since the epoch).
    pub valid_after: u64,
    /// Valid before (seconds since the epoch).
    pub valid_before: u64,
    /// Names of critical options (none are understood for signatures).
    pub critical_options: Vec<String>,
    /// The CA's key blob.
    pub ca_key: Vec<u8>,
    signed: Vec<u8>,
    signature: Vec<u8>,
}

/// Maximum principals accepted in one certificate.
const MAX_PRINCIPALS: usize = 256;

impl Certificate {
    /// Reads a certificate blob (`ssh-ed25519-cert-v01@openssh.com` …).
    pub fn parse(blob: &[u8]) -> Result<Certificate, SshSigError> {
        let mut w = Wire::new(blob, "certificate");
        let ty = w.text()?;
        let base = ty
            .strip_suffix("-cert-v01@openssh.com")
            .ok_or_else(|| SshSigError::Unsupported(format!("certificate type {ty}")))?;
        let _nonce = w.string()?;
        let mut key = Vec::new();
        put_string(&mut key, base.as_bytes());
        match base {
            "ssh-ed25519" => put_string(&mut key, w.string()?),
            "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => {
                put_string(&mut key, w.string()?);
                put_string(&mut key, w.string()?);
            }
            "ssh-rsa" => {
                put_string(&mut key, w.string()?);
                put_string(&mut key, w.string()?);
            }
            other => {
                return Err(SshSigError::Unsupported(format!(
                    "certificate for key type {other}"
                )));
            }
        }
        let serial = w.u64()?;
        let cert_type = w.u32()?;
        let key_id = w.text()?.to_string();
        let mut principals = Vec::new();
        let mut pw = Wire::new(w.string()?, "certificate principals");
        while !pw.is_empty() {
            if principals.len() >= MAX_PRINCIPALS {
                return Err(SshSigError::Unsupported(format!(
                    "more than {MAX_PRINCIPALS} principals"
                )));
            }
            principals.push(pw.text()?.to_string());
        }
        let valid_after = w.u64()?;
        let valid_before = w.u64()?;
        let mut critical_options = Vec::new();
        let mut cw = Wire::new(w.string()?, "certificate critical options");
        while !cw.is_empty() {
            critical_options.push(cw.text()?.to_string());
            let _value = cw.string()?;
        }
        let _extensions = w.string()?;
        let _reserved = w.string()?;
        let ca_key = w.string()?.to_vec();
        let signed = blob[..w.pos()].to_vec();
        let signature = w.string()?.to_vec();
        if !w.is_empty() {
            return Err(SshSigError::Malformed {
                what: "certificate",
                offset: w.pos(),
                reason: "trailing bytes".into(),
            });
        }
        Ok(Certificate {
            key,
            serial,
            cert_type,
            key_id,
            principals,
            valid_after,
            valid_before,
            critical_options,
            ca_key,
            signed,
            signature,
        })
    }

    /// Checks the CA's signature over the certificate.
    pub fn verify_ca_signature(&self) -> Result<(), SshSigError> {
        verify_ssh_signature(&self.ca_key, &self.signed, &self.signature)
    }

    /// Whether `t` (seconds) lies in the certificate's validity period.
    pub fn valid_at(&self, t: i64) -> bool {
        let t = u64::try_from(t).unwrap_or(0);
        self.valid_after <= t && t < self.valid_before
    }
}

/// The public key an SSHSIG was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// A plain key blob.
    Key(Vec<u8>),
    /// A certificate (the signature is made by its certified key).
    Cert(Box<Certificate>),
}

impl Signer {
    /// The key that made the signature.
    pub fn signing_key(&self) -> &[u8] {
        match self {
            Signer::Key(k) => k,
            Signer::Cert(c) => &c.key,
        }
    }
}

/// A parsed SSHSIG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSig {
    /// The public key (or certificate) blob as carried.
    pub public_key: Vec<u8>,
    /// Who signed.
    pub signer: Signer,
    /// The namespace signed into the signature (`git` for git objects).
    pub namespace: String,
    reserved: Vec<u8>,
    /// `sha256` or `sha512`.
    pub hash_alg: String,
    signature: Vec<u8>,
}

impl SshSig {
    /// Reads an armored `-----BEGIN SSH SIGNATURE-----` block.
    pub fn from_armor(text: &[u8]) -> Result<SshSig, SshSigError> {
        if text.len() > MAX_SSHSIG_ARMOR {
            return Err(SshSigError::Armor(format!(
                "larger than {MAX_SSHSIG_ARMOR} bytes"
            )));
        }
        let text = std::str::from_utf8(text).map_err(|_| SshSigError::Armor("not UTF-8".into()))?;
        let mut lines = text.lines().map(str::trim);
        if lines.next() != Some("-----BEGIN SSH SIGNATURE-----") {
            return Err(SshSigError::Armor(
                "does not start with -----BEGIN SSH SIGNATURE-----".into(),
            ));
        }
        let mut b64 = String::new();
        let mut ended = false;
        for l in lines {
            if l == "-----END SSH SIGNATURE-----" {
                ended = true;
                break;
            }
            b64.push_str(l);
        }
        if !ended {
            return Err(SshSigError::Armor(
                "no -----END SSH SIGNATURE----- line".into(),
            ));
        }
        let blob = STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| SshSigError::Armor(format!("base64: {e}")))?;
        Self::from_blob(&blob)
    }

    /// Reads the binary SSHSIG.
    pub fn from_blob(blob: &[u8]) -> Result<SshSig, SshSigError> {
        let mut w = Wire::new(blob, "SSHSIG");
        if w.bytes(6)? != b"SSHSIG" {
            return Err(SshSigError::Malformed {
                what: "SSHSIG",
                offset: 0,
                reason: "magic is not SSHSIG".into(),
            });
        }
        let version = w.u32()?;
        if version != 1 {
            return Err(SshSigError::Unsupported(format!(
                "SSHSIG version {version}"
            )));
        }
        let public_key = w.string()?.to_vec();
        let namespace = w.text()?.to_string();
        let reserved = w.string()?.to_vec();
        let hash_alg = w.text()?.to_string();
        let signature = w.string()?.to_vec();
        if !w.is_empty() {
            return Err(SshSigError::Malformed {
                what: "SSHSIG",
                offset: w.pos(),
                reason: "trailing bytes".into(),
            });
        }
        let ty = key_type(&public_key)?;
        let signer = if ty.ends_with("-cert-v01@openssh.com") {
            Signer::Cert(Box::new(Certificate::parse(&public_key)?))
        } else {
            Signer::Key(public_key.clone())
        };
        Ok(SshSig {
            public_key,
            signer,
            namespace,
            reserved,
            hash_alg,
            signature,
        })
    }

    /// Verifies the signature over `message` in `namespace` (the signature's own namespace
    /// must equal it). Certificates are *not* checked here (see [`Certificate`]).
    pub fn verify(&self, namespace: &str, message: &[u8]) -> Result<(), SshSigError> {
        if self.namespace != namespace {
            return Err(SshSigError::Bad(format!(
                "signature namespace is {:?}, expected {namespace:?}",
                self.namespace
            )));
        }
        let digest: Vec<u8> = match self.hash_alg.as_str() {
            "sha512" => sha2::Sha512::digest(message).to_vec(),
            "sha256" => sha2::Sha256::digest(message).to_vec(),
            other => return Err(SshSigError::Unsupported(format!("SSHSIG hash {other}"))),
        };
        let mut signed = b"SSHSIG".to_vec();
        put_string(&mut signed, self.namespace.as_bytes());
        put_string(&mut signed, &self.reserved);
        put_string(&mut signed, self.hash_alg.as_bytes());
        put_string(&mut signed, &digest);
        verify_ssh_signature(self.signer.signing_key(), &signed, &self.signature)
    }
}

/// Verifies an SSH signature blob (`string alg, string sig`) by `key_blob` over `data`.
pub(crate) fn verify_ssh_signature(
    key_blob: &[u8],
    data: &[u8],
    sig_blob: &[u8],
) -> Result<(), SshSigError> {
    let mut w = Wire::new(sig_blob, "signature");
    let alg = w.text()?;
    let raw = w.string()?;
    let kty = key_type(key_blob)?;
    let (scheme, sig): (&str, Vec<u8>) = match (kty, alg) {
        ("ssh-ed25519", "ssh-ed25519") => ("ed25519", raw.to_vec()),
        ("ssh-rsa", "rsa-sha2-256") => ("rsa-pkcs1v15-sha256", raw.to_vec()),
        ("ssh-rsa", "rsa-sha2-512") => ("rsa-pkcs1v15-sha512", raw.to_vec()),
        (k, a) if k == a && k.starts_with("ecdsa-sha2-nistp") => {
            let len = match k {
                "ecdsa-sha2-nistp256" => 32,
                "ecdsa-sha2-nistp384" => 48,
                _ => 66,
            };
            let mut rw = Wire::new(raw, "ECDSA signature");
            let r = rw.string()?;
            let s = rw.string()?;
            let mut out = Vec::with_capacity(2 * len);
            for n in [r, s] {
                let n = strip_leading_zeros(n);
                if n.len() > len {
                    return Err(SshSigError::Bad("ECDSA integer too long".into()));
                }
                out.extend(std::iter::repeat_n(0u8, len - n.len()));
                out.extend_from_slice(n);
            }
            (k, out)
        }
        ("ssh-rsa", "ssh-rsa") => {
            return Err(SshSigError::Unsupported(
                "ssh-rsa (SHA-1) signatures are refused".into(),
            ));
        }
        (k, a) => {
            return Err(SshSigError::Unsupported(format!(
                "signature algorithm {a} with key type {k}"
            )));
        }
    };
    let scheme: Scheme = scheme
        .parse()
        .map_err(|_| SshSigError::Unsupported(format!("scheme {scheme}")))?;
    let key = PublicKey::from_ssh_wire(key_blob, Some(scheme)).map_err(|e| match e {
        palisade_keys::KeyError::Unsupported(m) => SshSigError::Unsupported(m),
        other => SshSigError::Bad(format!("key: {other}")),
    })?;
    key.verify(data, &sig)
        .map_err(|_| SshSigError::Bad("incorrect signature".into()))
}

fn strip_leading_zeros(mut n: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = n {
        n = rest;
    }
    n
}
