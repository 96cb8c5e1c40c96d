//! in-toto Statement v1 and attestation bundles.
//!
//! An attestation says something (a *predicate*, e.g. SLSA provenance or an SBOM) about
//! one or more artefacts (the *subjects*, named by digest), and is signed in a DSSE
//! envelope with payload type `application/vnd.in-toto+json`. A *bundle* is a JSON Lines
//! file with one envelope per line (the in-toto attestation bundle format, `.intoto.jsonl`).
//!
//! * [`Statement`] builds and reads statements; [`Subject::for_bytes`] records sha256 and
//!   sha512 digests.
//! * [`sign_statement`] wraps a statement in a signed envelope.
//! * [`read_bundle`] reads a bundle from untrusted input, line by line, each line bounded
//!   ([`MAX_LINE_BYTES`]), classifying every line as an envelope, an unknown JSON line
//!   (ignored by verifiers) or a malformed line (reported with its number).
//! * [`verify_bundle`] finds statements of a type, about exactly a given artefact's
//!   digests, signed by a threshold of distinct keys.
//!
//! Not here: key handling (`palisade-keys`), the envelope itself (`palisade-dsse`).

use std::collections::BTreeMap;
use std::io::BufRead;

use palisade_dsse::{DsseError, Envelope, INTOTO_PAYLOAD_TYPE};
use palisade_keys::{PrivateKey, PublicKey, sha256_hex, sha512_hex};
use serde::{Deserialize, Serialize};

/// The `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// The `_type` of the older Statement v0.1, still read.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The longest bundle line read: 64 MiB.
pub const MAX_LINE_BYTES: usize = palisade_dsse::MAX_ENVELOPE_BYTES;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// The statement or predicate is not acceptable.
    #[error("invalid statement: {0}")]
    Statement(String),
    /// Signing or envelope handling failed.
    #[error(transparent)]
    Dsse(#[from] DsseError),
    /// Reading the bundle failed.
    #[error("reading the bundle: {0}")]
    Io(#[from] std::io::Error),
}

/// An artefact a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artefact's name (a path, an image reference, …).
    #[serde(default)]
    pub name: String,
    /// Digests by algorithm name (`sha256`, `sha512`, …), lowercase hex.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject for `bytes` with sha256 and sha512 digests.
    pub fn for_bytes(name: &str, bytes: &[u8]) -> Subject {
        let mut digest = BTreeMap::new();
        digest.insert("sha256".to_string(), sha256_hex(bytes));
        digest.insert("sha512".to_string(), sha512_hex(bytes));
        Subject {
            name: name.to_string(),
            digest,
        }
    }

    /// Whether this subject names exactly the artefact with `digests`: every digest both
    /// record agrees, and they share at least one of sha256 / sha512.
    pub fn matches(&self, digests: &BTreeMap<String, String>) -> bool {
        let mut shared_strong = false;
        for (alg, value) in &self.digest {
            if let Some(ours) = digests.get(alg) {
                if !ours.eq_ignore_ascii_case(value) {
                    return false;
                }
                if alg == "sha256" || alg == "sha512" {
                    shared_strong = true;
                }
            }
        }
        shared_strong
    }
}

/// An in-toto Statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// `https://in-toto.io/Statement/v1`
    #[serde(rename = "_type")]
    pub type_: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// The predicate's type URI.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The predicate.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

