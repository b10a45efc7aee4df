//! `ebs-unencrypted-volume`: an EBS volume that is not encrypted.

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use super::{reads, triggers};
use crate::ebs::VolumeFacts;
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "ebs-unencrypted-volume",
    title: "Unencrypted EBS volume",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "An EBS volume has Encrypted=false (on CreateVolume/AttachVolume/ModifyVolume; on \
             RunInstances, every volume attached to the launched instances as re-read, from \
             the AMI's, the launch template's or the call's block device mappings; in AWS \
             Config, and in the sweep).",
    rationale: "Data at rest on an unencrypted volume, and every snapshot of it, is readable by \
                anyone who obtains a copy. The seed article checks exactly this with boto3 and \
                alerts through SNS.",
    remediation: "Tag the volume with the finding; optionally (GUARDRAIL_ENCRYPTED_COPY) snapshot \
                  an unattached volume and create an encrypted copy. Encryption cannot be turned \
                  on for an existing volume in place.",
    runs: &[
        Runs {
            function: Function::EbsEncryption,
            triggers: &[triggers::VOLUME_CALLS, triggers::VOLUME_CHANGES],
            reads: &[Permission::any("ec2:DescribeVolumes")],
            steps: &[StepKind::TagVolume, StepKind::EncryptedCopy],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: reads::ACCOUNT_EBS,
            steps: &[StepKind::TagVolume],
        },
    ],
    per_event: false,
    anchors: &[
        "AWS Config: encrypted-volumes",
        "Cloud Custodian: ebs encrypted filter",
    ],
};

/// The reason the volume violates the rule, or `None` when it is fine.
pub fn judge(volume: &VolumeFacts) -> Option<String> {
    if volume.encrypted {
        return None;
    }
    let size = volume
        .size_gib
        .map(|s| format!("{s} GiB, "))
        .unwrap_or_default();
    let attached = if volume.attached_to.is_empty() {
        "not attached".to_string()
    } else {
        format!("attached to {}", volume.attached_to.join(", "))
    };
    Some(format!(
        "EBS volume {} ({size}{}, {attached}) in {} is not encrypted",
        volume.id, volume.state, volume.region
    ))
}
