//! `kms-key-disabled`: a KMS key disabled or scheduled for deletion (CIS AWS Foundations 4.7).

use super::call_finding::{audited_with, changed, restore_or_note, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind, KEYS};
use crate::plan::RemediationStep;
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
    remediation: "Remediate mode: the key's state is re-read, then a pending deletion is \
                  cancelled (CancelKeyDeletion) and a disabled key enabled again (EnableKey); \
                  a key already enabled again, gone, or in another state (importing, \
                  unavailable) is left alone. Undo: `aws kms schedule-key-deletion` / \
                  `aws kms disable-key --key-id KEY`.",
    anchors: &["CIS AWS Foundations 4.7", "Security Hub KMS.3"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "kms.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[Permission::arn("kms:DescribeKey", KEYS)],
        steps: &[StepKind::CancelKeyDeletion, StepKind::EnableKey],
    }],
    per_event: true,
};

/// The calls it judges: the CIS metric filter's.
pub const EVENTS: &[&str] = &["DisableKey", "ScheduleKeyDeletion"];

/// The key is re-read, so only a switch-off still in force is undone.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) {
            return None;
        }
        Some(match key_id(call) {
            Some(key_id) => Need::Key {
                region: call.region.trim().to_string(),
                key_id: key_id.to_string(),
            },
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let reread = match (read, key_id(call)) {
            (Read::Key(state), Some(id)) => Some((state, id)),
            (Read::Nothing, _) => None,
            _ => return Judged::mismatched(&[&META]),
        };
        restore_or_note(
            reread,
            "KMS key",
            "undo",
            |id, state| steps(call, id, state),
            |steps| judge(call, steps, ctx, settings),
        )
    },
};

/// The key the call names, as its id (a key ARN of the call's account names the same key
/// by its last part, which every KMS call accepts; moto's CancelKeyDeletion takes no ARN).
fn key_id(call: &ApiCall) -> Option<&str> {
    let key = call
        .request_str("keyId")
        .map(str::trim)
        .filter(|k| !k.is_empty())?;
    match key.strip_prefix("arn:") {
        Some(_) if key.contains(&format!(":{}:key/", call.account)) => key.rsplit('/').next(),
        _ => Some(key),
    }
}

/// The steps that undo the switch-off, each with whether the re-read state shows it done, or
/// why the key is left alone.
fn steps(call: &ApiCall, id: &str, state: &str) -> Result<Steps, String> {
    let region = call.region.trim().to_string();
    let cancel = RemediationStep::CancelKeyDeletion {
        region: region.clone(),
        key_id: id.to_string(),
    };
    let enable = RemediationStep::EnableKey {
        region,
        key_id: id.to_string(),
    };
    match state {
        "PendingDeletion" => Ok(vec![(cancel, false), (enable, false)]),
        "Disabled" => Ok(vec![(enable, false)]),
        "Enabled" => {
            let mut out = Vec::new();
            if call.event_name == "ScheduleKeyDeletion" {
                out.push((cancel, true));
            }
            out.push((enable, true));
            Ok(out)
        }
        other => Err(format!(
            "KMS key {id} is {other}: left alone (only a disabled or pending-deletion key is \
             restored)"
        )),
    }
}

/// The change, on the resource the call names, with the steps planned from the re-read.
pub fn judge(
    call: &ApiCall,
    steps: Steps,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let resource = changed(
        call,
        &["keyId"],
        "AWS::KMS::Key",
        "KMS",
        |region, account, id| format!("arn:aws:kms:{region}:{account}:key/{id}"),
    );
    audited_with(
        &META,
        call,
        resource,
        "the data encrypted under it; undo: aws kms cancel-key-deletion / enable-key --key-id KEY",
        steps,
        ctx,
        settings,
    )
}
