//! Start-up: everything a function builds once, before its first event.

use crate::cloudtrail::Trails;
use crate::config_recorder::ConfigRecorders;
use crate::config_rule::ConfigSink;
use crate::ec2::Ec2;
use crate::eventbridge::EventRules;
use crate::executor::Executor;
use crate::iam::Iam;
use crate::kms::Keys;
use crate::ledger::{AnyLedger, DynamoLedger, NoLedger};
use crate::member::MemberAccess;
use crate::pipeline::InvocationError;
use crate::s3::PublicAccessBlocks;
use crate::securityhub::SecurityHub;
use crate::sns::SnsNotifier;
use crate::tagging::Tagging;
use aws_config::{BehaviorVersion, SdkConfig};
use guardrail_rules::settings::{Settings, SettingsError};
use std::borrow::Cow;

/// The clients and settings of a function, built once per Lambda execution environment.
#[derive(Clone)]
pub struct Wiring {
    /// The SDK configuration of the account this wiring reads and acts in (see
    /// [`Wiring::in_account`]); the central clients below were built from the home one.
    pub sdk: SdkConfig,
    pub settings: Settings,
    pub ec2: Ec2,
    pub iam: Iam,
    /// Executes remediation steps of any service.
    pub executor: Executor,
    pub notifier: SnsNotifier,
    pub ledger: AnyLedger,
    pub config: ConfigSink,
    /// Security Hub import, when `GUARDRAIL_SECURITY_HUB=true` (off by default).
    pub security_hub: Option<SecurityHub>,
    /// How to act in member accounts (`GUARDRAIL_MEMBER_ROLE_NAME`); `None`: single-account.
    pub members: Option<MemberAccess>,
    config_test_mode: bool,
}

/// IAM is throttled hard and its rates cannot be raised: IAM clients retry (with the SDK's
/// exponential backoff and jitter) up to five attempts instead of the default three.
pub fn iam_retry_config() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard().with_max_attempts(5)
}

/// Plumbing options that are not rule settings.
#[derive(Debug, Clone, Default)]
pub struct Plumbing {
    pub topic_arn: Option<String>,
    pub ledger_table: Option<String>,
    pub config_test_mode: bool,
    /// `sts:ExternalId` presented when assuming the member role (`GUARDRAIL_MEMBER_EXTERNAL_ID`).
    pub member_external_id: Option<String>,
}

/// `GUARDRAIL_SECURITY_HUB=true` (or `1`) turns the Security Hub import on.
pub fn security_hub_enabled(get: impl Fn(&str) -> Option<String>) -> bool {
    get("GUARDRAIL_SECURITY_HUB")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
}

impl Plumbing {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Plumbing {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        Plumbing {
            topic_arn: non_empty("GUARDRAIL_TOPIC_ARN"),
            ledger_table: non_empty("GUARDRAIL_LEDGER_TABLE"),
            config_test_mode: non_empty("GUARDRAIL_CONFIG_TEST_MODE")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
            member_external_id: non_empty("GUARDRAIL_MEMBER_EXTERNAL_ID"),
        }
    }
}

/// The clients that read and act in one account, and the executor of its remediation steps.
fn account_clients(sdk: &SdkConfig, config_test_mode: bool) -> (Ec2, Iam, ConfigSink, Executor) {
    let iam = Iam::new(aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(sdk)
            .retry_config(iam_retry_config())
            .build(),
    ));
    let config = ConfigSink::new(aws_sdk_config::Client::new(sdk), config_test_mode);
    let ec2 = Ec2::new(sdk);
    let executor = Executor {
        ec2: ec2.clone(),
        iam: iam.clone(),
        recorders: ConfigRecorders::new(sdk),
        trails: Trails::new(sdk),
        keys: Keys::new(sdk),
        rules: EventRules::new(sdk),
        public_access: PublicAccessBlocks::new(sdk),
        tags: Tagging::new(sdk),
    };
    (ec2, iam, config, executor)
}

