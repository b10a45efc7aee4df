//! `cloudtrail-trail-weakened`: a trail was changed to record less or be trusted less
//! (UpdateTrail, PutEventSelectors, PutInsightSelectors).

use super::call_finding::{account, finding, named};
use super::cloudtrail_logging_stopped::trail_arn;
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
    id: "cloudtrail-trail-weakened",
    title: "CloudTrail trail weakened",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "UpdateTrail that turns off multi-region recording, global service events or log file \
             validation, the organization trail, or removes the KMS key or the CloudWatch Logs \
             delivery; PutEventSelectors after which management reads or writes are no longer \
             recorded; PutInsightSelectors that switch Insights off (medium).",
    rationale: "A trail that still runs but records less is quieter than a stopped one (Stratus Red \
                Team cloudtrail-event-selectors): calls in other regions, IAM and sign-in events, or \
                every management event, silently leave the record; without validation or \
                encryption the logs can be altered or read.",
    remediation: "Alert only: the alert names what was turned off; restore it with update-trail or \
                  put-event-selectors.",
    anchors: &["CIS AWS Foundations 3.1, 3.2, 3.5, 4.5", "Security Hub CloudTrail.2, CloudTrail.4"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "cloudtrail.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["UpdateTrail", "PutEventSelectors", "PutInsightSelectors"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// What the call turned off, if anything.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let key = if call.event_name == "UpdateTrail" {
        "name"
    } else {
        "trailName"
    };
    let trail = named(call, key, "AWS::CloudTrail::Trail", trail_arn)
        .unwrap_or_else(|| account(call, "CloudTrail"));
    let weakened = weakened(call);
    if weakened.is_empty() {
        return None;
    }
    let reason = format!(
        "{} changed trail {} in {} ({}): {}",
        call.principal.display(),
        trail.id,
        call.region,
        call.event_name,
        weakened.join("; ")
    );
    let mut f = finding(&META, call, trail, reason, ctx, settings)?;
    if call.event_name == "PutInsightSelectors" {
        f.severity = Severity::Medium; // Insights are analysis, not the record itself
    }
    Some(f)
}

/// What the request turns off, in words (nothing: `cloudtrail-changed` audits the call).
pub(super) fn weakened(call: &ApiCall) -> Vec<String> {
    let r = &call.request;
    let off = |key: &str| r.get(key) == Some(&Value::Bool(false));
    let mut out = Vec::new();
    match call.event_name.as_str() {
        "UpdateTrail" => {
            if off("isMultiRegionTrail") {
                out.push(
                    "multi-region recording off: other regions' calls are no longer recorded"
                        .to_string(),
                );
            }
            if off("includeGlobalServiceEvents") {
                out.push(
                    "global service events off: IAM and sign-in events are no longer recorded"
                        .to_string(),
                );
            }
            if off("enableLogFileValidation") {
                out.push(
                    "log file validation off: altered logs can no longer be detected".to_string(),
                );
            }
            if r.get("kmsKeyId").and_then(Value::as_str) == Some("") {
                out.push("KMS encryption removed".to_string());
            }
            if r.get("cloudWatchLogsLogGroupArn").and_then(Value::as_str) == Some("") {
                out.push(
                    "CloudWatch Logs delivery removed: the metric-filter alarms go quiet"
                        .to_string(),
                );
            }
            if off("isOrganizationTrail") {
                out.push(
                    "organization trail off: member accounts are no longer recorded".to_string(),
                );
            }
        }
        "PutEventSelectors" => {
            // Selectors add up: management reads and writes must each still be recorded by
            // one of them (a data-only selector beside a management one loses nothing).
            let selectors: Vec<&Value> = r
                .get("eventSelectors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            if !selectors.is_empty() {
                let records = |kind: &str| {
                    selectors.iter().any(|s| {
                        s.get("includeManagementEvents") != Some(&Value::Bool(false))
                            && matches!(
                                s.get("readWriteType").and_then(Value::as_str).unwrap_or("All"),
                                k if k == "All" || k == kind
                            )
                    })
                };
                match (records("ReadOnly"), records("WriteOnly")) {
                    (false, false) => out.push("management events excluded".to_string()),
                    (true, false) => out.push("management write events excluded".to_string()),
                    (false, true) => out.push("management read events excluded".to_string()),
                    (true, true) => {}
                }
            }
            if let Some(advanced) = r.get("advancedEventSelectors").and_then(Value::as_array) {
                let management = advanced.iter().any(|s| {
                    s.get("fieldSelectors")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|f| {
                            f.get("field").and_then(Value::as_str) == Some("eventCategory")
                                && f.get("equals").and_then(Value::as_array).is_some_and(|v| {
                                    v.iter().any(|x| x.as_str() == Some("Management"))
                                })
                        })
                });
                if !management {
                    out.push("no advanced selector records management events".to_string());
                }
            }
        }
        "PutInsightSelectors" => {
            let empty = r
                .get("insightSelectors")
                .and_then(Value::as_array)
                .is_some_and(|s| s.is_empty());
            if empty {
                out.push("CloudTrail Insights switched off".to_string());
            }
        }
        _ => {}
    }
    out
}
