//! GitHub Actions rules: workflows and action definitions.

use crate::expr::{self, Taint};
use crate::yaml::{Node, Value};
use crate::{Ctx, Rule, Severity};

pub(crate) const RULES: &[Rule] = &[
    Rule {
        id: "unpinned-uses",
        severity: Severity::High,
        short: "Action or reusable workflow not pinned to a full commit SHA",
        help: "A tag or branch can be moved by whoever controls the action's repository (the tj-actions/changed-files compromise rewrote every tag). Pin `uses:` to the 40-character commit SHA and keep the tag in a comment; a branch is worse than a tag.",
    },
    Rule {
        id: "unpinned-images",
        severity: Severity::Medium,
        short: "Container image not pinned to a digest",
        help: "An image tag is mutable: pin `image@sha256:…` (job containers, services, docker:// actions, GitLab images).",
    },
    Rule {
        id: "excessive-permissions",
        severity: Severity::Medium,
        short: "Over-broad GITHUB_TOKEN permissions",
        help: "`write-all`, or write scopes at workflow level, give every job more than it needs. Set `permissions: {}` (or `contents: read`) at workflow level and grant writes per job.",
    },
    Rule {
        id: "missing-permissions",
        severity: Severity::Medium,
        short: "No permissions block: the job gets the repository's default token permissions",
        help: "Without `permissions:` the token has the repository or organisation default, often read-write on everything. Declare the least the job needs.",
    },
    Rule {
        id: "template-injection",
        severity: Severity::High,
        short: "Attacker-controllable expression expanded into a script",
        help: "`${{ … }}` is pasted into the script before the shell runs it, so a crafted issue title or branch name runs code. Pass the value through `env:` and use the shell variable (\"$TITLE\").",
    },
    Rule {
        id: "dangerous-triggers",
        severity: Severity::High,
        short: "pull_request_target / workflow_run: privileged trigger on untrusted input",
        help: "These triggers run with secrets and a write token in the base repository; checking out or running the pull request's head there hands both to the author of the pull request. Use `pull_request`, or never run the head's code.",
    },
    Rule {
        id: "bot-conditions",
        severity: Severity::High,
        short: "Spoofable bot condition on github.actor",
        help: "`github.actor == 'dependabot[bot]'` is true whenever the bot last touched the pull request, not when it wrote the code. Check `github.event.pull_request.user.login` and the event type.",
    },
    Rule {
        id: "artipacked",
        severity: Severity::Medium,
        short: "actions/checkout leaves the token in .git/config",
        help: "checkout persists the token in the work tree unless `persist-credentials: false`; a later step or uploaded artefact can carry it away.",
    },
    Rule {
        id: "secrets-inherit",
        severity: Severity::Medium,
        short: "Reusable workflow called with secrets: inherit",
        help: "`secrets: inherit` hands every secret to the called workflow; pass the ones it needs by name.",
    },
    Rule {
        id: "hardcoded-credentials",
        severity: Severity::High,
        short: "Credential written in the CI definition",
        help: "A password or token in the file is readable by everyone who can read the repository. Use a secret or CI variable.",
    },
    Rule {
        id: "insecure-commands",
        severity: Severity::High,
        short: "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env / add-path",
        help: "The deprecated workflow commands let any text printed to the log set environment variables (CVE-2020-15228). Use $GITHUB_ENV and $GITHUB_PATH.",
    },
    Rule {
        id: "remote-exec",
        severity: Severity::Medium,
        short: "Remote script piped into a shell",
        help: "`curl … | sh` runs whatever the server returns today, unverified. Download a pinned release, check its digest or signature, then run it.",
    },
    Rule {
        id: "cache-poisoning",
        severity: Severity::High,
        short: "Cache restored in a release job",
        help: "Caches are shared with pull request workflows; a poisoned cache restored while building a release ends up in the release. Do not restore caches in publishing jobs.",
    },
    Rule {
        id: "self-hosted-runner",
        severity: Severity::High,
        short: "Self-hosted runner on a trigger that outsiders can fire",
        help: "A self-hosted runner that runs pull request or issue-triggered jobs runs outsiders' code on your machine, which persists between jobs. Use ephemeral, isolated runners or GitHub-hosted ones.",
    },
    Rule {
        id: "untrusted-artifacts",
        severity: Severity::High,
        short: "Artefact downloaded from an untrusted run in a privileged workflow",
        help: "A workflow_run workflow that downloads the triggering run's artefacts reads files a pull request wrote; treat them as data, never execute or extract them over the work tree.",
    },
    Rule {
        id: "github-env",
        severity: Severity::High,
        short: "GITHUB_ENV / GITHUB_PATH written in a privileged workflow",
        help: "In pull_request_target or workflow_run workflows, writing outside data to $GITHUB_ENV or $GITHUB_PATH lets it set LD_PRELOAD, NODE_OPTIONS or PATH for later steps.",
    },
    Rule {
        id: "secrets-to-untrusted",
        severity: Severity::High,
        short: "Secrets reach code checked out from a pull request",
        help: "After a privileged workflow checks out the pull request's head, a step that runs that code (run:, a local ./action) with secrets in its environment hands them to the pull request's author. Split the workflow: build untrusted code without secrets, use secrets only on trusted results.",
    },
    Rule {
        id: "overprovisioned-secrets",
        severity: Severity::Medium,
        short: "All secrets exposed at once (toJSON(secrets) / secrets[...])",
        help: "Expanding the whole secrets context puts every secret into the job; name the secrets the step needs.",
    },
];

