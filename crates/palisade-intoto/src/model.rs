//! The in-toto v1.0 documents: links, layouts, steps, inspections and artefact rules.

use std::collections::BTreeMap;

use palisade_cjson::Value;
use palisade_keys::PublicKey;

use crate::IntotoError;

/// Recorded artefacts: path → digests.
pub type Artifacts = BTreeMap<String, Digests>;

/// The digests of one artefact, {hash algorithm → lowercase hex}: a small sorted list
/// (links carry one or two per artefact and tens of thousands of artefacts, so a map per
/// artefact would cost more than the data).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digests(Vec<(String, String)>);

impl Digests {
    /// No digests.
    pub fn new() -> Digests {
        Digests(Vec::new())
    }

    /// No digests, room for `n`.
    pub fn with_capacity(n: usize) -> Digests {
        Digests(Vec::with_capacity(n.min(16)))
    }

    /// Sets the digest of `alg`, returning the one it replaces.
    pub fn insert(&mut self, alg: String, hex: String) -> Option<String> {
        match self.0.binary_search_by(|(a, _)| a.as_str().cmp(&alg)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, hex)),
            Err(i) => {
                self.0.insert(i, (alg, hex));
                None
            }
        }
    }

    /// The digest of `alg`.
    pub fn get(&self, alg: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(a, _)| a.as_str().cmp(alg))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// (algorithm, digest) pairs in algorithm order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(a, h)| (a.as_str(), h.as_str()))
    }

    /// How many digests.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a map (for in-toto Statement subjects).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl From<BTreeMap<String, String>> for Digests {
    fn from(m: BTreeMap<String, String>) -> Digests {
        Digests(m.into_iter().collect())
    }
}

impl std::ops::Index<&str> for Digests {
    type Output = str;
    fn index(&self, alg: &str) -> &str {
        self.get(alg).unwrap_or("")
    }
}

/// The most artefacts one link may record (materials or products).
pub const MAX_ARTIFACTS: usize = 1_000_000;
/// The most steps or inspections, keys, rules per list, arguments per command.
pub const MAX_ITEMS: usize = 10_000;

/// Where a value sits in a document, for error messages.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn err(&self, place: &str, message: impl Into<String>) -> IntotoError {
        IntotoError::Malformed {
            file: self.file.to_string(),
            place: place.to_string(),
            message: message.into(),
        }
    }

    fn obj<'v>(
        &self,
        v: &'v Value,
        place: &str,
    ) -> Result<&'v BTreeMap<String, Value>, IntotoError> {
        match v {
            Value::Object(m) => Ok(m),
            _ => Err(self.err(place, "expected an object")),
        }
    }

    fn string(&self, v: Option<&Value>, place: &str) -> Result<String, IntotoError> {
        match v {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.err(place, "expected a string")),
            None => Err(self.err(place, "missing")),
        }
    }

    fn strings(&self, v: Option<&Value>, place: &str) -> Result<Vec<String>, IntotoError> {
        match v {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => {
                if a.len() > MAX_ITEMS {
                    return Err(self.err(place, format!("more than {MAX_ITEMS} entries")));
                }
                a.iter()
                    .enumerate()
                    .map(|(i, x)| self.string(Some(x), &format!("{place}[{i}]")))
                    .collect()
            }
            Some(_) => Err(self.err(place, "expected an array of strings")),
        }
    }

    fn array<'v>(&self, v: Option<&'v Value>, place: &str) -> Result<&'v [Value], IntotoError> {
        match v {
            None => Ok(&[]),
            Some(Value::Array(a)) if a.len() <= MAX_ITEMS => Ok(a),
            Some(Value::Array(_)) => Err(self.err(place, format!("more than {MAX_ITEMS} entries"))),
            Some(_) => Err(self.err(place, "expected an array")),
        }
    }

    fn artifacts(&self, v: Option<&Value>, place: &str) -> Result<Artifacts, IntotoError> {
        let Some(v) = v else {
            return Ok(Artifacts::new());
        };
        let m = self.obj(v, place)?;
        if m.len() > MAX_ARTIFACTS {
            return Err(self.err(place, format!("more than {MAX_ARTIFACTS} artefacts")));
        }
        let mut out = Artifacts::new();
        for (path, hashes) in m {
            let hp = format!("{place}[{}]", serde_json::Value::String(path.clone()));
            let hm = self.obj(hashes, &hp)?;
            let mut h = Digests::new();
            for (alg, d) in hm {
                h.insert(alg.clone(), self.string(Some(d), &format!("{hp}.{alg}"))?);
            }
            out.insert(path.clone(), h);
        }
        Ok(out)
    }
}

