//! `ebs-snapshot-shared`: an EBS snapshot that anyone (`all`), or an account outside the
//! allowed list, may create volumes from: a whole disk handed out (Stratus Red Team
//! `ec2-share-ebs-snapshot`).

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

pub const META: RuleMeta = RuleMeta {
    id: "ebs-snapshot-shared",
    title: "EBS snapshot shared publicly or outside the allowed accounts",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "ModifySnapshotAttribute adding createVolumePermission for the group `all` \
             (public: critical) or for an account that is neither this one, a member account \
             nor one of GUARDRAIL_SHARE_ACCOUNTS (high), judged on the snapshot's permissions \
             as re-read; a snapshot with the exempt tag is left alone.",
    rationale: "Anyone a snapshot is shared with can create a volume from it and read the whole \
                disk; a public snapshot is readable by every AWS account. Exfiltrating a disk \
                this way takes one call and leaves no data-plane trace.",
    remediation: "Remove exactly the public and foreign permissions the snapshot holds now \
                  (ModifySnapshotAttribute remove; the allowed accounts keep theirs). Undo: \
                  `aws ec2 modify-snapshot-attribute --snapshot-id SNAP --attribute \
                  createVolumePermission --operation-type add --group-names all` (or \
                  --user-ids ACCOUNT).",
    anchors: &[
        "Security Hub EC2.1",
        "AWS Config: ebs-snapshot-public-restorable-check",
        "Stratus Red Team: aws.exfiltration.ec2-share-ebs-snapshot",
    ],
    runs: &[
        Runs {
            function: Function::EbsEncryption,
            triggers: &[Subscription::ApiCalls {
                source: "ec2.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[
                Permission::any("ec2:DescribeSnapshots"),
                Permission::any("ec2:DescribeSnapshotAttribute"),
            ],
            steps: &[StepKind::RemoveSnapshotShares],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("ec2:DescribeSnapshots"),
                Permission::any("ec2:DescribeSnapshotAttribute"),
            ],
            steps: &[StepKind::RemoveSnapshotShares],
        },
    ],
    per_event: false,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["ModifySnapshotAttribute"];

/// A share is judged on the snapshot's permissions as they are now (a share already undone
/// is nothing).
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) || !adds_permission(call) {
            return None;
        }
        let snapshot_id = call.request_str("snapshotId")?;
        is_ec2_id(snapshot_id, "snap-").then(|| Need::SnapshotShares {
            region: call.region.trim().to_string(),
            snapshot_id: snapshot_id.to_string(),
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::SnapshotShares(Some(shares)) => match exempt(shares, "snapshot", settings) {
            Some(why) => Judged::cleared(why),
            None => Judged::findings(judge(call, shares, ctx, settings)),
        },
        Read::SnapshotShares(None) => Judged::note(format!(
            "{}: snapshot {} no longer exists",
            META.id,
            call.request_str("snapshotId").unwrap_or("?")
        )),
        _ => Judged::mismatched(&[&META]),
    },
};

/// Whether the call adds a createVolumePermission (a removal only narrows the share).
fn adds_permission(call: &ApiCall) -> bool {
    call.request
        .get("createVolumePermission")
        .and_then(|p| p.get("add"))
        .and_then(|a| a.get("items"))
        .and_then(|i| i.as_array())
        .is_some_and(|items| !items.is_empty())
}

/// Every own snapshot of every swept region, judged as a share of it would be: a snapshot
/// shared before the guardrail was deployed, or while it was down, is found too.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let ctx = EventContext::default();
        for r in &facts.regions {
            for shares in &r.snapshots {
                if let Some(why) = exempt(shares, "snapshot", settings) {
                    out.notes.push(format!("{}: {why}", META.id));
                    continue;
                }
                out.findings.extend(finding(
                    &facts.account,
                    &r.facts.region,
                    None,
                    shares,
                    &ctx,
                    settings,
                ));
            }
        }
    },
};

/// Why the snapshot or image (`what`) is left alone: it carries the exempt tag. Shared with
/// `ec2-image-shared`.
pub(crate) fn exempt(shares: &SnapshotShares, what: &str, settings: &Settings) -> Option<String> {
    shares.tags.contains_key(&settings.exempt_tag).then(|| {
        format!(
            "{what} {} carries the exempt tag {}",
            shares.snapshot_id, settings.exempt_tag
        )
    })
}

