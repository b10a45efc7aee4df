//! CloudWatch metrics as Embedded Metric Format (EMF) log lines.
//!
//! EMF turns a JSON log line into metrics with no API call and no extra IAM permission: the
//! cheapest way for a Lambda to publish "findings per rule" and "remediations per outcome".
//! The documents are built here (pure data); the runtime prints them to stdout.

use crate::finding::{ActionStatus, Finding};
use serde_json::{json, Value};

/// The CloudWatch namespace of every guardrail metric.
pub const NAMESPACE: &str = "Guardrail";

fn emf(timestamp_ms: u64, dimensions: &[(&str, &str)], metric: &str, value: u64) -> Value {
    let names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    let mut doc = json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{"Name": metric, "Unit": "Count"}]
            }]
        },
        metric: value,
    });
    if let Some(obj) = doc.as_object_mut() {
        for (k, v) in dimensions {
            obj.insert((*k).to_string(), Value::String((*v).to_string()));
        }
    }
    doc
}

/// One `Findings` metric for the finding, and one `Remediations` metric per executed,
/// failed or planned step (dimension `Outcome`).
pub fn for_finding(finding: &Finding, timestamp_ms: u64) -> Vec<Value> {
    let severity = finding.severity.as_str();
    let mut out = vec![emf(
        timestamp_ms,
        &[("Rule", finding.rule), ("Severity", severity)],
        "Findings",
        1,
    )];
    for action in &finding.actions {
        let outcome = match action.status {
            ActionStatus::Done => "done",
            ActionStatus::Failed { .. } => "failed",
            ActionStatus::Planned => "planned",
            ActionStatus::AlreadyDone => "already_done",
            ActionStatus::Recommended | ActionStatus::Pending => continue,
        };
        out.push(emf(
            timestamp_ms,
            &[("Rule", finding.rule), ("Outcome", outcome)],
            "Remediations",
            1,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_shape() {
        let doc = emf(1, &[("Rule", "r"), ("Severity", "high")], "Findings", 1);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0][1],
            "Severity"
        );
        assert_eq!(doc["Findings"], 1);
        assert_eq!(doc["Rule"], "r");
    }
}
