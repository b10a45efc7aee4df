//! `iam-user-direct-policy`: a policy attached straight to a user.

use super::reads;
use super::registry::SweepJudge;
use super::registry::{change_if, CallJudge, ChangeRead, Judged, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::iam::IamChange;
use crate::mode::Mode;
use crate::plan::{IamTarget, IamTargetKind};
use crate::settings::Settings;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-user-direct-policy",
    title: "Policy attached directly to a user",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "AttachUserPolicy or PutUserPolicy: permissions given to a user instead of a group.",
    rationale: "Seeds 000/004: manage permissions through groups so that they are reviewed and \
                removed as people change jobs.",
    remediation: "Alert only: moving the grant to a group needs a human decision.",
    anchors: &["CIS AWS Foundations 1.15"],
    runs: &[
        Runs {
            function: Function::IamGuard,
            triggers: &[Subscription::ApiCalls {
                source: "iam.amazonaws.com",
                names: &["AttachUserPolicy", "PutUserPolicy"],
            }],
            reads: reads::CHANGED_POLICY,
            steps: &[],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: reads::ACCOUNT_IAM,
            steps: &[],
        },
    ],
    per_event: false,
};

/// `iam-user-direct-policy`: a policy given straight to a user.
pub fn direct_policy(
    target: &IamTarget,
    policy: &str,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    if target.kind != IamTargetKind::User {
        return None;
    }
    let (meta, mode) = super::enabled(&META, settings)?;
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::User",
            id: policy.to_string(),
            arn: target.arn(account),
        },
        region,
        account,
        format!(
            "policy {policy} was given directly to user {}; grant permissions through groups",
            target.name
        ),
        Vec::new(),
        ctx,
        settings,
    ))
}

/// On the re-read attachment or inline policy of a user (read once with the policy rules').
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        change_if(call, |c| match c {
            IamChange::Attached { target, .. } | IamChange::Inline { target, .. } => {
                target.kind == IamTargetKind::User
            }
            _ => false,
        })
    },
    judge: |call, read, ctx, settings| {
        let (account, region) = (call.account.as_str(), call.region.as_str());
        // Still there, or nothing to say (the policy rules note what is gone).
        let given = match read {
            Read::Change(ChangeRead::Attached {
                target,
                policy_arn,
                attached: Some(attached),
                document: Some(_),
            }) if attached.contains(policy_arn) => Some((target, policy_arn)),
            Read::Change(ChangeRead::Inline {
                target,
                policy_name,
                document: Some(_),
            }) => Some((target, policy_name)),
            Read::Change(_) => None,
            _ => return Judged::mismatched(&[&META]),
        };
        Judged::findings(given.and_then(|(target, policy)| {
            direct_policy(target, policy, account, region, ctx, settings)
        }))
    },
};

/// Swept over every non-exempt user's attached and inline policies.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let ctx = EventContext::default();
        for u in &facts.iam.users {
            if settings.exempts_principal(&u.tags, &u.arn) {
                continue; // noted once, by the policy family
            }
            let target = IamTarget {
                kind: IamTargetKind::User,
                name: u.name.clone(),
            };
            let direct = u.attached.iter().chain(u.inline.iter().map(|p| &p.name));
            for policy in direct {
                out.findings.extend(crate::iam::direct_policy(
                    &target,
                    policy,
                    &facts.account,
                    &facts.iam_region,
                    &ctx,
                    settings,
                ));
            }
        }
    },
};
