//! Audit of CI definitions: GitHub Actions workflows and actions, GitLab CI, and an
//! organisation's pipeline template.
//!
//! [`discover`] finds the CI files under a path (or classifies a file named explicitly by
//! its name), [`audit`] reads each one into a positioned YAML tree ([`yaml`]) and runs the
//! rules ([`rules`]) and, when given, the org policy ([`Policy`]). Every [`Finding`]
//! carries the file, line and column of the offending node and a snippet. Suppressions:
//! `# palisade: ignore[RULE]` on the line or the line above, and ignored rule ids.
//! [`to_sarif`] maps a report to the shared SARIF writer of `palisade-report`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::Digest as _;

mod expr;
mod github;
mod gitlab;
mod policy;
pub mod yaml;

pub use policy::{Policy, PolicyError};
use yaml::{Node, Source, Span};

/// Largest CI file read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Most local GitLab `include:` files followed from one pipeline.
pub const MAX_INCLUDES: usize = 64;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; rarely exploitable alone.
    Info,
    /// Hardening.
    Low,
    /// Exploitable under some conditions.
    Medium,
    /// Exploitable or a policy violation.
    High,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" | "informational" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            _ => return Err(format!("unknown severity '{s}' (info, low, medium, high)")),
        })
    }
}

/// What kind of CI definition a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A GitHub Actions workflow.
    Workflow,
    /// A GitHub action definition (`action.yml`: composite, Docker or JavaScript).
    Action,
    /// A GitLab CI pipeline (`.gitlab-ci.yml` and its local includes).
    Gitlab,
    /// A Dependabot configuration (read, no rules).
    Dependabot,
}

impl Kind {
    /// The kind of a file named explicitly, by its name.
    pub fn of(path: &Path) -> Kind {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name {
            "action.yml" | "action.yaml" => Kind::Action,
            ".gitlab-ci.yml" | ".gitlab-ci.yaml" => Kind::Gitlab,
            "dependabot.yml" | "dependabot.yaml" => Kind::Dependabot,
            _ => Kind::Workflow,
        }
    }
}

/// A rule: id, default severity, explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`unpinned-uses`).
    pub id: &'static str,
    /// Usual severity (a finding may be lower or higher).
    pub severity: Severity,
    /// One line.
    pub short: &'static str,
    /// Why it matters and how to fix it.
    pub help: &'static str,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The file, as given or found.
    pub file: String,
    /// First line (1-based).
    pub line: usize,
    /// First column (1-based).
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column one past the end.
    pub end_column: usize,
    /// The rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, here.
    pub message: String,
    /// The source line of the node (trimmed).
    pub snippet: String,
    /// The offending value when it is a reference (`owner/repo@v4`), for [`resolve_pins`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The commit the mutable reference points at today (`--online`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

/// A file that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileError {
    /// The file.
    pub file: String,
    /// Why (with line and column when it is a syntax error).
    pub message: String,
}

/// A file audited.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Audited {
    /// The file.
    pub file: String,
    /// Its kind.
    pub kind: Kind,
}

/// The result of an audit.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Files read, sorted.
    pub files: Vec<Audited>,
    /// Findings, sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    /// Findings dropped by a suppression comment or an ignored rule.
    pub suppressed: usize,
    /// Files that could not be read or parsed.
    pub errors: Vec<FileError>,
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The organisation's pipeline policy, if any.
    pub policy: Option<Policy>,
    /// Rule ids not reported.
    pub ignore: Vec<String>,
    /// Findings below this are dropped.
    pub min_severity: Option<Severity>,
}

/// The `[ci]` table of `palisade.toml`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Rule ids not reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The org template, relative to palisade.toml.
    #[serde(default)]
    pub template: Option<String>,
    /// Minimum severity reported.
    #[serde(default)]
    pub min_severity: Option<String>,
}

impl Config {
    /// Reads `[ci]` from a whole palisade.toml (other tables are left to their commands).
    pub fn from_palisade_toml(text: &str) -> Result<Config, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        match table.get("ci") {
            None => Ok(Config::default()),
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| format!("[ci]: {e}")),
        }
    }
}

/// Errors of discovery.
#[derive(Debug, thiserror::Error)]
pub enum CiError {
    /// A path given does not exist.
    #[error("{0}: no such file or directory")]
    Missing(String),
    /// Walking a directory failed.
    #[error("{0}")]
    Walk(String),
}