impl Statement {
    /// A v1 statement.
    pub fn new(
        subject: Vec<Subject>,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Result<Statement, AttestError> {
        if subject.is_empty() {
            return Err(AttestError::Statement(
                "a statement needs at least one subject".into(),
            ));
        }
        if predicate_type.is_empty() || !predicate_type.contains(':') {
            return Err(AttestError::Statement(format!(
                "predicate type '{predicate_type}' is not a URI"
            )));
        }
        if !predicate.is_object() {
            return Err(AttestError::Statement(
                "the predicate must be a JSON object".into(),
            ));
        }
        Ok(Statement {
            type_: STATEMENT_V1.to_string(),
            subject,
            predicate_type: predicate_type.to_string(),
            predicate,
        })
    }

    /// Reads a statement from a payload.
    pub fn from_json(bytes: &[u8]) -> Result<Statement, AttestError> {
        let st: Statement =
            serde_json::from_slice(bytes).map_err(|e| AttestError::Statement(e.to_string()))?;
        if st.type_ != STATEMENT_V1 && st.type_ != STATEMENT_V01 {
            return Err(AttestError::Statement(format!(
                "unknown _type '{}'",
                st.type_
            )));
        }
        Ok(st)
    }

    /// The statement as compact JSON (deterministic: fixed field order, predicate keys
    /// sorted).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Signs `statement` with `keys` into a DSSE envelope.
pub fn sign_statement(
    statement: &Statement,
    keys: &[&PrivateKey],
) -> Result<Envelope, AttestError> {
    Ok(Envelope::sign(
        INTOTO_PAYLOAD_TYPE,
        &statement.to_json(),
        keys,
    )?)
}

/// One line of a bundle.
#[derive(Debug)]
pub enum BundleLine {
    /// A DSSE envelope.
    Envelope(Box<Envelope>),
    /// Valid JSON that is not a DSSE envelope (another bundle format, a comment object).
    Unknown,
    /// Not JSON, or too long.
    Malformed(String),
}

/// Reads a JSON Lines bundle. Blank lines are skipped; each other line is returned with
/// its 1-based number. Lines longer than [`MAX_LINE_BYTES`] are reported as malformed
/// without being held in memory.
pub fn read_bundle<R: BufRead>(mut reader: R) -> Result<Vec<(usize, BundleLine)>, AttestError> {
    let mut out = Vec::new();
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        line_no += 1;
        let (n, too_long) = read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)?;
        if n == 0 {
            break;
        }
        if too_long {
            out.push((
                line_no,
                BundleLine::Malformed(format!(
                    "line is {n} bytes, more than the limit of {MAX_LINE_BYTES}"
                )),
            ));
            continue;
        }
        let text = buf.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_slice(text) {
            Ok(v) => v,
            Err(e) => {
                out.push((line_no, BundleLine::Malformed(format!("not JSON: {e}"))));
                continue;
            }
        };
        let looks_like_envelope =
            value.get("payloadType").is_some() && value.get("payload").is_some();
        if !looks_like_envelope {
            out.push((line_no, BundleLine::Unknown));
            continue;
        }
        match serde_json::from_value::<Envelope>(value) {
            Ok(env) => out.push((line_no, BundleLine::Envelope(Box::new(env)))),
            Err(e) => out.push((
                line_no,
                BundleLine::Malformed(format!("bad DSSE envelope: {e}")),
            )),
        }
    }
    Ok(out)
}

/// Reads one line into `buf`, keeping at most `limit` bytes; returns the line's full
/// length (including the newline) and whether it was longer than `limit`.
fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<(usize, bool)> {
    let mut total = 0usize;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok((total, too_long));
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(p) => (p + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > limit {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        total += take;
        reader.consume(take);
        if done {
            return Ok((total, too_long));
        }
    }
}

/// What a verifier asks of a bundle.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// Digests of the artefact (see [`Subject::for_bytes`]).
    pub digests: &'a BTreeMap<String, String>,
    /// Only statements of this predicate type, if set.
    pub predicate_type: Option<&'a str>,
    /// Trusted keys.
    pub keys: &'a [PublicKey],
    /// Distinct keys that must have signed.
    pub threshold: usize,
}

/// A statement that satisfied the query.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// Its line in the bundle.
    pub line: usize,
    /// The statement.
    pub statement: Statement,
    /// Key ids of the keys that signed it.
    pub signers: Vec<String>,
}

/// Everything learnt from a bundle: statements that satisfy the query, and why every
/// other line did not.
#[derive(Debug, Default)]
pub struct BundleReport {
    /// Statements that satisfy the query.
    pub accepted: Vec<Accepted>,
    /// `(line, reason)` for each line that did not.
    pub rejected: Vec<(usize, String)>,
    /// Lines that are not DSSE envelopes (ignored).
    pub unknown_lines: Vec<usize>,
    /// `(line, reason)` for lines that are not JSON or are too long.
    pub malformed: Vec<(usize, String)>,
}

/// Bundles with at least this many lines are checked on every core.
pub const PARALLEL_FROM_LINES: usize = 32;

/// What one line of a bundle came to.
enum Outcome {
    Accepted(Accepted),
    Rejected(String),
    Unknown,
    Malformed(String),
}

/// Checks every envelope in `lines` against `query`. Lines are checked in parallel (the
/// signatures are the cost); the report lists them in bundle order.
pub fn verify_bundle(lines: &[(usize, BundleLine)], query: &Query<'_>) -> BundleReport {
    use rayon::prelude::*;
    let check = |(line, item): &(usize, BundleLine)| (*line, check_line(*line, item, query));
    // A thread pool costs more to start (it reads the cgroup CPU quota) than a few
    // signatures take to check.
    let outcomes: Vec<(usize, Outcome)> = if lines.len() < PARALLEL_FROM_LINES {
        lines.iter().map(check).collect()
    } else {
        lines.par_iter().map(check).collect()
    };
    let mut report = BundleReport::default();
    for (line, outcome) in outcomes {
        match outcome {
            Outcome::Accepted(a) => report.accepted.push(a),
            Outcome::Rejected(why) => report.rejected.push((line, why)),
            Outcome::Unknown => report.unknown_lines.push(line),
            Outcome::Malformed(why) => report.malformed.push((line, why)),
        }
    }
    report
}

