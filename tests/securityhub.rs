//! Security Hub (ASFF) import end to end against the moto emulator: a sweep imports one finding
//! per problem, a second sweep updates them instead of duplicating, a fixed problem is archived
//! (RecordState ARCHIVED, Compliance PASSED) by the next sweep; an event-driven function imports
//! the finding it alerted. Read back with GetFindings, as a user's tooling would.

use account_sweep::AccountSweep;
use ebs_encryption::EbsGuardrail;
use guardrail_aws::ports::FindingsSink;
use guardrail_rules::trigger::{self, Trigger};
use guardrail_tests::*;
use std::collections::BTreeMap;

const REGION: &str = "us-east-1";

/// Every finding in the emulator's hub: id → (record state, compliance status, generator).
async fn hub_findings(sdk: &aws_config::SdkConfig) -> BTreeMap<String, (String, String, String)> {
    let hub = aws_sdk_securityhub::Client::new(sdk);
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = hub
            .get_findings()
            .max_results(100)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for f in page.findings() {
            let previous = out.insert(
                f.id().unwrap().to_string(),
                (
                    f.record_state().unwrap().as_str().to_string(),
                    f.compliance()
                        .and_then(|c| c.status())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    f.generator_id().unwrap().to_string(),
                ),
            );
            assert!(previous.is_none(), "duplicate finding id {:?}", f.id());
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return out,
        }
    }
}

fn schedule() -> trigger::Schedule {
    match trigger::decode(&event("schedule/sweep.json", &[])).unwrap() {
        Trigger::Schedule(s) => s,
        other => panic!("{other:?}"),
    }
}

/// Run a test body on a thread with a 32 MiB stack: in debug builds the SDK's deserializer of
/// `AwsSecurityFinding` (GetFindings) needs more than the 2 MiB a test thread has.
fn on_big_stack<F: std::future::Future<Output = ()> + 'static>(body: fn() -> F) {
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(body())
        })
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn sweeps_import_once_per_problem_and_archive_what_was_fixed() {
    on_big_stack(sweeps_import_once_per_problem_and_archive_what_was_fixed_body);
}

#[test]
fn off_by_default_and_event_driven_findings_are_imported_when_on() {
    on_big_stack(off_by_default_and_event_driven_findings_are_imported_when_on_body);
}

