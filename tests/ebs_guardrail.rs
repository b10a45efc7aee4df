//! The EBS guardrail end to end against the moto emulator: real volumes, the `events/` files,
//! real SNS → SQS alert delivery, the DynamoDB incident ledger, Config PutEvaluations.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use ebs_encryption::EbsGuardrail;
use guardrail_aws::{InvocationError, Plumbing, Wiring};
use guardrail_rules::Settings;
use guardrail_tests::*;
use serde_json::Value;
use std::collections::BTreeMap;

const REGION: &str = "ap-northeast-2";
const OWN_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-ebs-encryption";
const BREAK_GLASS: &str = "arn:aws:iam::123456789012:role/break-glass-*";

struct Account {
    moto: Moto,
    sdk: aws_config::SdkConfig,
    ec2: aws_sdk_ec2::Client,
    inbox: AlertInbox,
    unencrypted: String,
    encrypted: String,
}

impl Account {
    async fn seed() -> Account {
        let moto = Moto::start();
        let sdk = moto.sdk(REGION).await;
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let inbox = AlertInbox::create(&sdk).await;
        let unencrypted = create_volume(&ec2, false, &[]).await;
        let encrypted = create_volume(&ec2, true, &[]).await;
        Account {
            moto,
            sdk,
            ec2,
            inbox,
            unencrypted,
            encrypted,
        }
    }

    fn guardrail(&self, pairs: &[(&str, &str)]) -> EbsGuardrail {
        let mut all = vec![
            ("GUARDRAIL_OWN_ROLE_ARN", OWN_ROLE),
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
        ];
        all.extend_from_slice(pairs);
        EbsGuardrail::new(self.inbox.wiring(&self.sdk, &all))
    }

    fn remediating(&self) -> EbsGuardrail {
        self.guardrail(&[
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ])
    }

    fn event(&self, file: &str) -> Value {
        event(
            &format!("ebs/{file}"),
            &[
                (UNENCRYPTED_PLACEHOLDER, &self.unencrypted),
                (ENCRYPTED_PLACEHOLDER, &self.encrypted),
            ],
        )
    }

    async fn tags(&self, volume: &str) -> BTreeMap<String, String> {
        volume_tags(&self.ec2, volume).await
    }

    async fn encryption_by_default(&self) -> bool {
        encryption_by_default(&self.ec2).await
    }
}

async fn create_volume(
    ec2: &aws_sdk_ec2::Client,
    encrypted: bool,
    tags: &[(&str, &str)],
) -> String {
    let mut req = ec2
        .create_volume()
        .availability_zone("ap-northeast-2a")
        .size(8)
        .encrypted(encrypted);
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::Volume);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        req = req.tag_specifications(spec.build());
    }
    req.send().await.unwrap().volume_id.unwrap()
}

fn rules_of(alerts: &[ReceivedAlert]) -> Vec<String> {
    let mut rules: Vec<String> = alerts
        .iter()
        .map(|a| a.attributes["rule"].clone())
        .collect();
    rules.sort();
    rules
}

#[tokio::test]
async fn unencrypted_volume_is_tagged_default_enabled_and_alerted() {
    let acct = Account::seed().await;
    let outcome = acct
        .remediating()
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    assert_eq!(outcome.findings.len(), 2, "{outcome:?}");

    let tags = acct.tags(&acct.unencrypted).await;
    assert_eq!(
        tags.get("guardrail:finding").map(String::as_str),
        Some("ebs-unencrypted-volume")
    );
    assert!(tags.contains_key("guardrail:event-id"));
    assert!(
        acct.encryption_by_default().await,
        "encryption by default switched on"
    );

    let alerts = acct.inbox.drain().await;
    assert_eq!(
        rules_of(&alerts),
        ["ebs-encryption-by-default-off", "ebs-unencrypted-volume"]
    );
    let vol_alert = alerts
        .iter()
        .find(|a| a.attributes["rule"] == "ebs-unencrypted-volume")
        .unwrap();
    assert_eq!(vol_alert.attributes["severity"], "high");
    assert!(
        vol_alert.subject.contains(&acct.unencrypted),
        "{}",
        vol_alert.subject
    );
    assert!(
        vol_alert
            .message
            .contains("Who:       arn:aws:iam::123456789012:user/alice"),
        "{}",
        vol_alert.message
    );
    assert!(
        vol_alert.message.contains("done: tag volume"),
        "{}",
        vol_alert.message
    );
    assert!(
        vol_alert
            .message
            .contains("\"rule\": \"ebs-unencrypted-volume\""),
        "JSON finding in the message"
    );
}

