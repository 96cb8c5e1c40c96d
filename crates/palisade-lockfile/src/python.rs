//! Python: requirements*.txt, Pipfile.lock, poetry.lock, uv.lock, pdm.lock, pylock.toml.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{
    Cx, Res, arr, hash_hex, hash_prefixed, infer_from_roots, obj, pkg, purl_for, s, scalar, truthy,
};
use crate::{Ecosystem, Hash, Package, Scope};

const PY: Ecosystem = Ecosystem::PyPi;
const MAX_INCLUDE_DEPTH: usize = 16;

/// PEP 503 normalised name.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Leading distribution name of a PEP 508 string (`name[extra]>=1; marker`).
fn pep508_name(spec: &str) -> Option<&str> {
    let spec = spec.trim_start();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..end];
    (!name.is_empty()).then_some(name)
}

/// Edges by name: every locked package of that (normalised) name.
fn by_name(packages: &[Package]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in packages {
        m.entry(normalise(&p.name))
            .or_default()
            .push(p.purl.clone());
    }
    m
}

fn link_by_name(packages: &mut [Package], deps: &[Vec<String>]) {
    let names = by_name(packages);
    for (p, ds) in packages.iter_mut().zip(deps) {
        p.dependencies = ds
            .iter()
            .flat_map(|d| names.get(&normalise(d)).cloned().unwrap_or_default())
            .collect();
    }
}

// ---------------------------------------------------------------- requirements.txt

/// requirements*.txt, following `-r` includes relative to the file.
pub(crate) fn requirements(cx: &mut Cx) -> Res<()> {
    let mut seen = BTreeSet::new();
    seen.insert(
        cx.path
            .canonicalize()
            .unwrap_or_else(|_| cx.path.to_path_buf()),
    );
    let text = cx.text.to_string();
    let path = cx.path.to_path_buf();
    let top_dir = path.parent().and_then(|d| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        d.canonicalize().ok()
    });
    requirements_text(cx, &path, &text, &mut seen, 0, top_dir.as_deref())
}

fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if cur.is_empty() {
            start = i + 1;
        }
        let l = raw.trim_end_matches('\r');
        if let Some(body) = l.strip_suffix('\\') {
            cur.push_str(body);
            cur.push(' ');
            continue;
        }
        cur.push_str(l);
        out.push((start, std::mem::take(&mut cur)));
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    out
}

fn strip_comment(l: &str) -> &str {
    let b = l.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &l[..i];
        }
    }
    l
}

fn option_value<'a>(l: &'a str, short: &str, long: &str) -> Option<&'a str> {
    if let Some(rest) = l.strip_prefix(long)
        && (rest.is_empty() || rest.starts_with(['=', ' ', '\t']))
    {
        return Some(rest.trim_start_matches('=').trim());
    }
    l.strip_prefix(short).map(str::trim)
}

/// Includes are untrusted: only relative paths to regular files inside the directory
/// of the first file are followed (no absolute paths, URLs, devices or `..` escapes).
fn include_refused(inc: &str, target: &Path, top_dir: Option<&Path>) -> Option<String> {
    if inc.contains("://") {
        return Some("remote include not fetched".into());
    }
    if Path::new(inc).is_absolute() {
        return Some("absolute include path not followed".into());
    }
    let top_dir = top_dir?;
    match target.canonicalize() {
        Ok(t) if !t.starts_with(top_dir) => {
            Some("include outside the first file's directory not followed".into())
        }
        Ok(t) if !t.is_file() => Some("include is not a regular file".into()),
        _ => None,
    }
}

