//! Java: Gradle lockfiles and Maven pom.xml (declared dependencies; no network, so
//! parent POMs and imported BOMs are not fetched).

use std::collections::BTreeMap;

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

/// pom.xml: `<dependencies>` with versions from properties and `<dependencyManagement>`.
pub(crate) fn pom(cx: &mut Cx) -> Res<()> {
    let mut reader = quick_xml::Reader::from_str(cx.text);
    let mut path: Vec<String> = Vec::new();
    let mut props: BTreeMap<String, String> = BTreeMap::new();
    let mut deps: Vec<Dep> = Vec::new();
    let mut managed: Vec<Dep> = Vec::new();
    let mut cur: Option<Dep> = None;
    let mut text = String::new();
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            cx.err(
                line_at(cx.text, reader.error_position() as usize),
                format!("invalid XML: {e}"),
            )
        })?;
        match ev {
            Event::Start(e) => {
                if path.len() > 64 {
                    return Err(cx.err(line_at(cx.text, pos), "XML nested too deeply"));
                }
                let ln = e.local_name();
                let name = {
                    let n: &str = ln.as_ref();
                    n.to_string()
                };
                if name == "dependency" {
                    cur = Some(Dep {
                        line: line_at(cx.text, pos),
                        ..Dep::default()
                    });
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => {
                let x: &str = t.as_ref();
                text.push_str(x)
            }
            Event::CData(t) => {
                let x: &str = t.as_ref();
                text.push_str(x)
            }
            Event::GeneralRef(r) => {
                let name = {
                    let x: &str = r.as_ref();
                    x.to_string()
                };
                text.push_str(match name.as_str() {
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
                let value = text.trim().to_string();
                match p.as_slice() {
                    ["project", "properties", k] => {
                        props.insert(k.to_string(), value.clone());
                    }
                    ["project", f @ ("groupId" | "artifactId" | "version")] => {
                        props.insert(format!("project.{f}"), value.clone());
                        props.insert(format!("pom.{f}"), value.clone());
                    }
                    [
                        "project",
                        "parent",
                        f @ ("groupId" | "artifactId" | "version"),
                    ] => {
                        props.insert(format!("project.parent.{f}"), value.clone());
                        props.insert(format!("parent.{f}"), value.clone());
                    }
                    ["project", "dependencies", "dependency"] => deps.extend(cur.take()),
                    [
                        "project",
                        "dependencyManagement",
                        "dependencies",
                        "dependency",
                    ] => managed.extend(cur.take()),
                    [.., "dependency", f] => {
                        if let Some(d) = cur.as_mut() {
                            match *f {
                                "groupId" => d.group = value.clone(),
                                "artifactId" => d.artifact = value.clone(),
                                "version" => d.version = value.clone(),
                                "scope" => d.scope = value.clone(),
                                "optional" => d.optional = value.clone(),
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
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for k in ["groupId", "version"] {
        if !props.contains_key(&format!("project.{k}"))
            && let Some(v) = props.get(&format!("project.parent.{k}")).cloned()
        {
            props.insert(format!("project.{k}"), v.clone());
            props.insert(format!("pom.{k}"), v);
        }
    }
    if let (Some(g), Some(a)) = (
        props.get("project.groupId"),
        props.get("project.artifactId"),
    ) {
        cx.project = Some((format!("{g}:{a}"), props.get("project.version").cloned()));
    }
    let managed_versions: BTreeMap<(String, String), String> = managed
        .iter()
        .filter_map(|d| {
            let g = interpolate(&d.group, &props)?;
            let a = interpolate(&d.artifact, &props)?;
            Some(((g, a), interpolate(&d.version, &props)?))
        })
        .collect();
    if let (Some(g), Some(a)) = (
        props.get("project.parent.groupId"),
        props.get("project.parent.artifactId"),
    ) {
        let mut p = pkg(
            MAVEN,
            &format!("{g}:{a}"),
            props.get("project.parent.version").map(String::as_str),
        );
        p.line = cx.line_of("<parent>");
        p.direct = Some(true);
        cx.add(p);
    }
    for d in deps {
        let (Some(g), Some(a)) = (
            interpolate(&d.group, &props),
            interpolate(&d.artifact, &props),
        ) else {
            cx.skip(
                Some(d.line),
                format!("{}:{}", d.group, d.artifact),
                "unresolved property in groupId/artifactId",
            );
            continue;
        };
        if g.is_empty() || a.is_empty() {
            cx.skip(
                Some(d.line),
                format!("{g}:{a}"),
                "dependency without groupId or artifactId",
            );
            continue;
        }
        let version = if d.version.is_empty() {
            managed_versions.get(&(g.clone(), a.clone())).cloned()
        } else {
            // A property defined in a parent POM we cannot read stays unresolved: no version.
            interpolate(&d.version, &props)
        };
        let mut p: Package = pkg(MAVEN, &format!("{g}:{a}"), version.as_deref());
        p.line = Some(d.line);
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
