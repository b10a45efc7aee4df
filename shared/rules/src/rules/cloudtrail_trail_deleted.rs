//! `cloudtrail-trail-deleted`: a trail was deleted (DeleteTrail).

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

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-trail-deleted",
    title: "CloudTrail trail deleted",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "DeleteTrail, by a non-exempt principal.",
    rationale:
        "A deleted trail records nothing and keeps no configuration to restart (Stratus Red Team \
                cloudtrail-delete); the guardrail and every other detection go blind.",
    remediation: "Alert only: a trail must be recreated with its bucket, key and selectors \
                  (`aws cloudtrail create-trail`), which needs a human decision.",
    anchors: &["CIS AWS Foundations 3.1, 4.5", "Security Hub CloudTrail.1"],
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
pub const EVENTS: &[&str] = &["DeleteTrail"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The deleted trail.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let trail = named(call, "name", "AWS::CloudTrail::Trail", trail_arn)
        .unwrap_or_else(|| account(call, "CloudTrail"));
    let reason = format!(
        "{} deleted trail {} in {}",
        call.principal.display(),
        trail.id,
        call.region
    );
    finding(&META, call, trail, reason, ctx, settings)
}