fn requirements_text(
    cx: &mut Cx,
    path: &Path,
    text: &str,
    seen: &mut BTreeSet<PathBuf>,
    depth: usize,
    top_dir: Option<&Path>,
) -> Res<()> {
    let fname = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let here = |line: usize| if depth == 0 { Some(line) } else { None };
    for (line, raw) in logical_lines(text) {
        let l = strip_comment(&raw).trim();
        if l.is_empty() {
            continue;
        }
        let entry = if depth == 0 {
            l.to_string()
        } else {
            format!("{fname}:{line}: {l}")
        };
        if let Some(inc) = option_value(l, "-r", "--requirement") {
            let joined = path.parent().unwrap_or(Path::new(".")).join(inc);
            let target = joined.canonicalize().unwrap_or(joined);
            if let Some(why) = include_refused(inc, &target, top_dir) {
                cx.skip(here(line), entry, why);
            } else if depth + 1 > MAX_INCLUDE_DEPTH {
                cx.skip(
                    here(line),
                    entry,
                    format!("include nested deeper than {MAX_INCLUDE_DEPTH}"),
                );
            } else if seen.contains(&target) {
                cx.skip(here(line), entry, "include loop: file already read");
            } else if !target.is_file() {
                cx.skip(
                    here(line),
                    entry,
                    format!("included file {} not found", target.display()),
                );
            } else {
                seen.insert(target.clone());
                let bytes = palisade_io::read_limited(&target, crate::MAX_LOCKFILE_BYTES)?;
                let t = crate::util::decode_text(&target, &bytes)?;
                requirements_text(cx, &target, &t, seen, depth + 1, top_dir)?;
            }
            continue;
        }
        if option_value(l, "-c", "--constraint").is_some() {
            cx.skip(
                here(line),
                entry,
                "constraints file: constrains versions, adds no packages",
            );
            continue;
        }
        if let Some(target) = option_value(l, "-e", "--editable") {
            match vcs_requirement(target) {
                Some(mut p) => {
                    p.line = here(line);
                    cx.add(p);
                }
                None => cx.skip(
                    here(line),
                    entry,
                    "editable local project (the project itself)",
                ),
            }
            continue;
        }
        if l.starts_with('-') {
            // Global options (-i, --extra-index-url, -f, --pre, --require-hashes...): not entries.
            continue;
        }
        if l.contains("://") && !l.contains(" @ ") {
            match vcs_requirement(l) {
                Some(mut p) => {
                    p.line = here(line);
                    cx.add(p);
                }
                None => cx.skip(here(line), entry, "URL without #egg=name"),
            }
            continue;
        }
        if l.starts_with('.') || l.starts_with('/') {
            cx.skip(
                here(line),
                entry,
                "local path requirement (not a published package)",
            );
            continue;
        }
        match requirement_line(l) {
            Ok(mut p) => {
                p.line = here(line);
                cx.add(p);
            }
            Err(why) => cx.skip(here(line), entry, why),
        }
    }
    Ok(())
}

fn vcs_requirement(target: &str) -> Option<Package> {
    let egg = target
        .split(['#', '&'])
        .find_map(|part| part.strip_prefix("egg="))
        .map(|e| e.split('[').next().unwrap_or(e));
    let (name, url) = match target.split_once(" @ ") {
        Some((n, u)) => (n.trim(), u.trim()),
        None => (egg?, target),
    };
    let name = pep508_name(name)?;
    let url_no_frag = url.split('#').next().unwrap_or(url);
    let rev = url_no_frag
        .rsplit_once('@')
        .filter(|(a, _)| a.contains("://"))
        .map(|(_, r)| r);
    let mut p = pkg(PY, name, rev);
    p.source = Some(url.to_string());
    Some(p)
}