/// A link: what one functionary did in one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The step's name.
    pub name: String,
    /// The command that ran (empty when none).
    pub command: Vec<String>,
    /// Artefacts before.
    pub materials: Artifacts,
    /// Artefacts after.
    pub products: Artifacts,
    /// `stdout`, `stderr`, `return-value` (an object; empty when no command ran).
    pub byproducts: BTreeMap<String, Value>,
    /// Free-form environment information.
    pub environment: BTreeMap<String, Value>,
}

impl Link {
    /// An empty link for step `name`.
    pub fn new(name: &str) -> Link {
        Link {
            name: name.to_string(),
            command: Vec::new(),
            materials: Artifacts::new(),
            products: Artifacts::new(),
            byproducts: BTreeMap::new(),
            environment: BTreeMap::new(),
        }
    }

    /// Reads a link, taking the value apart instead of copying it (links can be large).
    pub(crate) fn from_owned_value(v: Value, ctx: &Ctx<'_>, at: &str) -> Result<Link, IntotoError> {
        let Value::Object(mut m) = v else {
            return Err(ctx.err(at, "expected an object"));
        };
        let mut take_artifacts = |k: &str| -> Result<Artifacts, IntotoError> {
            let place = format!("{at}.{k}");
            let obj = match m.remove(k) {
                None | Some(Value::Null) => return Ok(Artifacts::new()),
                Some(Value::Object(o)) => o,
                Some(_) => return Err(ctx.err(&place, "expected an object")),
            };
            if obj.len() > MAX_ARTIFACTS {
                return Err(ctx.err(&place, format!("more than {MAX_ARTIFACTS} artefacts")));
            }
            let mut out = Artifacts::new();
            for (path, hashes) in obj {
                let Value::Object(hm) = hashes else {
                    return Err(ctx.err(
                        &format!("{place}[{}]", serde_json::Value::String(path)),
                        "expected an object",
                    ));
                };
                let mut h = Digests::new();
                for (alg, d) in hm {
                    match d {
                        Value::String(d) => {
                            h.insert(alg, d);
                        }
                        _ => {
                            return Err(ctx.err(
                                &format!("{place}[{}].{alg}", serde_json::Value::String(path)),
                                "expected a string",
                            ));
                        }
                    }
                }
                out.insert(path, h);
            }
            Ok(out)
        };
        let materials = take_artifacts("materials")?;
        let products = take_artifacts("products")?;
        let rest = Value::Object(m);
        let mut link = Link::from_value(&rest, ctx, at)?;
        link.materials = materials;
        link.products = products;
        Ok(link)
    }

