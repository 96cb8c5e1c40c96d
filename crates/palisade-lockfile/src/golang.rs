//! Go: go.mod (require, replace, `// indirect`, toolchain) and go.sum.

use std::collections::BTreeMap;

use crate::util::{Cx, Res, hash_b64, pkg};
use crate::{Ecosystem, Package};

const GO: Ecosystem = Ecosystem::Go;

/// A module path and an optional version.
type ModVer = (String, Option<String>);

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"').trim_matches('`')
}

/// go.mod: required modules after `replace`, plus the Go toolchain as `stdlib`.
pub(crate) fn go_mod(cx: &mut Cx) -> Res<()> {
    let mut block: Option<String> = None;
    let mut requires: Vec<(usize, String, String, bool)> = Vec::new();
    let mut replaces: BTreeMap<ModVer, (String, Option<String>, usize)> = BTreeMap::new();
    let mut go_version: Option<String> = None;
    let mut toolchain: Option<String> = None;
    for (i, raw) in cx.text.lines().enumerate() {
        let line = i + 1;
        let (code, comment) = match raw.find("//") {
            Some(j) => (&raw[..j], raw[j + 2..].trim()),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, rest) = if let Some(b) = &block {
            if code == ")" {
                block = None;
                continue;
            }
            (b.clone(), code)
        } else {
            let (v, r) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
            let r = r.trim();
            if r == "(" {
                block = Some(v.to_string());
                continue;
            }
            (v.to_string(), r)
        };
        let f: Vec<&str> = rest.split_whitespace().map(unquote).collect();
        match verb.as_str() {
            "module" => cx.project = f.first().map(|m| (m.to_string(), None)),
            "go" => go_version = f.first().map(|s| s.to_string()),
            "toolchain" => toolchain = f.first().map(|s| s.to_string()),
            "require" => {
                let (Some(m), Some(v)) = (f.first(), f.get(1)) else {
                    return Err(cx.err(
                        line,
                        format!("require needs a module and a version: {code:?}"),
                    ));
                };
                requires.push((
                    line,
                    m.to_string(),
                    v.to_string(),
                    comment.contains("indirect"),
                ));
            }
            "replace" => {
                let Some(arrow) = f.iter().position(|t| *t == "=>") else {
                    return Err(cx.err(line, format!("replace without `=>`: {code:?}")));
                };
                let (old, new) = f.split_at(arrow);
                let new = &new[1..];
                let (Some(om), Some(nm)) = (old.first(), new.first()) else {
                    return Err(cx.err(line, format!("malformed replace: {code:?}")));
                };
                replaces.insert(
                    (om.to_string(), old.get(1).map(|s| s.to_string())),
                    (nm.to_string(), new.get(1).map(|s| s.to_string()), line),
                );
            }
            "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            other => return Err(cx.err(line, format!("unknown go.mod directive {other:?}"))),
        }
    }
    // `go mod tidy` never writes one module twice; when a hand-edited file does, both are
    // reported (the build would pick the higher; we do not compare versions here).
    for (line, m, v, indirect) in &requires {
        let rep = replaces
            .get(&(m.clone(), Some(v.clone())))
            .or_else(|| replaces.get(&(m.clone(), None)));
        let mut p: Package = match rep {
            Some((nm, _, _)) if nm.starts_with('.') || nm.starts_with('/') => {
                let mut p = pkg(GO, m, None);
                p.source = Some(nm.clone());
                p
            }
            Some((nm, nv, _)) => pkg(GO, nm, nv.as_deref().or(Some(v))),
            None => pkg(GO, m, Some(v)),
        };
        p.line = Some(*line);
        p.direct = Some(!indirect);
        cx.add(p);
    }
    let tool = toolchain
        .as_deref()
        .and_then(|t| t.strip_prefix("go"))
        .map(|t| t.split('-').next().unwrap_or(t).to_string());
    if let Some(v) = tool.or(go_version) {
        let mut p = pkg(GO, "stdlib", Some(&v));
        p.line = cx.line_of("toolchain ").or_else(|| cx.line_of("\ngo "));
        p.direct = Some(true);
        cx.add(p);
    }
    Ok(())
}

/// go.sum: every module whose content hash is recorded (lines for `/go.mod` only are
/// modules Go read the requirements of but did not download).
pub(crate) fn go_sum(cx: &mut Cx) -> Res<()> {
    let mut full: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    let mut modonly: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, raw) in cx.text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split_whitespace().collect();
        let [m, v, h] = f.as_slice() else {
            return Err(cx.err(line, format!("expected `module version hash`, found {l:?}")));
        };
        if let Some(v) = v.strip_suffix("/go.mod") {
            modonly
                .entry((m.to_string(), v.to_string()))
                .or_insert(line);
        } else {
            full.insert((m.to_string(), v.to_string()), (line, h.to_string()));
        }
    }
    for ((m, v), line) in &modonly {
        if !full.contains_key(&(m.clone(), v.clone())) {
            cx.skip(
                Some(*line),
                format!("{m} {v}"),
                "only the go.mod hash is recorded (module not used in the build)",
            );
        }
    }
    for ((m, v), (line, h)) in full {
        let mut p = pkg(GO, &m, Some(&v));
        p.line = Some(line);
        if let Some(b) = h.strip_prefix("h1:")
            && let Some(mut hash) = hash_b64("sha256", b)
        {
            hash.alg = "go-h1".into();
            p.hashes.push(hash);
        }
        cx.add(p);
    }
    Ok(())
}
