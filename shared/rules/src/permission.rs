//! The IAM permissions the guardrail's own roles need, derived from the code: each remediation
//! step declares what executing it calls ([`StepKind::permissions`]), each rule declares what
//! its judgement re-reads (`rules::Runs::reads`), each function what its plumbing uses
//! ([`crate::rules::Function::plumbing`]). A test proves every function's role in
//! `template.yaml` grants exactly their union, so least privilege is kept by the compiler and
//! the tests, not by hand.

use crate::plan::RemediationStep;
use serde::Serialize;

/// What a permission is granted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "arn")]
pub enum Resource {
    /// `*`: the action has no resource type, or must list before it knows the ARN.
    Any,
    /// An ARN pattern, with `{account}`, `{region}` and `{stack}` standing for the function's own
    /// account, region and stack name.
    Arn(&'static str),
    /// The function's own log group.
    OwnLogGroup,
    /// The alert topic.
    AlertTopic,
    /// The incident ledger table.
    Ledger,
    /// The dead-letter queue of failed invocations.
    DeadLetterQueue,
    /// This account's Security Hub product (`product/{account}/default`).
    SecurityHubProduct,
    /// This account's Security Hub hub.
    SecurityHubHub,
    /// The member accounts' remediation role.
    MemberRole,
}

/// One action on one resource, optionally only under a condition key (the guard that keeps an
/// escalating permission to the one resource it needs: `iam:PolicyARN`, `aws:TagKeys`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Permission {
    pub action: &'static str,
    pub resource: Resource,
    /// The statement granting it must test this condition key.
    pub condition: Option<&'static str>,
}

impl Permission {
    pub const fn on(action: &'static str, resource: Resource) -> Permission {
        Permission {
            action,
            resource,
            condition: None,
        }
    }

    pub const fn arn(action: &'static str, arn: &'static str) -> Permission {
        Permission::on(action, Resource::Arn(arn))
    }

    pub const fn any(action: &'static str) -> Permission {
        Permission::on(action, Resource::Any)
    }

    pub const fn when(self, key: &'static str) -> Permission {
        Permission {
            condition: Some(key),
            ..self
        }
    }
}

pub const USERS: &str = "arn:aws:iam::{account}:user/*";
pub const GROUPS: &str = "arn:aws:iam::{account}:group/*";
pub const ROLES: &str = "arn:aws:iam::{account}:role/*";
pub const POLICIES: &str = "arn:aws:iam::{account}:policy/*";
pub const AWS_POLICIES: &str = "arn:aws:iam::aws:policy/*";
pub const VOLUMES: &str = "arn:aws:ec2:*:{account}:volume/*";
pub const SNAPSHOTS: &str = "arn:aws:ec2:*:{account}:snapshot/*";
/// Images (AMIs): their ARN has no account part (`arn:aws:ec2:REGION::image/ami-...`).
pub const IMAGES: &str = "arn:aws:ec2:*::image/*";
/// Snapshots as CopySnapshot names its source (no account in the ARN).
pub const SOURCE_SNAPSHOTS: &str = "arn:aws:ec2:*::snapshot/*";
pub const INSTANCES: &str = "arn:aws:ec2:*:{account}:instance/*";
pub const SECURITY_GROUPS: &str = "arn:aws:ec2:*:{account}:security-group/*";
pub const SECURITY_GROUP_RULES: &str = "arn:aws:ec2:*:{account}:security-group-rule/*";
pub const CONFIG_RECORDERS: &str = "arn:aws:config:*:{account}:configuration-recorder/*";
pub const TRAILS: &str = "arn:aws:cloudtrail:*:{account}:trail/*";
pub const KEYS: &str = "arn:aws:kms:*:{account}:key/*";
/// S3 buckets (their ARNs name no account or region).
pub const BUCKETS: &str = "arn:aws:s3:::*";
/// The EventBridge rules of the guardrail's own stack (`{stack}`: its name; CloudFormation
/// names what it creates `{stack}-{LogicalId}-{suffix}`), in the stack's region.
pub const OWN_RULES: &str = "arn:aws:events:{region}:{account}:rule/{stack}-*";

