//! The IAM guardrail end to end against the moto emulator: the IAM state each `events/iam`
//! and `events/signin` file describes is created for real with the SDK, the handler judges
//! the re-read state, and tests assert IAM state afterwards and the alerts received via SQS.

use guardrail_tests::*;
use iam_guard::IamGuardrail;
use serde_json::Value;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

struct Account {
    _moto: Moto,
    sdk: aws_config::SdkConfig,
    iam: aws_sdk_iam::Client,
    inbox: AlertInbox,
    mfa_policy_arn: String,
}

impl Account {
    async fn seed() -> Account {
        let moto = Moto::start();
        let sdk = moto.sdk("us-east-1").await;
        let iam = aws_sdk_iam::Client::new(&sdk);
        let inbox = AlertInbox::create(&sdk).await;
        for user in ["alice", "bob", "carol"] {
            iam.create_user().user_name(user).send().await.unwrap();
        }
        iam.create_group().group_name("devs").send().await.unwrap();
        let mfa_policy_arn = create_mfa_enforcement_policy(&iam).await;
        Account {
            _moto: moto,
            sdk,
            iam,
            inbox,
            mfa_policy_arn,
        }
    }

    fn guardrail(&self, pairs: &[(&str, &str)]) -> IamGuardrail {
        let mut all = vec![
            (
                "GUARDRAIL_OWN_ROLE_ARN",
                "arn:aws:iam::123456789012:role/guardrail-iam-guard",
            ),
            (
                "GUARDRAIL_EXEMPT_PRINCIPALS",
                "arn:aws:iam::123456789012:role/break-glass-*",
            ),
            ("GUARDRAIL_MFA_POLICY_ARN", self.mfa_policy_arn.as_str()),
        ];
        all.extend_from_slice(pairs);
        IamGuardrail::new(self.inbox.wiring(&self.sdk, &all))
    }

    fn remediating(&self) -> IamGuardrail {
        self.guardrail(&[
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ])
    }

    async fn attached(&self, user: &str) -> Vec<String> {
        let out = self
            .iam
            .list_attached_user_policies()
            .user_name(user)
            .send()
            .await
            .unwrap();
        out.attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_string())
            .collect()
    }

    async fn create_role(&self, name: &str, trust: &str) {
        self.iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await
            .unwrap();
    }

    async fn default_version(&self, arn: &str) -> String {
        self.iam
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .default_version_id
            .unwrap()
    }
}

fn iam_event(file: &str) -> Value {
    event(file, &[])
}