/// What a step's checks need to know about its workflow and job.
#[derive(Default, Clone, Copy)]
struct Scope {
    /// pull_request_target or workflow_run.
    privileged: bool,
    workflow_run: bool,
    release: bool,
    /// The job's matrix holds expressions (its values come from elsewhere).
    dynamic_matrix: bool,
}

fn s(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

/// The workflow's trigger names with their nodes.
fn triggers(root: &Node) -> Vec<(String, &Node)> {
    let Some(on) = root.get("on").or_else(|| root.get("true")) else {
        return Vec::new();
    };
    match &on.value {
        Value::Str { text, .. } => vec![(text.clone(), on)],
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|t| (t.to_string(), i)))
            .collect(),
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, _)| k.as_str().map(|t| (t.to_string(), k)))
            .collect(),
    }
}

/// Triggers that run in the base repository, with secrets and a write token, on events
/// outsiders can cause.
const PRIVILEGED: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

const PUBLIC_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "workflow_run",
    "fork",
    "watch",
];

fn is_sha(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a ref looks like a version tag rather than a branch.
fn looks_like_tag(r: &str) -> bool {
    let r = r.strip_prefix('v').unwrap_or(r);
    r.starts_with(|c: char| c.is_ascii_digit())
}

/// `owner/repo` of a `uses:` value (lowercase), if it is a remote action.
pub(crate) fn action_name(uses: &str) -> Option<String> {
    if uses.starts_with("./") || uses.starts_with("docker://") {
        return None;
    }
    let path = uses.split('@').next()?;
    let mut parts = path.split('/');
    let owner = parts.next()?;
    let repo = parts.next()?;
    // GitHub owner and repository names: letters, digits, '-', '_', '.'
    let name_ok = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !name_ok(owner) || !name_ok(repo) {
        return None;
    }
    Some(format!("{owner}/{repo}").to_ascii_lowercase())
}

fn uses_is(uses: &str, name: &str) -> bool {
    let path = uses.split('@').next().unwrap_or("").to_ascii_lowercase();
    path == name
}

/// Checks a `uses:` value for pinning.
fn check_uses(ctx: &mut Ctx<'_>, node: &Node) {
    let uses = s(node).trim();
    if uses.is_empty() || uses.starts_with("./") || uses.contains("${{") {
        return;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        check_image(ctx, node, image);
        return;
    }
    let Some(name) = action_name(uses) else {
        return;
    };
    let before = ctx.findings.len();
    check_uses_ref(ctx, node, uses, &name);
    if let Some(f) = ctx.findings.get_mut(before) {
        f.subject = Some(uses.to_string());
    }
}

fn check_uses_ref(ctx: &mut Ctx<'_>, node: &Node, uses: &str, name: &str) {
    let github_owned = name.starts_with("actions/") || name.starts_with("github/");
    match uses.split_once('@') {
        None => ctx.at(
            "unpinned-uses",
            Severity::High,
            node,
            format!("'{uses}' has no ref: it follows the default branch"),
        ),
        Some((_, r)) if is_sha(r) => {}
        Some((_, r)) if looks_like_tag(r) => ctx.at(
            "unpinned-uses",
            if github_owned {
                Severity::Low
            } else {
                Severity::Medium
            },
            node,
            format!("'{uses}' is pinned to the tag '{r}', which can be moved; pin the commit SHA"),
        ),
        Some((_, r)) => ctx.at(
            "unpinned-uses",
            Severity::High,
            node,
            format!("'{uses}' follows the branch '{r}': every push to it changes what runs"),
        ),
    }
}

/// Checks a container image reference for a digest.
pub(crate) fn check_image(ctx: &mut Ctx<'_>, node: &Node, image: &str) {
    let image = image.trim();
    if image.is_empty() || image.contains("${{") || image.contains('$') {
        return;
    }
    if image.contains("@sha256:") {
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let (sev, why) = match last.split_once(':') {
        None => (Severity::High, "has no tag (it means :latest)".to_string()),
        Some((_, "latest")) => (Severity::High, "uses :latest".to_string()),
        Some((_, t)) => (Severity::Medium, format!("is pinned to the tag '{t}' only")),
    };
    ctx.at(
        "unpinned-images",
        sev,
        node,
        format!("image '{image}' {why}; pin it by @sha256 digest"),
    );
}

fn truthy(n: &Node) -> bool {
    matches!(
        s(n).to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

/// `env:` blocks: insecure commands and literal credentials.
fn check_env(ctx: &mut Ctx<'_>, env: Option<&Node>) {
    let Some(env) = env else { return };
    for (k, v) in env.entries() {
        let key = s(k);
        if key.eq_ignore_ascii_case("ACTIONS_ALLOW_UNSECURE_COMMANDS")
            && (truthy(v) || s(v).contains("${{"))
        {
            ctx.at(
                "insecure-commands",
                Severity::High,
                k,
                "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables the ::set-env / ::add-path commands"
                    .into(),
            );
        }
        check_credential(ctx, key, v);
    }
}

/// A literal secret under a credential-like name, or a value with a known token prefix.
pub(crate) fn check_credential(ctx: &mut Ctx<'_>, key: &str, v: &Node) {
    let Some(val) = v.as_str() else { return };
    let val = val.trim();
    if let Some(kind) = known_token(val) {
        ctx.at(
            "hardcoded-credentials",
            Severity::High,
            v,
            format!("a {kind} is written in the file"),
        );
        return;
    }
    let k = key.to_ascii_uppercase();
    let credential_name = k.contains("PASSWORD") || k.ends_with("PASSWD") || k == "PASS";
    let env_name = val
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if credential_name
        && !env_name
        && val.len() >= 4
        && !val.contains('$')
        && !val.contains(' ')
        && !matches!(
            val.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "password" | "postgres" | "root" | "test" | "secret"
        )
    {
        ctx.at(
            "hardcoded-credentials",
            Severity::High,
            v,
            format!("'{key}' is set to a literal value, not a secret"),
        );
    }
}

fn known_token(v: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("ghp_", "GitHub personal access token"),
        ("gho_", "GitHub OAuth token"),
        ("ghs_", "GitHub app token"),
        ("ghu_", "GitHub user token"),
        ("github_pat_", "GitHub fine-grained token"),
        ("glpat-", "GitLab personal access token"),
        ("xoxb-", "Slack bot token"),
        ("xoxp-", "Slack user token"),
        ("npm_", "npm token"),
        ("pypi-AgEI", "PyPI API token"),
        ("sk_live_", "Stripe secret key"),
    ];
    for (p, what) in PREFIXES {
        if let Some(rest) = v.strip_prefix(p)
            && rest.len() >= 20
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Some(what);
        }
    }
    if v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("AWS access key id");
    }
    None
}

/// Expressions in a script: template injection and secrets over-provisioning.
fn check_script(ctx: &mut Ctx<'_>, node: &Node, what: &str, scope: Scope) {
    let Some(text) = node.as_str() else { return };
    let mut cursor = node.span.start.offset;
    let taint = |c: &str| match expr::taint(c) {
        // a matrix built from expressions carries whatever those expand to
        Taint::Safe if scope.dynamic_matrix && c.starts_with("matrix.") => Taint::Maybe,
        t => t,
    };
    for e in expr::expressions(text) {
        let at = ctx
            .src
            .find_from(node.span, e.text, cursor)
            .unwrap_or(node.span);
        cursor = at.end.offset.max(cursor);
        let ctxs = expr::contexts(e.inner);
        let worst = ctxs.iter().map(|c| taint(c)).max().unwrap_or(Taint::Safe);
        let named = ctxs
            .iter()
            .find(|c| taint(c) == worst)
            .cloned()
            .unwrap_or_default();
        match worst {
            Taint::Attacker => ctx.report(
                "template-injection",
                Severity::High,
                at,
                format!("{named} is attacker-controlled and expanded into {what}; pass it through env:"),
            ),
            Taint::Maybe => ctx.report(
                "template-injection",
                Severity::Low,
                at,
                format!("{named} may carry outside input and is expanded into {what}; pass it through env:"),
            ),
            Taint::Safe => {}
        }
        if e.inner.contains("toJSON(secrets)")
            || e.inner.contains("tojson(secrets)")
            || e.inner.contains("secrets[")
        {
            ctx.report(
                "overprovisioned-secrets",
                Severity::Medium,
                at,
                "the whole secrets context is expanded".into(),
            );
        }
    }
}

/// Expressions anywhere else (`with:`, `env:`): only secrets over-provisioning.
fn check_overprovisioned(ctx: &mut Ctx<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    let mut scalars = Vec::new();
    node.scalars(&mut scalars);
    for n in scalars {
        for e in expr::expressions(s(n)) {
            let lower = e.inner.to_ascii_lowercase();
            if lower.contains("tojson(secrets)") || lower.contains("secrets[") {
                let at = ctx.src.find(n.span, e.text).unwrap_or(n.span);
                ctx.report(
                    "overprovisioned-secrets",
                    Severity::Medium,
                    at,
                    "the whole secrets context is expanded".into(),
                );
            }
        }
    }
}

/// Lines of a `run:` script that pipe a download into an interpreter.
pub(crate) fn check_remote_exec(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(text) = node.as_str() else { return };
    let mut cursor = node.span.start.offset;
    for line in text.lines() {
        if expr::remote_exec(line) {
            let needle = line.trim();
            let at = ctx
                .src
                .find_from(node.span, needle, cursor)
                .unwrap_or(node.span);
            cursor = at.end.offset.max(cursor);
            ctx.report(
                "remote-exec",
                Severity::Medium,
                at,
                "a downloaded script is run without checking it".into(),
            );
        }
    }
}

const UNTRUSTED_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.repo.full_name",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
    "refs/pull/",
];