    /// Reads the `signed` part of a legacy link (`_type: link`).
    pub(crate) fn from_value(v: &Value, ctx: &Ctx<'_>, at: &str) -> Result<Link, IntotoError> {
        let m = ctx.obj(v, at)?;
        let name = ctx.string(m.get("name"), &format!("{at}.name"))?;
        let command = ctx.strings(m.get("command"), &format!("{at}.command"))?;
        let materials = ctx.artifacts(m.get("materials"), &format!("{at}.materials"))?;
        let products = ctx.artifacts(m.get("products"), &format!("{at}.products"))?;
        let obj_or_empty = |k: &str| -> Result<BTreeMap<String, Value>, IntotoError> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(BTreeMap::new()),
                Some(Value::Object(o)) => Ok(o.clone()),
                Some(_) => Err(ctx.err(&format!("{at}.{k}"), "expected an object")),
            }
        };
        Ok(Link {
            name,
            command,
            materials,
            products,
            byproducts: obj_or_empty("byproducts")?,
            environment: obj_or_empty("environment")?,
        })
    }

    /// The link as the JSON object Python in-toto writes (`_type: link`).
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("_type".into(), Value::String("link".into()));
        m.insert("name".into(), Value::String(self.name.clone()));
        m.insert("command".into(), strings_value(&self.command));
        m.insert("materials".into(), artifacts_value(&self.materials));
        m.insert("products".into(), artifacts_value(&self.products));
        m.insert("byproducts".into(), Value::Object(self.byproducts.clone()));
        m.insert(
            "environment".into(),
            Value::Object(self.environment.clone()),
        );
        Value::Object(m)
    }

    /// The return value recorded in the byproducts, if any.
    pub fn return_value(&self) -> Option<i64> {
        match self.byproducts.get("return-value") {
            Some(Value::Int(s)) => s.parse().ok(),
            _ => None,
        }
    }
}

pub(crate) fn strings_value(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(s.clone())).collect())
}

pub(crate) fn artifacts_value(a: &Artifacts) -> Value {
    Value::Object(
        a.iter()
            .map(|(p, h)| {
                (
                    p.clone(),
                    Value::Object(
                        h.iter()
                            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                            .collect(),
                    ),
                )
            })
            .collect(),
    )
}

/// Which artefacts of a link a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// Materials.
    Materials,
    /// Products.
    Products,
}

impl ArtifactKind {
    /// `materials` / `products`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactKind::Materials => "materials",
            ArtifactKind::Products => "products",
        }
    }
}

/// One artefact rule, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `MATCH pattern [IN src] WITH MATERIALS|PRODUCTS [IN dst] FROM step`
    Match {
        /// The pattern (applied after the source prefix is taken off).
        pattern: String,
        /// Source prefix.
        src_prefix: Option<String>,
        /// Which artefacts of the destination step.
        dest_kind: ArtifactKind,
        /// Destination prefix.
        dest_prefix: Option<String>,
        /// The destination step or inspection.
        dest_name: String,
    },
    /// `CREATE pattern`
    Create(String),
    /// `DELETE pattern`
    Delete(String),
    /// `MODIFY pattern`
    Modify(String),
    /// `ALLOW pattern`
    Allow(String),
    /// `DISALLOW pattern`
    Disallow(String),
    /// `REQUIRE path` (a literal path, not a pattern)
    Require(String),
}

impl Rule {
    /// Parses a rule from its stanzas; keywords are case-insensitive, as in Python.
    pub fn parse(stanzas: &[String]) -> Result<Rule, String> {
        let low: Vec<String> = stanzas.iter().map(|s| s.to_lowercase()).collect();
        let shown = stanzas.join(" ");
        let Some(kind) = low.first() else {
            return Err("empty rule".into());
        };
        let single = |f: fn(String) -> Rule| {
            if stanzas.len() == 2 {
                Ok(f(stanzas[1].clone()))
            } else {
                Err(format!(
                    "'{shown}': expected '{} <pattern>'",
                    stanzas[0].to_uppercase()
                ))
            }
        };
        match kind.as_str() {
            "create" => single(Rule::Create),
            "delete" => single(Rule::Delete),
            "modify" => single(Rule::Modify),
            "allow" => single(Rule::Allow),
            "disallow" => single(Rule::Disallow),
            "require" => single(Rule::Require),
            "match" => {
                let l: Vec<&str> = low.iter().map(String::as_str).collect();
                let s = stanzas;
                let (src_prefix, dest_kind, dest_prefix, dest_name) = match l.len() {
                    10 if l[2] == "in" && l[4] == "with" && l[6] == "in" && l[8] == "from" => {
                        (Some(s[3].clone()), l[5], Some(s[7].clone()), s[9].clone())
                    }
                    8 if l[2] == "in" && l[4] == "with" && l[6] == "from" => {
                        (Some(s[3].clone()), l[5], None, s[7].clone())
                    }
                    8 if l[2] == "with" && l[4] == "in" && l[6] == "from" => {
                        (None, l[3], Some(s[5].clone()), s[7].clone())
                    }
                    6 if l[2] == "with" && l[4] == "from" => (None, l[3], None, s[5].clone()),
                    _ => {
                        return Err(format!(
                            "'{shown}': expected 'MATCH <pattern> [IN <prefix>] WITH \
                             (MATERIALS|PRODUCTS) [IN <prefix>] FROM <step>'"
                        ));
                    }
                };
                let dest_kind = match dest_kind {
                    "materials" => ArtifactKind::Materials,
                    "products" => ArtifactKind::Products,
                    _ => return Err(format!("'{shown}': expected MATERIALS or PRODUCTS")),
                };
                Ok(Rule::Match {
                    pattern: s[1].clone(),
                    src_prefix,
                    dest_kind,
                    dest_prefix,
                    dest_name,
                })
            }
            _ => Err(format!("'{shown}': unknown rule type '{}'", stanzas[0])),
        }
    }
}

