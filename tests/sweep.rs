//! The scheduled account sweep end to end against the moto emulator: an account seeded with one
//! instance of every misconfiguration the emulator can hold, and a clean counterpart of each;
//! the sweep must find exactly the misconfigurations, publish one summary alert per sweep, and
//! not re-alert or re-remediate an incident on the next sweep. Credential ages cannot be faked
//! in moto: `iam-credentials-unused` and `iam-access-key-old` are tested in the core
//! (shared/rules/src/sweep/tests.rs) with hand-built reports and `now`.

use account_sweep::AccountSweep;
use guardrail_rules::trigger::{self, Trigger};
use guardrail_tests::*;

const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
const SERVICE_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const REGIONS: &str = "us-east-1,eu-west-1";

struct Seeded {
    _moto: Moto,
    sdk: aws_config::SdkConfig,
    iam: aws_sdk_iam::Client,
    inbox: AlertInbox,
    /// (region, unencrypted volume, encrypted volume)
    volumes: Vec<(String, String, String)>,
    admin_policy_arn: String,
}

impl Seeded {
    async fn seed() -> Seeded {
        let moto = Moto::start();
        let sdk = moto.sdk("us-east-1").await;
        let iam = aws_sdk_iam::Client::new(&sdk);
        let inbox = AlertInbox::create(&sdk).await;

        // EBS: default off in us-east-1, on in eu-west-1; one volume of each kind in each.
        let mut volumes = Vec::new();
        for region in ["us-east-1", "eu-west-1"] {
            let ec2 = aws_sdk_ec2::Client::new(&moto.sdk(region).await);
            if region == "eu-west-1" {
                ec2.enable_ebs_encryption_by_default().send().await.unwrap();
            }
            let az = format!("{region}a");
            let plain = create_volume(&ec2, &az, false).await;
            let encrypted = create_volume(&ec2, &az, true).await;
            volumes.push((region.to_string(), plain, encrypted));
        }

        // Users: alice (admin attached directly), carol (console, no MFA), dave (console + MFA),
        // erin (permissions through her group only).
        for user in ["alice", "carol", "dave", "erin"] {
            iam.create_user().user_name(user).send().await.unwrap();
        }
        iam.attach_user_policy()
            .user_name("alice")
            .policy_arn(ADMIN)
            .send()
            .await
            .unwrap();
        for user in ["carol", "dave"] {
            iam.create_login_profile()
                .user_name(user)
                .password("Correct-Horse-Battery-9")
                .send()
                .await
                .unwrap();
        }
        let serial = iam
            .create_virtual_mfa_device()
            .virtual_mfa_device_name("dave")
            .send()
            .await
            .unwrap()
            .virtual_mfa_device
            .unwrap()
            .serial_number;
        iam.enable_mfa_device()
            .user_name("dave")
            .serial_number(serial)
            .authentication_code1("123456")
            .authentication_code2("654321")
            .send()
            .await
            .unwrap();

        // A group with a scoped inline policy and a scoped customer policy; a customer policy
        // granting admin (unattached: a latent grant is still judged).
        iam.create_group().group_name("devs").send().await.unwrap();
        iam.add_user_to_group()
            .group_name("devs")
            .user_name("erin")
            .send()
            .await
            .unwrap();
        iam.put_group_policy()
            .group_name("devs")
            .policy_name("ReportsInline")
            .policy_document(SCOPED_DOC)
            .send()
            .await
            .unwrap();
        let scoped = create_policy(&iam, "ReportsRead", SCOPED_DOC).await;
        iam.attach_group_policy()
            .group_name("devs")
            .policy_arn(scoped)
            .send()
            .await
            .unwrap();
        let admin_policy_arn = create_policy(&iam, "AdminAll", ADMIN_DOC).await;

        // Roles: open trust, service trust.
        for (name, trust) in [("partner-open", OPEN_TRUST), ("ec2-app", SERVICE_TRUST)] {
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(trust)
                .send()
                .await
                .unwrap();
        }

        // Monitoring: a multi-region trail that logs with validated log files; AWS Config
        // recording and GuardDuty enabled in eu-west-1 only (us-east-1 has neither).
        seed_monitoring(&moto).await;

        // A weak password policy.
        iam.update_account_password_policy()
            .minimum_password_length(8)
            .send()
            .await
            .unwrap();

        Seeded {
            _moto: moto,
            sdk,
            iam,
            inbox,
            volumes,
            admin_policy_arn,
        }
    }