/// The CI files under `paths`: a file named explicitly is taken by its name ([`Kind::of`]);
/// a directory is searched for `.github/workflows/*.y{a,}ml`, `action.y{a,}ml` and
/// `.gitlab-ci.y{a,}ml` (honouring `.gitignore`). Sorted, without repeats.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Kind)>, CiError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push((p.clone(), Kind::of(p)));
            continue;
        }
        if !p.is_dir() {
            return Err(CiError::Missing(p.display().to_string()));
        }
        let walk = ignore::WalkBuilder::new(p)
            .hidden(false)
            .filter_entry(|e| e.file_name() != ".git" && e.file_name() != "node_modules")
            .max_depth(Some(24))
            .build();
        for entry in walk {
            let entry = entry.map_err(|e| CiError::Walk(e.to_string()))?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
            let in_workflows = path
                .parent()
                .is_some_and(|d| d.ends_with(".github/workflows"));
            let kind = match Kind::of(path) {
                Kind::Action | Kind::Gitlab => Some(Kind::of(path)),
                Kind::Workflow if yaml && in_workflows => Some(Kind::Workflow),
                _ => None,
            };
            if let Some(k) = kind {
                out.push((path.to_path_buf(), k));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Context shared by the rules of one file.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub src: &'a Source,
    pub findings: Vec<Finding>,
}

impl Ctx<'_> {
    /// Reports `rule` at `span`.
    pub fn report(&mut self, rule: &str, severity: Severity, span: Span, message: String) {
        let snippet = self.src.line(span.start.line).trim().to_string();
        let (end_line, end_column) = if span.end.line < span.start.line
            || (span.end.line == span.start.line && span.end.col <= span.start.col)
        {
            (span.start.line, span.start.col + 1)
        } else {
            (span.end.line, span.end.col)
        };
        self.findings.push(Finding {
            file: self.file.to_string(),
            line: span.start.line,
            column: span.start.col,
            end_line,
            end_column,
            rule: rule.to_string(),
            severity,
            message,
            snippet,
            subject: None,
            pin: None,
        });
    }
    /// Reports at a node, narrowed to its first line for multi-line nodes.
    pub fn at(&mut self, rule: &str, severity: Severity, node: &Node, message: String) {
        let mut span = node.span;
        if span.end.line > span.start.line {
            let line = self.src.line(span.start.line);
            span.end = yaml::Pos {
                line: span.start.line,
                col: line.chars().count() + 1,
                offset: span.start.offset,
            };
        }
        self.report(rule, severity, span, message);
    }
}

/// Every rule this crate reports.
pub fn rules() -> Vec<Rule> {
    let mut r: Vec<Rule> = github::RULES
        .iter()
        .chain(gitlab::RULES)
        .chain(policy::RULES)
        .copied()
        .collect();
    r.sort_by_key(|r| r.id);
    r.dedup_by_key(|r| r.id);
    r
}

/// Audits one file's text (a GitLab pipeline's local includes are not followed here,
/// see [`audit`]); template requirements are checked against this file alone.
pub fn audit_text(
    file: &str,
    kind: Kind,
    text: &str,
    opts: &Options,
) -> Result<Vec<Finding>, String> {
    let (mut findings, met) = audit_one(file, kind, text, opts)?;
    if let Some(p) = &opts.policy
        && matches!(kind, Kind::Workflow | Kind::Gitlab)
    {
        findings.extend(unmet_findings(p, &met, file));
    }
    Ok(findings)
}

