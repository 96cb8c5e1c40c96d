//! GitHub: REST API v3 answers turned into verdicts.
//!
//! Questions asked (all GET): `repos/O/R` (default branch, owner type),
//! `repos/O/R/branches/B/protection` (classic protection; needs admin),
//! `repos/O/R/rules/branches/B` (rulesets in force on the branch), `orgs/O`
//! (`two_factor_requirement_enabled`, visible to owners), `repos/O/R/pulls` (recently
//! closed) and `repos/O/R/pulls/N/reviews`, `repos/O/R/collaborators`, `repos/O/R/keys`
//! (deploy keys; needs admin).

use std::collections::BTreeMap;

use palisade_report::{Evidence, Status};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::{Api, ApiError, Assessment, CONTROLS, ForgeRepo, Settings, key_strength};

/// The rules in force on a branch, from classic protection and rulesets together.
#[derive(Debug, Default)]
struct BranchRules {
    pr_required: bool,
    approvals: u64,
    dismiss_stale: bool,
    last_push_approval: bool,
    code_owners: bool,
    status_checks: Vec<String>,
    force_push_blocked: bool,
    deletion_blocked: bool,
    signatures: bool,
    admins_enforced: bool,
    sources: Vec<String>,
}

fn flag(v: &Value, ptr: &str) -> bool {
    v.pointer(ptr).and_then(Value::as_bool).unwrap_or(false)
}

impl BranchRules {
    fn add_classic(&mut self, p: &Value) {
        self.sources.push("branch protection".into());
        if let Some(r) = p
            .get("required_pull_request_reviews")
            .filter(|r| r.is_object())
        {
            self.pr_required = true;
            let n = r
                .get("required_approving_review_count")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            self.approvals = self.approvals.max(n);
            self.dismiss_stale |= flag(r, "/dismiss_stale_reviews");
            self.code_owners |= flag(r, "/require_code_owner_reviews");
            self.last_push_approval |= flag(r, "/require_last_push_approval");
        }
        if let Some(c) = p.get("required_status_checks").filter(|c| c.is_object()) {
            let mut names: Vec<String> = c
                .get("contexts")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(checks) = c.get("checks").and_then(Value::as_array) {
                names.extend(
                    checks
                        .iter()
                        .filter_map(|c| c.get("context").and_then(Value::as_str))
                        .map(String::from),
                );
            }
            if names.is_empty() {
                names.push("(any)".into());
            }
            self.status_checks.extend(names);
        }
        // Absent means GitHub's default: force pushes and deletions are blocked.
        self.force_push_blocked |= !flag(p, "/allow_force_pushes/enabled");
        self.deletion_blocked |= !flag(p, "/allow_deletions/enabled");
        self.signatures |= flag(p, "/required_signatures/enabled");
        self.admins_enforced |= flag(p, "/enforce_admins/enabled");
    }

    fn add_rule(&mut self, r: &Value) {
        let params = r.get("parameters").cloned().unwrap_or(Value::Null);
        let ruleset = r
            .get("ruleset_id")
            .and_then(Value::as_u64)
            .map(|id| format!("ruleset {id}"))
            .unwrap_or_else(|| "ruleset".into());
        if !self.sources.contains(&ruleset) {
            self.sources.push(ruleset);
        }
        match r.get("type").and_then(Value::as_str).unwrap_or_default() {
            "pull_request" => {
                self.pr_required = true;
                let n = params
                    .get("required_approving_review_count")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                self.approvals = self.approvals.max(n);
                self.dismiss_stale |= flag(&params, "/dismiss_stale_reviews_on_push");
                self.code_owners |= flag(&params, "/require_code_owner_review");
                self.last_push_approval |= flag(&params, "/require_last_push_approval");
            }
            "required_status_checks" => {
                let names: Vec<String> = params
                    .get("required_status_checks")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.get("context").and_then(Value::as_str))
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                self.status_checks.extend(names);
            }
            "non_fast_forward" => self.force_push_blocked = true,
            "deletion" => self.deletion_blocked = true,
            "required_signatures" => self.signatures = true,
            _ => {}
        }
    }
}

