//! Secret scanning for Palisade: find credentials before they are committed, in the
//! working tree, in the index and in all of a repository's history.
//!
//! - Rules are data ([`rules::DEFAULT_RULES`], a TOML file compiled in; users add and
//!   disable rules in `palisade.toml` `[secrets]`), each with examples a test checks.
//! - The [`Scanner`] runs one Aho-Corasick pass for every rule's keywords over a buffer
//!   and each rule's regex only around its hits, then filters: inline ignores
//!   (`palisade:allow` and the peers' markers), encrypted values (sops, sealed-secrets,
//!   age), entropy, placeholders.
//! - [`tree`] scans a directory in parallel, [`git`] scans history blobs (each distinct
//!   blob once), the index against `HEAD`, and the blobs of a push (pre-receive).
//! - [`Findings`] groups matches per (rule, secret) with every location; the fingerprint
//!   is `sha256(rule id, secret)`, so ignores and baselines survive line moves and
//!   rebases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub mod archive;
pub mod engine;
pub mod filter;
pub mod git;
pub mod rules;
pub mod tree;

pub use engine::{Match, Scanner};
pub use rules::RuleDef;

/// Errors of the secrets engine; each names the file or rule at fault.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A rule does not compile or is malformed.
    #[error("rule {id}: {reason}")]
    Rule {
        /// The rule id.
        id: String,
        /// Why.
        reason: String,
    },
    /// A configuration or baseline file is malformed.
    #[error("{path}: {reason}")]
    Config {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Reading a file failed.
    #[error(transparent)]
    Io(#[from] palisade_io::IoError),
    /// Reading the repository failed.
    #[error("{0}")]
    Git(String),
}

impl From<palisade_source::SourceError> for SecretsError {
    fn from(e: palisade_source::SourceError) -> Self {
        SecretsError::Git(e.to_string())
    }
}

/// Default largest file scanned (bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// The `[secrets]` table of `palisade.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Extra rules (`[[secrets.rule]]`), same shape as the built-in ones.
    #[serde(default)]
    pub rule: Vec<RuleDef>,
    /// Largest file scanned, bytes.
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Paths a push may never add (replaces the default list when set).
    #[serde(default)]
    pub deny_paths: Option<Vec<String>>,
    /// Paths (gitignore globs) never scanned, e.g. test fixtures.
    #[serde(default)]
    pub skip_paths: Vec<String>,
    /// Baseline file, relative to the repository root.
    #[serde(default)]
    pub baseline: Option<String>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    secrets: Option<Config>,
}

impl Config {
    /// Reads `[secrets]` from `palisade.toml` in `root`, if the file exists.
    pub fn load(root: &Path) -> Result<Config, SecretsError> {
        let p = root.join("palisade.toml");
        if !p.is_file() {
            return Ok(Config::default());
        }
        let bytes = palisade_io::read_limited(&p, 4 * 1024 * 1024)?;
        let text = String::from_utf8_lossy(&bytes);
        let f: ConfigFile = toml::from_str(&text).map_err(|e| SecretsError::Config {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(f.secrets.unwrap_or_default())
    }

    /// The scanner for this configuration: built-in rules minus `disable`, plus `rule`.
    pub fn scanner(&self) -> Result<Scanner, SecretsError> {
        let mut defs = rules::default_rules()?;
        for id in &self.disable {
            if !defs.iter().any(|d| &d.id == id) && !self.rule.iter().any(|d| &d.id == id) {
                return Err(SecretsError::Config {
                    path: "palisade.toml [secrets] disable".into(),
                    reason: format!("no rule {id}"),
                });
            }
        }
        defs.retain(|d| !self.disable.contains(&d.id));
        // Built-in rules compile on first use (a test compiles every one of them); the
        // user's rules at once, so a bad pattern is an error now.
        let mut rules = defs
            .into_iter()
            .map(engine::Rule::deferred)
            .collect::<Result<Vec<_>, _>>()?;
        for d in self.rule.iter().filter(|d| !self.disable.contains(&d.id)) {
            rules.push(engine::Rule::new(d.clone())?);
        }
        Scanner::from_rules(rules)
    }
}

/// The fingerprint of a finding: hex `sha256(rule id, 0, secret)`.
pub fn fingerprint(rule: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0u8]);
    h.update(secret);
    hex::encode(h.finalize())
}

/// The commit that introduced a secret at a location (history scans).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Commit {
    /// Hex id.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date, RFC 3339 UTC.
    pub date: String,
}

/// Where a secret is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based byte column.
    pub column: u64,
    /// The commit that introduced it, for history and push scans.
    pub commit: Option<Commit>,
}