fn is_cache_step(uses: &str, with: Option<&Node>) -> bool {
    let name = action_name(uses).unwrap_or_default();
    let path = uses.split('@').next().unwrap_or("").to_ascii_lowercase();
    let input = |k: &str| with.and_then(|w| w.get(k));
    if path.starts_with("actions/cache")
        || name == "swatinem/rust-cache"
        || name == "mozilla-actions/sccache-action"
    {
        return true;
    }
    if name == "actions/setup-go" {
        return input("cache").is_none_or(|v| s(v) != "false");
    }
    if name == "actions/setup-node" {
        // v5 and later cache by default when the project names its package manager
        let old = uses
            .split_once('@')
            .is_some_and(|(_, r)| matches!(r.split('.').next(), Some("v1" | "v2" | "v3" | "v4")));
        return match input("cache") {
            Some(v) => !s(v).is_empty() && s(v) != "false",
            None => !old && input("package-manager-cache").is_none_or(|v| s(v) != "false"),
        };
    }
    if name.starts_with("actions/setup-") {
        return input("cache").is_some_and(|v| !s(v).is_empty() && s(v) != "false");
    }
    if name == "astral-sh/setup-uv" {
        return input("enable-cache").is_some_and(|v| s(v) == "true" || s(v) == "auto");
    }
    if name == "ruby/setup-ruby" {
        return input("bundler-cache").is_some_and(truthy);
    }
    false
}