pub(crate) fn assess(api: &dyn Api, repo: &ForgeRepo, settings: &Settings, out: &mut Assessment) {
    let base = format!("repos/{}", repo.path);
    let info = match api.get(&base) {
        Ok(p) => p.body,
        Err(e) => {
            for c in CONTROLS {
                out.set(c, Status::Unknown, vec![Evidence::note(e.to_string())]);
            }
            return;
        }
    };
    let branch = info
        .get("default_branch")
        .and_then(Value::as_str)
        .unwrap_or("main")
        .to_string();
    let enc_branch = utf8_percent_encode(&branch, NON_ALPHANUMERIC).to_string();
    let mut fatal: Option<ApiError> = None;
    let mut ask = |path: String, all: bool| -> Result<Value, ApiError> {
        if let Some(e) = &fatal {
            return Err(e.clone());
        }
        let r = if all {
            api.get_all(&path).map(Value::Array)
        } else {
            api.get(&path).map(|p| p.body)
        };
        if let Err(e) = &r
            && e.is_fatal()
        {
            fatal = Some(e.clone());
        }
        r
    };

    // --- branch protection -------------------------------------------------------
    let mut rules = BranchRules::default();
    let mut notes = Vec::new();
    let mut known = false;
    match ask(format!("{base}/branches/{enc_branch}/protection"), false) {
        Ok(p) => {
            rules.add_classic(&p);
            known = true;
        }
        Err(ApiError::NotFound { message, .. }) if message.contains("not protected") => {
            notes.push(Evidence::note(format!(
                "branch '{branch}' has no classic branch protection"
            )));
            known = true;
        }
        Err(e) => notes.push(Evidence::note(format!("classic protection: {e}"))),
    }
    match ask(
        format!("{base}/rules/branches/{enc_branch}?per_page=100"),
        true,
    ) {
        Ok(Value::Array(rs)) => {
            known = true;
            if rs.is_empty() {
                notes.push(Evidence::note(format!("no ruleset applies to '{branch}'")));
            }
            for r in &rs {
                rules.add_rule(r);
            }
        }
        Ok(_) => {}
        Err(e) => notes.push(Evidence::note(format!("rulesets: {e}"))),
    }
    let (status, evidence) = branch_verdict(&branch, &rules, known, notes);
    out.set("source.branch-protection", status, evidence);

    // --- independent two-party review -------------------------------------------
    let review = two_party(&mut ask, &base, &branch, &rules, known, settings);
    out.set("source.two-party-review", review.0, review.1);

    // --- MFA ------------------------------------------------------------------------
    let owner_type = info
        .pointer("/owner/type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mfa = if owner_type == "Organization" {
        match ask(format!("orgs/{}", repo.owner()), false) {
            Ok(org) => match org
                .get("two_factor_requirement_enabled")
                .and_then(Value::as_bool)
            {
                Some(true) => (
                    Status::Pass,
                    vec![Evidence::note(format!(
                        "organisation '{}' requires two-factor authentication of its members",
                        repo.owner()
                    ))],
                ),
                Some(false) => (
                    Status::Fail,
                    vec![Evidence::note(format!(
                        "organisation '{}' does not require two-factor authentication",
                        repo.owner()
                    ))],
                ),
                None => (
                    Status::Unknown,
                    vec![Evidence::note(format!(
                        "organisation '{}': two_factor_requirement_enabled is only shown to \
                         organisation owners (a token with admin:org / read:org as owner)",
                        repo.owner()
                    ))],
                ),
            },
            Err(e) => (Status::Unknown, vec![Evidence::note(e.to_string())]),
        }
    } else {
        (
            Status::Partial,
            vec![Evidence::note(format!(
                "'{}' is a personal account: no organisation policy mandates MFA for its \
                 collaborators (move the repository to an organisation that requires 2FA)",
                repo.owner()
            ))],
        )
    };
    out.set("source.mfa", mfa.0, mfa.1);

    // --- roles ------------------------------------------------------------------------
    let roles = match ask(
        format!("{base}/collaborators?affiliation=all&per_page=100"),
        true,
    ) {
        Ok(Value::Array(people)) => {
            let mut counts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for p in &people {
                let login = p
                    .get("login")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                let role = if flag(p, "/permissions/admin") {
                    "admin"
                } else if flag(p, "/permissions/maintain") {
                    "maintain"
                } else if flag(p, "/permissions/push") {
                    "write"
                } else if flag(p, "/permissions/triage") {
                    "triage"
                } else {
                    "read"
                };
                counts.entry(role).or_default().push(login);
            }
            let admins = counts.get("admin").map(Vec::len).unwrap_or(0);
            let summary = ["admin", "maintain", "write", "triage", "read"]
                .iter()
                .map(|r| format!("{} {r}", counts.get(r).map(Vec::len).unwrap_or(0)))
                .collect::<Vec<_>>()
                .join(", ");
            let mut ev = vec![Evidence::note(format!(
                "{} collaborators: {summary}",
                people.len()
            ))];
            if let Some(a) = counts.get("admin") {
                let mut a = a.clone();
                a.sort();
                ev.push(Evidence::note(format!("admins: {}", a.join(", "))));
            }
            if admins > settings.max_admins {
                ev.push(Evidence::note(format!(
                    "{admins} people hold admin rights, more than the {} allowed \
                     (least privilege; [forge] max-admins)",
                    settings.max_admins
                )));
                (Status::Partial, ev)
            } else {
                (Status::Pass, ev)
            }
        }
        Ok(_) => (Status::Unknown, vec![]),
        Err(e) => (Status::Unknown, vec![Evidence::note(format!("roles: {e}"))]),
    };
    out.set("source.contribution-policy", roles.0, roles.1);

    // --- keys ---------------------------------------------------------------------------
    let keys = match ask(format!("{base}/keys?per_page=100"), true) {
        Ok(Value::Array(keys)) => {
            let mut ev = vec![Evidence::note(
                "GitHub accepts no passwords for git over HTTPS or SSH (keys or tokens only)",
            )];
            let mut status = Status::Pass;
            for k in &keys {
                let title = k.get("title").and_then(Value::as_str).unwrap_or("?");
                let (alg, weak) = key_strength(k.get("key").and_then(Value::as_str).unwrap_or(""));
                let writes = k.get("read_only").and_then(Value::as_bool) == Some(false);
                if weak {
                    status = Status::Fail;
                    ev.push(Evidence::note(format!(
                        "deploy key '{title}' is weak ({alg})"
                    )));
                } else if writes {
                    if status == Status::Pass {
                        status = Status::Partial;
                    }
                    ev.push(Evidence::note(format!(
                        "deploy key '{title}' ({alg}) has write access: a long-lived \
                         credential that can push (prefer short-lived tokens)"
                    )));
                } else {
                    ev.push(Evidence::note(format!(
                        "deploy key '{title}' ({alg}), read-only"
                    )));
                }
            }
            if keys.is_empty() {
                ev.push(Evidence::note("no deploy keys"));
            }
            (status, ev)
        }
        Ok(_) => (Status::Unknown, vec![]),
        Err(e) => (
            Status::Unknown,
            vec![Evidence::note(format!("deploy keys: {e}"))],
        ),
    };
    out.set("source.ssh-keys", keys.0, keys.1);
}

