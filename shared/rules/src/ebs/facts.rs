//! What the EBS rules need to know, read from the account (never trusted from the event).

use serde::Serialize;
use std::collections::BTreeMap;

/// A volume as DescribeVolumes (or a Config item) reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeFacts {
    pub id: String,
    pub region: String,
    pub account: String,
    pub encrypted: bool,
    /// `creating`, `available`, `in-use`, `deleting`, ...
    pub state: String,
    pub attached_to: Vec<String>,
    pub availability_zone: String,
    pub size_gib: Option<i64>,
    pub kms_key_id: Option<String>,
    pub tags: BTreeMap<String, String>,
}

impl VolumeFacts {
    pub fn arn(&self) -> String {
        volume_arn(&self.region, &self.account, &self.id)
    }

    pub fn is_attached(&self) -> bool {
        !self.attached_to.is_empty() || self.state == "in-use"
    }
}

/// ARN of a volume.
pub fn volume_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:volume/{id}")
}

/// A region's EBS settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionFacts {
    pub region: String,
    pub account: String,
    pub encryption_by_default: bool,
}

impl RegionFacts {
    /// EBS encryption-by-default is a per-account, per-region setting with no ARN of its own;
    /// this pseudo-ARN names it stably so findings about it deduplicate.
    pub fn setting_arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:ebs-encryption-by-default",
            self.region, self.account
        )
    }
}