async fn sweeps_import_once_per_problem_and_archive_what_was_fixed_body() {
    let moto = Moto::start();
    let sdk = moto.sdk(REGION).await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    aws_sdk_securityhub::Client::new(&sdk)
        .enable_security_hub()
        .send()
        .await
        .unwrap();
    let plain = create_volume(&ec2, "us-east-1a", false).await;
    iam.create_user().user_name("carol").send().await.unwrap();
    iam.create_login_profile()
        .user_name("carol")
        .password("Correct-Horse-Battery-9")
        .send()
        .await
        .unwrap();
    let f = AccountSweep::new(
        inbox
            .wiring(&sdk, &[("GUARDRAIL_SWEEP_REGIONS", REGION)])
            .with_security_hub(true),
    );

    // Two sweeps: one Security Hub finding per problem, all ACTIVE and FAILED.
    let (_, first) = f.sweep(&schedule()).await.unwrap();
    let (_, second) = f.sweep(&schedule()).await.unwrap();
    assert_eq!(first.findings.len(), second.findings.len());
    let ids: Vec<String> = first
        .findings
        .iter()
        .map(guardrail_rules::asff::finding_id)
        .collect();
    let volume_id =
        format!("guardrail/ebs-unencrypted-volume/arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{plain}");
    let default_id = format!(
        "guardrail/ebs-encryption-by-default-off/arn:aws:ec2:{REGION}:{ACCOUNT}:ebs-encryption-by-default/{ACCOUNT}/{REGION}"
    );
    let carol_id =
        format!("guardrail/iam-user-console-without-mfa/arn:aws:iam::{ACCOUNT}:user/carol");
    for id in [&volume_id, &default_id, &carol_id] {
        assert!(ids.contains(id), "{id} not in {ids:#?}");
    }
    let hub = hub_findings(&sdk).await;
    assert_eq!(hub.len(), first.findings.len(), "{hub:#?}");
    for id in &ids {
        let (state, compliance, _) = &hub[id];
        assert_eq!(
            (state.as_str(), compliance.as_str()),
            ("ACTIVE", "FAILED"),
            "{id}"
        );
    }

    // An earlier root finding (as a sweep in real AWS, with a <root_account> row, would have
    // imported). moto's credential report has no root row, so the next sweep cannot judge the
    // root rules: their finding must stay open, not be archived as resolved.
    let mut root = first
        .findings
        .iter()
        .find(|f| f.rule == "iam-user-console-without-mfa")
        .unwrap()
        .clone();
    root.rule = "iam-root-mfa";
    root.resource.id = "root".into();
    root.resource.arn = format!("arn:aws:iam::{ACCOUNT}:root");
    let root_id = guardrail_rules::asff::finding_id(&root);
    guardrail_aws::securityhub::SecurityHub::new(
        aws_sdk_securityhub::Client::new(&sdk),
        REGION.to_string(),
    )
    .import(std::slice::from_ref(&root))
    .await
    .unwrap();

    // Fix two problems: the volume is deleted, encryption by default is on.
    ec2.delete_volume().volume_id(&plain).send().await.unwrap();
    ec2.enable_ebs_encryption_by_default().send().await.unwrap();
    let (_, third) = f.sweep(&schedule()).await.unwrap();
    assert_eq!(third.findings.len(), first.findings.len() - 2);
    let hub = hub_findings(&sdk).await;
    assert_eq!(
        hub.len(),
        first.findings.len() + 1,
        "archived, not deleted or added"
    );
    let (state, _, _) = &hub[&root_id];
    assert_eq!(
        state, "ACTIVE",
        "a rule the sweep could not judge keeps its finding open"
    );
    for id in [&volume_id, &default_id] {
        let (state, compliance, _) = &hub[id];
        assert_eq!(
            (state.as_str(), compliance.as_str()),
            ("ARCHIVED", "PASSED"),
            "{id}"
        );
    }
    let (state, compliance, generator) = &hub[&carol_id];
    assert_eq!((state.as_str(), compliance.as_str()), ("ACTIVE", "FAILED"));
    assert_eq!(generator, "iam-user-console-without-mfa");

    // A fourth sweep changes nothing (the archived findings are not archived again).
    f.sweep(&schedule()).await.unwrap();
    assert_eq!(hub_findings(&sdk).await, hub);
}

async fn off_by_default_and_event_driven_findings_are_imported_when_on_body() {
    let region = "ap-northeast-2";
    let moto = Moto::start();
    let sdk = moto.sdk(region).await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let inbox = AlertInbox::create(&sdk).await;
    let plain = create_volume(&ec2, "ap-northeast-2a", false).await;
    let event = event(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &plain)],
    );

    // Off (the default): the alert goes out, nothing reaches Security Hub.
    let off = EbsGuardrail::new(inbox.wiring_with(&sdk, &[], false));
    let out = off.handle(&event).await.unwrap();
    // The volume, and the region's encryption-by-default setting.
    assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
    assert!(hub_findings(&sdk).await.is_empty());

    // On: the alerted finding is imported; a redelivery (no ledger: alerted again) updates it.
    let on = EbsGuardrail::new(inbox.wiring_with(&sdk, &[], false).with_security_hub(true));
    on.handle(&event).await.unwrap();
    on.handle(&event).await.unwrap();
    let hub = hub_findings(&sdk).await;
    let id =
        format!("guardrail/ebs-unencrypted-volume/arn:aws:ec2:{region}:{ACCOUNT}:volume/{plain}");
    assert_eq!(hub.len(), 2, "one per problem, not per delivery: {hub:#?}");
    assert_eq!(hub[&id].0, "ACTIVE");
    assert_eq!(inbox.drain().await.len(), 6, "every alert still published");
}
