//! JavaScript: npm package-lock/shrinkwrap (v1-v3), yarn (classic and berry), pnpm
//! (v5-v9, multi-document), bun.lock.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::util::lenient::{self, Lenient, Scalar};
use crate::util::{
    Cx, MAX_DEPTH, Res, arr, hash_hex, hashes_sri, infer_from_roots, obj, pkg, pkg_with_purl,
    purl_for, s, scalar, truthy,
};
use crate::{Ecosystem, Package, Scope};

const NPM: Ecosystem = Ecosystem::Npm;

/// Splits `name@spec` where the name may be scoped (`@scope/name@spec`).
pub(crate) fn split_at_version(s: &str) -> Option<(&str, &str)> {
    let start = usize::from(s.starts_with('@'));
    let i = s[start..].find('@')? + start;
    Some((&s[..i], &s[i + 1..]))
}

/// `npm:real@1.2.3` aliases: the real name and version.
fn unalias<'a>(name: &'a str, version: &'a str) -> (&'a str, &'a str) {
    if let Some(rest) = version.strip_prefix("npm:")
        && let Some((n, v)) = split_at_version(rest)
    {
        return (n, v);
    }
    (name, version)
}

/// Version and source for git/file/tarball specs.
fn version_and_source(version: &str) -> (String, Option<String>) {
    let is_remote = [
        "git",
        "github:",
        "gitlab:",
        "bitbucket:",
        "http:",
        "https:",
        "file:",
    ]
    .iter()
    .any(|p| version.starts_with(p));
    if is_remote {
        let v = version.rsplit_once('#').map(|(_, c)| c).unwrap_or(version);
        (v.to_string(), Some(version.to_string()))
    } else {
        (version.to_string(), None)
    }
}

/// Removes `user:password@` from a URL.
pub(crate) fn strip_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

/// An npm package; git-resolved packages carry the repository and commit as `vcs_url`
/// so that two commits of the same version stay two packages.
fn npm_pkg(name: &str, version: &str, resolved: Option<&str>) -> Package {
    let mut p = pkg(NPM, name, Some(version));
    if let Some(r) = resolved {
        let clean = strip_userinfo(r);
        if r.starts_with("git") || r.starts_with("github:") {
            p.purl = crate::util::purl_with(NPM, name, Some(version), &[("vcs_url", &clean)], None);
        }
        p.source = Some(clean);
    }
    p
}

fn scope_flags(e: &Value) -> Scope {
    if truthy(e, "dev") {
        Scope::Dev
    } else if truthy(e, "optional") || truthy(e, "devOptional") {
        Scope::Optional
    } else {
        Scope::Required
    }
}

