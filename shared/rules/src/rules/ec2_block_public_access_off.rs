//! `ec2-block-public-access-off`: the account-level "block public access" for EBS snapshots
//! or for AMIs switched off in a region (DisableSnapshotBlockPublicAccess,
//! DisableImageBlockPublicAccess, or EnableSnapshotBlockPublicAccess with state
//! `unblocked`). With it on, `ebs-snapshot-shared` and `ec2-image-shared` have nothing to find:
//! EC2 itself refuses to make a snapshot or an image public.
//!
//! Judged from the call. Newer EC2 calls are recorded with their request wrapped
//! (`EnableSnapshotBlockPublicAccessRequest: {State: ...}`), older ones flat: both are read.
//! In remediate mode only, the region's state is re-read (Get*BlockPublicAccessState) and the
//! setting turned back on while it is still off; alert mode reads nothing. The emulator the
//! tests run against serves neither the re-reads nor the Enable calls: the plan is tested in
//! the core, and against the emulator that a refused re-read is a retryable error, never a
//! step taken blind (tests/exposure_guardrail.rs).

use super::call_finding::{account, audited_with, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "ec2-block-public-access-off",
    title: "EC2 block public access for snapshots or images switched off",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DisableSnapshotBlockPublicAccess, DisableImageBlockPublicAccess, and \
             EnableSnapshotBlockPublicAccess with state `unblocked`, in any region, judged \
             from the call.",
    rationale: "Block public access for snapshots and for AMIs is the account-level switch \
                that keeps a disk or an image from being shared with every AWS account; \
                switching it off is the step before such a share.",
    remediation: "Turn it back on in the call's region (remediate mode; the state is re-read \
                  first, and a setting already on again is left alone): \
                  EnableSnapshotBlockPublicAccess `block-all-sharing` for snapshots, \
                  EnableImageBlockPublicAccess `block-new-sharing` for AMIs. Undo: `aws ec2 \
                  disable-snapshot-block-public-access` or `disable-image-block-public-access`. \
                  In alert mode the alert gives the command that turns it on.",
    anchors: &["Amazon EC2: block public access for EBS snapshots and for AMIs"],
    runs: &[Runs {
        function: Function::ExposureGuard,
        triggers: &[Subscription::ApiCalls {
            source: "ec2.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[
            Permission::any("ec2:GetSnapshotBlockPublicAccessState"),
            Permission::any("ec2:GetImageBlockPublicAccessState"),
        ],
        steps: &[StepKind::EnableEc2BlockPublicAccess],
    }],
    per_event: true,
};

/// The calls that switch it off (or may: an Enable with state `unblocked`).
pub const EVENTS: &[&str] = &[
    "DisableSnapshotBlockPublicAccess",
    "EnableSnapshotBlockPublicAccess",
    "DisableImageBlockPublicAccess",
];

/// Judged on the call; in remediate mode the region's state is re-read first, to turn it on
/// only while it is still off.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        if !META.declares_call(call) {
            return None;
        }
        let remediate = settings.mode(META.id) == Mode::Remediate;
        Some(match (switched_off(call), remediate) {
            (Some(images), true) => Need::Ec2BlockPublicAccess {
                region: call.region.trim().to_string(),
                images,
            },
            _ => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let steps = match (read, switched_off(call)) {
            (Read::Ec2BlockPublicAccess(state), Some(images)) => {
                let step = RemediationStep::EnableEc2BlockPublicAccess {
                    region: call.region.trim().to_string(),
                    images,
                };
                let on = !state.trim().eq_ignore_ascii_case("unblocked");
                vec![(step, on)]
            }
            (Read::Nothing, _) => Vec::new(),
            _ => return Judged::mismatched(&[&META]),
        };
        Judged::findings(judge(call, steps, ctx, settings))
    },
};

/// What the call switched off: `Some(true)` for AMIs, `Some(false)` for snapshots, `None`
/// when it switched nothing off (an Enable to a blocking state).
fn switched_off(call: &ApiCall) -> Option<bool> {
    match call.event_name.as_str() {
        "DisableSnapshotBlockPublicAccess" => Some(false),
        "EnableSnapshotBlockPublicAccess" => requested_state(call)
            .filter(|s| s.trim().eq_ignore_ascii_case("unblocked"))
            .map(|_| false),
        "DisableImageBlockPublicAccess" => Some(true),
        _ => None,
    }
}

/// The state an Enable call asked for: `State` at the top of the request or inside its
/// `...Request` wrapper.
fn requested_state(call: &ApiCall) -> Option<&str> {
    let req = &call.request;
    let wrapped = req.as_object().and_then(|o| {
        o.iter()
            .find(|(k, v)| k.ends_with("Request") && v.is_object())
            .map(|(_, v)| v)
    });
    [Some(req), wrapped]
        .into_iter()
        .flatten()
        .find_map(|v| v.get("State").or_else(|| v.get("state")))
        .and_then(Value::as_str)
}

/// The switch-off, on the account in the call's region, with the step a re-read planned.
pub fn judge(
    call: &ApiCall,
    steps: Steps,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let region = call.region.trim();
    // Only `unblocked` is off; `block-new-sharing` keeps new shares from being made.
    let (what, undo) = match switched_off(call)? {
        false => ("snapshots", snapshot_undo(region)),
        true => (
            "images (AMIs)",
            format!(
                "aws ec2 enable-image-block-public-access --region {region} \
                 --image-block-public-access-state block-new-sharing"
            ),
        ),
    };
    let why = format!(
        "block public access for {what} is off in {region}: a {} can now be made public; \
         to turn it back on: `{undo}`",
        if what == "snapshots" {
            "snapshot"
        } else {
            "image"
        }
    );
    audited_with(
        &META,
        call,
        account(call, "EC2 block public access"),
        &why,
        steps,
        ctx,
        settings,
    )
}

fn snapshot_undo(region: &str) -> String {
    format!(
        "aws ec2 enable-snapshot-block-public-access --region {region} --state block-all-sharing"
    )
}
