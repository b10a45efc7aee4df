//! Multi-account (issue 7): a central deployment receives a member account's events, reads
//! and remediates there through `GuardrailRemediationRole` (sts:AssumeRole with an external
//! id), and alerts on the central topic. Real wire protocol: moto maps the credentials STS
//! hands out to the role's account, so the member account's volumes and users are only
//! visible through the assumed role.

use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use ebs_encryption::EbsGuardrail;
use guardrail_tests::*;
use iam_guard::IamGuardrail;
use region_guard::RegionGuardrail;
use serde_json::Value;

const REGION: &str = "ap-northeast-2";
const MEMBER: &str = "222222222222";
const MEMBER_ROLE: &str = "GuardrailRemediationRole";
const EXTERNAL_ID: &str = "guardrail-test-external-id";

/// The central account (moto's default, 123456789012) and one member account.
struct Org {
    _moto: Moto,
    central: SdkConfig,
    member: SdkConfig,
    inbox: AlertInbox,
}

impl Org {
    async fn seed(region: &str) -> Org {
        let moto = Moto::start();
        let central = moto.sdk(region).await;
        let provider = AssumeRoleProvider::builder(format!(
            "arn:aws:iam::{MEMBER}:role/OrganizationAccountAccessRole"
        ))
        .session_name("test-seeding")
        .configure(&central)
        .build()
        .await;
        let member = central
            .to_builder()
            .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
        let inbox = AlertInbox::create(&central).await;
        Org {
            _moto: moto,
            central,
            member,
            inbox,
        }
    }

    /// Settings of a central deployment with member accounts, remediating.
    fn pairs(mfa_policy_arn: &str) -> Vec<(&str, &str)> {
        vec![
            ("GUARDRAIL_ACCOUNT_ID", ACCOUNT),
            ("GUARDRAIL_MEMBER_ROLE_NAME", MEMBER_ROLE),
            ("GUARDRAIL_MEMBER_EXTERNAL_ID", EXTERNAL_ID),
            (
                "GUARDRAIL_OWN_ROLE_ARN",
                "arn:aws:iam::123456789012:role/guardrail-*",
            ),
            ("GUARDRAIL_MFA_POLICY_ARN", mfa_policy_arn),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ]
    }

    fn wiring(&self, pairs: &[(&str, &str)]) -> guardrail_aws::Wiring {
        self.inbox.wiring(&self.central, pairs)
    }
}

/// An `events/` file as the member account's CloudTrail would deliver it.
fn member_event(file: &str, replacements: &[(&str, &str)]) -> Value {
    let mut all = vec![(ACCOUNT, MEMBER)];
    all.extend_from_slice(replacements);
    event(file, &all)
}

#[tokio::test]
async fn member_volume_is_remediated_in_the_member_account_and_alerted_centrally() {
    let org = Org::seed(REGION).await;
    let member_ec2 = aws_sdk_ec2::Client::new(&org.member);
    let central_ec2 = aws_sdk_ec2::Client::new(&org.central);
    let volume = create_volume(&member_ec2, "ap-northeast-2a", false).await;
    // The accounts really are apart: the central account does not see the member's volume.
    let central_sees = central_ec2
        .describe_volumes()
        .send()
        .await
        .unwrap()
        .volumes()
        .iter()
        .any(|v| v.volume_id() == Some(volume.as_str()));
    assert!(!central_sees, "moto did not separate the accounts");

    let guardrail = EbsGuardrail::new(org.wiring(&Org::pairs("")));
    let event = member_event(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &volume)],
    );
    let out = guardrail.handle(&event).await.unwrap();
    let finding = out
        .findings
        .iter()
        .find(|f| f.rule == "ebs-unencrypted-volume")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert_eq!(finding.account, MEMBER);
    assert!(
        finding.resource.arn.contains(MEMBER),
        "{}",
        finding.resource.arn
    );

    // Remediated where the volume lives: tagged, and encryption by default on, in the member
    // account; the central account's default is untouched.
    let tags = volume_tags(&member_ec2, &volume).await;
    assert!(tags.keys().any(|k| k.starts_with("guardrail:")), "{tags:?}");
    assert!(encryption_by_default(&member_ec2).await);
    assert!(!encryption_by_default(&central_ec2).await);

    // Alerted on the central topic, naming the member account.
    let alerts = org.inbox.drain().await;
    let alert = alerts
        .iter()
        .find(|a| a.attributes["rule"] == "ebs-unencrypted-volume")
        .unwrap_or_else(|| panic!("{alerts:?}"));
    assert_eq!(alert.attributes["account"], MEMBER);

    // The same event again changes nothing and alerts nothing.
    let again = guardrail.handle(&event).await.unwrap();
    assert!(again.findings.is_empty(), "{again:?}");
    assert!(org.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn member_console_user_gets_the_member_accounts_mfa_policy() {
    let org = Org::seed("us-east-1").await;
    let member_iam = aws_sdk_iam::Client::new(&org.member);
    let central_iam = aws_sdk_iam::Client::new(&org.central);
    // Each account has its own enforcement policy: the central stack's (any name) and the
    // member template's (fixed name).
    let central_policy =
        create_policy(&central_iam, "guardrail-MfaEnforcementPolicy-X1", ADMIN_DOC).await;
    let member_policy = create_mfa_enforcement_policy(&member_iam).await;
    assert_eq!(
        member_policy,
        format!("arn:aws:iam::{MEMBER}:policy/GuardrailMfaEnforcement")
    );
    member_iam
        .create_user()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    member_iam
        .create_login_profile()
        .user_name("carol")
        .password("Correct-Horse-9!")
        .send()
        .await
        .unwrap();

    let guardrail = IamGuardrail::new(org.wiring(&Org::pairs(&central_policy)));
    let out = guardrail
        .handle(&member_event("iam/create-login-profile.json", &[]))
        .await
        .unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule == "iam-user-console-without-mfa"),
        "{out:?}"
    );
    let attached: Vec<String> = member_iam
        .list_attached_user_policies()
        .user_name("carol")
        .send()
        .await
        .unwrap()
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect();
    assert_eq!(attached, vec![member_policy]);
}

