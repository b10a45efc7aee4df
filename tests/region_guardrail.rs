//! The region guardrail end to end against the moto emulator, in two regions: the allowed
//! `ap-northeast-2` (where the alert topic and the ledger live) and the disallowed `sa-east-1`
//! (where instances and volumes are launched for real). The `events/region` files get the real
//! ids substituted; tests assert instance and volume state afterwards and the alerts received
//! through SNS → SQS.

use guardrail_rules::finding::ActionStatus;
use guardrail_tests::*;
use region_guard::RegionGuardrail;
use serde_json::Value;

const HOME: &str = "ap-northeast-2";
const FOREIGN: &str = "sa-east-1";
const OWN_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-region-guard";
const BREAK_GLASS: &str = "arn:aws:iam::123456789012:role/break-glass-*";

const INSTANCE_5: &str = "i-0eeeeeeeeeeeeeee5";
const INSTANCE_6: &str = "i-0eeeeeeeeeeeeeee6";
const ALLOWED_INSTANCE: &str = "i-0fffffffffffffff7";
const VOLUME: &str = "vol-0ccccccccccccccc3";

struct Account {
    _moto: Moto,
    sdk: aws_config::SdkConfig,
    /// EC2 in the disallowed region.
    foreign: aws_sdk_ec2::Client,
    /// EC2 in the allowed region.
    home: aws_sdk_ec2::Client,
    inbox: AlertInbox,
}

impl Account {
    async fn seed() -> Account {
        let moto = Moto::start();
        let sdk = moto.sdk(HOME).await;
        let home = aws_sdk_ec2::Client::new(&sdk);
        let foreign = aws_sdk_ec2::Client::new(&moto.sdk(FOREIGN).await);
        let inbox = AlertInbox::create(&sdk).await;
        Account {
            _moto: moto,
            sdk,
            foreign,
            home,
            inbox,
        }
    }

    fn guardrail_with(&self, pairs: &[(&str, &str)], ledger: bool) -> RegionGuardrail {
        let mut all = vec![
            ("GUARDRAIL_OWN_ROLE_ARN", OWN_ROLE),
            ("GUARDRAIL_EXEMPT_PRINCIPALS", BREAK_GLASS),
            ("GUARDRAIL_ALLOWED_REGIONS", HOME),
        ];
        all.extend_from_slice(pairs);
        RegionGuardrail::new(self.inbox.wiring_with(&self.sdk, &all, ledger))
    }

    fn guardrail(&self, pairs: &[(&str, &str)]) -> RegionGuardrail {
        self.guardrail_with(pairs, true)
    }

    fn remediating(&self, extra: &[(&str, &str)]) -> RegionGuardrail {
        let mut pairs = vec![
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ];
        pairs.extend_from_slice(extra);
        self.guardrail(&pairs)
    }

    /// Launch `count` real instances in the disallowed region.
    async fn launch_foreign(&self, count: i32) -> Vec<String> {
        launch(&self.foreign, count).await
    }

    /// The RunInstances event of `events/region`, naming two real instances.
    async fn run_instances_event(&self) -> (Value, Vec<String>) {
        let ids = self.launch_foreign(2).await;
        let event = event(
            "region/run-instances-disallowed-region.json",
            &[(INSTANCE_5, &ids[0]), (INSTANCE_6, &ids[1])],
        );
        (event, ids)
    }

    async fn states(&self, ids: &[String]) -> Vec<String> {
        states(&self.foreign, ids).await
    }

    async fn volume_exists(&self, id: &str) -> bool {
        let out = self
            .foreign
            .describe_volumes()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("volume-id")
                    .values(id)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        !out.volumes().is_empty()
    }
}

