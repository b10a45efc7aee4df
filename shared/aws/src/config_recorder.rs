//! AWS Config's configuration recorders: reading whether one records, starting it again
//! (`config-recorder-stopped`). Recorders are regional: one client per call, built from the
//! account's shared configuration, as EC2's are.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::{Remediator, Scope};
use aws_config::SdkConfig;
use aws_sdk_config::Client;
use guardrail_rules::plan::RemediationStep;

/// The recorder adapter of one account.
#[derive(Clone)]
pub struct ConfigRecorders {
    sdk: SdkConfig,
}

impl ConfigRecorders {
    pub fn new(sdk: &SdkConfig) -> ConfigRecorders {
        ConfigRecorders { sdk: sdk.clone() }
    }

    fn client(&self, region: &str) -> Client {
        Client::from_conf(
            aws_sdk_config::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_string()))
                .build(),
        )
    }

    /// Whether the recorder records now (`None`: no such recorder).
    pub async fn recording(&self, scope: &Scope, name: &str) -> Result<Option<bool>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_configuration_recorder_status()
            .configuration_recorder_names(name)
            .send()
            .await;
        match out {
            Ok(out) => Ok(out
                .configuration_recorders_status()
                .iter()
                .find(|s| s.name() == Some(name))
                .map(|s| s.recording())),
            Err(e) => match classify("config", "DescribeConfigurationRecorderStatus", e) {
                err if err.kind == ErrorKind::NotFound => Ok(None),
                err => Err(err),
            },
        }
    }
}

impl Remediator for ConfigRecorders {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::StartConfigurationRecorder {
                region,
                recorder_name,
            } => {
                self.client(region)
                    .start_configuration_recorder()
                    .configuration_recorder_name(recorder_name)
                    .send()
                    .await
                    .map_err(|e| classify("config", "StartConfigurationRecorder", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "config",
                "execute",
                ErrorKind::Rejected,
                format!("not a Config step: {}", other.describe()),
            )),
        }
    }
}
