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

#[test]
fn principals_are_re_judged_after_every_access_change() {
    use guardrail_rules::iam::principals::{affected, Affected};
    let cases = [
        (
            "iam/attach-user-policy-admin.json",
            Affected::Principal(user("bob")),
        ),
        (
            "iam/add-user-to-group-admins.json",
            Affected::Principal(user("carol")),
        ),
        (
            "iam/put-group-policy-service-wildcard.json",
            Affected::GroupMembers("devs".into()),
        ),
        (
            "iam/attach-role-policy-admin.json",
            Affected::Principal(IamTarget {
                kind: IamTargetKind::Role,
                name: "app-role".into(),
            }),
        ),
        (
            "iam/create-policy-version-admin.json",
            Affected::PolicyHolders("arn:aws:iam::123456789012:policy/TooBroad".into()),
        ),
    ];
    for (file, want) in cases {
        assert_eq!(affected(&call(file)), Some(want), "{file}");
    }
    assert_eq!(
        affected(&call("iam/update-assume-role-policy-foreign.json")),
        Some(Affected::TrustedBy("partner-access".into()))
    );
    assert_eq!(affected(&call("iam/create-user.json")), None);
}

#[test]
fn the_live_path_follows_named_roles_and_named_principals() {
    use guardrail_rules::iam::principals::{assumable_roles, trusted_principals};
    use guardrail_rules::sweep::{AccountFacts, InlinePolicy, UserDetail};
    let facts = AccountFacts {
        users: vec![UserDetail {
            name: "bob".into(),
            arn: "arn:aws:iam::123456789012:user/bob".into(),
            inline: vec![InlinePolicy {
                name: "hops".into(),
                document: r#"{"Version":"2012-10-17","Statement":[
                    {"Effect":"Allow","Action":"sts:AssumeRole","Resource":[
                        "arn:aws:iam::123456789012:role/ops/ops-admin",
                        "arn:aws:iam::123456789012:role/any-*",
                        "arn:aws:iam::999988887777:role/elsewhere"]},
                    {"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/denied"}]}"#
                    .into(),
            }],
            ..UserDetail::default()
        }],
        ..AccountFacts::default()
    };
    let roles: Vec<String> = assumable_roles(&facts, "123456789012")
        .into_iter()
        .collect();
    assert_eq!(
        roles,
        vec!["ops-admin".to_string()],
        "literal, this account, allowed"
    );

    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[
        "arn:aws:iam::123456789012:user/carol","arn:aws:iam::123456789012:role/ci"]},"Action":"sts:AssumeRole"}]}"#;
    let (named, everyone) = trusted_principals(trust, "123456789012");
    assert!(!everyone);
    assert_eq!(named.len(), 2);
    let root = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    assert!(
        trusted_principals(root, "123456789012").1,
        "the account root admits everyone"
    );
}

mod permissions_boundary {
    use super::call;
    use guardrail_rules::finding::{ActionStatus, EventContext};
    use guardrail_rules::plan::{IamTargetKind, RemediationStep};
    use guardrail_rules::rules::iam_permissions_boundary_missing::{
        judge, BoundaryCall, BoundaryEvent, BoundaryState, EVENTS, META,
    };
    use guardrail_rules::Settings;
    use std::collections::BTreeMap;