fn license_of(e: &Value) -> Vec<String> {
    match e.get("license") {
        Some(Value::String(l)) => vec![l.clone()],
        Some(Value::Object(o)) => o
            .get("type")
            .and_then(Value::as_str)
            .map(|t| vec![t.to_string()])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn dep_names(e: &Value) -> Vec<String> {
    [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "requires",
    ]
    .iter()
    .flat_map(|k| obj(e.get(*k).unwrap_or(&Value::Null)).map(|(n, _)| n.clone()))
    .collect()
}

/// npm package-lock.json / npm-shrinkwrap.json.
pub(crate) fn npm(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    if !doc.is_object() {
        return Err(cx.err(1, "package-lock must be a JSON object"));
    }
    if let Some(n) = s(&doc, "name") {
        cx.project = Some((n.to_string(), s(&doc, "version").map(str::to_string)));
    }
    if let Some(pkgs) = doc.get("packages").and_then(Value::as_object) {
        npm_packages(cx, pkgs)
    } else if let Some(deps) = doc.get("dependencies").and_then(Value::as_object) {
        let mut chain = vec![deps];
        npm_v1(cx, &mut chain, 0)
    } else {
        Ok(())
    }
}

fn npm_packages(cx: &mut Cx, pkgs: &Map<String, Value>) -> Res<()> {
    // key -> purl, for node_modules resolution of edges.
    let mut purls: BTreeMap<&str, String> = BTreeMap::new();
    for (key, e) in pkgs {
        if key.is_empty() || truthy(e, "link") {
            continue;
        }
        let base = key
            .rsplit_once("node_modules/")
            .map(|(_, n)| n)
            .unwrap_or(key);
        let name = s(e, "name").unwrap_or(base);
        let git_commit = s(e, "resolved")
            .filter(|r| r.starts_with("git"))
            .and_then(|r| r.rsplit_once('#'))
            .map(|(_, c)| c);
        if let Some(v) = s(e, "version").or(git_commit) {
            let (name, v) = unalias(name, v);
            let (v, src) = version_and_source(v);
            purls.insert(
                key,
                npm_pkg(name, &v, s(e, "resolved").or(src.as_deref())).purl,
            );
        }
    }
    let resolve = |from: &str, dep: &str| -> Option<String> {
        let mut base = from.to_string();
        loop {
            let cand = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if let Some(p) = purls.get(cand.as_str()) {
                return Some(p.clone());
            }
            if let Some(link) = pkgs.get(&cand).filter(|e| truthy(e, "link"))
                && let Some(target) = s(link, "resolved")
                && let Some(p) = purls.get(target)
            {
                return Some(p.clone());
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_string(),
                None => String::new(),
            };
        }
    };
    let mut roots: Vec<(String, Scope)> = Vec::new();
    if let Some(root) = pkgs.get("") {
        for (k, scope) in [
            ("dependencies", Scope::Required),
            ("optionalDependencies", Scope::Optional),
            ("peerDependencies", Scope::Required),
            ("devDependencies", Scope::Dev),
        ] {
            for (d, _) in obj(root.get(k).unwrap_or(&Value::Null)) {
                if let Some(p) = resolve("", d) {
                    roots.push((p, scope));
                }
            }
        }
    }
    let link_targets: std::collections::BTreeSet<&str> = pkgs
        .values()
        .filter(|e| truthy(e, "link"))
        .filter_map(|e| s(e, "resolved"))
        .collect();
    let mut added = Vec::new();
    for (key, e) in pkgs {
        if key.is_empty() {
            continue;
        }
        if !key.contains("node_modules/") && !link_targets.contains(key.as_str()) {
            cx.skip(
                None,
                key.clone(),
                "folder not linked from node_modules (not installed)",
            );
            continue;
        }
        if truthy(e, "link") {
            let target = s(e, "resolved").unwrap_or("");
            cx.skip(
                None,
                key.clone(),
                format!("link to workspace folder {target:?}"),
            );
            continue;
        }
        let git_commit = s(e, "resolved")
            .filter(|r| r.starts_with("git"))
            .and_then(|r| r.rsplit_once('#'))
            .map(|(_, c)| c);
        let Some(v) = s(e, "version").or(git_commit) else {
            cx.skip(None, key.clone(), "no version recorded");
            continue;
        };
        let base = key
            .rsplit_once("node_modules/")
            .map(|(_, n)| n)
            .unwrap_or(key);
        let name = s(e, "name").unwrap_or(base);
        let (name, v) = unalias(name, v);
        let (v, src) = version_and_source(v);
        let mut p = npm_pkg(name, &v, s(e, "resolved"));
        p.scope = scope_flags(e);
        if !key.contains("node_modules/") {
            // A workspace member's own folder: first-party component of the project.
            p.source = Some(format!("workspace:{key}"));
        }
        p.source = p.source.or(src);
        p.hashes = s(e, "integrity").map(hashes_sri).unwrap_or_default();
        p.licenses = license_of(e);
        p.dependencies = dep_names(e)
            .iter()
            .filter_map(|d| resolve(key, d))
            .collect();
        if !roots.is_empty() {
            p.direct = Some(
                roots.iter().any(|(r, _)| *r == p.purl)
                    && key.matches("node_modules/").count() == 1,
            );
        }
        added.push(p);
    }
    cx.packages.extend(added);
    Ok(())
}

fn npm_v1(cx: &mut Cx, chain: &mut Vec<&Map<String, Value>>, depth: usize) -> Res<()> {
    if depth > MAX_DEPTH {
        return Err(cx.err(1, format!("dependencies nested deeper than {MAX_DEPTH}")));
    }
    let Some(&level) = chain.last() else {
        return Ok(());
    };
    for (name, e) in level {
        let Some(v) = s(e, "version") else {
            cx.skip(None, name.clone(), "no version recorded");
            continue;
        };
        let (real, v) = unalias(name, v);
        let (v, src) = version_and_source(v);
        let mut p = npm_pkg(real, &v, s(e, "resolved").or(src.as_deref()));
        p.scope = scope_flags(e);
        p.hashes = s(e, "integrity").map(hashes_sri).unwrap_or_default();
        let nested = e.get("dependencies").and_then(Value::as_object);
        // Resolve `requires` against own nested deps, then ancestors.
        let mut deps = Vec::new();
        for d in dep_names(e) {
            let levels = nested.into_iter().chain(chain.iter().rev().copied());
            for l in levels {
                if let Some(t) = l.get(&d)
                    && let Some(tv) = s(t, "version")
                {
                    let (tn, tv) = unalias(&d, tv);
                    let (tv, tsrc) = version_and_source(tv);
                    deps.push(npm_pkg(tn, &tv, s(t, "resolved").or(tsrc.as_deref())).purl);
                    break;
                }
            }
        }
        p.dependencies = deps;
        cx.add(p);
        if let Some(n) = nested {
            chain.push(n);
            let r = npm_v1(cx, chain, depth + 1);
            chain.pop();
            r?;
        }
    }
    Ok(())
}

/// yarn.lock, classic (v1) or berry (YAML with `__metadata`).
/// Largest package.json read beside a lockfile.
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Most workspace folders read.
const MAX_WORKSPACES: usize = 1000;

/// A dependency the project (or one of its workspaces) declares: name, range, scope.
type Declared = (String, String, Scope);

fn declared_of(v: &Value) -> Vec<Declared> {
    let mut out = Vec::new();
    for (k, scope) in [
        ("dependencies", Scope::Required),
        ("optionalDependencies", Scope::Optional),
        ("peerDependencies", Scope::Required),
        ("devDependencies", Scope::Dev),
    ] {
        for (n, r) in obj(v.get(k).unwrap_or(&Value::Null)) {
            out.push((n.clone(), scalar(r).unwrap_or_default(), scope));
        }
    }
    out
}

fn read_manifest(path: &std::path::Path) -> Option<Value> {
    let bytes = palisade_io::read_limited(path, MAX_MANIFEST_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Folders matching a workspace pattern (`packages/*`, `apps/**`, `tools/cli`), sorted.
fn workspace_dirs(root: &std::path::Path, pattern: &str, out: &mut Vec<std::path::PathBuf>) {
    let pattern = pattern.trim().trim_start_matches("./");
    if pattern.starts_with('!') || pattern.contains("..") {
        return;
    }
    let (base, rest) = match pattern.find('*') {
        Some(i) => (pattern[..i].trim_end_matches('/'), &pattern[i..]),
        None => (pattern.trim_end_matches('/'), ""),
    };
    let base = root.join(base);
    if rest.is_empty() {
        out.push(base);
        return;
    }
    let depth = if rest.starts_with("**") { 3 } else { 1 };
    let mut level = vec![base];
    for _ in 0..depth {
        let mut next = Vec::new();
        for d in &level {
            let Ok(rd) = std::fs::read_dir(d) else {
                continue;
            };
            let mut subs: Vec<_> = rd
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        n != "node_modules" && !n.to_string_lossy().starts_with('.')
                    })
                })
                .collect();
            subs.sort();
            next.extend(subs);
            if out.len() + next.len() > MAX_WORKSPACES {
                break;
            }
        }
        out.extend(next.iter().cloned());
        level = next;
    }
}

/// What the package.json beside the lockfile (and those of its workspaces) declares;
/// `None` when there is none (or it is not JSON), with a note saying so.
fn manifest_declared(cx: &mut Cx) -> Option<Vec<Declared>> {
    let dir = cx.path.parent()?.to_path_buf();
    let path = dir.join("package.json");
    if !path.is_file() {
        return None;
    }
    let Some(root) = read_manifest(&path) else {
        cx.notes.push(
            "package.json beside the lockfile is unreadable or not JSON: direct and transitive dependencies not told apart"
                .into(),
        );
        return None;
    };
    let mut out = declared_of(&root);
    let patterns: Vec<String> = match root.get("workspaces") {
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        Some(w) => arr(w.get("packages").unwrap_or(&Value::Null))
            .filter_map(scalar)
            .collect(),
        None => Vec::new(),
    };
    let mut dirs = Vec::new();
    for p in &patterns {
        workspace_dirs(&dir, p, &mut dirs);
    }
    dirs.sort();
    dirs.dedup();
    let mut read = 0;
    for d in dirs.iter().take(MAX_WORKSPACES) {
        if let Some(ws) = read_manifest(&d.join("package.json")) {
            read += 1;
            out.extend(declared_of(&ws));
        }
    }
    cx.notes.push(format!(
        "direct dependencies and dev scope from package.json{}",
        if read > 0 {
            format!(" and {read} workspace package.json files")
        } else {
            String::new()
        }
    ));
    Some(out)
}

