//! SARIF 2.1.0 for GitHub code scanning.

use super::FileFinding;
use guardrail_rules::policy::analysis::rules;
use guardrail_rules::Severity;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn render(findings: &[FileFinding]) -> Result<String, serde_json::Error> {
    let rule_list: Vec<_> = rules::ALL
        .iter()
        .map(|(id, desc)| json!({"id": id, "shortDescription": {"text": desc}}))
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut properties = json!({"severity": f.finding.severity});
            super::json::extras(&mut properties, &f.finding);
            json!({
                "ruleId": f.finding.rule,
                "ruleIndex": rules::ALL.iter().position(|(id, _)| *id == f.finding.rule),
                "level": level(f.finding.severity),
                "message": {"text": format!("{}: {}", f.location(), f.finding.message)},
                "properties": properties,
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file}}}],
            })
        })
        .collect();
    document(rule_list, results)
}

/// The SARIF 2.1.0 log around a run's rules and results (shared by every command's output).
pub fn document(rules: Vec<Value>, results: Vec<Value>) -> Result<String, serde_json::Error> {
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "guardrail",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}