/// (rule, severity) of each alert, sorted.
fn alerts(received: &[ReceivedAlert]) -> Vec<(String, String)> {
    let mut v: Vec<_> = received
        .iter()
        .map(|a| {
            (
                a.attributes["rule"].clone(),
                a.attributes["severity"].clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn admin_policy_attached_to_a_user_is_detached() {
    let acct = Account::seed().await;
    acct.iam
        .attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let guardrail = acct.remediating();
    let event = iam_event("iam/attach-user-policy-admin.json");
    guardrail.handle(&event).await.unwrap();
    assert!(
        !acct.attached("bob").await.contains(&ADMIN.to_string()),
        "detached"
    );
    let received = acct.inbox.drain().await;
    assert_eq!(
        alerts(&received),
        pairs(&[
            ("iam-policy-admin-wildcard", "critical"),
            ("iam-user-direct-policy", "low"),
            ("iam-change-audit", "info")
        ])
    );
    let admin = received
        .iter()
        .find(|a| a.attributes["rule"] == "iam-policy-admin-wildcard")
        .unwrap();
    assert!(
        admin
            .message
            .contains("done: detach arn:aws:iam::aws:policy/AdministratorAccess from user bob"),
        "{}",
        admin.message
    );
    // The same event again: nothing more to do, nothing more to say.
    let again = guardrail.handle(&event).await.unwrap();
    assert!(again.findings.is_empty(), "{again:?}");
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn dry_run_changes_no_iam_state() {
    let acct = Account::seed().await;
    acct.iam
        .attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    acct.guardrail(&[("GUARDRAIL_DEFAULT_MODE", "remediate")])
        .handle(&iam_event("iam/attach-user-policy-admin.json"))
        .await
        .unwrap();
    assert!(
        acct.attached("bob").await.contains(&ADMIN.to_string()),
        "still attached"
    );
    let received = acct.inbox.drain().await;
    let admin = received
        .iter()
        .find(|a| a.attributes["rule"] == "iam-policy-admin-wildcard")
        .unwrap();
    assert!(
        admin
            .message
            .contains("planned (dry-run, not done): detach"),
        "{}",
        admin.message
    );
}

#[tokio::test]
async fn inline_admin_policy_is_deleted_and_scoped_one_kept() {
    let acct = Account::seed().await;
    acct.iam
        .put_user_policy()
        .user_name("bob")
        .policy_name("bob-admin")
        .policy_document(ADMIN_DOC)
        .send()
        .await
        .unwrap();
    acct.iam
        .put_user_policy()
        .user_name("bob")
        .policy_name("bob-read-reports")
        .policy_document(SCOPED_DOC)
        .send()
        .await
        .unwrap();
    let guardrail = acct.remediating();
    guardrail
        .handle(&iam_event("iam/put-user-policy-admin.json"))
        .await
        .unwrap();
    let scoped = guardrail
        .handle(&iam_event("iam/put-user-policy-scoped.json"))
        .await
        .unwrap();
    assert!(
        scoped
            .findings
            .iter()
            .all(|f| !f.rule.starts_with("iam-policy-")),
        "{scoped:?}"
    );
    let names = acct
        .iam
        .list_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap()
        .policy_names;
    assert_eq!(names, ["bob-read-reports"]);
}

#[tokio::test]
async fn new_default_policy_version_is_reverted() {
    let acct = Account::seed().await;
    let arn = create_policy(&acct.iam, "TooBroad", SCOPED_DOC).await;
    acct.iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(ADMIN_DOC)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let event = iam_event("iam/create-policy-version-admin.json");
    // Without the opt-in no revert is planned: the role would lack the permission.
    let out = acct.remediating().handle(&event).await.unwrap();
    let admin = out
        .findings
        .iter()
        .find(|f| f.rule == "iam-policy-admin-wildcard")
        .unwrap();
    assert!(admin.actions.is_empty(), "{admin:?}");
    assert_eq!(acct.default_version(&arn).await, "v2");
    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ("GUARDRAIL_REVERT_POLICY_VERSIONS", "true"),
    ]);
    // The ledger remembers the first delivery; a redelivery to the reconfigured function is
    // the same event, so use the (distinct) SetDefaultPolicyVersion event to revert.
    acct.iam
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v2")
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/set-default-policy-version.json"))
        .await
        .unwrap();
    assert_eq!(acct.default_version(&arn).await, "v1", "{out:?}");
    // Someone sets the admin version as default again: a new act (a new CloudTrail event),
    // reverted again.
    acct.iam
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v2")
        .send()
        .await
        .unwrap();
    let mut new_act = iam_event("iam/set-default-policy-version.json");
    new_act["detail"]["eventID"] = "5d1c7e0e-0000-4000-8000-00000000aaaa".into();
    let out = guardrail.handle(&new_act).await.unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-policy-admin-wildcard"),
        "{out:?}"
    );
    assert_eq!(acct.default_version(&arn).await, "v1");
    // Redelivery of that event: the version is v1 now, nothing to judge.
    let again = guardrail.handle(&new_act).await.unwrap();
    assert!(
        again
            .findings
            .iter()
            .all(|f| f.rule != "iam-policy-admin-wildcard"),
        "{again:?}"
    );
}

#[tokio::test]
async fn policy_rules_fire_on_bad_policies_and_stay_silent_on_good_ones() {
    let acct = Account::seed().await;
    let iam = &acct.iam;
    create_policy(iam, "TooBroad", ADMIN_DOC).await;
    create_policy(iam, "ReadAcmeReports", SCOPED_DOC).await;
    let no_mfa = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","ec2:StopInstances","ec2:TerminateInstances"],"Resource":"*"}]}"#;
    create_policy(iam, "OpsPowerUser", no_mfa).await;
    iam.create_role()
        .role_name("app-role")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let privesc = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DeployHelper","Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#;
    iam.put_role_policy()
        .role_name("app-role")
        .policy_name("deploy-helper")
        .policy_document(privesc)
        .send()
        .await
        .unwrap();
    let s3_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("s3-everything")
        .policy_document(s3_all)
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn(READ_ONLY)
        .send()
        .await
        .unwrap();
    acct.create_role("open-trust-role", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#).await;
    acct.create_role("lambda-exec-role", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#).await;
    acct.create_role("partner-access", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#).await;

    let guardrail = acct.guardrail(&[]); // alert mode: judge only
    for (file, expected) in [
        (
            "iam/create-policy-admin-wildcard.json",
            Some("iam-policy-admin-wildcard"),
        ),
        ("iam/create-policy-scoped.json", None),
        (
            "iam/create-policy-no-mfa.json",
            Some("iam-policy-allows-without-mfa"),
        ),
        (
            "iam/put-role-policy-privesc.json",
            Some("iam-policy-privilege-escalation"),
        ),
        (
            "iam/put-group-policy-service-wildcard.json",
            Some("iam-policy-service-wildcard"),
        ),
        ("iam/attach-group-policy-readonly.json", None),
        (
            "iam/create-role-trust-open.json",
            Some("iam-role-trust-open"),
        ),
        ("iam/create-role-trust-service.json", None),
        (
            "iam/update-assume-role-policy-foreign.json",
            Some("iam-role-trust-open"),
        ),
    ] {
        let out = guardrail.handle(&iam_event(file)).await.unwrap();
        assert!(out.skipped_resources.is_empty(), "{file}: {out:?}");
        let policy_rules: Vec<&str> = out
            .findings
            .iter()
            .map(|f| f.rule)
            .filter(|r| r.starts_with("iam-policy-") || *r == "iam-role-trust-open")
            .collect();
        match expected {
            Some(rule) => assert!(policy_rules.contains(&rule), "{file}: {policy_rules:?}"),
            None => assert!(policy_rules.is_empty(), "{file}: {policy_rules:?}"),
        }
    }
}

#[tokio::test]
async fn console_user_without_mfa_gets_the_mfa_enforcement_policy() {
    let acct = Account::seed().await;
    acct.iam
        .create_login_profile()
        .user_name("carol")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
    let guardrail = acct.remediating();
    let event = iam_event("iam/create-login-profile.json");
    let out = guardrail.handle(&event).await.unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-user-console-without-mfa"),
        "{out:?}"
    );
    assert_eq!(
        acct.attached("carol").await,
        std::slice::from_ref(&acct.mfa_policy_arn)
    );
    // Redelivery: no second attach, no second alert.
    let again = guardrail.handle(&event).await.unwrap();
    assert!(
        again
            .findings
            .iter()
            .all(|f| f.rule != "iam-user-console-without-mfa"),
        "{again:?}"
    );
    let received = acct.inbox.drain().await;
    assert_eq!(
        received
            .iter()
            .filter(|a| a.attributes["rule"] == "iam-user-console-without-mfa")
            .count(),
        1
    );
}

#[tokio::test]
async fn mfa_deactivated_and_sign_in_without_mfa() {
    let acct = Account::seed().await;
    acct.iam
        .create_login_profile()
        .user_name("bob")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
    acct.iam
        .create_login_profile()
        .user_name("alice")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
    let guardrail = acct.guardrail(&[]);
    for file in [
        "iam/deactivate-mfa-device.json",
        "signin/console-login-user-no-mfa.json",
    ] {
        let out = guardrail.handle(&iam_event(file)).await.unwrap();
        assert!(
            out.findings
                .iter()
                .any(|f| f.rule == "iam-user-console-without-mfa"),
            "{file}: {out:?}"
        );
    }
    // Signed in with MFA: nothing to say about MFA.
    let out = guardrail
        .handle(&iam_event("signin/console-login-user-mfa.json"))
        .await
        .unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
}

#[tokio::test]
async fn access_key_created_for_another_user_is_deactivated() {
    let acct = Account::seed().await;
    let key = create_access_key(&acct.iam, "bob").await;
    let event = event(
        "iam/create-access-key.json",
        &[("AKIAQ3EGBOB01EXAMPLE", &key)],
    );
    let out = acct.remediating().handle(&event).await.unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-access-key-for-other-user"),
        "{out:?}"
    );
    let keys = acct
        .iam
        .list_access_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        keys.access_key_metadata()[0].status().unwrap().as_str(),
        "Inactive"
    );
}

#[tokio::test]
async fn root_activity_is_critical() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[]);
    for file in [
        "signin/console-login-root.json",
        "iam/create-access-key-root.json",
    ] {
        let out = guardrail.handle(&iam_event(file)).await.unwrap();
        let root = out
            .findings
            .iter()
            .find(|f| f.rule == "iam-root-activity")
            .unwrap_or_else(|| panic!("{file}: {out:?}"));
        assert_eq!(root.severity, guardrail_rules::Severity::Critical);
    }
    assert_eq!(
        alerts(&acct.inbox.drain().await)
            .iter()
            .filter(|(r, _)| r == "iam-root-activity")
            .count(),
        2
    );
}

