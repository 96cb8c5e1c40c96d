//! GitLab CI rules: includes, images, job tokens, variables and merge request pipelines.

use crate::github::{check_credential, check_image, check_remote_exec};
use crate::yaml::{self, Node, Value};
use crate::{Ctx, Rule, Severity};

pub(crate) const RULES: &[Rule] = &[
    Rule {
        id: "gitlab-unpinned-include",
        severity: Severity::High,
        short: "GitLab include not pinned (remote without integrity, project or component without a commit SHA)",
        help: "An included file runs with the pipeline's variables and token. Pin `project:` includes with `ref:` set to a commit SHA, components to `@<sha>`, and give `remote:` includes an `integrity: sha256-…`.",
    },
    Rule {
        id: "gitlab-job-token",
        severity: Severity::High,
        short: "CI_JOB_TOKEN printed, stored or sent to a third-party host",
        help: "The job token acts as the user who ran the pipeline on every project it can reach. Never echo it, write it to files that become artefacts, or send it to hosts other than this GitLab.",
    },
    Rule {
        id: "gitlab-protected-variables",
        severity: Severity::Medium,
        short: "Protected or masked variables exposed in the job log",
        help: "`printenv`, `env`, `export -p`, `set -x` or an `echo` of a secret variable put protected values in the log, readable by anyone with access to job logs.",
    },
    Rule {
        id: "gitlab-mr-secrets",
        severity: Severity::Medium,
        short: "Job runs for merge requests and reads secrets",
        help: "Merge request pipelines run the proposed code; a job that also reads secret variables, `secrets:` or `id_tokens:` hands them to whoever opened the merge request (for fork MRs run in the parent project). Keep secrets in jobs for protected branches and tags.",
    },
];

const RESERVED: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
    "pages:deploy",
];