impl Wiring {
    /// Build from the process environment (the AWS SDK reads AWS_REGION, AWS_ENDPOINT_URL, ...).
    pub async fn from_env() -> Result<Wiring, SettingsError> {
        let env = |k: &str| std::env::var(k).ok();
        let settings = Settings::from_lookup(env)?;
        // A hung AWS call must not hold the invocation until Lambda's own timeout: bound each
        // attempt, and let the SDK's retries (with backoff) try again.
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .operation_attempt_timeout(std::time::Duration::from_secs(10))
            .connect_timeout(std::time::Duration::from_secs(3))
            .build();
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts)
            .load()
            .await;
        let wiring = Wiring::new(sdk, settings, Plumbing::from_lookup(env))
            .with_security_hub(security_hub_enabled(env));
        Ok(
            match env("GUARDRAIL_DOCS_BASE_URL").filter(|u| !u.trim().is_empty()) {
                Some(url) => Wiring {
                    security_hub: wiring.security_hub.map(|h| h.with_docs_base_url(url)),
                    ..wiring
                },
                None => wiring,
            },
        )
    }

    /// Import findings into Security Hub (in the function's region) too, or not.
    pub fn with_security_hub(mut self, enabled: bool) -> Wiring {
        self.security_hub = enabled.then(|| {
            SecurityHub::new(
                aws_sdk_securityhub::Client::new(&self.sdk),
                self.home_region(),
            )
        });
        self
    }

    pub fn new(sdk: SdkConfig, settings: Settings, plumbing: Plumbing) -> Wiring {
        if plumbing.topic_arn.is_none() {
            tracing::warn!("GUARDRAIL_TOPIC_ARN is not set: alerts are only logged");
        }
        let ledger = match plumbing.ledger_table {
            Some(table) => AnyLedger::Dynamo(DynamoLedger::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                table,
                settings.dedupe_seconds,
            )),
            None => {
                tracing::warn!(
                    "GUARDRAIL_LEDGER_TABLE is not set: repeated events are not deduplicated"
                );
                AnyLedger::None(NoLedger)
            }
        };
        let members = settings
            .member_role
            .clone()
            .map(|role| MemberAccess::new(role, plumbing.member_external_id));
        let (ec2, iam, config, executor) = account_clients(&sdk, plumbing.config_test_mode);
        Wiring {
            executor,
            ec2,
            iam,
            notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&sdk), plumbing.topic_arn),
            config,
            ledger,
            settings,
            sdk,
            security_hub: None,
            members,
            config_test_mode: plumbing.config_test_mode,
        }
    }

    /// This wiring, reading and acting in `account`: unchanged for the home account; for a
    /// member account, the EC2, IAM and Config clients (and so the executor) use the member
    /// role there, while alerts, the ledger and Security Hub stay central. The gate has already
    /// refused accounts this deployment does not guard.
    pub async fn in_account(&self, account: &str) -> Result<Cow<'_, Wiring>, InvocationError> {
        let Some(members) = self
            .members
            .as_ref()
            .filter(|_| self.settings.is_member_account(account))
        else {
            // The home account, every event of a single-account deployment: no copy.
            return Ok(Cow::Borrowed(self));
        };
        let sdk = members
            .sdk_for(&self.sdk, account)
            .await
            .map_err(InvocationError::Facts)?;
        let (ec2, iam, config, executor) = account_clients(&sdk, self.config_test_mode);
        tracing::debug!(account, "acting through the member role");
        Ok(Cow::Owned(Wiring {
            executor,
            ec2,
            iam,
            config,
            sdk,
            ..self.clone()
        }))
    }

    /// Act on and alert about findings ([`crate::pipeline::act_and_alert`]) with this wiring's
    /// adapters, and record what happened in the answer.
    pub async fn report(
        &self,
        findings: Vec<guardrail_rules::Finding>,
        event_id: &str,
        out: &mut guardrail_rules::Outcome,
    ) -> Result<(), crate::pipeline::InvocationError> {
        let reported = crate::pipeline::act_and_alert_to(
            findings,
            event_id,
            &self.executor,
            &self.notifier,
            &self.ledger,
            &self.security_hub,
        )
        .await?;
        // Extended, not replaced: a handler may report in more than one round (iam-guard
        // judges the affected principals after remediating the changed policy).
        out.findings.extend(reported.alerted);
        out.duplicates.extend(reported.duplicates);
        Ok(())
    }

    /// The region the function runs in (used when an event names none).
    pub fn home_region(&self) -> String {
        self.sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".to_string())
    }
}