/// The kinds of [`RemediationStep`], for declarations (a rule lists the kinds it may plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    TagVolume,
    EnableEbsEncryptionByDefault,
    EncryptedCopy,
    DetachManagedPolicy,
    DeleteInlinePolicy,
    RevertPolicyVersion,
    AttachMfaDenyPolicy,
    DeactivateAccessKey,
    StopInstances,
    TerminateInstances,
    DeleteVolume,
    UpdatePasswordPolicy,
    DeleteLoginProfile,
    PutPermissionsBoundary,
    StartConfigurationRecorder,
    StartLogging,
    CancelKeyDeletion,
    EnableKey,
    EnableRule,
    PutPublicAccessBlock,
    EnableEc2BlockPublicAccess,
    RemoveSnapshotShares,
    RemoveImageShares,
    AttachQuarantinePolicy,
    RevokeSecurityGroupIngress,
}

impl RemediationStep {
    /// Its kind, whose [`StepKind::permissions`] executing it needs.
    pub fn kind(&self) -> StepKind {
        match self {
            RemediationStep::TagVolume { .. } => StepKind::TagVolume,
            RemediationStep::EnableEbsEncryptionByDefault { .. } => {
                StepKind::EnableEbsEncryptionByDefault
            }
            RemediationStep::EncryptedCopy { .. } => StepKind::EncryptedCopy,
            RemediationStep::DetachManagedPolicy { .. } => StepKind::DetachManagedPolicy,
            RemediationStep::DeleteInlinePolicy { .. } => StepKind::DeleteInlinePolicy,
            RemediationStep::RevertPolicyVersion { .. } => StepKind::RevertPolicyVersion,
            RemediationStep::AttachMfaDenyPolicy { .. } => StepKind::AttachMfaDenyPolicy,
            RemediationStep::DeactivateAccessKey { .. } => StepKind::DeactivateAccessKey,
            RemediationStep::StopInstances { .. } => StepKind::StopInstances,
            RemediationStep::TerminateInstances { .. } => StepKind::TerminateInstances,
            RemediationStep::DeleteVolume { .. } => StepKind::DeleteVolume,
            RemediationStep::UpdatePasswordPolicy { .. } => StepKind::UpdatePasswordPolicy,
            RemediationStep::DeleteLoginProfile { .. } => StepKind::DeleteLoginProfile,
            RemediationStep::PutPermissionsBoundary { .. } => StepKind::PutPermissionsBoundary,
            RemediationStep::StartConfigurationRecorder { .. } => {
                StepKind::StartConfigurationRecorder
            }
            RemediationStep::StartLogging { .. } => StepKind::StartLogging,
            RemediationStep::CancelKeyDeletion { .. } => StepKind::CancelKeyDeletion,
            RemediationStep::EnableKey { .. } => StepKind::EnableKey,
            RemediationStep::EnableRule { .. } => StepKind::EnableRule,
            RemediationStep::PutPublicAccessBlock { .. } => StepKind::PutPublicAccessBlock,
            RemediationStep::EnableEc2BlockPublicAccess { .. } => {
                StepKind::EnableEc2BlockPublicAccess
            }
            RemediationStep::RemoveSnapshotShares { .. } => StepKind::RemoveSnapshotShares,
            RemediationStep::RemoveImageShares { .. } => StepKind::RemoveImageShares,
            RemediationStep::AttachQuarantinePolicy { .. } => StepKind::AttachQuarantinePolicy,
            RemediationStep::RevokeSecurityGroupIngress { .. } => {
                StepKind::RevokeSecurityGroupIngress
            }
        }
    }
}

impl StepKind {
    /// Whether the member accounts' role may execute it. The required boundary is the home
    /// account's policy, so it cannot be put in another account (docs/deploy.md).
    pub fn in_member_accounts(self) -> bool {
        // The quarantine policy is the home stack's too: templates/member.yaml has none.
        !matches!(
            self,
            StepKind::PutPermissionsBoundary
                | StepKind::AttachQuarantinePolicy
                // The rules guarded are the home stack's; a member stack's are its own.
                | StepKind::EnableRule
        )
    }

