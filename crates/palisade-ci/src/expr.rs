//! GitHub Actions `${{ … }}` expressions in text, the contexts they read, and how far an
//! attacker controls each; shell lines that fetch and run remote code.

/// One `${{ … }}` in a string: byte range of the whole expression and its inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr<'a> {
    /// The whole `${{ … }}` text.
    pub text: &'a str,
    /// The inside, trimmed.
    pub inner: &'a str,
}

/// Every expression in `s`, in order (an unclosed one ends the search).
pub fn expressions(s: &str) -> Vec<Expr<'_>> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    while let Some(i) = s.get(rest..).and_then(|t| t.find("${{")) {
        let start = rest + i;
        let body = start + 3;
        let bytes = s.as_bytes();
        let mut j = body;
        let mut quote = false;
        let mut end = None;
        while j + 1 < bytes.len() {
            match bytes[j] {
                b'\'' => quote = !quote,
                b'}' if !quote && bytes[j + 1] == b'}' => {
                    end = Some(j + 2);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let Some(end) = end else { break };
        out.push(Expr {
            text: &s[start..end],
            inner: s[body..end - 2].trim(),
        });
        rest = end;
    }
    out
}

/// The context paths an expression reads (`github.event.issue.title`), with indexes and
/// `*` written as `.*`; string literals and function names left out.
pub fn contexts(inner: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let mut path = String::new();
            while i < chars.len() {
                let c = chars[i];
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '*' {
                    path.push(c);
                    i += 1;
                } else if c == '[' {
                    let mut j = i + 1;
                    let mut key = String::new();
                    while j < chars.len() && chars[j] != ']' {
                        key.push(chars[j]);
                        j += 1;
                    }
                    let key = key.trim().trim_matches('\'').trim_matches('"');
                    path.push('.');
                    if key.chars().all(|c| c.is_ascii_digit()) {
                        path.push('*');
                    } else {
                        path.push_str(key);
                    }
                    i = j + 1;
                } else {
                    break;
                }
            }
            let is_call = chars.get(i) == Some(&'(');
            let path = path.trim_end_matches('.').to_string();
            let literal = matches!(path.as_str(), "true" | "false" | "null")
                || path.starts_with(|c: char| c.is_ascii_digit());
            if !is_call && !literal && !path.is_empty() {
                out.push(path);
            }
            continue;
        }
        i += 1;
    }
    out
}

/// How far an attacker (anyone who can open an issue or pull request) controls a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Taint {
    /// Fixed by the platform or the repository's maintainers.
    Safe,
    /// Could carry outside text depending on where it comes from (inputs, step outputs,
    /// environment variables, unknown event fields).
    Maybe,
    /// Text written by whoever opens the issue, comment or pull request.
    Attacker,
}

/// Fields of `github.event` (and `github`) that an outsider writes.
const ATTACKER: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author",
    "github.event.commits.*.committer",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.head_commit.committer",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author",
    "github.event.workflow_run.head_commit.committer",
    "github.event.workflow_run.head_repository.description",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.check_suite.head_branch",
    "github.event.check_run.check_suite.head_branch",
    "github.event.merge_group.head_commit.message",
];

/// Contexts whose value an outsider cannot choose.
const SAFE_ROOTS: &[&str] = &["secrets", "runner", "strategy", "matrix", "vars", "job"];
const SAFE_GITHUB: &[&str] = &[
    "github.sha",
    "github.ref_type",
    "github.ref_protected",
    "github.run_id",
    "github.run_number",
    "github.run_attempt",
    "github.repository",
    "github.repository_id",
    "github.repository_owner",
    "github.repository_owner_id",
    "github.repositoryUrl",
    "github.workflow",
    "github.workflow_ref",
    "github.workflow_sha",
    "github.event_name",
    "github.job",
    "github.action",
    "github.action_path",
    "github.action_ref",
    "github.action_repository",
    "github.server_url",
    "github.api_url",
    "github.graphql_url",
    "github.token",
    "github.workspace",
    "github.actor",
    "github.actor_id",
    "github.triggering_actor",
    "github.retention_days",
    "github.output",
    "github.env",
    "github.path",
    "github.step_summary",
    "github.event.number",
    "github.event.repository",
    "github.event.sender",
    "github.event.before",
    "github.event.after",
    "github.event.action",
    "github.event.installation",
    "github.event.organization",
];

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.'))
}

/// Whether `pattern` (with `*` segments) matches `path` segment by segment, as a prefix.
fn pattern_prefix(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('.');
    for seg in path.split('.') {
        match p.next() {
            Some(ps) if ps == "*" || seg == "*" || ps.eq_ignore_ascii_case(seg) => {}
            Some(_) => return false,
            None => return true,
        }
    }
    true
}