fn requirement_line(l: &str) -> Result<Package, String> {
    if l.contains(" @ ") {
        return vcs_requirement(l).ok_or_else(|| "cannot read `name @ url`".to_string());
    }
    // Split per-requirement options (--hash, --config-settings, -C, --global-option).
    let opt_start = [" --", " -C "]
        .iter()
        .filter_map(|p| l.find(p))
        .min()
        .unwrap_or(l.len());
    let (spec, opts) = l.split_at(opt_start);
    let spec = spec.split(';').next().unwrap_or(spec).trim();
    let name =
        pep508_name(spec).ok_or_else(|| format!("cannot read a package name from {spec:?}"))?;
    let mut rest = spec[name.len()..].trim_start();
    if rest.starts_with('[') {
        rest = rest
            .split_once(']')
            .map(|(_, r)| r.trim_start())
            .unwrap_or("");
    }
    let version = if let Some(v) = rest.strip_prefix("===").or_else(|| rest.strip_prefix("==")) {
        let v = v.trim_start().split([',', ' ']).next().unwrap_or("").trim();
        if v.is_empty() {
            return Err(format!("`==` with no version in {spec:?}"));
        }
        (!v.contains('*') && !rest.contains(',')).then(|| v.to_string())
    } else {
        None
    };
    let mut p = pkg(PY, name, version.as_deref());
    let toks: Vec<&str> = opts.split_whitespace().collect();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let h = if let Some(h) = t.strip_prefix("--hash=") {
            Some(h)
        } else if t == "--hash" {
            i += 1;
            toks.get(i).copied()
        } else {
            None
        };
        if let Some(h) = h.and_then(hash_prefixed) {
            p.hashes.push(h);
        }
        i += 1;
    }
    Ok(p)
}

// ---------------------------------------------------------------- Pipfile.lock