#[tokio::test]
async fn skipped_events_change_nothing() {
    let acct = Account::seed().await;
    acct.iam
        .attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let guardrail = acct.remediating();
    for (file, reason) in [
        ("iam/own-role-attach-policy.json", "own role"),
        ("iam/exempt-principal-attach-policy.json", "exempt"),
        ("iam/failed-attach-policy.json", "failed call"),
        ("signin/console-login-failed.json", "failed call"),
    ] {
        let out = guardrail.handle(&iam_event(file)).await.unwrap();
        assert!(
            out.skipped.as_deref().unwrap_or_default().contains(reason),
            "{file}: {out:?}"
        );
    }
    assert!(acct.attached("bob").await.contains(&ADMIN.to_string()));
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn change_audit_reports_new_users() {
    let acct = Account::seed().await;
    let out = acct
        .guardrail(&[])
        .handle(&iam_event("iam/create-user.json"))
        .await
        .unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(out.findings[0].rule, "iam-change-audit");
    assert_eq!(
        alerts(&acct.inbox.drain().await),
        pairs(&[("iam-change-audit", "info")])
    );
}

/// `iam-permissions-boundary-missing` (moto implements the role boundary calls; it does not
/// implement PutUserPermissionsBoundary, so users are covered by the pure tests only).
#[tokio::test]
async fn a_removed_role_boundary_is_planned_in_dry_run_and_put_back_when_remediating() {
    let acct = Account::seed().await;
    let boundary = create_policy(&acct.iam, "DelegatedBoundary", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#).await;
    acct.create_role("app-deployer", LAMBDA_TRUST).await;
    let role_boundary = |iam: aws_sdk_iam::Client| async move {
        iam.get_role()
            .role_name("app-deployer")
            .send()
            .await
            .unwrap()
            .role
            .unwrap()
            .permissions_boundary
            .and_then(|b| b.permissions_boundary_arn)
    };
    assert_eq!(
        role_boundary(acct.iam.clone()).await,
        None,
        "created without it"
    );
    let event = iam_event("iam/delete-role-permissions-boundary.json");
    let required = [
        ("GUARDRAIL_REQUIRED_BOUNDARY_ARN", boundary.as_str()),
        (
            "GUARDRAIL_RULE_MODES",
            "iam-permissions-boundary-missing=remediate",
        ),
    ];

    // Dry-run (the default): planned, nothing changed.
    let out = acct.guardrail(&required).handle(&event).await.unwrap();
    let f = out
        .findings
        .iter()
        .find(|f| f.rule == "iam-permissions-boundary-missing")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert_eq!(
        f.actions[0].status,
        guardrail_rules::finding::ActionStatus::Planned
    );
    assert_eq!(role_boundary(acct.iam.clone()).await, None);
    acct.inbox.drain().await;

    // Remediate: the boundary is back, and the alert says how to undo it.
    let mut live = required.to_vec();
    live.push(("GUARDRAIL_DRY_RUN", "false"));
    let guardrail = acct.guardrail(&live);
    let mut again = event.clone();
    again["detail"]["eventID"] = serde_json::json!("a-second-removal");
    let out = guardrail.handle(&again).await.unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-permissions-boundary-missing"),
        "{out:?}"
    );
    assert_eq!(
        role_boundary(acct.iam.clone()).await.as_deref(),
        Some(boundary.as_str())
    );
    let received = acct.inbox.drain().await;
    let alert = received
        .iter()
        .find(|a| a.attributes["rule"] == "iam-permissions-boundary-missing")
        .expect("an alert");
    assert!(
        alert.message.contains("done: put the permissions boundary"),
        "{}",
        alert.message
    );
    assert!(alert
        .message
        .contains("delete-role-permissions-boundary --role-name app-deployer"));

    // The same event once more: the re-read role has the boundary, nothing to do.
    let out = guardrail.handle(&again).await.unwrap();
    assert!(
        !out.findings
            .iter()
            .any(|f| f.rule == "iam-permissions-boundary-missing"),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_role_created_without_the_required_boundary_is_reported() {
    let acct = Account::seed().await;
    acct.create_role("lambda-exec-role", LAMBDA_TRUST).await;
    let required = "arn:aws:iam::123456789012:policy/DelegatedBoundary";
    let out = acct
        .guardrail(&[("GUARDRAIL_REQUIRED_BOUNDARY_ARN", required)])
        .handle(&iam_event("iam/create-role-trust-service.json"))
        .await
        .unwrap();
    let f = out
        .findings
        .iter()
        .find(|f| f.rule == "iam-permissions-boundary-missing")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        f.reason.contains("created role lambda-exec-role without"),
        "{}",
        f.reason
    );
    assert_eq!(
        f.actions[0].status,
        guardrail_rules::finding::ActionStatus::Recommended
    );
}

/// The admin and admin-reachable findings of an outcome: (rule, principal ARN). (A user who
/// is an administrator is also reported as acting without MFA; that rule has its own tests.)
fn principal_findings(out: &guardrail_rules::Outcome) -> Vec<(String, String)> {
    let mut v: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("iam-principal-admin"))
        .map(|f| (f.rule.to_string(), f.resource.arn.clone()))
        .collect();
    v.sort();
    v
}

/// Live re-judgement: AWS managed admin through a group, on a role and on a user, each after
/// the call that made it so; a boundary that caps it; an escalation only two policies show.
#[tokio::test]
async fn principals_a_change_affects_are_re_judged() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[]);
    let admin = |who: &str| {
        (
            "iam-principal-admin".to_string(),
            format!("arn:aws:iam::123456789012:{who}"),
        )
    };

    // Through a group: carol joins `admins`, which holds AdministratorAccess.
    acct.iam
        .create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    acct.iam
        .attach_group_policy()
        .group_name("admins")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    acct.iam
        .add_user_to_group()
        .group_name("admins")
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/add-user-to-group-admins.json"))
        .await
        .unwrap();
    assert_eq!(
        principal_findings(&out),
        vec![admin("user/carol")],
        "{out:?}"
    );

    // On a user (alert mode: the policy stays, and bob is an administrator).
    acct.iam
        .attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/attach-user-policy-admin.json"))
        .await
        .unwrap();
    assert_eq!(principal_findings(&out), vec![admin("user/bob")], "{out:?}");

    // On a role.
    acct.create_role("app-role", LAMBDA_TRUST).await;
    acct.iam
        .attach_role_policy()
        .role_name("app-role")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/attach-role-policy-admin.json"))
        .await
        .unwrap();
    assert_eq!(
        principal_findings(&out),
        vec![admin("role/app-role")],
        "{out:?}"
    );

    // A boundary that caps it: the same attachment on a role with an S3-only boundary.
    let s3_only = create_policy(&acct.iam, "s3-only", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#).await;
    acct.iam
        .create_role()
        .role_name("capped-role")
        .assume_role_policy_document(LAMBDA_TRUST)
        .permissions_boundary(&s3_only)
        .send()
        .await
        .unwrap();
    acct.iam
        .attach_role_policy()
        .role_name("capped-role")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let capped = event(
        "iam/attach-role-policy-admin.json",
        &[("app-role", "capped-role")],
    );
    let out = guardrail.handle(&capped).await.unwrap();
    assert_eq!(
        principal_findings(&out),
        vec![],
        "the boundary caps admin: {out:?}"
    );

    // An escalation only the union shows: PassRole inline, then a Lambda policy attached.
    acct.iam
        .put_user_policy()
        .user_name("alice")
        .policy_name("pass-roles")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let lambda = create_policy(&acct.iam, "lambda-dev", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#).await;
    acct.iam
        .attach_user_policy()
        .user_name("alice")
        .policy_arn(&lambda)
        .send()
        .await
        .unwrap();
    let attach = event(
        "iam/attach-user-policy-admin.json",
        &[("\"bob\"", "\"alice\""), (ADMIN, &lambda)],
    );
    let out = guardrail.handle(&attach).await.unwrap();
    let found = principal_findings(&out);
    assert!(
        found.contains(&(
            "iam-principal-admin-reachable".to_string(),
            "arn:aws:iam::123456789012:user/alice".to_string()
        )),
        "{out:?}"
    );
    // No single document was an escalation: only the principal rule says so.
    assert!(
        !out.findings
            .iter()
            .any(|f| f.rule == "iam-policy-privilege-escalation"),
        "{out:?}"
    );
}

/// In remediate mode the principal is judged after the remediation: the detached admin policy
/// no longer makes bob an administrator, so only the policy rule speaks.
#[tokio::test]
async fn principals_are_judged_after_remediation() {
    let acct = Account::seed().await;
    acct.iam
        .attach_user_policy()
        .user_name("bob")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let out = acct
        .remediating()
        .handle(&iam_event("iam/attach-user-policy-admin.json"))
        .await
        .unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-policy-admin-wildcard"),
        "{out:?}"
    );
    assert_eq!(principal_findings(&out), vec![], "{out:?}");
}

