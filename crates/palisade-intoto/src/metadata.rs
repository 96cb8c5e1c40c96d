//! Signed in-toto documents: legacy Metablocks (`{signed, signatures}`, signatures over
//! canonical JSON) and DSSE envelopes (Python's raw link/layout payload, or an in-toto
//! Statement with the link predicate v0.3).

use std::collections::BTreeMap;
use std::path::Path;

use palisade_cjson::{Limits, Value};
use palisade_dsse::{Envelope, INTOTO_PAYLOAD_TYPE};
use palisade_keys::{PrivateKey, PublicKey};

use crate::IntotoError;
use crate::gpg::GpgSignature;
use crate::model::{Artifacts, Ctx, Layout, LayoutKey, Link};

/// The largest metadata file read: 256 MiB (links over many artefacts are large).
pub const MAX_METADATA_BYTES: u64 = 256 * 1024 * 1024;
/// The deepest JSON nesting accepted in metadata.
pub const MAX_DEPTH: usize = 64;
/// The most signatures a Metablock may carry.
pub const MAX_SIGNATURES: usize = palisade_dsse::MAX_SIGNATURES;
/// The predicate type of in-toto link attestations.
pub const LINK_PREDICATE_V03: &str = "https://in-toto.io/attestation/link/v0.3";

/// How a document is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// `{"signed": …, "signatures": [{keyid, sig(hex)}]}`
    Metablock,
    /// DSSE with the raw link/layout JSON as payload (what Python in-toto writes).
    Dsse,
    /// DSSE with an in-toto Statement v1 carrying the link predicate v0.3.
    Statement,
}

impl std::str::FromStr for EnvelopeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "metablock" => Ok(EnvelopeKind::Metablock),
            "dsse" => Ok(EnvelopeKind::Dsse),
            "statement" => Ok(EnvelopeKind::Statement),
            _ => Err(format!(
                "unknown envelope '{s}' (metablock, dsse, statement)"
            )),
        }
    }
}

/// What a document carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A link.
    Link(Link),
    /// A layout (a root layout, or a sublayout standing in for a step's link).
    Layout(Box<Layout>),
}

#[derive(Debug, Clone)]
enum Wrapper {
    Metablock {
        /// The canonical JSON of `signed`: what the signatures are over.
        canonical: Vec<u8>,
        signatures: Vec<(String, String)>,
        gpg: Vec<GpgSignature>,
    },
    Dsse(Envelope),
}

/// A signed in-toto document read from untrusted bytes.
#[derive(Debug, Clone)]
pub struct Metadata {
    wrapper: Wrapper,
    kind: EnvelopeKind,
    /// The document.
    pub payload: Payload,
}

fn parse_json(bytes: &[u8], ctx: &Ctx<'_>) -> Result<Value, IntotoError> {
    parse_json_with(
        bytes,
        ctx,
        Limits {
            max_depth: MAX_DEPTH,
            ..Limits::default()
        },
    )
}

fn parse_json_with(bytes: &[u8], ctx: &Ctx<'_>, limits: Limits) -> Result<Value, IntotoError> {
    palisade_cjson::parse_with(bytes, limits).map_err(|e| ctx.err("$", e.to_string()))
}

fn payload_of(v: Value, ctx: &Ctx<'_>, at: &str) -> Result<Payload, IntotoError> {
    match v.get("_type").and_then(Value::as_str) {
        Some("link") => Ok(Payload::Link(Link::from_owned_value(v, ctx, at)?)),
        Some("layout") => Ok(Payload::Layout(Box::new(Layout::from_value(&v, ctx, at)?))),
        Some(t) => Err(ctx.err(&format!("{at}._type"), format!("unknown type '{t}'"))),
        None => Err(ctx.err(&format!("{at}._type"), "missing")),
    }
}

fn digests(
    v: Option<&Value>,
    ctx: &Ctx<'_>,
    at: &str,
) -> Result<BTreeMap<String, String>, IntotoError> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(m)) = v {
        for (k, d) in m {
            match d {
                Value::String(s) => {
                    out.insert(k.clone(), s.clone());
                }
                _ => return Err(ctx.err(&format!("{at}.{k}"), "expected a string")),
            }
        }
    }
    Ok(out)
}

