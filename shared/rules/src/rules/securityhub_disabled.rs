//! `securityhub-disabled`: Security Hub, or some of its standards, switched off.

use super::call_finding::{account, finding};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "securityhub-disabled",
    title: "Security Hub disabled",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DisableSecurityHub (critical) or BatchDisableStandards (high), by a non-exempt \
             principal.",
    rationale:
        "Security Hub gathers the account's findings (this guardrail's among them) and runs \
                its standards' checks; disabling it or its standards hides them.",
    remediation: "Alert only: `aws securityhub enable-security-hub` or \
                  `batch-enable-standards` turns it back on.",
    anchors: &["CIS AWS Foundations 4.16", "Security Hub CIS 4.16"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "securityhub.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["DisableSecurityHub", "BatchDisableStandards"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// What was switched off.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let what = match call.event_name.as_str() {
        "DisableSecurityHub" => "disabled Security Hub".to_string(),
        _ => {
            // Security Hub's members are PascalCase; CloudTrail records them as sent.
            let standards: Vec<&str> = ["StandardsSubscriptionArns", "standardsSubscriptionArns"]
                .iter()
                .find_map(|k| call.request.get(*k))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|a| a.split_once("subscription/").map_or(a, |(_, name)| name))
                .collect();
            format!("disabled Security Hub standards {}", standards.join(", "))
        }
    };
    let reason = format!("{} {what} in {}", call.principal.display(), call.region);
    let mut f = finding(
        &META,
        call,
        account(call, "Security Hub"),
        reason,
        ctx,
        settings,
    )?;
    if call.event_name == "DisableSecurityHub" {
        f.severity = Severity::Critical;
    }
    Some(f)
}