    fn function(&self, pairs: &[(&str, &str)]) -> AccountSweep {
        let mut all = vec![("GUARDRAIL_SWEEP_REGIONS", REGIONS)];
        all.extend_from_slice(pairs);
        AccountSweep::new(self.inbox.wiring(&self.sdk, &all))
    }

    /// Exactly the (rule, resource id, resource ARN) triples the seeded account must produce.
    fn expected(&self) -> Vec<(String, String, String)> {
        let (us, eu) = (&self.volumes[0], &self.volumes[1]);
        let mut v = vec![
            (
                "ebs-encryption-by-default-off".to_string(),
                format!("{ACCOUNT}/us-east-1"),
                format!("arn:aws:ec2:us-east-1:{ACCOUNT}:ebs-encryption-by-default"),
            ),
            (
                "ebs-unencrypted-volume".to_string(),
                us.1.clone(),
                format!("arn:aws:ec2:us-east-1:{ACCOUNT}:volume/{}", us.1),
            ),
            (
                "ebs-unencrypted-volume".to_string(),
                eu.1.clone(),
                format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/{}", eu.1),
            ),
            (
                "config-recorder-stopped".to_string(),
                format!("{ACCOUNT}/us-east-1"),
                format!("arn:aws:config:us-east-1:{ACCOUNT}:configuration-recorder/*"),
            ),
            (
                "guardduty-disabled".to_string(),
                format!("{ACCOUNT}/us-east-1"),
                format!("arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/*"),
            ),
            // No Block Public Access for the account, none on the trail's bucket.
            (
                "s3-public-access-block-off".to_string(),
                format!("S3 Block Public Access of {ACCOUNT}"),
                format!("arn:aws:s3:::account/{ACCOUNT}"),
            ),
            (
                "s3-public-access-block-off".to_string(),
                "org-trail-logs".to_string(),
                "arn:aws:s3:::org-trail-logs".to_string(),
            ),
            (
                "iam-password-policy-weak".to_string(),
                ACCOUNT.to_string(),
                format!("arn:aws:iam::{ACCOUNT}:root"),
            ),
            (
                "iam-policy-admin-wildcard".to_string(),
                "AdminAll@v1".to_string(),
                self.admin_policy_arn.clone(),
            ),
            // alice holds AWS's AdministratorAccess (the sweep reads its document; the
            // document itself is not a finding) and has no MFA.
            (
                "iam-principal-admin".to_string(),
                "alice".to_string(),
                format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            ),
            (
                "iam-principal-sensitive-without-mfa".to_string(),
                "alice".to_string(),
                format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            ),
            (
                "iam-role-trust-open".to_string(),
                "partner-open".to_string(),
                format!("arn:aws:iam::{ACCOUNT}:role/partner-open"),
            ),
            (
                "iam-user-console-without-mfa".to_string(),
                "carol".to_string(),
                format!("arn:aws:iam::{ACCOUNT}:user/carol"),
            ),
            (
                "iam-user-direct-policy".to_string(),
                ADMIN.to_string(),
                format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            ),
        ];
        v.sort();
        v
    }
}

/// The trail (home us-east-1, multi-region, validated, logging), and AWS Config and GuardDuty
/// on in eu-west-1.
async fn seed_monitoring(moto: &Moto) {
    let us = moto.sdk("us-east-1").await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&us)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("org-trail-logs")
        .send()
        .await
        .unwrap();
    let trails = aws_sdk_cloudtrail::Client::new(&us);
    trails
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("org-trail-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    trails
        .start_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let eu = moto.sdk("eu-west-1").await;
    let config = aws_sdk_config::Client::new(&eu);
    create_config_recorder(&config, "org-trail-logs").await;
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&eu)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap();
}