/// Reads a Statement v1 whose predicate is a link v0.3 into a [`Link`].
fn link_from_statement(v: &Value, ctx: &Ctx<'_>) -> Result<Link, IntotoError> {
    let pt = v.get("predicateType").and_then(Value::as_str).unwrap_or("");
    if pt != LINK_PREDICATE_V03 {
        return Err(ctx.err(
            "$.payload.predicateType",
            format!("'{pt}' is not the link predicate {LINK_PREDICATE_V03}"),
        ));
    }
    let Some(pred @ Value::Object(pm)) = v.get("predicate") else {
        return Err(ctx.err("$.payload.predicate", "expected an object"));
    };
    let name = pred
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ctx.err("$.payload.predicate.name", "missing"))?;
    let mut link = Link::new(name);
    if let Some(Value::Array(c)) = pm.get("command") {
        for (i, a) in c.iter().enumerate() {
            link.command.push(
                a.as_str()
                    .ok_or_else(|| {
                        ctx.err(
                            &format!("$.payload.predicate.command[{i}]"),
                            "expected a string",
                        )
                    })?
                    .to_string(),
            );
        }
    }
    let descriptors = |list: Option<&Value>, at: &str| -> Result<Artifacts, IntotoError> {
        let mut out = Artifacts::new();
        if let Some(Value::Array(a)) = list {
            if a.len() > crate::model::MAX_ARTIFACTS {
                return Err(ctx.err(at, "too many artefacts"));
            }
            for (i, d) in a.iter().enumerate() {
                let p = format!("{at}[{i}]");
                let n = d
                    .get("name")
                    .or_else(|| d.get("uri"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| ctx.err(&p, "no name"))?;
                out.insert(
                    n.to_string(),
                    digests(d.get("digest"), ctx, &format!("{p}.digest"))?.into(),
                );
            }
        }
        Ok(out)
    };
    link.materials = descriptors(pm.get("materials"), "$.payload.predicate.materials")?;
    link.products = descriptors(v.get("subject"), "$.payload.subject")?;
    if let Some(Value::Object(b)) = pm.get("byproducts") {
        link.byproducts = b.clone();
    }
    if let Some(Value::Object(e)) = pm.get("environment") {
        link.environment = e.clone();
    }
    Ok(link)
}

impl Metadata {
    /// Reads a metadata file (bounded size); errors name the file and the place.
    pub fn read_file(path: &Path) -> Result<Metadata, IntotoError> {
        let bytes = palisade_io::read_limited(path, MAX_METADATA_BYTES)?;
        Metadata::from_bytes(&bytes, &path.display().to_string())
    }