    /// What the adapters call to execute a step of this kind (`guardrail_aws::iam`, `ec2`).
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            StepKind::TagVolume => TAG_VOLUME,
            StepKind::EnableEbsEncryptionByDefault => ENABLE_EBS_ENCRYPTION_BY_DEFAULT,
            StepKind::EncryptedCopy => ENCRYPTED_COPY,
            StepKind::DetachManagedPolicy => DETACH_MANAGED_POLICY,
            StepKind::DeleteInlinePolicy => DELETE_INLINE_POLICY,
            StepKind::RevertPolicyVersion => REVERT_POLICY_VERSION,
            StepKind::AttachMfaDenyPolicy => ATTACH_MFA_DENY_POLICY,
            StepKind::DeactivateAccessKey => DEACTIVATE_ACCESS_KEY,
            StepKind::StopInstances => STOP_INSTANCES,
            StepKind::TerminateInstances => TERMINATE_INSTANCES,
            StepKind::DeleteVolume => DELETE_VOLUME,
            StepKind::UpdatePasswordPolicy => UPDATE_PASSWORD_POLICY,
            StepKind::DeleteLoginProfile => DELETE_LOGIN_PROFILE,
            StepKind::PutPermissionsBoundary => PUT_PERMISSIONS_BOUNDARY,
            StepKind::StartConfigurationRecorder => START_CONFIGURATION_RECORDER,
            StepKind::StartLogging => START_LOGGING,
            StepKind::CancelKeyDeletion => CANCEL_KEY_DELETION,
            StepKind::EnableKey => ENABLE_KEY,
            StepKind::EnableRule => ENABLE_RULE,
            StepKind::PutPublicAccessBlock => PUT_PUBLIC_ACCESS_BLOCK,
            StepKind::EnableEc2BlockPublicAccess => ENABLE_EC2_BLOCK_PUBLIC_ACCESS,
            StepKind::RemoveSnapshotShares => REMOVE_SNAPSHOT_SHARES,
            StepKind::RemoveImageShares => REMOVE_IMAGE_SHARES,
            StepKind::AttachQuarantinePolicy => ATTACH_QUARANTINE_POLICY,
            StepKind::RevokeSecurityGroupIngress => REVOKE_SECURITY_GROUP_INGRESS,
        }
    }
}

/// The account's own security groups, and their rules (the call names the rule by its id,
/// whose ARN EC2 also authorizes). Revoking only narrows access.
const REVOKE_SECURITY_GROUP_INGRESS: &[Permission] = &[
    Permission::arn("ec2:RevokeSecurityGroupIngress", SECURITY_GROUPS),
    Permission::arn("ec2:RevokeSecurityGroupIngress", SECURITY_GROUP_RULES),
];

/// The account's own snapshots (the call both adds and removes permissions: the step only
/// removes).
const REMOVE_SNAPSHOT_SHARES: &[Permission] =
    &[Permission::arn("ec2:ModifySnapshotAttribute", SNAPSHOTS)];

/// Only the account's own images: an image's ARN names no account, so the own-account limit
/// is the `ec2:Owner`-free form AWS allows, every image in the account's regions (removing a
/// launch permission only narrows who may launch it).
const REMOVE_IMAGE_SHARES: &[Permission] = &[Permission::arn("ec2:ModifyImageAttribute", IMAGES)];

/// Only the account's own trails (which one is stopped is not known in advance).
const START_LOGGING: &[Permission] = &[Permission::arn("cloudtrail:StartLogging", TRAILS)];

/// Only the account's own keys; each only undoes a switch-off.
const CANCEL_KEY_DELETION: &[Permission] = &[Permission::arn("kms:CancelKeyDeletion", KEYS)];
const ENABLE_KEY: &[Permission] = &[Permission::arn("kms:EnableKey", KEYS)];

/// Buckets (their ARN names no account: the grant is kept to the account's own buckets by
/// `aws:ResourceAccount`), and the account's setting (no resource type). Either only turns
/// protection on.
const PUT_PUBLIC_ACCESS_BLOCK: &[Permission] = &[
    Permission::arn("s3:PutBucketPublicAccessBlock", BUCKETS).when("aws:ResourceAccount"),
    Permission::any("s3:PutAccountPublicAccessBlock"),
];

/// Account-level settings of a region (no resource type); each only blocks public sharing.
const ENABLE_EC2_BLOCK_PUBLIC_ACCESS: &[Permission] = &[
    Permission::any("ec2:EnableSnapshotBlockPublicAccess"),
    Permission::any("ec2:EnableImageBlockPublicAccess"),
];

/// Only the guardrail's own rules: enabling any other rule is not its business.
const ENABLE_RULE: &[Permission] = &[Permission::arn("events:EnableRule", OWN_RULES)];

/// Only the account's own recorders (their ids are not known in advance).
const START_CONFIGURATION_RECORDER: &[Permission] = &[Permission::arn(
    "config:StartConfigurationRecorder",
    CONFIG_RECORDERS,
)];

