//! Security properties end to end, against moto:
//!
//! * loop protection: after a real remediation, the CloudTrail events of the guardrail's own
//!   remediation calls change nothing, alert nothing, and cause no AWS call at all;
//! * account scope: an event claiming another account is refused before any AWS call;
//! * secrets: passwords and secret access keys inside events never reach the logs (captured
//!   from `tracing`), the alerts, or the handler's answer.

use guardrail_aws::{Plumbing, Wiring};
use guardrail_rules::{Outcome, Settings};
use guardrail_tests::proxy::FaultProxy;
use guardrail_tests::*;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};

const REGION: &str = "ap-northeast-2";
const FOREIGN: &str = "sa-east-1";
const FOREIGN_ACCOUNT: &str = "999999999999";
const EBS_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-ebs-encryption";
const IAM_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-iam-guard";
const REGION_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-region-guard";

fn remediate(own_role: &str) -> Vec<(&str, &str)> {
    vec![
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ("GUARDRAIL_OWN_ROLE_ARN", own_role),
        ("GUARDRAIL_ACCOUNT_ID", ACCOUNT),
    ]
}

/// A CloudTrail event of `event_name` made by the role behind `own_role_file`'s identity.
fn own_role_event(own_role_file: &str, event_name: &str, request: Value, event_id: &str) -> Value {
    let mut e = event(own_role_file, &[]);
    e["detail"]["eventName"] = json!(event_name);
    e["detail"]["requestParameters"] = request;
    e["detail"]["responseElements"] = Value::Null;
    e["detail"]["eventID"] = json!(event_id);
    e
}

#[tokio::test]
async fn the_events_of_its_own_ebs_remediation_change_nothing() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let sdk = moto.sdk(REGION).await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    let volume = create_volume(&ec2, "ap-northeast-2a", false).await;
    let guardrail = ebs_encryption::EbsGuardrail::new(
        inbox.wiring(&proxy.sdk(REGION).await, &remediate(EBS_ROLE)),
    );
    let first = guardrail
        .handle(&event(
            "ebs/create-volume-unencrypted.json",
            &[(UNENCRYPTED_PLACEHOLDER, &volume)],
        ))
        .await
        .unwrap();
    assert_eq!(first.findings.len(), 2, "{first:?}");
    assert_eq!(inbox.drain().await.len(), 2);
    let tags_after = volume_tags(&ec2, &volume).await;
    assert_eq!(
        tags_after.get("guardrail:finding").map(String::as_str),
        Some("ebs-unencrypted-volume")
    );

    // What CloudTrail records of that remediation, made by the guardrail's role, and a
    // CreateVolume by the same role (as the encrypted-copy option makes) of an unencrypted
    // volume that really exists: the gate, not the state, must stop it.
    let another = create_volume(&ec2, "ap-northeast-2a", false).await;
    let requests_before = proxy.seen_all();
    let own = "ebs/create-volume-own-role.json";
    let events = [
        own_role_event(
            own,
            "CreateTags",
            json!({
                "resourcesSet": {"items": [{"resourceId": volume}]},
                "tagSet": {"items": [
                    {"key": "guardrail:finding", "value": "ebs-unencrypted-volume"},
                    {"key": "guardrail:event-id", "value": first.event_id}
                ]}
            }),
            "own-create-tags",
        ),
        own_role_event(own, "EnableEbsEncryptionByDefault", json!({}), "own-enable"),
        event(own, &[(UNENCRYPTED_PLACEHOLDER, &another)]),
    ];
    for e in &events {
        let out = guardrail.handle(e).await.unwrap();
        assert_skipped(&out, "own role", &e["detail"]["eventName"].to_string());
    }
    assert_eq!(
        proxy.seen_all(),
        requests_before,
        "no AWS call for the guardrail's own events"
    );
    assert!(inbox.drain().await.is_empty());
    assert_eq!(volume_tags(&ec2, &volume).await, tags_after);
    assert!(volume_tags(&ec2, &another).await.is_empty());
}