    /// Reads metadata from bytes; `file` names the source in errors.
    pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Metadata, IntotoError> {
        if let Some(md) = fast_metablock_link(bytes) {
            return Ok(md);
        }
        let ctx = Ctx { file };
        let v = parse_json(bytes, &ctx)?;
        if v.get("payload").is_some() {
            let env = Envelope::from_json(bytes).map_err(|e| ctx.err("$", e.to_string()))?;
            if env.payload_type != INTOTO_PAYLOAD_TYPE {
                return Err(ctx.err(
                    "$.payloadType",
                    format!("'{}' is not {INTOTO_PAYLOAD_TYPE}", env.payload_type),
                ));
            }
            let raw = env
                .payload_bytes()
                .map_err(|e| ctx.err("$.payload", e.to_string()))?;
            let pv = parse_json(
                &raw,
                &Ctx {
                    file: &format!("{file} (payload)"),
                },
            )?;
            let is_statement = pv
                .get("_type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"));
            let (payload, kind) = if is_statement {
                // The statement layer is the trust core's; we only read the link predicate.
                palisade_attest::Statement::from_json(&raw)
                    .map_err(|e| ctx.err("$.payload", e.to_string()))?;
                (
                    Payload::Link(link_from_statement(&pv, &ctx)?),
                    EnvelopeKind::Statement,
                )
            } else {
                (payload_of(pv, &ctx, "$.payload")?, EnvelopeKind::Dsse)
            };
            return Ok(Metadata {
                wrapper: Wrapper::Dsse(env),
                kind,
                payload,
            });
        }
        Metadata::metablock(v, &ctx)
    }

    /// Reads a Metablock (`{signed, signatures}`) from an already parsed value.
    pub fn from_metablock_value(v: Value, file: &str) -> Result<Metadata, IntotoError> {
        Metadata::metablock(v, &Ctx { file })
    }

    fn metablock(v: Value, ctx: &Ctx<'_>) -> Result<Metadata, IntotoError> {
        let ctx = *ctx;
        let Value::Object(mut m) = v else {
            return Err(ctx.err(
                "$",
                "expected an object with 'signed' and 'signatures', or a DSSE envelope",
            ));
        };
        let signed = m
            .remove("signed")
            .ok_or_else(|| ctx.err("$.signed", "missing"))?;
        let mut signatures = Vec::new();
        let mut gpg = Vec::new();
        match m.get("signatures") {
            Some(Value::Array(a)) => {
                if a.len() > MAX_SIGNATURES {
                    return Err(ctx.err(
                        "$.signatures",
                        format!("more than {MAX_SIGNATURES} signatures"),
                    ));
                }
                for (i, s) in a.iter().enumerate() {
                    let at = format!("$.signatures[{i}]");
                    let keyid = s
                        .get("keyid")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ctx.err(&at, "no string 'keyid'"))?;
                    if let (Some(sig), Some(headers)) = (
                        s.get("signature").and_then(Value::as_str),
                        s.get("other_headers").and_then(Value::as_str),
                    ) {
                        gpg.push(GpgSignature {
                            keyid: keyid.to_string(),
                            signature: sig.to_string(),
                            other_headers: headers.to_string(),
                        });
                        continue;
                    }
                    let sig = s
                        .get("sig")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ctx.err(&at, "no string 'sig'"))?;
                    signatures.push((keyid.to_string(), sig.to_string()));
                }
            }
            _ => return Err(ctx.err("$.signatures", "expected an array")),
        }
        let canonical = palisade_cjson::encode(&signed);
        let payload = payload_of(signed, &ctx, "$.signed")?;
        Ok(Metadata {
            wrapper: Wrapper::Metablock {
                canonical,
                signatures,
                gpg,
            },
            kind: EnvelopeKind::Metablock,
            payload,
        })
    }

    /// The link without its signatures (and the bytes they were over), or the document
    /// back when it holds a layout.
    pub fn into_link(self) -> Result<Link, Box<Metadata>> {
        match self.payload {
            Payload::Link(l) => Ok(l),
            payload => Err(Box::new(Metadata { payload, ..self })),
        }
    }

    /// How the document is wrapped.
    pub fn kind(&self) -> EnvelopeKind {
        self.kind
    }

    /// Key ids the signatures claim.
    pub fn signature_keyids(&self) -> Vec<String> {
        match &self.wrapper {
            Wrapper::Metablock {
                signatures, gpg, ..
            } => signatures
                .iter()
                .map(|(k, _)| k.clone())
                .chain(gpg.iter().map(|g| g.keyid.clone()))
                .collect(),
            Wrapper::Dsse(e) => e.signatures.iter().map(|s| s.keyid.clone()).collect(),
        }
    }

    /// Checks that `key` (or, for OpenPGP, one of its subkeys) made a valid signature.
    pub fn verify_with(&self, key: &LayoutKey) -> Result<(), String> {
        match (key, &self.wrapper) {
            (LayoutKey::Key(k), _) => self.verify_signature(k),
            (LayoutKey::Gpg(g), Wrapper::Metablock { canonical, gpg, .. }) => {
                let mine: Vec<&GpgSignature> = gpg
                    .iter()
                    .filter(|s| g.all_keyids().contains(&s.keyid.to_lowercase().as_str()))
                    .collect();
                if mine.is_empty() {
                    return Err(format!("no GPG signature by key {}", g.keyid));
                }
                let content = canonical;
                let mut last = String::new();
                for s in mine {
                    match g.verify(content, s) {
                        Ok(()) => return Ok(()),
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
            (LayoutKey::Gpg(g), Wrapper::Dsse(_)) => {
                Err(format!("GPG key {} cannot verify a DSSE envelope", g.keyid))
            }
        }
    }

    /// Checks that `key` made a valid signature over the document.
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), String> {
        match &self.wrapper {
            Wrapper::Metablock {
                canonical,
                signatures,
                ..
            } => {
                let mine: Vec<&String> = signatures
                    .iter()
                    .filter(|(k, _)| k == key.keyid())
                    .map(|(_, s)| s)
                    .collect();
                if mine.is_empty() {
                    return Err(format!("no signature by key {}", key.keyid()));
                }
                let message = canonical;
                for sig in mine {
                    if let Ok(raw) = hex::decode(sig)
                        && key.verify(message, &raw).is_ok()
                    {
                        return Ok(());
                    }
                }
                Err(format!(
                    "the signature by key {} does not verify",
                    key.keyid()
                ))
            }
            Wrapper::Dsse(env) => env
                .verify(std::slice::from_ref(key), 1)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }

    /// Signs `payload` (a link or layout JSON object) into a new document.
    pub fn sign_value(
        payload: &Value,
        kind: EnvelopeKind,
        keys: &[&PrivateKey],
    ) -> Result<Vec<u8>, IntotoError> {
        match kind {
            EnvelopeKind::Metablock => {
                let message = palisade_cjson::encode(payload);
                let mut sigs = Vec::new();
                for k in keys {
                    let sig = k
                        .sign(&message)
                        .map_err(|e| IntotoError::Key(e.to_string()))?;
                    sigs.push((k.public_key().keyid().to_string(), hex::encode(sig)));
                }
                metablock_json(payload, &sigs)
            }
            EnvelopeKind::Dsse => {
                let body = json_compact(payload)?;
                let env = Envelope::sign(INTOTO_PAYLOAD_TYPE, &body, keys)
                    .map_err(|e| IntotoError::Key(e.to_string()))?;
                Ok(env.to_json_pretty().into_bytes())
            }
            EnvelopeKind::Statement => Err(IntotoError::Key(
                "use sign_link_statement for statements".into(),
            )),
        }
    }

    /// Adds signatures by `keys` to this document (a signature by the same key id is
    /// replaced) and writes it as `kind` (a Metablock can be rewritten as DSSE and back;
    /// the old signatures only carry over when the wrapper stays the same).
    pub fn add_signatures(
        &self,
        kind: EnvelopeKind,
        keys: &[&PrivateKey],
    ) -> Result<Vec<u8>, IntotoError> {
        let signed = self.signed_value()?;
        match (&self.wrapper, kind) {
            (
                Wrapper::Metablock {
                    signatures, gpg, ..
                },
                EnvelopeKind::Metablock,
            ) => {
                let message = palisade_cjson::encode(&signed);
                let mut sigs: Vec<(String, String)> = signatures.clone();
                for k in keys {
                    let id = k.public_key().keyid().to_string();
                    let sig = hex::encode(
                        k.sign(&message)
                            .map_err(|e| IntotoError::Key(e.to_string()))?,
                    );
                    sigs.retain(|(kid, _)| *kid != id);
                    sigs.push((id, sig));
                }
                metablock_json_with_gpg(&signed, &sigs, gpg)
            }
            (Wrapper::Dsse(env), EnvelopeKind::Dsse) => {
                let body = env
                    .payload_bytes()
                    .map_err(|e| IntotoError::Key(e.to_string()))?;
                let fresh = Envelope::sign(&env.payload_type, &body, keys)
                    .map_err(|e| IntotoError::Key(e.to_string()))?;
                let mut out = env.clone();
                for s in fresh.signatures {
                    out.signatures.retain(|o| o.keyid != s.keyid);
                    out.signatures.push(s);
                }
                Ok(out.to_json_pretty().into_bytes())
            }
            (_, k) => Metadata::sign_value(&signed, k, keys),
        }
    }

    /// The signed document as a JSON value (the Metablock's `signed`, or the DSSE payload).
    pub fn signed_value(&self) -> Result<Value, IntotoError> {
        match &self.wrapper {
            Wrapper::Metablock { canonical, .. } => parse_json_with(
                canonical,
                &Ctx { file: "signed" },
                Limits {
                    max_depth: MAX_DEPTH,
                    allow_raw_control_characters: true,
                    ..Limits::default()
                },
            ),
            Wrapper::Dsse(env) => {
                let raw = env
                    .payload_bytes()
                    .map_err(|e| IntotoError::Key(e.to_string()))?;
                parse_json(&raw, &Ctx { file: "payload" })
            }
        }
    }
}

/// A JSON object whose keys must be unique (as `palisade-cjson` requires).
struct NoDupMap<V>(BTreeMap<String, V>);

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for NoDupMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(std::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Vis<V> {
            type Value = NoDupMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                // Collect, sort (a no-op for the sorted keys in-toto writes), refuse
                // repeats, then build the map in one pass.
                let mut v: Vec<(String, V)> = Vec::new();
                while let Some(entry) = a.next_entry::<String, V>()? {
                    v.push(entry);
                }
                v.sort_by(|x, y| x.0.cmp(&y.0));
                if v.windows(2).any(|w| w[0].0 == w[1].0) {
                    return Err(serde::de::Error::custom("duplicate key"));
                }
                Ok(NoDupMap(v.into_iter().collect()))
            }
        }
        d.deserialize_map(Vis(std::marker::PhantomData))
    }
}

