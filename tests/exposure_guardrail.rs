//! The exposure guardrail end to end against the moto emulator: a real security group and its
//! rules, the `events/exposure/` files with the group's and rule's real ids, real SNS → SQS
//! alert delivery and the DynamoDB incident ledger.
//!
//! moto 5.2.5 serves what the rule uses: DescribeSecurityGroups, DescribeSecurityGroupRules
//! (filter `group-id`), RevokeSecurityGroupIngress with SecurityGroupRuleIds, and
//! ModifySecurityGroupRules (IPv4 CIDRs only: it does not apply a changed CidrIpv6).

use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
use exposure_guard::ExposureGuardrail;
use guardrail_tests::*;

const REGION: &str = "ap-northeast-2";
const OWN_ROLE: &str = "arn:aws:iam::123456789012:role/guardrail-exposure-guard";
/// The placeholders of the `events/exposure/` files.
const SG: &str = "sg-0a1b2c3d4e5f60718";
const SGR: &str = "sgr-0aaaaaaaaaaaaaaa1";
const RULE: &str = "vpc-security-group-admin-port-open";

struct Account {
    _moto: Moto,
    sdk: aws_config::SdkConfig,
    ec2: aws_sdk_ec2::Client,
    inbox: AlertInbox,
    group: String,
}