/// Package URLs of the declared dependencies: by `name@range` spec (with or without
/// `npm:`), else by name when only one version of it is locked.
fn roots_of(
    declared: &[Declared],
    by_spec: &BTreeMap<String, String>,
    packages: &[Package],
) -> Vec<(String, Scope)> {
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in packages {
        by_name
            .entry(p.name.as_str())
            .or_default()
            .push(p.purl.as_str());
    }
    declared
        .iter()
        .filter(|(_, r, _)| !r.starts_with("workspace:"))
        .filter_map(|(n, r, scope)| {
            let purl = by_spec
                .get(&format!("{n}@{r}"))
                .or_else(|| by_spec.get(&format!("{n}@npm:{r}")))
                .cloned()
                .or_else(|| match by_name.get(n.as_str()) {
                    Some(v) if v.len() == 1 => Some(v[0].to_string()),
                    _ => None,
                })?;
            Some((purl, *scope))
        })
        .collect()
}

const NO_MANIFEST: &str = "no package.json beside the lockfile: direct and transitive dependencies not told apart, dev scope unknown";

pub(crate) fn yarn(cx: &mut Cx) -> Res<()> {
    let berry = cx.text.lines().any(|l| l.starts_with("__metadata:"));
    if berry {
        yarn_berry(cx)
    } else {
        yarn_classic(cx)
    }
}

struct YarnEntry {
    line: usize,
    specs: Vec<String>,
    fields: BTreeMap<String, String>,
    deps: Vec<(String, String)>,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

fn yarn_classic(cx: &mut Cx) -> Res<()> {
    let mut entries: Vec<YarnEntry> = Vec::new();
    let mut in_deps = false;
    for (i, raw) in cx.text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end();
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let body = l.trim_start();
        if indent == 0 {
            let Some(h) = body.strip_suffix(':') else {
                return Err(cx.err(
                    line,
                    format!("expected `specifier:` entry header, found {body:?}"),
                ));
            };
            let specs = h
                .split(',')
                .map(|x| unquote(x).to_string())
                .filter(|x| !x.is_empty())
                .collect();
            entries.push(YarnEntry {
                line,
                specs,
                fields: BTreeMap::new(),
                deps: Vec::new(),
            });
            in_deps = false;
            continue;
        }
        let Some(cur) = entries.last_mut() else {
            return Err(cx.err(line, "indented line before any entry"));
        };
        if indent <= 2 {
            if let Some(k) = body.strip_suffix(':') {
                in_deps = matches!(k, "dependencies" | "optionalDependencies");
                continue;
            }
            in_deps = false;
            let (k, v) = body.split_once(' ').unwrap_or((body, ""));
            cur.fields
                .insert(unquote(k).to_string(), unquote(v).to_string());
        } else if in_deps {
            let (k, v) = body.split_once(' ').unwrap_or((body, ""));
            cur.deps
                .push((unquote(k).to_string(), unquote(v).to_string()));
        }
    }
    let mut by_spec: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &entries {
        let first = e.specs.first().map(String::as_str).unwrap_or("");
        let Some((spec_name, range)) = split_at_version(first) else {
            cx.skip(
                Some(e.line),
                first,
                "cannot read package name from specifier",
            );
            continue;
        };
        let Some(version) = e.fields.get("version") else {
            cx.skip(Some(e.line), first, "no version recorded");
            continue;
        };
        let name = match range.strip_prefix("npm:").and_then(split_at_version) {
            Some((real, _)) => real,
            None => spec_name,
        };
        let mut p = pkg(NPM, name, Some(version));
        p.line = Some(e.line);
        if let Some(r) = e.fields.get("resolved") {
            p.source = Some(r.clone());
            let is_git = r.starts_with("git") || r.contains("codeload.github.com");
            if is_git && let Some(c) = r.rsplit(['#', '/']).next() {
                p.version = Some(version.clone());
                p.source = Some(r.clone());
                if c.len() == 40 {
                    p.hashes.push(crate::Hash {
                        alg: "git-commit".into(),
                        value: c.to_string(),
                    });
                }
            } else if let Some((_, sha1)) = r.rsplit_once('#') {
                p.hashes.extend(hash_hex("sha1", sha1));
            }
        }
        if let Some(i) = e.fields.get("integrity") {
            p.hashes.extend(hashes_sri(i));
        }
        for sp in &e.specs {
            by_spec.insert(sp.clone(), p.purl.clone());
        }
        out.push((p, &e.deps));
    }
    let mut packages: Vec<Package> = Vec::new();
    for (mut p, deps) in out {
        p.dependencies = deps
            .iter()
            .filter_map(|(n, r)| by_spec.get(&format!("{n}@{r}")).cloned())
            .collect();
        packages.push(p);
    }
    match manifest_declared(cx) {
        Some(declared) => {
            let roots = roots_of(&declared, &by_spec, &packages);
            infer_from_roots(&mut packages, &roots);
        }
        None => cx.notes.push(NO_MANIFEST.into()),
    }
    cx.packages.extend(packages);
    Ok(())
}

