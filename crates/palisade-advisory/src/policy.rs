//! Materials policy: which findings fail the check (severity threshold, ignores with an
//! expiry, VEX), licence allow/deny lists over SPDX expressions, trusted sources and
//! hash pinning. Also read from `palisade.toml`'s `[check]` table.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::matcher::{Finding, PackageRef};
use crate::severity::Level;
use crate::vex::VexStatement;

/// An ignore: a vulnerability id accepted for a reason, until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// The id (any alias matches).
    pub id: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// Last day it applies (`YYYY-MM-DD`); after it the finding fails again.
    #[serde(default)]
    pub until: Option<String>,
}

/// `[check]` in `palisade.toml` (every key also a flag).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckConfig {
    /// The index directory.
    pub db: Option<PathBuf>,
    /// Findings below this level pass (`low`, `medium`, `high`, `critical`).
    pub severity_threshold: Option<String>,
    /// Ignores.
    #[serde(default)]
    pub ignore: Vec<IgnoreRule>,
    /// VEX documents (OpenVEX or CycloneDX).
    #[serde(default)]
    pub vex: Vec<PathBuf>,
    /// Allowed licences (SPDX ids, optionally `ID WITH EXCEPTION`).
    #[serde(default, alias = "allow-licenses")]
    pub allow_licences: Vec<String>,
    /// Denied licences.
    #[serde(default, alias = "deny-licenses")]
    pub deny_licences: Vec<String>,
    /// Cargo home (e.g. `~/.cargo`) whose registry sources or `.crate` files give the
    /// licences of crates.io packages (`Cargo.lock` records none).
    pub cargo_home: Option<PathBuf>,
    /// Allowed registries / indexes (host names or URL prefixes).
    #[serde(default)]
    pub allowed_registries: Vec<String>,
    /// Every third-party package must carry a hash where its lockfile format records one.
    #[serde(default)]
    pub require_hashes: bool,
    /// Packages that could not be checked do not fail the check.
    #[serde(default)]
    pub allow_unchecked: bool,
}

/// Why a finding passes or fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "because", rename_all = "lowercase")]
pub enum Verdict {
    /// Fails the check.
    Fail(String),
    /// Reported but accepted.
    Pass(String),
}

impl Verdict {
    /// Whether it fails.
    pub fn fails(&self) -> bool {
        matches!(self, Verdict::Fail(_))
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    palisade_io::rfc3339(secs)[..10].to_string()
}

/// Checks that a date is `YYYY-MM-DD`.
pub fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&d[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d[8..10].parse::<u32>().unwrap_or(0))
}

/// Checks a configuration: threshold spelled right, ignores with a reason and a valid
/// date, licence lists of SPDX ids.
pub fn validate(c: &CheckConfig) -> Result<(), String> {
    if let Some(t) = &c.severity_threshold {
        t.parse::<Level>()?;
    }
    for r in &c.ignore {
        if r.reason.trim().is_empty() {
            return Err(format!("ignore {}: a reason is required", r.id));
        }
        if let Some(u) = &r.until
            && !valid_date(u)
        {
            return Err(format!(
                "ignore {}: until {u:?} is not a YYYY-MM-DD date",
                r.id
            ));
        }
    }
    for l in c.allow_licences.iter().chain(&c.deny_licences) {
        LicenceRule::parse(l)?;
    }
    Ok(())
}

/// Judges one finding.
pub fn judge(
    f: &Finding,
    threshold: Option<Level>,
    ignores: &[IgnoreRule],
    vex: &[VexStatement],
    today: &str,
) -> Verdict {
    if f.malicious {
        return Verdict::Fail("malicious package: remove it".into());
    }
    if let Some(s) = vex.iter().find(|s| s.suppresses(f)) {
        return Verdict::Pass(format!("VEX {} ({})", s.status, s.origin));
    }
    if let Some(r) = ignores.iter().find(|r| f.all_ids().any(|id| id == r.id)) {
        return match &r.until {
            Some(u) if u.as_str() < today => Verdict::Fail(format!(
                "ignore of {} expired on {u} (reason was: {})",
                r.id, r.reason
            )),
            Some(u) => Verdict::Pass(format!("ignored until {u}: {}", r.reason)),
            None => Verdict::Pass(format!("ignored: {}", r.reason)),
        };
    }
    if let Some(kind) = &f.informational {
        return Verdict::Pass(format!("informational ({kind}), not a vulnerability"));
    }
    match threshold {
        Some(_) if f.severity.level == Level::Unknown => {
            Verdict::Fail("severity unknown, so not below the threshold".into())
        }
        Some(t) if f.severity.level < t => Verdict::Pass(format!(
            "{} is below the threshold {}",
            f.severity.level.as_str(),
            t.as_str()
        )),
        _ => Verdict::Fail(format!("{} vulnerability", f.severity.level.as_str())),
    }
}