fn unmet_findings(p: &Policy, met: &[String], file: &str) -> Vec<Finding> {
    p.unmet(met)
        .into_iter()
        .map(|r| Finding {
            file: file.to_string(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            rule: "policy-required-step".into(),
            severity: Severity::High,
            message: format!("no pipeline has the required step '{}'", r.name),
            snippet: String::new(),
            subject: None,
            pin: None,
        })
        .collect()
}

fn audit_one(
    file: &str,
    kind: Kind,
    text: &str,
    opts: &Options,
) -> Result<(Vec<Finding>, Vec<String>), String> {
    let src = Source::new(text.to_string());
    let root = yaml::parse(&src).map_err(|e| e.to_string())?;
    let mut ctx = Ctx {
        file,
        src: &src,
        findings: Vec::new(),
    };
    let mut met = Vec::new();
    if let Some(root) = &root {
        match kind {
            Kind::Workflow => github::workflow(&mut ctx, root),
            Kind::Action => github::action(&mut ctx, root),
            Kind::Gitlab => gitlab::pipeline(&mut ctx, root),
            Kind::Dependabot => {}
        }
        if let Some(p) = &opts.policy
            && kind != Kind::Dependabot
        {
            met = p.check(&mut ctx, kind, root);
        }
    }
    let mut f = ctx.findings;
    f.retain(|f| !suppressed_by_comment(&src, f));
    Ok((f, met))
}

fn suppressed_by_comment(src: &Source, f: &Finding) -> bool {
    // zizmor's own comments are honoured too: its audit ids are ours where they overlap.
    let hit = |line: &str| {
        let Some((i, marker)) = ["# palisade: ignore[", "# zizmor: ignore["]
            .iter()
            .find_map(|m| line.find(m).map(|i| (i, *m)))
        else {
            return false;
        };
        let rest = &line[i + marker.len()..];
        let Some(end) = rest.find(']') else {
            return false;
        };
        rest[..end]
            .split(',')
            .map(str::trim)
            .any(|r| r == f.rule || r == "*")
    };
    hit(src.line(f.line))
        || (f.line > 1 && {
            let above = src.line(f.line - 1);
            above.trim_start().starts_with('#') && hit(above)
        })
}

/// What one top-level file (and its includes) gave.
#[derive(Default)]
struct Part {
    files: Vec<Audited>,
    raw: Vec<Finding>,
    met: Vec<String>,
    errors: Vec<FileError>,
    first_pipeline: Option<String>,
}

fn read_text(p: &Path) -> Result<String, String> {
    let b = palisade_io::read_limited(p, MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    String::from_utf8(b).map_err(|_| "not UTF-8".to_string())
}

/// One file and, for a GitLab pipeline, its local includes (bounded).
fn audit_tree(path: &Path, kind: Kind, opts: &Options) -> Part {
    let mut part = Part::default();
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec![(path.to_path_buf(), kind, 0usize)];
    let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut followed = 0usize;
    while let Some((p, k, depth)) = queue.pop() {
        let name = p.display().to_string();
        if !seen.insert(name.clone()) {
            continue;
        }
        part.files.push(Audited {
            file: name.clone(),
            kind: k,
        });
        let text = match read_text(&p) {
            Ok(t) => t,
            Err(message) => {
                part.errors.push(FileError {
                    file: name,
                    message,
                });
                continue;
            }
        };
        match audit_one(&name, k, &text, opts) {
            Ok((f, m)) => {
                part.raw.extend(f);
                part.met.extend(m);
                if part.first_pipeline.is_none() && matches!(k, Kind::Workflow | Kind::Gitlab) {
                    part.first_pipeline = Some(name.clone());
                }
            }
            Err(message) => {
                part.errors.push(FileError {
                    file: name,
                    message,
                });
                continue;
            }
        }
        if k != Kind::Gitlab || depth >= 8 {
            continue;
        }
        for inc in gitlab::local_includes(&text) {
            followed += 1;
            if followed > MAX_INCLUDES {
                part.errors.push(FileError {
                    file: name.clone(),
                    message: format!("more than {MAX_INCLUDES} local includes; rest not read"),
                });
                break;
            }
            match resolve_local(&root_dir, &inc) {
                Some(q) => queue.push((q, Kind::Gitlab, depth + 1)),
                None => part.errors.push(FileError {
                    file: name.clone(),
                    message: format!(
                        "local include '{inc}' not found under {}",
                        root_dir.display()
                    ),
                }),
            }
        }
    }
    part
}

/// Audits every file (in parallel): reads (bounded), parses, runs the rules, follows
/// GitLab local includes (bounded, never outside the pipeline's folder), applies
/// suppressions and the minimum severity; output sorted, the same on every run.
pub fn audit(files: &[(PathBuf, Kind)], opts: &Options) -> Report {
    use rayon::prelude::*;
    let parts: Vec<Part> = files
        .par_iter()
        .map(|(path, kind)| audit_tree(path, *kind, opts))
        .collect();
    let mut report = Report::default();
    let mut raw: Vec<Finding> = Vec::new();
    let mut met: Vec<String> = Vec::new();
    let mut first_pipeline: Option<String> = None;
    for p in parts {
        report.files.extend(p.files);
        report.errors.extend(p.errors);
        raw.extend(p.raw);
        met.extend(p.met);
        if first_pipeline.is_none() {
            first_pipeline = p.first_pipeline;
        }
    }
    if let (Some(p), Some(file)) = (&opts.policy, &first_pipeline) {
        raw.extend(unmet_findings(p, &met, file));
    }
    raw.sort();
    raw.dedup();
    let min = opts.min_severity.unwrap_or(Severity::Info);
    for f in raw {
        if opts.ignore.iter().any(|r| r == &f.rule) || f.severity < min {
            report.suppressed += usize::from(f.severity >= min);
            continue;
        }
        report.findings.push(f);
    }
    report.files.sort();
    report.files.dedup();
    report.errors.sort();
    report.errors.dedup();
    report
}

/// A local include inside the pipeline's folder (no `..`, no wildcards).
fn resolve_local(root: &Path, inc: &str) -> Option<PathBuf> {
    let rel = inc.trim_start_matches('/');
    if rel.contains("..") || rel.contains('*') || rel.is_empty() {
        return None;
    }
    let p = root.join(rel);
    p.is_file().then_some(p)
}

/// Resolves a mutable git reference of a repository to the commit it names today (a
/// forge API, or a fake one in tests).
pub trait RefResolver {
    /// The 40-hex commit of `reference` in `owner/repo`; `Ok(None)` when the forge does
    /// not know it.
    fn resolve(&self, repo: &str, reference: &str) -> Result<Option<String>, String>;
}

/// `--online`: for each action pinned to a tag or branch, asks `resolver` for the commit
/// it names today and adds it to the finding (`pin`, and the message), so the fix is a
/// copy. Each repository and reference is asked once. Returns the errors met (the
/// findings stay as they were).
pub fn resolve_pins(report: &mut Report, resolver: &dyn RefResolver) -> Vec<String> {
    let mut cache: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    for f in &mut report.findings {
        if f.rule != "unpinned-uses" {
            continue;
        }
        let Some((path, reference)) = f.subject.as_deref().and_then(|s| s.split_once('@')) else {
            continue;
        };
        let mut parts = path.split('/');
        let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
            continue;
        };
        let key = (format!("{owner}/{repo}"), reference.to_string());
        let sha = match cache.get(&key) {
            Some(v) => v.clone(),
            None => {
                let v = match resolver.resolve(&key.0, &key.1) {
                    Ok(Some(sha))
                        if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        Some(sha.to_ascii_lowercase())
                    }
                    Ok(Some(other)) => {
                        errors.push(format!(
                            "{}@{}: the forge answered '{other}', not a commit",
                            key.0, key.1
                        ));
                        None
                    }
                    Ok(None) => None,
                    Err(e) => {
                        errors.push(format!("{}@{}: {e}", key.0, key.1));
                        None
                    }
                };
                cache.insert(key, v.clone());
                v
            }
        };
        if let Some(sha) = sha {
            f.message = format!("{} (today: {path}@{sha} # {reference})", f.message);
            f.pin = Some(sha);
        }
    }
    errors.sort();
    errors.dedup();
    errors
}