fn yarn_berry(cx: &mut Cx) -> Res<()> {
    let doc = cx.yaml()?;
    let mut workspace_deps: Vec<String> = Vec::new();
    let mut by_spec: BTreeMap<String, String> = BTreeMap::new();
    let mut out: Vec<(Package, Vec<String>)> = Vec::new();
    for (key, e) in obj(&doc) {
        if key == "__metadata" {
            continue;
        }
        let line = cx
            .line_of_next(&format!("\n\"{key}\":"))
            .or_else(|| cx.line_of_next(&format!("\n{key}:")));
        let resolution = s(e, "resolution").unwrap_or("");
        let Some((name, reference)) = split_at_version(resolution) else {
            cx.skip(line, key.clone(), "no resolution recorded");
            continue;
        };
        if reference.starts_with("workspace:") {
            // The project and its workspaces: what they depend on is direct.
            for (n, r) in ["dependencies", "optionalDependencies", "peerDependencies"]
                .iter()
                .flat_map(|k| obj(e.get(*k).unwrap_or(&Value::Null)))
            {
                workspace_deps.push(format!("{n}@{}", scalar(r).unwrap_or_default()));
            }
            if reference == "workspace:." {
                cx.skip(line, key.clone(), "the project root workspace");
                continue;
            }
        }
        if reference.starts_with("link:") || reference.starts_with("portal:") {
            cx.skip(
                line,
                key.clone(),
                format!("linked folder outside the lockfile ({reference})"),
            );
            continue;
        }
        let Some(version) = e.get("version").and_then(scalar) else {
            cx.skip(line, key.clone(), "no version recorded");
            continue;
        };
        let mut p = pkg(NPM, name, Some(&version));
        p.line = line;
        if !reference.starts_with("npm:") {
            p.source = Some(reference.to_string());
        }
        if let Some(c) = s(e, "checksum") {
            // Berry checksums are sha512 hex, from metadata v8 prefixed by a cache key (`10c0/`).
            let hex = c.rsplit('/').next().unwrap_or(c);
            p.hashes.extend(hash_hex("sha512", hex));
        }
        if s(e, "linkType") == Some("soft") {
            p.scope = Scope::Required;
        }
        for spec in key.split(',') {
            let spec = spec.trim();
            by_spec.insert(spec.to_string(), p.purl.clone());
        }
        let deps = ["dependencies", "optionalDependencies"]
            .iter()
            .flat_map(|k| obj(e.get(*k).unwrap_or(&Value::Null)))
            .map(|(n, r)| format!("{n}@{}", scalar(r).unwrap_or_default()))
            .collect();
        out.push((p, deps));
    }
    let resolve = |d: &str| {
        by_spec.get(d).cloned().or_else(|| {
            let (n, r) = split_at_version(d)?;
            by_spec.get(&format!("{n}@npm:{r}")).cloned()
        })
    };
    let mut packages: Vec<Package> = Vec::new();
    for (mut p, deps) in out {
        p.dependencies = deps.iter().filter_map(|d| resolve(d)).collect();
        packages.push(p);
    }
    match manifest_declared(cx) {
        Some(declared) => {
            let roots = roots_of(&declared, &by_spec, &packages);
            infer_from_roots(&mut packages, &roots);
        }
        None if !workspace_deps.is_empty() => {
            // The lock records what the workspaces depend on, not which of it is dev.
            let roots: Vec<(String, Scope)> = workspace_deps
                .iter()
                .filter_map(|d| resolve(d))
                .map(|p| (p, Scope::Required))
                .collect();
            infer_from_roots(&mut packages, &roots);
            cx.notes.push(
                "no package.json beside the lockfile: direct dependencies from the lock's workspace entries; dev scope unknown"
                    .into(),
            );
        }
        None => cx.notes.push(NO_MANIFEST.into()),
    }
    cx.packages.extend(packages);
    Ok(())
}

/// Name and version from a pnpm package key (any lockfile version).
fn pnpm_key(key: &str, v5: bool) -> Option<(Cow<'_, str>, &str)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split('(').next().unwrap_or(k);
    if k.ends_with(".tgz") {
        // tarball: .../@scope/name/-/name-1.2.3.tgz
        let (dir, file) = k.rsplit_once("/-/")?;
        let name = dir.rsplit_once('/').map(|(a, b)| {
            if a.rsplit('/').next().is_some_and(|s| s.starts_with('@')) {
                Cow::Owned(format!("{}/{b}", a.rsplit('/').next().unwrap_or("")))
            } else {
                Cow::Borrowed(b)
            }
        })?;
        let short = name.rsplit('/').next().unwrap_or(&name);
        let v = file
            .strip_suffix(".tgz")?
            .strip_prefix(short)?
            .strip_prefix('-')?;
        return Some((name, v));
    }
    if v5 {
        let (n, v) = k.rsplit_once('/')?;
        let v = v.split('_').next().unwrap_or(v);
        if n.is_empty() || v.is_empty() {
            return None;
        }
        Some((Cow::Borrowed(n), v))
    } else {
        let (n, v) = split_at_version(k)?;
        if n.is_empty() || v.is_empty() {
            return None;
        }
        Some((Cow::Borrowed(n), v))
    }
}

/// Package URLs of npm name/version pairs, each built once: a large lock names the same
/// package in hundreds of edges.
#[derive(Default)]
struct PurlCache<'d> {
    map: HashMap<(&'d str, &'d str), String>,
}

impl<'d> PurlCache<'d> {
    fn get(&mut self, name: Cow<'d, str>, version: &'d str) -> String {
        match name {
            Cow::Borrowed(n) => self
                .map
                .entry((n, version))
                .or_insert_with(|| purl_for(NPM, n, Some(version)))
                .clone(),
            Cow::Owned(n) => purl_for(NPM, &n, Some(version)),
        }
    }
}

/// A dependency reference in pnpm: `1.2.3`, `1.2.3(peer)`, `1.2.3_peer`, `/alias/1.2.3`,
/// `alias@1.2.3`, `link:...`.
fn pnpm_ref<'d>(purls: &mut PurlCache<'d>, name: &'d str, r: &'d str, v5: bool) -> Option<String> {
    if r.starts_with("link:") || r.starts_with("file:") || r.starts_with("workspace:") {
        return None;
    }
    if r.starts_with('/') {
        let (n, v) = pnpm_key(r, v5)?;
        return Some(purls.get(n, v));
    }
    let base = r.split('(').next().unwrap_or(r);
    let aliased =
        !base.starts_with(|c: char| c.is_ascii_digit()) && split_at_version(base).is_some();
    if !v5 && aliased {
        let (n, v) = pnpm_key(base, false)?;
        return Some(purls.get(n, v));
    }
    let v = if v5 {
        base.split('_').next().unwrap_or(base)
    } else {
        base
    };
    Some(purls.get(Cow::Borrowed(name), v))
}

