//! Java: Gradle lockfiles and Maven pom.xml (declared dependencies; parent POMs and
//! imported BOMs are read when they are on disk, never fetched).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;

use crate::util::{Cx, Res, line_at, pkg};
use crate::{Ecosystem, Package, Scope};

const MAVEN: Ecosystem = Ecosystem::Maven;

/// gradle.lockfile: `group:artifact:version=configurations`.
pub(crate) fn gradle_lock(cx: &mut Cx) -> Res<()> {
    for (i, raw) in cx.text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("empty=") {
            continue;
        }
        let (coord, confs) = l.split_once('=').unwrap_or((l, ""));
        let parts: Vec<&str> = coord.split(':').collect();
        let [g, a, v] = parts.as_slice() else {
            cx.skip(Some(line), l, "not `group:artifact:version=configurations`");
            continue;
        };
        if g.is_empty() || a.is_empty() || v.is_empty() {
            cx.skip(Some(line), l, "empty group, artifact or version");
            continue;
        }
        let mut p = pkg(MAVEN, &format!("{g}:{a}"), Some(v));
        p.line = Some(line);
        let confs: Vec<&str> = confs
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if !confs.is_empty()
            && confs
                .iter()
                .all(|c| c.to_ascii_lowercase().contains("test"))
        {
            p.scope = Scope::Dev;
        }
        cx.add(p);
    }
    Ok(())
}

#[derive(Default, Clone)]
struct Dep {
    group: String,
    artifact: String,
    version: String,
    scope: String,
    optional: String,
    /// `<type>` (`pom` for imported BOMs).
    kind: String,
    line: usize,
}

fn interpolate(s: &str, props: &BTreeMap<String, String>) -> Option<String> {
    let mut out = s.to_string();
    for _ in 0..10 {
        let Some(start) = out.find("${") else {
            return Some(out);
        };
        let end = out[start..].find('}')? + start;
        let key = &out[start + 2..end];
        let val = props.get(key)?.clone();
        out.replace_range(start..=end, &val);
    }
    None
}

/// A POM as written (nothing inherited yet).
#[derive(Default)]
struct Model {
    props: BTreeMap<String, String>,
    deps: Vec<Dep>,
    managed: Vec<Dep>,
    /// `<parent>`: groupId, artifactId, version, relativePath (None: absent, so the
    /// default `../pom.xml`; Some(""): `<relativePath/>`, look nowhere on disk).
    parent: Option<(String, String, String, Option<String>)>,
    parent_line: usize,
}

