//! `ebs-encryption-by-default-off`: a region where new EBS volumes are not encrypted by default.

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use super::{reads, triggers};
use crate::ebs::RegionFacts;
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "ebs-encryption-by-default-off",
    title: "EBS encryption by default is off",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "GetEbsEncryptionByDefault returns false for a region of the account: read beside \
             an unencrypted volume, in the sweep, and at once after a \
             DisableEbsEncryptionByDefault.",
    rationale: "With encryption by default on, every new volume and snapshot copy in the region \
                is encrypted whatever the caller asks for: it closes the gap that \
                ebs-unencrypted-volume only detects after the fact.",
    remediation: "EnableEbsEncryptionByDefault in the region (uses the account's default EBS KMS \
                  key).",
    runs: &[
        Runs {
            function: Function::EbsEncryption,
            triggers: &[
                triggers::VOLUME_CALLS,
                triggers::DEFAULT_ENCRYPTION_CALLS,
                triggers::VOLUME_CHANGES,
            ],
            reads: &[Permission::any("ec2:GetEbsEncryptionByDefault")],
            steps: &[StepKind::EnableEbsEncryptionByDefault],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: reads::ACCOUNT_EBS,
            steps: &[StepKind::EnableEbsEncryptionByDefault],
        },
    ],
    per_event: false,
    anchors: &[
        "AWS Config: ec2-ebs-encryption-by-default",
        "CIS AWS Foundations 2.2.1",
    ],
};

/// The reason the region violates the rule, or `None` when it is fine.
pub fn judge(region: &RegionFacts) -> Option<String> {
    (!region.encryption_by_default).then(|| {
        format!(
            "EBS encryption by default is off in {} for account {}: new volumes there are \
             unencrypted unless each caller asks otherwise",
            region.region, region.account
        )
    })
}
