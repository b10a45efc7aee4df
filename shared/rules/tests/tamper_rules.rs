//! The tamper rules on the `events/tamper/` files and on the real records of
//! `../shared/data/cloudtrail-samples/` (read when present): what each call switched off,
//! judged from the call alone through the registry, as tamper-guard runs them.

use guardrail_rules::finding::EventContext;
use guardrail_rules::gate;
use guardrail_rules::rules::registry::{call_judges, Need, Read};
use guardrail_rules::rules::Function;
use guardrail_rules::trigger::{decode, decode_str, ApiCall, Trigger};
use guardrail_rules::{Finding, Settings};
use serde_json::{json, Value};
use std::path::Path;

fn call(rel: &str) -> Box<ApiCall> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    match decode_str(&std::fs::read_to_string(path).unwrap()).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

/// What tamper-guard would report: the gate, then every tamper judge, with a stopped
/// recorder re-read as still stopped (the others need nothing).
fn judged(call: &ApiCall, settings: &Settings) -> Vec<Finding> {
    judged_with(call, settings, Some(false))
}

fn judged_with(call: &ApiCall, settings: &Settings, recording: Option<bool>) -> Vec<Finding> {
    if gate::screen(call, settings).is_err() {
        return Vec::new();
    }
    let ctx = EventContext::of(call);
    let mut out = Vec::new();
    for judge in call_judges(Function::TamperGuard) {
        if let Some(need) = (judge.needs)(call, settings) {
            let read = match need {
                Need::Nothing => Read::Nothing,
                Need::Recorder { .. } => Read::Recorder(recording),
                // Still switched off when re-read.
                Need::Trail { .. } => Read::Trail(Some(false)),
                Need::Key { .. } => Read::Key(Some(
                    match call.event_name.as_str() {
                        "ScheduleKeyDeletion" => "PendingDeletion",
                        _ => "Disabled",
                    }
                    .to_string(),
                )),
                // No trail delivers to the bucket (the trail-bucket tests set one).
                Need::TrailBuckets { .. } => Read::TrailBuckets(Vec::new()),
                // The guardrail's own rule, still disabled.
                Need::EventRule { .. } => Read::EventRule(Some(false)),
                other => panic!("{}: {other:?}", judge.rules[0].id),
            };
            out.extend((judge.judge)(call, &read, &ctx, settings).findings);
        }
    }
    out
}

/// Settings from these variables alone.
fn settings_of(vars: &[(&str, &str)]) -> Settings {
    Settings::from_lookup(|k: &str| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.to_string())
    })
    .unwrap()
}

/// The tests' deployment: a stack with a deployer and a break-glass exemption.
fn settings() -> Settings {
    settings_of(&[
        (
            "GUARDRAIL_EXEMPT_PRINCIPALS",
            "arn:aws:iam::123456789012:role/break-glass-admin",
        ),
        ("GUARDRAIL_STACK_NAME", "guardrail"),
        (
            "GUARDRAIL_DEPLOYER_PRINCIPALS",
            "arn:aws:iam::123456789012:role/ci-deployer",
        ),
    ])
}

