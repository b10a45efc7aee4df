//! The tamper guardrail end to end against the moto emulator: the `events/tamper` files
//! through `TamperGuardrail::handle`, alerts read back through SNS → SQS. Judged from the
//! event alone, so nothing is read from the account; what is proven here is the pipeline:
//! one alert per incident, none for failed calls, exempt principals or harmless changes, and
//! the same event twice alerts once.

use guardrail_tests::*;
use tamper_guard::TamperGuardrail;

const HOME: &str = "ap-northeast-2";
const BREAK_GLASS: &str = "arn:aws:iam::123456789012:role/break-glass-*";

async fn setup() -> (Moto, aws_config::SdkConfig, AlertInbox) {
    let moto = Moto::start();
    let sdk = moto.sdk(HOME).await;
    let inbox = AlertInbox::create(&sdk).await;
    (moto, sdk, inbox)
}

fn guardrail(inbox: &AlertInbox, sdk: &aws_config::SdkConfig) -> TamperGuardrail {
    TamperGuardrail::new(inbox.wiring(sdk, &[("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS)]))
}

#[tokio::test(flavor = "multi_thread")]
async fn each_switch_off_alerts_once_with_who_what_and_where() {
    let (_moto, sdk, inbox) = setup().await;
    let g = guardrail(&inbox, &sdk);
    let cases = [
        ("tamper/stop-logging.json", "cloudtrail-logging-stopped"),
        ("tamper/delete-trail.json", "cloudtrail-trail-deleted"),
        (
            "tamper/update-trail-single-region.json",
            "cloudtrail-trail-weakened",
        ),
        (
            "tamper/put-event-selectors-no-management.json",
            "cloudtrail-trail-weakened",
        ),
        (
            "tamper/stop-configuration-recorder.json",
            "config-recorder-stopped",
        ),
        ("tamper/delete-detector.json", "guardduty-disabled"),
        ("tamper/delete-analyzer.json", "access-analyzer-deleted"),
        ("tamper/disable-security-hub.json", "securityhub-disabled"),
        // CIS 4.5 and 4.9 audit every trail and recorder change, a moved bucket included.
        ("tamper/update-trail-bucket-only.json", "cloudtrail-changed"),
        (
            "tamper/put-configuration-recorder-narrowed.json",
            "config-changed",
        ),
    ];
    for (file, rule) in cases {
        let out = g.handle(&event(file, &[])).await.unwrap();
        let rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, vec![rule], "{file}: {out:?}");
        let alerts = inbox.drain().await;
        assert_eq!(alerts.len(), 1, "{file}");
        assert_eq!(alerts[0].attributes["rule"], rule, "{file}");
        assert!(
            alerts[0].message.contains("alice"),
            "{file}: {}",
            alerts[0].message
        );
        assert!(
            alerts[0].message.contains(HOME),
            "{file}: {}",
            alerts[0].message
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_exempt_and_harmless_calls_alert_nothing() {
    let (_moto, sdk, inbox) = setup().await;
    let g = guardrail(&inbox, &sdk);
    for file in [
        "tamper/stop-logging-failed.json",
        "tamper/stop-logging-exempt-principal.json",
        "tamper/update-detector-still-enabled.json",
    ] {
        let out = g.handle(&event(file, &[])).await.unwrap();
        assert!(out.findings.is_empty(), "{file}: {out:?}");
    }
    assert!(inbox.drain().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_event_twice_alerts_once() {
    let (_moto, sdk, inbox) = setup().await;
    let g = guardrail(&inbox, &sdk);
    let e = event("tamper/stop-logging.json", &[]);
    g.handle(&e).await.unwrap();
    let again = g.handle(&e).await.unwrap();
    assert!(!again.duplicates.is_empty(), "{again:?}");
    assert_eq!(inbox.drain().await.len(), 1);
}

/// moto serves AWS Config's recorders: a recorder stopped by someone is started again in
/// remediate mode, only while it is still stopped, and the same event twice changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_config_recorder_is_started_again_once() {
    let (_moto, sdk, inbox) = setup().await;
    let config = aws_sdk_config::Client::new(&sdk);
    create_config_recorder(&config, "config-bucket-123456789012").await;
    let recording = || async {
        config
            .describe_configuration_recorder_status()
            .configuration_recorder_names("default")
            .send()
            .await
            .unwrap()
            .configuration_recorders_status()[0]
            .recording()
    };
    assert!(!recording().await, "created stopped");
    let g = TamperGuardrail::new(inbox.wiring(
        &sdk,
        &[
            ("GUARDRAIL_RULE_MODES", "config-recorder-stopped=remediate"),
            ("GUARDRAIL_DRY_RUN", "false"),
        ],
    ));
    let stop = event("tamper/stop-configuration-recorder.json", &[]);
    let out = g.handle(&stop).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(
        out.findings[0].actions[0].status,
        guardrail_rules::finding::ActionStatus::Done,
        "{out:?}"
    );
    assert!(recording().await, "started again");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains("stop-configuration-recorder"),
        "the alert says how to undo: {}",
        alerts[0].message
    );
    // Redelivered: nothing more is done or alerted.
    g.handle(&stop).await.unwrap();
    assert!(inbox.drain().await.is_empty());
    // A recorder deleted since is noted, never guessed at.
    config
        .stop_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
    config
        .delete_delivery_channel()
        .delivery_channel_name("default")
        .send()
        .await
        .unwrap();
    config
        .delete_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
    let mut again = stop.clone();
    again["detail"]["eventID"] = serde_json::json!("00000000-0000-0000-0000-0000000c0f1e");
    let out = g.handle(&again).await.unwrap();
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains("no longer exists")),
        "{out:?}"
    );
}

/// `events/tamper/access-denied-list-secrets.json` as the `n`th refused call of a burst (its
/// own eventID), a few seconds after the first.
fn refused(n: u32) -> serde_json::Value {
    event(
        "tamper/access-denied-list-secrets.json",
        &[
            (
                "2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b",
                &format!("2a3b4c5d-6e7f-4809-9a1b-{n:012}"),
            ),
            (
                "2025-03-12T03:41:17Z",
                &format!("2025-03-12T03:41:{:02}Z", 17 + n),
            ),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_calls_are_counted_per_principal_and_a_burst_alerts_once() {
    let (_moto, sdk, inbox) = setup().await;
    let g = TamperGuardrail::new(inbox.wiring(
        &sdk,
        &[
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
            ("GUARDRAIL_DENIED_CALLS_THRESHOLD", "3"),
        ],
    ));
    // Two refusals, one of them delivered three times: still two, nothing to say.
    for n in [1, 1, 2, 1] {
        let out = g.handle(&refused(n)).await.unwrap();
        assert!(out.findings.is_empty(), "{n}: {out:?}");
    }
    assert!(inbox.drain().await.is_empty());
    // The third distinct one reaches the threshold: one alert naming the role and the call.
    let out = g.handle(&refused(3)).await.unwrap();
    let rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["api-calls-unauthorized"], "{out:?}");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].attributes["severity"], "medium");
    for text in [
        "role/build-runner",
        "refused 3 API calls within 5 minutes",
        "secretsmanager:ListSecrets",
    ] {
        assert!(
            alerts[0].message.contains(text),
            "{text}: {}",
            alerts[0].message
        );
    }
    // More of the same burst, and redeliveries: no second alert.
    for n in [4, 3, 5] {
        g.handle(&refused(n)).await.unwrap();
    }
    assert!(inbox.drain().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_ledger_refused_calls_are_not_judged_and_say_so() {
    let (_moto, sdk, inbox) = setup().await;
    let g = TamperGuardrail::new(inbox.wiring_with(
        &sdk,
        &[
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
            ("GUARDRAIL_DENIED_CALLS_THRESHOLD", "1"),
        ],
        false,
    ));
    let out = g.handle(&refused(1)).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains("api-calls-unauthorized: not judged: no incident ledger")),
        "{out:?}"
    );
    // A refused call by an exempt principal is not counted at all.
    let out = g
        .handle(&event(
            "tamper/access-denied-list-secrets.json",
            &[("role/build-runner", "role/break-glass-ops")],
        ))
        .await
        .unwrap();
    assert!(out.findings.is_empty() && out.skipped.is_some(), "{out:?}");
}

/// A bucket for a trail: moto's CreateTrail wants one, and the S3 SDK is not worth its
/// compile time for one call, so a raw path-style PUT (moto routes by the credential scope
/// and does not check the signature).
fn create_bucket(endpoint: &str, name: &str) {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "PUT /{name} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/s3/aws4_request, \
         SignedHeaders=host, Signature=0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn remediating(inbox: &AlertInbox, sdk: &aws_config::SdkConfig) -> TamperGuardrail {
    TamperGuardrail::new(inbox.wiring(
        sdk,
        &[
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ],
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_trail_is_started_again_once_and_the_alert_says_how_to_undo() {
    let (moto, sdk, inbox) = setup().await;
    let trails = aws_sdk_cloudtrail::Client::new(&sdk);
    create_bucket(&moto.endpoint(), "org-trail-logs");
    trails
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("org-trail-logs")
        .send()
        .await
        .unwrap();
    trails
        .stop_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let logging = || async {
        trails
            .get_trail_status()
            .name("org-trail")
            .send()
            .await
            .unwrap()
            .is_logging()
    };
    assert_eq!(logging().await, Some(false));
    // Dry-run (the default) plans and changes nothing.
    let out = guardrail(&inbox, &sdk)
        .handle(&event("tamper/stop-logging.json", &[]))
        .await
        .unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(logging().await, Some(false), "dry-run changes nothing");
    inbox.drain().await;

    let g = remediating(&inbox, &sdk);
    let e = event(
        "tamper/stop-logging.json",
        &[(
            "00000000-0000-0000-0000-00007a3f9919",
            "00000000-0000-0000-0000-00007a3f9920",
        )],
    );
    let out = g.handle(&e).await.unwrap();
    assert_eq!(
        out.findings[0].rule, "cloudtrail-logging-stopped",
        "{out:?}"
    );
    assert_eq!(logging().await, Some(true), "started again: {out:?}");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0]
            .message
            .contains("undo: aws cloudtrail stop-logging"),
        "{}",
        alerts[0].message
    );
    // The same event again: nothing more is done or alerted.
    g.handle(&e).await.unwrap();
    assert!(inbox.drain().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_scheduled_for_deletion_or_disabled_is_restored() {
    use aws_sdk_kms::types::KeyState;
    let (_moto, sdk, inbox) = setup().await;
    let kms = aws_sdk_kms::Client::new(&sdk);
    let key = |n: &str| {
        let kms = kms.clone();
        let n = n.to_string();
        async move {
            kms.create_key()
                .description(n)
                .send()
                .await
                .unwrap()
                .key_metadata()
                .unwrap()
                .key_id()
                .to_string()
        }
    };
    let state = |id: String| {
        let kms = kms.clone();
        async move {
            kms.describe_key()
                .key_id(id)
                .send()
                .await
                .unwrap()
                .key_metadata()
                .unwrap()
                .key_state()
                .cloned()
        }
    };
    let g = remediating(&inbox, &sdk);

    let doomed = key("doomed").await;
    kms.schedule_key_deletion()
        .key_id(&doomed)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(state(doomed.clone()).await, Some(KeyState::PendingDeletion));
    let e = event(
        "tamper/schedule-key-deletion.json",
        &[("1234abcd-12ab-34cd-56ef-1234567890ab", &doomed)],
    );
    let out = g.handle(&e).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(
        state(doomed.clone()).await,
        Some(KeyState::Enabled),
        "{out:?}"
    );

    let off = key("off").await;
    kms.disable_key().key_id(&off).send().await.unwrap();
    let e = event(
        "tamper/disable-key.json",
        &[("1234abcd-12ab-34cd-56ef-1234567890ab", &off)],
    );
    g.handle(&e).await.unwrap();
    assert_eq!(state(off.clone()).await, Some(KeyState::Enabled));
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert!(alerts
        .iter()
        .all(|a| a.attributes["rule"] == "kms-key-disabled"));
    assert!(
        alerts
            .iter()
            .any(|a| a.message.contains("undo: aws kms schedule-key-deletion")),
        "{alerts:?}"
    );
    // Replayed: the keys are enabled, nothing more to do or say.
    g.handle(&e).await.unwrap();
    assert!(inbox.drain().await.is_empty());
    // A key gone since is noted, not guessed at.
    let e = event(
        "tamper/disable-key.json",
        &[
            (
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "0000aaaa-00aa-00aa-00aa-000000000000",
            ),
            ("4e6f8a0b-2c4d-4e6f-9a1b-3c5d7e9f1a2b", "another-event"),
        ],
    );
    let out = g.handle(&e).await.unwrap();
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains("no longer exists")),
        "{out:?}"
    );
}

/// cloudtrail-bucket-weakened against moto: the trail's bucket is learnt from DescribeTrails;
/// a one-day expiration and a policy that refuses CloudTrail's delivery are alerted beside
/// the CIS audit of the change, the standard delivery policy only audited.
#[tokio::test(flavor = "multi_thread")]
async fn a_trail_bucket_set_to_delete_or_refuse_the_logs_is_alerted() {
    let (moto, sdk, inbox) = setup().await;
    create_bucket(&moto.endpoint(), "org-trail-logs-123456789012");
    aws_sdk_cloudtrail::Client::new(&sdk)
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("org-trail-logs-123456789012")
        .send()
        .await
        .unwrap();
    let g = guardrail(&inbox, &sdk);
    for (file, want) in [
        (
            "tamper/put-bucket-lifecycle-trail-bucket.json",
            vec!["cloudtrail-bucket-weakened", "s3-bucket-policy-changed"],
        ),
        (
            "tamper/put-bucket-policy-deny-cloudtrail.json",
            vec!["cloudtrail-bucket-weakened", "s3-bucket-policy-changed"],
        ),
        (
            "tamper/put-bucket-policy-trail-delivery.json",
            vec!["s3-bucket-policy-changed"],
        ),
    ] {
        let out = g.handle(&event(file, &[])).await.unwrap();
        let mut rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
        rules.sort();
        assert_eq!(rules, want, "{file}: {out:?}");
    }
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 5, "{alerts:?}");
    assert!(alerts
        .iter()
        .any(|a| a.message.contains("aws s3api delete-bucket-lifecycle")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guardrails_own_disabled_rule_is_enabled_again_once() {
    let (_moto, sdk, inbox) = setup().await;
    let rules = aws_sdk_eventbridge::Client::new(&sdk);
    let name = "guardrail-ExposureApiCallRule-1A2B3C4D5E6F";
    rules
        .put_rule()
        .name(name)
        .event_pattern(r#"{"source":["aws.ec2"]}"#)
        .send()
        .await
        .unwrap();
    rules.disable_rule().name(name).send().await.unwrap();
    let state = || async {
        rules
            .describe_rule()
            .name(name)
            .send()
            .await
            .unwrap()
            .state()
            .cloned()
    };
    use aws_sdk_eventbridge::types::RuleState;
    assert_eq!(state().await, Some(RuleState::Disabled));
    let with_stack = |extra: &[(&'static str, &'static str)]| {
        let mut pairs = vec![
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
            ("GUARDRAIL_STACK_NAME", "guardrail"),
        ];
        pairs.extend_from_slice(extra);
        TamperGuardrail::new(inbox.wiring(&sdk, &pairs))
    };
    // Dry-run (the default) plans and changes nothing.
    let out = with_stack(&[])
        .handle(&event("tamper/disable-rule-guardrail.json", &[]))
        .await
        .unwrap();
    assert_eq!(out.findings[0].rule, "guardrail-stack-changed", "{out:?}");
    assert_eq!(state().await, Some(RuleState::Disabled), "dry-run");
    inbox.drain().await;

    let g = with_stack(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
    ]);
    let e = event(
        "tamper/disable-rule-guardrail.json",
        &[(
            "00000000-0000-0000-0000-00007a3fe001",
            "00000000-0000-0000-0000-00007a3fe002",
        )],
    );
    let out = g.handle(&e).await.unwrap();
    assert_eq!(state().await, Some(RuleState::Enabled), "enabled: {out:?}");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].message.contains("undo: aws events disable-rule"),
        "{}",
        alerts[0].message
    );
    // The same event again: nothing more is done or alerted.
    g.handle(&e).await.unwrap();
    assert!(inbox.drain().await.is_empty());
    assert_eq!(state().await, Some(RuleState::Enabled));
}
