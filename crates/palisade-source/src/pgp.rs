//! OpenPGP signatures (rPGP) against an armored keyring: subkeys, key expiry, key and
//! subkey revocation, and the user ids bound to the committer's email.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, VerifyingKey};

use crate::object::Ident;
use crate::verify::{Outcome, Verdict};

/// Largest keyring read.
pub const MAX_KEYRING: usize = 16 * 1024 * 1024;
/// Most keys read from one keyring.
pub const MAX_KEYS: usize = 10_000;

/// A keyring could not be read.
#[derive(Debug, thiserror::Error)]
#[error("OpenPGP keyring: {0}")]
pub struct KeyringError(pub String);

/// Armored OpenPGP public keys.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

impl Keyring {
    /// Reads one or more armored public keys. Keys whose self-signatures do not verify
    /// are an error.
    pub fn parse(bytes: &[u8]) -> Result<Keyring, KeyringError> {
        if bytes.len() > MAX_KEYRING {
            return Err(KeyringError(format!("larger than {MAX_KEYRING} bytes")));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| KeyringError("not UTF-8 (armored keys expected)".into()))?;
        let (iter, _) = SignedPublicKey::from_string_many(text)
            .map_err(|e| KeyringError(format!("not an armored public key block: {e}")))?;
        let mut keys = Vec::new();
        for (i, k) in iter.enumerate() {
            if i >= MAX_KEYS {
                return Err(KeyringError(format!("more than {MAX_KEYS} keys")));
            }
            let k = k.map_err(|e| KeyringError(format!("key {}: {e}", i + 1)))?;
            k.verify_bindings()
                .map_err(|e| KeyringError(format!("key {}: self-signatures: {e}", i + 1)))?;
            keys.push(k);
        }
        if keys.is_empty() {
            return Err(KeyringError("no public keys".into()));
        }
        Ok(Keyring { keys })
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn issued_by(sig: &Signature, fpr: &[u8], keyid: &[u8]) -> bool {
    sig.issuer_fingerprint().iter().any(|f| f.as_bytes() == fpr)
        || sig.issuer_key_id().iter().any(|k| k.as_ref() == keyid)
}

/// Expiry (absolute seconds) from the newest self-signature carrying a key expiration.
fn expiry(created: u32, sigs: &[&Signature]) -> Option<i64> {
    sigs.iter()
        .filter_map(|s| Some((s.created()?.as_secs(), s.key_expiration_time()?)))
        .max_by_key(|(c, _)| *c)
        .and_then(|(_, d)| (d.as_secs() != 0).then(|| i64::from(created) + i64::from(d.as_secs())))
}

/// Checks an armored OpenPGP signature.
pub(crate) fn check(
    ring: &Keyring,
    payload: &[u8],
    armored: &[u8],
    ident: Option<&Ident>,
    bind: bool,
) -> Outcome {
    let out = |v: Verdict, reason: String, key: Option<String>, signer: Option<String>| Outcome {
        verdict: v,
        signer,
        key,
        reason,
        format: None,
    };
    let Ok(text) = std::str::from_utf8(armored) else {
        return out(
            Verdict::BadSignature,
            "OpenPGP signature is not UTF-8".into(),
            None,
            None,
        );
    };
    let sig = match DetachedSignature::from_string(text) {
        Ok((s, _)) => s.signature,
        Err(e) => {
            return out(
                Verdict::BadSignature,
                format!("OpenPGP signature: {e}"),
                None,
                None,
            );
        }
    };
    let sig_time = sig.created().map(|t| i64::from(t.as_secs()));
    for k in &ring.keys {
        let pfpr = k.primary_key.fingerprint();
        let pid = k.primary_key.legacy_key_id();
        let emails: Vec<String> = k
            .details
            .users
            .iter()
            .filter_map(|u| {
                let id = String::from_utf8_lossy(u.id.id()).into_owned();
                let (a, b) = (id.rfind('<')?, id.rfind('>')?);
                (a < b).then(|| id[a + 1..b].to_string())
            })
            .collect();
        let primary_signer = emails.first().cloned();
        let key_revoked = !k.details.revocation_signatures.is_empty();
        let self_sigs: Vec<&Signature> = k
            .details
            .users
            .iter()
            .flat_map(|u| u.signatures.iter())
            .chain(k.details.direct_signatures.iter())
            .collect();
        let primary_expiry = expiry(k.primary_key.created_at().as_secs(), &self_sigs);
        // (verifying key, its fingerprint, revoked, expiry)
        let mut candidates: Vec<(&dyn VerifyingKeyDyn, String, bool, Option<i64>)> = Vec::new();
        if issued_by(&sig, pfpr.as_bytes(), pid.as_ref()) {
            candidates.push((
                &k.primary_key,
                hex_upper(pfpr.as_bytes()),
                key_revoked,
                primary_expiry,
            ));
        }
        for sk in &k.public_subkeys {
            let f = sk.key.fingerprint();
            if issued_by(&sig, f.as_bytes(), sk.key.legacy_key_id().as_ref()) {
                let revoked = key_revoked
                    || sk
                        .signatures
                        .iter()
                        .any(|s| s.typ() == Some(SignatureType::SubkeyRevocation));
                let binds: Vec<&Signature> = sk
                    .signatures
                    .iter()
                    .filter(|s| s.typ() == Some(SignatureType::SubkeyBinding))
                    .collect();
                let exp = expiry(sk.key.created_at().as_secs(), &binds);
                let exp = match (exp, primary_expiry) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                candidates.push((&sk.key, hex_upper(f.as_bytes()), revoked, exp));
            }
        }
        let mut verified = None;
        let mut tried = None;
        for (vk, fpr, revoked, exp) in candidates {
            if vk.verify_detached(&sig, payload).is_ok() {
                verified = Some((fpr, revoked, exp));
                break;
            }
            tried = Some(fpr);
        }
        if let Some((fpr, revoked, exp)) = verified {
            if revoked {
                return out(
                    Verdict::Revoked,
                    "OpenPGP key is revoked".into(),
                    Some(fpr),
                    primary_signer,
                );
            }
            if let (Some(e), Some(t)) = (exp, sig_time)
                && t >= e
            {
                return out(
                    Verdict::OutsideValidityWindow,
                    format!("OpenPGP key expired at {e}, signature made at {t}"),
                    Some(fpr),
                    primary_signer,
                );
            }
            let email = ident.map(|i| i.email.as_str());
            let bound = email.is_some_and(|m| emails.iter().any(|e| e == m));
            if bound || !bind {
                let signer = email
                    .filter(|_| bound)
                    .map(str::to_string)
                    .or(primary_signer);
                return out(Verdict::Good, "OpenPGP keyring".into(), Some(fpr), signer);
            }
            return out(
                Verdict::KeyNotAllowedForCommitter,
                format!(
                    "OpenPGP key belongs to {emails:?}, committer is {:?}",
                    email.unwrap_or("(none)")
                ),
                Some(fpr),
                primary_signer,
            );
        }
        if let Some(fpr) = tried {
            return out(
                Verdict::BadSignature,
                "OpenPGP signature does not verify".into(),
                Some(fpr),
                primary_signer,
            );
        }
    }
    let issuer = sig
        .issuer_fingerprint()
        .first()
        .map(|f| hex_upper(f.as_bytes()))
        .or_else(|| sig.issuer_key_id().first().map(|k| hex_upper(k.as_ref())));
    out(
        Verdict::UnknownKey,
        "OpenPGP signature by a key not in the keyring".into(),
        issuer,
        None,
    )
}

/// Object-safe verification over the key types rPGP has.
trait VerifyingKeyDyn {
    fn verify_detached(&self, sig: &Signature, data: &[u8]) -> Result<(), ()>;
}

impl<T: VerifyingKey + KeyDetails> VerifyingKeyDyn for T {
    fn verify_detached(&self, sig: &Signature, data: &[u8]) -> Result<(), ()> {
        sig.verify(self, data).map_err(|_| ())
    }
}