    const REQUIRED: &str = "arn:aws:iam::123456789012:policy/DelegatedBoundary";

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| vars.get(k).cloned()).expect("valid settings")
    }

    fn required() -> Settings {
        settings(&[("GUARDRAIL_REQUIRED_BOUNDARY_ARN", REQUIRED)])
    }

    fn state(boundary: Option<&str>) -> BoundaryState {
        BoundaryState {
            boundary: boundary.map(str::to_string),
            tags: BTreeMap::new(),
        }
    }

    #[test]
    fn the_calls_it_reacts_to() {
        let cases = [
            (
                "iam/create-role-trust-service.json",
                IamTargetKind::Role,
                "lambda-exec-role",
                BoundaryCall::Created,
            ),
            (
                "iam/create-user.json",
                IamTargetKind::User,
                "carol",
                BoundaryCall::Created,
            ),
            (
                "iam/delete-role-permissions-boundary.json",
                IamTargetKind::Role,
                "app-deployer",
                BoundaryCall::Deleted,
            ),
            (
                "iam/put-role-permissions-boundary-other.json",
                IamTargetKind::Role,
                "app-deployer",
                BoundaryCall::Put,
            ),
        ];
        for (file, kind, name, what) in cases {
            let c = call(file);
            assert!(EVENTS.contains(&c.event_name.as_str()), "{file}");
            let e = BoundaryEvent::of(&c).unwrap_or_else(|| panic!("{file}"));
            assert_eq!(
                (e.target.kind, e.target.name.as_str(), e.call),
                (kind, name, what),
                "{file}"
            );
        }
        assert_eq!(
            BoundaryEvent::of(&call("iam/attach-user-policy-admin.json")),
            None
        );
    }

    #[test]
    fn inactive_without_a_required_boundary() {
        let c = call("iam/delete-role-permissions-boundary.json");
        let e = BoundaryEvent::of(&c).unwrap();
        let ctx = EventContext::of(&c);
        assert!(judge(&c, &e, Some(&state(None)), &ctx, &Settings::default()).is_none());
    }

    #[test]
    fn a_removed_boundary_is_put_back_and_the_alert_says_how_to_undo() {
        let c = call("iam/delete-role-permissions-boundary.json");
        let e = BoundaryEvent::of(&c).unwrap();
        let ctx = EventContext::of(&c);
        let f = judge(&c, &e, Some(&state(None)), &ctx, &required()).expect("finding");
        assert_eq!(f.rule, META.id);
        assert_eq!(
            f.resource.arn,
            "arn:aws:iam::123456789012:role/app-deployer"
        );
        assert!(
            f.reason.contains("removed the permissions boundary"),
            "{}",
            f.reason
        );
        assert_eq!(f.actions.len(), 1);
        assert_eq!(
            f.actions[0].status,
            ActionStatus::Recommended,
            "alert mode by default"
        );
        assert_eq!(
            f.actions[0].step,
            RemediationStep::PutPermissionsBoundary {
                target: e.target.clone(),
                boundary_arn: REQUIRED.to_string(),
                previous: None,
            }
        );
        let words = f.actions[0].step.describe();
        assert!(
            words.contains("delete-role-permissions-boundary --role-name app-deployer"),
            "{words}"
        );
    }

    #[test]
    fn dry_run_plans_and_remediate_mode_executes() {
        let c = call("iam/create-role-trust-service.json");
        let e = BoundaryEvent::of(&c).unwrap();
        let ctx = EventContext::of(&c);
        let modes = "iam-permissions-boundary-missing=remediate";
        let dry = settings(&[
            ("GUARDRAIL_REQUIRED_BOUNDARY_ARN", REQUIRED),
            ("GUARDRAIL_RULE_MODES", modes),
        ]);
        let f = judge(&c, &e, Some(&state(None)), &ctx, &dry).expect("finding");
        assert_eq!(f.actions[0].status, ActionStatus::Planned);
        let live = settings(&[
            ("GUARDRAIL_REQUIRED_BOUNDARY_ARN", REQUIRED),
            ("GUARDRAIL_RULE_MODES", modes),
            ("GUARDRAIL_DRY_RUN", "false"),
        ]);
        let f = judge(&c, &e, Some(&state(None)), &ctx, &live).expect("finding");
        assert_eq!(f.actions[0].status, ActionStatus::Pending);
        assert!(
            f.reason.contains("created role lambda-exec-role without"),
            "{}",
            f.reason
        );
    }

    #[test]
    fn a_swapped_boundary_names_the_one_to_restore() {
        let c = call("iam/put-role-permissions-boundary-other.json");
        let e = BoundaryEvent::of(&c).unwrap();
        let ctx = EventContext::of(&c);
        let other = "arn:aws:iam::aws:policy/PowerUserAccess";
        let f = judge(&c, &e, Some(&state(Some(other))), &ctx, &required()).expect("finding");
        assert!(f.reason.contains(other), "{}", f.reason);
        let words = f.actions[0].step.describe();
        assert!(
            words.contains(&format!("--permissions-boundary {other}")),
            "{words}"
        );
    }

    #[test]
    fn nothing_when_it_has_the_boundary_is_gone_or_is_exempt() {
        let c = call("iam/delete-role-permissions-boundary.json");
        let e = BoundaryEvent::of(&c).unwrap();
        let ctx = EventContext::of(&c);
        let s = required();
        // Re-read after remediation (or the same event twice): nothing to do.
        assert!(judge(&c, &e, Some(&state(Some(REQUIRED))), &ctx, &s).is_none());
        assert!(judge(&c, &e, None, &ctx, &s).is_none(), "the role is gone");
        let mut tagged = state(None);
        tagged
            .tags
            .insert(s.exempt_tag.clone(), "break-glass".into());
        assert!(
            judge(&c, &e, Some(&tagged), &ctx, &s).is_none(),
            "exempt by tag"
        );
        let by_arn = settings(&[
            ("GUARDRAIL_REQUIRED_BOUNDARY_ARN", REQUIRED),
            (
                "GUARDRAIL_EXEMPT_PRINCIPALS",
                "arn:aws:iam::123456789012:role/app-*",
            ),
        ]);
        assert!(
            judge(&c, &e, Some(&state(None)), &ctx, &by_arn).is_none(),
            "exempt by ARN"
        );
    }

    #[test]
    fn a_required_boundary_that_is_not_a_policy_arn_is_refused() {
        let vars = |v: &'static str| {
            move |k: &str| (k == "GUARDRAIL_REQUIRED_BOUNDARY_ARN").then(|| v.to_string())
        };
        for bad in [
            "DelegatedBoundary",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:s3:::bucket",
        ] {
            assert!(Settings::from_lookup(vars(bad)).is_err(), "{bad}");
        }
        let ok = Settings::from_lookup(vars("arn:aws:iam::aws:policy/PowerUserAccess")).unwrap();
        assert_eq!(
            ok.required_boundary_arn.as_deref(),
            Some("arn:aws:iam::aws:policy/PowerUserAccess")
        );
    }
}

