//! Scans that read git objects in-process (gix, through `palisade-source`): all of
//! history (each distinct blob once, with the commits that introduced it), the index
//! against `HEAD` (pre-commit), and the blobs of a push (pre-receive).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use palisade_source::hook::parse_updates;
use palisade_source::object::Ident;
use palisade_source::repo::{PushObjects, Repo, is_zero_id};
use rayon::prelude::*;

use crate::archive::{ArchiveLimits, Skipped};
use crate::{Commit, Findings, Match, Scanner, SecretsError, scan_bytes};

fn git_err(what: impl std::fmt::Display, e: impl std::fmt::Display) -> SecretsError {
    SecretsError::Git(format!("{what}: {e}"))
}

/// A blob's id, its matches (per archive member name suffix), its size and what its
/// archive walk skipped.
type ScannedBlob = (ObjectId, Vec<(String, Vec<Match>)>, u64, Skipped);

/// What a history scan read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HistoryStats {
    /// Commits walked.
    pub commits: u64,
    /// Distinct blobs scanned.
    pub blobs: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Archive members skipped, by reason.
    pub archive: Skipped,
}

struct CommitMeta {
    tree: Option<ObjectId>,
    parents: Vec<ObjectId>,
    info: Commit,
}

fn parse_commit(id: ObjectId, data: &[u8]) -> CommitMeta {
    let h = palisade_source::object::parse_header(data);
    let oid = |s: &str| ObjectId::from_hex(s.as_bytes()).ok();
    // The author header (parse_header keeps the committer).
    let author = data
        .split(|&b| b == b'\n')
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(b"author "))
        .and_then(Ident::parse)
        .or(h.identity.clone())
        .unwrap_or_default();
    CommitMeta {
        tree: h.tree.as_deref().and_then(oid),
        parents: h.parents.iter().filter_map(|p| oid(p)).collect(),
        info: Commit {
            id: id.to_string(),
            author: format!("{} <{}>", author.name, author.email),
            date: palisade_io::rfc3339(u64::try_from(author.time).unwrap_or(0)),
        },
    }
}