fn is_publish_step(step: &Node) -> bool {
    let uses = step.get_str("uses").unwrap_or("");
    if let Some(name) = action_name(uses)
        && matches!(
            name.as_str(),
            "pypa/gh-action-pypi-publish"
                | "softprops/action-gh-release"
                | "goreleaser/goreleaser-action"
                | "ncipollo/release-action"
                | "actions/create-release"
                | "rust-lang/crates-io-auth-action"
                | "js-devtools/npm-publish"
                | "changesets/action"
                | "docker/build-push-action"
        )
    {
        return true;
    }
    let run = step.get_str("run").unwrap_or("");
    [
        "npm publish",
        "pnpm publish",
        "yarn publish",
        "cargo publish",
        "twine upload",
        "uv publish",
        "gh release create",
        "goreleaser release",
        "poetry publish",
        "gem push",
    ]
    .iter()
    .any(|p| run.contains(p))
}

/// Checks one step.
fn step(ctx: &mut Ctx<'_>, st: &Node, scope: Scope) {
    let uses_node = st.get("uses");
    let uses = uses_node.map(s).unwrap_or("");
    if let Some(u) = uses_node {
        check_uses(ctx, u);
    }
    let with = st.get("with");
    if let Some(run) = st.get("run") {
        check_script(ctx, run, "a run: script", scope);
        check_remote_exec(ctx, run);
        let text = s(run);
        if scope.privileged && (text.contains("GITHUB_ENV") || text.contains("GITHUB_PATH")) {
            let needle = if text.contains("GITHUB_ENV") {
                "GITHUB_ENV"
            } else {
                "GITHUB_PATH"
            };
            let at = ctx.src.find(run.span, needle).unwrap_or(run.span);
            ctx.report(
                "github-env",
                Severity::High,
                at,
                format!("{needle} is written in a workflow with a privileged trigger"),
            );
        }
        if scope.privileged
            && (text.contains("gh pr checkout")
                || text.contains("git fetch origin pull/")
                || text.contains("refs/pull/"))
        {
            ctx.at(
                "dangerous-triggers",
                Severity::High,
                run,
                "the pull request's code is fetched in a privileged workflow".into(),
            );
        }
    }
    if uses_is(uses, "actions/github-script")
        && let Some(script) = with.and_then(|w| w.get("script"))
    {
        check_script(ctx, script, "github-script code", scope);
    }
    if uses_is(uses, "actions/checkout") {
        let persist = with.and_then(|w| w.get("persist-credentials"));
        match persist.map(s) {
            Some("false") => {}
            Some(_) => ctx.at(
                "artipacked",
                Severity::Low,
                persist.unwrap_or(st),
                "persist-credentials is explicitly on: the token stays in .git/config".into(),
            ),
            None => ctx.at(
                "artipacked",
                Severity::Medium,
                uses_node.unwrap_or(st),
                "actions/checkout without persist-credentials: false keeps the token in .git/config".into(),
            ),
        }
        if scope.privileged
            && let Some(w) = with
        {
            for key in ["ref", "repository"] {
                if let Some(r) = w.get(key)
                    && UNTRUSTED_REFS.iter().any(|u| s(r).contains(u))
                {
                    ctx.at(
                        "dangerous-triggers",
                        Severity::High,
                        r,
                        "the pull request's head is checked out in a privileged workflow (pull_request_target / workflow_run)".into(),
                    );
                }
            }
        }
    }
    if scope.workflow_run
        && (uses_is(uses, "actions/download-artifact")
            && with.and_then(|w| w.get("run-id")).is_some()
            || uses_is(uses, "dawidd6/action-download-artifact"))
    {
        ctx.at(
            "untrusted-artifacts",
            Severity::High,
            uses_node.unwrap_or(st),
            "artefacts of the triggering (untrusted) run are downloaded into a privileged workflow"
                .into(),
        );
    }
    if scope.release && !uses.is_empty() && is_cache_step(uses, with) {
        ctx.at(
            "cache-poisoning",
            Severity::High,
            uses_node.unwrap_or(st),
            format!("'{uses}' restores a cache in a release job"),
        );
    }
    if let Some(cond) = st.get("if") {
        bot_condition(ctx, cond, scope);
    }
    check_env(ctx, st.get("env"));
    check_overprovisioned(ctx, st.get("env"));
    check_overprovisioned(ctx, with);
    if let Some(w) = with {
        for (k, v) in w.entries() {
            check_credential(ctx, s(k), v);
        }
    }
}

