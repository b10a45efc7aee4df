//! S3 Block Public Access: a bucket's (S3) and the account's (S3 Control), read and turned
//! back on (`s3-public-access-block-off`), and swept.
//!
//! Against a local emulator (an endpoint URL on a loopback host) two things differ from AWS,
//! and only there: buckets are addressed by path (`http://127.0.0.1:PORT/BUCKET`; no
//! `BUCKET.127.0.0.1` host exists), and S3 Control is sent to the endpoint as given, since its
//! rules put the account id in front of the host (`ACCOUNT.127.0.0.1`), which resolves nowhere.

use crate::api_counter::ApiCounter;
use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::{Remediator, Scope};
use aws_config::SdkConfig;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use guardrail_rules::plan::RemediationStep;
use guardrail_rules::rules::s3_public_access_block_off::{self, AccountBlocks, BlockState};
use guardrail_rules::sweep::Reading;
use std::collections::BTreeMap;

/// Answered when a bucket or the account has no Block Public Access set (all four off).
const NO_CONFIGURATION: &str = "NoSuchPublicAccessBlockConfiguration";

/// The Block Public Access adapter of one account.
#[derive(Clone)]
pub struct PublicAccessBlocks {
    sdk: SdkConfig,
    counter: Option<ApiCounter>,
}

/// S3 Control sent to a local emulator's endpoint as given.
#[derive(Debug)]
struct AsGiven(String);

impl ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// The endpoint URL when it is a local emulator's (a loopback host).
fn emulator(sdk: &SdkConfig) -> Option<&str> {
    let url = sdk.endpoint_url()?;
    let authority = url.split("://").nth(1)?.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    matches!(host, "localhost" | "::1" | "127.0.0.1").then_some(url)
}

/// The four settings as a configuration says them (unset counts as off). A macro, as S3 and
/// S3 Control each have their own `PublicAccessBlockConfiguration` type with the same fields.
macro_rules! flags {
    ($c:expr) => {
        $c.map_or([false; 4], |c| {
            [
                c.block_public_acls().unwrap_or(false),
                c.ignore_public_acls().unwrap_or(false),
                c.block_public_policy().unwrap_or(false),
                c.restrict_public_buckets().unwrap_or(false),
            ]
        })
    };
}

/// The four settings `on` (in [`s3_public_access_block_off::SETTINGS`]'s order), in S3's or
/// S3 Control's configuration type.
macro_rules! configuration {
    ($t:ty, $on:expr) => {
        <$t>::builder()
            .block_public_acls($on[0])
            .ignore_public_acls($on[1])
            .block_public_policy($on[2])
            .restrict_public_buckets($on[3])
            .build()
    };
}

impl PublicAccessBlocks {
    pub fn new(sdk: &SdkConfig) -> PublicAccessBlocks {
        PublicAccessBlocks {
            sdk: sdk.clone(),
            counter: None,
        }
    }

