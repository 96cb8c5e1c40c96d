//! VEX: reading OpenVEX and CycloneDX VEX statements (whose `not_affected` / `fixed`
//! statements suppress findings) and writing OpenVEX for the findings of a check.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AdvisoryError;
use crate::matcher::Finding;

/// Largest VEX document read: 64 MiB.
pub const MAX_VEX_BYTES: u64 = 64 * 1024 * 1024;

/// One statement: these vulnerability ids, in these products, have this status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// Vulnerability id and aliases named.
    pub ids: Vec<String>,
    /// Product package URLs (without qualifiers); a purl without version covers every
    /// version.
    pub products: Vec<String>,
    /// `not_affected`, `fixed`, `affected`, `under_investigation` (CycloneDX states are
    /// mapped: `resolved` -> `fixed`, `false_positive` -> `not_affected`).
    pub status: String,
    /// Where it comes from (file).
    pub origin: String,
}

fn strip_purl(p: &str) -> &str {
    p.split(['?', '#']).next().unwrap_or(p)
}

fn purl_without_version(p: &str) -> &str {
    let base = strip_purl(p);
    match base.rfind('@') {
        Some(i) if base[..i].contains('/') => &base[..i],
        _ => base,
    }
}

impl VexStatement {
    /// Whether this statement suppresses the finding.
    pub fn suppresses(&self, f: &Finding) -> bool {
        if self.status != "not_affected" && self.status != "fixed" {
            return false;
        }
        if !f.all_ids().any(|id| self.ids.iter().any(|s| s == id)) {
            return false;
        }
        let purl = strip_purl(&f.package.purl);
        self.products.iter().any(|p| {
            let p = strip_purl(p);
            p == purl
                || (!p[p.rfind('/').unwrap_or(0)..].contains('@')
                    && p == purl_without_version(purl))
        })
    }
}

/// Reads a VEX document (OpenVEX or CycloneDX, detected by content).
pub fn read(origin: &str, bytes: &[u8]) -> Result<Vec<VexStatement>, AdvisoryError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| AdvisoryError::format(origin, e))?;
    if v.get("statements").is_some() {
        read_openvex(origin, &v)
    } else if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX")
        || v.get("vulnerabilities").is_some()
    {
        read_cyclonedx(origin, &v)
    } else {
        Err(AdvisoryError::format(
            origin,
            "neither OpenVEX (statements) nor CycloneDX VEX (vulnerabilities)",
        ))
    }
}

fn read_openvex(origin: &str, v: &Value) -> Result<Vec<VexStatement>, AdvisoryError> {
    let mut out = Vec::new();
    let stmts = v
        .get("statements")
        .and_then(Value::as_array)
        .ok_or_else(|| AdvisoryError::format(origin, "statements is not an array"))?;
    for (i, s) in stmts.iter().enumerate() {
        let place = format!("{origin}: statements[{i}]");
        let mut ids = Vec::new();
        match s.get("vulnerability") {
            Some(Value::String(id)) => ids.push(id.clone()),
            Some(Value::Object(o)) => {
                for k in ["name", "@id"] {
                    if let Some(id) = o.get(k).and_then(Value::as_str) {
                        ids.push(id.to_string());
                    }
                }
                if let Some(a) = o.get("aliases").and_then(Value::as_array) {
                    ids.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
                }
            }
            _ => return Err(AdvisoryError::format(place, "no vulnerability")),
        }
        let mut products = Vec::new();
        for p in s
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match p {
                Value::String(s) => products.push(s.clone()),
                Value::Object(o) => {
                    if let Some(id) = o.get("@id").and_then(Value::as_str) {
                        products.push(id.to_string());
                    }
                    if let Some(purl) = o
                        .get("identifiers")
                        .and_then(|i| i.get("purl"))
                        .and_then(Value::as_str)
                    {
                        products.push(purl.to_string());
                    }
                    for sc in o
                        .get("subcomponents")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(id) = sc.get("@id").and_then(Value::as_str) {
                            products.push(id.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        let status = s
            .get("status")
            .and_then(Value::as_str)
            .ok_or_else(|| AdvisoryError::format(&place, "no status"))?
            .to_string();
        out.push(VexStatement {
            ids,
            products,
            status,
            origin: origin.to_string(),
        });
    }
    Ok(out)
}

fn read_cyclonedx(origin: &str, v: &Value) -> Result<Vec<VexStatement>, AdvisoryError> {
    let mut refs = std::collections::BTreeMap::new();
    fn collect(c: &Value, refs: &mut std::collections::BTreeMap<String, String>) {
        for comp in c.as_array().into_iter().flatten() {
            if let (Some(r), Some(p)) = (
                comp.get("bom-ref").and_then(Value::as_str),
                comp.get("purl").and_then(Value::as_str),
            ) {
                refs.insert(r.to_string(), p.to_string());
            }
            if let Some(sub) = comp.get("components") {
                collect(sub, refs);
            }
        }
    }
    if let Some(c) = v.get("components") {
        collect(c, &mut refs);
    }
    let mut out = Vec::new();
    for (i, vuln) in v
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let place = format!("{origin}: vulnerabilities[{i}]");
        let mut ids = Vec::new();
        if let Some(id) = vuln.get("id").and_then(Value::as_str) {
            ids.push(id.to_string());
        }
        for r in vuln
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                ids.push(id.to_string());
            }
        }
        if ids.is_empty() {
            return Err(AdvisoryError::format(place, "no id"));
        }
        let state = vuln
            .get("analysis")
            .and_then(|a| a.get("state"))
            .and_then(Value::as_str)
            .unwrap_or("in_triage");
        let status = match state {
            "not_affected" | "false_positive" => "not_affected",
            "resolved" | "resolved_with_pedigree" => "fixed",
            "exploitable" => "affected",
            _ => "under_investigation",
        };
        let products = vuln
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("ref").and_then(Value::as_str))
            .map(|r| refs.get(r).cloned().unwrap_or_else(|| r.to_string()))
            .collect();
        out.push(VexStatement {
            ids,
            products,
            status: status.to_string(),
            origin: origin.to_string(),
        });
    }
    Ok(out)
}

/// An OpenVEX v0.2.0 document for the findings: `affected` (with the fix to take) or
/// the status a VEX document gave. `timestamp` is written as given, so the output is
/// deterministic; the document id is derived from its statements.
pub fn emit_openvex(findings: &[(&Finding, Option<&VexStatement>)], timestamp: &str) -> Vec<u8> {
    let mut statements: Vec<Value> = findings
        .iter()
        .map(|(f, s)| {
            let mut st = json!({
                "vulnerability": {"name": f.id, "aliases": f.aliases},
                "products": [{"@id": f.package.purl}],
            });
            match s {
                Some(s) => {
                    st["status"] = json!(s.status);
                    if s.status == "not_affected" {
                        st["justification"] = json!("vulnerable_code_not_in_execute_path");
                        st["impact_statement"] = json!(format!("from {}", s.origin));
                    }
                }
                None => {
                    st["status"] = json!("affected");
                    st["action_statement"] = json!(match &f.fixed {
                        Some(v) => format!("Upgrade {} to {v} or later", f.package.name),
                        None => format!(
                            "No fixed version of {} is known: remove or replace it",
                            f.package.name
                        ),
                    });
                }
            }
            st
        })
        .collect();
    statements.sort_by_key(|s| s.to_string());
    statements.dedup();
    let digest = hex::encode(Sha256::digest(Value::Array(statements.clone()).to_string()));
    let doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("urn:palisade:vex:{digest}"),
        "author": "palisade check",
        "timestamp": timestamp,
        "version": 1,
        "statements": statements,
    });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