fn triples(findings: &[guardrail_rules::Finding]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                f.resource.id.clone(),
                f.resource.arn.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn schedule() -> (serde_json::Value, trigger::Schedule) {
    let event = event("schedule/sweep.json", &[]);
    match trigger::decode(&event).unwrap() {
        Trigger::Schedule(s) => (event, s),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn sweep_finds_exactly_the_seeded_misconfigurations_and_alerts_each_incident_once() {
    let acct = Seeded::seed().await;
    let f = acct.function(&[
        ("GUARDRAIL_SWEEP_ALERT_EACH", "true"),
        ("GUARDRAIL_DRY_RUN", "false"),
        (
            "GUARDRAIL_RULE_MODES",
            "ebs-unencrypted-volume=remediate,iam-password-policy-weak=remediate",
        ),
    ]);
    let (event, schedule) = schedule();

    let (out, report) = f.sweep(&schedule).await.unwrap();
    assert_eq!(
        triples(&report.findings),
        acct.expected(),
        "{:#?}",
        report.findings
    );
    assert_eq!(triples(&out.findings), acct.expected());
    assert!(out.duplicates.is_empty());
    assert!(report.findings.iter().all(|f| f.event_id.is_none()));
    assert_eq!(report.regions, ["eu-west-1", "us-east-1"]);
    assert!(
        report.notes.iter().any(|n| n.contains("<root_account>")),
        "moto writes no root row: the root rules are unknown, {:?}",
        report.notes
    );

    // The API calls of a sweep of this account, for the benchmark notes.
    eprintln!("API calls of one sweep: {:#?}", report.api_calls);
    let calls = &report.api_calls;
    assert_eq!(calls["iam:GetAccountAuthorizationDetails"], 1);
    assert_eq!(calls["iam:GetCredentialReport"], 1);
    assert_eq!(calls["iam:GetAccountPasswordPolicy"], 1);
    assert_eq!(calls["ec2:DescribeRegions"], 1);
    assert_eq!(calls["ec2:DescribeVolumes"], 2);
    assert_eq!(calls["ec2:GetEbsEncryptionByDefault"], 2);
    assert!(!calls
        .keys()
        .any(|k| k.starts_with("iam:List") || k.starts_with("iam:GetUser")));

    // One alert per incident, plus the summary.
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 15, "{alerts:#?}");
    let summary: Vec<_> = alerts
        .iter()
        .filter(|a| a.attributes["rule"] == "account-sweep")
        .collect();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].attributes["severity"], "critical");
    assert!(summary[0]
        .subject
        .starts_with("[CRITICAL] Account sweep: 14 finding(s) in 123456789012"));
    for named in [
        "iam-role-trust-open",
        "partner-open",
        "iam-policy-admin-wildcard",
    ] {
        assert!(summary[0].message.contains(named), "{}", summary[0].message);
    }

    // Remediated: the password policy is at the floor, the volumes are tagged.
    let policy = acct
        .iam
        .get_account_password_policy()
        .send()
        .await
        .unwrap()
        .password_policy
        .unwrap();
    assert_eq!(policy.minimum_password_length, Some(14));
    assert!(policy.require_symbols && policy.require_uppercase_characters);
    assert_eq!(policy.password_reuse_prevention, Some(24));
    let ec2 = aws_sdk_ec2::Client::new(&acct._moto.sdk("eu-west-1").await);
    let tags = ec2
        .describe_volumes()
        .volume_ids(&acct.volumes[1].1)
        .send()
        .await
        .unwrap()
        .volumes
        .unwrap()[0]
        .tags()
        .iter()
        .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
        .collect::<Vec<_>>();
    assert!(tags.contains(&(
        "guardrail:finding".to_string(),
        "ebs-unencrypted-volume".to_string()
    )));

    // The next sweep (through the Lambda handler): the summary again, nothing else; the
    // fixed password policy is gone, every other incident is a duplicate.
    let out = f.handle(&event).await.unwrap();
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(out.duplicates.len(), 13, "{:?}", out.duplicates);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0].attributes["rule"], "account-sweep");
    assert!(
        alerts[0].subject.contains("13 finding(s)"),
        "{}",
        alerts[0].subject
    );
    assert!(alerts[0].message.contains("13 already reported"));
}