/// One entry of a licence allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceRule {
    id: String,
    exception: Option<String>,
}

impl LicenceRule {
    /// `MIT`, `Apache-2.0`, `GPL-2.0-only WITH Classpath-exception-2.0`.
    pub fn parse(s: &str) -> Result<LicenceRule, String> {
        let (lic, exc) = match s.split_once(" WITH ") {
            Some((l, e)) => (l.trim(), Some(e.trim())),
            None => (s.trim(), None),
        };
        let id =
            spdx::license_id(lic).ok_or_else(|| format!("{lic:?} is not an SPDX licence id"))?;
        let exception = match exc {
            Some(e) => Some(
                spdx::exception_id(e)
                    .ok_or_else(|| format!("{e:?} is not an SPDX exception id"))?
                    .name
                    .to_string(),
            ),
            None => None,
        };
        Ok(LicenceRule {
            id: id.name.to_string(),
            exception,
        })
    }

    fn matches(&self, req: &spdx::LicenseReq, exact_exception: bool) -> bool {
        let spdx::LicenseItem::Spdx { id, .. } = &req.license else {
            return false;
        };
        if id.name != self.id {
            return false;
        }
        let req_exc = req
            .addition
            .as_ref()
            .and_then(|a| a.id())
            .map(|e| e.name.to_string());
        match (&self.exception, exact_exception) {
            (Some(e), _) => req_exc.as_deref() == Some(e.as_str()),
            (None, true) => req_exc.is_none(),
            (None, false) => true,
        }
    }
}

/// A licence problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LicenceIssue {
    /// The package.
    pub package: PackageRef,
    /// The licence as declared.
    pub licence: String,
    /// What is wrong.
    pub problem: String,
}

/// Judges one declared licence expression; `None` when it passes.
pub fn judge_licence(expr: &str, allow: &[LicenceRule], deny: &[LicenceRule]) -> Option<String> {
    let parsed = match spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) {
        Ok(p) => p,
        Err(e) => {
            return Some(format!("not an SPDX expression ({})", e.reason));
        }
    };
    let mut unknown = Vec::new();
    for r in parsed.requirements() {
        if let spdx::LicenseItem::Other(o) = &r.req.license {
            unknown.push(o.lic_ref.clone());
        }
    }
    let ok = parsed.evaluate(|req| {
        let denied = deny.iter().any(|d| d.matches(req, false));
        let allowed = allow.is_empty() || allow.iter().any(|a| a.matches(req, true));
        !denied && allowed && matches!(req.license, spdx::LicenseItem::Spdx { .. })
    });
    if ok {
        return None;
    }
    if !unknown.is_empty() {
        return Some(format!(
            "non-SPDX licence reference {} cannot be judged",
            unknown.join(", ")
        ));
    }
    Some(if deny.is_empty() {
        "no alternative of the expression is on the allow list".into()
    } else if allow.is_empty() {
        "every alternative of the expression is denied".into()
    } else {
        "no alternative of the expression is allowed and not denied".into()
    })
}

/// What the sources check needs to know about a package.
#[derive(Debug, Clone)]
pub struct SourceFacts {
    /// The package.
    pub package: PackageRef,
    /// Where its lockfile says it comes from (`None`: the ecosystem's default registry).
    pub source: Option<String>,
    /// Number of hashes recorded.
    pub hashes: usize,
    /// Whether its lockfile format records hashes at all.
    pub format_has_hashes: bool,
    /// Local (path, workspace member): not a third-party download.
    pub local: bool,
}