/// A step of a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Unique name; links are `NAME.KEYID8.link`.
    pub name: String,
    /// Key ids of the functionaries allowed to carry it out.
    pub pubkeys: Vec<String>,
    /// How many distinct functionaries must have signed a link.
    pub threshold: usize,
    /// The command expected (a mismatch is only a warning).
    pub expected_command: Vec<String>,
    /// Rules on the link's materials (raw stanzas; substituted, then parsed).
    pub expected_materials: Vec<Vec<String>>,
    /// Rules on the link's products.
    pub expected_products: Vec<Vec<String>>,
}

/// An inspection: a command the verifier runs itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Unique name.
    pub name: String,
    /// The command.
    pub run: Vec<String>,
    /// Rules on the materials (the working directory before).
    pub expected_materials: Vec<Vec<String>>,
    /// Rules on the products (the working directory after).
    pub expected_products: Vec<Vec<String>>,
}

/// A key that may sign in-toto metadata: a securesystemslib key of the trust core, or an
/// OpenPGP RSA key (with subkeys) as Python in-toto's `--gpg` records it.
#[derive(Debug, Clone)]
pub enum LayoutKey {
    /// ed25519, ECDSA, RSA (PEM / JSON / OpenSSH).
    Key(PublicKey),
    /// OpenPGP RSA.
    Gpg(crate::gpg::GpgKey),
}

impl LayoutKey {
    /// Reads a key dict of a layout's `keys` (or a key file's JSON).
    pub fn from_sslib_value(v: &Value, keyid: &str) -> Result<LayoutKey, String> {
        if crate::gpg::GpgKey::is_gpg_value(v) {
            crate::gpg::GpgKey::from_sslib_value(v, keyid).map(LayoutKey::Gpg)
        } else {
            PublicKey::from_sslib_value(v)
                .map(LayoutKey::Key)
                .map_err(|e| e.to_string())
        }
    }

    /// The key id (for OpenPGP, the primary key's fingerprint).
    pub fn keyid(&self) -> &str {
        match self {
            LayoutKey::Key(k) => k.keyid(),
            LayoutKey::Gpg(g) => &g.keyid,
        }
    }

    /// Key ids whose link files count for this key: itself and, for OpenPGP, its subkeys.
    pub fn link_keyids(&self) -> Vec<String> {
        match self {
            LayoutKey::Key(k) => vec![k.keyid().to_string()],
            LayoutKey::Gpg(g) => g.all_keyids().into_iter().map(String::from).collect(),
        }
    }
}

/// A layout: the supply chain's policy, signed by its owner(s).
#[derive(Debug, Clone)]
pub struct Layout {
    /// Expiry, `YYYY-MM-DDTHH:MM:SSZ`.
    pub expires: String,
    /// Free text.
    pub readme: String,
    /// Functionary keys by key id (keys this crate cannot read carry the reason).
    pub keys: BTreeMap<String, Result<LayoutKey, String>>,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// Inspections, in order.
    pub inspect: Vec<Inspection>,
}

