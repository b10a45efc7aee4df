//! Data for the MFA rule: which actions are sensitive. Kept as data so it can be reviewed and
//! extended without touching the rule's logic.

use super::super::catalog::{catalog, AccessLevel};
use std::sync::OnceLock;

/// Sensitive actions outside IAM (destructive or security-control-disabling).
pub const EXTRA_SENSITIVE: &[&str] = &[
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ec2:DeleteVolume",
    "ec2:DeleteSnapshot",
    "ec2:ModifyInstanceAttribute",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "guardduty:DeleteDetector",
    "organizations:LeaveOrganization",
    "rds:DeleteDBInstance",
    "rds:DeleteDBCluster",
];

/// Actions a user must be able to call *before* having MFA to set it up (AWS's own
/// "manage your own MFA" example allows them without MFA). Not sensitive for this rule, so the
/// seed MFA-force policy is clean.
pub const MFA_BOOTSTRAP: &[&str] = &[
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ResyncMFADevice",
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "sts:GetSessionToken",
];

/// IAM Write and Permissions-management actions (from the catalogue) minus the bootstrap set,
/// plus [`EXTRA_SENSITIVE`].
pub fn sensitive_actions() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut out: Vec<String> = catalog()
            .service("iam")
            .map(|s| {
                s.actions
                    .iter()
                    .filter(|(_, l)| {
                        matches!(l, AccessLevel::Write | AccessLevel::PermissionsManagement)
                    })
                    .map(|(n, _)| format!("iam:{n}"))
                    .filter(|a| !MFA_BOOTSTRAP.iter().any(|b| b.eq_ignore_ascii_case(a)))
                    .collect()
            })
            .unwrap_or_default();
        out.extend(EXTRA_SENSITIVE.iter().map(|s| s.to_string()));
        out
    })
}