    /// The same adapter, counting its calls in `counter`.
    pub fn counted(&self, counter: &ApiCounter) -> PublicAccessBlocks {
        PublicAccessBlocks {
            counter: Some(counter.clone()),
            ..self.clone()
        }
    }

    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_string()))
            .force_path_style(emulator(&self.sdk).is_some());
        if let Some(counter) = &self.counter {
            conf = conf.interceptor(counter.clone());
        }
        aws_sdk_s3::Client::from_conf(conf.build())
    }

    fn control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_string()));
        if let Some(url) = emulator(&self.sdk) {
            conf = conf.endpoint_resolver(AsGiven(url.to_string()));
        }
        if let Some(counter) = &self.counter {
            conf = conf.interceptor(counter.clone());
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }

    /// A bucket's own setting, read with a client of its region (`None`: no such bucket; no
    /// setting is all four off).
    async fn bucket_setting(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
    ) -> Result<Option<[bool; 4]>, AwsError> {
        match s3.get_public_access_block().bucket(bucket).send().await {
            Ok(out) => Ok(Some(flags!(out.public_access_block_configuration()))),
            Err(e) => match classify("s3", "GetPublicAccessBlock", e) {
                err if err.code.as_deref() == Some(NO_CONFIGURATION) => Ok(Some([false; 4])),
                err if err.kind == ErrorKind::NotFound => Ok(None),
                err => Err(err),
            },
        }
    }

    /// A bucket's setting and tags (`None`: no such bucket).
    pub async fn bucket(
        &self,
        scope: &Scope,
        bucket: &str,
    ) -> Result<Option<BlockState>, AwsError> {
        let s3 = self.s3(&scope.region);
        let Some(on) = Self::bucket_setting(&s3, bucket).await? else {
            return Ok(None);
        };
        let tags = Self::tags_of(&s3, bucket).await?;
        Ok(Some(BlockState { on, tags }))
    }

    /// A bucket's tags (none: untagged, or no such bucket).
    pub async fn bucket_tags(
        &self,
        scope: &Scope,
        bucket: &str,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        Self::tags_of(&self.s3(&scope.region), bucket).await
    }

    async fn tags_of(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        match s3.get_bucket_tagging().bucket(bucket).send().await {
            Ok(out) => Ok(out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect()),
            Err(e) => match classify("s3", "GetBucketTagging", e) {
                // NoSuchTagSet: the bucket has no tags (NoSuchBucket: no bucket to tag).
                err if err.kind == ErrorKind::NotFound => Ok(BTreeMap::new()),
                err => Err(err),
            },
        }
    }

    /// The account's setting (S3 Control).
    pub async fn account(&self, scope: &Scope) -> Result<[bool; 4], AwsError> {
        let out = self
            .control(&scope.region)
            .get_public_access_block()
            .account_id(&scope.account)
            .send()
            .await;
        match out {
            Ok(out) => Ok(flags!(out.public_access_block_configuration())),
            Err(e) => match classify("s3control", "GetPublicAccessBlock", e) {
                err if err.code.as_deref() == Some(NO_CONFIGURATION) => Ok([false; 4]),
                err => Err(err),
            },
        }
    }

    /// The account's setting and, where it leaves one off, every bucket's own (read in the
    /// bucket's region when ListBuckets names it). A failure is the rule unjudged, not a
    /// failed sweep.
    pub async fn sweep(&self, scope: &Scope) -> Reading<AccountBlocks> {
        Some(self.read_sweep(scope).await.map_err(|e| e.to_string()))
    }

    async fn read_sweep(&self, scope: &Scope) -> Result<AccountBlocks, AwsError> {
        let account = self.account(scope).await?;
        let mut blocks = AccountBlocks {
            account,
            buckets: Vec::new(),
        };
        if !s3_public_access_block_off::buckets_matter(&account) {
            return Ok(blocks);
        }
        let s3 = self.s3(&scope.region);
        // One client per bucket region, built once.
        let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
        let mut token: Option<String> = None;
        loop {
            let page = s3
                .list_buckets()
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| classify("s3", "ListBuckets", e))?;
            for b in page.buckets() {
                let Some(name) = b.name() else { continue };
                let region = b.bucket_region().unwrap_or(&scope.region);
                let client = clients
                    .entry(region.to_string())
                    .or_insert_with(|| self.s3(region));
                // None: deleted since it was listed.
                let Some(on) = Self::bucket_setting(client, name).await? else {
                    continue;
                };
                blocks.buckets.push((name.to_string(), on));
            }
            match page.continuation_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(blocks),
            }
        }
    }
}

impl Remediator for PublicAccessBlocks {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::PutPublicAccessBlock {
                region,
                account,
                bucket: Some(bucket),
                target,
                ..
            } => {
                let setting =
                    configuration!(aws_sdk_s3::types::PublicAccessBlockConfiguration, target);
                self.s3(region)
                    .put_public_access_block()
                    .bucket(bucket)
                    .expected_bucket_owner(account)
                    .public_access_block_configuration(setting)
                    .send()
                    .await
                    .map_err(|e| classify("s3", "PutPublicAccessBlock", e))?;
                Ok(())
            }
            RemediationStep::PutPublicAccessBlock {
                region,
                account,
                bucket: None,
                target,
                ..
            } => {
                let setting = configuration!(
                    aws_sdk_s3control::types::PublicAccessBlockConfiguration,
                    target
                );
                self.control(region)
                    .put_public_access_block()
                    .account_id(account)
                    .public_access_block_configuration(setting)
                    .send()
                    .await
                    .map_err(|e| classify("s3control", "PutPublicAccessBlock", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "s3",
                "execute",
                ErrorKind::Rejected,
                format!("not an S3 Block Public Access step: {}", other.describe()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk(url: &str) -> SdkConfig {
        SdkConfig::builder().endpoint_url(url).build()
    }

    #[test]
    fn only_a_loopback_endpoint_is_an_emulator() {
        for url in [
            "http://127.0.0.1:5000",
            "http://localhost:4566/",
            "http://[::1]:9000",
        ] {
            assert_eq!(emulator(&sdk(url)), Some(url), "{url}");
        }
        for url in [
            "https://s3-control.eu-west-1.amazonaws.com",
            "https://vpce-0a1b.s3.us-east-1.vpce.amazonaws.com",
            "http://127.0.0.2.example:80",
            "not a url",
        ] {
            assert_eq!(emulator(&sdk(url)), None, "{url}");
        }
        assert_eq!(emulator(&SdkConfig::builder().build()), None);
    }
}
