//! The organisation's pipeline template (`--template ORG-POLICY.toml`): required steps,
//! allowed actions, maximum token permissions, where release jobs run.
//!
//! See [`Policy`] for the format.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::yaml::{Node, Value};
use crate::{Ctx, Kind, Rule, Severity};

pub(crate) const RULES: &[Rule] = &[
    Rule {
        id: "policy-required-step",
        severity: Severity::High,
        short: "A step the organisation's template requires is missing",
        help: "The template requires this step (e.g. secrets scan, SBOM, provenance) in the pipelines or in every release job.",
    },
    Rule {
        id: "policy-action-not-allowed",
        severity: Severity::High,
        short: "Action or include not on the organisation's allow-list",
        help: "Only actions (and GitLab projects or components) whose owner or repository the template allows may run.",
    },
    Rule {
        id: "policy-permissions",
        severity: Severity::High,
        short: "Token permissions above the template's maximum",
        help: "The template caps GITHUB_TOKEN permissions; a missing permissions block counts as the (broad) default.",
    },
    Rule {
        id: "policy-release-runner",
        severity: Severity::High,
        short: "Release job runs outside the template's runners or environment",
        help: "Release jobs must run on the runners the template names and in its protected environment.",
    },
];

/// A problem with the template file.
#[derive(Debug, thiserror::Error)]
#[error("template: {0}")]
pub struct PolicyError(String);

/// The organisation's pipeline template.
///
/// ```toml
/// [actions]
/// allow = ["actions/*", "github/*", "my-org/*"]   # owner/* or owner/repo
///
/// [permissions]
/// max = { contents = "read", id-token = "write" } # scopes not named: none
///
/// [[require]]
/// name = "secrets scan"
/// uses = "my-org/palisade-action*"                 # a step using this action…
/// run = "palisade secrets"                         # …or running this command
/// scope = "release"                                # every release job ("any": somewhere)
///
/// [[require]]
/// name = "SBOM job"
/// job = "sbom*"                                    # a job with this id must exist
///
/// [release]
/// jobs = ["release*", "publish*"]                  # which jobs are release jobs
/// runs-on = ["ubuntu-24.04"]                       # GitHub runs-on / GitLab tags allowed
/// environment = "release"                          # the protected environment required
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Allowed actions.
    #[serde(default)]
    pub actions: Option<Actions>,
    /// Permission caps.
    #[serde(default)]
    pub permissions: Option<Permissions>,
    /// Required steps.
    #[serde(default)]
    pub require: Vec<Requirement>,
    /// Release jobs.
    #[serde(default)]
    pub release: Option<Release>,
}

/// `[actions]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    /// `owner/*` or `owner/repo` patterns (`*` matches anything).
    pub allow: Vec<String>,
}

/// `[permissions]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Highest level per scope (`none`, `read`, `write`); scopes not named are `none`.
    pub max: BTreeMap<String, String>,
}

/// `[[require]]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// What it is, for messages.
    pub name: String,
    /// A step `uses:` pattern (GitLab: include project or component).
    #[serde(default)]
    pub uses: Option<String>,
    /// A substring of a `run:` / `script:` line.
    #[serde(default)]
    pub run: Option<String>,
    /// A job id pattern: a job so named must exist (and hold `uses` / `run` if given).
    #[serde(default)]
    pub job: Option<String>,
    /// `any` (default): somewhere in the pipelines; `release`: in every release job.
    #[serde(default)]
    pub scope: Option<String>,
}

/// `[release]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Job id patterns of release jobs (default: ids containing `release` or `publish`).
    #[serde(default)]
    pub jobs: Vec<String>,
    /// Allowed runner labels (GitHub `runs-on`, GitLab `tags`).
    #[serde(default, rename = "runs-on")]
    pub runs_on: Vec<String>,
    /// Required deployment environment.
    #[serde(default)]
    pub environment: Option<String>,
}

/// `*` wildcard match, case-insensitive.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let t = text.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(j) = rest.find(part) else {
                return false;
            };
            rest = &rest[j + part.len()..];
        }
    }
    true
}

