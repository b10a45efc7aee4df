//! `iam-change-audit`: identity changes worth a line in the security channel.

use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "iam-change-audit",
    title: "IAM change",
    severity: Severity::Info,
    default_mode: Mode::Alert,
    checks: "CreateUser, DeleteUser, CreateLoginProfile, CreateAccessKey, Attach/Detach/Put/\
             Delete user, group and role policies, Create/Delete policies and policy versions \
             (every call of CIS 4.4), CreateRole, UpdateAssumeRolePolicy, ... by a non-exempt \
             principal.",
    rationale: "Seed 000: monitor IAM changes through CloudTrail; most are fine, all should be \
                seen.",
    remediation: "Alert only (severity info; filter on the `severity` message attribute).",
    anchors: &["CIS AWS Foundations 4.4"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ApiCalls {
            source: "iam.amazonaws.com",
            names: AUDITED,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls audited.
pub const AUDITED: &[&str] = &[
    "CreateUser",
    "DeleteUser",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "DeleteLoginProfile",
    "CreateAccessKey",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "PutUserPolicy",
    "DeleteUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "PutGroupPolicy",
    "DeleteGroupPolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "AddUserToGroup",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
];

/// `iam-change-audit`: an audited IAM call by a non-exempt principal.
pub fn change_audit(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    if call.service() != "iam" || !AUDITED.contains(&call.event_name.as_str()) {
        return None;
    }
    let (meta, mode) = super::enabled(&META, settings)?;
    let named: Vec<String> = [
        "userName",
        "groupName",
        "roleName",
        "policyName",
        "policyArn",
    ]
    .iter()
    .filter_map(|k| call.request_str(k).map(|v| format!("{k}={v}")))
    .collect();
    let about = if named.is_empty() {
        String::new()
    } else {
        format!(" ({})", named.join(", "))
    };
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::::Account",
            id: call.event_name.clone(),
            arn: format!("arn:aws:iam::{}:root", call.account),
        },
        &call.region,
        &call.account,
        format!(
            "{} called {}{about}",
            call.principal.display(),
            call.action()
        ),
        Vec::new(),
        ctx,
        settings,
    ))
}

/// Judged from the event alone.
pub const JUDGE: CallJudge = from_the_call!(META, change_audit);
