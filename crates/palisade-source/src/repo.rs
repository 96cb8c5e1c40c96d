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
}
