//! The IAM core on the `events/` files, without AWS: what each call changed, and the policy
//! rules on the documents the events carry.

use guardrail_rules::finding::EventContext;
use guardrail_rules::iam::{self, IamChange, PolicySubject};
use guardrail_rules::plan::{IamTarget, IamTargetKind};
use guardrail_rules::trigger::{decode_str, ApiCall, Trigger};
use guardrail_rules::Settings;
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

fn user(name: &str) -> IamTarget {
    IamTarget {
        kind: IamTargetKind::User,
        name: name.to_string(),
    }
}

#[test]
fn what_each_call_changed() {
    let cases: Vec<(&str, IamChange)> = vec![
        (
            "iam/attach-user-policy-admin.json",
            IamChange::Attached {
                target: user("bob"),
                policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            },
        ),
        (
            "iam/put-user-policy-admin.json",
            IamChange::Inline {
                target: user("bob"),
                policy_name: "bob-admin".into(),
            },
        ),
        (
            "iam/create-policy-version-admin.json",
            IamChange::PolicyVersion {
                policy_arn: "arn:aws:iam::123456789012:policy/TooBroad".into(),
                version_id: Some("v2".into()),
            },
        ),
        (
            "iam/set-default-policy-version.json",
            IamChange::PolicyVersion {
                policy_arn: "arn:aws:iam::123456789012:policy/TooBroad".into(),
                version_id: Some("v2".into()),
            },
        ),
        (
            "iam/create-role-trust-open.json",
            IamChange::Trust {
                role_name: "open-trust-role".into(),
            },
        ),
        (
            "iam/create-login-profile.json",
            IamChange::ConsoleAccess {
                user_name: "carol".into(),
            },
        ),
        (
            "iam/deactivate-mfa-device.json",
            IamChange::ConsoleAccess {
                user_name: "bob".into(),
            },
        ),
        (
            "signin/console-login-user-no-mfa.json",
            IamChange::ConsoleAccess {
                user_name: "alice".into(),
            },
        ),
        ("signin/console-login-user-mfa.json", IamChange::Nothing),
        ("iam/create-user.json", IamChange::Nothing),
        ("iam/create-access-key-root.json", IamChange::Nothing),
    ];
    for (file, expected) in cases {
        assert_eq!(iam::change(&call(file)), expected, "{file}");
    }
}

/// The policy rules on the documents the events carry (the function re-reads them from IAM;
/// here the event's copy stands in).
#[test]
fn policy_rules_on_event_documents() {
    let settings = Settings::default();
    let ctx = EventContext::default();
    for (file, key, expected) in [
        (
            "iam/create-policy-admin-wildcard.json",
            "policyDocument",
            Some("iam-policy-admin-wildcard"),
        ),
        ("iam/create-policy-scoped.json", "policyDocument", None),
        (
            "iam/create-policy-no-mfa.json",
            "policyDocument",
            Some("iam-policy-allows-without-mfa"),
        ),
        (
            "iam/put-role-policy-privesc.json",
            "policyDocument",
            Some("iam-policy-privilege-escalation"),
        ),
        (
            "iam/put-group-policy-service-wildcard.json",
            "policyDocument",
            Some("iam-policy-service-wildcard"),
        ),
        (
            "iam/create-role-trust-open.json",
            "assumeRolePolicyDocument",
            Some("iam-role-trust-open"),
        ),
        (
            "iam/create-role-trust-service.json",
            "assumeRolePolicyDocument",
            None,
        ),
        (
            "iam/update-assume-role-policy-foreign.json",
            "policyDocument",
            Some("iam-role-trust-open"),
        ),
    ] {
        let c = call(file);
        let doc = c.request_str(key).unwrap();
        let subject = if key == "assumeRolePolicyDocument" || file.contains("assume-role") {
            PolicySubject::Trust {
                role_name: "r".into(),
            }
        } else {
            PolicySubject::Inline {
                target: user("bob"),
                policy_name: "p".into(),
            }
        };
        let findings =
            iam::policy(&subject, doc, "123456789012", "us-east-1", &ctx, &settings).unwrap();
        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        match expected {
            Some(rule) => assert!(rules.contains(&rule), "{file}: {rules:?}"),
            None => assert!(rules.is_empty(), "{file}: {rules:?}"),
        }
    }
}

#[test]
fn admin_subsumes_mfa_and_escalation_findings() {
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let subject = PolicySubject::Inline {
        target: user("bob"),
        policy_name: "p".into(),
    };
    let findings = iam::policy(
        &subject,
        doc,
        "1",
        "us-east-1",
        &EventContext::default(),
        &Settings::default(),
    )
    .unwrap();
    let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["iam-policy-admin-wildcard"]);
}

#[test]
fn broken_policy_is_an_error_not_a_panic() {
    let subject = PolicySubject::Inline {
        target: user("bob"),
        policy_name: "p".into(),
    };
    for doc in ["", "{", "[]", r#"{"Statement":7}"#, "%7B%22Version"] {
        assert!(
            iam::policy(
                &subject,
                doc,
                "1",
                "r",
                &EventContext::default(),
                &Settings::default()
            )
            .is_err(),
            "{doc}"
        );
    }
}
