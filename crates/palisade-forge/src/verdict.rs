//! Verdicts shared by every forge: the facts each forge's answers give, turned into a
//! status and evidence the same way whichever forge said them.

use std::collections::BTreeMap;

use palisade_report::{Evidence, Status};

use crate::{Settings, key_strength};

/// The rules in force on a branch, from classic protection and rulesets together.
#[derive(Debug, Default)]
pub(crate) struct BranchRules {
    pub(crate) pr_required: bool,
    pub(crate) approvals: u64,
    pub(crate) dismiss_stale: bool,
    pub(crate) last_push_approval: bool,
    pub(crate) code_owners: bool,
    pub(crate) status_checks: Vec<String>,
    pub(crate) force_push_blocked: bool,
    pub(crate) deletion_blocked: bool,
    pub(crate) signatures: bool,
    pub(crate) admins_enforced: bool,
    pub(crate) sources: Vec<String>,
}

pub(crate) fn branch_verdict(
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

/// People and their role names, most privileged first in `order` (`order[0]` is the
/// admin role).
pub(crate) fn roles_verdict(
    people: Vec<(String, &'static str)>,
    order: &[&'static str],
    settings: &Settings,
) -> (Status, Vec<Evidence>) {
    let total = people.len();
    let mut by_role: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (login, role) in people {
        by_role.entry(role).or_default().push(login);
    }
    let admin = order.first().copied().unwrap_or("admin");
    let admins = by_role.get(admin).map(Vec::len).unwrap_or(0);
    let summary = order
        .iter()
        .map(|r| format!("{} {r}", by_role.get(r).map(Vec::len).unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut ev = vec![Evidence::note(format!("{total} collaborators: {summary}"))];
    if let Some(a) = by_role.get(admin) {
        let mut a = a.clone();
        a.sort();
        ev.push(Evidence::note(format!("{admin}s: {}", a.join(", "))));
    }
    if admins > settings.max_admins {
        ev.push(Evidence::note(format!(
            "{admins} people hold {admin} rights, more than the {} allowed \
             (least privilege; [forge] max-admins)",
            settings.max_admins
        )));
        (Status::Partial, ev)
    } else {
        (Status::Pass, ev)
    }
}

/// A deploy key as a forge lists it.
pub(crate) struct DeployKey {
    pub(crate) title: String,
    pub(crate) key: String,
    pub(crate) writes: bool,
}

impl DeployKey {
    /// A deploy key from a forge's answer (`title`, `key`); whether it may push is
    /// spelled differently by each forge, so the caller says.
    pub(crate) fn from_answer(k: &serde_json::Value, writes: bool) -> DeployKey {
        let text = |f: &str| {
            k.get(f)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let title = text("title");
        DeployKey {
            title: if title.is_empty() { "?".into() } else { title },
            key: text("key"),
            writes,
        }
    }
}

/// Weak keys fail; keys that can push are long-lived credentials (partial).
pub(crate) fn keys_verdict(preface: &str, keys: Vec<DeployKey>) -> (Status, Vec<Evidence>) {
    let mut ev = vec![Evidence::note(preface)];
    let mut status = Status::Pass;
    for k in &keys {
        let (alg, weak) = key_strength(&k.key);
        let title = &k.title;
        if weak {
            status = Status::Fail;
            ev.push(Evidence::note(format!(
                "deploy key '{title}' is weak ({alg})"
            )));
        } else if k.writes {
            if status == Status::Pass {
                status = Status::Partial;
            }
            ev.push(Evidence::note(format!(
                "deploy key '{title}' ({alg}) has write access: a long-lived credential \
                 that can push (prefer short-lived tokens)"
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

/// How the recently merged changes were reviewed.
pub(crate) struct ReviewTally {
    pub(crate) noun: &'static str,
    pub(crate) merged: usize,
    pub(crate) enough: usize,
    pub(crate) none: Vec<String>,
    pub(crate) short: Vec<String>,
}

/// `required`: approvals the branch's rules require, when they could be read.
pub(crate) fn review_verdict(
    t: ReviewTally,
    required: Option<u64>,
    settings: &Settings,
    mut ev: Vec<Evidence>,
) -> (Status, Vec<Evidence>) {
    ev.push(Evidence::note(format!(
        "{} of the last {} merged {} had at least {} independent approvals on their final commit",
        t.enough, t.merged, t.noun, settings.min_approvals
    )));
    if !t.none.is_empty() {
        ev.push(Evidence::note(format!(
            "merged without an independent approval: {}",
            t.none.join(", ")
        )));
    }
    if !t.short.is_empty() {
        ev.push(Evidence::note(format!(
            "merged with fewer approvals than required: {}",
            t.short.join(", ")
        )));
    }
    let setting_ok = required.is_some_and(|r| r >= settings.min_approvals);
    let history_ok = t.none.is_empty() && t.short.is_empty();
    let status = if setting_ok && history_ok {
        Status::Pass
    } else if (required == Some(0) && t.merged > 0 && t.enough == 0)
        || (!t.none.is_empty() && t.enough == 0)
    {
        Status::Fail
    } else if required.is_none() && t.merged == 0 {
        Status::Unknown
    } else {
        Status::Partial
    };
    (status, ev)
}