/// Pipfile.lock (`default` and `develop`).
pub(crate) fn pipfile(cx: &mut Cx) -> Res<()> {
    let doc = cx.json()?;
    for (section, scope) in [("default", Scope::Required), ("develop", Scope::Dev)] {
        for (name, e) in obj(doc.get(section).unwrap_or(&Value::Null)) {
            let line = cx.line_of_next(&format!("\"{name}\": {{"));
            let version = s(e, "version").map(|v| {
                v.trim_start_matches("===")
                    .trim_start_matches("==")
                    .to_string()
            });
            let version = version.or_else(|| s(e, "ref").map(str::to_string));
            if version.is_none()
                && (e.get("path").is_some() || truthy(e, "editable"))
                && e.get("git").is_none()
            {
                cx.skip(
                    line,
                    name.clone(),
                    "local path or editable project, no version",
                );
                continue;
            }
            let mut p = pkg(PY, name, version.as_deref());
            p.scope = scope;
            p.line = line;
            p.hashes = arr(e.get("hashes").unwrap_or(&Value::Null))
                .filter_map(|h| h.as_str().and_then(hash_prefixed))
                .collect();
            p.source = s(e, "git")
                .or(s(e, "file"))
                .or(s(e, "path"))
                .map(str::to_string);
            cx.add(p);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- poetry / pdm / uv / pylock

fn toml_files(files: &Value) -> Vec<Hash> {
    arr(files)
        .filter_map(|f| s(f, "hash").and_then(hash_prefixed))
        .collect()
}

/// The `[[package]]` entry of poetry.lock / pdm.lock: its name, the package with its line,
/// and its dependency groups; `None` (recorded as skipped) without a name or version.
fn toml_package_head<'a>(cx: &mut Cx, e: &'a Value) -> Option<(&'a str, Package, Vec<&'a str>)> {
    let (Some(name), Some(version)) = (s(e, "name"), e.get("version").and_then(scalar)) else {
        cx.skip(
            None,
            s(e, "name").unwrap_or("?"),
            "[[package]] without name or version",
        );
        return None;
    };
    let mut p = pkg(PY, name, Some(&version));
    p.line = cx.line_of_next(&format!("name = \"{name}\"\nversion = \"{version}\""));
    let groups = arr(e.get("groups").unwrap_or(&Value::Null))
        .filter_map(Value::as_str)
        .collect();
    Some((name, p, groups))
}

/// poetry.lock (lock-version 1.x and 2.x).
pub(crate) fn poetry(cx: &mut Cx) -> Res<()> {
    let doc = cx.toml()?;
    let meta_files = doc.get("metadata").and_then(|m| m.get("files"));
    let mut pkgs = Vec::new();
    let mut deps = Vec::new();
    for e in arr(doc.get("package").unwrap_or(&Value::Null)) {
        let Some((name, mut p, groups)) = toml_package_head(cx, e) else {
            continue;
        };
        p.scope = if truthy(e, "optional") {
            Scope::Optional
        } else if s(e, "category") == Some("dev")
            || (!groups.is_empty() && !groups.contains(&"main"))
        {
            Scope::Dev
        } else {
            Scope::Required
        };
        p.hashes = toml_files(e.get("files").unwrap_or(&Value::Null));
        if let Some(mf) = meta_files.and_then(|m| m.get(name)) {
            p.hashes.extend(toml_files(mf));
        }
        if let Some(src) = e.get("source") {
            p.source =
                s(src, "url").map(
                    |u| match s(src, "resolved_reference").or(s(src, "reference")) {
                        Some(r) => format!("{u}@{r}"),
                        None => u.to_string(),
                    },
                );
        }
        deps.push(
            obj(e.get("dependencies").unwrap_or(&Value::Null))
                .map(|(n, _)| n.clone())
                .collect(),
        );
        pkgs.push(p);
    }
    link_by_name(&mut pkgs, &deps);
    cx.packages.extend(pkgs);
    Ok(())
}

/// pdm.lock.
pub(crate) fn pdm(cx: &mut Cx) -> Res<()> {
    let doc = cx.toml()?;
    let mut pkgs = Vec::new();
    let mut deps = Vec::new();
    for e in arr(doc.get("package").unwrap_or(&Value::Null)) {
        let Some((_, mut p, groups)) = toml_package_head(cx, e) else {
            continue;
        };
        if !groups.is_empty() && !groups.contains(&"default") {
            p.scope = Scope::Dev;
        }
        p.hashes = toml_files(e.get("files").unwrap_or(&Value::Null));
        p.source = s(e, "git")
            .or(s(e, "url"))
            .or(s(e, "path"))
            .map(str::to_string);
        deps.push(
            arr(e.get("dependencies").unwrap_or(&Value::Null))
                .filter_map(|d| d.as_str().and_then(pep508_name).map(str::to_string))
                .collect(),
        );
        pkgs.push(p);
    }
    link_by_name(&mut pkgs, &deps);
    cx.packages.extend(pkgs);
    Ok(())
}

/// uv.lock. Workspace members (editable/virtual sources) are the project, not packages.
pub(crate) fn uv(cx: &mut Cx) -> Res<()> {
    let doc = cx.toml()?;
    let entries: Vec<&Value> = arr(doc.get("package").unwrap_or(&Value::Null)).collect();
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &entries {
        if let (Some(n), Some(v)) = (s(e, "name"), e.get("version").and_then(scalar)) {
            versions.entry(normalise(n)).or_default().push(v);
        }
    }
    let dep_purls = |list: &Value| -> Vec<String> {
        arr(list)
            .filter_map(|d| {
                let n = s(d, "name")?;
                let v = match d.get("version").and_then(scalar) {
                    Some(v) => Some(v),
                    None => versions
                        .get(&normalise(n))
                        .and_then(|vs| (vs.len() == 1).then(|| vs[0].clone())),
                };
                v.map(|v| purl_for(PY, n, Some(&v)))
            })
            .collect()
    };
    let mut roots = Vec::new();
    let mut pkgs = Vec::new();
    for e in entries {
        let name = s(e, "name").unwrap_or("?");
        let line = cx.line_of_next(&format!("name = \"{name}\"\n"));
        let source = e.get("source").unwrap_or(&Value::Null);
        let is_member = s(source, "editable").is_some() || s(source, "virtual").is_some();
        if is_member {
            if cx.project.is_none() {
                cx.project = Some((name.to_string(), e.get("version").and_then(scalar)));
            }
            roots.extend(
                dep_purls(e.get("dependencies").unwrap_or(&Value::Null))
                    .into_iter()
                    .map(|p| (p, Scope::Required)),
            );
            for (_, list) in obj(e.get("optional-dependencies").unwrap_or(&Value::Null)) {
                roots.extend(dep_purls(list).into_iter().map(|p| (p, Scope::Optional)));
            }
            for key in ["dev-dependencies", "dependency-groups"] {
                for (_, list) in obj(e.get(key).unwrap_or(&Value::Null)) {
                    roots.extend(dep_purls(list).into_iter().map(|p| (p, Scope::Dev)));
                }
            }
            cx.skip(line, name, "workspace member (the project itself)");
            continue;
        }
        let Some(version) = e.get("version").and_then(scalar) else {
            cx.skip(line, name, "no version recorded");
            continue;
        };
        let mut p = pkg(PY, name, Some(&version));
        p.line = line;
        p.source = s(source, "registry")
            .or(s(source, "git"))
            .or(s(source, "url"))
            .or(s(source, "path"))
            .or(s(source, "directory"))
            .map(str::to_string);
        if let Some(h) = e
            .get("sdist")
            .and_then(|sd| s(sd, "hash"))
            .and_then(hash_prefixed)
        {
            p.hashes.push(h);
        }
        p.hashes.extend(
            arr(e.get("wheels").unwrap_or(&Value::Null))
                .filter_map(|w| s(w, "hash").and_then(hash_prefixed)),
        );
        let mut d = dep_purls(e.get("dependencies").unwrap_or(&Value::Null));
        for (_, list) in obj(e.get("optional-dependencies").unwrap_or(&Value::Null)) {
            d.extend(dep_purls(list));
        }
        p.dependencies = d;
        pkgs.push(p);
    }
    infer_from_roots(&mut pkgs, &roots);
    cx.packages.extend(pkgs);
    Ok(())
}

fn table_hashes(h: &Value) -> Vec<Hash> {
    obj(h)
        .filter_map(|(alg, v)| v.as_str().and_then(|v| hash_hex(alg, v)))
        .collect()
}

/// pylock.toml (PEP 751).
pub(crate) fn pylock(cx: &mut Cx) -> Res<()> {
    let doc = cx.toml()?;
    let mut pkgs = Vec::new();
    let mut deps = Vec::new();
    for e in arr(doc.get("packages").unwrap_or(&Value::Null)) {
        let Some(name) = s(e, "name") else {
            cx.skip(None, "?", "[[packages]] without name");
            continue;
        };
        let line = cx.line_of_next(&format!("name = \"{name}\""));
        let vcs = e.get("vcs");
        let version = e
            .get("version")
            .and_then(scalar)
            .or_else(|| vcs.and_then(|v| s(v, "commit-id")).map(str::to_string));
        if version.is_none() && e.get("directory").is_some() {
            cx.skip(line, name, "local directory (no version)");
            continue;
        }
        let mut p = pkg(PY, name, version.as_deref());
        p.line = line;
        p.source = vcs
            .and_then(|v| s(v, "url"))
            .or(s(e, "index"))
            .or(e.get("archive").and_then(|a| s(a, "url")))
            .map(str::to_string);
        if let Some(sd) = e.get("sdist") {
            p.hashes
                .extend(table_hashes(sd.get("hashes").unwrap_or(&Value::Null)));
        }
        if let Some(a) = e.get("archive") {
            p.hashes
                .extend(table_hashes(a.get("hashes").unwrap_or(&Value::Null)));
        }
        for w in arr(e.get("wheels").unwrap_or(&Value::Null)) {
            p.hashes
                .extend(table_hashes(w.get("hashes").unwrap_or(&Value::Null)));
        }
        deps.push(
            arr(e.get("dependencies").unwrap_or(&Value::Null))
                .filter_map(|d| s(d, "name").map(str::to_string))
                .collect(),
        );
        pkgs.push(p);
    }
    link_by_name(&mut pkgs, &deps);
    cx.packages.extend(pkgs);
    Ok(())
}
