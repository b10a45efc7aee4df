//! The reads rules declare ([`super::Runs::reads`]), named once for the rules that share them.
//! Each list is what an adapter method calls (`guardrail_aws::iam`, `iam_principals`,
//! `account`, `ec2`); the role test holds the templates to their union.

use crate::permission::{Permission as P, AWS_POLICIES, GROUPS, POLICIES, ROLES, USERS};

/// iam-guard, a changed policy: its default version (customer or AWS managed), the version
/// before it (customer managed only), where it is attached, the inline document.
pub const CHANGED_POLICY: &[P] = &[
    P::arn("iam:GetPolicy", POLICIES),
    P::arn("iam:GetPolicy", AWS_POLICIES),
    P::arn("iam:GetPolicyVersion", POLICIES),
    P::arn("iam:GetPolicyVersion", AWS_POLICIES),
    P::arn("iam:ListPolicyVersions", POLICIES),
    P::arn("iam:ListAttachedUserPolicies", USERS),
    P::arn("iam:ListAttachedGroupPolicies", GROUPS),
    P::arn("iam:ListAttachedRolePolicies", ROLES),
    P::arn("iam:GetUserPolicy", USERS),
    P::arn("iam:GetGroupPolicy", GROUPS),
    P::arn("iam:GetRolePolicy", ROLES),
];

/// iam-guard, a new default version and the version before it (customer managed).
pub const POLICY_VERSIONS: &[P] = &[
    P::arn("iam:GetPolicy", POLICIES),
    P::arn("iam:GetPolicyVersion", POLICIES),
    P::arn("iam:ListPolicyVersions", POLICIES),
];

/// iam-guard, a role's trust policy.
pub const TRUST_POLICY: &[P] = &[P::arn("iam:GetRole", ROLES)];

/// iam-guard, a console user: password, MFA devices, whether the MFA policy is attached.
pub const CONSOLE_USER: &[P] = &[
    P::arn("iam:GetUser", USERS),
    P::arn("iam:GetLoginProfile", USERS),
    P::arn("iam:ListMFADevices", USERS),
    P::arn("iam:ListAttachedUserPolicies", USERS),
];

/// iam-guard, whether a key is still active.
pub const ACCESS_KEYS: &[P] = &[P::arn("iam:ListAccessKeys", USERS)];

/// iam-guard, a user's or role's boundary (and tags, for exemptions).
pub const BOUNDARY: &[P] = &[P::arn("iam:GetUser", USERS), P::arn("iam:GetRole", ROLES)];

/// iam-guard, the principals a change affected, with every policy they hold
/// (`Iam::read_principals`): groups and their members, inline and attached policies, the
/// holders of a changed customer managed policy.
pub const PRINCIPALS: &[P] = &[
    P::arn("iam:GetUser", USERS),
    P::arn("iam:ListGroupsForUser", USERS),
    P::arn("iam:ListUserPolicies", USERS),
    P::arn("iam:GetUserPolicy", USERS),
    P::arn("iam:ListAttachedUserPolicies", USERS),
    P::arn("iam:GetGroup", GROUPS),
    P::arn("iam:ListGroupPolicies", GROUPS),
    P::arn("iam:GetGroupPolicy", GROUPS),
    P::arn("iam:ListAttachedGroupPolicies", GROUPS),
    P::arn("iam:GetRole", ROLES),
    P::arn("iam:ListRolePolicies", ROLES),
    P::arn("iam:GetRolePolicy", ROLES),
    P::arn("iam:ListAttachedRolePolicies", ROLES),
    P::arn("iam:GetPolicy", POLICIES),
    P::arn("iam:GetPolicy", AWS_POLICIES),
    P::arn("iam:GetPolicyVersion", POLICIES),
    P::arn("iam:GetPolicyVersion", AWS_POLICIES),
    P::arn("iam:ListEntitiesForPolicy", POLICIES),
];

/// account-sweep, the account's IAM in one paginated call, and the managed policies it did
/// not return.
pub const ACCOUNT_IAM: &[P] = &[
    P::any("iam:GetAccountAuthorizationDetails"),
    P::arn("iam:GetPolicy", POLICIES),
    P::arn("iam:GetPolicy", AWS_POLICIES),
    P::arn("iam:GetPolicyVersion", POLICIES),
    P::arn("iam:GetPolicyVersion", AWS_POLICIES),
];

/// account-sweep, the credential report (generated, then read).
pub const CREDENTIAL_REPORT: &[P] = &[
    P::any("iam:GenerateCredentialReport"),
    P::any("iam:GetCredentialReport"),
];

/// account-sweep, the users' ids (AWS Config names users by id) and the report.
pub const CONFIG_USERS: &[P] = &[
    P::any("iam:GetAccountAuthorizationDetails"),
    P::any("iam:GenerateCredentialReport"),
    P::any("iam:GetCredentialReport"),
];

/// account-sweep, every enabled region's volumes and encryption default.
pub const ACCOUNT_EBS: &[P] = &[
    P::any("ec2:DescribeRegions"),
    P::any("ec2:DescribeVolumes"),
    P::any("ec2:GetEbsEncryptionByDefault"),
];

/// account-sweep, the report and users, and a user's keys to deactivate one by id.
pub const CREDENTIAL_USERS: &[P] = &[
    P::any("iam:GetAccountAuthorizationDetails"),
    P::any("iam:GenerateCredentialReport"),
    P::any("iam:GetCredentialReport"),
    P::arn("iam:ListAccessKeys", USERS),
];

/// account-sweep, service last-accessed data (`iam-permissions-unused`): a report job per
/// principal (on the user or role it is about), then the job's result, which IAM authorises
/// on no resource (`*`: the job id is not an ARN).
pub const LAST_ACCESSED: &[P] = &[
    P::arn("iam:GenerateServiceLastAccessedDetails", USERS),
    P::arn("iam:GenerateServiceLastAccessedDetails", ROLES),
    P::any("iam:GetServiceLastAccessedDetails"),
];
