//! Fault injection: a proxy between the SDK and moto (tests/support/proxy.rs) throttles,
//! fails, slows down or drops the requests of a chosen AWS action, and the tests show what
//! ARCHITECTURE.md promises:
//!
//! (a) transient faults are absorbed by the SDK's retries: the invocation succeeds and alerts
//!     once;
//! (b) a remediation step that fails is reported as FAILED in the alert, and the invocation
//!     succeeds;
//! (c) an alert that cannot be published (or a ledger that cannot be reached) fails the
//!     invocation, so Lambda retries; the retry, once the fault is gone, delivers exactly one
//!     alert per incident and repeats no remediation;
//! (d) a malformed event is answered with `rejected` (no error, so no endless retries) and
//!     causes no AWS call at all.
//!
//! The functions' SDK configuration is the SDK default (standard retry mode: 3 attempts,
//! exponential backoff with jitter, initial backoff 1 s; no operation timeout), as in
//! `Wiring::from_env`. Only the slow-response test builds its own: an attempt timeout of 1 s and
//! a 100 ms initial backoff, to show that a hanging call is cut and retried.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use ebs_encryption::EbsGuardrail;
use guardrail_aws::InvocationError;
use guardrail_rules::finding::ActionStatus;
use guardrail_rules::Outcome;
use guardrail_tests::proxy::{Fault, FaultProxy, Times};
use guardrail_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const REGION: &str = "ap-northeast-2";
const REMEDIATE: &[(&str, &str)] = &[
    ("GUARDRAIL_DRY_RUN", "false"),
    ("GUARDRAIL_DEFAULT_MODE", "remediate"),
    (
        "GUARDRAIL_OWN_ROLE_ARN",
        "arn:aws:iam::123456789012:role/guardrail-ebs-encryption",
    ),
];

/// An account with one unencrypted volume, the alert inbox (reached directly), and the
/// guardrail's SDK going through the fault proxy.
struct Faulty {
    _moto: Moto,
    proxy: FaultProxy,
    ec2: aws_sdk_ec2::Client,
    inbox: AlertInbox,
    volume: String,
    guardrail: EbsGuardrail,
}

impl Faulty {
    async fn start() -> Faulty {
        let moto = Moto::start();
        let proxy = FaultProxy::start(moto.port);
        let guardrail_sdk = proxy.sdk(REGION).await;
        Faulty::with_sdk(moto, proxy, guardrail_sdk).await
    }

    async fn with_sdk(
        moto: Moto,
        proxy: FaultProxy,
        guardrail_sdk: aws_config::SdkConfig,
    ) -> Faulty {
        let sdk = moto.sdk(REGION).await;
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let inbox = AlertInbox::create(&sdk).await;
        let volume = create_volume(&ec2, "ap-northeast-2a", false).await;
        let guardrail = EbsGuardrail::new(inbox.wiring(&guardrail_sdk, REMEDIATE));
        Faulty {
            _moto: moto,
            proxy,
            ec2,
            inbox,
            volume,
            guardrail,
        }
    }

    fn event(&self) -> Value {
        event(
            "ebs/create-volume-unencrypted.json",
            &[(UNENCRYPTED_PLACEHOLDER, &self.volume)],
        )
    }

    async fn handle(&self) -> Result<Outcome, InvocationError> {
        self.guardrail.handle(&self.event()).await
    }

    async fn tagged(&self) -> bool {
        volume_tags(&self.ec2, &self.volume)
            .await
            .contains_key("guardrail:finding")
    }

    async fn encryption_by_default(&self) -> bool {
        encryption_by_default(&self.ec2).await
    }

    /// Alerts received, as (rule, message), sorted by rule.
    async fn alerts(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .inbox
            .drain()
            .await
            .into_iter()
            .map(|a| (a.attributes["rule"].clone(), a.message))
            .collect();
        v.sort();
        v
    }
}

