//! `guardduty-disabled`: GuardDuty was switched off or cut from its administrator, or,
//! swept, a region where no detector is enabled.

use super::call_finding::{account, finding};
use super::registry::{from_the_call, CallJudge, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::Permission;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{per_region, RegionGap};
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "guardduty-disabled",
    title: "GuardDuty disabled",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DeleteDetector or UpdateDetector with enable false (critical); UpdateDetector \
             that disables a protection plan (features DISABLED, or dataSources with enable \
             false), DisassociateFromMasterAccount, DisassociateFromAdministratorAccount, \
             DeleteMembers, DisassociateMembers or StopMonitoringMembers (high); by a non-exempt \
             principal. Swept: every swept region has an enabled detector.",
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
    runs: &[
        Runs {
            function: Function::TamperGuard,
            triggers: &[Subscription::ApiCalls {
                source: "guardduty.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[],
            steps: &[],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("guardduty:ListDetectors"),
                Permission::arn("guardduty:GetDetector", DETECTORS),
            ],
            steps: &[],
        },
    ],
    per_event: true,
};

/// The account's own detectors, in any region.
pub const DETECTORS: &str = "arn:aws:guardduty:*:{account}:detector/*";

/// The calls it judges.
pub const EVENTS: &[&str] = &[
    "DeleteDetector",
    "UpdateDetector",
    "DisassociateFromMasterAccount",
    "DisassociateFromAdministratorAccount",
    "DeleteMembers",
    "DisassociateMembers",
    "StopMonitoringMembers",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// What the call switched off; an UpdateDetector that keeps it enabled is nothing.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let detector = call.request_str("detectorId").unwrap_or("(unnamed)");
    let what = match call.event_name.as_str() {
        "DeleteDetector" => format!("deleted GuardDuty detector {detector}"),
        "UpdateDetector" if call.request.get("enable") == Some(&Value::Bool(false)) => {
            format!("disabled GuardDuty detector {detector}")
        }
        "UpdateDetector" => {
            let off = disabled_protections(&call.request);
            if off.is_empty() {
                return None;
            }
            format!(
                "disabled GuardDuty protection {} on detector {detector}",
                off.join(", ")
            )
        }
        "DeleteMembers" | "DisassociateMembers" | "StopMonitoringMembers" => {
            let n = call
                .request
                .get("accountIds")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let verb = match call.event_name.as_str() {
                "DeleteMembers" => "removed",
                "DisassociateMembers" => "disassociated",
                _ => "stopped monitoring",
            };
            format!("{verb} {n} member accounts of GuardDuty detector {detector}")
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
    let whole = call.event_name == "DeleteDetector"
        || call.request.get("enable") == Some(&Value::Bool(false));
    if whole {
        f.severity = Severity::Critical;
    }
    Some(f)
}

/// The protection plans an UpdateDetector switches off, by the names of its `features`
/// (`status: DISABLED`) and of the older `dataSources` (`enable: false`), in request order.
fn disabled_protections(request: &Value) -> Vec<String> {
    let mut off: Vec<String> = request
        .get("features")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|f| {
            f.get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("DISABLED"))
        })
        .map(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed feature)")
                .to_string()
        })
        .collect();
    let sources = request.get("dataSources");
    let disabled = |path: &[&str]| {
        let mut v = sources;
        for key in path {
            v = v.and_then(|v| v.get(*key));
        }
        v.and_then(|v| v.get("enable")) == Some(&Value::Bool(false))
    };
    for (path, name) in [
        (&["s3Logs"][..], "S3 protection (dataSources.s3Logs)"),
        (
            &["kubernetes", "auditLogs"][..],
            "EKS audit logs (dataSources.kubernetes)",
        ),
        (
            &[
                "malwareProtection",
                "scanEc2InstanceWithFindings",
                "ebsVolumes",
            ][..],
            "EBS malware protection (dataSources.malwareProtection)",
        ),
    ] {
        if disabled(path) {
            off.push(name.to_string());
        }
    }
    off
}

/// A GuardDuty detector as GetDetector reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorStatus {
    pub id: String,
    /// Its status is `ENABLED`.
    pub enabled: bool,
}

/// Every swept region has an enabled detector (Security Hub GuardDuty.1); alert only.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        per_region(
            facts,
            settings,
            out,
            &META,
            |r| &r.detectors,
            |detectors, region, account| {
                if detectors.iter().any(|d| d.enabled) {
                    return None;
                }
                let (id, why) = match detectors.first() {
                    None => ("*", "has no detector".to_string()),
                    Some(d) => (d.id.as_str(), format!("detector {} is suspended", d.id)),
                };
                Some(RegionGap {
                    reason: format!(
                    "GuardDuty is not enabled in {region} ({why}): no threat there is detected \
                     (aws guardduty create-detector --enable, or update-detector --enable, \
                     --region {region})"
                ),
                    kind: "AWS::GuardDuty::Detector",
                    arn: format!("arn:aws:guardduty:{region}:{account}:detector/{id}"),
                })
            },
        )
    },
};
