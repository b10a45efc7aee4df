//! Remediation plans: data describing changes, executed by the AWS adapters.
//!
//! Keeping the plan as data means the dangerous part is decided by pure, tested code, dry-run is
//! free (report the plan instead of executing it), and an alert can say exactly what was done.

use serde::Serialize;
use std::fmt;

/// The kinds of IAM identity a policy can be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IamTargetKind {
    User,
    Group,
    Role,
}

/// An IAM user, group or role, by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct IamTarget {
    pub kind: IamTargetKind,
    pub name: String,
}

impl IamTarget {
    pub fn arn(&self, account: &str) -> String {
        let kind = match self.kind {
            IamTargetKind::User => "user",
            IamTargetKind::Group => "group",
            IamTargetKind::Role => "role",
        };
        format!("arn:aws:iam::{account}:{kind}/{}", self.name)
    }

    /// CloudFormation resource type.
    pub fn resource_type(&self) -> &'static str {
        match self.kind {
            IamTargetKind::User => "AWS::IAM::User",
            IamTargetKind::Group => "AWS::IAM::Group",
            IamTargetKind::Role => "AWS::IAM::Role",
        }
    }
}

impl fmt::Display for IamTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            IamTargetKind::User => "user",
            IamTargetKind::Group => "group",
            IamTargetKind::Role => "role",
        };
        write!(f, "{kind} {}", self.name)
    }
}

/// One change to make in an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RemediationStep {
    /// Tag a volume with the finding, so people and later runs see it.
    TagVolume {
        region: String,
        volume_id: String,
        tags: Vec<(String, String)>,
    },
    /// Turn on EBS encryption by default in a region (new volumes are then encrypted).
    EnableEbsEncryptionByDefault { region: String },
    /// Snapshot an unattached volume and create an encrypted copy of it beside it.
    EncryptedCopy {
        region: String,
        volume_id: String,
        availability_zone: String,
    },
    /// Detach a managed policy from a user, group or role.
    DetachManagedPolicy {
        target: IamTarget,
        policy_arn: String,
    },
    /// Delete an inline policy of a user, group or role.
    DeleteInlinePolicy {
        target: IamTarget,
        policy_name: String,
    },
    /// Make an earlier version the default again (the offending version is kept as evidence).
    RevertPolicyVersion {
        policy_arn: String,
        bad_version: String,
        to_version: String,
    },
    /// Attach the guardrail's MFA-enforcement deny policy to a user.
    AttachMfaDenyPolicy {
        user_name: String,
        policy_arn: String,
    },
    /// Attach the guardrail's deny-all quarantine policy to an unused user or role
    /// (`iam-user-unused`, `iam-role-unused`): it can do nothing until someone detaches it
    /// again, and nothing is deleted.
    AttachQuarantinePolicy {
        target: IamTarget,
        policy_arn: String,
    },
    /// Deactivate (not delete: reversible) an access key.
    DeactivateAccessKey {
        user_name: String,
        access_key_id: String,
    },
    /// Stop instances (reversible: their disks are kept).
    StopInstances {
        region: String,
        instance_ids: Vec<String>,
    },
    /// Terminate instances (irreversible).
    TerminateInstances {
        region: String,
        instance_ids: Vec<String>,
    },
    /// Delete a volume (irreversible; fails while the volume is attached).
    DeleteVolume { region: String, volume_id: String },
    /// Set the account password policy (UpdateAccountPasswordPolicy replaces the whole policy,
    /// so every field is given: the floor, or the existing value where it is stronger).
    UpdatePasswordPolicy {
        minimum_length: u32,
        require_uppercase: bool,
        require_lowercase: bool,
        require_numbers: bool,
        require_symbols: bool,
        max_age_days: u32,
        reuse_prevention: u32,
        allow_users_to_change_password: bool,
        hard_expiry: bool,
    },
    /// Delete a user's console password (its login profile); keys and permissions stay.
    DeleteLoginProfile { user_name: String },
    /// Put the account's required permissions boundary on a user or role (the function's role
    /// may put no other). `previous` is the boundary it replaces, for the undo.
    PutPermissionsBoundary {
        target: IamTarget,
        boundary_arn: String,
        previous: Option<String>,
    },
    /// Remove a snapshot's public (`all`) and foreign-account createVolumePermissions.
    RemoveSnapshotShares {
        region: String,
        snapshot_id: String,
        public: bool,
        accounts: Vec<String>,
    },
    /// Remove an image's public (`all`) and foreign-account launchPermissions.
    RemoveImageShares {
        region: String,
        image_id: String,
        public: bool,
        accounts: Vec<String>,
    },
    /// Revoke one security group ingress rule by its id (the group and its other rules stay).
    /// The rest describes the rule, for the undo command.
    RevokeSecurityGroupIngress {
        region: String,
        group_id: String,
        rule_id: String,
        protocol: String,
        /// `-1`: all ports.
        from_port: i32,
        to_port: i32,
        /// `0.0.0.0/0` or `::/0`.
        cidr: String,
    },
    /// Start an AWS Config configuration recorder again (recording resumes; nothing is lost
    /// but the changes made while it was stopped).
    StartConfigurationRecorder {
        region: String,
        recorder_name: String,
    },
    /// Start a CloudTrail trail's logging again (`trail`: its name or ARN; called in the
    /// region the trail was stopped in, its home region).
    StartLogging { region: String, trail: String },
    /// Cancel a KMS key's scheduled deletion (the key is then disabled; [`EnableKey`] follows).
    ///
    /// [`EnableKey`]: RemediationStep::EnableKey
    CancelKeyDeletion { region: String, key_id: String },
    /// Enable a disabled KMS key: whatever decrypts with it works again.
    EnableKey { region: String, key_id: String },
    /// Enable one of the guardrail's own EventBridge rules again: the events it delivers reach
    /// their function again (none sent while it was disabled are replayed).
    EnableRule { region: String, rule_name: String },
    /// Turn EC2's block public access for snapshots (`block-all-sharing`: no snapshot of the
    /// region can be public) or for AMIs (`block-new-sharing`: no image can be made public)
    /// back on in a region.
    EnableEc2BlockPublicAccess { region: String, images: bool },
    /// Turn all four S3 Block Public Access settings on, for a bucket or (`bucket: None`) the
    /// account. `previous` is the setting as re-read before (in the order of
    /// [`crate::rules::s3_public_access_block_off::SETTINGS`]), for the undo command.
    PutPublicAccessBlock {
        region: String,
        account: String,
        bucket: Option<String>,
        previous: [bool; 4],
        /// The setting put: `previous` with the required settings on.
        target: [bool; 4],
    },
}

