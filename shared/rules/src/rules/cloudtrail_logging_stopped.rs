//! `cloudtrail-logging-stopped`: a trail was switched off (StopLogging), or, swept, the
//! account has no trail that records every region's management events with validated logs.

use super::call_finding::{account, named, planned, restore_or_note, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind, TRAILS};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{reading, sweep_finding};
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-logging-stopped",
    title: "CloudTrail logging stopped",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "StopLogging on a trail, by a non-exempt principal. Swept: at least one \
             multi-region trail logs, with log file validation, and records read and write \
             management events (CIS 3.1, 3.2).",
    rationale:
        "Switching the trail off is an intruder's first move (Stratus Red Team cloudtrail-stop): \
                everything this guardrail and every other detection sees comes from CloudTrail.",
    remediation: "StartLogging on the trail (remediate mode; its status is re-read first, so a \
                  trail already logging again, or deleted since, is left alone). Undo: `aws \
                  cloudtrail stop-logging --name TRAIL`. The sweep alerts only, naming what \
                  each multi-region trail lacks.",
    anchors: &[
        "CIS AWS Foundations 3.1, 3.2, 4.5",
        "Security Hub CloudTrail.1",
        "AWS Config: cloudtrail-enabled",
    ],
    runs: &[
        Runs {
            function: Function::TamperGuard,
            triggers: &[Subscription::ApiCalls {
                source: "cloudtrail.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[Permission::arn("cloudtrail:GetTrailStatus", TRAILS)],
            steps: &[StepKind::StartLogging],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("cloudtrail:DescribeTrails"),
                Permission::arn("cloudtrail:GetTrailStatus", TRAILS),
                Permission::arn("cloudtrail:GetEventSelectors", TRAILS),
            ],
            steps: &[],
        },
    ],
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
        let reread = match (read, stopped_trail(call)) {
            (Read::Trail(logging), Some(name)) => Some((logging, name)),
            (Read::Nothing, _) => None,
            _ => return Judged::mismatched(&[&META]),
        };
        restore_or_note(
            reread,
            "trail",
            "start",
            |name, logging| {
                let step = RemediationStep::StartLogging {
                    region: call.region.trim().to_string(),
                    trail: name.to_string(),
                };
                Ok(vec![(step, *logging)])
            },
            |steps| judge(call, steps, ctx, settings),
        )
    },
};

/// The trail a StopLogging names (its name or ARN).
fn stopped_trail(call: &ApiCall) -> Option<&str> {
    call.request_str("name").filter(|n| !n.trim().is_empty())
}

/// The trail whose logging was stopped, with the step that starts it again when re-read.
pub fn judge(
    call: &ApiCall,
    steps: Steps,
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

/// A trail as the sweep read it: DescribeTrails (shadow trails included, so a multi-region
/// trail of another home region is listed), then GetTrailStatus and GetEventSelectors in its
/// home region. A status or selectors that could not be read are `Err` (why): an organization
/// trail of the management account may refuse a member account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailState {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub logging: Result<bool, String>,
    /// Its event selectors, basic or advanced, as far as management events go; empty when it
    /// has none (a trail then records every management event, AWS's default).
    pub selectors: Result<Vec<ManagementSelector>, String>,
}

/// An event selector, basic or advanced, as far as management events go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementSelector {
    /// It selects management events (basic: `IncludeManagementEvents`; advanced: a field
    /// `eventCategory` equal to `Management`).
    pub management: bool,
    /// `All`, `ReadOnly` or `WriteOnly` (advanced: from its `readOnly` field; `All` without).
    pub read_write: String,
}

/// What a multi-region trail lacks for CIS 3.1/3.2, in words (empty: nothing); `Err` when
/// what it lacks could not be read.
fn lacks(trail: &TrailState) -> Result<Vec<&'static str>, String> {
    let mut missing = Vec::new();
    if !trail.log_file_validation {
        missing.push("log file validation");
    }
    match &trail.logging {
        Ok(true) => {}
        Ok(false) => missing.push("logging (it is stopped)"),
        Err(why) => return Err(format!("trail {}: status not read ({why})", trail.arn)),
    }
    match &trail.selectors {
        Ok(s) if s.is_empty() || s.iter().any(|s| s.management && s.read_write == "All") => {}
        Ok(_) => missing.push("read and write management events"),
        Err(why) => return Err(format!("trail {}: selectors not read ({why})", trail.arn)),
    }
    Ok(missing)
}

/// The account has a multi-region trail that logs, validates its log files and records every
/// management event (CIS 3.1, 3.2); alert only, naming what each multi-region trail lacks.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        let home = facts.iam_region.as_str();
        let Some(trails) = reading(&facts.trails, meta, "the account", out) else {
            return;
        };
        let mut gaps = Vec::new();
        let mut unread = Vec::new();
        for t in trails.iter().filter(|t| t.multi_region) {
            match lacks(t) {
                Ok(missing) if missing.is_empty() => return,
                Ok(missing) => gaps.push(format!("{} lacks {}", t.name, missing.join(", "))),
                Err(why) => unread.push(why),
            }
        }
        if !unread.is_empty() {
            // One of those may be the good one: unknown, not a finding.
            out.notes
                .push(format!("{}: not judged ({})", meta.id, unread.join("; ")));
            out.unjudged_rules.push(meta.id);
            return;
        }
        let reason = match gaps.is_empty() {
            true => format!(
                "no multi-region CloudTrail trail: calls in regions without a trail of their \
                 own are not recorded ({} trail(s), none multi-region; aws cloudtrail \
                 update-trail --name TRAIL --is-multi-region-trail --enable-log-file-validation)",
                trails.len()
            ),
            false => format!(
                "no multi-region CloudTrail trail logs every management event with validated \
                 log files: {} (aws cloudtrail update-trail --name TRAIL \
                 --is-multi-region-trail --enable-log-file-validation; aws cloudtrail \
                 start-logging --name TRAIL)",
                gaps.join("; ")
            ),
        };
        let resource = ResourceRef {
            kind: "AWS::CloudTrail::Trail",
            id: facts.account.clone(),
            arn: format!("arn:aws:cloudtrail:{home}:{}:trail/*", facts.account),
        };
        let f = sweep_finding(facts, meta, mode, resource, reason, Vec::new(), settings);
        out.findings.push(f);
    },
};
