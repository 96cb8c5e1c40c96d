//! Repository access with gix (in-process; no `git` subprocess): resolve a range, walk
//! its commits, find the annotated tags on them, read raw objects, read git config.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::SourceError;

/// Most commits one walk reads.
pub const MAX_COMMITS: usize = 5_000_000;

/// A raw object read from the repository.
#[derive(Debug, Clone)]
pub struct RawObject {
    /// Hex id.
    pub id: String,
    /// The object's bytes (without the `type size\0` prefix).
    pub data: Vec<u8>,
}

/// An open repository.
pub struct Repo {
    inner: gix::Repository,
}

fn git_err(what: impl std::fmt::Display, e: impl std::fmt::Display) -> SourceError {
    SourceError::Git(format!("{what}: {e}"))
}

impl Repo {
    /// Opens the repository containing `path` (a work tree, a directory in it, or a bare
    /// repository).
    pub fn discover(path: &Path) -> Result<Repo, SourceError> {
        let inner = gix::discover(path)
            .map_err(|e| git_err(format!("{}: not a git repository", path.display()), e))?;
        Ok(Repo { inner })
    }

    /// The work tree, or the git directory of a bare repository.
    pub fn root(&self) -> PathBuf {
        self.inner
            .workdir()
            .unwrap_or_else(|| self.inner.git_dir())
            .to_path_buf()
    }

    /// Resolves a revision to a commit id (tags are peeled).
    pub fn resolve(&self, spec: &str) -> Result<ObjectId, SourceError> {
        let peeled = format!("{spec}^{{commit}}");
        let id = self
            .inner
            .rev_parse_single(peeled.as_str())
            .map_err(|e| SourceError::Rev {
                spec: spec.to_string(),
                reason: e.to_string(),
            })?;
        Ok(id.detach())
    }

    /// The commit a range ends at (`B` of `A..B`, or the revision itself).
    pub fn range_tip(&self, range: Option<&str>) -> Result<ObjectId, SourceError> {
        let r = range.unwrap_or("HEAD");
        let tip = match r.split_once("..") {
            Some((_, b)) if !b.is_empty() => b,
            Some(_) => "HEAD",
            None => r,
        };
        self.resolve(tip)
    }

    /// The commits of `range` (`A..B`, `REV`, default `HEAD`), newest first, optionally
    /// cut at `since` (that commit and its descendants are kept).
    pub fn commits(
        &self,
        range: Option<&str>,
        since: Option<&str>,
    ) -> Result<Vec<ObjectId>, SourceError> {
        let range = range.unwrap_or("HEAD");
        let (tips, mut hidden) = match range.split_once("...") {
            Some(_) => {
                return Err(SourceError::Rev {
                    spec: range.into(),
                    reason: "symmetric ranges (A...B) are not supported; use A..B".into(),
                });
            }
            None => match range.split_once("..") {
                Some((a, b)) => {
                    let a = if a.is_empty() { "HEAD" } else { a };
                    let b = if b.is_empty() { "HEAD" } else { b };
                    (vec![self.resolve(b)?], vec![self.resolve(a)?])
                }
                None => (vec![self.resolve(range)?], Vec::new()),
            },
        };
        if let Some(s) = since {
            let id = self.resolve(s)?;
            let data = self.object(id)?;
            for p in crate::object::parse_header(&data.data).parents {
                hidden.push(ObjectId::from_hex(p.as_bytes()).map_err(|e| git_err(&p, e))?);
            }
        }
        let walk = self
            .inner
            .rev_walk(tips)
            .with_hidden(hidden)
            .sorting(gix::revision::walk::Sorting::ByCommitTime(
                Default::default(),
            ))
            .all()
            .map_err(|e| git_err(format!("walking {range}"), e))?;
        let mut out = Vec::new();
        for info in walk {
            let info = info.map_err(|e| git_err(format!("walking {range}"), e))?;
            if out.len() >= MAX_COMMITS {
                return Err(SourceError::Git(format!(
                    "more than {MAX_COMMITS} commits in {range}"
                )));
            }
            out.push(info.id);
        }
        Ok(out)
    }