impl Location {
    /// As JSON (`path`, `line`, `column`, and `commit`, `author`, `date` when known).
    pub fn to_json(&self) -> Value {
        let mut v = json!({"path": self.path, "line": self.line, "column": self.column});
        if let Some(c) = &self.commit {
            v["commit"] = json!(c.id);
            v["author"] = json!(c.author);
            v["date"] = json!(c.date);
        }
        v
    }
}

/// One secret: a (rule, secret) pair with all its locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Rule description.
    pub description: String,
    /// `sha256(rule, secret)`.
    pub fingerprint: String,
    /// The secret (lossy UTF-8).
    pub secret: String,
    /// Sorted locations.
    pub locations: Vec<Location>,
}

/// A secret with its middle hidden: the first four characters of a long one, then `*`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 16 {
        let head: String = secret.chars().take(4).collect();
        format!("{head}*****")
    } else {
        "*****".to_string()
    }
}

impl Finding {
    /// As JSON; the secret is redacted unless `show`.
    pub fn to_json(&self, show: bool) -> Value {
        json!({
            "rule": self.rule,
            "description": self.description,
            "fingerprint": self.fingerprint,
            "secret": if show { self.secret.clone() } else { redact(&self.secret) },
            "locations": self.locations.iter().map(Location::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Matches collected into findings, one per (rule, secret).
#[derive(Debug, Default)]
pub struct Findings {
    map: BTreeMap<(String, Vec<u8>), (String, BTreeSet<Location>)>,
}

impl Findings {
    /// An empty set.
    pub fn new() -> Findings {
        Findings::default()
    }

    /// Adds a match of `scanner`'s rule at `loc`.
    pub fn add(&mut self, scanner: &Scanner, m: &Match, loc: Location) {
        let def = &scanner.rules()[m.rule].def;
        self.map
            .entry((def.id.clone(), m.secret.clone()))
            .or_insert_with(|| (def.description.clone(), BTreeSet::new()))
            .1
            .insert(loc);
    }

    /// Adds every match of one buffer at `path` (and `commit`).
    pub fn add_all(
        &mut self,
        scanner: &Scanner,
        path: &str,
        ms: &[Match],
        commit: Option<&Commit>,
    ) {
        for m in ms {
            self.add(
                scanner,
                m,
                Location {
                    path: path.to_string(),
                    line: m.line,
                    column: m.column,
                    commit: commit.cloned(),
                },
            );
        }
    }

    /// Merges another set in.
    pub fn extend(&mut self, other: Findings) {
        for (k, (d, locs)) in other.map {
            self.map
                .entry(k)
                .or_insert_with(|| (d, BTreeSet::new()))
                .1
                .extend(locs);
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The findings, sorted by first location, then rule, then fingerprint.
    pub fn into_sorted(self) -> Vec<Finding> {
        let mut out: Vec<Finding> = self
            .map
            .into_iter()
            .map(|((rule, secret), (description, locs))| Finding {
                fingerprint: fingerprint(&rule, &secret),
                secret: String::from_utf8_lossy(&secret).into_owned(),
                rule,
                description,
                locations: locs.into_iter().collect(),
            })
            .collect();
        out.sort_by(|a, b| {
            (a.locations.first(), &a.rule, &a.fingerprint).cmp(&(
                b.locations.first(),
                &b.rule,
                &b.fingerprint,
            ))
        });
        out
    }
}

/// A baseline: fingerprints of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// fingerprint → (rule, first path) for people reading the file.
    pub entries: BTreeMap<String, (String, String)>,
}

impl Baseline {
    /// A baseline accepting these findings.
    pub fn from_findings(fs: &[Finding]) -> Baseline {
        Baseline {
            entries: fs
                .iter()
                .map(|f| {
                    let path = f
                        .locations
                        .first()
                        .map(|l| l.path.clone())
                        .unwrap_or_default();
                    (f.fingerprint.clone(), (f.rule.clone(), path))
                })
                .collect(),
        }
    }

    /// The file's JSON text (sorted, no line numbers or dates, so it merges cleanly).
    pub fn to_json(&self) -> String {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|(fp, (rule, path))| json!({"fingerprint": fp, "rule": rule, "path": path}))
            .collect();
        let v = json!({"version": 1, "tool": "palisade secrets", "findings": entries});
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a baseline file. Also accepts a list of fingerprints, one per line (a
    /// `.gitleaksignore`-style file where our fingerprints are listed).
    pub fn load(path: &Path) -> Result<Baseline, SecretsError> {
        let bytes = palisade_io::read_limited(path, 64 * 1024 * 1024)?;
        let err = |reason: String| SecretsError::Config {
            path: path.display().to_string(),
            reason,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| err("not UTF-8".into()))?;
        let mut b = Baseline::default();
        if text.trim_start().starts_with('{') {
            let v: Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
            let list = v["findings"]
                .as_array()
                .ok_or_else(|| err("expected a `findings` array".into()))?;
            for (i, e) in list.iter().enumerate() {
                let fp = e["fingerprint"]
                    .as_str()
                    .ok_or_else(|| err(format!("findings[{i}]: no fingerprint")))?;
                let rule = e["rule"].as_str().unwrap_or_default().to_string();
                let p = e["path"].as_str().unwrap_or_default().to_string();
                b.entries.insert(fp.to_string(), (rule, p));
            }
        } else {
            for line in text.lines() {
                let l = line.trim();
                if l.len() == 64 && l.bytes().all(|c| c.is_ascii_hexdigit()) {
                    b.entries.insert(l.to_ascii_lowercase(), Default::default());
                }
            }
        }
        Ok(b)
    }

    /// Removes accepted findings; returns the baseline entries no finding matched
    /// (stale: the secret is gone or the rule changed).
    pub fn subtract(&self, fs: &mut Vec<Finding>) -> Vec<String> {
        let found: BTreeSet<String> = fs.iter().map(|f| f.fingerprint.clone()).collect();
        fs.retain(|f| !self.entries.contains_key(&f.fingerprint));
        self.entries
            .keys()
            .filter(|k| !found.contains(*k))
            .cloned()
            .collect()
    }
}

/// Findings as SARIF 2.1.0 via the shared writer. Secrets are redacted unless `show`.
pub fn to_sarif(scanner: &Scanner, fs: &[Finding], show: bool) -> String {
    use palisade_report::findings::{Level, SarifLocation, SarifResult, SarifRule, SarifRun};
    let used: BTreeSet<&str> = fs.iter().map(|f| f.rule.as_str()).collect();
    let rules = scanner
        .rules()
        .iter()
        .filter(|r| used.contains(r.def.id.as_str()))
        .map(|r| SarifRule {
            id: r.def.id.clone(),
            short: r.def.description.clone(),
            help: format!(
                "{}. Revoke and rotate the secret, then remove it from the repository \
                 (and its history); to accept it, add its fingerprint to the baseline or \
                 mark the line `palisade:allow`.",
                r.def.description
            ),
            help_uri: None,
            security_severity: Some(r.def.severity.unwrap_or(7.0)),
            tags: vec!["security".into(), "secret".into()],
        })
        .collect();
    let results = fs
        .iter()
        .map(|f| {
            let secret = if show {
                f.secret.clone()
            } else {
                redact(&f.secret)
            };
            SarifResult {
                rule_id: f.rule.clone(),
                level: Some(Level::Error),
                message: format!("{}: {secret}", f.description),
                locations: f
                    .locations
                    .iter()
                    .map(|l| SarifLocation {
                        uri: l.path.clone(),
                        start_line: l.line,
                        start_column: Some(l.column),
                        message: l.commit.as_ref().map(|c| {
                            format!("introduced in {} by {} on {}", c.id, c.author, c.date)
                        }),
                        ..Default::default()
                    })
                    .collect(),
                fingerprints: [("palisade/v1".to_string(), f.fingerprint.clone())].into(),
                properties: Default::default(),
            }
        })
        .collect();
    palisade_report::findings::render_findings_sarif(&SarifRun {
        tool_name: "palisade".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        information_uri: None,
        rules,
        results,
    })
}

/// Scans one file's or blob's bytes named `path`: when it is an archive (and
/// `limits.max_depth` allows), each member under `path!inner`, else the bytes themselves
/// unless binary. Returns each scanned piece's name suffix after `path` (empty for the
/// bytes themselves) with its matches, for pieces with matches; what the archive walk
/// skipped is added to `skipped`. The one archive path of the working tree, history,
/// index and push scans.
pub fn scan_bytes(
    scanner: &Scanner,
    path: &str,
    data: &[u8],
    limits: &archive::ArchiveLimits,
    skipped: &mut archive::Skipped,
) -> Vec<(String, Vec<Match>)> {
    let mut out = Vec::new();
    let opened = archive::walk(path, data, limits, skipped, &mut |name, bytes| {
        if is_binary(bytes) {
            return;
        }
        let ms = scanner.scan(name, bytes);
        if !ms.is_empty() {
            out.push((name.strip_prefix(path).unwrap_or(name).to_string(), ms));
        }
    });
    if !opened && !is_binary(data) {
        let ms = scanner.scan(path, data);
        if !ms.is_empty() {
            out.push((String::new(), ms));
        }
    }
    out
}

/// Whether a buffer looks binary (a NUL byte in its first 8 KiB).
pub fn is_binary(buf: &[u8]) -> bool {
    memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some()
}

/// How many leading bytes [`is_binary`] looks at.
pub const BINARY_PROBE: usize = 8192;
