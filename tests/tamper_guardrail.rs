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
        "tamper/update-trail-bucket-only.json",
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
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel};
    let (_moto, sdk, inbox) = setup().await;
    let config = aws_sdk_config::Client::new(&sdk);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn("arn:aws:iam::123456789012:role/config-recorder")
                .build(),
        )
        .send()
        .await
        .unwrap();
    config
        .put_delivery_channel()
        .delivery_channel(
            DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("config-bucket-123456789012")
                .build(),
        )
        .send()
        .await
        .unwrap();
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
