//! EventBridge rules of the guardrail's own stack: whether one is enabled, enabling it again
//! (`guardrail-stack-changed` on DisableRule). Rules are regional: one client per call, built
//! from the account's shared configuration.

use crate::error::{classify, found, AwsError, ErrorKind};
use crate::ports::{Remediator, Scope};
use aws_config::SdkConfig;
use aws_sdk_eventbridge::types::RuleState;
use aws_sdk_eventbridge::Client;
use guardrail_rules::plan::RemediationStep;

/// The EventBridge rule adapter of one account.
#[derive(Clone)]
pub struct EventRules {
    sdk: SdkConfig,
}

impl EventRules {
    pub fn new(sdk: &SdkConfig) -> EventRules {
        EventRules { sdk: sdk.clone() }
    }

    fn client(&self, region: &str) -> Client {
        Client::from_conf(
            aws_sdk_eventbridge::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_string()))
                .build(),
        )
    }

    /// Whether the rule of the default bus is enabled (`None`: no such rule).
    pub async fn enabled(&self, scope: &Scope, name: &str) -> Result<Option<bool>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_rule()
            .name(name)
            .send()
            .await
            .map_err(|e| classify("events", "DescribeRule", e));
        Ok(found(out)?.map(|out| out.state() == Some(&RuleState::Enabled)))
    }
}

impl Remediator for EventRules {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::EnableRule { region, rule_name } => {
                self.client(region)
                    .enable_rule()
                    .name(rule_name)
                    .send()
                    .await
                    .map_err(|e| classify("events", "EnableRule", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "events",
                "execute",
                ErrorKind::Rejected,
                format!("not an EventBridge step: {}", other.describe()),
            )),
        }
    }
}