#[tokio::test]
async fn same_event_twice_acts_and_alerts_once() {
    let acct = Account::seed().await;
    let guardrail = acct.remediating();
    let event = acct.event("create-volume-unencrypted.json");
    guardrail.handle(&event).await.unwrap();
    let tags_after_first = acct.tags(&acct.unencrypted).await;
    let second = guardrail.handle(&event).await.unwrap();
    assert!(second.findings.is_empty(), "{second:?}");
    // The region default was fixed by the first delivery, so only the volume incident remains,
    // and the ledger knows it.
    assert_eq!(
        second.duplicates,
        [format!(
            "ebs-unencrypted-volume|arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{}",
            acct.unencrypted
        )]
    );
    // A later event about the same incident (AttachVolume) is the same incident, too.
    let third = guardrail
        .handle(&acct.event("attach-volume-unencrypted.json"))
        .await
        .unwrap();
    assert!(third.findings.is_empty(), "{third:?}");
    assert_eq!(acct.tags(&acct.unencrypted).await, tags_after_first);
    assert_eq!(acct.inbox.drain().await.len(), 2, "one alert per incident");
}

#[tokio::test]
async fn dry_run_plans_and_changes_nothing() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_DEFAULT_MODE", "remediate")]); // dry-run is the default
    let outcome = guardrail
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    assert_eq!(outcome.findings.len(), 2);
    assert!(!acct
        .tags(&acct.unencrypted)
        .await
        .contains_key("guardrail:finding"));
    assert!(!acct.encryption_by_default().await);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 2);
    assert!(alerts
        .iter()
        .all(|a| a.message.contains("planned (dry-run, not done)")));
}

#[tokio::test]
async fn alert_mode_recommends_and_changes_nothing() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_DRY_RUN", "false")]); // alert is the default mode
    guardrail
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    assert!(!acct
        .tags(&acct.unencrypted)
        .await
        .contains_key("guardrail:finding"));
    assert!(!acct.encryption_by_default().await);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 2);
    assert!(alerts
        .iter()
        .all(|a| a.message.contains("recommended (alert mode)")));
}

#[tokio::test]
async fn per_rule_modes_are_honoured() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        (
            "GUARDRAIL_RULE_MODES",
            "ebs-unencrypted-volume=remediate,ebs-encryption-by-default-off=off",
        ),
    ]);
    let outcome = guardrail
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    assert_eq!(outcome.findings.len(), 1);
    assert!(acct
        .tags(&acct.unencrypted)
        .await
        .contains_key("guardrail:finding"));
    assert!(!acct.encryption_by_default().await, "that rule is off");
}

#[tokio::test]
async fn events_that_must_change_nothing() {
    let acct = Account::seed().await;
    let guardrail = acct.remediating();
    for (file, expect) in [
        ("create-volume-encrypted.json", None),
        ("create-volume-failed-call.json", Some("failed call")),
        ("create-volume-own-role.json", Some("own role")),
        ("create-volume-exempt-principal.json", Some("exempt")),
    ] {
        let outcome = guardrail.handle(&acct.event(file)).await.unwrap();
        assert!(outcome.findings.is_empty(), "{file}: {outcome:?}");
        match expect {
            Some(reason) => assert!(
                outcome
                    .skipped
                    .as_deref()
                    .unwrap_or_default()
                    .contains(reason),
                "{file}: {outcome:?}"
            ),
            None => assert!(outcome.skipped.is_none(), "{file}: {outcome:?}"),
        }
    }
    assert!(acct.tags(&acct.unencrypted).await.is_empty());
    assert!(!acct.encryption_by_default().await);
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn tagged_volume_is_exempt() {
    let acct = Account::seed().await;
    let exempt = create_volume(&acct.ec2, false, &[("guardrail:exempt", "legacy backup")]).await;
    let event = event(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &exempt)],
    );
    let outcome = acct.remediating().handle(&event).await.unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome.skipped_resources[0].contains("exemption tag"),
        "{outcome:?}"
    );
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn deleted_volume_is_left_alone() {
    let acct = Account::seed().await;
    acct.ec2
        .delete_volume()
        .volume_id(&acct.unencrypted)
        .send()
        .await
        .unwrap();
    let outcome = acct
        .remediating()
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome.skipped_resources[0].contains("no longer exists"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn encrypted_copy_of_an_unattached_volume() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ("GUARDRAIL_ENCRYPTED_COPY", "true"),
    ]);
    let outcome = guardrail
        .handle(&acct.event("create-volume-unencrypted.json"))
        .await
        .unwrap();
    let vol = outcome
        .findings
        .iter()
        .find(|f| f.rule == "ebs-unencrypted-volume")
        .unwrap();
    assert_eq!(vol.actions.len(), 2, "{vol:?}");
    let copy_id = acct.tags(&acct.unencrypted).await["guardrail:encrypted-copy"].clone();
    let copy = acct
        .ec2
        .describe_volumes()
        .volume_ids(&copy_id)
        .send()
        .await
        .unwrap();
    assert_eq!(copy.volumes()[0].encrypted, Some(true));
}