fn rules(alerts: &[(String, String)]) -> Vec<&str> {
    alerts.iter().map(|(r, _)| r.as_str()).collect()
}

const BOTH: [&str; 2] = ["ebs-encryption-by-default-off", "ebs-unencrypted-volume"];

fn status_of<'a>(out: &'a Outcome, rule: &str) -> &'a ActionStatus {
    &out.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {out:?}"))
        .actions[0]
        .status
}

// (a) transient faults are absorbed by the SDK's retries.

#[tokio::test]
async fn throttled_reads_are_retried_by_the_sdk() {
    let f = Faulty::start().await;
    f.proxy
        .inject("DescribeVolumes", Fault::Throttle, Times::First(2));
    let out = f.handle().await.expect("retries absorb two throttles");
    assert_eq!(f.proxy.injected("DescribeVolumes"), 2);
    assert_eq!(
        f.proxy.seen("DescribeVolumes"),
        3,
        "two throttled, one served"
    );
    assert_eq!(status_of(&out, BOTH[1]), &ActionStatus::Done);
    assert_eq!(rules(&f.alerts().await), BOTH, "one alert per incident");
    assert!(f.tagged().await);
}

#[tokio::test]
async fn one_transient_fault_in_every_step_of_the_pipeline_is_absorbed() {
    let f = Faulty::start().await;
    // Read facts, claim in the ledger, act, publish, complete: each faulted once or twice.
    f.proxy
        .inject("DescribeVolumes", Fault::ServerError, Times::First(1));
    f.proxy
        .inject("GetEbsEncryptionByDefault", Fault::Drop, Times::First(1));
    f.proxy.inject("PutItem", Fault::Throttle, Times::First(2));
    f.proxy
        .inject("CreateTags", Fault::Throttle, Times::First(1));
    f.proxy.inject(
        "EnableEbsEncryptionByDefault",
        Fault::ServerError,
        Times::First(2),
    );
    f.proxy.inject("Publish", Fault::Throttle, Times::First(2));
    f.proxy.inject("UpdateItem", Fault::Drop, Times::First(1));
    let out = f.handle().await.expect("every fault is transient");
    for (action, faults) in [
        ("DescribeVolumes", 1),
        ("GetEbsEncryptionByDefault", 1),
        ("PutItem", 2),
        ("CreateTags", 1),
        ("EnableEbsEncryptionByDefault", 2),
        ("Publish", 2),
        ("UpdateItem", 1),
    ] {
        assert_eq!(f.proxy.injected(action), faults, "{action}");
    }
    assert_eq!(status_of(&out, BOTH[0]), &ActionStatus::Done);
    assert_eq!(status_of(&out, BOTH[1]), &ActionStatus::Done);
    assert_eq!(rules(&f.alerts().await), BOTH);
    assert!(f.tagged().await);
    assert!(f.encryption_by_default().await);
    // Nothing else happens on redelivery: the completion survived its dropped connection.
    let again = f.handle().await.unwrap();
    assert!(again.findings.is_empty(), "{again:?}");
    assert!(f.alerts().await.is_empty());
}

#[tokio::test]
async fn a_hanging_call_is_cut_by_the_attempt_timeout_and_retried() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    // Test-only configuration (documented above): cut an attempt after 1 s, back off 100 ms.
    let sdk = proxy
        .sdk_with(
            REGION,
            Some(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(100)),
            ),
            Some(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_secs(1))
                    .build(),
            ),
        )
        .await;
    let f = Faulty::with_sdk(moto, proxy, sdk).await;
    f.proxy.inject(
        "DescribeVolumes",
        Fault::Delay(Duration::from_secs(4)),
        Times::First(1),
    );
    f.proxy.inject(
        "Publish",
        Fault::Delay(Duration::from_millis(300)),
        Times::Always,
    );
    let out = f.handle().await.expect("the slow attempt is retried");
    assert_eq!(
        f.proxy.seen("DescribeVolumes"),
        2,
        "timed out once, retried"
    );
    assert_eq!(status_of(&out, BOTH[1]), &ActionStatus::Done);
    assert_eq!(
        rules(&f.alerts().await),
        BOTH,
        "slow but in time: delivered once"
    );
}