#[tokio::test]
async fn by_default_only_the_summary_is_published_and_nothing_changes() {
    let acct = Seeded::seed().await;
    let f = acct.function(&[]);
    let (event, _) = schedule();
    let out = f.handle(&event).await.unwrap();
    assert_eq!(triples(&out.findings), acct.expected());
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0].attributes["rule"], "account-sweep");
    assert_eq!(alerts[0].attributes["findings"], "14");
    // Dry-run and alert mode: the password policy is untouched.
    let policy = acct
        .iam
        .get_account_password_policy()
        .send()
        .await
        .unwrap()
        .password_policy
        .unwrap();
    assert_eq!(policy.minimum_password_length, Some(8));
}

#[tokio::test]
async fn config_periodic_rule_evaluates_every_user() {
    let acct = Seeded::seed().await;
    let f = acct.function(&[]);
    let out = f
        .handle(&event("schedule/config-scheduled-iam.json", &[]))
        .await
        .unwrap();
    assert_eq!(out.rejected, None);
    let users = acct.iam.list_users().send().await.unwrap();
    let id = |name: &str| {
        users
            .users()
            .iter()
            .find(|u| u.user_name() == name)
            .unwrap()
            .user_id()
            .to_string()
    };
    let mut got: Vec<(String, &str)> = out
        .evaluations
        .iter()
        .map(|e| (e.resource_id.clone(), e.compliance.as_str()))
        .collect();
    got.sort();
    let mut want = vec![
        (id("alice"), "COMPLIANT"),
        (id("carol"), "NON_COMPLIANT"),
        (id("dave"), "COMPLIANT"),
        (id("erin"), "COMPLIANT"),
    ];
    want.sort();
    assert_eq!(got, want);
    assert!(out
        .evaluations
        .iter()
        .all(|e| e.resource_type == "AWS::IAM::User"));
}