fn branch_verdict(
    branch: &str,
    r: &BranchRules,
    known: bool,
    mut ev: Vec<Evidence>,
) -> (Status, Vec<Evidence>) {
    if !known {
        return (Status::Unknown, ev);
    }
    if !r.sources.is_empty() {
        ev.push(Evidence::note(format!(
            "'{branch}' is governed by {}",
            r.sources.join(", ")
        )));
    }
    let mut met = 0;
    let checks = [
        (
            r.pr_required,
            format!(
                "pull requests required ({} approving review(s){}{})",
                r.approvals,
                if r.dismiss_stale {
                    ", stale approvals dismissed"
                } else {
                    ""
                },
                if r.code_owners {
                    ", code owners must review"
                } else {
                    ""
                }
            ),
            "pull requests are not required: anyone with write access can push directly",
        ),
        (
            r.approvals >= 1,
            format!("{} approval(s) required", r.approvals),
            "no approving review is required",
        ),
        (
            !r.status_checks.is_empty(),
            format!("required status checks: {}", r.status_checks.join(", ")),
            "no required status checks",
        ),
        (
            r.force_push_blocked && !r.sources.is_empty(),
            "force pushes blocked".to_string(),
            "force pushes are allowed",
        ),
    ];
    for (ok, yes, no) in &checks {
        if *ok {
            met += 1;
            ev.push(Evidence::note(yes.clone()));
        } else {
            ev.push(Evidence::note(no.to_string()));
        }
    }
    if r.signatures {
        ev.push(Evidence::note("signed commits required by the forge"));
    }
    if r.sources.iter().any(|s| s == "branch protection") && !r.admins_enforced {
        ev.push(Evidence::note(
            "administrators may bypass branch protection",
        ));
    }
    let status = match met {
        4 => Status::Pass,
        0 => Status::Fail,
        _ => Status::Partial,
    };
    (status, ev)
}

