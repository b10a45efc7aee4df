//! KMS keys: a key's state, cancelling its deletion and enabling it again
//! (`kms-key-disabled`). Keys are regional: one client per call, built from the account's
//! shared configuration.

use crate::error::{classify, found, AwsError, ErrorKind};
use crate::ports::{Remediator, Scope};
use aws_config::SdkConfig;
use aws_sdk_kms::Client;
use guardrail_rules::plan::RemediationStep;

/// The key adapter of one account.
#[derive(Clone)]
pub struct Keys {
    sdk: SdkConfig,
}

impl Keys {
    pub fn new(sdk: &SdkConfig) -> Keys {
        Keys { sdk: sdk.clone() }
    }

    fn client(&self, region: &str) -> Client {
        Client::from_conf(
            aws_sdk_kms::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_string()))
                .build(),
        )
    }

    /// The key's state as KMS names it (`None`: no such key).
    pub async fn state(&self, scope: &Scope, key_id: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| classify("kms", "DescribeKey", e));
        Ok(found(out)?.map(|out| {
            out.key_metadata()
                .and_then(|m| m.key_state())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
        }))
    }
}

impl Remediator for Keys {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::CancelKeyDeletion { region, key_id } => {
                self.client(region)
                    .cancel_key_deletion()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| classify("kms", "CancelKeyDeletion", e))?;
                Ok(())
            }
            RemediationStep::EnableKey { region, key_id } => {
                self.client(region)
                    .enable_key()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| classify("kms", "EnableKey", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "kms",
                "execute",
                ErrorKind::Rejected,
                format!("not a KMS step: {}", other.describe()),
            )),
        }
    }
}
