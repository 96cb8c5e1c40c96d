//! The `pre-receive` gate: git's `old new ref` lines in, a decision per ref out.

use std::path::Path;

use gix::ObjectId;

use crate::codeowners::Pattern;
use crate::repo::{PushObjects, Repo, is_zero_id};
use crate::signers::match_pattern;
use crate::{Item, Policy, SourceError, Verdict, check_commit, check_tag};

/// Most ref updates read from one push.
pub const MAX_UPDATES: usize = 100_000;

/// One line of `pre-receive` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The old value (all zeros: the ref is created).
    pub old: String,
    /// The new value (all zeros: the ref is deleted).
    pub new: String,
    /// The full ref name.
    pub name: String,
}

/// Parses `old new ref` lines.
pub fn parse_updates(input: &[u8]) -> Result<Vec<RefUpdate>, SourceError> {
    let text = std::str::from_utf8(input)
        .map_err(|_| SourceError::Git("pre-receive input is not UTF-8".into()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if out.len() >= MAX_UPDATES {
            return Err(SourceError::Git(format!(
                "more than {MAX_UPDATES} ref updates"
            )));
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let ok_hex = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
        match f.as_slice() {
            [old, new, name] if ok_hex(old) && ok_hex(new) => out.push(RefUpdate {
                old: old.to_string(),
                new: new.to_string(),
                name: name.to_string(),
            }),
            _ => {
                return Err(SourceError::Git(format!(
                    "pre-receive input line {}: expected `<old> <new> <ref>`",
                    i + 1
                )));
            }
        }
    }
    Ok(out)
}

/// Why a ref update is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The ref.
    pub refname: String,
    /// The object at fault (commit or tag), if any.
    pub object: Option<String>,
    /// Why.
    pub reason: String,
}

/// Checks a push: every new commit (and a new annotated tag) on a ref matching one of
/// `protected` (glob patterns, `*` and `?`) must be good under `policy` and must not add
/// or modify a file matching one of `deny` (CODEOWNERS pattern syntax); deleting a
/// protected ref is refused.
pub fn check_push(
    repo: &Repo,
    quarantine: Option<&Path>,
    updates: &[RefUpdate],
    protected: &[String],
    deny: &[String],
    policy: &Policy,
) -> Result<(Vec<Item>, Vec<Refusal>), SourceError> {
    let deny: Vec<Pattern> = deny.iter().map(|d| Pattern::new(d)).collect();
    let objects = PushObjects::new(repo, quarantine)?;
    let mut items = Vec::new();
    let mut refusals = Vec::new();
    for u in updates {
        if !protected.iter().any(|p| match_pattern(p, &u.name)) {
            continue;
        }
        if is_zero_id(&u.new) {
            refusals.push(Refusal {
                refname: u.name.clone(),
                object: None,
                reason: "deleting a protected ref".into(),
            });
            continue;
        }
        let new = ObjectId::from_hex(u.new.as_bytes())
            .map_err(|e| SourceError::Git(format!("{}: {e}", u.new)))?;
        let (kind, data) = objects.find(new)?;
        let mut tip = new;
        if kind == gix::object::Kind::Tag {
            let item = check_tag(policy, &u.new, &u.name, &data);
            if item.outcome.verdict != Verdict::Good {
                refusals.push(refusal(&u.name, &item));
            }
            items.push(item);
            match crate::object::parse_header(&data)
                .object
                .and_then(|o| ObjectId::from_hex(o.as_bytes()).ok())
            {
                Some(t) if objects.find(t)?.0 == gix::object::Kind::Commit => tip = t,
                _ => continue,
            }
        }
        for raw in objects.new_commits(&u.old, tip, &u.name)? {
            if !deny.is_empty() {
                for f in objects.changed_files(&raw.data)? {
                    if deny.iter().any(|p| p.matches(&f)) {
                        refusals.push(Refusal {
                            refname: u.name.clone(),
                            object: Some(raw.id.clone()),
                            reason: format!("adds deny-listed file {f}"),
                        });
                    }
                }
            }
            let item = check_commit(policy, &raw.id, &raw.data);
            if item.outcome.verdict != Verdict::Good {
                refusals.push(refusal(&u.name, &item));
            }
            items.push(item);
        }
    }
    Ok((items, refusals))
}

fn refusal(refname: &str, item: &Item) -> Refusal {
    Refusal {
        refname: refname.to_string(),
        object: Some(item.id.clone()),
        reason: format!("{}: {}", item.outcome.verdict, item.outcome.reason),
    }
}