#[tokio::test]
async fn member_events_are_refused_without_a_member_role_or_outside_the_list() {
    let org = Org::seed(REGION).await;
    let member_ec2 = aws_sdk_ec2::Client::new(&org.member);
    let volume = create_volume(&member_ec2, "ap-northeast-2a", false).await;
    let event = member_event(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &volume)],
    );
    for pairs in [
        // Single-account deployment.
        vec![
            ("GUARDRAIL_ACCOUNT_ID", ACCOUNT),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ],
        // Member accounts configured, but this one is not among them.
        vec![
            ("GUARDRAIL_ACCOUNT_ID", ACCOUNT),
            ("GUARDRAIL_MEMBER_ROLE_NAME", MEMBER_ROLE),
            ("GUARDRAIL_MEMBER_ACCOUNTS", "333333333333"),
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ],
    ] {
        let out = EbsGuardrail::new(org.wiring(&pairs))
            .handle(&event)
            .await
            .unwrap();
        assert_skipped(
            &out,
            "not guarded",
            "a member account this deployment does not guard",
        );
    }
    assert!(volume_tags(&member_ec2, &volume).await.is_empty());
    assert!(org.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn the_member_roles_own_changes_are_not_judged_again() {
    let org = Org::seed(REGION).await;
    let member_ec2 = aws_sdk_ec2::Client::new(&org.member);
    let volume = create_volume(&member_ec2, "ap-northeast-2a", false).await;
    // The event of a change the guardrail made in the member account, through its role.
    let mut event = member_event(
        "ebs/create-volume-unencrypted.json",
        &[(UNENCRYPTED_PLACEHOLDER, &volume)],
    );
    event["detail"]["userIdentity"] = serde_json::json!({
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:guardrail",
        "arn": format!("arn:aws:sts::{MEMBER}:assumed-role/{MEMBER_ROLE}/guardrail"),
        "accountId": MEMBER,
        "sessionContext": {"sessionIssuer": {
            "type": "Role",
            "arn": format!("arn:aws:iam::{MEMBER}:role/{MEMBER_ROLE}"),
            "accountId": MEMBER,
            "userName": MEMBER_ROLE
        }}
    });
    let out = EbsGuardrail::new(org.wiring(&Org::pairs("")))
        .handle(&event)
        .await
        .unwrap();
    assert_skipped(&out, "own role", "the member role's own change");
}

#[tokio::test]
async fn region_guard_stops_a_member_accounts_instances_outside_the_allowed_regions() {
    let org = Org::seed("sa-east-1").await;
    let member_ec2 = aws_sdk_ec2::Client::new(&org.member);
    let ids = launch(&member_ec2, 2).await;
    let mut pairs = Org::pairs("");
    pairs.push(("GUARDRAIL_ALLOWED_REGIONS", "ap-northeast-2"));
    let event = member_event(
        "region/run-instances-disallowed-region.json",
        &[
            ("i-0eeeeeeeeeeeeeee5", &ids[0]),
            ("i-0eeeeeeeeeeeeeee6", &ids[1]),
        ],
    );
    let out = RegionGuardrail::new(org.wiring(&pairs))
        .handle(&event)
        .await
        .unwrap();
    assert!(
        out.findings.iter().any(|f| f.rule == "region-not-allowed"),
        "{out:?}"
    );
    assert_eq!(states(&member_ec2, &ids).await, ["stopped", "stopped"]);
}

#[tokio::test]
async fn a_schedule_naming_a_member_account_sweeps_that_account() {
    let org = Org::seed("us-east-1").await;
    let member_ec2 = aws_sdk_ec2::Client::new(&org.member);
    let member_volume = create_volume(&member_ec2, "us-east-1a", false).await;
    let central_volume =
        create_volume(&aws_sdk_ec2::Client::new(&org.central), "us-east-1a", false).await;
    let mut pairs = Org::pairs("");
    pairs.push(("GUARDRAIL_SWEEP_REGIONS", "us-east-1"));
    let sweep = account_sweep::AccountSweep::new(org.wiring(&pairs));
    // A schedule target's Input names the member account (docs/deploy.md).
    let event = member_event("schedule/sweep.json", &[]);
    let out = sweep.handle(&event).await.unwrap();
    let volumes: Vec<&str> = out
        .findings
        .iter()
        .filter(|f| f.rule == "ebs-unencrypted-volume")
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(volumes, [member_volume.as_str()], "{out:?}");
    assert!(out.findings.iter().all(|f| f.account == MEMBER));
    // Remediated in the member account (remediate mode tags the volume), not centrally.
    assert!(!volume_tags(&member_ec2, &member_volume).await.is_empty());
    assert!(
        volume_tags(&aws_sdk_ec2::Client::new(&org.central), &central_volume)
            .await
            .is_empty()
    );
    // The summary goes to the central topic and names the member account.
    let alerts = org.inbox.drain().await;
    assert!(
        alerts.iter().any(|a| a.attributes["account"] == MEMBER),
        "{alerts:?}"
    );
}
