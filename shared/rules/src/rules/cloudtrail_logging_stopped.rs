//! `cloudtrail-logging-stopped`: a trail was switched off (StopLogging).

use super::call_finding::{account, named, planned};
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind, TRAILS};
use crate::plan::RemediationStep;
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
    remediation: "StartLogging on the trail (remediate mode; its status is re-read first, so a \
                  trail already logging again, or deleted since, is left alone). Undo: `aws \
                  cloudtrail stop-logging --name TRAIL`.",
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
        reads: &[Permission::arn("cloudtrail:GetTrailStatus", TRAILS)],
        steps: &[StepKind::StartLogging],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["StopLogging"];

/// The trail is re-read, to start it only while it is still stopped.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) {
            return None;
        }
        Some(match stopped_trail(call) {
            Some(name) => Need::Trail {
                region: call.region.trim().to_string(),
                name: name.to_string(),
            },
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let (steps, note) = match (read, stopped_trail(call)) {
            (Read::Trail(Some(logging)), Some(name)) => {
                let step = RemediationStep::StartLogging {
                    region: call.region.trim().to_string(),
                    trail: name.to_string(),
                };
                (vec![(step, *logging)], None)
            }
            (Read::Trail(None), Some(name)) => (
                Vec::new(),
                Some(format!("trail {name}: no longer exists, nothing to start")),
            ),
            (Read::Nothing, _) => (Vec::new(), None),
            _ => return Judged::mismatched(&[&META]),
        };
        let mut judged = Judged::findings(judge(call, steps, ctx, settings));
        judged.notes.extend(note);
        judged
    },
};

/// The trail a StopLogging names (its name or ARN).
fn stopped_trail(call: &ApiCall) -> Option<&str> {
    call.request_str("name").filter(|n| !n.trim().is_empty())
}

/// The trail whose logging was stopped, with the step that starts it again when re-read.
pub fn judge(
    call: &ApiCall,
    steps: Vec<(RemediationStep, bool)>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
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
    planned(&META, call, trail, reason, steps, ctx, settings)
}

/// A trail's ARN from its name.
pub fn trail_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}
