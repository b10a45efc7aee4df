//! `kms-key-disabled`: a KMS key disabled or scheduled for deletion (CIS AWS Foundations 4.7).

use super::call_finding::{audited, changed, AUDITED};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "kms-key-disabled",
    title: "KMS key disabled or scheduled for deletion",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DisableKey or ScheduleKeyDeletion, by a non-exempt principal.",
    rationale: "Data encrypted under a deleted key is lost for good, which makes ScheduleKeyDeletion a ransom tool; a disabled key stops everything that decrypts with it. CIS 4.7 asks for an alarm.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.7"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "kms.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it audits: the CIS metric filter's.
pub const EVENTS: &[&str] = &["DisableKey", "ScheduleKeyDeletion"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["keyId"],
        "AWS::KMS::Key",
        "KMS",
        |region, account, id| format!("arn:aws:kms:{region}:{account}:key/{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "the data encrypted under it; undo: aws kms cancel-key-deletion / enable-key --key-id KEY",
        ctx,
        settings,
    )
}