/// Live chains: a user given `sts:AssumeRole` on an admin role, and a role whose new trust
/// names a user, make that user admin-reachable; the roles read to follow the chain are not
/// reported themselves.
#[tokio::test]
async fn an_assume_role_chain_to_admin_is_seen_live() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[]);
    let reachable = |user: &str| {
        (
            "iam-principal-admin-reachable".to_string(),
            format!("arn:aws:iam::123456789012:user/{user}"),
        )
    };
    let root_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    acct.create_role("ops-admin", root_trust).await;
    acct.iam
        .attach_role_policy()
        .role_name("ops-admin")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    acct.iam
        .put_user_policy()
        .user_name("bob")
        .policy_name("bob-admin")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/ops-admin"}]}"#)
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/put-user-policy-admin.json"))
        .await
        .unwrap();
    assert_eq!(principal_findings(&out), vec![reachable("bob")], "{out:?}");
    let f = out
        .findings
        .iter()
        .find(|f| f.rule == "iam-principal-admin-reachable")
        .unwrap();
    assert!(f.reason.contains("ops-admin"), "{}", f.reason);

    // A trust that names carol herself needs no identity permission (same account).
    let names_carol = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/carol"},"Action":"sts:AssumeRole"}]}"#;
    acct.create_role("partner-access", names_carol).await;
    acct.iam
        .attach_role_policy()
        .role_name("partner-access")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&iam_event("iam/update-assume-role-policy-foreign.json"))
        .await
        .unwrap();
    assert_eq!(
        principal_findings(&out),
        vec![reachable("carol")],
        "{out:?}"
    );
}