/// The sweep's IAM read: every customer managed policy, and of the AWS managed ones exactly
/// those a principal uses (attached, or as a permissions boundary), with their documents; the
/// ~1,580 others moto returns are dropped. A referenced policy the answer lacks is fetched by
/// ARN, and one IAM does not know is left out rather than failing the sweep.
#[tokio::test]
async fn the_iam_read_holds_the_aws_managed_policies_principals_use() {
    use guardrail_aws::account::AccountReader;
    use guardrail_aws::api_counter::ApiCounter;
    const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const POWER_USER: &str = "arn:aws:iam::aws:policy/PowerUserAccess";
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let unused = create_policy(&iam, "Unused", SCOPED_DOC).await;
    let gone = format!("arn:aws:iam::{ACCOUNT}:policy/Deleted");
    for (role, boundary) in [("ci", READ_ONLY), ("orphan", gone.as_str())] {
        iam.create_role()
            .role_name(role)
            .assume_role_policy_document(SERVICE_TRUST)
            .permissions_boundary(boundary)
            .send()
            .await
            .unwrap();
    }

    let reader = AccountReader::new(&sdk, ApiCounter::new());
    let facts = reader.iam_facts().await.unwrap();
    let mut arns: Vec<&str> = facts.policies.iter().map(|p| p.arn.as_str()).collect();
    arns.sort();
    assert_eq!(arns, vec![unused.as_str(), ADMIN, READ_ONLY]);
    let index = facts.policy_index();
    for arn in [ADMIN, READ_ONLY] {
        let p = index[arn];
        assert!(p.is_aws_managed());
        assert_eq!(p.arn.rsplit('/').next(), Some(p.name.as_str()));
        let doc = p.document.as_deref().expect("default version document");
        guardrail_rules::policy::PolicyDocument::parse(doc).expect("parses");
    }
    let ci = facts.roles.iter().find(|r| r.name == "ci").unwrap();
    assert_eq!(ci.permissions_boundary.as_deref(), Some(READ_ONLY));
    assert_eq!(ci.path, "/");
    assert!(ci.create_date.as_deref().is_some_and(|d| d.ends_with('Z')));
    assert_eq!(ci.last_used, None, "never assumed");
    let alice = facts.user("alice").unwrap();
    assert_eq!(alice.path, "/");
    assert!(alice.create_date.is_some());
    // Only the deleted boundary was missing: one GetPolicy, NotFound, skipped.
    assert_eq!(facts.missing_policy_arns(), vec![gone.clone()]);
    let calls = reader.counter().snapshot();
    assert_eq!(calls.get("iam:GetAccountAuthorizationDetails"), Some(&1));
    assert_eq!(calls.get("iam:GetPolicy"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("iam:GetPolicyVersion"), None, "{calls:?}");

    // Fetched by ARN, as for a boundary-only policy real IAM leaves out of the answer.
    let fetched = reader
        .missing_policies(vec![POWER_USER.to_string(), gone])
        .await
        .unwrap();
    assert_eq!(fetched.len(), 1);
    assert_eq!(
        (fetched[0].name.as_str(), fetched[0].arn.as_str()),
        ("PowerUserAccess", POWER_USER)
    );
    assert!(!fetched[0].default_version_id.is_empty());
    let doc = fetched[0].document.as_deref().expect("document");
    guardrail_rules::policy::PolicyDocument::parse(doc).expect("parses");
}

/// `iam-role-unused` and `iam-user-unused` on the wire. moto dates every user and role at
/// creation "now" and has no way to backdate them (nor `RoleLastUsed`): it cannot hold a
/// principal unused for 90 days, so the dates are covered in the core
/// (shared/rules/tests/unused_principals.rs). What moto can show: `RoleLastUsed`, which it sets
/// when a role's assumed credentials are used, arrives through the one
/// GetAccountAuthorizationDetails the sweep already makes; fresh principals are too young to be
/// judged, even in remediate mode; and the quarantine step attaches the policy once, however
/// often it runs, and the detach the alert gives undoes it.
#[tokio::test]
async fn unused_principals_are_read_from_the_sweeps_read_and_quarantined_once() {
    use aws_config::sts::AssumeRoleProvider;
    use guardrail_aws::account::AccountReader;
    use guardrail_aws::api_counter::ApiCounter;
    use guardrail_aws::ports::Remediator;
    use guardrail_rules::plan::{IamTarget, IamTargetKind, RemediationStep};
    const DENY_ALL: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    for role in ["busy", "idle"] {
        iam.create_role()
            .role_name(role)
            .assume_role_policy_document(&trust)
            .send()
            .await
            .unwrap();
    }
    iam.create_user().user_name("bob").send().await.unwrap();
    let quarantine = create_policy(&iam, "QuarantinePolicy", DENY_ALL).await;

    // busy is used: a call with its assumed credentials.
    let provider = AssumeRoleProvider::builder(format!("arn:aws:iam::{ACCOUNT}:role/busy"))
        .session_name("unused-test")
        .configure(&sdk)
        .build()
        .await;
    let as_busy = sdk
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build();
    aws_sdk_iam::Client::new(&as_busy)
        .list_roles()
        .send()
        .await
        .unwrap();
    let facts = AccountReader::new(&sdk, ApiCounter::new())
        .iam_facts()
        .await
        .unwrap();
    let role = |name: &str| facts.roles.iter().find(|r| r.name == name).unwrap();
    let used = role("busy")
        .last_used
        .as_deref()
        .expect("RoleLastUsed read");
    assert!(
        guardrail_rules::sweep::time::parse_iso8601(used).is_some(),
        "{used}"
    );
    assert_eq!(role("idle").last_used, None, "never assumed");

    // The sweep, remediating for real: every principal here is too young to judge.
    let inbox = AlertInbox::create(&sdk).await;
    let pairs = [
        ("GUARDRAIL_SWEEP_REGIONS", "us-east-1"),
        ("GUARDRAIL_DRY_RUN", "false"),
        (
            "GUARDRAIL_RULE_MODES",
            "iam-role-unused=remediate,iam-user-unused=remediate",
        ),
        ("GUARDRAIL_QUARANTINE_POLICY_ARN", quarantine.as_str()),
    ];
    let f = AccountSweep::new(inbox.wiring(&sdk, &pairs));
    let (_, report) = f.sweep(&schedule().1).await.unwrap();
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule == "iam-role-unused" || f.rule == "iam-user-unused"),
        "{:#?}",
        report.findings
    );
    let attached = |role: &'static str| {
        let iam = iam.clone();
        async move {
            iam.list_attached_role_policies()
                .role_name(role)
                .send()
                .await
                .unwrap()
                .attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_string))
                .collect::<Vec<_>>()
        }
    };
    assert!(attached("idle").await.is_empty());

    // The step the sweep plans for an unused role and user, executed twice: attached once.
    let wiring = inbox.wiring(&sdk, &pairs);
    let steps =
        [(IamTargetKind::Role, "idle"), (IamTargetKind::User, "bob")].map(|(kind, name)| {
            RemediationStep::AttachQuarantinePolicy {
                target: IamTarget {
                    kind,
                    name: name.into(),
                },
                policy_arn: quarantine.clone(),
            }
        });
    for _ in 0..2 {
        for step in &steps {
            wiring.executor.execute(step).await.unwrap();
        }
    }
    assert_eq!(attached("idle").await, std::slice::from_ref(&quarantine));
    let bob = iam
        .list_attached_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(bob.attached_policies().len(), 1);
    // The next sweep's read sees it attached: the planned step is then AlreadyDone.
    let facts = AccountReader::new(&sdk, ApiCounter::new())
        .iam_facts()
        .await
        .unwrap();
    let idle = facts.roles.iter().find(|r| r.name == "idle").unwrap();
    assert_eq!(idle.attached, std::slice::from_ref(&quarantine));

    // The undo the alert names (aws iam detach-role-policy --role-name idle --policy-arn ...).
    assert!(steps[0].describe().contains(&format!(
        "aws iam detach-role-policy --role-name idle --policy-arn {quarantine}"
    )));
    iam.detach_role_policy()
        .role_name("idle")
        .policy_arn(&quarantine)
        .send()
        .await
        .unwrap();
    assert!(attached("idle").await.is_empty());
}

