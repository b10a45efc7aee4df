//! `ec2-block-public-access-off`: the account-level "block public access" for EBS snapshots
//! or for AMIs switched off in a region (DisableSnapshotBlockPublicAccess,
//! DisableImageBlockPublicAccess, or EnableSnapshotBlockPublicAccess with state
//! `unblocked`). With it on, `ebs-snapshot-shared` and `ec2-image-shared` have nothing to find:
//! EC2 itself refuses to make a snapshot or an image public.
//!
//! Judged from the call. Newer EC2 calls are recorded with their request wrapped
//! (`EnableSnapshotBlockPublicAccessRequest: {State: ...}`), older ones flat: both are read.
//! The remediation (EnableSnapshotBlockPublicAccess, EnableImageBlockPublicAccess) is not
//! planned yet: the emulator the tests run against serves neither call nor their Get*State
//! re-reads, and a step that cannot be proven against a real wire protocol is not shipped.

use super::call_finding::{account, audited};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
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
    remediation: "Alert only for now: turn it back on with the command the alert gives \
                  (`aws ec2 enable-snapshot-block-public-access --state block-all-sharing` or \
                  `aws ec2 enable-image-block-public-access --image-block-public-access-state \
                  block-new-sharing`, in the call's region).",
    anchors: &["Amazon EC2: block public access for EBS snapshots and for AMIs"],
    runs: &[Runs {
        function: Function::ExposureGuard,
        triggers: &[Subscription::ApiCalls {
            source: "ec2.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls that switch it off (or may: an Enable with state `unblocked`).
pub const EVENTS: &[&str] = &[
    "DisableSnapshotBlockPublicAccess",
    "EnableSnapshotBlockPublicAccess",
    "DisableImageBlockPublicAccess",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

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

/// The switch-off, on the account in the call's region.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let region = call.region.trim();
    let (what, undo) = match call.event_name.as_str() {
        "DisableSnapshotBlockPublicAccess" => ("snapshots", snapshot_undo(region)),
        "EnableSnapshotBlockPublicAccess" => {
            // Only `unblocked` is off; `block-new-sharing` keeps new shares from being made.
            let state = requested_state(call)?;
            if !state.trim().eq_ignore_ascii_case("unblocked") {
                return None;
            }
            ("snapshots", snapshot_undo(region))
        }
        "DisableImageBlockPublicAccess" => (
            "images (AMIs)",
            format!(
                "aws ec2 enable-image-block-public-access --region {region} \
                 --image-block-public-access-state block-new-sharing"
            ),
        ),
        _ => return None,
    };
    let why = format!(
        "block public access for {what} is off in {region}: a {} can now be made public; \
         undo: `{undo}`",
        if what == "snapshots" {
            "snapshot"
        } else {
            "image"
        }
    );
    audited(
        &META,
        call,
        account(call, "EC2 block public access"),
        &why,
        ctx,
        settings,
    )
}

fn snapshot_undo(region: &str) -> String {
    format!(
        "aws ec2 enable-snapshot-block-public-access --region {region} --state block-all-sharing"
    )
}