impl<'de> serde::Deserialize<'de> for crate::model::Digests {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis;
        impl<'de> serde::de::Visitor<'de> for Vis {
            type Value = crate::model::Digests;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of digests")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = crate::model::Digests::with_capacity(a.size_hint().unwrap_or(1));
                while let Some((k, v)) = a.next_entry::<String, String>()? {
                    if out.insert(k, v).is_some() {
                        return Err(serde::de::Error::custom("duplicate key"));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Vis)
    }
}

/// Any JSON value canonical JSON can carry (no floats, 64-bit integers, unique keys).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis;
        impl<'de> serde::de::Visitor<'de> for Vis {
            type Value = Strict;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value without floats")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Strict, E> {
                Ok(Strict(Value::Bool(b)))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Strict, E> {
                Ok(Strict(Value::Int(i.to_string())))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Strict, E> {
                Ok(Strict(Value::Int(u.to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Strict, E> {
                Err(E::custom("float"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Strict, E> {
                Ok(Strict(Value::String(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Strict, E> {
                Ok(Strict(Value::String(s)))
            }
            fn visit_unit<E>(self) -> Result<Strict, E> {
                Ok(Strict(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Strict, A::Error> {
                let mut v = Vec::new();
                while let Some(Strict(x)) = a.next_element()? {
                    v.push(x);
                }
                Ok(Strict(Value::Array(v)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, a: A) -> Result<Strict, A::Error> {
                let m: NoDupMap<Strict> = serde::Deserialize::deserialize(
                    serde::de::value::MapAccessDeserializer::new(a),
                )?;
                Ok(Strict(Value::Object(
                    m.0.into_iter().map(|(k, v)| (k, v.0)).collect(),
                )))
            }
        }
        d.deserialize_any(Vis)
    }
}

/// A Metablock link exactly as Python in-toto writes it: all seven fields, nothing else.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastLink {
    #[serde(rename = "_type")]
    type_: String,
    name: String,
    command: Vec<String>,
    materials: NoDupMap<crate::model::Digests>,
    products: NoDupMap<crate::model::Digests>,
    byproducts: NoDupMap<Strict>,
    environment: NoDupMap<Strict>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastSig {
    keyid: String,
    sig: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastMetablock {
    signed: FastLink,
    signatures: Vec<FastSig>,
}

/// The fast path for the common case, large links: a typed read without a JSON tree, the
/// canonical bytes written from the typed link. Anything unusual (extra fields, floats,
/// big integers, GPG signatures, DSSE, layouts) returns `None` and takes the general
/// path, which also produces every error message.
fn fast_metablock_link(bytes: &[u8]) -> Option<Metadata> {
    let mb: FastMetablock = serde_json::from_slice(bytes).ok()?;
    if mb.signed.type_ != "link" || mb.signatures.len() > MAX_SIGNATURES {
        return None;
    }
    if mb.signed.materials.0.len() > crate::model::MAX_ARTIFACTS
        || mb.signed.products.0.len() > crate::model::MAX_ARTIFACTS
        || mb.signed.command.len() > crate::model::MAX_ITEMS
    {
        return None;
    }
    let arts = |a: NoDupMap<crate::model::Digests>| -> Artifacts { a.0 };
    let obj = |m: NoDupMap<Strict>| -> BTreeMap<String, Value> {
        m.0.into_iter().map(|(k, v)| (k, v.0)).collect()
    };
    let link = Link {
        name: mb.signed.name,
        command: mb.signed.command,
        materials: arts(mb.signed.materials),
        products: arts(mb.signed.products),
        byproducts: obj(mb.signed.byproducts),
        environment: obj(mb.signed.environment),
    };
    // canonical JSON is never longer than the document it was read from
    let canonical = canonical_link(&link, bytes.len());
    Some(Metadata {
        wrapper: Wrapper::Metablock {
            canonical,
            signatures: mb
                .signatures
                .into_iter()
                .map(|s| (s.keyid, s.sig))
                .collect(),
            gpg: Vec::new(),
        },
        kind: EnvelopeKind::Metablock,
        payload: Payload::Link(link),
    })
}

/// Canonical JSON of a link's `signed` object, written from the typed link with
/// `palisade-cjson`'s encoders (keys in code-point order, as `encode` sorts them).
fn canonical_link(link: &Link, capacity: usize) -> Vec<u8> {
    use palisade_cjson::{encode_into, encode_str};
    fn artifacts(a: &Artifacts, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (path, hashes)) in a.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            encode_str(path, out);
            out.extend_from_slice(b":{");
            for (j, (alg, digest)) in hashes.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                encode_str(alg, out);
                out.push(b':');
                encode_str(digest, out);
            }
            out.push(b'}');
        }
        out.push(b'}');
    }
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(b"{\"_type\":\"link\",\"byproducts\":");
    encode_into(&Value::Object(link.byproducts.clone()), &mut out);
    out.extend_from_slice(b",\"command\":[");
    for (i, c) in link.command.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        encode_str(c, &mut out);
    }
    out.extend_from_slice(b"],\"environment\":");
    encode_into(&Value::Object(link.environment.clone()), &mut out);
    out.extend_from_slice(b",\"materials\":");
    artifacts(&link.materials, &mut out);
    out.extend_from_slice(b",\"name\":");
    encode_str(&link.name, &mut out);
    out.extend_from_slice(b",\"products\":");
    artifacts(&link.products, &mut out);
    out.push(b'}');
    out
}

/// Signs `link` as an in-toto Statement v1 with the link predicate v0.3 (subjects are
/// the products) in DSSE.
pub fn sign_link_statement(link: &Link, keys: &[&PrivateKey]) -> Result<Vec<u8>, IntotoError> {
    let to_json = |v: Value| {
        v.to_serde_json()
            .map_err(|e| IntotoError::Key(e.to_string()))
    };
    let subjects: Vec<palisade_attest::Subject> = link
        .products
        .iter()
        .map(|(n, d)| palisade_attest::Subject {
            name: n.clone(),
            digest: d.to_map(),
        })
        .collect();
    let materials: Vec<serde_json::Value> = link
        .materials
        .iter()
        .map(|(n, d)| serde_json::json!({"name": n, "digest": d.to_map()}))
        .collect();
    let predicate = serde_json::json!({
        "name": link.name,
        "command": link.command,
        "materials": materials,
        "byproducts": to_json(Value::Object(link.byproducts.clone()))?,
        "environment": to_json(Value::Object(link.environment.clone()))?,
    });
    let st = palisade_attest::Statement {
        type_: palisade_attest::STATEMENT_V1.to_string(),
        subject: subjects,
        predicate_type: LINK_PREDICATE_V03.to_string(),
        predicate,
    };
    let env =
        palisade_attest::sign_statement(&st, keys).map_err(|e| IntotoError::Key(e.to_string()))?;
    Ok(env.to_json_pretty().into_bytes())
}

/// Compact JSON with sorted keys (what Python's `json.loads` reads back exactly).
pub fn json_compact(v: &Value) -> Result<Vec<u8>, IntotoError> {
    let sj = v
        .to_serde_json()
        .map_err(|e| IntotoError::Key(e.to_string()))?;
    serde_json::to_vec(&sj).map_err(|e| IntotoError::Key(e.to_string()))
}

fn metablock_json(signed: &Value, sigs: &[(String, String)]) -> Result<Vec<u8>, IntotoError> {
    metablock_json_with_gpg(signed, sigs, &[])
}

fn metablock_json_with_gpg(
    signed: &Value,
    sigs: &[(String, String)],
    gpg: &[GpgSignature],
) -> Result<Vec<u8>, IntotoError> {
    let sj = signed
        .to_serde_json()
        .map_err(|e| IntotoError::Key(e.to_string()))?;
    let sigs: Vec<serde_json::Value> = gpg
        .iter()
        .map(|g| {
            serde_json::json!({"keyid": g.keyid, "signature": g.signature, "other_headers": g.other_headers})
        })
        .chain(sigs.iter().map(|(k, s)| serde_json::json!({"keyid": k, "sig": s})))
        .collect();
    let doc = serde_json::json!({"signatures": sigs, "signed": sj});
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&doc, &mut ser).map_err(|e| IntotoError::Key(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// Writes an unsigned Metablock (`signatures: []`) around `signed`, as Python's
/// `Metablock(signed=layout).dump()` does.
pub fn unsigned_metablock(signed: &Value) -> Result<Vec<u8>, IntotoError> {
    metablock_json(signed, &[])
}

/// The general path's canonical bytes of a Metablock's `signed` (for the differential
/// check of the fast path; `None` when the general path rejects the document).
pub fn general_canonical(bytes: &[u8]) -> Option<Vec<u8>> {
    let v = palisade_cjson::parse(bytes).ok()?;
    Some(palisade_cjson::encode(v.get("signed")?))
}

/// The fast path's canonical bytes, when it takes the document.
pub fn fast_canonical(bytes: &[u8]) -> Option<Vec<u8>> {
    match fast_metablock_link(bytes)?.wrapper {
        Wrapper::Metablock { canonical, .. } => Some(canonical),
        Wrapper::Dsse(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(bytes: &[u8]) -> bool {
        let fast = fast_canonical(bytes);
        fast.is_some() && fast == general_canonical(bytes)
    }

    #[test]
    fn fast_link_path_equals_the_general_path() {
        let mut seen = 0;
        for dir in [
            "vectors/in-toto-demo/metablock/good",
            "vectors/in-toto/python-in-toto/demo_files",
        ] {
            for e in std::fs::read_dir(palisade_testkit::shared(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "link") {
                    assert!(same(&std::fs::read(&p).unwrap()), "{}", p.display());
                    seen += 1;
                }
            }
        }
        assert!(seen >= 6);
        let tricky = r#"{"signatures": [{"keyid": "k", "sig": "00"}], "signed": {"_type": "link",
            "name": "st\"ep\\\u00e9\u0001", "command": ["a b", "\ud83d\ude00"],
            "materials": {"z": {"sha256": "1", "sha512": "2"}, "a/\u00e9": {"sha256": "3"}, "\u007f": {}},
            "products": {}, "byproducts": {"return-value": -3, "stdout": "x\n", "nested": {"b": [1, null, true], "a": "\u2028"}},
            "environment": {"k": 123456789012345}}}"#;
        assert!(same(tricky.as_bytes()));
        // the fast path declines what it does not cover; the general path decides
        for declined in [
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {"return-value": 1.5}, "environment": {}}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {"return-value": 123456789012345678901234567890}, "environment": {}}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {}, "environment": {}, "extra": 1}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {}}}"#,
            r#"{"signatures": [{"keyid": "k", "signature": "00", "other_headers": "00"}], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {}, "environment": {}}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {"x": {"sha256": "1"}, "x": {"sha256": "2"}}, "products": {}, "byproducts": {}, "environment": {}}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "command": [], "materials": {}, "products": {}, "byproducts": {"a": {"b": 1, "b": 2}}, "environment": {}}}"#,
            r#"{"signatures": [], "signed": {"_type": "link", "name": "a", "name": "b", "command": [], "materials": {}, "products": {}, "byproducts": {}, "environment": {}}}"#,
        ] {
            assert!(fast_canonical(declined.as_bytes()).is_none(), "{declined}");
        }
    }
}