/// Only the guardrail's own tag keys: the role cannot retag anything else.
const TAG_VOLUME: &[Permission] = &[Permission::arn("ec2:CreateTags", VOLUMES).when("aws:TagKeys")];

const ENABLE_EBS_ENCRYPTION_BY_DEFAULT: &[Permission] =
    &[Permission::any("ec2:EnableEbsEncryptionByDefault")];

/// EC2 names a snapshot with the account (the copy) and without it (CopySnapshot's
/// source); each call touches a volume and snapshots, so all three are granted.
const ENCRYPTED_COPY: &[Permission] = &[
    Permission::arn("ec2:CreateSnapshot", VOLUMES),
    Permission::arn("ec2:CreateSnapshot", SOURCE_SNAPSHOTS),
    Permission::arn("ec2:CreateSnapshot", SNAPSHOTS),
    Permission::arn("ec2:CopySnapshot", VOLUMES),
    Permission::arn("ec2:CopySnapshot", SOURCE_SNAPSHOTS),
    Permission::arn("ec2:CopySnapshot", SNAPSHOTS),
    Permission::arn("ec2:CreateVolume", VOLUMES),
    Permission::arn("ec2:CreateVolume", SOURCE_SNAPSHOTS),
    Permission::arn("ec2:CreateVolume", SNAPSHOTS),
    // Tags only on the resources these calls create.
    Permission::arn("ec2:CreateTags", VOLUMES).when("ec2:CreateAction"),
    Permission::arn("ec2:CreateTags", SNAPSHOTS).when("ec2:CreateAction"),
    Permission::any("ec2:DescribeSnapshots"),
];

const DETACH_MANAGED_POLICY: &[Permission] = &[
    Permission::arn("iam:DetachUserPolicy", USERS),
    Permission::arn("iam:DetachGroupPolicy", GROUPS),
    Permission::arn("iam:DetachRolePolicy", ROLES),
];

const DELETE_INLINE_POLICY: &[Permission] = &[
    Permission::arn("iam:DeleteUserPolicy", USERS),
    Permission::arn("iam:DeleteGroupPolicy", GROUPS),
    Permission::arn("iam:DeleteRolePolicy", ROLES),
];

/// IAM has no condition key for the version made default: an opt-in risk
/// (AllowPolicyVersionRevert), suppressed by name in the template.
const REVERT_POLICY_VERSION: &[Permission] =
    &[Permission::arn("iam:SetDefaultPolicyVersion", POLICIES)];

/// The one MFA-enforcement policy, nothing else.
const ATTACH_MFA_DENY_POLICY: &[Permission] =
    &[Permission::arn("iam:AttachUserPolicy", USERS).when("iam:PolicyARN")];

/// The one deny-all quarantine policy, nothing else: attaching it can only take access away.
const ATTACH_QUARANTINE_POLICY: &[Permission] = &[
    Permission::arn("iam:AttachUserPolicy", USERS).when("iam:PolicyARN"),
    Permission::arn("iam:AttachRolePolicy", ROLES).when("iam:PolicyARN"),
];

const DEACTIVATE_ACCESS_KEY: &[Permission] = &[Permission::arn("iam:UpdateAccessKey", USERS)];

/// Only outside the allowed regions.
const STOP_INSTANCES: &[Permission] =
    &[Permission::arn("ec2:StopInstances", INSTANCES).when("aws:RequestedRegion")];

const TERMINATE_INSTANCES: &[Permission] =
    &[Permission::arn("ec2:TerminateInstances", INSTANCES).when("aws:RequestedRegion")];

const DELETE_VOLUME: &[Permission] =
    &[Permission::arn("ec2:DeleteVolume", VOLUMES).when("aws:RequestedRegion")];

const UPDATE_PASSWORD_POLICY: &[Permission] = &[Permission::any("iam:UpdateAccountPasswordPolicy")];

const DELETE_LOGIN_PROFILE: &[Permission] = &[Permission::arn("iam:DeleteLoginProfile", USERS)];

/// The one required boundary, nothing else: it cannot lift or swap a boundary.
const PUT_PERMISSIONS_BOUNDARY: &[Permission] = &[
    Permission::arn("iam:PutUserPermissionsBoundary", USERS).when("iam:PermissionsBoundary"),
    Permission::arn("iam:PutRolePermissionsBoundary", ROLES).when("iam:PermissionsBoundary"),
];