/// A new default version that widens a condition: the alert names the access it adds over
/// the version before it, as an example request (issue "least privilege from usage", item 3).
#[tokio::test]
async fn new_default_version_reports_the_access_it_adds() {
    let acct = Account::seed().await;
    let office = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Reports","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
    let wider = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Reports","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}}]}"#;
    let arn = create_policy(&acct.iam, "TooBroad", office).await;
    acct.iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(wider)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let out = acct
        .guardrail(&[])
        .handle(&iam_event("iam/create-policy-version-admin.json"))
        .await
        .unwrap();
    let added = out
        .findings
        .iter()
        .find(|f| f.rule == "iam-policy-new-access")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        added.reason.contains("version v1") && added.reason.contains("203.0.113.0"),
        "{}",
        added.reason
    );
    assert!(added.actions.is_empty(), "alert only");
    let received = acct.inbox.drain().await;
    assert_eq!(
        received
            .iter()
            .filter(|a| a.attributes["rule"] == "iam-policy-new-access")
            .count(),
        1,
        "{received:?}"
    );
    // The same event again (a redelivery): judged the same, not alerted again.
    let again = acct
        .guardrail(&[])
        .handle(&iam_event("iam/create-policy-version-admin.json"))
        .await
        .unwrap();
    assert!(
        again
            .duplicates
            .iter()
            .any(|k| k.starts_with("iam-policy-new-access|")),
        "{again:?}"
    );
    assert!(acct.inbox.drain().await.is_empty());
}