#[tokio::test]
async fn lost_alert_fails_the_invocation_and_the_retry_delivers_it() {
    let acct = Account::seed().await;
    let settings = Settings::from_lookup(env(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
    ]))
    .unwrap();
    let broken = EbsGuardrail::new(Wiring::new(
        acct.sdk.clone(),
        settings,
        Plumbing {
            topic_arn: Some("arn:aws:sns:ap-northeast-2:123456789012:no-such-topic".to_string()),
            ledger_table: Some(acct.inbox.ledger_table.clone()),
            config_test_mode: true,
            member_external_id: None,
        },
    ));
    let event = acct.event("create-volume-unencrypted.json");
    let err = broken.handle(&event).await.unwrap_err();
    assert!(matches!(err, InvocationError::Alert(_)), "{err}");
    // Lambda retries the event; this time the topic works: the alert is delivered, and the
    // tagging already done by the first attempt is not repeated.
    let retry = acct.remediating().handle(&event).await.unwrap();
    let vol = retry
        .findings
        .iter()
        .find(|f| f.rule == "ebs-unencrypted-volume")
        .expect("alerted on retry");
    assert!(
        matches!(
            vol.actions[0].status,
            guardrail_rules::finding::ActionStatus::AlreadyDone
        ),
        "{vol:?}"
    );
    assert!(!acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn malformed_events_are_rejected_not_retried() {
    let acct = Account::seed().await;
    let guardrail = acct.remediating();
    for bad in [
        serde_json::json!([1, 2, 3]),
        serde_json::json!({"hello": "world"}),
        serde_json::json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2", "detail": {"eventName": 7}}),
        serde_json::json!({"detail-type": "Something Else", "source": "x", "detail": {}}),
        serde_json::json!({"configRuleName": "r", "eventLeftScope": false, "invokingEvent": "{not json", "resultToken": "t"}),
    ] {
        let outcome = guardrail
            .handle(&bad)
            .await
            .expect("bad input is not an invocation error");
        assert!(outcome.rejected.is_some(), "{bad}: {outcome:?}");
    }
}

async fn config_evaluations(acct: &Account, file: &str) -> Vec<(String, String)> {
    let outcome = acct.remediating().handle(&acct.event(file)).await.unwrap();
    assert!(outcome.rejected.is_none(), "{outcome:?}");
    outcome
        .evaluations
        .iter()
        .map(|e| (e.resource_id.clone(), e.compliance.as_str().to_string()))
        .collect()
}

#[tokio::test]
async fn config_rule_evaluations() {
    let acct = Account::seed().await;
    let u = acct.unencrypted.clone();
    let e = acct.encrypted.clone();
    let nc = "NON_COMPLIANT".to_string();
    assert_eq!(
        config_evaluations(&acct, "config-change-unencrypted.json").await,
        [(u.clone(), nc.clone())]
    );
    assert_eq!(
        config_evaluations(&acct, "config-change-encrypted.json").await,
        [(e.clone(), "COMPLIANT".to_string())]
    );
    assert_eq!(
        config_evaluations(&acct, "config-oversized.json").await,
        [(u.clone(), nc.clone())]
    );
    assert_eq!(
        config_evaluations(&acct, "config-deleted.json").await,
        [(
            "vol-0ddddddddddddddd4".to_string(),
            "NOT_APPLICABLE".to_string()
        )]
    );
    let mut scheduled = config_evaluations(&acct, "config-scheduled.json").await;
    scheduled.sort();
    let mut expected = vec![(u, nc), (e, "COMPLIANT".to_string())];
    expected.sort();
    assert_eq!(scheduled, expected);
    // Config path reports compliance only: no alerts, no changes.
    assert!(acct.inbox.drain().await.is_empty());
    let _ = &acct.moto;
}

/// DisableEbsEncryptionByDefault is judged at once (issue "exposure guardrails"): the setting
/// is re-read, turned back on in remediate mode, and the same event again changes nothing.
#[tokio::test]
async fn encryption_by_default_switched_off_is_turned_back_on_at_once() {
    let acct = Account::seed().await;
    assert!(!acct.encryption_by_default().await);
    let guardrail = acct.remediating();
    let e = acct.event("disable-ebs-encryption-by-default.json");
    let out = guardrail.handle(&e).await.unwrap();
    let rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["ebs-encryption-by-default-off"], "{out:?}");
    assert!(acct.encryption_by_default().await, "turned back on");
    assert_eq!(acct.inbox.drain().await.len(), 1);
    // Redelivered: the re-read finds it on, nothing is done or alerted.
    let out = guardrail.handle(&e).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(acct.inbox.drain().await.is_empty());
}