/// Independent approvals of one merged pull request, on its final commit.
fn approvals(pr: &Value, reviews: &[Value]) -> (u64, u64) {
    let author = pr
        .pointer("/user/login")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let head = pr
        .pointer("/head/sha")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The last decisive review per reviewer (comments do not change a decision).
    let mut last: BTreeMap<&str, &Value> = BTreeMap::new();
    for r in reviews {
        let who = r
            .pointer("/user/login")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let state = r.get("state").and_then(Value::as_str).unwrap_or_default();
        if who.is_empty() || who == author || state == "COMMENTED" || state == "PENDING" {
            continue;
        }
        last.insert(who, r);
    }
    let mut fresh = 0;
    let mut stale = 0;
    for r in last.values() {
        if r.get("state").and_then(Value::as_str) != Some("APPROVED") {
            continue;
        }
        if r.get("commit_id").and_then(Value::as_str) == Some(head) {
            fresh += 1;
        } else {
            stale += 1;
        }
    }
    (fresh, stale)
}

fn two_party(
    ask: &mut dyn FnMut(String, bool) -> Result<Value, ApiError>,
    base: &str,
    branch: &str,
    rules: &BranchRules,
    known: bool,
    settings: &Settings,
) -> (Status, Vec<Evidence>) {
    let mut ev = Vec::new();
    if known {
        ev.push(Evidence::note(format!(
            "'{branch}' requires {} approving review(s){}",
            rules.approvals,
            if rules.last_push_approval || rules.dismiss_stale {
                " after the last push"
            } else {
                ""
            }
        )));
    }
    let enc = utf8_percent_encode(branch, NON_ALPHANUMERIC);
    let list = match ask(
        format!("{base}/pulls?state=closed&base={enc}&sort=updated&direction=desc&per_page=100"),
        false,
    ) {
        Ok(Value::Array(l)) => l,
        Ok(_) => Vec::new(),
        Err(e) => {
            ev.push(Evidence::note(format!("pull requests: {e}")));
            return (Status::Unknown, ev);
        }
    };
    let merged: Vec<&Value> = list
        .iter()
        .filter(|p| p.get("merged_at").is_some_and(|m| !m.is_null()))
        .take(settings.pr_limit)
        .collect();
    let mut enough = 0;
    let mut none = Vec::new();
    let mut short = Vec::new();
    for pr in &merged {
        let n = pr.get("number").and_then(Value::as_u64).unwrap_or(0);
        let reviews = match ask(format!("{base}/pulls/{n}/reviews?per_page=100"), true) {
            Ok(Value::Array(r)) => r,
            Ok(_) => Vec::new(),
            Err(e) => {
                ev.push(Evidence::note(format!("reviews of #{n}: {e}")));
                return (Status::Unknown, ev);
            }
        };
        let (fresh, stale) = approvals(pr, &reviews);
        if fresh >= settings.min_approvals {
            enough += 1;
        } else if fresh == 0 {
            none.push(format!(
                "#{n}{}",
                if stale > 0 {
                    " (approved before the last push)"
                } else {
                    ""
                }
            ));
        } else {
            short.push(format!("#{n} ({fresh})"));
        }
    }
    ev.push(Evidence::note(format!(
        "{} of the last {} merged pull requests had at least {} independent approvals on their final commit",
        enough,
        merged.len(),
        settings.min_approvals
    )));
    if !none.is_empty() {
        ev.push(Evidence::note(format!(
            "merged without an independent approval: {}",
            none.join(", ")
        )));
    }
    if !short.is_empty() {
        ev.push(Evidence::note(format!(
            "merged with fewer approvals than required: {}",
            short.join(", ")
        )));
    }
    let setting_ok = known && rules.approvals >= settings.min_approvals;
    let history_ok = none.is_empty() && short.is_empty();
    let status = if setting_ok && history_ok {
        Status::Pass
    } else if (known && rules.approvals == 0 && !merged.is_empty() && enough == 0)
        || (!none.is_empty() && enough == 0)
    {
        Status::Fail
    } else if !known && merged.is_empty() {
        Status::Unknown
    } else {
        Status::Partial
    };
    (status, ev)
}