/// moto serves no last-accessed calls (GenerateServiceLastAccessedDetails answers an HTML 500):
/// the sweep asks for the broad principals' reports, says it could not read them, leaves
/// `iam-permissions-unused` unjudged (so nothing closes its earlier findings) and judges
/// everything else. The rule itself is tested on reports of the API's shape in
/// shared/rules/tests/unused_permissions.rs, the answer's conversion in
/// shared/aws/src/last_accessed.rs.
#[tokio::test]
async fn without_last_accessed_data_that_rule_is_unjudged_and_the_rest_judged() {
    let acct = Seeded::seed().await;
    let f = acct.function(&[]);
    let (_, schedule) = schedule();
    let (_, report) = f.sweep(&schedule).await.unwrap();
    assert_eq!(triples(&report.findings), acct.expected());
    assert!(
        report
            .unjudged_rules
            .contains(&"iam-permissions-unused".to_string()),
        "{:?}",
        report.unjudged_rules
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("iam-permissions-unused: user alice")
                && n.contains("last-accessed data not read")),
        "{:#?}",
        report.notes
    );
    let calls = &report.api_calls;
    assert!(
        calls["iam:GenerateServiceLastAccessedDetails"] >= 1,
        "{calls:?}"
    );
    assert!(!calls.contains_key("iam:GetServiceLastAccessedDetails"));
}

