//! The subscriptions several rules share ([`super::Runs::triggers`]).

use super::runs::Subscription;

const IAM: &str = "iam.amazonaws.com";

/// Calls that change what a policy grants: a new default version, an inline policy written,
/// a managed policy attached (`iam::change`).
pub const POLICY_CHANGES: Subscription = Subscription::ApiCalls {
    source: IAM,
    names: &[
        "CreatePolicy",
        "CreatePolicyVersion",
        "SetDefaultPolicyVersion",
        "PutUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "AttachUserPolicy",
        "AttachGroupPolicy",
        "AttachRolePolicy",
    ],
};

/// Calls that create or replace a role's trust policy.
pub const TRUST_CHANGES: Subscription = Subscription::ApiCalls {
    source: IAM,
    names: &["CreateRole", "UpdateAssumeRolePolicy"],
};

/// Calls that may change who holds which permissions (`iam::principals::EVENTS`).
pub const ACCESS_CHANGES: Subscription = Subscription::ApiCalls {
    source: IAM,
    names: crate::iam::principals::EVENTS,
};

/// The EBS volume calls (`ebs::volume_ids`; RunInstances: `ebs::launched_instances`).
pub const VOLUME_CALLS: Subscription = Subscription::ApiCalls {
    source: "ec2.amazonaws.com",
    names: &[
        "CreateVolume",
        "AttachVolume",
        "ModifyVolume",
        "RunInstances",
    ],
};

/// Switching EBS encryption by default off: judged at once, not at the next volume.
pub const DEFAULT_ENCRYPTION_CALLS: Subscription = Subscription::ApiCalls {
    source: "ec2.amazonaws.com",
    names: &["DisableEbsEncryptionByDefault"],
};

/// AWS Config changes of EBS volumes.
pub const VOLUME_CHANGES: Subscription = Subscription::ConfigChanges {
    resource_types: &["AWS::EC2::Volume"],
};
