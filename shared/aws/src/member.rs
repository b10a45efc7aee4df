//! Member accounts: the central functions read and remediate in another account of the
//! organization through the role templates/member.yaml creates there
//! (`GuardrailRemediationRole`, trusted for the central function roles with `sts:ExternalId`).
//!
//! Why AWS's own machinery and nothing home-made: credentials come from aws-config's
//! `AssumeRoleProvider` and are cached and refreshed by the SDK's identity cache, one cache
//! partition per account. The SNS topic, the incident ledger and Security Hub stay in the
//! central account: only reading facts, executing plans and PutEvaluations move.

use crate::error::{AwsError, ErrorKind};
use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_iam::config::SharedCredentialsProvider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Session name of the guardrail in member accounts: CloudTrail shows
/// `assumed-role/GuardrailRemediationRole/guardrail`, which the gate recognises as its own.
pub const SESSION_NAME: &str = "guardrail";

/// How to reach member accounts, and the per-account SDK configurations made so far (kept for
/// the life of the execution environment, so credentials are assumed once, not per event).
#[derive(Clone)]
pub struct MemberAccess {
    role_name: String,
    external_id: Option<String>,
    configs: Arc<Mutex<HashMap<String, SdkConfig>>>,
}

impl MemberAccess {
    pub fn new(role_name: String, external_id: Option<String>) -> MemberAccess {
        MemberAccess {
            role_name,
            external_id,
            configs: Arc::default(),
        }
    }

    /// The role assumed in `account`: its partition is the function's own (an organization
    /// never spans partitions).
    pub fn role_arn(&self, base: &SdkConfig, account: &str) -> String {
        let region = base.region().map(|r| r.as_ref()).unwrap_or("us-east-1");
        format!(
            "arn:{}:iam::{account}:role/{}",
            partition_of(region),
            self.role_name
        )
    }

    /// The SDK configuration that acts in `account` as the member role. Nothing is called
    /// here: the role is assumed on the first request, and a role that cannot be assumed fails
    /// that request (an AWS error, so the invocation is retried and finally kept by the DLQ).
    pub async fn sdk_for(&self, base: &SdkConfig, account: &str) -> Result<SdkConfig, AwsError> {
        if let Some(sdk) = self.cached(account) {
            return Ok(sdk);
        }
        // aws-config's provider needs a clock; every configuration loaded by aws-config has one.
        if base.time_source().is_none() {
            return Err(AwsError::new(
                "sts",
                "AssumeRole",
                ErrorKind::Rejected,
                "the SDK configuration has no time source to assume a member role with",
            ));
        }
        let mut builder = AssumeRoleProvider::builder(self.role_arn(base, account))
            .session_name(SESSION_NAME)
            .configure(base);
        if let Some(id) = &self.external_id {
            builder = builder.external_id(id.clone());
        }
        let provider = builder.build().await;
        let sdk = base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
        if let Ok(mut configs) = self.configs.lock() {
            configs.insert(account.to_string(), sdk.clone());
        }
        Ok(sdk)
    }

    fn cached(&self, account: &str) -> Option<SdkConfig> {
        self.configs.lock().ok()?.get(account).cloned()
    }
}

/// The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::{BehaviorVersion, Region};

    #[tokio::test]
    async fn role_arn_follows_the_partition() {
        let access = MemberAccess::new("GuardrailRemediationRole".into(), None);
        for (region, arn) in [
            (
                "eu-west-1",
                "arn:aws:iam::222222222222:role/GuardrailRemediationRole",
            ),
            (
                "cn-north-1",
                "arn:aws-cn:iam::222222222222:role/GuardrailRemediationRole",
            ),
            (
                "us-gov-west-1",
                "arn:aws-us-gov:iam::222222222222:role/GuardrailRemediationRole",
            ),
        ] {
            let sdk = SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region))
                .build();
            assert_eq!(access.role_arn(&sdk, "222222222222"), arn);
        }
    }

    #[tokio::test]
    async fn a_config_without_a_clock_is_an_error_not_a_panic() {
        let access = MemberAccess::new("GuardrailRemediationRole".into(), Some("x1".into()));
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let err = access.sdk_for(&sdk, "222222222222").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Rejected);
    }
}
