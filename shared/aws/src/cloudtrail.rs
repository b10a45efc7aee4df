//! CloudTrail trails: whether one logs, starting it again (`cloudtrail-logging-stopped`);
//! which buckets they deliver to (`cloudtrail-bucket-weakened`).
//! Trails are regional (a multi-region trail answers in its home region, where it was
//! stopped): one client per call, built from the account's shared configuration.

use crate::error::{classify, found, AwsError, ErrorKind};
use crate::ports::{Remediator, Scope};
use aws_config::SdkConfig;
use aws_sdk_cloudtrail::Client;
use guardrail_rules::plan::RemediationStep;
use guardrail_rules::rules::registry::TrailBucket;

/// The trail adapter of one account.
#[derive(Clone)]
pub struct Trails {
    sdk: SdkConfig,
}

impl Trails {
    pub fn new(sdk: &SdkConfig) -> Trails {
        Trails { sdk: sdk.clone() }
    }

    fn client(&self, region: &str) -> Client {
        Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_string()))
                .build(),
        )
    }

    /// The trails the region lists (shadow trails of multi-region and organisation trails
    /// included), with the bucket each delivers to.
    pub async fn buckets(&self, scope: &Scope) -> Result<Vec<TrailBucket>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| classify("cloudtrail", "DescribeTrails", e))?;
        Ok(out
            .trail_list()
            .iter()
            .filter_map(|t| {
                Some(TrailBucket {
                    trail_arn: t.trail_arn()?.to_string(),
                    bucket: t.s3_bucket_name()?.to_string(),
                    prefix: t
                        .s3_key_prefix()
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                })
            })
            .collect())
    }

    /// Whether the trail (name or ARN) logs now (`None`: no such trail).
    pub async fn logging(&self, scope: &Scope, name: &str) -> Result<Option<bool>, AwsError> {
        let out = self
            .client(&scope.region)
            .get_trail_status()
            .name(name)
            .send()
            .await
            .map_err(|e| classify("cloudtrail", "GetTrailStatus", e));
        Ok(found(out)?.map(|out| out.is_logging().unwrap_or(false)))
    }
}

impl Remediator for Trails {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::StartLogging { region, trail } => {
                self.client(region)
                    .start_logging()
                    .name(trail)
                    .send()
                    .await
                    .map_err(|e| classify("cloudtrail", "StartLogging", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "cloudtrail",
                "execute",
                ErrorKind::Rejected,
                format!("not a CloudTrail step: {}", other.describe()),
            )),
        }
    }
}