    /// Reads an object's bytes.
    pub fn object(&self, id: ObjectId) -> Result<RawObject, SourceError> {
        let obj = self
            .inner
            .find_object(id)
            .map_err(|e| git_err(format!("object {id}"), e))?;
        Ok(RawObject {
            id: id.to_string(),
            data: obj.data.clone(),
        })
    }

    /// Annotated tags (`refs/tags/*` pointing at a tag object) whose peeled commit is in
    /// `commits`, sorted by ref name.
    pub fn tags_on(
        &self,
        commits: &HashSet<ObjectId>,
    ) -> Result<Vec<(String, RawObject)>, SourceError> {
        let refs = self
            .inner
            .references()
            .map_err(|e| git_err("references", e))?;
        let mut out = Vec::new();
        for r in refs.tags().map_err(|e| git_err("tags", e))? {
            let r = r.map_err(|e| git_err("tag", e))?;
            let name = r.name().as_bstr().to_string();
            let Some(id) = r.target().try_id().map(|i| i.to_owned()) else {
                continue;
            };
            let Ok(obj) = self.inner.find_object(id) else {
                continue;
            };
            if obj.kind != gix::object::Kind::Tag {
                continue;
            }
            let data = obj.data.clone();
            let Some(target) = crate::object::parse_header(&data).object else {
                continue;
            };
            let Ok(target) = ObjectId::from_hex(target.as_bytes()) else {
                continue;
            };
            if commits.contains(&target) {
                out.push((
                    name,
                    RawObject {
                        id: id.to_string(),
                        data,
                    },
                ));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Paths whose content differs between the trees of two commits (`A..B`), sorted.
    pub fn changed_paths(&self, range: &str) -> Result<Vec<String>, SourceError> {
        let (a, b) = range.split_once("..").ok_or_else(|| SourceError::Rev {
            spec: range.into(),
            reason: "expected A..B".into(),
        })?;
        let tree_of = |spec: &str| -> Result<Option<ObjectId>, SourceError> {
            let id = self.resolve(if spec.is_empty() { "HEAD" } else { spec })?;
            let h = crate::object::parse_header(&self.object(id)?.data);
            h.tree
                .map(|t| ObjectId::from_hex(t.as_bytes()).map_err(|e| git_err(&t, e)))
                .transpose()
        };
        let mut out = Vec::new();
        let read = |id: ObjectId| Ok(self.object(id)?.data);
        diff_trees(&read, tree_of(a)?, tree_of(b)?, "", &mut out, 0, false)?;
        let mut out: Vec<String> = out.into_iter().map(|(p, _)| p).collect();
        out.sort();
        Ok(out)
    }

    /// Files added or modified from tree `a` (none: the empty tree) to tree `b`, with
    /// their blob ids in `b`, sorted by path. Identical subtrees are skipped unread.
    pub fn tree_changes(
        &self,
        a: Option<ObjectId>,
        b: Option<ObjectId>,
    ) -> Result<Vec<(String, ObjectId)>, SourceError> {
        let read = |id: ObjectId| Ok(self.object(id)?.data);
        let mut out = Vec::new();
        diff_trees(&read, a, b, "", &mut out, 0, true)?;
        let mut out: Vec<(String, ObjectId)> = out
            .into_iter()
            .filter_map(|(p, id)| Some((p, id?)))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The underlying gix repository, for readers this crate does not wrap.
    pub fn gix(&self) -> &gix::Repository {
        &self.inner
    }

    /// A git config value as a path (`~` expanded), if set.
    pub fn config_path(&self, key: &str) -> Option<PathBuf> {
        let snap = self.inner.config_snapshot();
        let v = snap.string(key)?;
        let s = v.to_string();
        let p = match s.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME").map(PathBuf::from)?.join(rest),
            None => PathBuf::from(s),
        };
        Some(p)
    }

    /// The remotes and their fetch URLs as configured (`remote.NAME.url`), sorted by
    /// name. The URLs are returned as written, credentials included: callers must not
    /// print them unredacted.
    pub fn remotes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for name in self.inner.remote_names() {
            let key = format!("remote.{name}.url");
            if let Some(url) = self.inner.config_snapshot().string(key.as_str()) {
                out.push((name.to_string(), url.to_string()));
            }
        }
        out.sort();
        out
    }
}

/// Reads an object's bytes.
type Reader<'a> = &'a dyn Fn(ObjectId) -> Result<Vec<u8>, SourceError>;

fn tree_entries(
    read: Reader<'_>,
    id: Option<ObjectId>,
) -> Result<Vec<(String, ObjectId, bool)>, SourceError> {
    let Some(id) = id else { return Ok(Vec::new()) };
    let data = read(id)?;
    let tree = gix::objs::TreeRef::from_bytes(&data, gix::hash::Kind::Sha1)
        .map_err(|e| git_err(format!("tree {id}"), e))?;
    Ok(tree
        .entries
        .iter()
        .map(|e| (e.filename.to_string(), e.oid.to_owned(), e.mode.is_tree()))
        .collect())
}

fn diff_trees(
    read: Reader<'_>,
    a: Option<ObjectId>,
    b: Option<ObjectId>,
    prefix: &str,
    out: &mut Vec<(String, Option<ObjectId>)>,
    depth: usize,
    added_only: bool,
) -> Result<(), SourceError> {
    if a == b {
        return Ok(());
    }
    if depth > 256 {
        return Err(SourceError::Git(format!(
            "{prefix}: trees nested deeper than 256"
        )));
    }
    let (ea, eb) = (tree_entries(read, a)?, tree_entries(read, b)?);
    let mut names: Vec<&String> = ea.iter().chain(eb.iter()).map(|e| &e.0).collect();
    names.sort();
    names.dedup();
    for name in names {
        let fa = ea.iter().find(|e| &e.0 == name);
        let fb = eb.iter().find(|e| &e.0 == name);
        if fa.map(|e| (e.1, e.2)) == fb.map(|e| (e.1, e.2)) {
            continue;
        }
        let path = format!("{prefix}{name}");
        let sub = |e: Option<&(String, ObjectId, bool)>| e.filter(|e| e.2).map(|e| e.1);
        let (ta, tb) = (sub(fa), sub(fb));
        if ta.is_some() || tb.is_some() {
            diff_trees(
                read,
                ta,
                tb,
                &format!("{path}/"),
                out,
                depth + 1,
                added_only,
            )?;
        }
        let blob_b = fb.filter(|e| !e.2).map(|e| e.1);
        if (!added_only && fa.is_some_and(|e| !e.2)) || blob_b.is_some() {
            out.push((path, blob_b));
        }
    }
    Ok(())
}

/// Objects of a push under inspection by a `pre-receive` hook: git keeps the pushed
/// objects in a quarantine directory (`GIT_QUARANTINE_PATH` / `GIT_OBJECT_DIRECTORY`)
/// until the hook accepts them; gix does not read that variable, so it is searched first
/// here, then the repository.
pub struct PushObjects<'r> {
    repo: &'r Repo,
    quarantine: Option<gix::odb::Handle>,
}

/// The all-zero id git sends for a created or deleted ref.
pub fn is_zero_id(hex: &str) -> bool {
    !hex.is_empty() && hex.bytes().all(|b| b == b'0')
}

impl<'r> PushObjects<'r> {
    /// Reads objects from `quarantine` (when given) before the repository.
    pub fn new(repo: &'r Repo, quarantine: Option<&Path>) -> Result<Self, SourceError> {
        let quarantine = match quarantine {
            Some(q) => Some(
                gix::odb::at(q, gix::hash::Kind::Sha1)
                    .map_err(|e| git_err(format!("quarantine {}", q.display()), e))?,
            ),
            None => None,
        };
        Ok(PushObjects { repo, quarantine })
    }