impl RemediationStep {
    /// A sentence for alerts.
    pub fn describe(&self) -> String {
        match self {
            RemediationStep::TagVolume {
                volume_id, tags, ..
            } => {
                let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("tag volume {volume_id} with {}", tags.join(", "))
            }
            RemediationStep::EnableEbsEncryptionByDefault { region } => {
                format!("enable EBS encryption by default in {region}")
            }
            RemediationStep::EncryptedCopy { volume_id, .. } => {
                format!("snapshot {volume_id} and create an encrypted copy")
            }
            RemediationStep::DetachManagedPolicy { target, policy_arn } => {
                format!("detach {policy_arn} from {target}")
            }
            RemediationStep::DeleteInlinePolicy {
                target,
                policy_name,
            } => format!("delete inline policy {policy_name} of {target}"),
            RemediationStep::RevertPolicyVersion {
                policy_arn,
                bad_version,
                to_version,
            } => format!(
                "make {to_version} the default version of {policy_arn} again (was {bad_version})"
            ),
            RemediationStep::AttachMfaDenyPolicy {
                user_name,
                policy_arn,
            } => format!("attach the MFA-enforcement policy {policy_arn} to user {user_name}"),
            RemediationStep::AttachQuarantinePolicy { target, policy_arn } => {
                let (noun, flag) = match target.kind {
                    IamTargetKind::User => ("user", "--user-name"),
                    IamTargetKind::Group => ("group", "--group-name"),
                    IamTargetKind::Role => ("role", "--role-name"),
                };
                format!(
                    "attach the deny-all quarantine policy {policy_arn} to {target} (undo: aws \
                     iam detach-{noun}-policy {flag} {} --policy-arn {policy_arn})",
                    target.name
                )
            }
            RemediationStep::DeactivateAccessKey {
                user_name,
                access_key_id,
            } => format!("deactivate access key {access_key_id} of user {user_name}"),
            RemediationStep::StopInstances {
                region,
                instance_ids,
            } => format!("stop instances {} in {region}", instance_ids.join(", ")),
            RemediationStep::TerminateInstances {
                region,
                instance_ids,
            } => format!(
                "terminate instances {} in {region}",
                instance_ids.join(", ")
            ),
            RemediationStep::DeleteVolume { region, volume_id } => {
                format!("delete volume {volume_id} in {region}")
            }
            RemediationStep::UpdatePasswordPolicy {
                minimum_length,
                max_age_days,
                reuse_prevention,
                ..
            } => format!(
                "set the account password policy to at least {minimum_length} characters with \
                 upper and lower case, numbers and symbols, expiry after {max_age_days} days and \
                 the last {reuse_prevention} passwords not reusable"
            ),
            RemediationStep::DeleteLoginProfile { user_name } => {
                format!("delete the console password (login profile) of user {user_name}")
            }
            RemediationStep::RemoveImageShares {
                region,
                image_id,
                public,
                accounts,
            } => {
                let mut whom: Vec<String> = accounts.clone();
                if *public {
                    whom.insert(0, "the public (group all)".to_string());
                }
                let undo = match public {
                    true => "--launch-permission 'Add=[{Group=all}]'".to_string(),
                    false => format!(
                        "--launch-permission 'Add=[{}]'",
                        accounts
                            .iter()
                            .map(|a| format!("{{UserId={a}}}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                };
                format!(
                    "stop sharing image {image_id} in {region} with {} (undo: aws ec2 \
                     modify-image-attribute --region {region} --image-id {image_id} {undo})",
                    whom.join(", ")
                )
            }
            RemediationStep::RemoveSnapshotShares {
                region,
                snapshot_id,
                public,
                accounts,
            } => {
                let mut whom: Vec<String> = accounts.clone();
                if *public {
                    whom.insert(0, "the public (group all)".to_string());
                }
                let undo = match public {
                    true => "--group-names all".to_string(),
                    false => format!("--user-ids {}", accounts.join(" ")),
                };
                format!(
                    "stop sharing snapshot {snapshot_id} in {region} with {} (undo: aws ec2 \
                     modify-snapshot-attribute --snapshot-id {snapshot_id} --attribute \
                     createVolumePermission --operation-type add {undo})",
                    whom.join(", ")
                )
            }
            RemediationStep::RevokeSecurityGroupIngress {
                region,
                group_id,
                rule_id,
                protocol,
                from_port,
                to_port,
                cidr,
            } => {
                let ports = match protocol.as_str() {
                    "-1" | "all" => String::new(),
                    _ => format!("FromPort={from_port},ToPort={to_port},"),
                };
                let range = match cidr.contains(':') {
                    true => format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]"),
                    false => format!("IpRanges=[{{CidrIp={cidr}}}]"),
                };
                format!(
                    "revoke ingress rule {rule_id} of security group {group_id} in {region} \
                     (undo: aws ec2 authorize-security-group-ingress --region {region} \
                     --group-id {group_id} --ip-permissions \
                     'IpProtocol={protocol},{ports}{range}')"
                )
            }
            RemediationStep::StartConfigurationRecorder {
                region,
                recorder_name,
            } => format!(
                "start the AWS Config recorder {recorder_name} in {region} again (undo: aws \
                 configservice stop-configuration-recorder --configuration-recorder-name \
                 {recorder_name} --region {region})"
            ),
            RemediationStep::StartLogging { region, trail } => format!(
                "start logging of CloudTrail trail {trail} in {region} again (undo: aws \
                 cloudtrail stop-logging --name {trail} --region {region})"
            ),
            RemediationStep::CancelKeyDeletion { region, key_id } => format!(
                "cancel the scheduled deletion of KMS key {key_id} in {region} (undo: aws kms \
                 schedule-key-deletion --key-id {key_id} --region {region})"
            ),
            RemediationStep::EnableEc2BlockPublicAccess {
                region,
                images: false,
            } => format!(
                "turn block public access for EBS snapshots on in {region} (block-all-sharing; \
                 undo: aws ec2 disable-snapshot-block-public-access --region {region})"
            ),
            RemediationStep::EnableEc2BlockPublicAccess {
                region,
                images: true,
            } => format!(
                "turn block public access for AMIs on in {region} (block-new-sharing; undo: aws \
                 ec2 disable-image-block-public-access --region {region})"
            ),
            RemediationStep::PutPublicAccessBlock {
                region: _,
                account,
                bucket,
                previous,
                target,
            } => {
                use crate::rules::s3_public_access_block_off::{configuration, SETTINGS};
                let before = configuration(previous);
                let undo = match (bucket, previous.iter().any(|on| *on)) {
                    (Some(b), true) => format!(
                        "aws s3api put-public-access-block --bucket {b} \
                         --public-access-block-configuration {before}"
                    ),
                    (Some(b), false) => {
                        format!("aws s3api delete-public-access-block --bucket {b}")
                    }
                    (None, true) => format!(
                        "aws s3control put-public-access-block --account-id {account} \
                         --public-access-block-configuration {before}"
                    ),
                    (None, false) => {
                        format!("aws s3control delete-public-access-block --account-id {account}")
                    }
                };
                let whose = match bucket {
                    Some(b) => format!("bucket {b}"),
                    None => format!("account {account}"),
                };
                let on: Vec<&str> = SETTINGS
                    .iter()
                    .zip(target)
                    .filter(|(_, on)| **on)
                    .map(|(s, _)| *s)
                    .collect();
                format!(
                    "turn S3 Block Public Access on ({}) for {whose} (undo: {undo})",
                    on.join(", ")
                )
            }
            RemediationStep::EnableRule { region, rule_name } => format!(
                "enable the guardrail's EventBridge rule {rule_name} in {region} again (undo: aws \
                 events disable-rule --name {rule_name} --region {region})"
            ),
            RemediationStep::EnableKey { region, key_id } => format!(
                "enable KMS key {key_id} in {region} again (undo: aws kms disable-key --key-id \
                 {key_id} --region {region})"
            ),
            RemediationStep::PutPermissionsBoundary {
                target,
                boundary_arn,
                previous,
            } => {
                let (noun, flag) = match target.kind {
                    IamTargetKind::User => ("user", "--user-name"),
                    _ => ("role", "--role-name"),
                };
                let undo = match previous {
                    Some(p) => format!(
                        "aws iam put-{noun}-permissions-boundary {flag} {} --permissions-boundary {p}",
                        target.name
                    ),
                    None => format!(
                        "aws iam delete-{noun}-permissions-boundary {flag} {}",
                        target.name
                    ),
                };
                format!("put the permissions boundary {boundary_arn} on {target} (undo: {undo})")
            }
        }
    }
}