/// A sources problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceIssue {
    /// The package.
    pub package: PackageRef,
    /// The source, as recorded (or the default registry).
    pub source: String,
    /// What is wrong.
    pub problem: String,
}

/// The registry a package comes from when its lockfile does not say.
pub fn default_registry(ecosystem: &str) -> &'static str {
    match ecosystem {
        "npm" => "https://registry.npmjs.org/",
        "PyPI" => "https://pypi.org/simple/",
        "crates.io" => "https://github.com/rust-lang/crates.io-index",
        "Go" => "https://proxy.golang.org/",
        "RubyGems" => "https://rubygems.org/",
        "Maven" => "https://repo.maven.apache.org/maven2/",
        "NuGet" => "https://api.nuget.org/v3/index.json",
        "Packagist" => "https://repo.packagist.org/",
        "Hex" => "https://repo.hex.pm/",
        "Pub" => "https://pub.dev/",
        _ => "unknown",
    }
}

/// A source without Cargo's `registry+`, `sparse+` or `git+` kind.
fn without_kind(source: &str) -> &str {
    source
        .trim_start_matches("registry+")
        .trim_start_matches("sparse+")
        .trim_start_matches("git+")
}

/// The host of a source URL (`registry+https://...`, `git+ssh://git@host/...`).
fn host(source: &str) -> Option<String> {
    let s = without_kind(source);
    let after = s.split_once("://").map(|(_, r)| r)?;
    let authority = after.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    Some(host.to_ascii_lowercase())
}

/// A source or allowed URL reduced for comparison: without Cargo's `registry+`,
/// `sparse+` and `git+` kinds, the `?branch=` query and `#commit` fragment, and a
/// trailing `.git`; lower-case scheme and host.
fn url_key(u: &str) -> String {
    let s = without_kind(u);
    let s = s.split(['?', '#']).next().unwrap_or(s);
    let s = s.strip_suffix(".git").unwrap_or(s);
    match s.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            format!(
                "{}://{}{path}",
                scheme.to_ascii_lowercase(),
                authority.to_ascii_lowercase()
            )
        }
        None => s.to_string(),
    }
}

/// Whether `source` is one of the allowed sources: a host name (that host and its
/// subdomains), or a URL: a registry or index URL, or a git repository
/// (`https://github.com/org/repo`; `git+` and `.git`, `?branch=` and `#commit` are
/// ignored). A URL matches the same URL or anything under it as a path: an allowed
/// `https://github.com/org/repo` does not let `https://github.com/org/repo-evil` in,
/// an allowed `https://github.com/org/` lets in every repository of `org`.
pub fn source_allowed(source: &str, allowed: &[String]) -> bool {
    let h = host(source);
    let src = url_key(source);
    allowed.iter().any(|a| {
        if a.contains("://") {
            let a = url_key(a);
            if a.ends_with('/') {
                src.starts_with(&a) || src == a[..a.len() - 1]
            } else {
                src == a
                    || src
                        .strip_prefix(&a)
                        .is_some_and(|rest| rest.starts_with('/'))
            }
        } else {
            h.as_deref().is_some_and(|h| {
                h == a.to_ascii_lowercase() || h.ends_with(&format!(".{}", a.to_ascii_lowercase()))
            })
        }
    })
}

/// Checks sources and hash pinning.
pub fn check_sources(
    facts: &[SourceFacts],
    allowed: &[String],
    require_hashes: bool,
) -> Vec<SourceIssue> {
    let mut out = Vec::new();
    for f in facts {
        if f.local {
            continue;
        }
        let src = f
            .source
            .clone()
            .unwrap_or_else(|| default_registry(&f.package.ecosystem).to_string());
        if !allowed.is_empty() && !source_allowed(&src, allowed) {
            out.push(SourceIssue {
                package: f.package.clone(),
                source: src.clone(),
                problem: "not from an allowed registry".into(),
            });
        }
        if require_hashes && f.format_has_hashes && f.hashes == 0 {
            out.push(SourceIssue {
                package: f.package.clone(),
                source: src,
                problem: "no hash pinned although the lockfile format records them".into(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}