/// One ingress permission from a CIDR.
fn permission(protocol: &str, from: i32, to: i32, cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol(protocol)
        .from_port(from)
        .to_port(to)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

impl Account {
    async fn seed() -> Account {
        let moto = Moto::start();
        let sdk = moto.sdk(REGION).await;
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let inbox = AlertInbox::create(&sdk).await;
        let group = ec2
            .create_security_group()
            .group_name("web")
            .description("web servers")
            .send()
            .await
            .unwrap()
            .group_id()
            .unwrap()
            .to_string();
        Account {
            _moto: moto,
            sdk,
            ec2,
            inbox,
            group,
        }
    }

    /// Authorize one ingress permission; the id of the rule it added.
    async fn authorize(&self, p: IpPermission) -> String {
        let out = self
            .ec2
            .authorize_security_group_ingress()
            .group_id(&self.group)
            .ip_permissions(p)
            .send()
            .await
            .unwrap();
        let ids: Vec<&str> = out
            .security_group_rules()
            .iter()
            .filter_map(|r| r.security_group_rule_id())
            .collect();
        assert_eq!(ids.len(), 1, "{out:?}");
        ids[0].to_string()
    }

    /// The group's ingress rules now: (id, protocol, from, to, cidr), sorted.
    async fn ingress(&self) -> Vec<(String, String, i32, i32, String)> {
        let out = self
            .ec2
            .describe_security_group_rules()
            .filters(
                Filter::builder()
                    .name("group-id")
                    .values(&self.group)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let mut v: Vec<_> = out
            .security_group_rules()
            .iter()
            .filter(|r| r.is_egress() != Some(true))
            .map(|r| {
                (
                    r.security_group_rule_id().unwrap_or_default().to_string(),
                    r.ip_protocol().unwrap_or_default().to_string(),
                    r.from_port().unwrap_or(-1),
                    r.to_port().unwrap_or(-1),
                    r.cidr_ipv4().unwrap_or_default().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    }

    /// An S3 client (path style: moto serves buckets by path).
    fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                .force_path_style(true)
                .build(),
        )
    }

    /// Create `bucket` in the test's region.
    async fn bucket(&self, bucket: &str) {
        use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
        self.s3()
            .create_bucket()
            .bucket(bucket)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Tag `bucket` with `key` (its value: "static website").
    async fn tag_bucket(&self, bucket: &str, key: &str) {
        use aws_sdk_s3::types::{Tag, Tagging};
        let tag = Tag::builder()
            .key(key)
            .value("static website")
            .build()
            .unwrap();
        self.s3()
            .put_bucket_tagging()
            .bucket(bucket)
            .tagging(Tagging::builder().tag_set(tag).build().unwrap())
            .send()
            .await
            .unwrap();
    }

    fn guardrail(&self, pairs: &[(&str, &str)]) -> ExposureGuardrail {
        let mut all = vec![("GUARDRAIL_OWN_ROLE_ARN", OWN_ROLE)];
        all.extend_from_slice(pairs);
        ExposureGuardrail::new(self.inbox.wiring(&self.sdk, &all))
    }

    fn remediating(&self) -> ExposureGuardrail {
        self.guardrail(&[
            ("GUARDRAIL_DRY_RUN", "false"),
            (
                "GUARDRAIL_RULE_MODES",
                "vpc-security-group-admin-port-open=remediate",
            ),
        ])
    }

    fn event(&self, file: &str, rule_id: &str) -> serde_json::Value {
        // Each file's rule placeholder (a1, b2, c3) stands for the rule the test names.
        event(
            file,
            &[
                (SG, &self.group),
                (SGR, rule_id),
                ("sgr-0bbbbbbbbbbbbbbb2", rule_id),
                ("sgr-0ccccccccccccccc3", rule_id),
            ],
        )
    }
}

/// SSH opened to the world beside a harmless rule: in remediate mode exactly that rule is
/// revoked, by its id, and the alert (read back through SQS) names it and how to undo it; the
/// same event again changes nothing and alerts nothing.
#[tokio::test]
async fn ssh_open_to_the_world_is_revoked_rule_by_rule_and_only_once() {
    let acct = Account::seed().await;
    let ssh = acct.authorize(permission("tcp", 22, 22, "0.0.0.0/0")).await;
    let https = acct
        .authorize(permission("tcp", 443, 443, "0.0.0.0/0"))
        .await;
    let private_ssh = acct
        .authorize(permission("tcp", 22, 22, "10.0.0.0/8"))
        .await;
    assert_eq!(acct.ingress().await.len(), 3);

    let guardrail = acct.remediating();
    let e = acct.event("exposure/authorize-ingress-ssh-world.json", &ssh);
    let out = guardrail.handle(&e).await.unwrap();
    let rules: Vec<(&str, String, &str)> = out
        .findings
        .iter()
        .map(|f| (f.rule, f.severity.to_string(), f.resource.id.as_str()))
        .collect();
    assert_eq!(rules, [(RULE, "high".to_string(), ssh.as_str())], "{out:?}");
    let left: Vec<String> = acct.ingress().await.into_iter().map(|r| r.0).collect();
    let mut want = vec![https.clone(), private_ssh.clone()];
    want.sort();
    assert_eq!(left, want, "only the world-open SSH rule is gone");

    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let text = &alerts[0].message;
    assert!(text.contains(&ssh), "{text}");
    assert!(
        text.contains(&format!(
            "aws ec2 authorize-security-group-ingress --region {REGION} --group-id {} \
             --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{{CidrIp=0.0.0.0/0}}]'",
            acct.group
        )),
        "{text}"
    );

    // Redelivered: the rule is gone, which is a note; nothing is revoked or alerted.
    let out = guardrail.handle(&e).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains(&ssh) && n.contains("already revoked")),
        "{out:?}"
    );
    assert_eq!(acct.ingress().await.len(), 2);
    assert!(acct.inbox.drain().await.is_empty());
}

/// Alert only by default (and dry-run in remediate mode): the rule stays, the alert says what
/// remediation would do.
#[tokio::test]
async fn by_default_it_alerts_and_changes_nothing() {
    let acct = Account::seed().await;
    let all = acct
        .authorize(permission("tcp", 0, 65535, "0.0.0.0/0"))
        .await;
    let e = acct.event("exposure/authorize-ingress-ssh-world.json", &all);
    for pairs in [
        vec![],
        vec![(
            "GUARDRAIL_RULE_MODES",
            "vpc-security-group-admin-port-open=remediate",
        )],
    ] {
        // Without the ledger, so the second mode is not deduplicated as the same incident.
        let mut all = vec![("GUARDRAIL_OWN_ROLE_ARN", OWN_ROLE)];
        all.extend(pairs);
        let guardrail = ExposureGuardrail::new(acct.inbox.wiring_with(&acct.sdk, &all, false));
        let out = guardrail.handle(&e).await.unwrap();
        assert_eq!(out.findings.len(), 1, "{out:?}");
        assert_eq!(acct.ingress().await.len(), 1, "nothing revoked");
    }
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert!(alerts.iter().all(|a| a.message.contains(&all)));
}

/// ModifySecurityGroupRules widening a harmless rule to SSH from everywhere: that rule is
/// revoked; a group's other rules and its egress stay.
#[tokio::test]
async fn a_rule_modified_to_ssh_from_everywhere_is_revoked() {
    let acct = Account::seed().await;
    let rule = acct
        .authorize(permission("tcp", 443, 443, "0.0.0.0/0"))
        .await;
    let keep = acct.authorize(permission("tcp", 80, 80, "0.0.0.0/0")).await;
    acct.ec2
        .modify_security_group_rules()
        .group_id(&acct.group)
        .security_group_rules(
            aws_sdk_ec2::types::SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&rule)
                .security_group_rule(
                    aws_sdk_ec2::types::SecurityGroupRuleRequest::builder()
                        .ip_protocol("tcp")
                        .from_port(22)
                        .to_port(22)
                        .cidr_ipv4("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let e = acct.event("exposure/modify-security-group-rules-ssh-world.json", &rule);
    let out = acct.remediating().handle(&e).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let left: Vec<String> = acct.ingress().await.into_iter().map(|r| r.0).collect();
    assert_eq!(left, [keep]);
    assert_eq!(acct.inbox.drain().await.len(), 1);
}

/// A failed call, a harmless port and an exempt group: nothing is read, revoked or alerted.
#[tokio::test]
async fn failed_calls_other_ports_and_exempt_groups_are_left_alone() {
    let acct = Account::seed().await;
    let ssh = acct.authorize(permission("tcp", 22, 22, "0.0.0.0/0")).await;
    let guardrail = acct.remediating();
    let out = guardrail
        .handle(&acct.event("exposure/authorize-ingress-failed.json", &ssh))
        .await
        .unwrap();
    assert!(out.findings.is_empty() && out.skipped.is_some(), "{out:?}");
    let https = acct
        .authorize(permission("tcp", 443, 443, "0.0.0.0/0"))
        .await;
    let out = guardrail
        .handle(&acct.event("exposure/authorize-ingress-https-world.json", &https))
        .await
        .unwrap();
    assert!(
        out.findings.is_empty() && out.skipped_resources.is_empty(),
        "judged, and not open: {out:?}"
    );
    acct.ec2
        .create_tags()
        .resources(&acct.group)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("guardrail:exempt")
                .value("bastion")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = guardrail
        .handle(&acct.event("exposure/authorize-ingress-ssh-world.json", &ssh))
        .await
        .unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(out.skipped_resources.iter().any(|n| n.contains("exempt")));
    assert_eq!(acct.ingress().await.len(), 2);
    assert!(acct.inbox.drain().await.is_empty());
}

/// The sweep: every group of every swept region, the same judgement; in remediate mode the
/// world-open SSH rule is revoked by its id, the HTTPS rule stays, and a second sweep finds
/// nothing to do.
#[tokio::test]
async fn the_sweep_revokes_world_open_admin_rules_in_every_group() {
    use guardrail_rules::trigger::{decode, Trigger};
    let acct = Account::seed().await;
    let ssh = acct.authorize(permission("tcp", 22, 22, "0.0.0.0/0")).await;
    let https = acct
        .authorize(permission("tcp", 443, 443, "0.0.0.0/0"))
        .await;
    let Ok(Trigger::Schedule(schedule)) = decode(&event("schedule/sweep.json", &[])) else {
        panic!("a schedule")
    };
    let sweep = account_sweep::AccountSweep::new(acct.inbox.wiring(
        &acct.sdk,
        &[
            ("GUARDRAIL_SWEEP_REGIONS", REGION),
            ("GUARDRAIL_DRY_RUN", "false"),
            (
                "GUARDRAIL_RULE_MODES",
                "vpc-security-group-admin-port-open=remediate",
            ),
        ],
    ));
    let (_, report) = sweep.sweep(&schedule).await.unwrap();
    let found: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == RULE)
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(found, [ssh.as_str()], "{:#?}", report.findings);
    let left: Vec<String> = acct.ingress().await.into_iter().map(|r| r.0).collect();
    assert_eq!(left, [https]);
    let (_, report) = sweep.sweep(&schedule).await.unwrap();
    assert!(!report.findings.iter().any(|f| f.rule == RULE));
}

/// resource-policy-public on events: the policy a call submitted is judged by the engine (no
/// read: moto need not hold the bucket or queue), one critical alert reaches SNS → SQS with
/// the undo, the same event again alerts nothing, and a policy limited to the organisation or
/// the own account alerts nothing.
#[tokio::test]
async fn a_public_resource_policy_is_alerted_once_with_the_undo() {
    let acct = Account::seed().await;
    let guardrail = acct.guardrail(&[]);
    let e = event("exposure/put-bucket-policy-public.json", &[]);
    let out = guardrail.handle(&e).await.unwrap();
    let rules: Vec<(&str, String, &str)> = out
        .findings
        .iter()
        .map(|f| (f.rule, f.severity.to_string(), f.resource.id.as_str()))
        .collect();
    assert_eq!(
        rules,
        [(
            "resource-policy-public",
            "critical".to_string(),
            "acme-reports-archive"
        )],
        "{out:?}"
    );
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0]
            .message
            .contains("aws s3api delete-bucket-policy --bucket acme-reports-archive"),
        "{}",
        alerts[0].message
    );
    guardrail.handle(&e).await.unwrap();
    assert!(
        acct.inbox.drain().await.is_empty(),
        "redelivery alerts again"
    );

    for file in [
        "exposure/put-bucket-policy-org-only.json",
        "exposure/put-key-policy-own-account.json",
    ] {
        let out = guardrail.handle(&event(file, &[])).await.unwrap();
        assert!(out.findings.is_empty(), "{file}: {out:?}");
    }
    for file in [
        "exposure/add-permission-public.json",
        "exposure/set-queue-attributes-public.json",
        "exposure/put-bucket-acl-public-read.json",
        // s3-public-access-block-off, judged from the call the same way.
        "exposure/public-access-block-account-deleted.json",
    ] {
        let out = guardrail.handle(&event(file, &[])).await.unwrap();
        assert_eq!(out.findings.len(), 1, "{file}: {out:?}");
    }
    assert_eq!(acct.inbox.drain().await.len(), 4);
}

/// resource-policy-public and the exempt tag, against moto's Resource Groups Tagging API: a
/// public policy set on a bucket and on a queue that carry the exempt tag is left alone with
/// the reason, and nothing is alerted; the same policy on a bucket tagged otherwise is alerted.
/// moto's Tagging API serves S3, SQS, SNS, KMS, Lambda and Secrets Manager, not ECR.
#[tokio::test]
async fn a_public_policy_on_a_resource_with_the_exempt_tag_is_left_alone() {
    let acct = Account::seed().await;
    for (bucket, key) in [
        ("acme-reports-archive", "guardrail:exempt"),
        ("acme-press-kit", "team"),
    ] {
        acct.bucket(bucket).await;
        acct.tag_bucket(bucket, key).await;
    }
    aws_sdk_sqs::Client::new(&acct.sdk)
        .create_queue()
        .queue_name("order-events")
        .tags("guardrail:exempt", "partner webhook")
        .send()
        .await
        .unwrap();
    let guardrail = acct.guardrail(&[]);
    for file in [
        "exposure/put-bucket-policy-public.json",
        "exposure/set-queue-attributes-public.json",
    ] {
        let out = guardrail.handle(&event(file, &[])).await.unwrap();
        assert!(out.findings.is_empty(), "{file}: {out:?}");
        let why = out.skipped.unwrap_or_default();
        assert!(
            why.contains("carries the exempt tag guardrail:exempt"),
            "{file}: {why}"
        );
    }
    assert!(acct.inbox.drain().await.is_empty());
    let other = event(
        "exposure/put-bucket-policy-public.json",
        &[
            ("acme-reports-archive", "acme-press-kit"),
            ("00000000f001", "00000000f0a1"),
        ],
    );
    let out = guardrail.handle(&other).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(acct.inbox.drain().await.len(), 1);
}

/// A tag read that fails (here the Tagging API unreachable, as a member role gone or
/// tag:GetResources denied would make it) never costs the critical alert: the finding is
/// alerted once, and the answer says the exempt tag was not checked and why.
#[tokio::test]
async fn a_failed_tag_read_still_alerts_the_public_policy() {
    let acct = Account::seed().await;
    let mut wiring = acct
        .inbox
        .wiring(&acct.sdk, &[("GUARDRAIL_OWN_ROLE_ARN", OWN_ROLE)]);
    // Nothing listens on port 9: the Tagging API's connection is refused.
    let unreachable = acct
        .sdk
        .to_builder()
        .endpoint_url("http://127.0.0.1:9")
        .build();
    wiring.executor.tags = guardrail_aws::tagging::Tagging::new(&unreachable);
    let guardrail = ExposureGuardrail::new(wiring);
    let out = guardrail
        .handle(&event("exposure/set-queue-attributes-public.json", &[]))
        .await
        .unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(
        out.skipped_resources
            .iter()
            .any(|n| n.contains("exempt tag of order-events was not checked: reading the facts failed: tag:GetResources failed (Transient)")),
        "{out:?}"
    );
    assert_eq!(acct.inbox.drain().await.len(), 1);
}

/// ec2-image-shared against moto: an image made public and shared with a foreign account
/// beside an allowed one; in remediate mode exactly the public and the foreign permissions go
/// (DescribeImageAttribute read back), the allowed account keeps its share, the alert says
/// how to undo it, and the same event again changes and alerts nothing.
#[tokio::test]
async fn a_public_image_is_unshared_except_for_the_allowed_accounts_and_only_once() {
    use aws_sdk_ec2::types::{LaunchPermission, LaunchPermissionModifications, PermissionGroup};
    let acct = Account::seed().await;
    let image = acct
        .ec2
        .register_image()
        .name("golden-web")
        .root_device_name("/dev/xvda")
        .send()
        .await
        .unwrap()
        .image_id()
        .unwrap()
        .to_string();
    let add = LaunchPermissionModifications::builder()
        .add(
            LaunchPermission::builder()
                .group(PermissionGroup::All)
                .build(),
        )
        .add(LaunchPermission::builder().user_id("210987654321").build())
        .add(LaunchPermission::builder().user_id("111122223333").build())
        .build();
    acct.ec2
        .modify_image_attribute()
        .image_id(&image)
        .launch_permission(add)
        .send()
        .await
        .unwrap();
    let shared = || async {
        let out = acct
            .ec2
            .describe_image_attribute()
            .image_id(&image)
            .attribute(aws_sdk_ec2::types::ImageAttributeName::LaunchPermission)
            .send()
            .await
            .unwrap();
        let mut v: Vec<String> = out
            .launch_permissions()
            .iter()
            .map(|p| {
                p.user_id()
                    .map(str::to_string)
                    .or_else(|| p.group().map(|g| g.as_str().to_string()))
                    .unwrap_or_default()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(shared().await, ["111122223333", "210987654321", "all"]);

    let guardrail = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_RULE_MODES", "ec2-image-shared=remediate"),
        ("GUARDRAIL_SHARE_ACCOUNTS", "111122223333"),
    ]);
    let e = event(
        "exposure/modify-image-attribute-public.json",
        &[("ami-0a1b2c3d4e5f60718", &image)],
    );
    let out = guardrail.handle(&e).await.unwrap();
    let rules: Vec<(&str, String)> = out
        .findings
        .iter()
        .map(|f| (f.rule, f.severity.to_string()))
        .collect();
    assert_eq!(
        rules,
        [("ec2-image-shared", "critical".to_string())],
        "{out:?}"
    );
    assert_eq!(
        shared().await,
        ["111122223333"],
        "the allowed account keeps its share"
    );
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].message.contains("210987654321")
            && alerts[0].message.contains("aws ec2 modify-image-attribute"),
        "{}",
        alerts[0].message
    );

    // Redelivered: nothing public or foreign is left, so nothing is changed or alerted.
    let out = guardrail.handle(&e).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert_eq!(shared().await, ["111122223333"]);
    assert!(acct.inbox.drain().await.is_empty());
}