/// ec2-image-shared, swept: the account's own images in every swept region are read with
/// their launch permissions; a public one is found (and unshared in remediate mode), one
/// shared only with an allowed account is not, and AWS's public images (moto's catalogue,
/// owned by other accounts) are never the account's to judge.
#[tokio::test]
async fn the_sweep_finds_and_unshares_public_images_of_every_swept_region() {
    use aws_sdk_ec2::types::{
        ImageAttributeName, LaunchPermission, LaunchPermissionModifications, PermissionGroup,
    };
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let inbox = AlertInbox::create(&sdk).await;
    let mut images = Vec::new();
    for (region, grant) in [("eu-west-1", None), ("us-east-1", Some("111122223333"))] {
        let ec2 = aws_sdk_ec2::Client::new(&moto.sdk(region).await);
        let id = ec2
            .register_image()
            .name(format!("golden-{region}"))
            .root_device_name("/dev/xvda")
            .send()
            .await
            .unwrap()
            .image_id()
            .unwrap()
            .to_string();
        let permission = match grant {
            None => LaunchPermission::builder()
                .group(PermissionGroup::All)
                .build(),
            Some(account) => LaunchPermission::builder().user_id(account).build(),
        };
        ec2.modify_image_attribute()
            .image_id(&id)
            .launch_permission(
                LaunchPermissionModifications::builder()
                    .add(permission)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        images.push((ec2, id));
    }
    let f = AccountSweep::new(inbox.wiring(
        &sdk,
        &[
            ("GUARDRAIL_SWEEP_REGIONS", REGIONS),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_RULE_MODES", "ec2-image-shared=remediate"),
            ("GUARDRAIL_SHARE_ACCOUNTS", "111122223333"),
        ],
    ));
    let (_, schedule) = schedule();
    let (_, report) = f.sweep(&schedule).await.unwrap();
    let found: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "ec2-image-shared")
        .map(|f| (f.region.clone(), f.resource.id.clone()))
        .collect();
    assert_eq!(
        found,
        [("eu-west-1".to_string(), images[0].1.clone())],
        "{:#?}",
        report.findings
    );
    let public = |ec2: &aws_sdk_ec2::Client, id: &str| {
        let (ec2, id) = (ec2.clone(), id.to_string());
        async move {
            ec2.describe_image_attribute()
                .image_id(id)
                .attribute(ImageAttributeName::LaunchPermission)
                .send()
                .await
                .unwrap()
                .launch_permissions()
                .iter()
                .any(|p| p.group() == Some(&PermissionGroup::All))
        }
    };
    assert!(!public(&images[0].0, &images[0].1).await, "unshared");
    let left = images[1]
        .0
        .describe_image_attribute()
        .image_id(&images[1].1)
        .attribute(ImageAttributeName::LaunchPermission)
        .send()
        .await
        .unwrap();
    assert_eq!(
        left.launch_permissions()[0].user_id(),
        Some("111122223333"),
        "the allowed share stays"
    );
}