/// A snapshot shared publicly and with a foreign account loses exactly those shares in
/// remediate mode; an allowed account keeps its share; the same event again changes nothing.
#[tokio::test]
async fn a_snapshot_shared_publicly_is_unshared_and_allowed_accounts_keep_theirs() {
    use aws_sdk_ec2::types::SnapshotAttributeName;
    let acct = Account::seed().await;
    let snap = shared_snapshot(
        &acct.ec2,
        &acct.encrypted,
        &[],
        &["all"],
        &["210987654321", "111122223333"],
    )
    .await;
    let shares = || async {
        let out = acct
            .ec2
            .describe_snapshot_attribute()
            .snapshot_id(&snap)
            .attribute(SnapshotAttributeName::CreateVolumePermission)
            .send()
            .await
            .unwrap();
        let mut v: Vec<String> = out
            .create_volume_permissions()
            .iter()
            .map(|p| {
                p.user_id()
                    .map(str::to_string)
                    .or_else(|| p.group().map(|g| g.as_str().to_string()))
                    .unwrap_or_default()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(shares().await, ["111122223333", "210987654321", "all"]);
    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ("GUARDRAIL_SHARE_ACCOUNTS", "111122223333"),
    ]);
    let e = event(
        "ebs/modify-snapshot-attribute-public.json",
        &[("snap-0aaaaaaaaaaaaaaa1", &snap)],
    );
    let out = guardrail.handle(&e).await.unwrap();
    let rules: Vec<(&str, String)> = out
        .findings
        .iter()
        .map(|f| (f.rule, f.severity.to_string()))
        .collect();
    assert_eq!(
        rules,
        [("ebs-snapshot-shared", "critical".to_string())],
        "{out:?}"
    );
    assert_eq!(
        shares().await,
        ["111122223333"],
        "only the allowed share is left"
    );
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains("210987654321"),
        "{}",
        alerts[0].message
    );
    // Redelivered: nothing public or foreign is left, nothing is done or alerted.
    let out = guardrail.handle(&e).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(acct.inbox.drain().await.is_empty());
}

/// Launch one instance whose root volume is unencrypted and data volume encrypted (the
/// mappings of `events/ebs/run-instances-unencrypted-root.json`); its id.
async fn launch_with_volumes(ec2: &aws_sdk_ec2::Client, root_encrypted: bool) -> String {
    use aws_sdk_ec2::types::{BlockDeviceMapping, EbsBlockDevice};
    let mapping = |device: &str, size: i32, encrypted: bool| {
        BlockDeviceMapping::builder()
            .device_name(device)
            .ebs(
                EbsBlockDevice::builder()
                    .volume_size(size)
                    .encrypted(encrypted)
                    .build(),
            )
            .build()
    };
    let out = ec2
        .run_instances()
        .image_id(AMI)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .block_device_mappings(mapping("/dev/xvda", 8, root_encrypted))
        .block_device_mappings(mapping("/dev/sdb", 20, true))
        .send()
        .await
        .unwrap();
    out.instances()[0].instance_id().unwrap().to_string()
}