/// s3-public-access-block-off against moto (S3 and S3 Control): a bucket's Block Public Access
/// weakened is turned back on in remediate mode after a re-read, the alert gives the undo (the
/// setting as it was), the same event again changes nothing; a bucket with the exempt tag is
/// left alone; the account's setting deleted is put back through S3 Control.
#[tokio::test]
async fn weakened_block_public_access_is_turned_back_on_once() {
    use aws_sdk_s3::types::PublicAccessBlockConfiguration;
    use guardrail_aws::ports::Scope;
    use guardrail_aws::s3::PublicAccessBlocks;
    let acct = Account::seed().await;
    let s3 = acct.s3();
    for bucket in ["acme-reports-archive", "acme-public-site"] {
        acct.bucket(bucket).await;
        let weakened = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(false)
            .restrict_public_buckets(false)
            .build();
        s3.put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(weakened)
            .send()
            .await
            .unwrap();
    }
    acct.tag_bucket("acme-public-site", "guardrail:exempt")
        .await;
    let blocks = PublicAccessBlocks::new(&acct.sdk);
    let scope = Scope {
        account: ACCOUNT.to_string(),
        region: REGION.to_string(),
    };
    let bucket_flags = |name: &'static str| {
        let (blocks, scope) = (blocks.clone(), scope.clone());
        async move { blocks.bucket(&scope, name).await.unwrap().unwrap().on }
    };
    assert_eq!(
        bucket_flags("acme-reports-archive").await,
        [true, true, false, false]
    );

    let g = acct.guardrail(&[
        ("GUARDRAIL_DRY_RUN", "false"),
        (
            "GUARDRAIL_RULE_MODES",
            "s3-public-access-block-off=remediate",
        ),
    ]);
    let e = event("exposure/public-access-block-bucket-weakened.json", &[]);
    let out = g.handle(&e).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(
        bucket_flags("acme-reports-archive").await,
        [true; 4],
        "{out:?}"
    );
    let alerts = acct.inbox.drain().await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].message.contains(
            "undo: aws s3api put-public-access-block --bucket acme-reports-archive \
             --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,\
             BlockPublicPolicy=false,RestrictPublicBuckets=false"
        ),
        "{}",
        alerts[0].message
    );
    g.handle(&e).await.unwrap();
    assert!(acct.inbox.drain().await.is_empty(), "redelivery");

    // The exempt bucket: the same call on it is left alone.
    let exempt = event(
        "exposure/public-access-block-bucket-weakened.json",
        &[
            ("acme-reports-archive", "acme-public-site"),
            (
                "9a1d7c3e-52b8-4e6f-a0c4-00000000f101",
                "9a1d7c3e-52b8-4e6f-a0c4-00000000f1e1",
            ),
        ],
    );
    let out = g.handle(&exempt).await.unwrap();
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(out.skipped.unwrap_or_default().contains("exempt tag"));
    assert_eq!(
        bucket_flags("acme-public-site").await,
        [true, true, false, false]
    );

    // The account's setting, deleted (none was set: the undo deletes it again).
    assert_eq!(blocks.account(&scope).await.unwrap(), [false; 4]);
    let out = g
        .handle(&event(
            "exposure/public-access-block-account-deleted.json",
            &[],
        ))
        .await
        .unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(blocks.account(&scope).await.unwrap(), [true; 4], "{out:?}");
    let alerts = acct.inbox.drain().await;
    assert!(
        alerts[0]
            .message
            .contains("undo: aws s3control delete-public-access-block --account-id 123456789012"),
        "{}",
        alerts[0].message
    );
}