/// The parts of a pnpm-lock.yaml document the reader uses, read straight from the YAML
/// (no generic tree). Lenient like a generic tree: a value of an unexpected kind reads as
/// absent rather than failing the file.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PnpmDoc<'a> {
    #[serde(default, borrow)]
    lockfile_version: Scalar<'a>,
    #[serde(default, borrow)]
    importers: lenient::Map<'a, Lenient<PnpmDeps<'a>>>,
    // Single-project locks (before v9) keep the direct dependencies at the top level.
    // (Not `#[serde(flatten)]`: that buffers the whole document first.)
    #[serde(default, borrow)]
    dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    optional_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    dev_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    package_manager_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    config_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    packages: lenient::Map<'a, Lenient<PnpmPackage<'a>>>,
    #[serde(default, borrow)]
    snapshots: lenient::Map<'a, Lenient<PnpmSnapshot<'a>>>,
}

/// An importer's (or a single project's) direct dependencies, by kind.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PnpmDeps<'a> {
    #[serde(default, borrow)]
    dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    optional_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    dev_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    package_manager_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
    #[serde(default, borrow)]
    config_dependencies: lenient::Map<'a, PnpmDirect<'a>>,
}

type DirectDeps<'x, 'a> = [(&'x lenient::Map<'a, PnpmDirect<'a>>, Scope); 5];

impl<'a> PnpmDeps<'a> {
    fn by_scope(&self) -> DirectDeps<'_, 'a> {
        [
            (&self.dependencies, Scope::Required),
            (&self.optional_dependencies, Scope::Optional),
            (&self.dev_dependencies, Scope::Dev),
            (&self.package_manager_dependencies, Scope::Dev),
            (&self.config_dependencies, Scope::Dev),
        ]
    }
}

impl<'a> PnpmDoc<'a> {
    fn top_by_scope(&self) -> DirectDeps<'_, 'a> {
        [
            (&self.dependencies, Scope::Required),
            (&self.optional_dependencies, Scope::Optional),
            (&self.dev_dependencies, Scope::Dev),
            (&self.package_manager_dependencies, Scope::Dev),
            (&self.config_dependencies, Scope::Dev),
        ]
    }
}

/// A direct dependency: `1.2.3` (before v9) or `{specifier, version}` (v9).
#[derive(Default)]
struct PnpmDirect<'a>(Scalar<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for PnpmDirect<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        struct WithVersion<'a> {
            #[serde(default, borrow)]
            version: Scalar<'a>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PnpmDirect<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version or a mapping with a version")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let w =
                    WithVersion::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(PnpmDirect(w.version))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                Scalar::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(PnpmDirect(Scalar::Other))
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Str(Cow::Borrowed(v))))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Str(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Str(Cow::Owned(v))))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Bool(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Num(v.to_string())))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Num(v.to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Scalar::deserialize(serde::de::value::F64Deserializer::<E>::new(v)).map(PnpmDirect)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Other))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Other))
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
                Ok(PnpmDirect(Scalar::Other))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PnpmPackage<'a> {
    #[serde(default, borrow)]
    name: Scalar<'a>,
    #[serde(default, borrow)]
    version: Scalar<'a>,
    #[serde(default, borrow)]
    resolution: Lenient<PnpmResolution<'a>>,
    #[serde(default, borrow)]
    dev: Scalar<'a>,
    #[serde(default, borrow)]
    optional: Scalar<'a>,
    #[serde(default, borrow)]
    dev_optional: Scalar<'a>,
    #[serde(default, borrow)]
    dependencies: lenient::Map<'a, Scalar<'a>>,
    #[serde(default, borrow)]
    optional_dependencies: lenient::Map<'a, Scalar<'a>>,
}

#[derive(Deserialize, Default)]
struct PnpmResolution<'a> {
    #[serde(default, borrow)]
    integrity: Scalar<'a>,
    #[serde(default, borrow)]
    tarball: Scalar<'a>,
    #[serde(default, borrow)]
    repo: Scalar<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PnpmSnapshot<'a> {
    #[serde(default, borrow)]
    dependencies: lenient::Map<'a, Scalar<'a>>,
    #[serde(default, borrow)]
    optional_dependencies: lenient::Map<'a, Scalar<'a>>,
}

/// pnpm-lock.yaml, every document.
pub(crate) fn pnpm(cx: &mut Cx) -> Res<()> {
    pnpm_read(cx, SPLIT_MIN_BYTES, true)
}

/// Reads a lock cut in pieces when it has at least `min_bytes`; each piece (or the whole)
/// with the fast reader for pnpm's own YAML style when `fast` and it accepts the text,
/// else with serde_saphyr.
fn pnpm_read(cx: &mut Cx, min_bytes: usize, fast: bool) -> Res<()> {
    if cx.text.len() >= min_bytes
        && let Some(split) = split_sections(cx.text)
        && let Some(doc) = pnpm_parallel(&split, fast)
    {
        return pnpm_doc(cx, &doc);
    }
    let docs = match fast
        .then(|| crate::fastyaml::from_multiple::<Lenient<PnpmDoc>>(cx.text))
        .flatten()
    {
        Some(docs) => docs,
        None => cx.yaml_docs_as::<Lenient<PnpmDoc>>()?,
    };
    for Lenient(doc) in &docs {
        pnpm_doc(cx, doc)?;
    }
    Ok(())
}

/// Below this size a lock is read in one piece.
const SPLIT_MIN_BYTES: usize = 512 * 1024;

/// A large single-document lock cut for reading in parallel: the bodies of its
/// `packages:` and `snapshots:` sections in pieces of whole entries, and the rest of the
/// document (small sections, with those two headers left empty).
struct Split<'t> {
    rest: String,
    packages: Vec<&'t str>,
    snapshots: Vec<&'t str>,
}