fn s(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

fn level(l: &str) -> u8 {
    match l {
        "write" => 2,
        "read" => 1,
        _ => 0,
    }
}

impl Policy {
    /// Parses a template.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(text).map_err(|e| PolicyError(e.to_string()))?;
        for r in &p.require {
            if r.uses.is_none() && r.run.is_none() && r.job.is_none() {
                return Err(PolicyError(format!(
                    "requirement '{}' needs `job`, `uses` or `run`",
                    r.name
                )));
            }
            if !matches!(r.scope.as_deref(), None | Some("any") | Some("release")) {
                return Err(PolicyError(format!(
                    "requirement '{}': scope must be 'any' or 'release'",
                    r.name
                )));
            }
        }
        Ok(p)
    }

    fn allowed(&self, name: &str) -> bool {
        match &self.actions {
            None => true,
            Some(a) => a
                .allow
                .iter()
                .any(|p| glob(p, name) || glob(&format!("{p}/*"), name)),
        }
    }

    fn is_release_job(&self, id: &str) -> bool {
        match &self.release {
            Some(r) if !r.jobs.is_empty() => r.jobs.iter().any(|p| glob(p, id)),
            _ => {
                let l = id.to_ascii_lowercase();
                l.contains("release") || l.contains("publish")
            }
        }
    }

    fn meets(req: &Requirement, job_id: &str, steps: &[StepView<'_>]) -> bool {
        if let Some(j) = &req.job {
            if !glob(j, job_id) {
                return false;
            }
            if req.uses.is_none() && req.run.is_none() {
                return true;
            }
        }
        steps.iter().any(|st| {
            req.uses.as_deref().is_some_and(|p| {
                st.uses
                    .is_some_and(|u| glob(p, u.split('@').next().unwrap_or(u)) || glob(p, u))
            }) || req
                .run
                .as_deref()
                .is_some_and(|r| st.run.iter().any(|l| l.contains(r)))
        })
    }

    /// Checks one file; returns the names of `any`-scope requirements it meets.
    pub(crate) fn check(&self, ctx: &mut Ctx<'_>, kind: Kind, root: &Node) -> Vec<String> {
        let jobs = jobs_of(kind, root);
        let mut met = Vec::new();
        for (jk, job) in &jobs {
            let steps = steps_of(kind, job);
            for st in &steps {
                if let Some(u) = st.uses_node {
                    let name = uses_name(s(u));
                    if let Some(name) = name
                        && !self.allowed(&name)
                    {
                        ctx.at(
                            "policy-action-not-allowed",
                            Severity::High,
                            u,
                            format!("'{}' is not on the template's allow-list", s(u)),
                        );
                    }
                }
            }
            if kind == Kind::Workflow {
                self.permissions(ctx, root, jk, job);
            }
            let id = s(jk);
            if self.is_release_job(id) {
                for req in &self.require {
                    if req.scope.as_deref() == Some("release") && !Self::meets(req, id, &steps) {
                        ctx.at(
                            "policy-required-step",
                            Severity::High,
                            jk,
                            format!("release job '{id}' lacks the required step '{}'", req.name),
                        );
                    }
                }
                self.release_runner(ctx, kind, jk, job);
            }
            for req in &self.require {
                if req.scope.as_deref() != Some("release") && Self::meets(req, s(jk), &steps) {
                    met.push(req.name.clone());
                }
            }
        }
        if kind == Kind::Gitlab {
            for inc in root
                .get("include")
                .map(|i| {
                    if matches!(i.value, Value::Seq(_)) {
                        i.items().iter().collect::<Vec<_>>()
                    } else {
                        vec![i]
                    }
                })
                .unwrap_or_default()
            {
                for key in ["project", "component"] {
                    if let Some(p) = inc.get(key) {
                        let name = s(p).split('@').next().unwrap_or("");
                        let name = if key == "component" {
                            name.split_once('/').map_or(name, |(_, rest)| rest)
                        } else {
                            name
                        };
                        if !self.allowed(name) {
                            ctx.at(
                                "policy-action-not-allowed",
                                Severity::High,
                                p,
                                format!("include '{}' is not on the template's allow-list", s(p)),
                            );
                        }
                    }
                }
            }
        }
        met
    }

    /// Requirements of scope `any` not in `met`.
    pub(crate) fn unmet(&self, met: &[String]) -> Vec<&Requirement> {
        self.require
            .iter()
            .filter(|r| r.scope.as_deref() != Some("release") && !met.contains(&r.name))
            .collect()
    }

    fn permissions(&self, ctx: &mut Ctx<'_>, root: &Node, jk: &Node, job: &Node) {
        let Some(cap) = &self.permissions else { return };
        let effective = job.get("permissions").or_else(|| root.get("permissions"));
        let Some(p) = effective else {
            ctx.at(
                "policy-permissions",
                Severity::High,
                jk,
                format!("job '{}' has no permissions block: the default token exceeds the template's maximum", s(jk)),
            );
            return;
        };
        let allowed = |scope: &str| cap.max.get(scope).map_or(0, |l| level(l));
        match p.as_str() {
            Some("write-all") | Some("read-all") => {
                let want = if s(p) == "write-all" { 2 } else { 1 };
                if cap.max.len() < 15 || cap.max.values().any(|l| level(l) < want) {
                    ctx.at(
                        "policy-permissions",
                        Severity::High,
                        p,
                        format!("'{}' exceeds the template's maximum", s(p)),
                    );
                }
            }
            _ => {
                for (k, v) in p.entries() {
                    if level(s(v)) > allowed(s(k)) {
                        ctx.at(
                            "policy-permissions",
                            Severity::High,
                            k,
                            format!(
                                "'{}: {}' exceeds the template's maximum ({})",
                                s(k),
                                s(v),
                                cap.max.get(s(k)).map_or("none", String::as_str)
                            ),
                        );
                    }
                }
            }
        }
    }

    fn release_runner(&self, ctx: &mut Ctx<'_>, kind: Kind, jk: &Node, job: &Node) {
        let Some(rel) = &self.release else { return };
        if !rel.runs_on.is_empty() {
            let key = if kind == Kind::Gitlab {
                "tags"
            } else {
                "runs-on"
            };
            let mut labels = Vec::new();
            if let Some(r) = job.get(key) {
                r.scalars(&mut labels);
            }
            let ok = !labels.is_empty()
                && labels
                    .iter()
                    .all(|l| rel.runs_on.iter().any(|p| glob(p, s(l))));
            if !ok {
                let at = job.get(key).unwrap_or(jk);
                ctx.at(
                    "policy-release-runner",
                    Severity::High,
                    at,
                    format!(
                        "release job '{}' must run on {}",
                        s(jk),
                        rel.runs_on.join(", ")
                    ),
                );
            }
        }
        if let Some(env) = &rel.environment {
            let have = job.get("environment").map(|e| e.get("name").unwrap_or(e));
            if have.map(s) != Some(env.as_str()) {
                ctx.at(
                    "policy-release-runner",
                    Severity::High,
                    have.unwrap_or(jk),
                    format!(
                        "release job '{}' must run in the '{env}' environment",
                        s(jk)
                    ),
                );
            }
        }
    }
}

struct StepView<'a> {
    uses_node: Option<&'a Node>,
    uses: Option<&'a str>,
    run: Vec<&'a str>,
}

