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

use crate::api::ONE;
use crate::verdict::{
    BranchRules, DeployKey, ReviewTally, branch_verdict, keys_verdict, review_verdict,
    roles_verdict,
};

use crate::{Api, ApiError, Assessment, CONTROLS, ForgeRepo, Settings};

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
    let mut asker = crate::api::Asker::new(api);
    let mut ask = |path: String, want: usize| asker.ask(&path, want);

    // --- branch protection -------------------------------------------------------
    let mut rules = BranchRules::default();
    let mut notes = Vec::new();
    let mut known = false;
    match ask(format!("{base}/branches/{enc_branch}/protection"), ONE) {
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
        usize::MAX,
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
        match ask(format!("orgs/{}", repo.owner()), ONE) {
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
        usize::MAX,
    ) {
        Ok(Value::Array(people)) => {
            let people = people
                .iter()
                .map(|p| {
                    let login = p.get("login").and_then(Value::as_str).unwrap_or("?");
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
                    (login.to_string(), role)
                })
                .collect();
            roles_verdict(
                people,
                &["admin", "maintain", "write", "triage", "read"],
                settings,
            )
        }
        Ok(_) => (Status::Unknown, vec![]),
        Err(e) => (Status::Unknown, vec![Evidence::note(format!("roles: {e}"))]),
    };
    out.set("source.contribution-policy", roles.0, roles.1);

    // --- keys ---------------------------------------------------------------------------
    let keys = match ask(format!("{base}/keys?per_page=100"), usize::MAX) {
        Ok(Value::Array(keys)) => keys_verdict(
            "GitHub accepts no passwords for git over HTTPS or SSH (keys or tokens only)",
            keys.iter()
                .map(|k| {
                    DeployKey::from_answer(
                        k,
                        k.get("read_only").and_then(Value::as_bool) == Some(false),
                    )
                })
                .collect(),
        ),
        Ok(_) => (Status::Unknown, vec![]),
        Err(e) => (
            Status::Unknown,
            vec![Evidence::note(format!("deploy keys: {e}"))],
        ),
    };
    out.set("source.ssh-keys", keys.0, keys.1);
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
    ask: &mut dyn FnMut(String, usize) -> Result<Value, ApiError>,
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
        settings.pr_limit.saturating_mul(3).max(1),
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
        let reviews = match ask(format!("{base}/pulls/{n}/reviews?per_page=100"), usize::MAX) {
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
    review_verdict(
        ReviewTally {
            noun: "pull requests",
            merged: merged.len(),
            enough,
            none,
            short,
        },
        known.then_some(rules.approvals),
        settings,
        ev,
    )
}
