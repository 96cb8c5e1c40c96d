//! GitLab: REST API v4 answers turned into verdicts.
//!
//! Questions asked (all GET; `ID` is the URL-encoded project path): `projects/ID`
//! (default branch, namespace, "pipelines must succeed"), `projects/ID/protected_branches/B`
//! (who may push and merge, force pushes), `projects/ID/approvals` and
//! `projects/ID/approval_rules` (required approvals), `groups/G`
//! (`require_two_factor_authentication`), `projects/ID/merge_requests?state=merged` and
//! `projects/ID/merge_requests/IID/approvals`, `projects/ID/members/all`,
//! `projects/ID/deploy_keys`.

use palisade_report::{Evidence, Status};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::api::ONE;
use crate::verdict::{
    BranchRules, DeployKey, ReviewTally, branch_verdict, keys_verdict, review_verdict,
    roles_verdict,
};

use crate::{Api, ApiError, Assessment, CONTROLS, ForgeRepo, Settings};

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn u64_at(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

pub(crate) fn assess(api: &dyn Api, repo: &ForgeRepo, settings: &Settings, out: &mut Assessment) {
    let base = format!("projects/{}", enc(&repo.path));
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
    let mut asker = crate::api::Asker::new(api);
    let mut ask = |path: String, want: usize| asker.ask(&path, want);

    // --- branch protection -------------------------------------------------------
    let mut rules = BranchRules::default();
    let mut notes = Vec::new();
    let mut known = false;
    match ask(format!("{base}/protected_branches/{}", enc(&branch)), ONE) {
        Ok(p) => {
            known = true;
            rules.sources.push("protected branch".into());
            // Nobody may push: every change arrives through a merge request.
            let push = p.get("push_access_levels").and_then(Value::as_array);
            rules.pr_required = push.is_some_and(|levels| {
                !levels.is_empty() && levels.iter().all(|l| u64_at(l, "access_level") == Some(0))
            });
            rules.force_push_blocked = !p
                .get("allow_force_push")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            rules.deletion_blocked = true;
            rules.code_owners = p
                .get("code_owner_approval_required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        }
        Err(ApiError::NotFound { .. }) => {
            known = true;
            notes.push(Evidence::note(format!(
                "branch '{branch}' is not a protected branch"
            )));
        }
        Err(e) => notes.push(Evidence::note(format!("protected branch: {e}"))),
    }
    if info
        .get("only_allow_merge_if_pipeline_succeeds")
        .and_then(Value::as_bool)
        == Some(true)
    {
        rules.status_checks.push("pipeline must succeed".into());
    }
    let mut reset_on_push = false;
    match ask(format!("{base}/approvals"), ONE) {
        Ok(a) => {
            rules.approvals = rules
                .approvals
                .max(u64_at(&a, "approvals_before_merge").unwrap_or(0));
            reset_on_push = a
                .get("reset_approvals_on_push")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            rules.dismiss_stale = reset_on_push;
            if a.get("merge_requests_author_approval")
                .and_then(Value::as_bool)
                == Some(true)
            {
                notes.push(Evidence::note(
                    "authors may approve their own merge requests",
                ));
            }
        }
        Err(e) => notes.push(Evidence::note(format!("approval settings: {e}"))),
    }
    match ask(format!("{base}/approval_rules?per_page=100"), usize::MAX) {
        Ok(Value::Array(rs)) => {
            for r in &rs {
                rules.approvals = rules
                    .approvals
                    .max(u64_at(r, "approvals_required").unwrap_or(0));
            }
        }
        Ok(_) => {}
        // approval rules are a paid feature: absent on other tiers
        Err(ApiError::NotFound { .. }) | Err(ApiError::Forbidden { .. }) => {}
        Err(e) => notes.push(Evidence::note(format!("approval rules: {e}"))),
    }
    let (status, evidence) = branch_verdict(&branch, &rules, known, notes);
    out.set("source.branch-protection", status, evidence);

    // --- independent two-party review -------------------------------------------
    let mut ev = Vec::new();
    if known {
        ev.push(Evidence::note(format!(
            "merge requests into '{branch}' need {} approval(s){}",
            rules.approvals,
            if reset_on_push {
                ", reset when new commits are pushed"
            } else {
                ""
            }
        )));
    }
    let listing = ask(
        format!(
            "{base}/merge_requests?state=merged&target_branch={}&order_by=updated_at&sort=desc&per_page=100",
            enc(&branch)
        ),
        settings.pr_limit.max(1),
    );
    let review = match listing {
        Ok(Value::Array(list)) => {
            let merged: Vec<&Value> = list.iter().take(settings.pr_limit).collect();
            let mut tally = ReviewTally {
                noun: "merge requests",
                merged: merged.len(),
                enough: 0,
                none: Vec::new(),
                short: Vec::new(),
            };
            let mut failed = None;
            for mr in &merged {
                let iid = u64_at(mr, "iid").unwrap_or(0);
                let author = mr
                    .pointer("/author/username")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match ask(format!("{base}/merge_requests/{iid}/approvals"), ONE) {
                    Ok(a) => {
                        let mut approvers: Vec<&str> = a
                            .get("approved_by")
                            .and_then(Value::as_array)
                            .map(|l| {
                                l.iter()
                                    .filter_map(|x| {
                                        x.pointer("/user/username").and_then(Value::as_str)
                                    })
                                    .filter(|u| *u != author)
                                    .collect()
                            })
                            .unwrap_or_default();
                        approvers.sort_unstable();
                        approvers.dedup();
                        // GitLab keeps no commit per approval: they count as on the final
                        // commit only when the project resets approvals on push.
                        let fresh = if reset_on_push {
                            approvers.len() as u64
                        } else {
                            0
                        };
                        if fresh >= settings.min_approvals {
                            tally.enough += 1;
                        } else if fresh == 0 {
                            tally.none.push(format!(
                                "!{iid}{}",
                                if approvers.is_empty() {
                                    ""
                                } else {
                                    " (approvals not reset on push)"
                                }
                            ));
                        } else {
                            tally.short.push(format!("!{iid} ({fresh})"));
                        }
                    }
                    Err(e) => {
                        failed = Some(format!("approvals of !{iid}: {e}"));
                        break;
                    }
                }
            }
            match failed {
                Some(f) => {
                    ev.push(Evidence::note(f));
                    (Status::Unknown, ev)
                }
                None => review_verdict(tally, known.then_some(rules.approvals), settings, ev),
            }
        }
        Ok(_) => (Status::Unknown, ev),
        Err(e) => {
            ev.push(Evidence::note(format!("merge requests: {e}")));
            (Status::Unknown, ev)
        }
    };
    out.set("source.two-party-review", review.0, review.1);

    // --- MFA ------------------------------------------------------------------------
    let kind = info
        .pointer("/namespace/kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let group = info
        .pointer("/namespace/full_path")
        .and_then(Value::as_str)
        .unwrap_or_else(|| repo.owner())
        .to_string();
    let mfa = if kind == "group" {
        match ask(format!("groups/{}", enc(&group)), ONE) {
            Ok(g) => match g
                .get("require_two_factor_authentication")
                .and_then(Value::as_bool)
            {
                Some(true) => (
                    Status::Pass,
                    vec![Evidence::note(format!(
                        "group '{group}' requires two-factor authentication"
                    ))],
                ),
                Some(false) => (
                    Status::Fail,
                    vec![Evidence::note(format!(
                        "group '{group}' does not require two-factor authentication"
                    ))],
                ),
                None => (
                    Status::Unknown,
                    vec![Evidence::note(format!(
                        "group '{group}': require_two_factor_authentication not shown to this token"
                    ))],
                ),
            },
            Err(e) => (Status::Unknown, vec![Evidence::note(e.to_string())]),
        }
    } else {
        (
            Status::Partial,
            vec![Evidence::note(format!(
                "'{group}' is a personal namespace: no group policy mandates MFA for its members"
            ))],
        )
    };
    out.set("source.mfa", mfa.0, mfa.1);

    // --- roles ------------------------------------------------------------------------
    const ORDER: [&str; 5] = ["owner", "maintainer", "developer", "reporter", "guest"];
    let roles = match ask(format!("{base}/members/all?per_page=100"), usize::MAX) {
        Ok(Value::Array(people)) => {
            let people = people
                .iter()
                .map(|p| {
                    let login = p.get("username").and_then(Value::as_str).unwrap_or("?");
                    let role = match u64_at(p, "access_level").unwrap_or(0) {
                        50.. => "owner",
                        40..=49 => "maintainer",
                        30..=39 => "developer",
                        20..=29 => "reporter",
                        _ => "guest",
                    };
                    (login.to_string(), role)
                })
                .collect();
            roles_verdict(people, &ORDER, settings)
        }
        Ok(_) => (Status::Unknown, vec![]),
        Err(e) => (Status::Unknown, vec![Evidence::note(format!("roles: {e}"))]),
    };
    out.set("source.contribution-policy", roles.0, roles.1);

    // --- keys ---------------------------------------------------------------------------
    let keys = match ask(format!("{base}/deploy_keys?per_page=100"), usize::MAX) {
        Ok(Value::Array(keys)) => keys_verdict(
            "GitLab git access: SSH keys or tokens",
            keys.iter()
                .map(|k| {
                    DeployKey::from_answer(
                        k,
                        k.get("can_push").and_then(Value::as_bool) == Some(true),
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