fn uses_name(uses: &str) -> Option<String> {
    if uses.contains("${{") {
        return None;
    }
    crate::github::action_name(uses)
}

fn jobs_of(kind: Kind, root: &Node) -> Vec<(&Node, &Node)> {
    match kind {
        Kind::Workflow => root
            .get("jobs")
            .map(|j| j.entries().iter().map(|(k, v)| (k, v)).collect())
            .unwrap_or_default(),
        Kind::Action => root
            .get("runs")
            .and_then(|r| root.key("runs").map(|k| (k, r)))
            .into_iter()
            .collect(),
        Kind::Gitlab => root
            .entries()
            .iter()
            .filter(|(k, v)| {
                v.is_map()
                    && !matches!(
                        s(k),
                        "default" | "include" | "variables" | "workflow" | "stages" | "spec"
                    )
            })
            .map(|(k, v)| (k, v))
            .collect(),
        Kind::Dependabot => Vec::new(),
    }
}

fn steps_of(kind: Kind, job: &Node) -> Vec<StepView<'_>> {
    match kind {
        Kind::Gitlab => {
            let mut lines = Vec::new();
            for key in ["before_script", "script", "after_script"] {
                if let Some(n) = job.get(key) {
                    n.scalars(&mut lines);
                }
            }
            vec![StepView {
                uses_node: None,
                uses: None,
                run: lines.into_iter().map(s).collect(),
            }]
        }
        _ => {
            let mut out: Vec<StepView<'_>> = job
                .get("steps")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(|st| StepView {
                    uses_node: st.get("uses"),
                    uses: st.get_str("uses"),
                    run: st.get_str("run").into_iter().collect(),
                })
                .collect();
            if let Some(u) = job.get("uses") {
                out.push(StepView {
                    uses_node: Some(u),
                    uses: u.as_str(),
                    run: Vec::new(),
                });
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("actions/*", "actions/checkout"));
        assert!(glob("*", "x"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("actions/*", "evil/actions"));
        assert!(glob("Release*", "release-linux"));
    }

    #[test]
    fn bad_templates_are_refused() {
        assert!(Policy::from_toml("[[require]]\nname='x'\n").is_err());
        assert!(Policy::from_toml("[unknown]\n").is_err());
        assert!(Policy::from_toml("[[require]]\nname='x'\nrun='y'\nscope='often'\n").is_err());
    }
}