fn check_line(line: usize, item: &BundleLine, query: &Query<'_>) -> Outcome {
    let env = match item {
        BundleLine::Envelope(env) => env,
        BundleLine::Unknown => return Outcome::Unknown,
        BundleLine::Malformed(why) => return Outcome::Malformed(why.clone()),
    };
    if env.payload_type != INTOTO_PAYLOAD_TYPE {
        return Outcome::Rejected(format!(
            "payload type is '{}', not an in-toto statement",
            env.payload_type
        ));
    }
    // Look at the statement before the (costlier) signatures.
    let statement = match env
        .payload_bytes()
        .map_err(AttestError::from)
        .and_then(|p| Statement::from_json(&p))
    {
        Ok(s) => s,
        Err(e) => return Outcome::Rejected(e.to_string()),
    };
    if let Some(pt) = query.predicate_type
        && statement.predicate_type != pt
    {
        return Outcome::Rejected(format!(
            "predicate type is '{}', not '{pt}'",
            statement.predicate_type
        ));
    }
    if !statement.subject.iter().any(|s| s.matches(query.digests)) {
        return Outcome::Rejected("no subject has the artefact's digest".to_string());
    }
    match env.verify(query.keys, query.threshold) {
        Ok(v) => Outcome::Accepted(Accepted {
            line,
            statement,
            signers: v.signers,
        }),
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_keys::KeyAlgorithm;

    #[test]
    fn sign_and_verify_roundtrip() {
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let subj = Subject::for_bytes("a.txt", b"hello");
        let st = Statement::new(
            vec![subj.clone()],
            "https://example.com/p/v1",
            serde_json::json!({"b": 1, "a": 2}),
        )
        .unwrap();
        let env = sign_statement(&st, &[&key]).unwrap();
        let line = env.to_json_line();
        let bundle = format!("{line}\n{{\"mediaType\":\"x\"}}\nnot json\n\n{line}\n");
        let lines = read_bundle(bundle.as_bytes()).unwrap();
        let keys = [key.public_key().clone()];
        let q = Query {
            digests: &subj.digest,
            predicate_type: Some("https://example.com/p/v1"),
            keys: &keys,
            threshold: 1,
        };
        let report = verify_bundle(&lines, &q);
        assert_eq!(report.accepted.len(), 2);
        assert_eq!(report.accepted[1].line, 5);
        assert_eq!(report.unknown_lines, vec![2]);
        assert_eq!(report.malformed.len(), 1);
        assert_eq!(report.malformed[0].0, 3);
        // other digest
        let other = Subject::for_bytes("a.txt", b"hellO");
        let q2 = Query {
            digests: &other.digest,
            ..q.clone()
        };
        assert!(verify_bundle(&lines, &q2).accepted.is_empty());
        // other predicate type
        let q3 = Query {
            predicate_type: Some("https://example.com/q"),
            ..q
        };
        assert!(verify_bundle(&lines, &q3).accepted.is_empty());
    }

    #[test]
    fn deterministic_payload() {
        let subj = Subject::for_bytes("a", b"x");
        let a = Statement::new(
            vec![subj.clone()],
            "https://e/p",
            serde_json::json!({"z":1,"a":{"y":2,"b":3}}),
        )
        .unwrap();
        let b = Statement::new(
            vec![subj],
            "https://e/p",
            serde_json::from_str(r#"{"a":{"b":3,"y":2},"z":1}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(a.to_json(), b.to_json());
        assert!(String::from_utf8(a.to_json()).unwrap().starts_with("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":"));
    }

    #[test]
    fn long_lines_are_bounded() {
        let mut data = vec![b'x'; 1000];
        data.push(b'\n');
        data.extend_from_slice(b"{}\n");
        let mut buf = Vec::new();
        let mut r = &data[..];
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, 100).unwrap(),
            (1001, true)
        );
        assert!(buf.is_empty());
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, 100).unwrap(),
            (3, false)
        );
        assert_eq!(buf, b"{}\n");
    }

    #[test]
    fn subject_matching_needs_a_strong_digest_and_no_conflict() {
        let s = Subject::for_bytes("a", b"x");
        let mut only256 = BTreeMap::new();
        only256.insert("sha256".to_string(), s.digest["sha256"].clone());
        assert!(s.matches(&only256));
        let mut conflicting = s.digest.clone();
        conflicting.insert("sha512".into(), "00".into());
        assert!(!s.matches(&conflicting));
        let mut weak = BTreeMap::new();
        weak.insert("md5".to_string(), "abc".to_string());
        assert!(
            !Subject {
                name: "a".into(),
                digest: weak.clone()
            }
            .matches(&weak)
        );
    }
}