/// ebs-snapshot-shared, swept: a snapshot made public before the guardrail ran is found in
/// its region and, in remediate mode, unshared; a snapshot shared with an allowed account is
/// left as it is.
#[tokio::test]
async fn the_sweep_finds_and_unshares_public_snapshots() {
    use aws_sdk_ec2::types::SnapshotAttributeName;
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let inbox = AlertInbox::create(&sdk).await;
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk("eu-west-1").await);
    let mut snaps = Vec::new();
    for public in [true, false] {
        let volume = create_volume(&ec2, "eu-west-1a", true).await;
        let snap = match public {
            true => shared_snapshot(&ec2, &volume, &[], &["all"], &[]).await,
            false => shared_snapshot(&ec2, &volume, &[], &[], &["111122223333"]).await,
        };
        snaps.push(snap);
    }
    let f = AccountSweep::new(inbox.wiring(
        &sdk,
        &[
            ("GUARDRAIL_SWEEP_REGIONS", REGIONS),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_RULE_MODES", "ebs-snapshot-shared=remediate"),
            ("GUARDRAIL_SHARE_ACCOUNTS", "111122223333"),
        ],
    ));
    let (_, schedule) = schedule();
    let (_, report) = f.sweep(&schedule).await.unwrap();
    let found: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "ebs-snapshot-shared")
        .map(|f| (f.region.clone(), f.resource.id.clone()))
        .collect();
    assert_eq!(
        found,
        [("eu-west-1".to_string(), snaps[0].clone())],
        "{:#?}",
        report.notes
    );
    let permissions = |id: String| {
        let ec2 = ec2.clone();
        async move {
            ec2.describe_snapshot_attribute()
                .snapshot_id(id)
                .attribute(SnapshotAttributeName::CreateVolumePermission)
                .send()
                .await
                .unwrap()
                .create_volume_permissions()
                .to_vec()
        }
    };
    assert!(permissions(snaps[0].clone()).await.is_empty(), "unshared");
    let kept = permissions(snaps[1].clone()).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].user_id(), Some("111122223333"));
}

/// The account's own monitoring, swept: the seeded trail qualifies (no finding), us-east-1
/// lacks a recorder and a detector (one finding each), eu-west-1 has both. moto serves no IAM
/// Access Analyzer API: that rule is unjudged with the reason, never a finding and never a
/// failed sweep (the rule is tested on ListAnalyzers' shapes in shared/rules/src/sweep/tests.rs).
/// A trail stopped since is then named with what it lacks.
#[tokio::test]
async fn the_sweep_judges_the_accounts_own_monitoring_in_every_region() {
    let acct = Seeded::seed().await;
    let f = acct.function(&[]);
    let (_, schedule) = schedule();
    let (_, report) = f.sweep(&schedule).await.unwrap();
    let monitoring = [
        "cloudtrail-logging-stopped",
        "config-recorder-stopped",
        "guardduty-disabled",
        "access-analyzer-deleted",
    ];
    let found: Vec<_> = triples(&report.findings)
        .into_iter()
        .filter(|t| monitoring.contains(&t.0.as_str()))
        .collect();
    let expected: Vec<_> = acct
        .expected()
        .into_iter()
        .filter(|t| monitoring.contains(&t.0.as_str()))
        .collect();
    assert_eq!(found, expected);
    let recorder = report
        .findings
        .iter()
        .find(|f| f.rule == "config-recorder-stopped")
        .unwrap();
    assert_eq!(recorder.region, "us-east-1");
    assert!(
        recorder
            .reason
            .contains("no configuration recorder in us-east-1"),
        "{}",
        recorder.reason
    );
    assert!(
        report
            .unjudged_rules
            .contains(&"access-analyzer-deleted".to_string()),
        "{:?}",
        report.unjudged_rules
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("access-analyzer-deleted: not judged in us-east-1")),
        "{:#?}",
        report.notes
    );
    let calls = &report.api_calls;
    assert_eq!(calls["cloudtrail:DescribeTrails"], 1, "{calls:?}");
    assert_eq!(calls["guardduty:GetDetector"], 1, "{calls:?}");

    // Stopped since: the next sweep names the trail and what it lacks.
    aws_sdk_cloudtrail::Client::new(&acct.sdk)
        .stop_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let (_, report) = f.sweep(&schedule).await.unwrap();
    let trail = report
        .findings
        .iter()
        .find(|f| f.rule == "cloudtrail-logging-stopped")
        .expect("the stopped trail is found");
    assert!(
        trail.reason.contains("org-trail lacks logging"),
        "{}",
        trail.reason
    );
}
