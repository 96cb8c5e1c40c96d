//! SARIF 2.1.0 for code-scanning dashboards: one rule per control, one result per control
//! that fails (`error`) or is partly met (`warning`), located at its evidence.

use serde_json::{Value, json};

use crate::{Report, Status};

/// The report as SARIF 2.1.0 JSON, with a final newline.
pub fn render_sarif(report: &Report) -> String {
    let rules: Vec<Value> = report
        .controls
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.title,
                "shortDescription": {"text": c.title},
                "help": {"text": if c.remediation.is_empty() { c.title.clone() } else { c.remediation.clone() }},
                "properties": {"phase": c.phase.as_str()},
            })
        })
        .collect();
    let mut results = Vec::new();
    for (index, c) in report.controls.iter().enumerate() {
        let level = match c.status {
            Status::Fail => "error",
            Status::Partial => "warning",
            _ => continue,
        };
        let message = c
            .evidence
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let locations: Vec<Value> = c
            .evidence
            .iter()
            .filter_map(|e| e.location.as_ref())
            .filter_map(|l| {
                let path = l.path.as_ref()?;
                let mut physical = json!({"artifactLocation": {"uri": path}});
                if let Some(line) = l.line {
                    physical["region"] = json!({"startLine": line.max(1)});
                }
                Some(json!({"physicalLocation": physical}))
            })
            .collect();
        let mut result = json!({
            "ruleId": c.id,
            "ruleIndex": index,
            "level": level,
            "message": {"text": if message.is_empty() { c.title.clone() } else { message }},
        });
        if !locations.is_empty() {
            result["locations"] = Value::Array(locations);
        }
        results.push(result);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