#[test]
fn each_tamper_event_raises_its_rule_and_only_it() {
    let cases: &[(&str, Option<(&str, &str)>)] = &[
        (
            "tamper/stop-logging.json",
            Some(("cloudtrail-logging-stopped", "critical")),
        ),
        ("tamper/stop-logging-failed.json", None),
        ("tamper/stop-logging-exempt-principal.json", None),
        (
            "tamper/delete-trail.json",
            Some(("cloudtrail-trail-deleted", "critical")),
        ),
        (
            "tamper/update-trail-single-region.json",
            Some(("cloudtrail-trail-weakened", "high")),
        ),
        (
            "tamper/update-trail-bucket-only.json",
            Some(("cloudtrail-changed", "low")),
        ),
        (
            "tamper/create-trail.json",
            Some(("cloudtrail-changed", "low")),
        ),
        (
            "tamper/put-insight-selectors-off.json",
            Some(("cloudtrail-trail-weakened", "medium")),
        ),
        (
            "tamper/put-configuration-recorder-narrowed.json",
            Some(("config-changed", "medium")),
        ),
        (
            "tamper/delete-delivery-channel.json",
            Some(("config-recorder-stopped", "high")),
        ),
        (
            "tamper/batch-disable-standards.json",
            Some(("securityhub-disabled", "high")),
        ),
        (
            "tamper/put-event-selectors-no-management.json",
            Some(("cloudtrail-trail-weakened", "high")),
        ),
        (
            "tamper/stop-configuration-recorder.json",
            Some(("config-recorder-stopped", "high")),
        ),
        (
            "tamper/delete-detector.json",
            Some(("guardduty-disabled", "critical")),
        ),
        ("tamper/update-detector-still-enabled.json", None),
        (
            "tamper/update-detector-feature-disabled.json",
            Some(("guardduty-disabled", "high")),
        ),
        (
            "tamper/stop-monitoring-members.json",
            Some(("guardduty-disabled", "high")),
        ),
        (
            "tamper/disable-rule-guardrail.json",
            Some(("guardrail-stack-changed", "critical")),
        ),
        (
            "tamper/delete-topic-guardrail.json",
            Some(("guardrail-stack-changed", "critical")),
        ),
        ("tamper/update-function-code-other-stack.json", None),
        ("tamper/update-function-code-by-deployer.json", None),
        (
            "tamper/put-bucket-policy.json",
            Some(("s3-bucket-policy-changed", "medium")),
        ),
        (
            "tamper/authorize-security-group-ingress.json",
            Some(("vpc-security-group-changed", "low")),
        ),
        (
            "tamper/replace-network-acl-entry.json",
            Some(("vpc-nacl-changed", "low")),
        ),
        (
            "tamper/attach-internet-gateway.json",
            Some(("vpc-gateway-changed", "medium")),
        ),
        (
            "tamper/create-route.json",
            Some(("vpc-route-table-changed", "low")),
        ),
        (
            "tamper/create-vpc-peering-connection.json",
            Some(("vpc-changed", "medium")),
        ),
        (
            "tamper/leave-organization.json",
            Some(("organizations-changed", "high")),
        ),
        (
            "tamper/schedule-key-deletion.json",
            Some(("kms-key-disabled", "high")),
        ),
        (
            "tamper/delete-analyzer.json",
            Some(("access-analyzer-deleted", "high")),
        ),
        (
            "tamper/disable-security-hub.json",
            Some(("securityhub-disabled", "critical")),
        ),
    ];
    let settings = settings();
    for (file, want) in cases {
        let found = judged(&call(file), &settings);
        let got: Vec<(&str, String)> = found
            .iter()
            .map(|f| (f.rule, f.severity.to_string()))
            .collect();
        match want {
            Some((rule, severity)) => {
                assert_eq!(got, vec![(*rule, severity.to_string())], "{file}")
            }
            None => assert!(got.is_empty(), "{file}: {got:?}"),
        }
    }
}

#[test]
fn the_alert_says_who_what_where_and_how_to_undo() {
    let f = &judged(&call("tamper/stop-logging.json"), &settings())[0];
    assert!(f.reason.contains("alice"), "{}", f.reason);
    assert!(f.reason.contains("org-trail"), "{}", f.reason);
    assert!(f.reason.contains("ap-northeast-2"), "{}", f.reason);
    assert!(f.reason.contains("start-logging"), "{}", f.reason);
    assert_eq!(
        f.resource.arn,
        "arn:aws:cloudtrail:ap-northeast-2:123456789012:trail/org-trail"
    );
    let w = &judged(&call("tamper/update-trail-single-region.json"), &settings())[0];
    assert!(
        w.reason.contains("multi-region recording off"),
        "{}",
        w.reason
    );
    assert!(w.reason.contains("log file validation off"), "{}", w.reason);
    // A trail named by name gets its ARN in the call's region and account.
    let d = &judged(&call("tamper/delete-trail.json"), &settings())[0];
    assert_eq!(
        d.resource.arn,
        "arn:aws:cloudtrail:ap-northeast-2:123456789012:trail/org-trail"
    );
}

#[test]
fn a_rule_switched_off_says_nothing() {
    let settings = settings_of(&[("GUARDRAIL_RULE_MODES", "cloudtrail-logging-stopped=off")]);
    assert!(judged(&call("tamper/stop-logging.json"), &settings).is_empty());
}