#[tokio::test]
async fn launch_in_a_disallowed_region_is_stopped_and_alerted_once() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    let guardrail = acct.remediating(&[]);
    let outcome = guardrail.handle(&event).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    assert_eq!(acct.states(&ids).await, ["stopped", "stopped"]);

    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "exactly one alert for one launch");
    let alert = &alerts[0];
    assert_eq!(alert.attributes["rule"], "region-not-allowed");
    assert_eq!(alert.attributes["severity"], "high");
    assert_eq!(alert.attributes["region"], FOREIGN);
    assert!(alert.subject.contains(&ids[0]), "{}", alert.subject);
    assert!(alert.subject.contains(FOREIGN), "{}", alert.subject);
    let msg = &alert.message;
    assert!(
        msg.contains("Who:       arn:aws:iam::123456789012:user/alice"),
        "{msg}"
    );
    assert!(
        msg.contains("ec2:RunInstances was called in sa-east-1, which is not an allowed region"),
        "{msg}"
    );
    assert!(
        msg.contains("Where:     account 123456789012, region sa-east-1"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "done: stop instances {}, {} in sa-east-1",
            ids[0], ids[1]
        )),
        "{msg}"
    );

    // The same event again: the ledger knows the incident; nothing is stopped or alerted again.
    let second = guardrail.handle(&event).await.unwrap();
    assert!(second.findings.is_empty(), "{second:?}");
    assert_eq!(
        second.duplicates,
        [format!(
            "region-not-allowed|arn:aws:ec2:{FOREIGN}:{ACCOUNT}:instance/{}",
            ids[0]
        )]
    );
    assert!(acct.inbox.drain().await.is_empty(), "no second alert");
    assert_eq!(acct.states(&ids).await, ["stopped", "stopped"]);
}

#[tokio::test]
async fn state_is_reread_so_a_redelivery_without_ledger_does_not_stop_again() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    let pairs = [
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
    ];
    let guardrail = acct.guardrail_with(&pairs, false);
    let first = guardrail.handle(&event).await.unwrap();
    assert_eq!(first.findings[0].actions[0].status, ActionStatus::Done);
    let second = guardrail.handle(&event).await.unwrap();
    assert_eq!(
        second.findings[0].actions[0].status,
        ActionStatus::AlreadyDone,
        "{second:?}"
    );
    assert_eq!(acct.states(&ids).await, ["stopped", "stopped"]);
}

#[tokio::test]
async fn instances_are_terminated_when_configured() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    let outcome = acct
        .remediating(&[("GUARDRAIL_REGION_INSTANCE_ACTION", "terminate")])
        .handle(&event)
        .await
        .unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    assert_eq!(acct.states(&ids).await, ["terminated", "terminated"]);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains("done: terminate instances"),
        "{}",
        alerts[0].message
    );
}

#[tokio::test]
async fn instance_action_none_alerts_and_changes_nothing() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    let outcome = acct
        .remediating(&[("GUARDRAIL_REGION_INSTANCE_ACTION", "none")])
        .handle(&event)
        .await
        .unwrap();
    assert_eq!(outcome.findings.len(), 1);
    assert!(outcome.findings[0].actions.is_empty());
    assert_eq!(acct.states(&ids).await, ["running", "running"]);
    assert_eq!(acct.inbox.drain().await.len(), 1);
}

#[tokio::test]
async fn dry_run_plans_and_changes_nothing() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    // Dry-run is the default.
    let guardrail = acct.guardrail(&[("GUARDRAIL_DEFAULT_MODE", "remediate")]);
    let outcome = guardrail.handle(&event).await.unwrap();
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(acct.states(&ids).await, ["running", "running"]);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .message
            .contains("planned (dry-run, not done): stop instances"),
        "{}",
        alerts[0].message
    );
}

#[tokio::test]
async fn events_that_must_change_nothing() {
    let acct = Account::seed().await;
    let foreign = acct.launch_foreign(1).await;
    let allowed = launch(&acct.home, 1).await;
    let guardrail = acct.remediating(&[("GUARDRAIL_REGION_DELETE_VOLUMES", "true")]);
    let cases: [(&str, Value, &str); 4] = [
        (
            "allowed region",
            event(
                "region/run-instances-allowed-region.json",
                &[(ALLOWED_INSTANCE, &allowed[0])],
            ),
            "ap-northeast-2 is an allowed region",
        ),
        (
            "global service",
            event("region/create-user-global-us-east-1.json", &[]),
            "iam:CreateUser is exempt from region-not-allowed (matches iam:*)",
        ),
        (
            "exempt principal",
            event(
                "region/run-instances-exempt-principal.json",
                &[(INSTANCE_5, &foreign[0])],
            ),
            "principal exempt by arn:aws:iam::123456789012:role/break-glass-*",
        ),
        (
            "scheduled event",
            event("schedule/sweep.json", &[]),
            "schedule",
        ),
    ];
    for (case, event, reason) in cases {
        let outcome = guardrail.handle(&event).await.unwrap();
        assert!(outcome.findings.is_empty(), "{case}: {outcome:?}");
        assert!(
            outcome
                .skipped
                .as_deref()
                .unwrap_or_default()
                .contains(reason),
            "{case}: {outcome:?}"
        );
    }
    assert_eq!(acct.states(&foreign).await, ["running"]);
    assert_eq!(states(&acct.home, &allowed).await, ["running"]);
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn without_an_allow_list_the_rule_is_inactive_and_says_so() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    let guardrail = RegionGuardrail::new(acct.inbox.wiring(
        &acct.sdk,
        &[
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ],
    ));
    let outcome = guardrail.handle(&event).await.unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome
            .skipped
            .as_deref()
            .unwrap_or_default()
            .contains("inactive: GUARDRAIL_ALLOWED_REGIONS is not set"),
        "{outcome:?}"
    );
    assert_eq!(acct.states(&ids).await, ["running", "running"]);
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn instances_tagged_exempt_are_left_alone() {
    let acct = Account::seed().await;
    let (event, ids) = acct.run_instances_event().await;
    acct.foreign
        .create_tags()
        .resources(&ids[0])
        .resources(&ids[1])
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("guardrail:exempt")
                .value("latency test")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let outcome = acct.remediating(&[]).handle(&event).await.unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome
            .skipped
            .as_deref()
            .unwrap_or_default()
            .contains("exemption tag"),
        "{outcome:?}"
    );
    assert_eq!(acct.states(&ids).await, ["running", "running"]);
    assert!(acct.inbox.drain().await.is_empty());
}

