//! Remediation plans: data describing changes, executed by the AWS adapters.
//!
//! Keeping the plan as data means the dangerous part is decided by pure, tested code, dry-run is
//! free (report the plan instead of executing it), and an alert can say exactly what was done.

use serde::Serialize;

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
        }
    }
}
