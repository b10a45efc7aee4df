//! `iam-change-audit`: identity changes worth a line in the security channel.

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-change-audit",
    title: "IAM change",
    severity: Severity::Info,
    default_mode: Mode::Alert,
    checks: "CreateUser, DeleteUser, CreateLoginProfile, CreateAccessKey, Attach/Detach/Put/\
             Delete user, group and role policies, CreateRole, UpdateAssumeRolePolicy, ... by a \
             non-exempt principal.",
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
    "PutGroupPolicy",
    "AttachRolePolicy",
    "PutRolePolicy",
    "AddUserToGroup",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "CreatePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
];