/// The commits to scan: reachable from every ref (branches, tags, remotes, stash), or
/// `A..B`, or those since `REV` (reachable from a ref and not from `REV`).
fn walk(repo: &Repo, since: Option<&str>) -> Result<Vec<ObjectId>, SecretsError> {
    if let Some(r) = since
        && r.contains("..")
    {
        return Ok(repo.commits(Some(r), None)?);
    }
    let g = repo.gix();
    let mut tips = Vec::new();
    let refs = g.references().map_err(|e| git_err("references", e))?;
    for r in refs.all().map_err(|e| git_err("references", e))? {
        let mut r = r.map_err(|e| git_err("reference", e))?;
        let Ok(id) = r.peel_to_id() else { continue };
        let id = id.detach();
        if g.find_header(id)
            .is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
        {
            tips.push(id);
        }
    }
    if let Ok(id) = g.head_id() {
        tips.push(id.detach());
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let hidden = match since {
        Some(s) => vec![repo.resolve(s)?],
        None => Vec::new(),
    };
    let walk = g
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(|e| git_err("walking history", e))?;
    let mut out = Vec::new();
    for info in walk {
        out.push(info.map_err(|e| git_err("walking history", e))?.id);
        if out.len() > palisade_source::repo::MAX_COMMITS {
            return Err(SecretsError::Git("too many commits".into()));
        }
    }
    Ok(out)
}

/// Scans every blob that the walked commits introduced (added or changed against their
/// parents; for merges, against every parent), each distinct blob once. Each location
/// names the introducing commit, its author and date.
pub fn scan_history(
    scanner: &Scanner,
    path: &Path,
    since: Option<&str>,
    max_file_size: u64,
    on_match: &(dyn Fn(&str, &[Match], &Commit) + Sync),
) -> Result<(Findings, HistoryStats), SecretsError> {
    scan_history_archives(
        scanner,
        path,
        since,
        max_file_size,
        crate::archive::DEFAULT_MAX_DEPTH,
        on_match,
    )
}

/// [`scan_history`], opening archives inside blobs up to `max_archive_depth` levels
/// (members are reported as `path!inner`).
pub fn scan_history_archives(
    scanner: &Scanner,
    path: &Path,
    since: Option<&str>,
    max_file_size: u64,
    max_archive_depth: u32,
    on_match: &(dyn Fn(&str, &[Match], &Commit) + Sync),
) -> Result<(Findings, HistoryStats), SecretsError> {
    let limits = ArchiveLimits::new(max_archive_depth, max_file_size);
    let repo = Repo::discover(path)?;
    let commits = walk(&repo, since)?;
    let mut metas: HashMap<ObjectId, CommitMeta> = HashMap::new();
    let meta_of = |id: ObjectId, metas: &mut HashMap<ObjectId, CommitMeta>| {
        if let std::collections::hash_map::Entry::Vacant(v) = metas.entry(id) {
            let data = repo.object(id)?.data;
            v.insert(parse_commit(id, &data));
        }
        Ok::<_, SecretsError>(())
    };
    // blob → [(commit, path)]
    let mut intro: HashMap<ObjectId, Vec<(ObjectId, String)>> = HashMap::new();
    for &c in &commits {
        meta_of(c, &mut metas)?;
        let (tree, parents) = {
            let m = &metas[&c];
            (m.tree, m.parents.clone())
        };
        let mut parent_trees = Vec::new();
        for p in &parents {
            // A parent outside the repository (shallow clone) counts as empty.
            if meta_of(*p, &mut metas).is_ok() {
                parent_trees.push(metas[p].tree);
            } else {
                parent_trees.push(None);
            }
        }
        let first = parent_trees.first().copied().flatten();
        let mut changes = repo.tree_changes(first, tree)?;
        for other in parent_trees.iter().skip(1) {
            let o: HashSet<(String, ObjectId)> =
                repo.tree_changes(*other, tree)?.into_iter().collect();
            changes.retain(|c| o.contains(c));
        }
        for (p, blob) in changes {
            intro.entry(blob).or_default().push((c, p));
        }
    }
    let mut blobs: Vec<ObjectId> = intro.keys().copied().collect();
    blobs.sort();
    let sync = repo.gix().clone().into_sync();
    let scanned: Vec<Result<Option<ScannedBlob>, SecretsError>> = blobs
        .par_iter()
        .map_init(
            || sync.to_thread_local(),
            |g, &id| {
                let h = g
                    .find_header(id)
                    .map_err(|e| git_err(format!("blob {id}"), e))?;
                if h.size() > max_file_size {
                    return Ok(None);
                }
                let obj = g
                    .find_object(id)
                    .map_err(|e| git_err(format!("blob {id}"), e))?;
                if crate::is_binary(&obj.data) && crate::archive::kind(&obj.data).is_none() {
                    return Ok(None);
                }
                let path = intro
                    .get(&id)
                    .and_then(|v| v.first())
                    .map_or("", |v| v.1.as_str());
                let mut skipped = Skipped::default();
                let pieces = scan_bytes(scanner, path, &obj.data, &limits, &mut skipped);
                if let Some((c, p)) = intro.get(&id).and_then(|v| v.first()) {
                    for (suffix, ms) in &pieces {
                        on_match(&format!("{p}{suffix}"), ms, &metas[c].info);
                    }
                }
                Ok(Some((id, pieces, obj.data.len() as u64, skipped)))
            },
        )
        .collect();
    let mut findings = Findings::new();
    let mut stats = HistoryStats {
        commits: commits.len() as u64,
        ..Default::default()
    };
    for r in scanned {
        let Some((id, pieces, len, skipped)) = r? else {
            continue;
        };
        stats.blobs += 1;
        stats.bytes += len;
        stats.archive.add(&skipped);
        for (c, p) in &intro[&id] {
            for (suffix, ms) in &pieces {
                findings.add_all(scanner, &format!("{p}{suffix}"), ms, Some(&metas[c].info));
            }
        }
    }
    Ok((findings, stats))
}

/// Scans the index entries whose blob differs from `HEAD` (new or modified files staged
/// for the next commit). Archives among them are opened as in the other scans, up to
/// `max_archive_depth` levels (members reported as `path!inner`); returns what the
/// archive walks skipped too.
pub fn scan_staged(
    scanner: &Scanner,
    path: &Path,
    max_file_size: u64,
    max_archive_depth: u32,
) -> Result<(Findings, Skipped), SecretsError> {
    let limits = ArchiveLimits::new(max_archive_depth, max_file_size);
    let repo = Repo::discover(path)?;
    let g = repo.gix();
    let head_tree = g.head_tree_id().ok().map(|t| t.detach());
    let head: HashMap<String, ObjectId> = repo.tree_changes(None, head_tree)?.into_iter().collect();
    let index = g.index_or_empty().map_err(|e| git_err("index", e))?;
    let mut findings = Findings::new();
    let mut skipped = Skipped::default();
    for e in index.entries() {
        if e.stage_raw() != 0
            || e.mode.is_submodule()
            || e.mode.is_sparse()
            || e.mode.contains(gix::index::entry::Mode::SYMLINK)
        {
            continue;
        }
        let p = e.path(&index).to_string();
        if head.get(&p) == Some(&e.id) {
            continue;
        }
        let Ok(h) = g.find_header(e.id) else { continue };
        if h.size() > max_file_size {
            continue;
        }
        let obj = g
            .find_object(e.id)
            .map_err(|err| git_err(format!("{p}: blob {}", e.id), err))?;
        for (suffix, ms) in scan_bytes(scanner, &p, &obj.data, &limits, &mut skipped) {
            findings.add_all(scanner, &format!("{p}{suffix}"), &ms, None);
        }
    }
    Ok((findings, skipped))
}

/// Why a push is refused.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PushRefusal {
    /// The ref.
    pub refname: String,
    /// The commit that adds the file.
    pub commit: String,
    /// The file.
    pub path: String,
    /// The rule id, or `deny-listed path`, or `private key file`.
    pub reason: String,
}