/// Real records the sources judge (Panther's tests, Stratus Red Team's detonations): our
/// verdict agrees with theirs wherever their rule is the same question as one of ours.
#[test]
fn real_tamper_records_are_judged_as_their_sources_expect() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cloudtrail-samples");
    let Ok(index) = std::fs::read_to_string(dir.join("index.json")) else {
        eprintln!("skipped: ../shared/data/cloudtrail-samples is absent (CI has it)");
        return;
    };
    let index: Vec<Value> = serde_json::from_str(&index).unwrap();
    // Source rule (or Stratus technique) -> our rule.
    let same_question = [
        ("AWS.CloudTrail.Stopped", "cloudtrail-logging-stopped"),
        (
            "AWS.CloudTrail.EventSelectorsDisabled",
            "cloudtrail-trail-weakened",
        ),
        (
            "aws.defense-evasion.cloudtrail-stop",
            "cloudtrail-logging-stopped",
        ),
        (
            "aws.defense-evasion.cloudtrail-delete",
            "cloudtrail-trail-deleted",
        ),
        (
            "aws.defense-evasion.cloudtrail-event-selectors",
            "cloudtrail-trail-weakened",
        ),
    ];
    let settings = Settings::default();
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in &index {
        let file = entry["file"].as_str().unwrap();
        let source_rule = entry["source_rule"].as_str().unwrap_or_default();
        let technique = file.split('/').nth(1).unwrap_or_default();
        let Some((_, ours)) = same_question
            .iter()
            .find(|(s, _)| *s == source_rule || *s == technique)
        else {
            continue;
        };
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let name = record["eventName"].as_str().unwrap_or_default();
        // The source rule may watch more calls than ours does (its other tests are not ours).
        if !["StopLogging", "DeleteTrail", "PutEventSelectors"].contains(&name) {
            continue;
        }
        let event = json!({"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.cloudtrail", "account": "123456789012", "region": "us-east-1",
            "time": "2026-01-01T00:00:00Z", "resources": [], "detail": record});
        let Ok(Trigger::ApiCall(call)) = decode(&event) else {
            problems.push(format!("{file}: not decoded"));
            continue;
        };
        let expected = entry["expected"] == true || entry["expectation"] == "technique";
        let fired = judged(&call, &settings).iter().any(|f| f.rule == *ours);
        checked += 1;
        if fired != expected {
            problems.push(format!(
                "{file}: {ours} fired={fired}, the source expects {expected}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 6, "only {checked} records checked");
}

#[test]
fn a_guardduty_protection_switched_off_is_named() {
    let f = &judged(
        &call("tamper/update-detector-feature-disabled.json"),
        &settings(),
    )[0];
    assert!(f.reason.contains("S3_DATA_EVENTS"), "{}", f.reason);
    assert!(!f.reason.contains("EKS_AUDIT_LOGS"), "{}", f.reason);
    let mut old = call("tamper/update-detector-still-enabled.json");
    old.request = json!({"detectorId": "d1", "dataSources": {"s3Logs": {"enable": false},
        "kubernetes": {"auditLogs": {"enable": true}}}});
    let f = &judged(&old, &settings())[0];
    assert!(f.reason.contains("dataSources.s3Logs"), "{}", f.reason);
    assert!(!f.reason.contains("kubernetes"), "{}", f.reason);
    // Malformed shapes are no finding and no panic.
    old.request = json!({"features": "DISABLED", "dataSources": [1]});
    assert!(judged(&old, &settings()).is_empty());
}

#[test]
fn the_guardrails_own_stack_is_guarded_and_undone_by_name() {
    let f = &judged(&call("tamper/disable-rule-guardrail.json"), &settings())[0];
    assert!(
        f.reason
            .contains("aws events enable-rule --name guardrail-ExposureApiCallRule-1A2B3C4D5E6F"),
        "{}",
        f.reason
    );
    assert_eq!(
        f.resource.arn,
        "arn:aws:events:ap-northeast-2:123456789012:rule/guardrail-ExposureApiCallRule-1A2B3C4D5E6F"
    );
    // Without the stack's name the rule cannot tell its resources: it judges nothing.
    let unnamed = Settings::default();
    assert!(judged(&call("tamper/disable-rule-guardrail.json"), &unnamed).is_empty());
    // The deployer's own change to the same function is a deployment; anyone else's is not.
    let mut by_alice = call("tamper/update-function-code-by-deployer.json");
    by_alice.principal = call("tamper/disable-rule-guardrail.json").principal.clone();
    let f = &judged(&by_alice, &settings())[0];
    assert_eq!(f.resource.id, "guardrail-tamper-guard");
    assert!(
        f.reason.contains("redeploy stack guardrail"),
        "{}",
        f.reason
    );
    // Its roles, through iam-guard (IAM's events arrive there).
    let role = call("iam/detach-role-policy-guardrail-role.json");
    let ctx = EventContext::of(&role);
    let judge = &guardrail_rules::rules::guardrail_stack_changed::JUDGE;
    assert!(judge.runs_in(Function::IamGuard));
    assert_eq!((judge.needs)(&role, &settings()), Some(Need::Nothing));
    let f = (judge.judge)(&role, &Read::Nothing, &ctx, &settings()).findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].resource.kind, "AWS::IAM::Role");
    // Odd shapes name nothing and panic nowhere.
    for request in [
        json!({}),
        json!({"functionName": ""}),
        json!({"stackName": "arn:aws:cloudformation:x:y:stack/"}),
        json!({"subscriptionArn": "no-colon"}),
        json!({"queueUrl": "/"}),
    ] {
        let mut odd = call("tamper/update-function-code-by-deployer.json");
        odd.principal = by_alice.principal.clone();
        odd.request = request;
        let _ = judged(&odd, &settings());
    }
}

#[test]
fn the_guardrails_own_disabled_rule_is_enabled_again_only_while_disabled_and_at_home() {
    use guardrail_rules::finding::ActionStatus;
    let disable = call("tamper/disable-rule-guardrail.json");
    let judge = &guardrail_rules::rules::guardrail_stack_changed::JUDGE;
    let remediate = settings_of(&[
        ("GUARDRAIL_STACK_NAME", "guardrail"),
        ("GUARDRAIL_RULE_MODES", "guardrail-stack-changed=remediate"),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    let need = (judge.needs)(&disable, &remediate);
    assert_eq!(
        need,
        Some(Need::EventRule {
            region: "ap-northeast-2".into(),
            name: "guardrail-ExposureApiCallRule-1A2B3C4D5E6F".into(),
        })
    );
    let ctx = EventContext::of(&disable);
    let with = |read: Read, settings: &Settings| (judge.judge)(&disable, &read, &ctx, settings);
    let j = with(Read::EventRule(Some(false)), &remediate);
    let f = &j.findings[0];
    assert_eq!(f.actions.len(), 1);
    assert_eq!(f.actions[0].status, ActionStatus::Pending);
    assert!(
        f.actions[0]
            .step
            .describe()
            .contains("undo: aws events disable-rule --name guardrail-ExposureApiCallRule"),
        "{}",
        f.actions[0].step.describe()
    );
    // Enabled again since: nothing to do. Deleted since: the alert, a note, no step.
    let j = with(Read::EventRule(Some(true)), &remediate);
    assert_eq!(j.findings[0].actions[0].status, ActionStatus::AlreadyDone);
    let j = with(Read::EventRule(None), &remediate);
    assert!(j.findings[0].actions.is_empty());
    assert!(j.notes[0].contains("no longer exists"), "{:?}", j.notes);
    // Alert mode (the default) recommends it.
    let j = with(Read::EventRule(Some(false)), &settings());
    assert_eq!(j.findings[0].actions[0].status, ActionStatus::Recommended);
    // Other calls on the stack need nothing re-read; the deployer's DisableRule is no finding.
    let other = call("tamper/update-function-code-by-deployer.json");
    assert_eq!((judge.needs)(&other, &remediate), Some(Need::Nothing));
    let mut by_deployer = disable.clone();
    by_deployer.principal = other.principal.clone();
    assert_eq!(
        (judge.needs)(&by_deployer, &settings()),
        Some(Need::Nothing)
    );
    assert!(judged(&by_deployer, &settings()).is_empty());
    // In a member account the rules are the member stack's: alert only, nothing re-read.
    let org = settings_of(&[
        ("GUARDRAIL_STACK_NAME", "guardrail"),
        ("GUARDRAIL_ACCOUNT_ID", "111111111111"),
        ("GUARDRAIL_MEMBER_ROLE_NAME", "GuardrailRemediationRole"),
    ]);
    assert!(org.is_member_account(&disable.account));
    assert_eq!((judge.needs)(&disable, &org), Some(Need::Nothing));
}

#[test]
fn a_stopped_recorder_is_started_again_only_while_it_is_stopped() {
    use guardrail_rules::finding::ActionStatus;
    let stop = call("tamper/stop-configuration-recorder.json");
    let remediate = settings_of(&[
        ("GUARDRAIL_RULE_MODES", "config-recorder-stopped=remediate"),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    let f = &judged_with(&stop, &remediate, Some(false))[0];
    assert_eq!(f.actions.len(), 1);
    assert_eq!(f.actions[0].status, ActionStatus::Pending);
    assert!(
        f.actions[0]
            .step
            .describe()
            .contains("undo: aws configservice stop-configuration-recorder"),
        "{}",
        f.actions[0].step.describe()
    );
    // Started again since: nothing to do. Deleted since: the alert, no step.
    let f = &judged_with(&stop, &remediate, Some(true))[0];
    assert_eq!(f.actions[0].status, ActionStatus::AlreadyDone);
    assert!(judged_with(&stop, &remediate, None)[0].actions.is_empty());
    // Alert mode (the default) recommends the step; dry run plans it.
    let f = &judged_with(&stop, &settings(), Some(false))[0];
    assert_eq!(f.actions[0].status, ActionStatus::Recommended);
}

#[test]
fn a_cis_audited_change_names_who_what_and_the_resource() {
    let f = &judged(&call("tamper/schedule-key-deletion.json"), &settings())[0];
    assert_eq!(
        f.resource.arn,
        "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert!(f.reason.contains("alice"), "{}", f.reason);
    assert!(f.reason.contains("cancel-key-deletion"), "{}", f.reason);
    let f = &judged(
        &call("tamper/authorize-security-group-ingress.json"),
        &settings(),
    )[0];
    assert_eq!(
        f.resource.arn,
        "arn:aws:ec2:ap-northeast-2:123456789012:security-group/sg-0a1b2c3d4e5f60718"
    );
    // LeaveOrganization names nothing: the account itself.
    let f = &judged(&call("tamper/leave-organization.json"), &settings())[0];
    assert_eq!(f.resource.kind, "AWS::::Account");
}

/// The steps a re-read plans, each with whether it is done already.
fn planned(file: &str, read: Read) -> Vec<(String, bool)> {
    let c = call(file);
    let s = settings();
    let ctx = EventContext::of(&c);
    call_judges(Function::TamperGuard)
        .filter(|j| (j.needs)(&c, &s).is_some())
        .flat_map(|j| (j.judge)(&c, &read, &ctx, &s).findings)
        .flat_map(|f| f.actions)
        .map(|a| {
            let done = a.status == guardrail_rules::finding::ActionStatus::AlreadyDone;
            (a.step.describe(), done)
        })
        .collect()
}

#[test]
fn a_stopped_trail_and_a_switched_off_key_are_restored_only_while_still_off() {
    let steps = planned("tamper/stop-logging.json", Read::Trail(Some(false)));
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(
        steps[0].0.starts_with("start logging of CloudTrail trail"),
        "{steps:?}"
    );
    assert!(
        steps[0].0.contains("undo: aws cloudtrail stop-logging"),
        "{steps:?}"
    );
    assert!(!steps[0].1);
    // Logging again since: the step is done; deleted since: nothing to start.
    assert!(planned("tamper/stop-logging.json", Read::Trail(Some(true)))[0].1);
    assert!(planned("tamper/stop-logging.json", Read::Trail(None)).is_empty());

    let pending = Read::Key(Some("PendingDeletion".to_string()));
    let steps = planned("tamper/schedule-key-deletion.json", pending);
    let names: Vec<&str> = steps
        .iter()
        .map(|(d, _)| d.split(" (").next().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{steps:?}");
    assert!(names[0].starts_with("cancel the scheduled deletion of KMS key"));
    assert!(names[1].starts_with("enable KMS key"));
    // Cancelled and enabled since: both done; in another state (importing): left alone.
    let enabled = planned(
        "tamper/schedule-key-deletion.json",
        Read::Key(Some("Enabled".to_string())),
    );
    assert!(
        enabled.len() == 2 && enabled.iter().all(|(_, done)| *done),
        "{enabled:?}"
    );
    let importing = planned(
        "tamper/schedule-key-deletion.json",
        Read::Key(Some("PendingImport".to_string())),
    );
    assert!(importing.is_empty(), "{importing:?}");
}

/// `cloudtrail-bucket-weakened`: on a trail's bucket (as DescribeTrails names it), a lifecycle
/// rule that expires the logs and a policy under which CloudTrail's own delivery request is
/// refused are alerted; the standard delivery policy and any other bucket are not.
#[test]
fn a_trail_bucket_set_to_delete_or_refuse_the_logs_is_alerted() {
    use guardrail_rules::rules::registry::TrailBucket;
    let trail = TrailBucket {
        trail_arn: "arn:aws:cloudtrail:ap-northeast-2:123456789012:trail/org-trail".into(),
        bucket: "org-trail-logs-123456789012".into(),
        prefix: None,
    };
    let of = |rel: &str, trails: Vec<TrailBucket>| -> Vec<Finding> {
        let c = call(rel);
        let s = settings();
        let ctx = EventContext::of(&c);
        call_judges(Function::TamperGuard)
            .filter(|j| j.rules.iter().any(|m| m.id == "cloudtrail-bucket-weakened"))
            .filter_map(|j| (j.needs)(&c, &s).map(|n| (j, n)))
            .flat_map(|(j, need)| {
                assert!(matches!(need, Need::TrailBuckets { .. }), "{need:?}");
                (j.judge)(&c, &Read::TrailBuckets(trails.clone()), &ctx, &s).findings
            })
            .collect()
    };
    let found = of(
        "tamper/put-bucket-lifecycle-trail-bucket.json",
        vec![trail.clone()],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].reason.contains("after 1 day"),
        "{}",
        found[0].reason
    );
    assert!(
        found[0]
            .reason
            .contains("aws s3api delete-bucket-lifecycle --bucket org-trail-logs-123456789012"),
        "{}",
        found[0].reason
    );
    let found = of(
        "tamper/put-bucket-policy-deny-cloudtrail.json",
        vec![trail.clone()],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]
        .reason
        .contains("no longer lets CloudTrail deliver"));
    assert!(of(
        "tamper/put-bucket-policy-trail-delivery.json",
        vec![trail.clone()]
    )
    .is_empty());
    // The delivery statement names a prefix the trail does not write under: refused.
    let prefixed = TrailBucket {
        prefix: Some("other".into()),
        ..trail.clone()
    };
    assert_eq!(
        of(
            "tamper/put-bucket-policy-trail-delivery.json",
            vec![prefixed]
        )
        .len(),
        1
    );
    // A bucket no trail uses.
    assert!(of("tamper/put-bucket-lifecycle-trail-bucket.json", Vec::new()).is_empty());
}

/// The CIS 4.5 and 4.9 audits say what the call set: where the logs now go, what the recorder
/// no longer records; Security Hub's standards are named as CloudTrail records them.
#[test]
fn audited_trail_and_config_changes_say_what_was_set() {
    for (file, says) in [
        (
            "tamper/update-trail-bucket-only.json",
            "set: s3BucketName=org-trail-logs-2",
        ),
        ("tamper/create-trail.json", "s3BucketName=shadow-trail-logs"),
        (
            "tamper/put-configuration-recorder-narrowed.json",
            "no longer every resource type",
        ),
        (
            "tamper/batch-disable-standards.json",
            "cis-aws-foundations-benchmark/v/3.0.0",
        ),
    ] {
        let found = judged(&call(file), &settings());
        assert!(
            found[0].reason.contains(says),
            "{file}: {}",
            found[0].reason
        );
    }
}
