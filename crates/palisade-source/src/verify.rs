//! Verdicts: one signed object (commit or tag) against a [`Policy`].

use crate::object::{Ident, SigFormat, sig_format};
use crate::signers::{AllowedSigners, Revoked, SignerEntry, iso_time};
use crate::sshsig::{Signer, SshSig, SshSigError, fingerprint};

/// What Palisade says of one commit or tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Signed by a key the policy allows for this committer at commit time.
    Good,
    /// No signature.
    Unsigned,
    /// The signature is malformed, does not verify, or is not for namespace `git`.
    BadSignature,
    /// The signature verifies but the key is not in the policy.
    UnknownKey,
    /// The key is in the policy, but not for the committer's email.
    KeyNotAllowedForCommitter,
    /// The key (or its certificate) was not valid at the commit / tag time.
    OutsideValidityWindow,
    /// The key is in the revocation list.
    Revoked,
    /// A signature format this version does not verify (X.509 / gitsign, OpenPGP
    /// without a keyring).
    Unsupported,
}

impl Verdict {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Unsigned => "unsigned",
            Verdict::BadSignature => "bad-signature",
            Verdict::UnknownKey => "unknown-key",
            Verdict::KeyNotAllowedForCommitter => "key-not-allowed-for-committer",
            Verdict::OutsideValidityWindow => "outside-validity-window",
            Verdict::Revoked => "revoked",
            Verdict::Unsupported => "unsupported",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The principal the policy matched (usually an email), if any.
    pub signer: Option<String>,
    /// The signing key (`SHA256:…` for SSH, the fingerprint for OpenPGP).
    pub key: Option<String>,
    /// Why, for people.
    pub reason: String,
    /// The signature format, when signed.
    pub format: Option<SigFormat>,
}

impl Outcome {
    fn new(verdict: Verdict, reason: impl Into<String>) -> Outcome {
        Outcome {
            verdict,
            signer: None,
            key: None,
            reason: reason.into(),
            format: None,
        }
    }
}

/// Who may sign.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// SSH allowed signers.
    pub signers: AllowedSigners,
    /// Revoked SSH keys.
    pub revoked: Revoked,
    /// OpenPGP keyring, if any.
    pub pgp: Option<crate::pgp::Keyring>,
    /// Require the key to belong to the committer's (tagger's) email (default true).
    pub bind_committer: bool,
}

/// The SSH signature namespace git signs in.
pub const GIT_NAMESPACE: &str = "git";

impl Policy {
    /// A policy with binding to the committer on.
    pub fn new(signers: AllowedSigners, revoked: Revoked) -> Policy {
        Policy {
            signers,
            revoked,
            pgp: None,
            bind_committer: true,
        }
    }

    /// The verdict for `signature` over `payload` by the object's `identity` (committer
    /// or tagger; `None` when the header has none, which fails binding).
    pub fn check(
        &self,
        payload: &[u8],
        signature: Option<&[u8]>,
        ident: Option<&Ident>,
    ) -> Outcome {
        let Some(sig) = signature else {
            return Outcome::new(Verdict::Unsigned, "no signature");
        };
        let mut out = match sig_format(sig) {
            Some(SigFormat::Ssh) => self.check_ssh(payload, sig, ident),
            Some(SigFormat::OpenPgp) => match &self.pgp {
                Some(ring) => crate::pgp::check(ring, payload, sig, ident, self.bind_committer),
                None => Outcome::new(
                    Verdict::Unsupported,
                    "OpenPGP signature and no OpenPGP keyring given (--pgp-keys)",
                ),
            },
            Some(SigFormat::X509) => Outcome::new(
                Verdict::Unsupported,
                "X.509 (gpgsm / gitsign) signatures are not supported yet",
            ),
            None => Outcome::new(Verdict::BadSignature, "signature in an unknown format"),
        };
        out.format = sig_format(sig);
        out
    }

