//! `ec2-image-shared`: an AMI that anyone (`all`), or an account outside the allowed list,
//! may launch: the image's disks, and whatever was baked into them (keys, configuration,
//! code), handed out. The image twin of `ebs-snapshot-shared`, judged the same way: on the
//! launch permissions as re-read, never on the event alone.

use super::ebs_snapshot_shared::exempt;
use super::registry::{CallJudge, Judged, Need, Read, Round, SnapshotShares, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::{enabled, RuleMeta};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{is_ec2_id, ApiCall};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "ec2-image-shared",
    title: "AMI shared publicly or outside the allowed accounts",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "ModifyImageAttribute adding a launchPermission for the group `all` (public: \
             critical) or for an account that is neither this one, a member account nor one \
             of GUARDRAIL_SHARE_ACCOUNTS (high), judged on the image's launch permissions as \
             re-read (DescribeImageAttribute); an image with the exempt tag is left alone. \
             Shares with an organisation or OU stay inside it and are not judged.",
    rationale: "Anyone an image is shared with can launch it and read every disk it holds, \
                with whatever was baked in: keys, configuration, code. A public AMI is listed \
                to every AWS account; Security Hub EC2.1's twin for images, and Stratus Red \
                Team's `ec2-share-ami`.",
    remediation: "Remove exactly the public and foreign launch permissions the image holds \
                  now (ModifyImageAttribute remove; the allowed accounts keep theirs). Undo: \
                  `aws ec2 modify-image-attribute --image-id AMI --launch-permission \
                  'Add=[{Group=all}]'` (or `{UserId=ACCOUNT}`), as the alert says.",
    anchors: &[
        "AWS Config: ec2-ami-public-check (ami-public)",
        "Prowler: ec2_ami_public",
        "Stratus Red Team: aws.exfiltration.ec2-share-ami",
    ],
    runs: &[
        Runs {
            function: Function::ExposureGuard,
            triggers: &[Subscription::ApiCalls {
                source: "ec2.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[
                Permission::any("ec2:DescribeImages"),
                Permission::any("ec2:DescribeImageAttribute"),
            ],
            steps: &[StepKind::RemoveImageShares],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("ec2:DescribeImages"),
                Permission::any("ec2:DescribeImageAttribute"),
            ],
            steps: &[StepKind::RemoveImageShares],
        },
    ],
    per_event: false,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["ModifyImageAttribute"];

/// A share is judged on the image's permissions as they are now (a share already undone is
/// nothing).
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) || !adds_permission(call) {
            return None;
        }
        let image_id = call.request_str("imageId")?;
        is_ec2_id(image_id, "ami-").then(|| Need::ImageShares {
            region: call.region.trim().to_string(),
            image_id: image_id.to_string(),
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::ImageShares(Some(shares)) => match exempt(shares, "image", settings) {
            Some(why) => Judged::cleared(why),
            None => Judged::findings(judge(call, shares, ctx, settings)),
        },
        Read::ImageShares(None) => Judged::note(format!(
            "{}: image {} no longer exists",
            META.id,
            call.request_str("imageId").unwrap_or("?")
        )),
        _ => Judged::mismatched(&[&META]),
    },
};

/// Whether the call adds a launch permission (a removal, a description or a product-code
/// change never widens who may launch). CloudTrail records the request's
/// `launchPermission.add.items`.
fn adds_permission(call: &ApiCall) -> bool {
    call.request
        .get("launchPermission")
        .and_then(|p| p.get("add"))
        .and_then(|a| a.get("items"))
        .and_then(Value::as_array)
        .is_some_and(|items| !items.is_empty())
}

/// Every own image of every swept region, judged as a share of it would be: an image made
/// public before the guardrail was deployed, or while it was down, is found too.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let ctx = EventContext::default();
        for r in &facts.regions {
            for shares in &r.images {
                if let Some(why) = exempt(shares, "image", settings) {
                    out.notes.push(format!("{}: {why}", META.id));
                    continue;
                }
                let found = finding(
                    &facts.account,
                    &r.facts.region,
                    None,
                    shares,
                    &ctx,
                    settings,
                );
                out.findings.extend(found);
            }
        }
    },
};

/// The finding for the image's public or foreign permissions as re-read, with the step that
/// removes exactly those.
pub fn judge(
    call: &ApiCall,
    shares: &SnapshotShares,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let who = call.principal.display();
    finding(
        &call.account,
        call.region.trim(),
        Some(&who),
        shares,
        ctx,
        settings,
    )
}

/// The finding for an image's public or foreign permissions in `account`'s `region`; `who`:
/// the caller that shared it (`None`: found by the sweep).
fn finding(
    account: &str,
    region: &str,
    who: Option<&str>,
    shares: &SnapshotShares,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = enabled(&META, settings)?;
    // The same allowed accounts as snapshots (GUARDRAIL_SHARE_ACCOUNTS).
    let (foreign, with) = super::ebs_snapshot_shared::exposed(shares, account, settings)?;
    let id = &shares.snapshot_id;
    let reason = match who {
        Some(who) => format!("{who} shared image {id} in {region} with {with}"),
        None => format!("image {id} in {region} is shared with {with}"),
    } + ": they can launch it and read every disk it holds";
    let step = RemediationStep::RemoveImageShares {
        region: region.to_string(),
        image_id: id.clone(),
        public: shares.public,
        accounts: foreign,
    };
    let mut f = Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::EC2::Image",
            id: id.clone(),
            arn: format!("arn:aws:ec2:{region}::image/{id}"),
        },
        region,
        account,
        reason,
        vec![(step, false)],
        ctx,
        settings,
    );
    if !shares.public {
        f.severity = Severity::High;
    }
    Some(f)
}
