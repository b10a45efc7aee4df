//! The sweep's reads of the account's own monitoring: its CloudTrail trails (with status and
//! event selectors), and per region its AWS Config recorders, IAM Access Analyzer analyzers
//! and GuardDuty detectors. Facts only; `guardrail_rules` judges them.
//!
//! Each read answers a [`Reading`]: a refused or failed read is that rule unjudged there, with
//! the reason, never a failed sweep (GuardDuty's API refused by an SCP in one region must not
//! stop the IAM and EBS rules from being judged everywhere).

use crate::api_counter::ApiCounter;
use crate::error::{classify, AwsError};
use crate::ports::Scope;
use aws_config::SdkConfig;
use guardrail_rules::rules::access_analyzer_deleted::AnalyzerStatus;
use guardrail_rules::rules::cloudtrail_logging_stopped::{ManagementSelector, TrailState};
use guardrail_rules::rules::config_recorder_stopped::RecorderStatus;
use guardrail_rules::rules::guardduty_disabled::DetectorStatus;
use guardrail_rules::sweep::Reading;

/// GuardDuty allows one detector per region; a page this size lists them all.
const DETECTOR_PAGE: i32 = 50;

/// Reads the account's monitoring, counting every call.
#[derive(Clone)]
pub struct Monitoring {
    sdk: SdkConfig,
    counter: ApiCounter,
}

/// A client of `$sdk` for `$region`, counted.
macro_rules! client {
    ($self:ident, $sdk:ident, $region:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from(&$self.sdk)
                .region(aws_config::Region::new($region.to_string()))
                .interceptor($self.counter.clone())
                .build(),
        )
    };
}

/// A read's result as the sweep keeps it: the error in words.
fn kept<T>(read: Result<T, AwsError>) -> Reading<T> {
    Some(read.map_err(|e| e.to_string()))
}

impl Monitoring {
    pub fn new(sdk: &SdkConfig, counter: &ApiCounter) -> Monitoring {
        Monitoring {
            sdk: sdk.clone(),
            counter: counter.clone(),
        }
    }

    /// The trails `home` lists, shadow trails of other home regions included, each with its
    /// status and selectors read in its own home region.
    pub async fn trails(&self, home: &str) -> Reading<Vec<TrailState>> {
        kept(self.read_trails(home).await)
    }

    async fn read_trails(&self, home: &str) -> Result<Vec<TrailState>, AwsError> {
        let listed = client!(self, aws_sdk_cloudtrail, home)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| classify("cloudtrail", "DescribeTrails", e))?;
        let mut trails = Vec::new();
        for t in listed.trail_list() {
            let Some(arn) = t.trail_arn() else { continue };
            let region = t.home_region().unwrap_or(home);
            let client = client!(self, aws_sdk_cloudtrail, region);
            let logging = client
                .get_trail_status()
                .name(arn)
                .send()
                .await
                .map(|s| s.is_logging().unwrap_or(false))
                .map_err(|e| classify("cloudtrail", "GetTrailStatus", e).to_string());
            let selectors = client
                .get_event_selectors()
                .trail_name(arn)
                .send()
                .await
                .map(|s| selectors(&s))
                .map_err(|e| classify("cloudtrail", "GetEventSelectors", e).to_string());
            trails.push(TrailState {
                arn: arn.to_string(),
                name: t.name().unwrap_or(arn).to_string(),
                home_region: region.to_string(),
                multi_region: t.is_multi_region_trail().unwrap_or(false),
                log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
                logging,
                selectors,
            });
        }
        Ok(trails)
    }

    /// The region's configuration recorders and whether each records.
    pub async fn recorders(&self, scope: &Scope) -> Reading<Vec<RecorderStatus>> {
        let out = client!(self, aws_sdk_config, scope.region)
            .describe_configuration_recorder_status()
            .send()
            .await
            .map_err(|e| classify("config", "DescribeConfigurationRecorderStatus", e));
        kept(out.map(|out| {
            out.configuration_recorders_status()
                .iter()
                .map(|s| RecorderStatus {
                    name: s.name().unwrap_or_default().to_string(),
                    recording: s.recording(),
                })
                .collect()
        }))
    }

    /// The region's Access Analyzer analyzers, every page.
    pub async fn analyzers(&self, scope: &Scope) -> Reading<Vec<AnalyzerStatus>> {
        use aws_sdk_accessanalyzer::types::AnalyzerStatus as Status;
        let client = client!(self, aws_sdk_accessanalyzer, scope.region);
        let mut analyzers = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = match client
                .list_analyzers()
                .set_next_token(token.take())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => return kept(Err(classify("access-analyzer", "ListAnalyzers", e))),
            };
            analyzers.extend(page.analyzers().iter().map(|a| AnalyzerStatus {
                name: a.name().to_string(),
                kind: a.r#type().as_str().to_string(),
                active: a.status() == &Status::Active,
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Some(Ok(analyzers)),
            }
        }
    }

    /// The region's GuardDuty detectors and whether each is enabled.
    pub async fn detectors(&self, scope: &Scope) -> Reading<Vec<DetectorStatus>> {
        kept(self.read_detectors(scope).await)
    }

    async fn read_detectors(&self, scope: &Scope) -> Result<Vec<DetectorStatus>, AwsError> {
        use aws_sdk_guardduty::types::DetectorStatus as Status;
        let client = client!(self, aws_sdk_guardduty, scope.region);
        let listed = client
            .list_detectors()
            .max_results(DETECTOR_PAGE)
            .send()
            .await
            .map_err(|e| classify("guardduty", "ListDetectors", e))?;
        let mut detectors = Vec::new();
        for id in listed.detector_ids() {
            let out = client
                .get_detector()
                .detector_id(id)
                .send()
                .await
                .map_err(|e| classify("guardduty", "GetDetector", e))?;
            detectors.push(DetectorStatus {
                id: id.clone(),
                enabled: out.status() == Some(&Status::Enabled),
            });
        }
        Ok(detectors)
    }
}

/// A trail's selectors, basic and advanced, as far as management events go.
fn selectors(
    out: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Vec<ManagementSelector> {
    let basic = out.event_selectors().iter().map(|s| ManagementSelector {
        management: s.include_management_events().unwrap_or(false),
        read_write: s
            .read_write_type()
            .map_or("All", |t| t.as_str())
            .to_string(),
    });
    let advanced = out.advanced_event_selectors().iter().map(|s| {
        let field = |name: &str| s.field_selectors().iter().find(|f| f.field() == name);
        let management =
            field("eventCategory").is_some_and(|f| f.equals().iter().any(|v| v == "Management"));
        let read_write = match field("readOnly").map(|f| f.equals()) {
            Some([v]) if v == "true" => "ReadOnly",
            Some([v]) if v == "false" => "WriteOnly",
            _ => "All",
        };
        ManagementSelector {
            management,
            read_write: read_write.to_string(),
        }
    });
    basic.chain(advanced).collect()
}