    fn check_ssh(&self, payload: &[u8], sig: &[u8], ident: Option<&Ident>) -> Outcome {
        let parsed = match SshSig::from_armor(sig) {
            Ok(s) => s,
            Err(SshSigError::Unsupported(m)) => return Outcome::new(Verdict::Unsupported, m),
            Err(e) => return Outcome::new(Verdict::BadSignature, e.to_string()),
        };
        let key_fp = fingerprint(parsed.signer.signing_key());
        let with_key = |mut o: Outcome| {
            o.key = Some(key_fp.clone());
            o
        };
        if let Err(e) = parsed.verify(GIT_NAMESPACE, payload) {
            let v = match e {
                SshSigError::Unsupported(_) => Verdict::Unsupported,
                _ => Verdict::BadSignature,
            };
            return with_key(Outcome::new(v, e.to_string()));
        }
        // Revocation: the signing key, the certificate itself, or its CA.
        let revoked = self.revoked.contains(parsed.signer.signing_key())
            || self.revoked.contains(&parsed.public_key)
            || matches!(&parsed.signer, Signer::Cert(c) if self.revoked.contains(&c.ca_key));
        if revoked {
            return with_key(Outcome::new(
                Verdict::Revoked,
                "key is in the revocation list",
            ));
        }
        let time = ident.map(|i| i.time);
        let email = ident.map(|i| i.email.as_str());
        // Candidate lines: plain lines with this key, or cert-authority lines with the CA.
        let candidates: Vec<(&SignerEntry, Vec<String>)> = match &parsed.signer {
            Signer::Key(k) => self
                .signers
                .entries
                .iter()
                .filter(|e| !e.cert_authority && &e.key == k)
                .map(|e| (e, Vec::new()))
                .collect(),
            Signer::Cert(c) => {
                let ca_lines: Vec<&SignerEntry> = self
                    .signers
                    .entries
                    .iter()
                    .filter(|e| e.cert_authority && e.key == c.ca_key)
                    .collect();
                if ca_lines.is_empty() {
                    return with_key(Outcome::new(
                        Verdict::UnknownKey,
                        format!(
                            "certificate {:?} is signed by CA {} which no cert-authority line lists",
                            c.key_id,
                            fingerprint(&c.ca_key)
                        ),
                    ));
                }
                if let Err(e) = c.verify_ca_signature() {
                    return with_key(Outcome::new(
                        Verdict::BadSignature,
                        format!("certificate {:?}: CA signature: {e}", c.key_id),
                    ));
                }
                if c.cert_type != 1 {
                    return with_key(Outcome::new(
                        Verdict::BadSignature,
                        format!("certificate {:?} is not a user certificate", c.key_id),
                    ));
                }
                if !c.critical_options.is_empty() {
                    return with_key(Outcome::new(
                        Verdict::Unsupported,
                        format!(
                            "certificate {:?} has critical options {:?}",
                            c.key_id, c.critical_options
                        ),
                    ));
                }
                if let Some(t) = time
                    && !c.valid_at(t)
                {
                    return with_key(Outcome::new(
                        Verdict::OutsideValidityWindow,
                        format!(
                            "certificate {:?} is not valid at the committer time {}",
                            c.key_id,
                            iso_time(t)
                        ),
                    ));
                }
                ca_lines
                    .into_iter()
                    .map(|e| {
                        let ps = c
                            .principals
                            .iter()
                            .filter(|p| e.matches_principal(p))
                            .cloned()
                            .collect();
                        (e, ps)
                    })
                    .collect()
            }
        };
        if candidates.is_empty() {
            return with_key(Outcome::new(
                Verdict::UnknownKey,
                "key is not in the allowed signers",
            ));
        }
        // Each candidate line gives a verdict; the best one stands.
        let mut best: Option<Outcome> = None;
        for (e, cert_principals) in candidates {
            let is_cert = matches!(parsed.signer, Signer::Cert(_));
            let o = if !e.allows_namespace(GIT_NAMESPACE) {
                Outcome::new(
                    Verdict::BadSignature,
                    format!(
                        "allowed signers line {}: key is not permitted for namespace \"git\"",
                        e.line
                    ),
                )
            } else if is_cert && cert_principals.is_empty() {
                Outcome::new(
                    Verdict::KeyNotAllowedForCommitter,
                    format!(
                        "allowed signers line {}: no certificate principal matches {:?}",
                        e.line, e.principals
                    ),
                )
            } else if let Some(t) = time
                && !e.valid_at(t)
            {
                Outcome::new(
                    Verdict::OutsideValidityWindow,
                    format!(
                        "allowed signers line {}: key is not valid at the committer time {}{}{}",
                        e.line,
                        iso_time(t),
                        e.valid_after
                            .map(|a| format!(", valid-after {}", iso_time(a)))
                            .unwrap_or_default(),
                        e.valid_before
                            .map(|b| format!(", valid-before {}", iso_time(b)))
                            .unwrap_or_default(),
                    ),
                )
            } else {
                let bound = |p: &str| email.is_some_and(|m| m == p);
                let signer = if is_cert {
                    cert_principals
                        .iter()
                        .find(|p| bound(p))
                        .or(cert_principals.first())
                        .cloned()
                } else {
                    match email {
                        Some(m) if e.matches_principal(m) => Some(m.to_string()),
                        _ => Some(e.principals.clone()),
                    }
                };
                let binds = if is_cert {
                    cert_principals.iter().any(|p| bound(p))
                } else {
                    email.is_some_and(|m| e.matches_principal(m))
                };
                let mut o = if binds || !self.bind_committer {
                    Outcome::new(Verdict::Good, format!("allowed signers line {}", e.line))
                } else {
                    Outcome::new(
                        Verdict::KeyNotAllowedForCommitter,
                        format!(
                            "allowed signers line {}: key belongs to {:?}, committer is {:?}",
                            e.line,
                            e.principals,
                            email.unwrap_or("(none)")
                        ),
                    )
                };
                o.signer = signer;
                o
            };
            let rank = |v: Verdict| match v {
                Verdict::Good => 0,
                Verdict::KeyNotAllowedForCommitter => 1,
                Verdict::OutsideValidityWindow => 2,
                _ => 3,
            };
            if best
                .as_ref()
                .is_none_or(|b| rank(o.verdict) < rank(b.verdict))
            {
                best = Some(o);
            }
        }
        with_key(best.unwrap_or_else(|| Outcome::new(Verdict::UnknownKey, "no policy line")))
    }
}