/// Cuts a lock as [`Split`] says, or `None` when its layout is not the plain one pnpm
/// writes (then it is read in one piece, which also reports any error with its line).
///
/// The cut is sound for the layout accepted here: every line at column 0 is a comment or
/// a `name:` top-level key (no documents markers, directives, quoted or complex keys),
/// each key once; a cut section's entries are at indentation 2 exactly and a piece
/// starts at such an entry line, so each piece is a whole number of entries whose text
/// reads the same alone as in the document. A piece that does not read alone (an alias
/// to an anchor in another piece, a scalar or flow collection cut in two), or two pieces
/// with the same key, send the whole file back to the one-piece reading.
fn split_sections(text: &str) -> Option<Split<'_>> {
    let mut keys: Vec<&str> = Vec::new();
    // (section, body start, body end)
    let mut bodies: Vec<(&str, usize, usize)> = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let b = line.as_bytes();
        if b.first()
            .is_none_or(|c| matches!(c, b' ' | b'\n' | b'\r' | b'#'))
        {
            continue;
        }
        let (key, value) = line.split_once(':')?;
        let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
            && key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !key_ok || !(value.is_empty() || value.starts_with([' ', '\n', '\r'])) {
            return None;
        }
        if keys.contains(&key) {
            return None;
        }
        keys.push(key);
        if let Some((name, body)) = open.take() {
            bodies.push((name, body, start));
        }
        if matches!(key, "packages" | "snapshots") && value.trim().is_empty() {
            open = Some((key, at));
        }
    }
    if let Some((name, body)) = open {
        bodies.push((name, body, text.len()));
    }
    let pieces = rayon::current_num_threads().clamp(1, 8) * 2;
    let mut rest = String::with_capacity(4096);
    let mut from = 0;
    let mut split = Split {
        rest: String::new(),
        packages: Vec::new(),
        snapshots: Vec::new(),
    };
    for (name, start, end) in bodies {
        let body = &text[start..end];
        // The first entry must be at indentation 2: then every line indented by exactly
        // two spaces starts an entry of this mapping.
        let first = body
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
        if !entry_line(first) {
            return None;
        }
        rest.push_str(&text[from..start]);
        from = end;
        let out = if name == "packages" {
            &mut split.packages
        } else {
            &mut split.snapshots
        };
        let target = (body.len() / pieces).max(64 * 1024);
        let mut piece_start = 0;
        let mut pos = 0;
        for line in body.split_inclusive('\n') {
            if pos - piece_start >= target && entry_line(line) {
                out.push(&body[piece_start..pos]);
                piece_start = pos;
            }
            pos += line.len();
        }
        out.push(&body[piece_start..]);
    }
    rest.push_str(&text[from..]);
    split.rest = rest;
    Some(split)
}

/// A line starting an entry of a mapping at indentation 2: `  key...`.
fn entry_line(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 2
        && b[0] == b' '
        && b[1] == b' '
        && !matches!(b[2], b' ' | b'\t' | b'#' | b'-' | b'\n' | b'\r')
}

/// Reads the pieces of a [`Split`] in parallel; `None` if any does not read alone or
/// two share a key (the one-piece reading then decides).
fn pnpm_parallel<'t>(split: &'t Split<'t>, fast: bool) -> Option<PnpmDoc<'t>> {
    use rayon::prelude::*;
    enum Piece<'a> {
        Rest(Box<PnpmDoc<'a>>),
        Packages(lenient::Map<'a, Lenient<PnpmPackage<'a>>>),
        Snapshots(lenient::Map<'a, Lenient<PnpmSnapshot<'a>>>),
    }
    fn docs<'a, T: Deserialize<'a>>(text: &'a str, fast: bool) -> Option<Vec<T>> {
        fast.then(|| crate::fastyaml::from_multiple(text))
            .flatten()
            .or_else(|| serde_saphyr::from_multiple(text).ok())
    }
    fn one<'a, T: Deserialize<'a> + Default>(docs: Option<Vec<T>>) -> Option<T> {
        let mut docs = docs?;
        match docs.len() {
            0 => Some(T::default()),
            1 => docs.pop(),
            _ => None,
        }
    }
    let mut jobs: Vec<(u8, &str)> = vec![(0, split.rest.as_str())];
    jobs.extend(split.packages.iter().map(|t| (1, *t)));
    jobs.extend(split.snapshots.iter().map(|t| (2, *t)));
    let pieces: Vec<Option<Piece>> = jobs
        .par_iter()
        .map(|&(kind, text)| match kind {
            0 => {
                let mut docs: Vec<Lenient<PnpmDoc>> = docs(text, fast)?;
                (docs.len() == 1)
                    .then(|| docs.pop())
                    .flatten()
                    .map(|d| Piece::Rest(Box::new(d.0)))
            }
            1 => one(docs(text, fast)).map(Piece::Packages),
            _ => one(docs(text, fast)).map(Piece::Snapshots),
        })
        .collect();
    let mut doc: Option<PnpmDoc> = None;
    let mut packages = Vec::new();
    let mut snapshots = Vec::new();
    for p in pieces {
        match p? {
            Piece::Rest(d) => doc = Some(*d),
            Piece::Packages(m) => packages.extend(m.entries),
            Piece::Snapshots(m) => snapshots.extend(m.entries),
        }
    }
    let mut doc = doc?;
    if !split.packages.is_empty() {
        doc.packages.entries = merged(packages)?;
        doc.packages.present = true;
    }
    if !split.snapshots.is_empty() {
        doc.snapshots.entries = merged(snapshots)?;
        doc.snapshots.present = true;
    }
    Some(doc)
}

/// Entries of the pieces of one mapping, sorted; `None` on a key found twice.
fn merged<V>(mut entries: Vec<(Cow<'_, str>, V)>) -> Option<Vec<(Cow<'_, str>, V)>> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if entries.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    Some(entries)
}

