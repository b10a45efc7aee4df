//! JSON output: an array of findings, each with rule, severity, file, statement, message.

use super::FileFinding;
use serde_json::{json, Value};

pub fn to_values(findings: &[FileFinding]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.finding.rule,
                "severity": f.finding.severity,
                "file": f.file,
                "kind": f.kind,
                "statement": f.finding.statement.as_ref().map(|s| json!({"index": s.index, "sid": s.sid})),
                "message": f.finding.message,
                "actions": f.finding.actions,
            })
        })
        .collect()
}

pub fn render(findings: &[FileFinding]) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(&to_values(findings))? + "\n")
}