async fn create_foreign_volume(acct: &Account) -> (Value, String) {
    let id = create_volume(&acct.foreign, "sa-east-1a", true).await;
    let event = event(
        "region/create-volume-disallowed-region.json",
        &[(VOLUME, &id)],
    );
    (event, id)
}

#[tokio::test]
async fn volume_is_deleted_when_enabled() {
    let acct = Account::seed().await;
    let (event, id) = create_foreign_volume(&acct).await;
    let guardrail = acct.remediating(&[("GUARDRAIL_REGION_DELETE_VOLUMES", "true")]);
    let outcome = guardrail.handle(&event).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    assert!(!acct.volume_exists(&id).await, "volume deleted");
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .message
            .contains(&format!("done: delete volume {id} in sa-east-1")),
        "{}",
        alerts[0].message
    );
    // Redelivered: one alert per incident, and nothing left to delete.
    let second = guardrail.handle(&event).await.unwrap();
    assert!(second.findings.is_empty(), "{second:?}");
    assert_eq!(second.duplicates.len(), 1);
    assert!(acct.inbox.drain().await.is_empty());
}

#[tokio::test]
async fn volume_is_kept_by_default_but_alerted() {
    let acct = Account::seed().await;
    let (event, id) = create_foreign_volume(&acct).await;
    let outcome = acct.remediating(&[]).handle(&event).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    assert!(outcome.findings[0].actions.is_empty());
    assert!(acct.volume_exists(&id).await);
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains(&id), "{}", alerts[0].subject);
}

// `network-source-ip-not-allowed`, on the `events/network` files: judged from the call alone
// (nothing is read from moto), alerted through SNS → SQS, one incident per person and address.

/// Seed 004's office NAT and VPN blocks, and an IPv6 office block.
const CIDRS: &str = "192.0.2.0/24,203.0.113.0/24,2001:db8:100::/48";

#[tokio::test]
async fn a_call_from_outside_the_allowed_networks_is_alerted_once_per_person_and_address() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_ALLOWED_CIDRS", CIDRS)]);
    let stolen_key = event("network/iam-user-outside-allowed-cidrs.json", &[]);
    let outcome = guardrail.handle(&stolen_key).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    // region-not-allowed leaves the allowed region alone; the call is not "skipped" for it.
    assert_eq!(outcome.skipped, None, "{outcome:?}");

    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.attributes["rule"], "network-source-ip-not-allowed");
    assert_eq!(alert.attributes["severity"], "high");
    assert_eq!(alert.attributes["region"], HOME);
    assert_eq!(
        alert.subject,
        "[HIGH] API call from outside the allowed networks: alice from 198.51.100.23 in \
         ap-northeast-2"
    );
    let msg = &alert.message;
    for words in [
        "IAM user alice called ec2:CreateKeyPair from 198.51.100.23, outside every allowed \
         network (192.0.2.0/24, 203.0.113.0/24, 2001:db8:100::/48)",
        "treat the credentials as stolen",
        "aws iam update-access-key --user-name alice --access-key-id KEY --status Inactive",
        "Who:       arn:aws:iam::123456789012:user/alice",
        "Resource:  arn:aws:iam::123456789012:user/alice",
        "Actions:\n  - none",
    ] {
        assert!(msg.contains(words), "{words}\n{msg}");
    }

    // Redelivered, or the same key from the same address again: one incident, no new alert.
    let second = guardrail.handle(&stolen_key).await.unwrap();
    assert!(second.findings.is_empty(), "{second:?}");
    assert_eq!(
        second.duplicates,
        ["network-source-ip-not-allowed|arn:aws:iam::123456789012:user/alice|alice from 198.51.100.23"]
    );
    assert!(acct.inbox.drain().await.is_empty(), "no second alert");

    // Another person, from an IPv6 address: an incident of its own.
    let sso = event("network/sso-session-outside-allowed-cidrs-ipv6.json", &[]);
    let outcome = guardrail.handle(&sso).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains(
            "IAM Identity Center user mina.kim (permission set PowerUserAccess) called \
             ssm:PutParameter from 2001:db8:4a2:7::17, without MFA, outside every allowed \
             network (192.0.2.0/24, 203.0.113.0/24, 2001:db8:100::/48). Session: \
             arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_4f2c9d1e7a6b3c85/mina.kim."
        ),
        "{}",
        alerts[0].message
    );
}