/// The foreign accounts of `shares` and, in words, who may use the resource; `None` when it
/// is neither public nor shared outside the allowed accounts. Shared with `ec2-image-shared`.
pub(crate) fn exposed(
    shares: &SnapshotShares,
    own: &str,
    settings: &Settings,
) -> Option<(Vec<String>, String)> {
    let foreign: Vec<String> = shares
        .accounts
        .iter()
        .filter(|a| !allowed(a, own, settings))
        .cloned()
        .collect();
    let with = match (shares.public, foreign.is_empty()) {
        (false, true) => return None,
        (true, true) => "every AWS account (public)".to_string(),
        (true, false) => format!("every AWS account (public) and {}", foreign.join(", ")),
        (false, false) => format!("account(s) {} outside the allowed list", foreign.join(", ")),
    };
    Some((foreign, with))
}

/// The accounts a snapshot (or an image) may be shared with: this one, the member accounts,
/// and GUARDRAIL_SHARE_ACCOUNTS.
fn allowed(account: &str, own: &str, settings: &Settings) -> bool {
    account == own
        || settings.home_account.as_deref() == Some(account)
        || settings.member_accounts.iter().any(|a| a == account)
        || settings.share_accounts.iter().any(|a| a == account)
}

/// The finding for the snapshot's public or foreign permissions as re-read, with the step
/// that removes exactly those.
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

/// The finding for a snapshot's public or foreign permissions in `account`'s `region`;
/// `who`: the caller that shared it (`None`: found by the sweep).
fn finding(
    account: &str,
    region: &str,
    who: Option<&str>,
    shares: &SnapshotShares,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = enabled(&META, settings)?;
    let (foreign, with) = exposed(shares, account, settings)?;
    let id = &shares.snapshot_id;
    let reason = match who {
        Some(who) => format!("{who} shared EBS snapshot {id} in {region} with {with}"),
        None => format!("EBS snapshot {id} in {region} is shared with {with}"),
    } + ": they can create a volume from it and read the whole disk";
    let step = RemediationStep::RemoveSnapshotShares {
        region: region.to_string(),
        snapshot_id: id.clone(),
        public: shares.public,
        accounts: foreign,
    };
    let mut f = Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::EC2::Snapshot",
            id: id.clone(),
            arn: format!("arn:aws:ec2:{region}:{account}:snapshot/{id}"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trigger::{decode_str, Trigger};

    fn call(items: &str) -> Box<ApiCall> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../events/ebs/modify-snapshot-attribute-public.json"
        ))
        .unwrap()
        .replace(r#"[{"group":"all"}]"#, items)
        .replace(
            "{\n                  \"group\": \"all\"\n                }",
            items,
        );
        match decode_str(&text).unwrap() {
            Trigger::ApiCall(c) => c,
            other => panic!("{other:?}"),
        }
    }

    fn shares(public: bool, accounts: &[&str]) -> SnapshotShares {
        SnapshotShares {
            snapshot_id: "snap-0aaaaaaaaaaaaaaa1".into(),
            public,
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
            tags: Default::default(),
        }
    }

    #[test]
    fn public_is_critical_foreign_high_allowed_nothing() {
        let c = call(r#"[{"group":"all"}]"#);
        let ctx = EventContext::of(&c);
        let settings = Settings::from_lookup(|k| {
            (k == "GUARDRAIL_SHARE_ACCOUNTS").then(|| "111122223333".to_string())
        })
        .unwrap();
        let need = (JUDGE.needs)(&c, &settings);
        assert!(
            matches!(need, Some(Need::SnapshotShares { .. })),
            "{need:?}"
        );
        let f = judge(&c, &shares(true, &[]), &ctx, &settings).unwrap();
        assert_eq!(f.severity, Severity::Critical);
        let f = judge(
            &c,
            &shares(false, &["210987654321", "111122223333"]),
            &ctx,
            &settings,
        )
        .unwrap();
        assert_eq!(f.severity, Severity::High);
        let RemediationStep::RemoveSnapshotShares { accounts, .. } = &f.actions[0].step else {
            panic!("{f:?}")
        };
        assert_eq!(
            accounts,
            &["210987654321"],
            "the allowed account keeps its share"
        );
        assert!(judge(
            &c,
            &shares(false, &["111122223333", "123456789012"]),
            &ctx,
            &settings
        )
        .is_none());
        // Gone since: a note, never a guess.
        let judged = (JUDGE.judge)(&c, &Read::SnapshotShares(None), &ctx, &settings);
        assert!(judged.findings.is_empty() && !judged.notes.is_empty());
    }
}