/// The volumes attached to `instance`, each with whether it is encrypted.
async fn attached(ec2: &aws_sdk_ec2::Client, instance: &str) -> Vec<(String, bool)> {
    let out = ec2
        .describe_volumes()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("attachment.instance-id")
                .values(instance)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.volumes()
        .iter()
        .map(|v| {
            (
                v.volume_id().unwrap().to_string(),
                v.encrypted().unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test]
async fn run_instances_volumes_are_judged_from_the_instance_as_re_read() {
    let acct = Account::seed().await;
    let instance = launch_with_volumes(&acct.ec2, false).await;
    let volumes = attached(&acct.ec2, &instance).await;
    let unencrypted: Vec<&String> = volumes.iter().filter(|v| !v.1).map(|v| &v.0).collect();
    let encrypted: Vec<&String> = volumes.iter().filter(|v| v.1).map(|v| &v.0).collect();
    assert!(
        !unencrypted.is_empty() && !encrypted.is_empty(),
        "{volumes:?}"
    );
    let e = event(
        "ebs/run-instances-unencrypted-root.json",
        &[("i-0eeeeeeeeeeeeeee1", &instance)],
    );
    let guardrail = acct.remediating();
    let out = guardrail.handle(&e).await.unwrap();
    let judged: Vec<&str> = out
        .findings
        .iter()
        .filter(|f| f.rule == "ebs-unencrypted-volume")
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(judged.len(), unencrypted.len(), "{out:?}");
    for v in &unencrypted {
        assert!(judged.contains(&v.as_str()), "{v} judged: {out:?}");
        assert_eq!(
            acct.tags(v)
                .await
                .get("guardrail:finding")
                .map(String::as_str),
            Some("ebs-unencrypted-volume")
        );
    }
    for v in &encrypted {
        assert!(!judged.contains(&v.as_str()), "{out:?}");
        assert!(!acct.tags(v).await.contains_key("guardrail:finding"));
    }
    let alerts = acct.inbox.drain().await;
    assert!(
        alerts
            .iter()
            .any(|a| a.attributes["rule"] == "ebs-unencrypted-volume"
                && a.message.contains(&instance)),
        "the alert names the instance the volume is attached to: {alerts:?}"
    );
    // Redelivered: already tagged and alerted, nothing again.
    guardrail.handle(&e).await.unwrap();
    assert!(acct.inbox.drain().await.is_empty());

    // A launch with every volume encrypted is nothing; one whose instance has no volume
    // attached any more says so.
    let fine = launch_with_volumes(&acct.ec2, true).await;
    let e = event(
        "ebs/run-instances-unencrypted-root.json",
        &[("i-0eeeeeeeeeeeeeee1", &fine)],
    );
    let out = guardrail.handle(&e).await.unwrap();
    assert!(
        !out.findings
            .iter()
            .any(|f| f.rule == "ebs-unencrypted-volume"),
        "{out:?}"
    );
    let e = event(
        "ebs/run-instances-unencrypted-root.json",
        &[("i-0eeeeeeeeeeeeeee1", "i-0123456789abcdef0")],
    );
    let out = guardrail.handle(&e).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains("no EBS volume was attached to i-0123456789abcdef0")),
        "{out:?}"
    );
}

/// A public snapshot that carries the exempt tag is left shared: its tags are re-read with its
/// permissions (DescribeSnapshots by id), and the answer says why nothing was done.
#[tokio::test]
async fn a_public_snapshot_with_the_exempt_tag_is_left_alone() {
    use aws_sdk_ec2::types::SnapshotAttributeName;
    let acct = Account::seed().await;
    let snap = shared_snapshot(
        &acct.ec2,
        &acct.encrypted,
        &[("guardrail:exempt", "public-dataset")],
        &["all"],
        &[],
    )
    .await;
    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
    ]);
    let e = event(
        "ebs/modify-snapshot-attribute-public.json",
        &[("snap-0aaaaaaaaaaaaaaa1", &snap)],
    );
    let out = guardrail.handle(&e).await.unwrap();
    assert_skipped(&out, "carries the exempt tag guardrail:exempt", &snap);
    let still = acct
        .ec2
        .describe_snapshot_attribute()
        .snapshot_id(&snap)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .send()
        .await
        .unwrap();
    assert_eq!(still.create_volume_permissions().len(), 1, "still public");
    assert!(acct.inbox.drain().await.is_empty());
}