#[tokio::test]
async fn the_events_of_its_own_iam_remediation_change_nothing() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let guardrail = iam_guard::IamGuardrail::new(
        inbox.wiring(&proxy.sdk("us-east-1").await, &remediate(IAM_ROLE)),
    );
    guardrail
        .handle(&event("iam/attach-user-policy-admin.json", &[]))
        .await
        .unwrap();
    assert!(!inbox.drain().await.is_empty());
    let attached = |iam: aws_sdk_iam::Client| async move {
        iam.list_attached_user_policies()
            .user_name("bob")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .len()
    };
    assert_eq!(attached(iam.clone()).await, 0, "detached");

    let requests_before = proxy.seen_all();
    let own = "iam/own-role-attach-policy.json";
    for e in [
        own_role_event(
            own,
            "DetachUserPolicy",
            json!({"userName": "bob", "policyArn": ADMIN}),
            "own-detach",
        ),
        own_role_event(
            own,
            "UpdateAccessKey",
            json!({"userName": "bob", "accessKeyId": "AKIAQ3EGBOB01EXAMPLE", "status": "Inactive"}),
            "own-update-key",
        ),
        event(own, &[]),
    ] {
        let out = guardrail.handle(&e).await.unwrap();
        assert_skipped(&out, "own role", &e["detail"]["eventName"].to_string());
    }
    assert_eq!(proxy.seen_all(), requests_before, "no AWS call");
    assert!(inbox.drain().await.is_empty());
    assert_eq!(attached(iam).await, 0);
}

/// The event as another account would send it: every `123456789012` replaced (envelope,
/// recipientAccountId, principal and ARNs), or only `detail.recipientAccountId`, or
/// `recipientAccountId` absent and the envelope's account foreign.
fn foreign_variants(file: &str, replacements: &[(&str, &str)]) -> Vec<(String, Value)> {
    let mut all = replacements.to_vec();
    all.push((ACCOUNT, FOREIGN_ACCOUNT));
    let everywhere = event(file, &all);
    let mut recipient_only = event(file, replacements);
    recipient_only["detail"]["recipientAccountId"] = json!(FOREIGN_ACCOUNT);
    let mut envelope_only = event(file, replacements);
    envelope_only["detail"]
        .as_object_mut()
        .unwrap()
        .remove("recipientAccountId");
    envelope_only["account"] = json!(FOREIGN_ACCOUNT);
    vec![
        (format!("{file} (all ids foreign)"), everywhere),
        (
            format!("{file} (recipientAccountId foreign)"),
            recipient_only,
        ),
        (format!("{file} (envelope account foreign)"), envelope_only),
    ]
}

#[tokio::test]
async fn events_claiming_another_account_are_refused_and_change_nothing() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let sdk = moto.sdk(REGION).await;
    let inbox = AlertInbox::create(&sdk).await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let foreign_ec2 = aws_sdk_ec2::Client::new(&moto.sdk(FOREIGN).await);
    let iam = aws_sdk_iam::Client::new(&sdk);
    let volume = create_volume(&ec2, "ap-northeast-2a", false).await;
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let instances: Vec<String> = foreign_ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(2)
        .max_count(2)
        .send()
        .await
        .unwrap()
        .instances()
        .iter()
        .map(|i| i.instance_id().unwrap().to_string())
        .collect();

    let psdk = proxy.sdk(REGION).await;
    let ebs = ebs_encryption::EbsGuardrail::new(inbox.wiring(&psdk, &remediate(EBS_ROLE)));
    let iam_guard = iam_guard::IamGuardrail::new(inbox.wiring(&psdk, &remediate(IAM_ROLE)));
    let mut region_pairs = remediate(REGION_ROLE);
    region_pairs.push(("GUARDRAIL_ALLOWED_REGIONS", REGION));
    let region = region_guard::RegionGuardrail::new(inbox.wiring(&psdk, &region_pairs));

    let mut handled = 0;
    for (what, e) in foreign_variants(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &volume)],
    ) {
        assert_skipped(&ebs.handle(&e).await.unwrap(), "is not guarded", &what);
        handled += 1;
    }
    for (what, e) in foreign_variants("iam/attach-user-policy-admin.json", &[]) {
        assert_skipped(
            &iam_guard.handle(&e).await.unwrap(),
            "is not guarded",
            &what,
        );
        handled += 1;
    }
    for (what, e) in foreign_variants(
        "region/run-instances-disallowed-region.json",
        &[
            ("i-0eeeeeeeeeeeeeee5", &instances[0]),
            ("i-0eeeeeeeeeeeeeee6", &instances[1]),
        ],
    ) {
        assert_skipped(&region.handle(&e).await.unwrap(), "is not guarded", &what);
        handled += 1;
    }
    assert_eq!(handled, 9);
    assert!(
        proxy.seen_all().is_empty(),
        "refused before any AWS call: {:?}",
        proxy.seen_all()
    );
    assert!(inbox.drain().await.is_empty());
    assert!(volume_tags(&ec2, &volume).await.is_empty());
    assert!(!encryption_by_default(&ec2).await);
    let bob = iam
        .list_attached_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(bob.attached_policies().len(), 1, "AdministratorAccess kept");
    let states: Vec<String> = foreign_ec2
        .describe_instances()
        .set_instance_ids(Some(instances.clone()))
        .send()
        .await
        .unwrap()
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| i.state().unwrap().name().unwrap().as_str().to_string())
        .collect();
    assert_eq!(states, ["running", "running"]);
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

