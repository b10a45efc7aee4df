//! A resource's tags by its ARN, through the Resource Groups Tagging API: one read for every
//! service whose resource policies are judged (a bucket, queue, topic, key, function,
//! repository or secret), where each service's own tag call would need its SDK in every
//! function. The API is regional (a resource is found in its own region) and returns only
//! resources that are or were tagged: an untagged resource and a missing one both read as no
//! tags, which never exempts anything.

use crate::error::{classify, AwsError};
use crate::ports::Scope;
use aws_config::SdkConfig;
use aws_sdk_resourcegroupstagging::Client;
use std::collections::BTreeMap;

/// The tag reader of one account.
#[derive(Clone)]
pub struct Tagging {
    sdk: SdkConfig,
}

impl Tagging {
    pub fn new(sdk: &SdkConfig) -> Tagging {
        Tagging { sdk: sdk.clone() }
    }

    fn client(&self, region: &str) -> Client {
        Client::from_conf(
            aws_sdk_resourcegroupstagging::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_string()))
                .build(),
        )
    }

    /// The tags of the resource `arn` in `scope`'s region (empty: untagged, or not found).
    pub async fn tags(
        &self,
        scope: &Scope,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        let out = self
            .client(&scope.region)
            .get_resources()
            .resource_arn_list(arn)
            .send()
            .await
            .map_err(|e| classify("tag", "GetResources", e))?;
        Ok(out
            .resource_tag_mapping_list()
            .iter()
            .filter(|m| m.resource_arn() == Some(arn))
            .flat_map(|m| m.tags())
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }
}