/// Findings per rule id.
pub fn counts(report: &Report) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for f in &report.findings {
        *m.entry(f.rule.clone()).or_insert(0) += 1;
    }
    m
}

/// The report as a SARIF run for [`palisade_report::findings::render_findings_sarif`].
pub fn to_sarif(report: &Report, tool_version: &str) -> palisade_report::findings::SarifRun {
    use palisade_report::findings::{Level, SarifLocation, SarifResult, SarifRule, SarifRun};
    let rules = rules()
        .into_iter()
        .map(|r| SarifRule {
            id: r.id.to_string(),
            short: r.short.to_string(),
            help: r.help.to_string(),
            help_uri: None,
            security_severity: Some(match r.severity {
                Severity::High => 8.0,
                Severity::Medium => 5.5,
                Severity::Low => 3.0,
                Severity::Info => 1.0,
            }),
            tags: vec!["security".into(), "ci".into(), "build".into()],
        })
        .collect();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let mut h = sha2::Sha256::new();
            h.update(f.rule.as_bytes());
            h.update([0]);
            h.update(f.file.as_bytes());
            h.update([0]);
            h.update(f.snippet.as_bytes());
            let fp = hex::encode(&h.finalize()[..16]);
            SarifResult {
                rule_id: f.rule.clone(),
                level: Some(match f.severity {
                    Severity::High => Level::Error,
                    Severity::Medium => Level::Warning,
                    Severity::Low | Severity::Info => Level::Note,
                }),
                message: f.message.clone(),
                locations: vec![SarifLocation {
                    uri: f.file.trim_start_matches("./").replace('\\', "/"),
                    start_line: f.line as u64,
                    start_column: Some(f.column as u64),
                    end_line: Some(f.end_line as u64),
                    end_column: Some(f.end_column as u64),
                    snippet: Some(f.snippet.clone()),
                    message: None,
                }],
                fingerprints: [("palisade/v1".to_string(), fp)].into(),
                properties: [(
                    "severity".to_string(),
                    serde_json::Value::from(f.severity.as_str()),
                )]
                .into(),
            }
        })
        .collect();
    SarifRun {
        tool_name: "palisade".into(),
        tool_version: tool_version.into(),
        information_uri: None,
        rules,
        results,
    }
}