fn bot_condition(ctx: &mut Ctx<'_>, cond: &Node, scope: Scope) {
    let c: String = s(cond).chars().filter(|c| !c.is_whitespace()).collect();
    let actors = [
        "github.actor",
        "github.triggering_actor",
        "github.event.sender.login",
    ];
    let spoofable = actors.iter().any(|a| {
        c.match_indices(a).any(|(i, _)| {
            let after = &c[i + a.len()..];
            let before = &c[..i];
            (after.starts_with("=='")
                && after[3..]
                    .split('\'')
                    .next()
                    .is_some_and(|v| v.ends_with("[bot]")))
                || (before.ends_with("[bot]'=="))
                || (before.ends_with("contains(") && after.starts_with(",'[bot]'"))
        })
    });
    if spoofable {
        ctx.at(
            "bot-conditions",
            if scope.privileged { Severity::High } else { Severity::Medium },
            cond,
            "github.actor names whoever last acted, not who wrote the code; this bot check can be spoofed".into(),
        );
    }
}

fn permissions(ctx: &mut Ctx<'_>, perms: &Node, workflow_level: bool, jobs: usize) {
    match perms.as_str() {
        Some("write-all") => ctx.at(
            "excessive-permissions",
            Severity::High,
            perms,
            "write-all grants every scope of the token".into(),
        ),
        Some("read-all") => ctx.at(
            "excessive-permissions",
            Severity::Low,
            perms,
            "read-all grants read on every scope; name the scopes needed".into(),
        ),
        _ => {
            if workflow_level && jobs > 1 {
                for (k, v) in perms.entries() {
                    if s(v) == "write" {
                        ctx.at(
                            "excessive-permissions",
                            Severity::Medium,
                            k,
                            format!("'{}: write' at workflow level is granted to all {jobs} jobs; grant it to the job that needs it", s(k)),
                        );
                    }
                }
            }
        }
    }
}

