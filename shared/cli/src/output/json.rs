//! JSON output: an array of findings, each with rule, severity, file, statement, message,
//! and, when there are any, the escalation path ids (`paths`), the findings of the same
//! statement it subsumes (`related`) and example requests (`requests`: new access).

use super::FileFinding;
use guardrail_rules::policy::PolicyFinding;
use serde_json::{json, Value};

pub fn to_values(findings: &[FileFinding]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            let mut v = json!({
                "rule": f.finding.rule,
                "severity": f.finding.severity,
                "file": f.file,
                "kind": f.kind,
                "statement": f.finding.statement.as_ref().map(|s| json!({"index": s.index, "sid": s.sid})),
                "message": f.finding.message,
                "actions": f.finding.actions,
            });
            extras(&mut v, &f.finding);
            v
        })
        .collect()
}

/// `paths`, `related` and `requests` (example requests), present only when not empty.
pub fn extras(v: &mut Value, finding: &PolicyFinding) {
    let Some(obj) = v.as_object_mut() else {
        return;
    };
    if !finding.paths.is_empty() {
        obj.insert("paths".into(), json!(finding.paths));
    }
    if !finding.related.is_empty() {
        obj.insert("related".into(), json!(related(finding)));
    }
    if !finding.requests.is_empty() {
        obj.insert("requests".into(), json!(finding.requests));
    }
}

/// The subsumed findings, each with rule, severity, message, actions (and paths).
pub fn related(finding: &PolicyFinding) -> Vec<Value> {
    finding
        .related
        .iter()
        .map(|r| {
            let mut v = json!({
                "rule": r.rule,
                "severity": r.severity,
                "message": r.message,
                "actions": r.actions,
            });
            if !r.paths.is_empty() {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("paths".into(), json!(r.paths));
                }
            }
            v
        })
        .collect()
}

pub fn render(findings: &[FileFinding]) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(&to_values(findings))? + "\n")
}
