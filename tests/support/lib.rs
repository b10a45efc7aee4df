//! Test support: a real `moto_server` per test, SDK clients pointed at it, the `events/` files,
//! and an SQS inbox subscribed to the alert topic so tests read alerts the way a user would.
//!
//! Every test gets its own emulator on its own free port: tests stay independent and can run
//! in parallel, at ~1 s start-up each.

pub mod proxy;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sns::config::Credentials;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The emulator's account.
pub const ACCOUNT: &str = "123456789012";
/// Placeholder ids used in `events/` files (see events/README.md).
pub const UNENCRYPTED_PLACEHOLDER: &str = "vol-0aaaaaaaaaaaaaaa1";
pub const ENCRYPTED_PLACEHOLDER: &str = "vol-0bbbbbbbbbbbbbbb2";

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn moto_binary() -> PathBuf {
    if let Ok(p) = std::env::var("MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    panic!("moto_server not found: run scripts/bootstrap (or set MOTO_SERVER)");
}

/// A running `moto_server`, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS managed policies (AdministratorAccess, ReadOnlyAccess, ...) as in a real account.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if moto.http("GET", "/moto-api/").is_some() {
                return moto;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not answer on port {port}");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A bare HTTP/1.0 request (no client crate needed); the response status line, if any.
    pub fn http(&self, method: &str, path: &str) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .ok()?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).ok()?;
        buf.lines()
            .next()
            .filter(|l| l.contains(" 200"))
            .map(str::to_string)
    }

    /// SDK configuration pointing at this emulator.
    pub async fn sdk(&self, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Load an `events/` file, replacing placeholder ids in its raw text (ids also sit inside
/// Config's `invokingEvent` string, so a text replace is the honest way).
pub fn event(relative: &str, replacements: &[(&str, &str)]) -> Value {
    let path = repo_root().join("events").join(relative);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An alert as received through the SQS subscription.
#[derive(Debug, Clone)]
pub struct ReceivedAlert {
    pub subject: String,
    pub message: String,
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// The alert plumbing of a test account: topic, subscribed queue, ledger table.
pub struct AlertInbox {
    pub topic_arn: String,
    pub queue_url: String,
    pub ledger_table: String,
    sqs: aws_sdk_sqs::Client,
}

impl AlertInbox {
    pub async fn create(sdk: &SdkConfig) -> AlertInbox {
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        let topic_arn = sns
            .create_topic()
            .name("guardrail-alerts")
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        let queue_url = sqs
            .create_queue()
            .queue_name("guardrail-alerts-inbox")
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        let queue_arn =
            attrs.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .unwrap();
        use aws_sdk_dynamodb::types::*;
        ddb.create_table()
            .table_name("guardrail-ledger")
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        AlertInbox {
            topic_arn,
            queue_url,
            ledger_table: "guardrail-ledger".to_string(),
            sqs,
        }
    }

    /// A function's wiring pointed at this inbox's topic and ledger, with settings from `pairs`
    /// (`GUARDRAIL_*` variables as a deployment would set them).
    pub fn wiring(&self, sdk: &SdkConfig, pairs: &[(&str, &str)]) -> guardrail_aws::Wiring {
        self.wiring_with(sdk, pairs, true)
    }

    /// As [`AlertInbox::wiring`], optionally without the incident ledger.
    pub fn wiring_with(
        &self,
        sdk: &SdkConfig,
        pairs: &[(&str, &str)],
        ledger: bool,
    ) -> guardrail_aws::Wiring {
        let settings = guardrail_rules::Settings::from_lookup(env(pairs)).expect("settings");
        let plumbing = guardrail_aws::Plumbing {
            topic_arn: Some(self.topic_arn.clone()),
            ledger_table: ledger.then(|| self.ledger_table.clone()),
            config_test_mode: true,
            member_external_id: env(pairs)("GUARDRAIL_MEMBER_EXTERNAL_ID"),
        };
        guardrail_aws::Wiring::new(sdk.clone(), settings, plumbing)
    }

    /// Drain the queue: every alert published since the last call.
    pub async fn drain(&self) -> Vec<ReceivedAlert> {
        let mut out = Vec::new();
        loop {
            let resp = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            let msgs = resp.messages();
            if msgs.is_empty() {
                return out;
            }
            for m in msgs {
                let envelope: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                let attributes = envelope["MessageAttributes"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    v["Value"].as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(ReceivedAlert {
                    subject: envelope["Subject"].as_str().unwrap_or_default().to_string(),
                    message: envelope["Message"].as_str().unwrap_or_default().to_string(),
                    attributes,
                });
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

/// AWS's AdministratorAccess managed policy (moto loads it with MOTO_IAM_LOAD_MANAGED_POLICIES).
pub const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
/// A policy document allowing everything.
pub const ADMIN_DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// A least-privilege policy document (read one bucket's objects).
pub const SCOPED_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}"#;

/// Create a customer managed policy; its ARN.
pub async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, doc: &str) -> String {
    iam.create_policy()
        .policy_name(name)
        .policy_document(doc)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap()
}

/// Create the guardrail's MFA-enforcement policy from the seed MFAForcePolicy; its ARN.
pub async fn create_mfa_enforcement_policy(iam: &aws_sdk_iam::Client) -> String {
    let seed =
        std::fs::read_to_string(repo_root().join("tests/data/seed-policies/mfa-force-policy.json"))
            .unwrap();
    create_policy(iam, "GuardrailMfaEnforcement", &seed).await
}

/// Create an access key for a user; its id.
pub async fn create_access_key(iam: &aws_sdk_iam::Client, user: &str) -> String {
    iam.create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap()
        .access_key_id
}

/// Create an 8 GiB volume in an availability zone; its id.
pub async fn create_volume(ec2: &aws_sdk_ec2::Client, az: &str, encrypted: bool) -> String {
    ec2.create_volume()
        .availability_zone(az)
        .size(8)
        .encrypted(encrypted)
        .send()
        .await
        .unwrap()
        .volume_id
        .unwrap()
}

/// An AWS Config recorder named `default` with a delivery channel to `bucket` (which moto
/// does not check), not yet started: the one AWS Config setup the tests need.
pub async fn create_config_recorder(config: &aws_sdk_config::Client, bucket: &str) {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel};
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config-recorder"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    config
        .put_delivery_channel()
        .delivery_channel(
            DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name(bucket)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// A snapshot of `volume` with `tags`, shared with `groups` (`all`: public) and `accounts`:
/// its id. Shared in the flat form (UserGroup.N, UserId.N), the one moto reads and AWS
/// accepts.
pub async fn shared_snapshot(
    ec2: &aws_sdk_ec2::Client,
    volume: &str,
    tags: &[(&str, &str)],
    groups: &[&str],
    accounts: &[&str],
) -> String {
    use aws_sdk_ec2::types::{
        OperationType, ResourceType, SnapshotAttributeName, Tag, TagSpecification,
    };
    let mut create = ec2.create_snapshot().volume_id(volume);
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::Snapshot);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        create = create.tag_specifications(spec.build());
    }
    let snap = create
        .send()
        .await
        .unwrap()
        .snapshot_id()
        .unwrap()
        .to_string();
    let mut share = ec2
        .modify_snapshot_attribute()
        .snapshot_id(&snap)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add);
    for g in groups {
        share = share.group_names(*g);
    }
    for a in accounts {
        share = share.user_ids(*a);
    }
    share.send().await.unwrap();
    snap
}

/// One of moto's default AMIs (present in every region).
pub const AMI: &str = "ami-12c6146b";

/// Launch `count` instances; their ids.
pub async fn launch(ec2: &aws_sdk_ec2::Client, count: i32) -> Vec<String> {
    let out = ec2
        .run_instances()
        .image_id(AMI)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(count)
        .max_count(count)
        .send()
        .await
        .unwrap();
    out.instances()
        .iter()
        .map(|i| i.instance_id().unwrap().to_string())
        .collect()
}

/// The instances' states, in the order of `ids`.
pub async fn states(ec2: &aws_sdk_ec2::Client, ids: &[String]) -> Vec<String> {
    let out = ec2
        .describe_instances()
        .set_instance_ids(Some(ids.to_vec()))
        .send()
        .await
        .unwrap();
    let mut by_id: Vec<(String, String)> = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| {
            (
                i.instance_id().unwrap().to_string(),
                i.state().unwrap().name().unwrap().as_str().to_string(),
            )
        })
        .collect();
    by_id.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    by_id.into_iter().map(|(_, state)| state).collect()
}

/// Whether EBS encryption by default is on in the client's account and region.
pub async fn encryption_by_default(ec2: &aws_sdk_ec2::Client) -> bool {
    ec2.get_ebs_encryption_by_default()
        .send()
        .await
        .unwrap()
        .ebs_encryption_by_default
        .unwrap()
}

/// A volume's tags, as the account holds them now.
pub async fn volume_tags(
    ec2: &aws_sdk_ec2::Client,
    volume: &str,
) -> std::collections::BTreeMap<String, String> {
    let out = ec2
        .describe_volumes()
        .volume_ids(volume)
        .send()
        .await
        .unwrap();
    out.volumes()[0]
        .tags()
        .iter()
        .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
        .collect()
}

/// The event was skipped for `reason` (a part of the skip's text), with no finding.
pub fn assert_skipped(out: &guardrail_rules::Outcome, reason: &str, what: &str) {
    assert!(out.findings.is_empty(), "{what}: {out:?}");
    assert!(
        out.skipped.as_deref().unwrap_or_default().contains(reason),
        "{what}: expected skip {reason:?}: {out:?}"
    );
}

/// Settings lookup from literal pairs.
pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: std::collections::BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}
