//! Findings of a scanning engine (secrets, CI audit, vulnerability check) as SARIF 2.1.0.
//!
//! Engines keep their own finding types (they know what a secret or a vulnerable package
//! is); to publish them to a code-scanning dashboard they map each to a [`SarifResult`]
//! and each rule to a [`SarifRule`], and call [`render_findings_sarif`]. One writer, so
//! every command's SARIF has the same shape, the same ordering and passes the same schema
//! test.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// SARIF `level` of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `error`: a policy failure.
    Error,
    /// `warning`.
    Warning,
    /// `note`: informational.
    Note,
}

impl Level {
    /// The SARIF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// One rule (`tool.driver.rules[]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SarifRule {
    /// Stable id, e.g. `aws-access-key-id` or `unpinned-uses`.
    pub id: String,
    /// One-line description.
    pub short: String,
    /// Longer help: what it means and how to fix it.
    pub help: String,
    /// Optional URL with more help.
    pub help_uri: Option<String>,
    /// `security-severity` (0.0–10.0) that GitHub code scanning sorts by, if known.
    pub security_severity: Option<f32>,
    /// Tags (`security`, the phase, the ecosystem…).
    pub tags: Vec<String>,
}

/// A region of a file (1-based lines and columns, as SARIF counts).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SarifLocation {
    /// Path relative to the scanned root, `/`-separated.
    pub uri: String,
    /// First line (1-based); 0 = the whole file.
    pub start_line: u64,
    /// First column (1-based), if known.
    pub start_column: Option<u64>,
    /// Last line, if it differs from `start_line`.
    pub end_line: Option<u64>,
    /// Column one past the end, if known.
    pub end_column: Option<u64>,
    /// The text of the region (already redacted if it is secret).
    pub snippet: Option<String>,
    /// A free-form note shown with the location (e.g. the commit that introduced it).
    pub message: Option<String>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SarifResult {
    /// The rule's id (must be one of the rules given).
    pub rule_id: String,
    /// Severity.
    pub level: Option<Level>,
    /// The message.
    pub message: String,
    /// Where (first = primary).
    pub locations: Vec<SarifLocation>,
    /// `partialFingerprints` (e.g. `{"palisade/v1": "<hex>"}`), so dashboards follow a
    /// finding across line moves.
    pub fingerprints: BTreeMap<String, String>,
    /// Extra `properties`.
    pub properties: BTreeMap<String, Value>,
}

/// A whole SARIF run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SarifRun {
    /// Tool name (`palisade`).
    pub tool_name: String,
    /// Tool version.
    pub tool_version: String,
    /// Informational URI of the tool, if any.
    pub information_uri: Option<String>,
    /// The rules (written in the order given; results refer to them by index too).
    pub rules: Vec<SarifRule>,
    /// The results, in the order given (engines sort them deterministically).
    pub results: Vec<SarifResult>,
}

fn location(l: &SarifLocation) -> Value {
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), json!({"uri": l.uri}));
    if l.start_line > 0 {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(l.start_line));
        if let Some(c) = l.start_column {
            region.insert("startColumn".into(), json!(c.max(1)));
        }
        if let Some(e) = l.end_line {
            region.insert("endLine".into(), json!(e.max(l.start_line)));
        }
        if let Some(c) = l.end_column {
            region.insert("endColumn".into(), json!(c.max(1)));
        }
        if let Some(s) = &l.snippet {
            region.insert("snippet".into(), json!({"text": s}));
        }
        physical.insert("region".into(), Value::Object(region));
    }
    let mut loc = Map::new();
    loc.insert("physicalLocation".into(), Value::Object(physical));
    if let Some(m) = &l.message {
        loc.insert("message".into(), json!({"text": m}));
    }
    Value::Object(loc)
}

/// The run as SARIF 2.1.0 JSON (pretty, final newline). Deterministic: nothing is added
/// that the input does not hold.
pub fn render_findings_sarif(run: &SarifRun) -> String {
    let index: BTreeMap<&str, usize> = run
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let rules: Vec<Value> = run
        .rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.short},
                "fullDescription": {"text": if r.help.is_empty() { &r.short } else { &r.help }},
                "help": {"text": if r.help.is_empty() { &r.short } else { &r.help }},
            });
            if let Some(u) = &r.help_uri {
                v["helpUri"] = json!(u);
            }
            let mut props = Map::new();
            if !r.tags.is_empty() {
                props.insert("tags".into(), json!(r.tags));
            }
            if let Some(s) = r.security_severity {
                props.insert("security-severity".into(), json!(format!("{s:.1}")));
            }
            if !props.is_empty() {
                v["properties"] = Value::Object(props);
            }
            v
        })
        .collect();
    let results: Vec<Value> = run
        .results
        .iter()
        .map(|r| {
            let mut v = Map::new();
            v.insert("ruleId".into(), json!(r.rule_id));
            if let Some(i) = index.get(r.rule_id.as_str()) {
                v.insert("ruleIndex".into(), json!(i));
            }
            if let Some(l) = r.level {
                v.insert("level".into(), json!(l.as_str()));
            }
            v.insert("message".into(), json!({"text": r.message}));
            if !r.locations.is_empty() {
                v.insert(
                    "locations".into(),
                    Value::Array(r.locations.iter().map(location).collect()),
                );
            }
            if !r.fingerprints.is_empty() {
                v.insert("partialFingerprints".into(), json!(r.fingerprints));
            }
            if !r.properties.is_empty() {
                v.insert("properties".into(), json!(r.properties));
            }
            Value::Object(v)
        })
        .collect();
    let mut driver = json!({
        "name": run.tool_name,
        "version": run.tool_version,
        "rules": rules,
    });
    if let Some(u) = &run.information_uri {
        driver["informationUri"] = json!(u);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_points_at_its_rule_and_region() {
        let run = SarifRun {
            tool_name: "palisade".into(),
            tool_version: "0.1.0".into(),
            rules: vec![
                SarifRule {
                    id: "a".into(),
                    short: "A".into(),
                    ..Default::default()
                },
                SarifRule {
                    id: "b".into(),
                    short: "B".into(),
                    security_severity: Some(7.5),
                    ..Default::default()
                },
            ],
            results: vec![SarifResult {
                rule_id: "b".into(),
                level: Some(Level::Error),
                message: "m".into(),
                locations: vec![SarifLocation {
                    uri: "x/y.yml".into(),
                    start_line: 3,
                    start_column: Some(7),
                    snippet: Some("uses: a@v1".into()),
                    ..Default::default()
                }],
                fingerprints: [("palisade/v1".to_string(), "ff".to_string())].into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let v: Value = serde_json::from_str(&render_findings_sarif(&run)).unwrap();
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            7
        );
        assert_eq!(r["partialFingerprints"]["palisade/v1"], "ff");
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][1]["properties"]["security-severity"],
            "7.5"
        );
    }
}
