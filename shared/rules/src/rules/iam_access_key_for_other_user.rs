//! `iam-access-key-for-other-user`: someone created an access key for a different user.

use super::reads;
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
use crate::trigger::{ApiCall, PrincipalKind};

pub const META: RuleMeta = RuleMeta {
    id: "iam-access-key-for-other-user",
    title: "Access key created for another user",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "CreateAccessKey where the caller is not the user the key belongs to.",
    rationale: "Creating keys for another identity is the simplest privilege-escalation path \
                (act as that user); people create their own keys.",
    remediation: "Deactivate the new key (reversible; it is not deleted).",
    anchors: &["Rhino Security Labs IAM privilege escalation: CreateAccessKey"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ApiCalls {
            source: "iam.amazonaws.com",
            names: &["CreateAccessKey"],
        }],
        reads: reads::ACCESS_KEYS,
        steps: &[StepKind::DeactivateAccessKey],
    }],
    per_event: false,
};

/// `iam-access-key-for-other-user`. `active` is the key's re-read status (`None`: gone).
pub fn access_key_for_other_user(
    call: &ApiCall,
    user_name: &str,
    access_key_id: &str,
    active: Option<bool>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let own_key = call.principal.kind == PrincipalKind::IamUser
        && call.principal.user_name.as_deref() == Some(user_name);
    // Root's own key names no user (iam-root-activity's); root creating one for an IAM user
    // is a key for another user like anyone else's.
    let roots_own =
        call.principal.kind == PrincipalKind::Root && call.request_str("userName").is_none();
    if own_key || roots_own {
        return None;
    }
    let active = active?;
    let (meta, mode) = super::enabled(&META, settings)?;
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::AccessKey",
            id: access_key_id.to_string(),
            arn: format!("arn:aws:iam::{}:user/{user_name}", call.account),
        },
        &call.region,
        &call.account,
        format!(
            "{} created access key {access_key_id} for another user, {user_name}",
            call.principal.display()
        ),
        vec![(
            RemediationStep::DeactivateAccessKey {
                user_name: user_name.to_string(),
                access_key_id: access_key_id.to_string(),
            },
            !active,
        )],
        ctx,
        settings,
    ))
}

/// On the re-read status of the new key.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| change_if(call, |c| matches!(c, IamChange::AccessKey { .. })),
    judge: |call, read, ctx, settings| match read {
        Read::Change(ChangeRead::AccessKey {
            user_name,
            access_key_id,
            active,
        }) if active.is_none() => Judged::note(format!(
            "access key {access_key_id} of user {user_name} no longer exists: not judged"
        )),
        Read::Change(ChangeRead::AccessKey {
            user_name,
            access_key_id,
            active,
        }) => Judged::findings(access_key_for_other_user(
            call,
            user_name,
            access_key_id,
            *active,
            ctx,
            settings,
        )),
        _ => Judged::mismatched(&[&META]),
    },
};