/// `events/signin/console-login-failed.json` for `user`, as the `n`th failure (its own
/// eventID, a few seconds apart).
fn failed_sign_in(user: &str, n: u32) -> Value {
    event(
        "signin/console-login-failed.json",
        &[
            (
                "\"userName\": \"alice\"",
                &format!("\"userName\": \"{user}\""),
            ),
            (
                "0c2f3caa-061e-47ef-b1eb-c44164351610",
                &format!("0c2f3caa-061e-47ef-b1eb-{n:012}"),
            ),
            (
                "2025-03-10T05:47:31Z",
                &format!("2025-03-10T05:47:{:02}Z", 31 + n),
            ),
        ],
    )
}

#[tokio::test]
async fn failed_sign_ins_are_counted_per_user_and_per_address() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD", "3")]);
    // Spraying: one address, three users, one failure each. Not a burst for any user, but
    // the address reaches the threshold on the third.
    for (n, user) in [(1, "alice"), (2, "bob")] {
        let out = guardrail.handle(&failed_sign_in(user, n)).await.unwrap();
        assert!(out.findings.is_empty(), "{out:?}");
        assert!(
            out.skipped
                .as_deref()
                .unwrap_or_default()
                .contains("counted by"),
            "{out:?}"
        );
    }
    let out = guardrail.handle(&failed_sign_in("carol", 3)).await.unwrap();
    let ids: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(ids, ["sign-in failures from 203.0.113.24"], "{out:?}");
    // Guessing: alice twice more (the first redelivered on the way) makes alice's third.
    for n in [4, 4, 5] {
        guardrail.handle(&failed_sign_in("alice", n)).await.unwrap();
    }
    let alerts = acct.inbox.drain().await;
    let about: Vec<(&str, &str)> = alerts
        .iter()
        .map(|a| (a.attributes["rule"].as_str(), a.subject.as_str()))
        .collect();
    assert_eq!(alerts.len(), 2, "{about:?}");
    assert!(alerts
        .iter()
        .all(|a| a.attributes["rule"] == "console-sign-in-failures"));
    assert!(
        alerts.iter().any(|a| a
            .message
            .contains("3 console sign-ins from 203.0.113.24 failed")),
        "{about:?}"
    );
    assert!(
        alerts
            .iter()
            .any(|a| a.message.contains("3 console sign-ins for alice failed")),
        "{about:?}"
    );
}