fn rules(ctx: &Ctx<'_>, v: Option<&Value>, at: &str) -> Result<Vec<Vec<String>>, IntotoError> {
    let a = ctx.array(v, at)?;
    let mut out = Vec::with_capacity(a.len());
    for (i, r) in a.iter().enumerate() {
        let place = format!("{at}[{i}]");
        let stanzas = ctx.strings(Some(r), &place)?;
        Rule::parse(&stanzas).map_err(|e| ctx.err(&place, e))?;
        out.push(stanzas);
    }
    Ok(out)
}

/// Rules as their stanzas.
type RuleList = Vec<Vec<String>>;

/// The `expected_materials` and `expected_products` of a step or inspection.
fn item_rules(
    ctx: &Ctx<'_>,
    item: &BTreeMap<String, Value>,
    at: &str,
) -> Result<(RuleList, RuleList), IntotoError> {
    Ok((
        rules(
            ctx,
            item.get("expected_materials"),
            &format!("{at}.expected_materials"),
        )?,
        rules(
            ctx,
            item.get("expected_products"),
            &format!("{at}.expected_products"),
        )?,
    ))
}

impl Layout {
    /// Reads the `signed` part of a layout (`_type: layout`) and checks it is well formed:
    /// unique step and inspection names, valid rules, thresholds of at least 1.
    pub(crate) fn from_value(v: &Value, ctx: &Ctx<'_>, at: &str) -> Result<Layout, IntotoError> {
        let m = ctx.obj(v, at)?;
        let expires = ctx.string(m.get("expires"), &format!("{at}.expires"))?;
        crate::time::parse_utc(&expires).map_err(|e| ctx.err(&format!("{at}.expires"), e))?;
        let readme = match m.get("readme") {
            None => String::new(),
            r => ctx.string(r, &format!("{at}.readme"))?,
        };
        let mut keys = BTreeMap::new();
        if let Some(k) = m.get("keys") {
            let km = ctx.obj(k, &format!("{at}.keys"))?;
            if km.len() > MAX_ITEMS {
                return Err(ctx.err(&format!("{at}.keys"), "too many keys"));
            }
            for (id, kv) in km {
                keys.insert(id.clone(), LayoutKey::from_sslib_value(kv, id));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        let mut steps = Vec::new();
        for (i, s) in ctx
            .array(m.get("steps"), &format!("{at}.steps"))?
            .iter()
            .enumerate()
        {
            let p = format!("{at}.steps[{i}]");
            let sm = ctx.obj(s, &p)?;
            let name = ctx.string(sm.get("name"), &format!("{p}.name"))?;
            if !names.insert(name.clone()) {
                return Err(ctx.err(&p, format!("step name '{name}' is used twice")));
            }
            let threshold = match sm.get("threshold") {
                None => 1,
                Some(Value::Int(t)) => t
                    .parse::<usize>()
                    .ok()
                    .filter(|t| *t >= 1 && *t <= MAX_ITEMS)
                    .ok_or_else(|| ctx.err(&format!("{p}.threshold"), "must be at least 1"))?,
                Some(_) => return Err(ctx.err(&format!("{p}.threshold"), "expected an integer")),
            };
            let (expected_materials, expected_products) = item_rules(ctx, sm, &p)?;
            steps.push(Step {
                name,
                pubkeys: ctx.strings(sm.get("pubkeys"), &format!("{p}.pubkeys"))?,
                threshold,
                expected_command: ctx
                    .strings(sm.get("expected_command"), &format!("{p}.expected_command"))?,
                expected_materials,
                expected_products,
            });
        }
        let mut inspect = Vec::new();
        for (i, s) in ctx
            .array(m.get("inspect"), &format!("{at}.inspect"))?
            .iter()
            .enumerate()
        {
            let p = format!("{at}.inspect[{i}]");
            let sm = ctx.obj(s, &p)?;
            let name = ctx.string(sm.get("name"), &format!("{p}.name"))?;
            if !names.insert(name.clone()) {
                return Err(ctx.err(&p, format!("name '{name}' is used twice")));
            }
            let (expected_materials, expected_products) = item_rules(ctx, sm, &p)?;
            inspect.push(Inspection {
                name,
                run: ctx.strings(sm.get("run"), &format!("{p}.run"))?,
                expected_materials,
                expected_products,
            });
        }
        Ok(Layout {
            expires,
            readme,
            keys,
            steps,
            inspect,
        })
    }
}

/// Fills the fields Python in-toto adds when it loads a layout (so that a signature we
/// make is over the same bytes Python checks): `readme`, `keys`, `steps`, `inspect`, and
/// per step `threshold`, `pubkeys`, `expected_*`. `expires` is set to `default_expires`
/// when missing. Returns the names of the fields added.
pub fn complete_layout(signed: &mut Value, default_expires: &str) -> Vec<String> {
    let mut added = Vec::new();
    let Value::Object(m) = signed else {
        return added;
    };
    let mut put = |m: &mut BTreeMap<String, Value>, k: &str, v: Value, at: &str| {
        if !m.contains_key(k) {
            m.insert(k.to_string(), v);
            added.push(format!("{at}{k}"));
        }
    };
    put(m, "_type", Value::String("layout".into()), "");
    put(m, "expires", Value::String(default_expires.into()), "");
    put(m, "readme", Value::String(String::new()), "");
    put(m, "keys", Value::Object(BTreeMap::new()), "");
    put(m, "steps", Value::Array(Vec::new()), "");
    put(m, "inspect", Value::Array(Vec::new()), "");
    if let Some(Value::Array(steps)) = m.get_mut("steps") {
        for (i, s) in steps.iter_mut().enumerate() {
            if let Value::Object(sm) = s {
                let at = format!("steps[{i}].");
                put(sm, "_type", Value::String("step".into()), &at);
                put(sm, "threshold", Value::Int("1".into()), &at);
                put(sm, "pubkeys", Value::Array(Vec::new()), &at);
                put(sm, "expected_command", Value::Array(Vec::new()), &at);
                put(sm, "expected_materials", Value::Array(Vec::new()), &at);
                put(sm, "expected_products", Value::Array(Vec::new()), &at);
            }
        }
    }
    if let Some(Value::Array(insp)) = m.get_mut("inspect") {
        for (i, s) in insp.iter_mut().enumerate() {
            if let Value::Object(sm) = s {
                let at = format!("inspect[{i}].");
                put(sm, "_type", Value::String("inspection".into()), &at);
                put(sm, "run", Value::Array(Vec::new()), &at);
                put(sm, "expected_materials", Value::Array(Vec::new()), &at);
                put(sm, "expected_products", Value::Array(Vec::new()), &at);
            }
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Result<Rule, String> {
        Rule::parse(&s.split(' ').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn rules_parse_like_python() {
        assert_eq!(r("ALLOW *").unwrap(), Rule::Allow("*".into()));
        assert_eq!(r("disallow x").unwrap(), Rule::Disallow("x".into()));
        assert_eq!(
            r("MATCH * IN src WITH products IN dst FROM build").unwrap(),
            Rule::Match {
                pattern: "*".into(),
                src_prefix: Some("src".into()),
                dest_kind: ArtifactKind::Products,
                dest_prefix: Some("dst".into()),
                dest_name: "build".into()
            }
        );
        assert!(r("MATCH * WITH PRODUCTS IN d FROM s").is_ok());
        assert!(r("MATCH * IN s WITH MATERIALS FROM s").is_ok());
        assert!(r("MATCH * WITH THINGS FROM s").is_err());
        assert!(r("MATCH * FROM s").is_err());
        assert!(r("ALLOW a b").is_err());
        assert!(r("FROB x").is_err());
    }
}
