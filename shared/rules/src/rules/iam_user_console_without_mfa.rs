//! `iam-user-console-without-mfa`: a user who can sign in to the console without MFA.

use super::reads;
use super::registry::SweepJudge;
use super::registry::{change_if, CallJudge, ChangeRead, Judged, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::iam::IamChange;
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep;

pub const META: RuleMeta = RuleMeta {
    id: "iam-user-console-without-mfa",
    title: "Console user without MFA",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "After CreateLoginProfile, UpdateLoginProfile or DeactivateMFADevice, a console \
             sign-in without MFA, and in the sweep: the user has a console password and no MFA \
             device.",
    rationale: "Seeds 000/003/004: a console password alone is one phishing mail away from \
                the account; MFA is the baseline.",
    remediation: "Attach the guardrail's MFA-enforcement deny policy (modelled on the seed \
                  MFAForcePolicy): the user can still sign in and enrol a device, and nothing \
                  else until they do.",
    anchors: &[
        "AWS Config: mfa-enabled-for-iam-console-access",
        "CIS AWS Foundations 1.10",
    ],
    runs: &[
        Runs {
            function: Function::IamGuard,
            triggers: &[
                Subscription::ApiCalls {
                    source: "iam.amazonaws.com",
                    names: EVENTS,
                },
                Subscription::ConsoleSignIn,
            ],
            reads: reads::CONSOLE_USER,
            steps: &[StepKind::AttachMfaDenyPolicy],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule, Subscription::ConfigPeriodic],
            reads: reads::CONFIG_USERS,
            steps: &[],
        },
    ],
    per_event: false,
};

/// The IAM calls after which the user is re-read (`iam::change`'s `ConsoleAccess`).
pub const EVENTS: &[&str] = &[
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "DeactivateMFADevice",
];

/// Facts about a user's console access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    pub user_name: String,
    pub has_password: bool,
    pub mfa_devices: usize,
    pub attached_policies: Vec<String>,
}

/// The reason the user violates the rule, or `None`.
pub fn judge(user: &ConsoleUser) -> Option<String> {
    (user.has_password && user.mfa_devices == 0).then(|| {
        format!(
            "IAM user {} has a console password and no MFA device",
            user.user_name
        )
    })
}

/// `iam-user-console-without-mfa`, on re-read user facts.
pub fn console_user(
    user: &ConsoleUser,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = super::enabled(&META, settings)?;
    let reason = judge(user)?;
    let steps = settings
        .mfa_policy_arn_in(account)
        .map(|arn| {
            let done = user.attached_policies.contains(&arn);
            vec![(
                RemediationStep::AttachMfaDenyPolicy {
                    user_name: user.user_name.clone(),
                    policy_arn: arn,
                },
                done,
            )]
        })
        .unwrap_or_default();
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::User",
            id: user.user_name.clone(),
            arn: format!("arn:aws:iam::{account}:user/{}", user.user_name),
        },
        region,
        account,
        reason,
        steps,
        ctx,
        settings,
    ))
}

/// On the re-read user, after a change to its console access or MFA, or its sign-in.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| change_if(call, |c| matches!(c, IamChange::ConsoleAccess { .. })),
    judge: |call, read, ctx, settings| match read {
        Read::Change(ChangeRead::ConsoleAccess {
            user: Some(user), ..
        }) => Judged::findings(console_user(
            user,
            &call.account,
            &call.region,
            ctx,
            settings,
        )),
        Read::Change(ChangeRead::ConsoleAccess {
            user_name,
            user: None,
        }) => Judged::note(format!("user {user_name} no longer exists")),
        _ => Judged::mismatched(&[&META]),
    },
};

/// Swept over the credential report's users (password and MFA from the report, policies from
/// the account's details).
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let ctx = EventContext::default();
        for (row, detail) in sweep::credential_users(facts, settings) {
            let console = ConsoleUser {
                user_name: row.user.clone(),
                has_password: row.password_enabled,
                mfa_devices: usize::from(row.mfa_active),
                attached_policies: detail.map(|u| u.attached.clone()).unwrap_or_default(),
            };
            out.findings.extend(crate::iam::console_user(
                &console,
                &facts.account,
                &facts.iam_region,
                &ctx,
                settings,
            ));
        }
    },
};