fn matcher(patterns: &[String]) -> Result<ignore::gitignore::Gitignore, SecretsError> {
    let mut b = ignore::gitignore::GitignoreBuilder::new("");
    for p in patterns {
        b.add_line(None, p).map_err(|e| SecretsError::Config {
            path: "deny_paths".into(),
            reason: format!("{p}: {e}"),
        })?;
    }
    b.build().map_err(|e| SecretsError::Config {
        path: "deny_paths".into(),
        reason: e.to_string(),
    })
}

fn denied(m: &ignore::gitignore::Gitignore, path: &str) -> bool {
    m.matched_path_or_any_parents(path, false).is_ignore()
}

/// What a push check found: the secrets, the refusals, and what archive walks skipped.
#[derive(Debug, Default)]
pub struct PushCheck {
    /// The secrets, with the commits that add them.
    pub findings: Findings,
    /// Why the push is refused (empty: accept it), sorted.
    pub refusals: Vec<PushRefusal>,
    /// Archive members not scanned, by reason.
    pub skipped: Skipped,
}

/// Checks a push (git's `old new ref` lines): every blob that a new commit adds or
/// changes is scanned (archives opened up to `max_archive_depth` levels, as in the other
/// scans; a secret in a member is refused under `path!inner`), and deny-listed paths are
/// refused. `quarantine` is git's `GIT_QUARANTINE_PATH`, where a pre-receive hook finds
/// the pushed objects.
#[allow(clippy::too_many_arguments)]
pub fn check_push(
    scanner: &Scanner,
    repo_path: &Path,
    input: &[u8],
    quarantine: Option<&Path>,
    deny_paths: &[String],
    max_file_size: u64,
    max_archive_depth: u32,
) -> Result<PushCheck, SecretsError> {
    let limits = ArchiveLimits::new(max_archive_depth, max_file_size);
    let mut skipped = Skipped::default();
    let repo = Repo::discover(repo_path)?;
    let updates = parse_updates(input)?;
    let objects = PushObjects::new(&repo, quarantine)?;
    let deny = matcher(deny_paths)?;
    let key_files = matcher(
        &crate::rules::DEFAULT_DENY_IF_PRIVATE_KEY
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    )?;
    let mut findings = Findings::new();
    let mut refusals = Vec::new();
    // blob → (matches per archive member suffix, holds a private key, archive members:
    // (suffix, holds a private key))
    type Pieces = Vec<(String, Vec<Match>)>;
    type Members = Vec<(String, bool)>;
    let mut scanned: HashMap<ObjectId, (Pieces, bool, Members)> = HashMap::new();
    let mut seen_commits = HashSet::new();
    for u in &updates {
        if is_zero_id(&u.new) {
            continue;
        }
        let mut tip = ObjectId::from_hex(u.new.as_bytes()).map_err(|e| git_err(&u.new, e))?;
        let (kind, data) = objects.find(tip)?;
        if kind == gix::object::Kind::Tag {
            match palisade_source::object::parse_header(&data)
                .object
                .and_then(|o| ObjectId::from_hex(o.as_bytes()).ok())
            {
                Some(t) if objects.find(t)?.0 == gix::object::Kind::Commit => tip = t,
                _ => continue,
            }
        } else if kind != gix::object::Kind::Commit {
            continue;
        }
        for raw in objects.new_commits(&u.old, tip, &u.name)? {
            if !seen_commits.insert(raw.id.clone()) {
                continue;
            }
            let id = ObjectId::from_hex(raw.id.as_bytes()).map_err(|e| git_err(&raw.id, e))?;
            let meta = parse_commit(id, &raw.data);
            for (p, blob) in objects.changed_blobs(&raw.data)? {
                let refuse = |reason: &str| PushRefusal {
                    refname: u.name.clone(),
                    commit: raw.id.clone(),
                    path: p.clone(),
                    reason: reason.to_string(),
                };
                if denied(&deny, &p) {
                    refusals.push(refuse("deny-listed path"));
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = scanned.entry(blob) {
                    let (_, data) = objects.find(blob)?;
                    let pieces = if data.len() as u64 > max_file_size {
                        Vec::new()
                    } else {
                        scan_bytes(scanner, &p, &data, &limits, &mut skipped)
                    };
                    let key = memchr::memmem::find(&data, b"PRIVATE KEY-----").is_some();
                    // The members of an archive are files a push adds too: their names
                    // meet the deny list like any other path. (A second walk, only for
                    // archives; what it skips was counted by the scan above.)
                    let mut members = Vec::new();
                    if data.len() as u64 <= max_file_size {
                        crate::archive::walk(
                            &p,
                            &data,
                            &limits,
                            &mut Skipped::default(),
                            &mut |name, bytes| {
                                let key =
                                    memchr::memmem::find(bytes, b"PRIVATE KEY-----").is_some();
                                members.push((
                                    name.strip_prefix(p.as_str()).unwrap_or(name).to_string(),
                                    key,
                                ));
                            },
                        );
                    }
                    slot.insert((pieces, key, members));
                }
                let (pieces, key, members) = &scanned[&blob];
                if *key && denied(&key_files, &p) {
                    refusals.push(refuse("private key file"));
                }
                for (suffix, key) in members {
                    // The member's own path inside its (innermost) archive.
                    let inner = suffix.rsplit('!').next().unwrap_or(suffix);
                    let at = format!("{p}{suffix}");
                    if denied(&deny, inner) {
                        refusals.push(PushRefusal {
                            path: at.clone(),
                            ..refuse("deny-listed path")
                        });
                    }
                    if *key && denied(&key_files, inner) {
                        refusals.push(PushRefusal {
                            path: at,
                            ..refuse("private key file")
                        });
                    }
                }
                for (suffix, ms) in pieces {
                    let at = format!("{p}{suffix}");
                    for m in ms {
                        refusals.push(PushRefusal {
                            path: at.clone(),
                            ..refuse(&scanner.rules()[m.rule].def.id)
                        });
                    }
                    findings.add_all(scanner, &at, ms, Some(&meta.info));
                }
            }
        }
    }
    refusals.sort();
    refusals.dedup();
    Ok(PushCheck {
        findings,
        refusals,
        skipped,
    })
}