/// All rules over a workflow.
pub(crate) fn workflow(ctx: &mut Ctx<'_>, root: &Node) {
    let trig = triggers(root);
    let has = |n: &str| trig.iter().any(|(t, _)| t == n);
    let privileged = PRIVILEGED.iter().any(|t| has(t));
    for (t, node) in &trig {
        if PRIVILEGED.contains(&t.as_str()) {
            ctx.at(
                "dangerous-triggers",
                Severity::Medium,
                node,
                format!("'{t}' runs with secrets and a write token on events outsiders can cause"),
            );
        }
    }
    let public = trig
        .iter()
        .any(|(t, _)| PUBLIC_TRIGGERS.contains(&t.as_str()));
    let tag_push = root
        .get("on")
        .and_then(|o| o.get("push"))
        .is_some_and(|p| p.get("tags").is_some());
    // pushes to release branches (`release-*`, `releases/v*`) build releases too
    let release_branch_push = root
        .get("on")
        .and_then(|o| o.get("push"))
        .and_then(|p| p.get("branches"))
        .is_some_and(|b| {
            let mut names = Vec::new();
            b.scalars(&mut names);
            names
                .iter()
                .any(|n| s(n).to_ascii_lowercase().contains("release"))
        });
    let file_lower = ctx
        .file
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let release_workflow = has("release")
        || tag_push
        || release_branch_push
        || file_lower.contains("release")
        || file_lower.contains("publish");
    let jobs = root.get("jobs");
    let njobs = jobs.map_or(0, |j| j.entries().len());
    let wf_perms = root.get("permissions");
    if let Some(p) = wf_perms {
        permissions(ctx, p, true, njobs);
    } else if jobs.is_some_and(|j| {
        j.entries()
            .iter()
            .any(|(_, job)| job.get("permissions").is_none())
    }) {
        let start = Node {
            value: Value::Seq(Vec::new()),
            span: root.span,
            tag: None,
        };
        ctx.at(
            "missing-permissions",
            Severity::Medium,
            &start,
            "the workflow has no permissions block: jobs without one get the default token".into(),
        );
    }
    check_env(ctx, root.get("env"));
    check_overprovisioned(ctx, root.get("env"));
    let Some(jobs) = jobs else { return };
    for (jk, job) in jobs.entries() {
        let steps = job.get("steps");
        let job_perms = job.get("permissions");
        match job_perms {
            Some(p) => permissions(ctx, p, false, 1),
            None if wf_perms.is_none() => ctx.at(
                "missing-permissions",
                Severity::Medium,
                jk,
                format!("job '{}' has no permissions and neither has the workflow: it gets the default token", s(jk)),
            ),
            None => {}
        }
        if let Some(u) = job.get("uses") {
            check_uses(ctx, u);
            if let Some(sn) = job.get("secrets").filter(|n| n.as_str() == Some("inherit")) {
                ctx.at(
                    "secrets-inherit",
                    Severity::Medium,
                    sn,
                    format!("every secret is passed to '{}'", s(u)),
                );
            }
            check_overprovisioned(ctx, job.get("secrets"));
            check_overprovisioned(ctx, job.get("with"));
        }
        if let Some(ro) = job.get("runs-on") {
            let mut sc = Vec::new();
            ro.scalars(&mut sc);
            if public && sc.iter().any(|n| s(n) == "self-hosted") {
                ctx.at(
                    "self-hosted-runner",
                    Severity::High,
                    ro,
                    "a self-hosted runner takes jobs fired by pull requests or issues".into(),
                );
            }
        }
        let matrix = job.get("strategy").and_then(|st| st.get("matrix"));
        if let Some(c) = job.get("container") {
            container(ctx, c, matrix);
        }
        if let Some(svcs) = job.get("services") {
            for (_, svc) in svcs.entries() {
                container(ctx, svc, matrix);
            }
        }
        if let Some(cond) = job.get("if") {
            bot_condition(
                ctx,
                cond,
                Scope {
                    privileged,
                    ..Scope::default()
                },
            );
        }
        check_env(ctx, job.get("env"));
        check_overprovisioned(ctx, job.get("env"));
        let job_name =
            format!("{} {}", s(jk), job.get_str("name").unwrap_or("")).to_ascii_lowercase();
        let steps_list = steps.map(Node::items).unwrap_or(&[]);
        let release = release_workflow
            || job_name.contains("release")
            || job_name.contains("publish")
            || steps_list.iter().any(is_publish_step);
        let scope = Scope {
            privileged,
            workflow_run: has("workflow_run"),
            release,
            dynamic_matrix: matrix.is_some_and(|m| {
                let mut sc = Vec::new();
                m.scalars(&mut sc);
                sc.iter().any(|n| s(n).contains("${{"))
            }),
        };
        let mut untrusted = false;
        for st in steps_list {
            step(ctx, st, scope);
            if privileged && untrusted_checkout(st) {
                untrusted = true;
            } else if untrusted {
                secrets_after_checkout(ctx, st);
            }
        }
    }
}