#[test]
fn root_creating_a_key_for_an_iam_user_is_a_key_for_another_user() {
    use guardrail_rules::rules::iam_access_key_for_other_user::access_key_for_other_user;
    use guardrail_rules::rules::iam_root_activity::root_activity;
    let settings = Settings::default();
    let for_bob = call("iam/create-access-key-root-for-user.json");
    let ctx = EventContext::of(&for_bob);
    assert_eq!(
        iam::change(&for_bob),
        IamChange::AccessKey {
            user_name: "bob".into(),
            access_key_id: "AKIAQ3EGBOBROOTEXAMP".into()
        }
    );
    let f = access_key_for_other_user(
        &for_bob,
        "bob",
        "AKIAQ3EGBOBROOTEXAMP",
        Some(true),
        &ctx,
        &settings,
    )
    .expect("a key for another user");
    assert!(f.reason.contains("bob"), "{}", f.reason);
    let root = root_activity(&for_bob, &ctx, &settings).unwrap();
    assert!(root.reason.contains("for IAM user bob"), "{}", root.reason);
    assert!(
        !root.reason.contains("root should have no access keys"),
        "{}",
        root.reason
    );
    // Root's own key: root activity only.
    let own = call("iam/create-access-key-root.json");
    assert_eq!(iam::change(&own), IamChange::Nothing);
    assert!(root_activity(&own, &EventContext::of(&own), &settings)
        .unwrap()
        .reason
        .contains("root should have no access keys"));
}

#[test]
fn deleting_a_virtual_mfa_device_judges_no_guessed_user() {
    // The request names only the device (bob-phone); no user is re-read on a guess.
    let c = call("iam/delete-virtual-mfa-device.json");
    assert_eq!(iam::change(&c), IamChange::Nothing);
    let audit = iam::change_audit(&c, &EventContext::of(&c), &Settings::default()).unwrap();
    assert!(
        audit.reason.contains("DeleteVirtualMFADevice"),
        "{}",
        audit.reason
    );
}

/// CIS 4.4 alarms on every call that changes an IAM policy: each is audited (and the
/// template's pattern delivers each: `tests/wiring.rs`).
#[test]
fn every_cis_4_4_policy_change_is_audited() {
    use guardrail_rules::rules::iam_change_audit::AUDITED;
    for name in [
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    ] {
        assert!(AUDITED.contains(&name), "{name} is not audited");
    }
    for (file, named) in [
        (
            "iam/delete-policy-version.json",
            "policyArn=arn:aws:iam::123456789012:policy/TooBroad",
        ),
        ("iam/delete-role-policy.json", "roleName=app-deploy"),
    ] {
        let c = call(file);
        let audit = iam::change_audit(&c, &EventContext::of(&c), &Settings::default())
            .unwrap_or_else(|| panic!("{file}: not audited"));
        assert!(audit.reason.contains(named), "{file}: {}", audit.reason);
    }
}