fn pnpm_doc<'d>(cx: &mut Cx, doc: &'d PnpmDoc<'d>) -> Res<()> {
    let version = doc.lockfile_version.as_text().unwrap_or_default();
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let v5 = major > 0 && major < 6;
    let has_snapshots = doc.snapshots.present;
    let mut purls = PurlCache::default();
    // Direct dependencies: importers (monorepo) or top level (single project).
    let mut roots: Vec<(String, Scope)> = Vec::new();
    let mut importers: Vec<DirectDeps> =
        doc.importers.iter().map(|(_, v)| v.0.by_scope()).collect();
    if importers.is_empty() {
        importers.push(doc.top_by_scope());
    }
    for imp in importers {
        for (deps, scope) in imp {
            for (n, r) in deps.iter() {
                if let Some(r) = r.0.as_text()
                    && let Some(p) = pnpm_ref(&mut purls, n, r, v5)
                {
                    roots.push((p, scope));
                }
            }
        }
    }
    let mut added: Vec<Package> = Vec::new();
    let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(doc.packages.entries.len());
    for (key, Lenient(e)) in doc.packages.iter() {
        let named = match (e.name.as_str(), e.version.as_text()) {
            (Some(n), Some(v)) => Some((Cow::Borrowed(n), v)),
            _ => None,
        };
        let Some((name, version)) = named.or_else(|| pnpm_key(key, v5)) else {
            cx.skip(None, key, "cannot read name and version from key");
            continue;
        };
        let mut p = pkg_with_purl(NPM, &name, version, purls.get(name.clone(), version));
        let res = &e.resolution.0;
        p.hashes = res.integrity.as_str().map(hashes_sri).unwrap_or_default();
        p.source = res
            .tarball
            .as_str()
            .or(res.repo.as_str())
            .map(str::to_string);
        if !has_snapshots {
            p.scope = if e.dev.is_true() {
                Scope::Dev
            } else if e.optional.is_true() || e.dev_optional.is_true() {
                Scope::Optional
            } else {
                Scope::Required
            };
            p.dependencies = pnpm_deps(&mut purls, &e.dependencies, &e.optional_dependencies, v5);
        }
        by_key.insert(key.split('(').next().unwrap_or(key), added.len());
        added.push(p);
    }
    if has_snapshots {
        let mut extra = Vec::new();
        for (key, Lenient(e)) in doc.snapshots.iter() {
            let base = key.split('(').next().unwrap_or(key);
            let deps = pnpm_deps(&mut purls, &e.dependencies, &e.optional_dependencies, false);
            match by_key.get(base) {
                Some(&i) => {
                    if key == base {
                        added[i].dependencies.extend(deps);
                    } else {
                        let mut p = added[i].clone();
                        p.dependencies = deps;
                        extra.push(p);
                    }
                }
                None => cx.skip(None, key, "snapshot without a package entry"),
            }
        }
        added.extend(extra);
        infer_from_roots(&mut added, &roots);
    } else if !roots.is_empty() {
        let root_set: HashSet<&str> = roots.iter().map(|(r, _)| r.as_str()).collect();
        for p in &mut added {
            p.direct = Some(root_set.contains(p.purl.as_str()));
        }
    }
    cx.packages.extend(added);
    Ok(())
}

/// Where the fast YAML reader and serde_saphyr disagree on a pnpm lock: the lock read
/// whole and cut in pieces, each with and without the fast reader, and the text as an
/// untyped YAML value. `None` when they agree.
pub(crate) fn pnpm_fast_path_disagreement(text: &str) -> Option<String> {
    let path = std::path::Path::new("pnpm-lock.yaml");
    let read = |min_bytes, fast| {
        let mut cx = Cx::new(path, text);
        pnpm_read(&mut cx, min_bytes, fast)
            .map(|()| cx.finish(crate::Format::PnpmLock))
            .map(|l| (l.packages, l.skipped, l.coverage))
            .map_err(|e| e.to_string())
    };
    for min_bytes in [usize::MAX, 0, SPLIT_MIN_BYTES] {
        let (a, b) = (read(min_bytes, false), read(min_bytes, true));
        if a != b {
            return Some(format!(
                "split above {min_bytes} bytes: serde_saphyr {a:?}, fast {b:?}"
            ));
        }
    }
    if let Some(fast) = crate::fastyaml::from_multiple::<Value>(text) {
        let reference = serde_saphyr::from_multiple::<Value>(text).map_err(|e| e.to_string());
        if reference.as_ref() != Ok(&fast) {
            return Some(format!(
                "as a value: serde_saphyr {reference:?}, fast {fast:?}"
            ));
        }
    }
    None
}

fn pnpm_deps<'d>(
    purls: &mut PurlCache<'d>,
    deps: &'d lenient::Map<'d, Scalar<'d>>,
    optional: &'d lenient::Map<'d, Scalar<'d>>,
    v5: bool,
) -> Vec<String> {
    deps.iter()
        .chain(optional.iter())
        .filter_map(|(n, r)| pnpm_ref(purls, n, r.as_text()?, v5))
        .collect()
}