    /// An object's kind and bytes.
    pub fn find(&self, id: ObjectId) -> Result<(gix::object::Kind, Vec<u8>), SourceError> {
        use gix::objs::Find;
        if let Some(q) = &self.quarantine {
            let mut buf = Vec::new();
            if let Some(d) = q
                .try_find(&id, &mut buf)
                .map_err(|e| git_err(format!("object {id}"), e))?
            {
                return Ok((d.kind, d.data.to_vec()));
            }
        }
        let o = self
            .repo
            .inner
            .find_object(id)
            .map_err(|e| git_err(format!("object {id}"), e))?;
        Ok((o.kind, o.data.clone()))
    }

    /// Files a commit adds or modifies against its first parent (every file of a root
    /// commit); deletions are not listed.
    pub fn changed_files(&self, commit: &[u8]) -> Result<Vec<String>, SourceError> {
        Ok(self
            .changed_blobs(commit)?
            .into_iter()
            .map(|(p, _)| p)
            .collect())
    }

    /// Files a commit adds or modifies against its first parent (every file of a root
    /// commit), with their blob ids, sorted by path.
    pub fn changed_blobs(&self, commit: &[u8]) -> Result<Vec<(String, ObjectId)>, SourceError> {
        let h = crate::object::parse_header(commit);
        let tree_id = |t: Option<String>| {
            t.map(|t| ObjectId::from_hex(t.as_bytes()).map_err(|e| git_err(&t, e)))
                .transpose()
        };
        let parent_tree = match h.parents.first() {
            Some(p) => {
                let id = ObjectId::from_hex(p.as_bytes()).map_err(|e| git_err(p, e))?;
                tree_id(crate::object::parse_header(&self.find(id)?.1).tree)?
            }
            None => None,
        };
        let read = |id: ObjectId| Ok(self.find(id)?.1);
        let mut out = Vec::new();
        diff_trees(&read, parent_tree, tree_id(h.tree)?, "", &mut out, 0, true)?;
        let mut out: Vec<(String, ObjectId)> = out
            .into_iter()
            .filter_map(|(p, id)| Some((p, id?)))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The commits a ref update brings: reachable from `new` and not already in the
    /// repository (with a quarantine), or not reachable from `old` / any other ref
    /// (without one). Newest first.
    pub fn new_commits(
        &self,
        old: &str,
        new: ObjectId,
        refname: &str,
    ) -> Result<Vec<RawObject>, SourceError> {
        if self.quarantine.is_some() {
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            let mut stack = vec![new];
            while let Some(id) = stack.pop() {
                if !seen.insert(id) || self.repo.inner.has_object(id) {
                    continue;
                }
                let (kind, data) = self.find(id)?;
                if kind != gix::object::Kind::Commit {
                    continue;
                }
                if out.len() >= MAX_COMMITS {
                    return Err(SourceError::Git(format!(
                        "more than {MAX_COMMITS} new commits"
                    )));
                }
                for p in crate::object::parse_header(&data).parents {
                    stack.push(ObjectId::from_hex(p.as_bytes()).map_err(|e| git_err(&p, e))?);
                }
                out.push(RawObject {
                    id: id.to_string(),
                    data,
                });
            }
            return Ok(out);
        }
        let mut hidden: Vec<ObjectId> = Vec::new();
        if is_zero_id(old) {
            let refs = self
                .repo
                .inner
                .references()
                .map_err(|e| git_err("references", e))?;
            for r in refs.all().map_err(|e| git_err("references", e))? {
                let mut r = r.map_err(|e| git_err("reference", e))?;
                if r.name().as_bstr() == refname {
                    continue;
                }
                if let Ok(id) = r.peel_to_id() {
                    hidden.push(id.detach());
                }
            }
        } else {
            hidden.push(ObjectId::from_hex(old.as_bytes()).map_err(|e| git_err(old, e))?);
        }
        let walk = self
            .repo
            .inner
            .rev_walk([new])
            .with_hidden(hidden)
            .all()
            .map_err(|e| git_err(format!("walking {refname}"), e))?;
        let mut out = Vec::new();
        for info in walk {
            let info = info.map_err(|e| git_err(format!("walking {refname}"), e))?;
            out.push(self.repo.object(info.id)?);
        }
        Ok(out)
    }
}