/// The values a `${{ matrix.NAME }}` image takes: the matrix's list and its `include:`
/// entries.
fn matrix_values<'a>(matrix: Option<&'a Node>, image: &str) -> Vec<&'a Node> {
    let inner = image
        .trim()
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"));
    let Some(key) = inner.map(str::trim).and_then(|i| i.strip_prefix("matrix.")) else {
        return Vec::new();
    };
    let Some(m) = matrix else { return Vec::new() };
    let mut out: Vec<&Node> = Vec::new();
    if let Some(v) = m.get(key) {
        match &v.value {
            Value::Seq(items) => out.extend(items.iter().filter(|i| i.as_str().is_some())),
            Value::Str { .. } => out.push(v),
            Value::Map(_) => {}
        }
    }
    for inc in m.get("include").map(Node::items).unwrap_or(&[]) {
        if let Some(v) = inc.get(key).filter(|v| v.as_str().is_some()) {
            out.push(v);
        }
    }
    out
}

fn image_or_matrix(ctx: &mut Ctx<'_>, img: &Node, matrix: Option<&Node>) {
    let values = matrix_values(matrix, s(img));
    if values.is_empty() {
        check_image(ctx, img, s(img));
    }
    for v in values {
        check_image(ctx, v, s(v));
    }
}