/// bun.lock (JSONC, lockfileVersion 0 and 1).
pub(crate) fn bun(cx: &mut Cx) -> Res<()> {
    let doc = cx.jsonc()?;
    if let Some(v) = doc.get("lockfileVersion").and_then(Value::as_u64)
        && v > 1
    {
        // Newer versions so far keep the same shape; read them and say so.
        cx.skip(
            Some(cx.line_of("lockfileVersion").unwrap_or(1)),
            format!("lockfileVersion {v}"),
            "newer than version 1: read with the version 1 rules",
        );
    }
    let pkgs = doc.get("packages").and_then(Value::as_object);
    let ws_versions: BTreeMap<&str, String> = obj(doc.get("workspaces").unwrap_or(&Value::Null))
        .filter_map(|(path, w)| Some((path.as_str(), s(w, "version")?.to_string())))
        .collect();
    let mut purls: BTreeMap<&str, String> = BTreeMap::new();
    let mut entries: Vec<(&str, Package, &Value)> = Vec::new();
    for (key, e) in pkgs.into_iter().flatten() {
        let line = cx.line_of_next(&format!("\"{key}\": ["));
        let Some(id) = e.get(0).and_then(Value::as_str) else {
            cx.skip(
                line,
                key.clone(),
                "malformed entry: first tuple element is not \"name@version\"",
            );
            continue;
        };
        let Some((name, spec)) = split_at_version(id) else {
            cx.skip(
                line,
                key.clone(),
                format!("cannot read name@version from {id:?}"),
            );
            continue;
        };
        if ["root:", "link:", "file:"]
            .iter()
            .any(|p| spec.starts_with(p))
        {
            cx.skip(
                line,
                key.clone(),
                format!("the project root or a local folder ({spec})"),
            );
            continue;
        }
        let ws_version = spec
            .strip_prefix("workspace:")
            .map(|path| ws_versions.get(path).cloned().unwrap_or_default());
        let (version, src) = match ws_version {
            Some(v) => (v, Some(spec.to_string())),
            None => version_and_source(spec),
        };
        let mut p = pkg(NPM, name, Some(&version));
        p.line = line;
        p.source = src;
        let items: Vec<&Value> = arr(e).collect();
        if let Some(reg) = items
            .get(1)
            .and_then(|v| v.as_str())
            .filter(|r| !r.is_empty())
        {
            p.source = Some(reg.to_string());
        }
        if let Some(integ) = items
            .iter()
            .skip(1)
            .filter_map(|v| v.as_str())
            .find(|s| s.starts_with("sha"))
        {
            p.hashes = hashes_sri(integ);
        }
        let meta = items
            .iter()
            .skip(1)
            .find(|v| v.is_object())
            .copied()
            .unwrap_or(&Value::Null);
        purls.insert(key, p.purl.clone());
        entries.push((key, p, meta));
    }
    let resolve = |from: &str, dep: &str| -> Option<String> {
        let mut base = from;
        loop {
            if let Some(p) = purls.get(format!("{base}/{dep}").as_str()) {
                return Some(p.clone());
            }
            match base.rfind('/') {
                Some(i) => base = &base[..i],
                None => return purls.get(dep).cloned(),
            }
        }
    };
    let mut added = Vec::new();
    for (key, mut p, meta) in entries {
        p.dependencies = ["dependencies", "optionalDependencies", "peerDependencies"]
            .iter()
            .flat_map(|k| obj(meta.get(*k).unwrap_or(&Value::Null)))
            .filter_map(|(d, _)| resolve(key, d))
            .collect();
        if truthy(meta, "optional") {
            p.scope = Scope::Optional;
        }
        added.push(p);
    }
    let mut roots = Vec::new();
    for (_, ws) in obj(doc.get("workspaces").unwrap_or(&Value::Null)) {
        for (k, scope) in [
            ("dependencies", Scope::Required),
            ("optionalDependencies", Scope::Optional),
            ("peerDependencies", Scope::Required),
            ("devDependencies", Scope::Dev),
        ] {
            for (d, _) in obj(ws.get(k).unwrap_or(&Value::Null)) {
                if let Some(p) = purls.get(d.as_str()) {
                    roots.push((p.clone(), scope));
                }
            }
        }
    }
    if roots.is_empty() {
        let by_key: BTreeMap<String, String> = BTreeMap::new();
        match manifest_declared(cx) {
            Some(declared) => roots = roots_of(&declared, &by_key, &added),
            None => cx.notes.push(
                "the lock records no workspace dependencies and there is no package.json beside it: direct and transitive dependencies not told apart"
                    .into(),
            ),
        }
    }
    infer_from_roots(&mut added, &roots);
    cx.packages.extend(added);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pnpm fixture reads the same cut in pieces (as large locks are) as in one
    /// piece, and the plain pnpm layout is indeed cut.
    #[test]
    fn pnpm_pieces_read_like_the_whole() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/lockfiles/pnpm");
        let mut cut = 0;
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            let whole = {
                let mut cx = Cx::new(&path, &text);
                pnpm_read(&mut cx, usize::MAX, false).map(|()| cx.finish(crate::Format::PnpmLock))
            };
            let pieces = {
                let mut cx = Cx::new(&path, &text);
                pnpm_read(&mut cx, 0, false).map(|()| cx.finish(crate::Format::PnpmLock))
            };
            files += 1;
            if split_sections(&text).is_some_and(|s| pnpm_parallel(&s, false).is_some()) {
                cut += 1;
            }
            match (whole, pieces) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.packages, b.packages, "{}", path.display());
                    assert_eq!(a.skipped, b.skipped, "{}", path.display());
                    assert_eq!(a.coverage, b.coverage, "{}", path.display());
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{}: {:?} vs {:?}", path.display(), a.err(), b.err()),
            }
        }
        assert!(files >= 15, "{files} fixtures");
        // The multi-document ones are not cut; the single-document ones pnpm wrote are.
        assert!(cut >= files - 3, "{cut} of {files} cut");
    }

    fn pnpm_fixtures() -> Vec<(std::path::PathBuf, String)> {
        let dir = palisade_testkit::shared("lockfiles/pnpm");
        let mut out: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .map(|e| {
                let path = e.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read");
                (path, text)
            })
            .collect();
        out.sort();
        out
    }

    /// The fast reader for pnpm's YAML style reads every pnpm fixture (v5-v9, several
    /// documents, large ones cut in pieces) as serde_saphyr does, and takes most of them.
    #[test]
    fn fast_reader_agrees_with_serde_saphyr_on_every_fixture() {
        use crate::fastyaml::from_multiple;
        let fixtures = pnpm_fixtures();
        let mut fast = Vec::new();
        for (path, text) in &fixtures {
            if let Some(d) = pnpm_fast_path_disagreement(text) {
                panic!("{}: {d}", path.display());
            }
            let whole = from_multiple::<Lenient<PnpmDoc>>(text).is_some();
            let pieces = split_sections(text).is_some_and(|s| {
                from_multiple::<Lenient<PnpmDoc>>(&s.rest).is_some()
                    && s.packages
                        .iter()
                        .all(|p| from_multiple::<lenient::Map<Lenient<PnpmPackage>>>(p).is_some())
                    && s.snapshots
                        .iter()
                        .all(|p| from_multiple::<lenient::Map<Lenient<PnpmSnapshot>>>(p).is_some())
            });
            if whole || pieces {
                fast.push(path.file_name().unwrap_or_default().to_string_lossy());
            }
        }
        assert!(fixtures.len() >= 15, "{} fixtures", fixtures.len());
        // Every fixture pnpm wrote is in its plain style.
        assert_eq!(fast.len(), fixtures.len(), "fast: {fast:?}");
    }

    #[test]
    fn pieces_that_do_not_read_alone_fall_back() {
        // An alias to an anchor in another piece, a duplicate key across pieces, an
        // entry indented by 4: each is read in one piece (and errors or not as YAML says).
        let body: String = (0..4000)
            .map(|i| format!("  /p{i}@1.0.0:\n    resolution: {{integrity: sha512-AAAA}}\n"))
            .collect();
        let dup = format!("lockfileVersion: '9.0'\npackages:\n{body}{body}");
        let s = split_sections(&dup).expect("plain layout");
        assert!(s.packages.len() > 1);
        assert!(
            pnpm_parallel(&s, false).is_none(),
            "duplicate key across pieces"
        );
        let alias = format!(
            "lockfileVersion: '9.0'\npackages:\n  /a@1.0.0: &x\n    dev: true\n{body}  /z@1.0.0: *x\n"
        );
        let s = split_sections(&alias).expect("plain layout");
        assert!(pnpm_parallel(&s, false).is_none(), "alias across pieces");
        let indented = "lockfileVersion: '9.0'\npackages:\n    /a@1.0.0: {}\n  /b@1.0.0: {}\n";
        assert!(split_sections(indented).is_none());
        assert!(split_sections("---\nlockfileVersion: 5\n").is_none());
        assert!(split_sections("'quoted': 1\n").is_none());
        assert!(split_sections("packages:\n  a: 1\npackages:\n  b: 1\n").is_none());
    }
}
