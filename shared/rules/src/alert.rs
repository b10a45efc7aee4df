//! Rendering a finding into an alert: words for people, JSON and attributes for machines.

use crate::finding::{ActionStatus, Finding};
use crate::rules;
use std::collections::BTreeMap;

/// SNS refuses subjects of 100 characters or more, and any with control characters.
pub const MAX_SUBJECT: usize = 99;

/// An alert ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub subject: String,
    /// Human-readable text followed by the finding as JSON.
    pub message: String,
    /// SNS message attributes, for subscription filter policies.
    pub attributes: BTreeMap<String, String>,
}

/// Render a finding.
pub fn render(finding: &Finding) -> Alert {
    let title = rules::meta(finding.rule)
        .map(|m| m.title)
        .unwrap_or(finding.rule);
    let subject = sanitize_subject(&format!(
        "[{}] {}: {} in {}",
        finding.severity.as_str().to_uppercase(),
        title,
        short_name(&finding.resource.id),
        finding.region
    ));
    let mut text = String::new();
    text.push_str(&format!("Guardrail finding: {title}\n\n"));
    text.push_str(&format!(
        "Rule:      {} (severity {})\n",
        finding.rule, finding.severity
    ));
    text.push_str(&format!("What:      {}\n", finding.reason));
    text.push_str(&format!(
        "Where:     account {}, region {}\n",
        finding.account, finding.region
    ));
    text.push_str(&format!("Resource:  {}\n", finding.resource.arn));
    text.push_str(&format!(
        "Who:       {}\n",
        finding.principal.as_deref().unwrap_or("unknown")
    ));
    text.push_str(&format!(
        "Event:     {}\n",
        finding
            .event_id
            .as_deref()
            .unwrap_or("none (sweep or AWS Config)")
    ));
    text.push_str(&format!(
        "Mode:      {}{}\n",
        finding.mode.as_str(),
        if finding.dry_run { " (dry-run)" } else { "" }
    ));
    text.push_str("Actions:\n");
    if finding.actions.is_empty() {
        text.push_str("  - none\n");
    }
    for action in &finding.actions {
        let what = action.step.describe();
        let line = match &action.status {
            ActionStatus::Recommended => format!("recommended (alert mode): {what}"),
            ActionStatus::Planned => format!("planned (dry-run, not done): {what}"),
            ActionStatus::Pending => format!("not executed: {what}"),
            ActionStatus::Done => format!("done: {what}"),
            ActionStatus::AlreadyDone => format!("already done earlier: {what}"),
            ActionStatus::Failed { error } => format!("FAILED: {what}: {error}"),
        };
        text.push_str(&format!("  - {line}\n"));
    }
    text.push_str("\n--- finding (JSON) ---\n");
    text.push_str(&serde_json::to_string_pretty(finding).unwrap_or_default());
    text.push('\n');

    let mut attributes = BTreeMap::new();
    attributes.insert("rule".to_string(), finding.rule.to_string());
    attributes.insert("severity".to_string(), finding.severity.to_string());
    attributes.insert("account".to_string(), finding.account.clone());
    attributes.insert("region".to_string(), finding.region.clone());
    attributes.insert("mode".to_string(), finding.mode.as_str().to_string());
    Alert {
        subject,
        message: text,
        attributes,
    }
}

/// The last path segment of an ARN-like id (`AdministratorAccess`, not the whole ARN): the
/// subject has 99 characters, the body has the full ARN.
fn short_name(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// ASCII printable only, at most [`MAX_SUBJECT`] characters.
fn sanitize_subject(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    clean.chars().take(MAX_SUBJECT).collect()
}
