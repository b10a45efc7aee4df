//! `guardduty-disabled`: GuardDuty was switched off or cut from its administrator.

use super::call_finding::{account, finding};
use super::registry::{CallJudge, Judged, Need, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "guardduty-disabled",
    title: "GuardDuty disabled",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DeleteDetector or UpdateDetector with enable false (critical); \
             DisassociateFromMasterAccount, DisassociateFromAdministratorAccount or DeleteMembers \
             (high); by a non-exempt principal.",
    rationale:
        "GuardDuty is the account's threat detection; an intruder switches it off, or cuts the \
                account from the administrator that watches its findings, before acting.",
    remediation:
        "Alert only: re-enable the detector (`aws guardduty update-detector --enable`) or \
                  re-invite the account, which needs a human decision.",
    anchors: &[
        "Security Hub GuardDuty.1",
        "AWS Config: guardduty-enabled-centralized",
    ],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "guardduty.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &[
    "DeleteDetector",
    "UpdateDetector",
    "DisassociateFromMasterAccount",
    "DisassociateFromAdministratorAccount",
    "DeleteMembers",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| META.declares_call(call).then_some(Need::Nothing),
    judge: |call, _, ctx, settings| Judged::findings(judge(call, ctx, settings)),
};

/// What the call switched off; an UpdateDetector that keeps it enabled is nothing.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let detector = call.request_str("detectorId").unwrap_or("(unnamed)");
    let what = match call.event_name.as_str() {
        "DeleteDetector" => format!("deleted GuardDuty detector {detector}"),
        "UpdateDetector" if call.request.get("enable") == Some(&Value::Bool(false)) => {
            format!("disabled GuardDuty detector {detector}")
        }
        "UpdateDetector" => return None,
        "DeleteMembers" => {
            let n = call
                .request
                .get("accountIds")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("removed {n} member accounts from GuardDuty detector {detector}")
        }
        _ => "cut this account's GuardDuty from its administrator account".to_string(),
    };
    let reason = format!("{} {what} in {}", call.principal.display(), call.region);
    let mut f = finding(
        &META,
        call,
        account(call, "GuardDuty"),
        reason,
        ctx,
        settings,
    )?;
    if matches!(
        call.event_name.as_str(),
        "DeleteDetector" | "UpdateDetector"
    ) {
        f.severity = Severity::Critical;
    }
    Some(f)
}
