//! `cloudtrail-changed`: any other change to a trail's configuration (CIS AWS Foundations 4.5
//! alarms on CreateTrail, UpdateTrail and StartLogging as well as on the switch-offs).

use super::call_finding::{account, audited, named, AUDITED};
use super::cloudtrail_logging_stopped::trail_arn;
use super::cloudtrail_trail_weakened::weakened;
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-changed",
    title: "CloudTrail trail changed",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "CreateTrail, StartLogging, and an UpdateTrail that turns nothing off (the ones \
             that do are cloudtrail-trail-weakened's), by a non-exempt principal; the alert names \
             the settings the request set.",
    rationale: "CIS 4.5 asks for an alarm on every trail change: an UpdateTrail that only moves \
                the logs to another bucket or log group turns nothing off, yet sends the record \
                somewhere the security team may not read.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.5"],
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

/// The calls it audits.
pub const EVENTS: &[&str] = &["CreateTrail", "UpdateTrail", "StartLogging"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the trail the call names; a weakening UpdateTrail is left to
/// `cloudtrail-trail-weakened` (one alert per call).
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    if call.event_name == "UpdateTrail" && !weakened(call).is_empty() {
        return None;
    }
    let trail = named(call, "name", "AWS::CloudTrail::Trail", trail_arn)
        .unwrap_or_else(|| account(call, "CloudTrail"));
    let set = settings_set(call);
    let why = if set.is_empty() {
        "where the account's audit record goes".to_string()
    } else {
        format!(
            "where the account's audit record goes; set: {}",
            set.join(", ")
        )
    };
    audited(&META, call, trail, &why, ctx, settings)
}

/// The delivery settings the request set (`s3BucketName=logs-elsewhere`), in request order:
/// where the logs now go is what the reader checks.
fn settings_set(call: &ApiCall) -> Vec<String> {
    const DELIVERY: [&str; 5] = [
        "s3BucketName",
        "s3KeyPrefix",
        "snsTopicName",
        "cloudWatchLogsLogGroupArn",
        "kmsKeyId",
    ];
    DELIVERY
        .iter()
        .filter_map(|k| call.request_str(k).map(|v| format!("{k}={v}")))
        .collect()
}
