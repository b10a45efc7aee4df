//! Output of `scan`: account findings (`guardrail_rules::Finding`, a resource and a reason),
//! where `check-policy` prints policy findings (a file and a statement).

use guardrail_rules::rules;
use guardrail_rules::sweep::SweepReport;
use guardrail_rules::{Finding, Severity};
use serde_json::json;
use std::fmt::Write;

/// One line per finding, then the sweep's summary (counts, what was not judged, API calls).
pub fn text(report: &SweepReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let _ = writeln!(
            out,
            "{} [{}] {} {}: {}",
            f.severity.as_str().to_uppercase(),
            f.rule,
            f.region,
            f.resource.arn,
            f.reason
        );
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&report.summary);
    out
}

/// A JSON array of the findings, as the functions report them.
pub fn json(findings: &[Finding]) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(findings)? + "\n")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// SARIF 2.1.0; a finding's location is its resource (a logical location named by ARN).
pub fn sarif(findings: &[Finding]) -> Result<String, serde_json::Error> {
    let rule_list: Vec<_> = rules::ALL
        .iter()
        .map(|m| json!({"id": m.id, "shortDescription": {"text": m.title}}))
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": rules::ALL.iter().position(|m| m.id == f.rule),
                "level": level(f.severity),
                "message": {"text": f.reason},
                "properties": {"severity": f.severity, "region": f.region, "account": f.account},
                "locations": [{"logicalLocations": [{
                    "fullyQualifiedName": f.resource.arn,
                    "name": f.resource.id,
                    "kind": f.resource.kind,
                }]}],
            })
        })
        .collect();
    super::sarif::document(rule_list, results)
}
