//! Executes remediation steps by handing each to the adapter of its service.

use crate::cloudtrail::Trails;
use crate::config_recorder::ConfigRecorders;
use crate::ec2::Ec2;
use crate::error::AwsError;
use crate::eventbridge::EventRules;
use crate::iam::Iam;
use crate::kms::Keys;
use crate::ports::Remediator;
use crate::s3::PublicAccessBlocks;
use crate::tagging::Tagging;
use guardrail_rules::plan::RemediationStep;

/// The one [`Remediator`] every function uses.
#[derive(Clone)]
pub struct Executor {
    pub ec2: Ec2,
    pub iam: Iam,
    pub recorders: ConfigRecorders,
    pub trails: Trails,
    pub keys: Keys,
    pub rules: EventRules,
    pub public_access: PublicAccessBlocks,
    /// Reads only (the exempt tag of a resource whose policy is judged): no step tags.
    pub tags: Tagging,
}

impl Remediator for Executor {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::TagVolume { .. }
            | RemediationStep::EnableEbsEncryptionByDefault { .. }
            | RemediationStep::EncryptedCopy { .. }
            | RemediationStep::StopInstances { .. }
            | RemediationStep::TerminateInstances { .. }
            | RemediationStep::DeleteVolume { .. }
            | RemediationStep::RemoveSnapshotShares { .. }
            | RemediationStep::RemoveImageShares { .. }
            | RemediationStep::RevokeSecurityGroupIngress { .. }
            | RemediationStep::EnableEc2BlockPublicAccess { .. } => self.ec2.execute(step).await,
            RemediationStep::DetachManagedPolicy { .. }
            | RemediationStep::DeleteInlinePolicy { .. }
            | RemediationStep::RevertPolicyVersion { .. }
            | RemediationStep::AttachMfaDenyPolicy { .. }
            | RemediationStep::AttachQuarantinePolicy { .. }
            | RemediationStep::DeactivateAccessKey { .. }
            | RemediationStep::UpdatePasswordPolicy { .. }
            | RemediationStep::DeleteLoginProfile { .. }
            | RemediationStep::PutPermissionsBoundary { .. } => self.iam.execute(step).await,
            RemediationStep::StartConfigurationRecorder { .. } => {
                self.recorders.execute(step).await
            }
            RemediationStep::StartLogging { .. } => self.trails.execute(step).await,
            RemediationStep::CancelKeyDeletion { .. } | RemediationStep::EnableKey { .. } => {
                self.keys.execute(step).await
            }
            RemediationStep::EnableRule { .. } => self.rules.execute(step).await,
            RemediationStep::PutPublicAccessBlock { .. } => self.public_access.execute(step).await,
        }
    }
}