/// The taint of one context path.
pub fn taint(path: &str) -> Taint {
    let lower = path.to_ascii_lowercase();
    let path = lower.as_str();
    // the field itself, something inside it, or an object holding it (`toJSON(github.event)`)
    if ATTACKER.iter().any(|a| pattern_prefix(a, path)) {
        return Taint::Attacker;
    }
    // branch and tag names: chosen by anyone who can push a branch, and they may hold
    // shell syntax (`a$(id)`)
    if ["github.ref", "github.ref_name", "github.base_ref"].contains(&path) {
        return Taint::Maybe;
    }
    let root = path.split('.').next().unwrap_or("");
    // results of steps and jobs are one of success, failure, cancelled, skipped
    if matches!(root, "steps" | "needs")
        && path.split('.').count() == 3
        && (path.ends_with(".result")
            || path.ends_with(".outcome")
            || path.ends_with(".conclusion"))
    {
        return Taint::Safe;
    }
    if SAFE_ROOTS.contains(&root) {
        return Taint::Safe;
    }
    if SAFE_GITHUB
        .iter()
        .any(|s| under(path, &s.to_ascii_lowercase()))
    {
        return Taint::Safe;
    }
    if path.starts_with("github.event.")
        && (path.ends_with(".sha")
            || path.ends_with("_sha")
            || path.ends_with(".id")
            || path.ends_with(".number")
            || path.ends_with(".node_id")
            || path.ends_with(".url")
            || path.ends_with("_url")
            || path.ends_with("_at")
            || path.ends_with(".draft")
            || path.ends_with(".merged")
            || path.ends_with(".state")
            || path.ends_with(".conclusion")
            || path.ends_with(".author_association"))
    {
        return Taint::Safe;
    }
    if root == "github" && !path.starts_with("github.event") {
        return Taint::Safe;
    }
    Taint::Maybe
}

/// Whether a shell line downloads code and pipes it straight into an interpreter
/// (`curl … | sh`, `bash <(curl …)`, `iwr … | iex`).
pub fn remote_exec(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    let fetch = |s: &str| {
        s.split_whitespace().any(|w| {
            matches!(
                w.trim_start_matches(['(', '$', '"', '\'']),
                "curl" | "wget" | "iwr" | "irm" | "invoke-webrequest" | "invoke-restmethod"
            )
        })
    };
    const INTERP: &[&str] = &[
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "python",
        "python3",
        "perl",
        "ruby",
        "node",
        "iex",
        "invoke-expression",
        "pwsh",
        "powershell",
    ];
    let parts: Vec<&str> = l.split('|').collect();
    for w in parts.windows(2) {
        if w[1].is_empty() || !fetch(w[0]) {
            continue;
        }
        let mut words = w[1].split_whitespace().filter(|t| !t.starts_with('-'));
        let mut first = words.next().unwrap_or("");
        if first == "sudo" || first == "env" {
            first = words.next().unwrap_or("");
        }
        let first = first.rsplit('/').next().unwrap_or(first);
        if INTERP.contains(&first) {
            return true;
        }
    }
    for opener in ["<(", "$("] {
        let mut rest = l.as_str();
        while let Some(i) = rest.find(opener) {
            let before = rest[..i]
                .trim_end()
                .trim_end_matches(['"', '\''])
                .trim_end();
            let after = &rest[i + 2..];
            let shell_before = before.ends_with("sh")
                || before.ends_with("bash")
                || before.ends_with("sh -c")
                || before.ends_with("bash -c")
                || before.ends_with("source")
                || before.ends_with("eval")
                || before.ends_with(" .");
            if shell_before && fetch(after.split(')').next().unwrap_or("")) {
                return true;
            }
            rest = after;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_and_contexts() {
        let e = expressions("echo ${{ github.event.issue.title }} and ${{ format('{0}}', x) }}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].inner, "github.event.issue.title");
        assert_eq!(contexts(e[1].inner), vec!["x"]);
        assert_eq!(
            contexts("toJSON(github.event.commits[0].message) && steps.a.outputs['b']"),
            vec!["github.event.commits.*.message", "steps.a.outputs.b"]
        );
        assert!(expressions("${{ unclosed").is_empty());
    }

    #[test]
    fn taints() {
        assert_eq!(taint("github.event.issue.title"), Taint::Attacker);
        assert_eq!(taint("github.head_ref"), Taint::Attacker);
        assert_eq!(taint("github.event"), Taint::Attacker);
        assert_eq!(taint("github.event.commits.*.message"), Taint::Attacker);
        assert_eq!(taint("github.event.pull_request.head.sha"), Taint::Safe);
        assert_eq!(taint("github.event.pull_request.number"), Taint::Safe);
        assert_eq!(taint("secrets.TOKEN"), Taint::Safe);
        assert_eq!(taint("github.sha"), Taint::Safe);
        assert_eq!(taint("steps.x.outputs.y"), Taint::Maybe);
        assert_eq!(taint("inputs.name"), Taint::Maybe);
        assert_eq!(taint("needs.build.result"), Taint::Safe);
        assert_eq!(taint("steps.x.outcome"), Taint::Safe);
        assert_eq!(taint("steps.x.outputs.result"), Taint::Maybe);
    }

    #[test]
    fn remote_exec_lines() {
        assert!(remote_exec("curl -sSfL https://x.sh | sh"));
        assert!(remote_exec("curl -fsSL https://x | sudo -E bash -"));
        assert!(remote_exec("bash <(curl -s https://codecov.io/bash)"));
        assert!(remote_exec("sh -c \"$(curl -fsSL https://x)\""));
        assert!(remote_exec("iwr https://x/install.ps1 | iex"));
        assert!(!remote_exec(
            "curl -o x.tar.gz https://x && tar xf x.tar.gz"
        ));
        assert!(!remote_exec("curl https://x | jq .name"));
        assert!(!remote_exec("cat file | sh"));
    }
}