// (b) a remediation that fails is reported as FAILED; the invocation succeeds.

#[tokio::test]
async fn a_remediation_that_keeps_failing_is_reported_failed() {
    let f = Faulty::start().await;
    f.proxy
        .inject("CreateTags", Fault::ServerError, Times::Always);
    let out = f
        .handle()
        .await
        .expect("a failed step is not a failed invocation");
    assert_eq!(
        f.proxy.seen("CreateTags"),
        3,
        "5xx retried by the SDK, then given up"
    );
    assert!(
        matches!(status_of(&out, BOTH[1]), ActionStatus::Failed { .. }),
        "{out:?}"
    );
    assert_eq!(
        status_of(&out, BOTH[0]),
        &ActionStatus::Done,
        "the other step still runs"
    );
    let alerts = f.alerts().await;
    assert_eq!(rules(&alerts), BOTH);
    let volume_alert = &alerts[1].1;
    assert!(
        volume_alert.contains("FAILED: tag volume"),
        "{volume_alert}"
    );
    assert!(
        volume_alert.contains("ec2:CreateTags failed"),
        "{volume_alert}"
    );
    assert!(!f.tagged().await);
}

#[tokio::test]
async fn a_denied_remediation_is_reported_failed_without_retries() {
    let f = Faulty::start().await;
    f.proxy
        .inject("CreateTags", Fault::AccessDenied, Times::Always);
    let out = f.handle().await.unwrap();
    assert_eq!(
        f.proxy.seen("CreateTags"),
        1,
        "access denied is not retried"
    );
    let ActionStatus::Failed { error } = status_of(&out, BOTH[1]) else {
        panic!("{out:?}")
    };
    assert!(
        error.contains("AccessDenied") && error.contains("UnauthorizedOperation"),
        "{error}"
    );
    let alerts = f.alerts().await;
    assert!(alerts[1].1.contains("FAILED"), "{}", alerts[1].1);
    assert!(
        alerts[1].1.contains("UnauthorizedOperation"),
        "{}",
        alerts[1].1
    );
}

#[tokio::test]
async fn a_denied_iam_remediation_is_reported_failed() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let guardrail =
        iam_guard::IamGuardrail::new(inbox.wiring(&proxy.sdk("us-east-1").await, REMEDIATE));
    proxy.inject("DetachUserPolicy", Fault::AccessDenied, Times::Always);
    let out = guardrail
        .handle(&event("iam/attach-user-policy-admin.json", &[]))
        .await
        .unwrap();
    assert!(out.findings.iter().any(|f| f.any_failed()), "{out:?}");
    let admin = inbox
        .drain()
        .await
        .into_iter()
        .find(|a| a.attributes["rule"] == "iam-policy-admin-wildcard")
        .expect("alerted");
    assert!(
        admin
            .message
            .contains("FAILED: detach arn:aws:iam::aws:policy/AdministratorAccess"),
        "{}",
        admin.message
    );
    assert!(admin.message.contains("AccessDenied"), "{}", admin.message);
    let still = iam
        .list_attached_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(still.attached_policies().len(), 1);
}

// (c) an alert that cannot be published fails the invocation; the retry delivers it once.