/// A read (the first thing stolen keys are tried with), delivered when the stack opts in
/// with NetworkReadCalls: judged like a write, alerted once; region-not-allowed leaves the
/// read alone (GUARDRAIL_REGION_INCLUDE_READ_ONLY is off).
#[tokio::test]
async fn a_read_call_from_outside_the_allowed_networks_is_alerted() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_ALLOWED_CIDRS", CIDRS)]);
    let read = event("network/iam-user-read-outside-allowed-cidrs.json", &[]);
    let outcome = guardrail.handle(&read).await.unwrap();
    assert_eq!(outcome.findings.len(), 1, "{outcome:?}");
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains(
            "IAM user alice called ec2:DescribeInstances from 198.51.100.77, outside every \
             allowed network"
        ),
        "{}",
        alerts[0].message
    );
    guardrail.handle(&read).await.unwrap();
    assert!(acct.inbox.drain().await.is_empty(), "no second alert");
}

#[tokio::test]
async fn calls_the_network_rule_leaves_alone_say_why() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[("GUARDRAIL_ALLOWED_CIDRS", CIDRS)]);
    let cases = [
        (
            "console-session-inside-allowed-cidrs.json",
            "192.0.2.61 is in the allowed network 192.0.2.0/24",
        ),
        (
            "service-call-via-cloudformation.json",
            "cloudformation.amazonaws.com made the call on the caller's behalf",
        ),
        (
            "vpc-endpoint-call.json",
            "the call came through VPC endpoint vpce-0a1b2c3d4e5f60721",
        ),
        (
            "sso-console-aws-internal.json",
            "the call's source \"AWS Internal\" is not an IP address",
        ),
        // The preventive deny refused it: nothing happened.
        ("iam-user-outside-denied.json", "failed call (AccessDenied)"),
    ];
    for (file, reason) in cases {
        let outcome = guardrail
            .handle(&event(&format!("network/{file}"), &[]))
            .await
            .unwrap();
        assert!(outcome.findings.is_empty(), "{file}: {outcome:?}");
        let skipped = outcome.skipped.as_deref().unwrap_or_default();
        assert!(skipped.contains(reason), "{file}: {outcome:?}");
    }
    let stolen_key = event("network/iam-user-outside-allowed-cidrs.json", &[]);
    let exempt = acct.guardrail(&[
        ("GUARDRAIL_ALLOWED_CIDRS", CIDRS),
        (
            "GUARDRAIL_EXEMPT_PRINCIPALS",
            "arn:aws:iam::123456789012:user/alice",
        ),
    ]);
    let outcome = exempt.handle(&stolen_key).await.unwrap();
    assert!(outcome.findings.is_empty(), "{outcome:?}");
    assert!(
        outcome
            .skipped
            .as_deref()
            .unwrap_or_default()
            .contains("principal exempt by arn:aws:iam::123456789012:user/alice"),
        "{outcome:?}"
    );
    // Without allowed networks the rule is inactive, and the answer says so.
    let outcome = acct.guardrail(&[]).handle(&stolen_key).await.unwrap();
    assert!(outcome.findings.is_empty(), "{outcome:?}");
    assert!(
        outcome
            .skipped
            .as_deref()
            .unwrap_or_default()
            .contains("inactive: GUARDRAIL_ALLOWED_CIDRS is not set"),
        "{outcome:?}"
    );
    assert!(acct.inbox.drain().await.is_empty());
}