/// A checkout of the pull request's head (or its repository).
fn untrusted_checkout(st: &Node) -> bool {
    let uses = st.get_str("uses").unwrap_or("");
    let run = st.get_str("run").unwrap_or("");
    (uses_is(uses, "actions/checkout")
        && st.get("with").is_some_and(|w| {
            ["ref", "repository"]
                .iter()
                .filter_map(|k| w.get_str(k))
                .any(|r| UNTRUSTED_REFS.iter().any(|u| r.contains(u)))
        }))
        || run.contains("gh pr checkout")
        || run.contains("git fetch origin pull/")
}

/// A step after an untrusted checkout that runs the checked-out code with secrets.
fn secrets_after_checkout(ctx: &mut Ctx<'_>, st: &Node) {
    let uses = st.get_str("uses").unwrap_or("");
    if st.get("run").is_none() && !uses.starts_with("./") {
        return;
    }
    let mut scalars = Vec::new();
    for k in ["env", "with", "run"] {
        if let Some(n) = st.get(k) {
            n.scalars(&mut scalars);
        }
    }
    if let Some(n) = scalars.iter().find(|n| s(n).contains("secrets.")) {
        ctx.at(
            "secrets-to-untrusted",
            Severity::High,
            n,
            "a secret is given to a step that runs the pull request's code".into(),
        );
    }
}

fn container(ctx: &mut Ctx<'_>, c: &Node, matrix: Option<&Node>) {
    match &c.value {
        Value::Str { .. } => image_or_matrix(ctx, c, matrix),
        Value::Map(_) => {
            if let Some(img) = c.get("image") {
                image_or_matrix(ctx, img, matrix);
            }
            if let Some(pw) = c.get("credentials").and_then(|cr| cr.get("password"))
                && !s(pw).contains("${{")
                && !s(pw).is_empty()
            {
                ctx.at(
                    "hardcoded-credentials",
                    Severity::High,
                    pw,
                    "the registry password is written in the workflow".into(),
                );
            }
            check_env(ctx, c.get("env"));
        }
        Value::Seq(_) => {}
    }
}

/// All rules over an action definition.
pub(crate) fn action(ctx: &mut Ctx<'_>, root: &Node) {
    let Some(runs) = root.get("runs") else { return };
    let using = runs.get_str("using").unwrap_or("");
    if using.eq_ignore_ascii_case("docker")
        && let Some(img) = runs.get("image")
        && let Some(image) = s(img).strip_prefix("docker://")
    {
        check_image(ctx, img, image);
    }
    check_env(ctx, runs.get("env"));
    let scope = Scope::default();
    for st in runs.get("steps").map(Node::items).unwrap_or(&[]) {
        step(ctx, st, scope);
    }
}
