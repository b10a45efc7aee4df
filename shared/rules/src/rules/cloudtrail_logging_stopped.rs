//! `cloudtrail-logging-stopped`: a trail was switched off (StopLogging).

use super::call_finding::{account, finding, named};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-logging-stopped",
    title: "CloudTrail logging stopped",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "StopLogging on a trail, by a non-exempt principal.",
    rationale:
        "Switching the trail off is an intruder's first move (Stratus Red Team cloudtrail-stop): \
                everything this guardrail and every other detection sees comes from CloudTrail.",
    remediation:
        "Alert only for now: `aws cloudtrail start-logging --name TRAIL` turns it back on.",
    anchors: &[
        "CIS AWS Foundations 3.1, 4.5",
        "Security Hub CloudTrail.1",
        "AWS Config: cloudtrail-enabled",
    ],
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
pub const EVENTS: &[&str] = &["StopLogging"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The trail whose logging was stopped.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let trail = named(call, "name", "AWS::CloudTrail::Trail", trail_arn)
        .unwrap_or_else(|| account(call, "CloudTrail"));
    let reason = format!(
        "{} stopped logging of trail {} in {}: CloudTrail records nothing more until it is \
         started again (aws cloudtrail start-logging --name {})",
        call.principal.display(),
        trail.id,
        call.region,
        trail.arn
    );
    finding(&META, call, trail, reason, ctx, settings)
}

/// A trail's ARN from its name.
pub fn trail_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}