async fn lost_alert_then_retry(fault: Fault) {
    let f = Faulty::start().await;
    f.proxy.inject("Publish", fault, Times::Always);
    let err = f
        .handle()
        .await
        .expect_err("the alert could not be published");
    assert!(matches!(err, InvocationError::Alert(_)), "{err}");
    assert_eq!(f.proxy.seen("Publish"), 3, "the SDK tried three times");
    assert!(f.alerts().await.is_empty());
    assert!(f.tagged().await, "the step before the alert was done");

    // Lambda retries the event once the fault is gone.
    f.proxy.clear();
    let retry = f.handle().await.expect("the retry succeeds");
    assert_eq!(status_of(&retry, BOTH[1]), &ActionStatus::AlreadyDone);
    assert_eq!(status_of(&retry, BOTH[0]), &ActionStatus::Done);
    assert_eq!(
        rules(&f.alerts().await),
        BOTH,
        "nothing lost, nothing doubled"
    );
    assert_eq!(f.proxy.seen("CreateTags"), 1, "tagged once");
    // A further redelivery: the ledger knows both incidents.
    let again = f.handle().await.unwrap();
    assert_eq!(again.duplicates.len(), 1, "{again:?}");
    assert!(f.alerts().await.is_empty());
}

#[tokio::test]
async fn publish_failing_with_500_fails_the_invocation_and_the_retry_alerts_once() {
    lost_alert_then_retry(Fault::ServerError).await;
}

#[tokio::test]
async fn publish_connection_dropped_fails_the_invocation_and_the_retry_alerts_once() {
    lost_alert_then_retry(Fault::Drop).await;
}

#[tokio::test]
async fn an_unreachable_ledger_fails_the_invocation_before_anything_is_done() {
    let f = Faulty::start().await;
    f.proxy.inject("PutItem", Fault::ServerError, Times::Always);
    let err = f.handle().await.expect_err("no ledger, no action");
    assert!(matches!(err, InvocationError::Ledger(_)), "{err}");
    assert_eq!(f.proxy.seen("CreateTags"), 0);
    assert_eq!(f.proxy.seen("Publish"), 0);
    f.proxy.clear();
    f.handle().await.expect("the retry succeeds");
    assert_eq!(rules(&f.alerts().await), BOTH);
}

#[tokio::test]
async fn facts_that_cannot_be_read_fail_the_invocation_for_a_retry() {
    let f = Faulty::start().await;
    f.proxy
        .inject("DescribeVolumes", Fault::Throttle, Times::Always);
    let err = f
        .handle()
        .await
        .expect_err("still throttled after the SDK's retries");
    let InvocationError::Facts(e) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.kind, guardrail_aws::ErrorKind::Throttled, "{e}");
    assert!(e.retryable());
    assert!(f.alerts().await.is_empty());
    assert!(!f.tagged().await);
}

// (d) a malformed event is rejected, not retried, and costs no AWS call.

#[tokio::test]
async fn malformed_events_are_rejected_without_any_aws_call() {
    let f = Faulty::start().await;
    // Even with every call failing, bad input is answered, not errored.
    for action in ["DescribeVolumes", "PutItem", "Publish"] {
        f.proxy.inject(action, Fault::ServerError, Times::Always);
    }
    let mut truncated = f.event();
    truncated["detail"]
        .as_object_mut()
        .unwrap()
        .remove("eventSource");
    for bad in [
        json!(null),
        json!("CreateVolume"),
        json!([1, 2, 3]),
        json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2", "detail": "not an object"}),
        json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2", "detail": {"eventName": ["CreateVolume"]}}),
        json!({"detail-type": "Object Created", "source": "aws.s3", "detail": {}}),
        json!({"configRuleName": "r", "invokingEvent": "{\"messageType\": 7}", "resultToken": "t"}),
        truncated,
    ] {
        let out = f
            .guardrail
            .handle(&bad)
            .await
            .unwrap_or_else(|e| panic!("{bad}: an error would be retried forever: {e}"));
        assert!(out.rejected.is_some(), "{bad}: {out:?}");
        assert!(out.findings.is_empty());
    }
    assert!(
        f.proxy.seen_all().is_empty(),
        "no AWS call: {:?}",
        f.proxy.seen_all()
    );
}