const PASSWORD: &str = "Zq8-Sup3r-S3cret-Passw0rd!";
const NEW_PASSWORD: &str = "Xv7-An0ther-S3cret-Passw0rd!";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETxKEY";

/// Events carrying secrets where a careless decoder or alert could pick them up.
fn secret_events(bob_key: &str) -> Vec<(&'static str, Value)> {
    let mut login = event("iam/create-login-profile.json", &[]);
    login["detail"]["requestParameters"]["password"] = json!(PASSWORD);
    let mut update = login.clone();
    update["detail"]["eventName"] = json!("UpdateLoginProfile");
    update["detail"]["eventID"] = json!("update-login-profile-with-password");
    update["detail"]["requestParameters"]["password"] = json!(NEW_PASSWORD);
    let mut change = event("iam/create-login-profile.json", &[]);
    change["detail"]["eventName"] = json!("ChangePassword");
    change["detail"]["eventID"] = json!("change-password");
    change["detail"]["requestParameters"] =
        json!({"oldPassword": PASSWORD, "newPassword": NEW_PASSWORD});
    change["detail"]["responseElements"] = Value::Null;
    let mut key = event(
        "iam/create-access-key.json",
        &[("AKIAQ3EGBOB01EXAMPLE", bob_key)],
    );
    key["detail"]["responseElements"]["accessKey"]["secretAccessKey"] = json!(SECRET_KEY);
    key["detail"]["requestParameters"]["secretAccessKey"] = json!(SECRET_KEY);
    let mut root = event("iam/create-access-key-root.json", &[]);
    root["detail"]["responseElements"]["accessKey"]["secretAccessKey"] = json!(SECRET_KEY);
    vec![
        ("create-login-profile", login),
        ("update-login-profile", update),
        ("change-password", change),
        ("create-access-key", key),
        ("create-access-key-root", root),
    ]
}

