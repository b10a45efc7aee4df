//! Every file in `events/` decodes, and decodes into the facts its name promises.
//! Pure: no emulator, runs in milliseconds.

use guardrail_rules::gate::{self, Skip};
use guardrail_rules::trigger::{
    decode, decode_str, CallKind, ConfigMessage, PrincipalKind, Trigger,
};
use guardrail_rules::Settings;
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn load(rel: &str) -> Trigger {
    let text = std::fs::read_to_string(events_dir().join(rel)).unwrap();
    decode_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn call(rel: &str) -> Box<guardrail_rules::trigger::ApiCall> {
    match load(rel) {
        Trigger::ApiCall(c) => c,
        other => panic!("{rel}: {other:?}"),
    }
}

#[test]
fn every_event_file_decodes() {
    let mut count = 0;
    for dir in std::fs::read_dir(events_dir()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            decode_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} event files");
}

fn settings() -> Settings {
    Settings {
        own_role_arn: Some("arn:aws:iam::123456789012:role/guardrail-*".to_string()),
        exempt_principals: vec!["arn:aws:iam::*:role/break-glass-*".to_string()],
        ..Settings::default()
    }
}

#[test]
fn cloudtrail_fields() {
    let c = call("ebs/create-volume-unencrypted.json");
    assert_eq!(c.kind, CallKind::ApiCall);
    assert_eq!(c.action(), "ec2:CreateVolume");
    assert_eq!(c.region, "ap-northeast-2");
    assert_eq!(c.account, "123456789012");
    assert_eq!(c.principal.kind, PrincipalKind::IamUser);
    assert_eq!(
        c.principal.identity_arn(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(
        guardrail_rules::ebs::volume_ids(&c),
        ["vol-0aaaaaaaaaaaaaaa1"]
    );
    assert_eq!(gate::screen(&c, &settings()), Ok(()));

    let attach = call("ebs/attach-volume-unencrypted.json");
    assert_eq!(
        guardrail_rules::ebs::volume_ids(&attach),
        ["vol-0aaaaaaaaaaaaaaa1"]
    );

    // A launch names no volume: its instances are the pointer, re-read for what is attached.
    let launch = call("ebs/run-instances-unencrypted-root.json");
    assert!(guardrail_rules::ebs::volume_ids(&launch).is_empty());
    assert_eq!(
        guardrail_rules::ebs::launched_instances(&launch),
        ["i-0eeeeeeeeeeeeeee1"]
    );
    let need = (guardrail_rules::ebs::JUDGE.needs)(&launch, &settings());
    assert!(
        matches!(
            &need,
            Some(guardrail_rules::rules::registry::Need::InstanceVolumes { instance_ids, .. })
                if instance_ids == &["i-0eeeeeeeeeeeeeee1"]
        ),
        "{need:?}"
    );
    assert!(guardrail_rules::ebs::launched_instances(&attach).is_empty());
}

#[test]
fn gate_decisions() {
    let s = settings();
    assert!(matches!(
        gate::screen(&call("ebs/create-volume-failed-call.json"), &s),
        Err(Skip::FailedCall { .. })
    ));
    assert!(matches!(
        gate::screen(&call("ebs/create-volume-own-role.json"), &s),
        Err(Skip::OwnRole { .. })
    ));
    assert!(matches!(
        gate::screen(&call("ebs/create-volume-exempt-principal.json"), &s),
        Err(Skip::ExemptPrincipal { .. })
    ));
    assert!(matches!(
        gate::screen(&call("signin/console-login-failed.json"), &s),
        Err(Skip::FailedCall { .. })
    ));
    let foreign = Settings {
        home_account: Some("999999999999".to_string()),
        ..settings()
    };
    assert!(matches!(
        gate::screen(&call("ebs/create-volume-unencrypted.json"), &foreign),
        Err(Skip::ForeignAccount { .. })
    ));
}

#[test]
fn sign_in_and_root() {
    let root = call("signin/console-login-root.json");
    assert_eq!(root.kind, CallKind::ConsoleSignIn);
    assert_eq!(root.principal.kind, PrincipalKind::Root);
    let key = call("iam/create-access-key-root.json");
    assert_eq!(key.principal.kind, PrincipalKind::Root);
    assert_eq!(key.request, Value::Null);
}

#[test]
fn config_messages() {
    let Trigger::Config(c) = load("ebs/config-change-unencrypted.json") else {
        panic!()
    };
    let ConfigMessage::ItemChange(item) = &c.message else {
        panic!("{c:?}")
    };
    assert_eq!(item.resource_type, "AWS::EC2::Volume");
    assert_eq!(item.configuration["encrypted"], Value::Bool(false));
    let Trigger::Config(c) = load("ebs/config-oversized.json") else {
        panic!()
    };
    assert!(matches!(c.message, ConfigMessage::Oversized(_)));
    let Trigger::Config(c) = load("ebs/config-deleted.json") else {
        panic!()
    };
    let ConfigMessage::ItemChange(item) = &c.message else {
        panic!()
    };
    assert!(item.deleted());
    let Trigger::Config(c) = load("ebs/config-scheduled.json") else {
        panic!()
    };
    assert!(matches!(c.message, ConfigMessage::Scheduled { .. }));
    assert!(matches!(load("schedule/sweep.json"), Trigger::Schedule(_)));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("detail-type"),
            Just("detail"),
            Just("invokingEvent"),
            Just("configRuleName"),
            Just("eventName"),
            Just("userIdentity"),
            Just("AWS API Call via CloudTrail"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("detail-type".to_string()),
                    Just("source".to_string()),
                    Just("detail".to_string()),
                    Just("invokingEvent".to_string()),
                    Just("configRuleName".to_string()),
                    Just("eventLeftScope".to_string()),
                    Just("resultToken".to_string()),
                    Just("eventID".to_string()),
                    Just("eventName".to_string()),
                    Just("eventSource".to_string()),
                    Just("awsRegion".to_string()),
                    Just("userIdentity".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Decoding any JSON value returns Ok or a typed error; it never panics.
    #[test]
    fn decode_never_panics(v in arb_json()) {
        let _ = decode(&v);
    }

    /// Nor does decoding any string.
    #[test]
    fn decode_str_never_panics(s in "\\PC{0,200}") {
        let _ = decode_str(&s);
    }
}