/// Reads one POM. Errors carry (line, message).
fn read_pom(text: &str) -> Result<Model, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut m = Model::default();
    let mut parent = (String::new(), String::new(), String::new(), None::<String>);
    let mut has_parent = false;
    let mut cur: Option<Dep> = None;
    let mut buf = String::new();
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            (
                line_at(text, reader.error_position() as usize),
                format!("invalid XML: {e}"),
            )
        })?;
        match ev {
            Event::Start(e) => {
                if path.len() > 64 {
                    return Err((line_at(text, pos), "XML nested too deeply".into()));
                }
                let ln = e.local_name();
                let name = {
                    let n: &str = ln.as_ref();
                    n.to_string()
                };
                if name == "dependency" {
                    cur = Some(Dep {
                        line: line_at(text, pos),
                        ..Dep::default()
                    });
                }
                if name == "parent" && path.len() == 1 {
                    has_parent = true;
                    m.parent_line = line_at(text, pos);
                }
                path.push(name);
                buf.clear();
            }
            Event::Empty(e) => {
                let ln = e.local_name();
                let n: &str = ln.as_ref();
                if n == "relativePath" && path.len() == 2 && path[1] == "parent" {
                    parent.3 = Some(String::new());
                }
            }
            Event::Text(t) => {
                let x: &str = t.as_ref();
                buf.push_str(x)
            }
            Event::CData(t) => {
                let x: &str = t.as_ref();
                buf.push_str(x)
            }
            Event::GeneralRef(r) => {
                let name = {
                    let x: &str = r.as_ref();
                    x.to_string()
                };
                buf.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::End(_) => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                let value = buf.trim().to_string();
                match p.as_slice() {
                    ["project", "properties", k] => {
                        m.props.insert(k.to_string(), value.clone());
                    }
                    ["project", f @ ("groupId" | "artifactId" | "version")] => {
                        m.props.insert(format!("project.{f}"), value.clone());
                        m.props.insert(format!("pom.{f}"), value.clone());
                    }
                    [
                        "project",
                        "parent",
                        f @ ("groupId" | "artifactId" | "version" | "relativePath"),
                    ] => {
                        match *f {
                            "groupId" => parent.0 = value.clone(),
                            "artifactId" => parent.1 = value.clone(),
                            "version" => parent.2 = value.clone(),
                            _ => parent.3 = Some(value.clone()),
                        }
                        if *f != "relativePath" {
                            m.props.insert(format!("project.parent.{f}"), value.clone());
                            m.props.insert(format!("parent.{f}"), value.clone());
                        }
                    }
                    ["project", "dependencies", "dependency"] => m.deps.extend(cur.take()),
                    [
                        "project",
                        "dependencyManagement",
                        "dependencies",
                        "dependency",
                    ] => m.managed.extend(cur.take()),
                    [.., "dependency", f] => {
                        if let Some(d) = cur.as_mut() {
                            match *f {
                                "groupId" => d.group = value.clone(),
                                "artifactId" => d.artifact = value.clone(),
                                "version" => d.version = value.clone(),
                                "scope" => d.scope = value.clone(),
                                "optional" => d.optional = value.clone(),
                                "type" => d.kind = value.clone(),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                if p.last() == Some(&"dependency") {
                    cur = None;
                }
                path.pop();
                buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for k in ["groupId", "version"] {
        if !m.props.contains_key(&format!("project.{k}"))
            && let Some(v) = m.props.get(&format!("project.parent.{k}")).cloned()
        {
            m.props.insert(format!("project.{k}"), v.clone());
            m.props.insert(format!("pom.{k}"), v);
        }
    }
    if has_parent {
        m.parent = Some(parent);
    }
    Ok(m)
}

/// Most POMs read for one module: itself, its parents and imported BOMs.
const MAX_POMS: usize = 32;
/// Largest POM read from disk besides the file itself.
const MAX_POM_BYTES: u64 = 4 * 1024 * 1024;

/// What a module inherits: properties and managed versions from its parents on disk,
/// managed versions from imported BOMs on disk, and its parents' declared dependencies.
struct Inherited {
    props: BTreeMap<String, String>,
    managed: BTreeMap<(String, String), String>,
    deps: Vec<(Dep, BTreeMap<String, String>)>,
    /// POM files read (canonical), to stop cycles and bound the work.
    read: Vec<PathBuf>,
    /// Directories searched for imported BOMs: the module's and every parent's.
    dirs: Vec<PathBuf>,
}

/// A POM on disk at `path` (a file, or a directory holding `pom.xml`).
fn pom_at(path: &Path) -> Option<PathBuf> {
    let p = if path.is_dir() {
        path.join("pom.xml")
    } else {
        path.to_path_buf()
    };
    p.is_file().then_some(p)
}

/// The coordinates (groupId, artifactId) a model declares.
fn coordinates(m: &Model) -> (String, String) {
    (
        m.props.get("project.groupId").cloned().unwrap_or_default(),
        m.props
            .get("project.artifactId")
            .cloned()
            .unwrap_or_default(),
    )
}

/// Reads a POM from disk; `Err(reason)` when it cannot be read.
fn load_pom(path: &Path, inh: &mut Inherited) -> Result<Model, String> {
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if inh.read.contains(&canon) {
        return Err(format!("{} was already read (a cycle)", path.display()));
    }
    if inh.read.len() >= MAX_POMS {
        return Err(format!(
            "more than {MAX_POMS} POMs in the inheritance chain"
        ));
    }
    inh.read.push(canon);
    let bytes = palisade_io::read_limited(path, MAX_POM_BYTES).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    read_pom(&text).map_err(|(line, msg)| format!("{}:{line}: {msg}", path.display()))
}

/// Managed versions of a model, interpolated with `props`; imports kept apart.
fn managed_of(
    m: &Model,
    props: &BTreeMap<String, String>,
) -> (BTreeMap<(String, String), String>, Vec<Dep>) {
    let mut out = BTreeMap::new();
    let mut imports = Vec::new();
    for d in &m.managed {
        if d.scope == "import" && (d.kind.is_empty() || d.kind == "pom") {
            imports.push(d.clone());
            continue;
        }
        if let (Some(g), Some(a), Some(v)) = (
            interpolate(&d.group, props),
            interpolate(&d.artifact, props),
            interpolate(&d.version, props),
        ) {
            out.insert((g, a), v);
        }
    }
    (out, imports)
}

/// Walks the parents of the model read from `file`: each parent's properties and managed
/// versions are inherited where the child does not set them. A parent that is not on disk
/// is skipped with the reason. Returns whether the first parent was found on disk (then it
/// is a module of the project, not a dependency).
fn inherit_parents(cx: &mut Cx, file: &Path, model: &Model, inh: &mut Inherited) -> bool {
    let mut child_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    inh.dirs.push(child_dir.clone());
    let mut parent = model.parent.clone();
    let mut line = Some(model.parent_line);
    let mut first_found = false;
    let mut depth = 0;
    while let Some((g, a, v, rel)) = parent.take() {
        depth += 1;
        let shown = format!("{g}:{a}:{v}");
        let rel = rel.unwrap_or_else(|| "../pom.xml".to_string());
        let found = if rel.is_empty() {
            None
        } else {
            pom_at(&child_dir.join(&rel))
        };
        let Some(found) = found else {
            let why = if rel.is_empty() {
                "parent POM not looked up (empty <relativePath/>) and not fetched (offline)"
                    .to_string()
            } else {
                format!("parent POM not found at {rel} (offline: no repository look-up)")
            };
            cx.skip(
                line,
                format!("parent {shown}"),
                format!("{why}; properties and managed versions it defines are unknown"),
            );
            return first_found;
        };
        let pm = match load_pom(&found, inh) {
            Ok(m) => m,
            Err(e) => {
                cx.skip(line, format!("parent {shown}"), format!("unreadable: {e}"));
                return first_found;
            }
        };
        if coordinates(&pm) != (g.clone(), a.clone()) {
            let (pg, pa) = coordinates(&pm);
            cx.skip(
                line,
                format!("parent {shown}"),
                format!(
                    "{} is {pg}:{pa}, not the declared parent (offline: no repository look-up)",
                    found.display()
                ),
            );
            return first_found;
        }
        if depth == 1 {
            first_found = true;
        }
        for (k, val) in &pm.props {
            inh.props.entry(k.clone()).or_insert_with(|| val.clone());
        }
        // Parent-relative properties stay the child's (`project.version` is its own).
        let (managed, imports) = managed_of(&pm, &pm_props(&pm, &inh.props));
        for (k, val) in managed {
            inh.managed.entry(k).or_insert(val);
        }
        let props = pm_props(&pm, &inh.props);
        for d in &pm.deps {
            inh.deps.push((d.clone(), props.clone()));
        }
        child_dir = found.parent().map(Path::to_path_buf).unwrap_or_default();
        inh.dirs.push(child_dir.clone());
        for imp in imports {
            import_bom(cx, &imp, &props, inh, None);
        }
        line = None;
        parent = pm.parent.clone();
    }
    first_found
}

/// A parent's own properties over what the chain below it defines.
fn pm_props(pm: &Model, below: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut p = below.clone();
    for (k, v) in &pm.props {
        p.insert(k.clone(), v.clone());
    }
    p
}

/// Where an imported BOM may be on disk: a module of the project (a `pom.xml` in one of
/// the searched directories or their direct subdirectories), else the local Maven
/// repository (`~/.m2/repository`).
fn find_bom(g: &str, a: &str, v: &str, inh: &mut Inherited) -> Option<(PathBuf, Model)> {
    // Coordinates become path components: only plain Maven names (no separators, no
    // `..`), so that a POM cannot point the look-up outside the repository.
    let plain = |x: &str| {
        !x.is_empty()
            && !x.starts_with('.')
            && x.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
    };
    let mut candidates: Vec<PathBuf> = Vec::new();
    for dir in inh.dirs.clone() {
        candidates.push(dir.join("pom.xml"));
        if plain(a) {
            candidates.push(dir.join(a).join("pom.xml"));
        }
        if let Ok(rd) = std::fs::read_dir(&dir) {
            let mut subs: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path().join("pom.xml"))
                .filter(|p| p.is_file())
                .take(200)
                .collect();
            subs.sort();
            candidates.extend(subs);
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|_| plain(g) && plain(a) && plain(v)) {
        candidates.push(
            PathBuf::from(home)
                .join(".m2/repository")
                .join(g.replace('.', "/"))
                .join(a)
                .join(v)
                .join(format!("{a}-{v}.pom")),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in candidates {
        if !c.is_file() || !seen.insert(c.clone()) || seen.len() > 400 {
            continue;
        }
        let Ok(bytes) = palisade_io::read_limited(&c, MAX_POM_BYTES) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(m) = read_pom(&text)
            && coordinates(&m) == (g.to_string(), a.to_string())
            && m.props.get("project.version").map(String::as_str) == Some(v)
        {
            return Some((c, m));
        }
    }
    None
}

/// Imports the managed versions of a BOM (`<scope>import</scope>`) found on disk, with
/// less precedence than what is already managed; skips it with the reason otherwise.
fn import_bom(
    cx: &mut Cx,
    d: &Dep,
    props: &BTreeMap<String, String>,
    inh: &mut Inherited,
    line: Option<usize>,
) {
    let (g, a, v) = (
        interpolate(&d.group, props).unwrap_or_else(|| d.group.clone()),
        interpolate(&d.artifact, props).unwrap_or_else(|| d.artifact.clone()),
        interpolate(&d.version, props).unwrap_or_else(|| d.version.clone()),
    );
    let shown = format!("{g}:{a}:{v}");
    if inh.read.len() >= MAX_POMS {
        cx.skip(
            line,
            format!("BOM import {shown}"),
            format!("more than {MAX_POMS} POMs read"),
        );
        return;
    }
    let Some((path, m)) = find_bom(&g, &a, &v, inh) else {
        cx.skip(
            line,
            format!("BOM import {shown}"),
            "imported BOM not found on disk (not a module of the project, not in ~/.m2/repository; offline: not fetched); the versions it manages are unknown",
        );
        return;
    };
    let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if inh.read.contains(&canon) {
        return;
    }
    inh.read.push(canon);
    let mut bom_props = m.props.clone();
    // A BOM's own parent chain on disk gives its properties too (bounded by MAX_POMS).
    let mut parent = m.parent.clone();
    let mut dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    while let Some((pg, pa, _, rel)) = parent.take() {
        let rel = rel.unwrap_or_else(|| "../pom.xml".to_string());
        let Some(found) = (!rel.is_empty()).then(|| pom_at(&dir.join(&rel))).flatten() else {
            break;
        };
        let Ok(pm) = load_pom(&found, inh) else { break };
        if coordinates(&pm) != (pg, pa) {
            break;
        }
        for (k, val) in &pm.props {
            bom_props.entry(k.clone()).or_insert_with(|| val.clone());
        }
        dir = found.parent().map(Path::to_path_buf).unwrap_or_default();
        parent = pm.parent.clone();
    }
    let (managed, imports) = managed_of(&m, &bom_props);
    for (k, val) in managed {
        inh.managed.entry(k).or_insert(val);
    }
    for imp in imports {
        import_bom(cx, &imp, &bom_props, inh, line);
    }
}

/// pom.xml: `<dependencies>` with versions from properties and `<dependencyManagement>`,
/// its own and those of its parent POMs (`<relativePath>`, default `../pom.xml`) and of
/// BOMs it imports (`<scope>import</scope>`) when they are on disk. What is not on disk is
/// not fetched: it is skipped with the reason.
pub(crate) fn pom(cx: &mut Cx) -> Res<()> {
    let model = read_pom(cx.text).map_err(|(line, msg)| cx.err(line, msg))?;
    let mut inh = Inherited {
        props: BTreeMap::new(),
        managed: BTreeMap::new(),
        deps: Vec::new(),
        read: vec![std::fs::canonicalize(cx.path).unwrap_or_else(|_| cx.path.to_path_buf())],
        dirs: Vec::new(),
    };
    let path = cx.path.to_path_buf();
    let parent_on_disk = inherit_parents(cx, &path, &model, &mut inh);
    // The module's own properties win over inherited ones.
    let mut props = inh.props.clone();
    for (k, v) in &model.props {
        props.insert(k.clone(), v.clone());
    }
    if let (Some(g), Some(a)) = (
        props.get("project.groupId"),
        props.get("project.artifactId"),
    ) {
        cx.project = Some((format!("{g}:{a}"), props.get("project.version").cloned()));
    }
    let (own_managed, imports) = managed_of(&model, &props);
    let mut managed_versions = own_managed;
    // Imports of this POM come after its own entries and before its parents'.
    let parents_managed = std::mem::take(&mut inh.managed);
    for imp in &imports {
        import_bom(cx, imp, &props, &mut inh, Some(imp.line));
    }
    for (k, v) in std::mem::take(&mut inh.managed) {
        managed_versions.entry(k).or_insert(v);
    }
    for (k, v) in parents_managed {
        managed_versions.entry(k).or_insert(v);
    }
    if let (Some(g), Some(a)) = (
        props.get("project.parent.groupId"),
        props.get("project.parent.artifactId"),
    ) {
        let shown = format!("{g}:{a}");
        if parent_on_disk {
            cx.skip(
                Some(model.parent_line),
                shown,
                "the parent POM is a module of the project (read from disk for its properties and managed versions)",
            );
        } else {
            let mut p = pkg(
                MAVEN,
                &shown,
                props.get("project.parent.version").map(String::as_str),
            );
            p.line = Some(model.parent_line);
            p.direct = Some(true);
            cx.add(p);
        }
    }
    let own: Vec<(Dep, Option<BTreeMap<String, String>>)> =
        model.deps.iter().cloned().map(|d| (d, None)).collect();
    let inherited: Vec<(Dep, Option<BTreeMap<String, String>>)> = inh
        .deps
        .iter()
        .cloned()
        .map(|(d, p)| (d, Some(p)))
        .collect();
    for (d, from_parent) in own.into_iter().chain(inherited) {
        let line = if from_parent.is_some() {
            None
        } else {
            Some(d.line)
        };
        // Inherited dependencies are interpolated with the module's properties (Maven
        // interpolates the merged model), falling back on the parent's.
        let lookup = |s: &str| {
            interpolate(s, &props).or_else(|| from_parent.as_ref().and_then(|p| interpolate(s, p)))
        };
        let (Some(g), Some(a)) = (lookup(&d.group), lookup(&d.artifact)) else {
            cx.skip(
                line,
                format!("{}:{}", d.group, d.artifact),
                "unresolved property in groupId/artifactId",
            );
            continue;
        };
        if g.is_empty() || a.is_empty() {
            cx.skip(
                line,
                format!("{g}:{a}"),
                "dependency without groupId or artifactId",
            );
            continue;
        }
        let version = if d.version.is_empty() {
            managed_versions.get(&(g.clone(), a.clone())).cloned()
        } else {
            // A property defined in a parent POM that is not on disk stays unresolved.
            lookup(&d.version)
        };
        let mut p: Package = pkg(MAVEN, &format!("{g}:{a}"), version.as_deref());
        p.line = line;
        p.direct = Some(true);
        p.scope = if d.optional == "true" {
            Scope::Optional
        } else if d.scope == "test" {
            Scope::Dev
        } else {
            Scope::Required
        };
        cx.add(p);
    }
    Ok(())
}