#[tokio::test]
async fn secrets_in_events_are_never_logged_alerted_or_answered() {
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    for user in ["alice", "bob", "carol"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    iam.create_login_profile()
        .user_name("carol")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
    let bob_key = create_access_key(&iam, "bob").await;
    let mfa = create_mfa_enforcement_policy(&iam).await;

    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .finish();
    // This test runs on tokio's current-thread runtime: every poll happens on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut pairs = remediate(IAM_ROLE);
    pairs.push(("GUARDRAIL_MFA_POLICY_ARN", &mfa));
    // With the SNS topic (alerts read back from SQS) ...
    let published = iam_guard::IamGuardrail::new(inbox.wiring(&sdk, &pairs));
    // ... and without it, where every alert is written to the log instead.
    let settings = Settings::from_lookup(env(&pairs)).unwrap();
    let log_only =
        iam_guard::IamGuardrail::new(Wiring::new(sdk.clone(), settings, Plumbing::default()));
    let mut answers = String::new();
    let mut rules = Vec::new();
    for (name, e) in secret_events(&bob_key) {
        for guardrail in [&published, &log_only] {
            let out = guardrail
                .handle(&e)
                .await
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            assert!(out.rejected.is_none(), "{name}: {out:?}");
            rules.extend(out.findings.iter().map(|f| f.rule.to_string()));
            answers.push_str(&serde_json::to_string(&out).unwrap());
        }
    }
    let alerts = inbox.drain().await;
    let alert_text: String = alerts
        .iter()
        .map(|a| format!("{}\n{}\n{:?}\n", a.subject, a.message, a.attributes))
        .collect();
    let log_text = logs.text();

    // The events were really judged, alerted and logged, so the check means something.
    for rule in [
        "iam-user-console-without-mfa",
        "iam-access-key-for-other-user",
        "iam-root-activity",
        "iam-change-audit",
    ] {
        assert!(rules.iter().any(|r| r == rule), "{rule}: {rules:?}");
    }
    assert!(alerts.len() >= 5, "{alerts:?}");
    assert!(log_text.contains("alert published"), "{log_text}");
    assert!(
        log_text.contains("alert logged only"),
        "the topic-less path logs the alerts"
    );
    assert!(
        log_text.contains(&bob_key),
        "the key id (not secret) is reported"
    );
    for secret in [PASSWORD, NEW_PASSWORD, SECRET_KEY] {
        for (place, text) in [
            ("logs", &log_text),
            ("alerts", &alert_text),
            ("answers", &answers),
        ] {
            assert!(!text.contains(secret), "{secret:?} leaked into the {place}");
            // Also not in an escaped or JSON-encoded form.
            let escaped = serde_json::to_string(secret).unwrap();
            assert!(
                !text.contains(escaped.trim_matches('"')),
                "{secret:?} leaked (escaped) into the {place}"
            );
        }
    }
}

/// AWS Config invocations claiming another account (`accountId` and the configuration item's
/// `awsAccountId` = 999999999999).
async fn config_events_from_another_account() -> (Moto, FaultProxy, AlertInbox, Vec<Outcome>) {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let sdk = moto.sdk(REGION).await;
    let inbox = AlertInbox::create(&sdk).await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let volume = create_volume(&ec2, "ap-northeast-2a", false).await;
    let ebs = ebs_encryption::EbsGuardrail::new(
        inbox.wiring(&proxy.sdk(REGION).await, &remediate(EBS_ROLE)),
    );
    let mut outcomes = Vec::new();
    for file in [
        "ebs/config-change-unencrypted.json",
        "ebs/config-oversized.json",
        "ebs/config-scheduled.json",
    ] {
        let e = event(
            file,
            &[
                (UNENCRYPTED_PLACEHOLDER, &volume),
                (ACCOUNT, FOREIGN_ACCOUNT),
            ],
        );
        outcomes.push(ebs.handle(&e).await.unwrap());
    }
    assert!(volume_tags(&ec2, &volume).await.is_empty());
    (moto, proxy, inbox, outcomes)
}

#[tokio::test]
async fn config_events_claiming_another_account_change_nothing_and_alert_nothing() {
    let (_moto, proxy, inbox, outcomes) = config_events_from_another_account().await;
    for out in &outcomes {
        assert!(out.findings.is_empty(), "{out:?}");
    }
    assert!(inbox.drain().await.is_empty());
    let mutating: Vec<_> = proxy
        .seen_all()
        .into_keys()
        .filter(|a| !a.starts_with("Describe") && a != "PutEvaluations")
        .collect();
    assert!(mutating.is_empty(), "{mutating:?}");
}

/// REPRODUCER (reported to the lead, not fixed here): ARCHITECTURE.md says GUARDRAIL_ACCOUNT_ID
/// "makes the gate refuse events from any other account", but only API-call events pass the
/// gate: `ebs-encryption`'s AWS Config path (`on_config`) never calls `gate::screen_account`.
/// A Config invocation claiming account 999999999999 is judged: the function reads the named
/// volume in its own account and sends PutEvaluations for it. Nothing is changed or alerted
/// (the test above), and real AWS would reject a foreign result token, so the impact is low,
/// but the account scope promise does not hold for this trigger.
#[tokio::test]
async fn config_events_claiming_another_account_are_refused() {
    let (_moto, proxy, _inbox, outcomes) = config_events_from_another_account().await;
    for out in &outcomes {
        assert!(out.evaluations.is_empty(), "{out:?}");
    }
    assert!(proxy.seen_all().is_empty(), "{:?}", proxy.seen_all());
}