/// ec2-block-public-access-off in remediate mode against moto, which serves neither
/// Get*BlockPublicAccessState nor Enable*BlockPublicAccess (it answers HTTP 500): the re-read
/// fails, so the invocation fails with a retryable AWS error and nothing is alerted or done
/// blind; in alert mode nothing is read and the alert goes out. The plan itself is tested in
/// shared/rules/tests/ec2_image_shared.rs.
#[tokio::test]
async fn block_public_access_restore_without_its_re_read_is_a_retryable_error() {
    let acct = Account::seed().await;
    let e = event("exposure/disable-image-block-public-access.json", &[]);
    let out = acct.guardrail(&[]).handle(&e).await.unwrap();
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(out.findings[0].actions.is_empty());
    assert_eq!(acct.inbox.drain().await.len(), 1);
    let err = acct
        .guardrail(&[
            ("GUARDRAIL_DRY_RUN", "false"),
            (
                "GUARDRAIL_RULE_MODES",
                "ec2-block-public-access-off=remediate",
            ),
        ])
        .handle(&event(
            "exposure/disable-snapshot-block-public-access.json",
            &[],
        ))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("GetSnapshotBlockPublicAccessState"),
        "{err}"
    );
    let guardrail_aws::pipeline::InvocationError::Facts(aws) = &err else {
        panic!("{err:?}")
    };
    assert!(aws.retryable(), "{aws:?}");
    assert!(acct.inbox.drain().await.is_empty());
}