fn s(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

fn is_sha(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The local files a pipeline includes (as written, without the leading `/`).
pub(crate) fn local_includes(text: &str) -> Vec<String> {
    let src = yaml::Source::new(text.to_string());
    let Ok(Some(root)) = yaml::parse(&src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for inc in include_items(&root) {
        match &inc.value {
            Value::Str { text, .. } if !text.contains("://") => out.push(text.clone()),
            Value::Map(_) => {
                if let Some(l) = inc.get_str("local") {
                    out.push(l.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

fn include_items(root: &Node) -> Vec<&Node> {
    match root.get("include") {
        Some(n) if matches!(n.value, Value::Seq(_)) => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

fn includes(ctx: &mut Ctx<'_>, root: &Node) {
    for inc in include_items(root) {
        match &inc.value {
            Value::Str { text, .. } if text.contains("://") => remote(ctx, inc, inc),
            Value::Map(_) => {
                if let Some(r) = inc.get("remote") {
                    remote(ctx, r, inc);
                }
                if let Some(p) = inc.get("project") {
                    match inc.get("ref") {
                        None => ctx.at(
                            "gitlab-unpinned-include",
                            Severity::High,
                            p,
                            format!("project include '{}' has no ref: it follows the default branch", s(p)),
                        ),
                        Some(r) if is_sha(s(r)) => {}
                        Some(r) => ctx.at(
                            "gitlab-unpinned-include",
                            if s(r).trim_start_matches('v').starts_with(|c: char| c.is_ascii_digit()) {
                                Severity::Medium
                            } else {
                                Severity::High
                            },
                            r,
                            format!("project include '{}' is pinned to '{}', which can move; use a commit SHA", s(p), s(r)),
                        ),
                    }
                }
                if let Some(c) = inc.get("component") {
                    let v = s(c).rsplit_once('@').map(|(_, v)| v).unwrap_or("");
                    if !is_sha(v) {
                        ctx.at(
                            "gitlab-unpinned-include",
                            if v.is_empty()
                                || v == "~latest"
                                || !v.starts_with(|c: char| c.is_ascii_digit())
                            {
                                Severity::High
                            } else {
                                Severity::Medium
                            },
                            c,
                            format!("component '{}' is not pinned to a commit SHA", s(c)),
                        );
                    }
                }
                if let Some(t) = inc.get("template") {
                    ctx.at(
                        "gitlab-unpinned-include",
                        Severity::Low,
                        t,
                        format!("template '{}' changes with every GitLab release", s(t)),
                    );
                }
            }
            _ => {}
        }
    }
}

fn remote(ctx: &mut Ctx<'_>, url: &Node, item: &Node) {
    if item.get("integrity").is_some() {
        return;
    }
    ctx.at(
        "gitlab-unpinned-include",
        Severity::High,
        url,
        format!(
            "remote include '{}' has no integrity hash: whoever serves it controls the pipeline",
            s(url)
        ),
    );
}

fn images(ctx: &mut Ctx<'_>, holder: &Node) {
    if let Some(img) = holder.get("image") {
        let name = img.get("name").unwrap_or(img);
        check_image(ctx, name, s(name));
    }
    if let Some(svcs) = holder.get("services") {
        for svc in svcs.items() {
            let name = svc.get("name").unwrap_or(svc);
            check_image(ctx, name, s(name));
        }
    }
}

fn script_lines(job: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        if let Some(n) = job.get(key) {
            n.scalars(&mut out);
        }
    }
    out
}

fn secret_name(var: &str) -> bool {
    let v = var.to_ascii_uppercase();
    (v.contains("TOKEN")
        || v.contains("PASSWORD")
        || v.contains("SECRET")
        || v.ends_with("_KEY")
        || v.contains("API_KEY"))
        && !v.starts_with("CI_")
}

/// Variables a shell line reads (`$X`, `${X}`).
fn vars(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let after = after.strip_prefix('{').unwrap_or(after);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// Whether the job runs in merge request pipelines: its own `rules:` / `only:` say so,
/// or it has neither and the pipeline's `workflow: rules` create merge request pipelines.
fn runs_on_merge_requests(job: &Node, pipeline_mr: bool) -> bool {
    if pipeline_mr && job.get("rules").is_none() && job.get("only").is_none() {
        return true;
    }
    let mut scalars = Vec::new();
    if let Some(r) = job.get("rules") {
        for rule in r.items() {
            let cond = rule.get_str("if").unwrap_or("");
            if cond.contains("merge_request_event")
                && rule.get_str("when") != Some("never")
                && !cond.contains("!=")
            {
                return true;
            }
        }
    }
    for key in ["only"] {
        if let Some(o) = job.get(key) {
            o.scalars(&mut scalars);
        }
    }
    scalars
        .iter()
        .any(|n| matches!(s(n), "merge_requests" | "external_pull_requests"))
}

/// Whether a hidden key (`.name:`) holds job settings rather than plain data (anchors).
fn has_job_keys(v: &Node) -> bool {
    [
        "script",
        "image",
        "services",
        "before_script",
        "after_script",
        "variables",
        "rules",
        "secrets",
        "id_tokens",
    ]
    .iter()
    .any(|k| v.get(k).is_some())
}

fn job(ctx: &mut Ctx<'_>, name: &Node, job: &Node, pipeline_mr: bool) {
    images(ctx, job);
    if let Some(vars_node) = job.get("variables") {
        for (k, v) in vars_node.entries() {
            check_credential(ctx, s(k), v.get("value").unwrap_or(v));
        }
    }
    let mr = runs_on_merge_requests(job, pipeline_mr);
    let mut reads_secret: Option<String> = None;
    for line_node in script_lines(job) {
        check_remote_exec(ctx, line_node);
        for line in s(line_node).lines() {
            let t = line.trim();
            let lower = t.to_ascii_lowercase();
            let at = ctx.src.find(line_node.span, t).unwrap_or(line_node.span);
            let names = vars(t);
            let printing = lower.starts_with("echo ")
                || lower.starts_with("printf ")
                || lower.starts_with("cat ");
            if names.contains(&"CI_JOB_TOKEN") {
                let writes = t.contains(" > ") || t.contains(">>") || lower.contains("| tee ");
                let third_party = t.contains("http")
                    && !t.contains("CI_SERVER")
                    && !t.contains("CI_API_V4_URL")
                    && !t.contains("CI_API_GRAPHQL_URL")
                    && !t.contains("CI_REGISTRY")
                    && !t.contains("CI_PROJECT_URL")
                    && !t.contains("CI_REPOSITORY_URL")
                    && !t.contains("CI_DEPENDENCY_PROXY");
                if printing && !writes {
                    ctx.report(
                        "gitlab-job-token",
                        Severity::High,
                        at,
                        "CI_JOB_TOKEN is printed to the job log".into(),
                    );
                } else if writes {
                    ctx.report(
                        "gitlab-job-token",
                        Severity::Medium,
                        at,
                        "CI_JOB_TOKEN is written to a file".into(),
                    );
                } else if third_party {
                    ctx.report(
                        "gitlab-job-token",
                        Severity::Medium,
                        at,
                        "CI_JOB_TOKEN is sent to a host that is not this GitLab".into(),
                    );
                }
            }
            let dumps = matches!(
                lower.as_str(),
                "env"
                    | "printenv"
                    | "export"
                    | "export -p"
                    | "set"
                    | "set -x"
                    | "set -ex"
                    | "set -xe"
            ) || lower.starts_with("env |")
                || lower.starts_with("printenv |")
                || lower.starts_with("env >");
            let echoes_secret =
                printing && !t.contains('>') && names.iter().any(|v| secret_name(v));
            if dumps || echoes_secret {
                ctx.report(
                    "gitlab-protected-variables",
                    if mr { Severity::High } else { Severity::Medium },
                    at,
                    if dumps {
                        format!("'{t}' prints variables (protected ones included) to the job log")
                    } else {
                        "a secret variable is printed to the job log".into()
                    },
                );
            }
            if reads_secret.is_none()
                && let Some(v) = names.iter().find(|v| secret_name(v))
            {
                reads_secret = Some((*v).to_string());
            }
        }
    }
    if job.get("secrets").is_some() {
        reads_secret.get_or_insert_with(|| "secrets:".into());
    }
    if job.get("id_tokens").is_some() {
        reads_secret.get_or_insert_with(|| "id_tokens:".into());
    }
    if mr && let Some(what) = reads_secret {
        ctx.at(
            "gitlab-mr-secrets",
            Severity::Medium,
            name,
            format!("job '{}' runs for merge requests and reads {what}", s(name)),
        );
    }
}

/// Deepest `extends:` chain followed.
const MAX_EXTENDS: usize = 10;

/// The job with what it `extends:` merged in (shallow: the job's own keys win, a later
/// parent over an earlier one), bounded in depth; cycles stop.
fn extended(root: &Node, job: &Node, depth: usize) -> Node {
    let parents: Vec<&str> = match job.get("extends") {
        Some(e) if matches!(e.value, Value::Seq(_)) => {
            e.items().iter().filter_map(Node::as_str).collect()
        }
        Some(e) => e.as_str().into_iter().collect(),
        None => return job.clone(),
    };
    if depth >= MAX_EXTENDS {
        return job.clone();
    }
    let mut entries: Vec<(Node, Node)> = job.entries().to_vec();
    for p in parents.iter().rev() {
        let Some(parent) = root.get(p).filter(|n| n.is_map()) else {
            continue;
        };
        let parent = extended(root, parent, depth + 1);
        for (k, v) in parent.entries() {
            if k.as_str() == Some("extends") {
                continue;
            }
            if !entries.iter().any(|(o, _)| o.as_str() == k.as_str()) {
                entries.push((k.clone(), v.clone()));
            }
        }
    }
    Node {
        value: Value::Map(entries),
        span: job.span,
        tag: job.tag.clone(),
    }
}

/// All rules over a GitLab pipeline file.
pub(crate) fn pipeline(ctx: &mut Ctx<'_>, root: &Node) {
    includes(ctx, root);
    images(ctx, root);
    let pipeline_mr = root
        .get("workflow")
        .is_some_and(|w| runs_on_merge_requests(w, false));
    if let Some(d) = root.get("default") {
        job(ctx, d, d, false);
    }
    if let Some(vars_node) = root.get("variables") {
        for (k, v) in vars_node.entries() {
            check_credential(ctx, s(k), v.get("value").unwrap_or(v));
        }
    }
    for (k, v) in root.entries() {
        if RESERVED.contains(&s(k)) || !v.is_map() {
            continue;
        }
        if s(k).starts_with('.') && v.get("extends").is_none() && !has_job_keys(v) {
            continue;
        }
        let v = extended(root, v, 0);
        job(ctx, k, &v, pipeline_mr && !s(k).starts_with('.'));
    }
}
