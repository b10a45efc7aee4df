//! Proof that events reach the functions: the EventBridge rules of `template.yaml` and
//! `templates/member.yaml`, put on moto's event buses (moto's pattern engine matches
//! `PutEvents` against them: `$or`, `anything-but`, nested `detail` fields), deliver to each
//! function exactly the union of what its rules declare (`RuleMeta::runs`), nothing missing
//! and nothing extra, and every file of `events/` reaches the function it is written for and
//! no other.
//!
//! Probes: every IAM and EC2 action of the catalogue (and S3's, a service no rule names) as a
//! CloudTrail event by a user and by root, in an allowed and a disallowed region, plus
//! sign-ins. What should receive each probe is computed from the declarations alone; what
//! does receive it is read back from one SQS queue per EventBridge rule. The test drives moto
//! with boto3 from the moto venv (one script below), so no EventBridge SDK crate is compiled.

use guardrail_rules::cfn::from_yaml;
use guardrail_rules::eventbridge;
use guardrail_rules::policy::catalog::{catalog, AccessLevel};
use guardrail_rules::rules::{Function, Subscription};
use guardrail_tests::{repo_root, Moto};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The deployment the test models: the stack in the home region and in each region events
/// come from, `AllowedRegions` as a Seoul team would set it.
const ALLOWED: [&str; 2] = ["us-east-1", "ap-northeast-2"];
const DISALLOWED: &str = "sa-east-1";
/// A member account's region, where only `templates/member.yaml` is deployed.
const MEMBER_REGION: &str = "us-west-2";
const API_CALL: &str = "AWS API Call via CloudTrail";
const SIGN_IN: &str = "AWS Console Sign In via CloudTrail";

/// Creates the rules (one SQS queue each), puts the events, and prints which rules each
/// event reached: `{probe id: [rule, ...]}`.
const DRIVER: &str = r#"
import boto3, json, sys, time
from concurrent.futures import ThreadPoolExecutor
started = time.time()
spec = json.load(open(sys.argv[1]))
def client(service, region):
    return boto3.client(service, endpoint_url=spec["endpoint"], region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")
queues = []
for rule in spec["rules"]:
    region = rule["region"]
    sqs, events = client("sqs", region), client("events", region)
    url = sqs.create_queue(QueueName=rule["queue"])["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule["queue"], EventPattern=json.dumps(rule["pattern"]), State="ENABLED")
    events.put_targets(Rule=rule["queue"], Targets=[{"Id": "queue", "Arn": arn}])
    queues.append((region, rule["queue"], url))
by_region = {}
for e in spec["events"]:
    by_region.setdefault(e["region"], []).append(e)
def put(region, batch):
    events = client("events", region)
    for i in range(0, len(batch), 10):
        entries = [{"Source": e["source"], "DetailType": e["detail_type"],
                    "Detail": json.dumps(e["detail"])} for e in batch[i:i + 10]]
        answer = events.put_events(Entries=entries)
        if answer["FailedEntryCount"]:
            return "PutEvents failed: " + json.dumps(answer["Entries"])
with ThreadPoolExecutor(4) as pool:
    for failure in pool.map(lambda rb: put(*rb), by_region.items()):
        if failure:
            sys.exit(failure)
print("put %d events in %.1f s" % (len(spec["events"]), time.time() - started), file=sys.stderr)
reached = {e["detail"]["guardrailProbe"]: [] for e in spec["events"]}
for region, name, url in queues:
    sqs = client("sqs", region)
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        for m in messages:
            reached[json.loads(m["Body"])["detail"]["guardrailProbe"]].append(name)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
print("read back in %.1f s" % (time.time() - started), file=sys.stderr)
json.dump(reached, sys.stdout)
"#;

fn python() -> Option<String> {
    let server = std::env::var("MOTO_SERVER").ok()?;
    let python = Path::new(&server).with_file_name("python");
    python.exists().then(|| python.display().to_string())
}

fn template(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(rel)).expect(rel);
    from_yaml(&text).expect(rel)
}

/// Who an EventBridge rule delivers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Receiver {
    Function(Function),
    /// A member account's forwarding to the central bus.
    CentralBus,
}

/// An EventBridge rule as deployed in one region.
struct BusRule {
    queue: String,
    region: String,
    pattern: Value,
    receiver: Receiver,
    /// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: read-only calls reach it. A plain
    /// `ENABLED` rule never sees them in AWS (moto does not model this; applied here).
    read_only_calls: bool,
}

/// Parameters (`!Ref AllowedRegions`) replaced by the modelled deployment's values.
fn resolve(v: &Value, params: &BTreeMap<&str, Value>) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            let name = m["Ref"].as_str().unwrap_or_default();
            params
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("pattern refers to {name}: add it to the model"))
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve(v, params)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| resolve(i, params)).collect()),
        other => other.clone(),
    }
}

/// The pattern rules of a template as deployed in `region`.
fn bus_rules(t: &Value, file: &str, region: &str) -> Vec<BusRule> {
    let params = BTreeMap::from([("AllowedRegions", json!(ALLOWED))]);
    let mut out = Vec::new();
    for (id, r) in t["Resources"].as_object().expect("Resources") {
        let Some(pattern) = r.pointer("/Properties/EventPattern") else {
            continue;
        };
        if r["Condition"] == "IsUsEast1" && region != "us-east-1" {
            continue;
        }
        for target in r["Properties"]["Targets"].as_array().expect("Targets") {
            let receiver = match target["Arn"]
                .pointer("/Fn::GetAtt/0")
                .and_then(Value::as_str)
            {
                Some(logical) => Receiver::Function(
                    Function::by_logical_id(logical)
                        .unwrap_or_else(|| panic!("{file} {id}: target {logical}")),
                ),
                None if target["Arn"]["Ref"] == "CentralEventBusArn" => Receiver::CentralBus,
                None => panic!("{file} {id}: target {}", target["Arn"]),
            };
            out.push(BusRule {
                queue: format!("{region}-{id}"),
                region: region.to_string(),
                pattern: resolve(pattern, &params),
                receiver,
                read_only_calls: r["Properties"]["State"]
                    == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            });
        }
    }
    out
}

/// One event put on a bus, with what the declarations say should receive it.
struct Probe {
    id: String,
    region: String,
    source: String,
    detail_type: String,
    detail: Value,
}

impl Probe {
    fn call(region: &str, service: &str, name: &str, level: AccessLevel, root: bool) -> Probe {
        let who = if root { "Root" } else { "IAMUser" };
        Probe {
            id: format!("{region}/{service}:{name}/{who}"),
            region: region.to_string(),
            source: format!("aws.{service}"),
            detail_type: API_CALL.to_string(),
            detail: json!({
                "eventSource": format!("{service}.amazonaws.com"),
                "eventName": name,
                "readOnly": matches!(level, AccessLevel::Read | AccessLevel::List),
                "userIdentity": {"type": who},
            }),
        }
    }

    fn sign_in(region: &str, root: bool) -> Probe {
        let who = if root { "Root" } else { "IAMUser" };
        Probe {
            id: format!("{region}/signin/{who}"),
            region: region.to_string(),
            source: "aws.signin".to_string(),
            detail_type: SIGN_IN.to_string(),
            detail: json!({
                "eventSource": "signin.amazonaws.com",
                "eventName": "ConsoleLogin",
                "userIdentity": {"type": who},
            }),
        }
    }

    fn read_only(&self) -> bool {
        self.detail["readOnly"] == true
    }

    /// Whether `s` asks for this event. `anywhere`: the region is not known yet (a member
    /// account forwards every write; the central region guard decides).
    fn wanted_by(&self, s: &Subscription, anywhere: bool) -> bool {
        let call = self.detail_type == API_CALL;
        let d = &self.detail;
        match s {
            Subscription::ApiCalls { source, names } => {
                call && d["eventSource"] == *source && names.iter().any(|n| d["eventName"] == *n)
            }
            Subscription::RootCalls => call && d["userIdentity"]["type"] == "Root",
            Subscription::WriteCallsOutsideAllowedRegions => {
                call && !self.read_only() && (anywhere || !ALLOWED.contains(&self.region.as_str()))
            }
            Subscription::PeopleWriteCallsFromIpAddresses => {
                call && !self.read_only() && person_from_ip(d)
            }
            Subscription::PeopleReadCallsFromIpAddresses => {
                call && self.read_only() && d.get("errorCode").is_none() && person_from_ip(d)
            }
            Subscription::DeniedCalls => call && denied(d),
            Subscription::ConsoleSignIn => self.detail_type == SIGN_IN,
            Subscription::ConfigChanges { .. }
            | Subscription::ConfigPeriodic
            | Subscription::Schedule => false,
        }
    }

    /// The receivers the declarations call for, where this event is put.
    fn expected(&self) -> BTreeSet<Receiver> {
        if self.region == MEMBER_REGION {
            let forwarded = Function::ALL
                .iter()
                .flat_map(|f| f.subscriptions())
                .any(|s| self.wanted_by(&s, true));
            return forwarded
                .then_some(Receiver::CentralBus)
                .into_iter()
                .collect();
        }
        Function::ALL
            .into_iter()
            .filter(|f| !f.us_east_1_only() || self.region == "us-east-1")
            .filter(|f| f.subscriptions().iter().any(|s| self.wanted_by(s, false)))
            .map(Receiver::Function)
            .collect()
    }
}

/// A call refused for want of permission, as CIS 4.1's filter and
/// `Subscription::DeniedCalls` count it.
fn denied(d: &Value) -> bool {
    let code = d["errorCode"].as_str().unwrap_or_default();
    (code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation"))
        && d["eventName"].as_str().is_some_and(|n| n != "HeadBucket")
        && d["sourceIPAddress"]
            .as_str()
            .is_some_and(|ip| ip != "delivery.logs.amazonaws.com")
}

/// Refused calls, read and write, of several services and codes, with the two CIS 4.1
/// exclusions and codes it does not count, where calls are allowed, where not and in a
/// member's region.
fn denied_probes() -> Vec<Probe> {
    let cases: [(&str, &str, &str, &str, bool); 7] = [
        ("s3", "ListBuckets", "AccessDenied", "198.51.100.7", true),
        (
            "ec2",
            "RunInstances",
            "Client.UnauthorizedOperation",
            "198.51.100.7",
            false,
        ),
        (
            "kms",
            "Decrypt",
            "AccessDeniedException",
            "198.51.100.7",
            true,
        ),
        ("iam", "CreateUser", "AccessDenied", "198.51.100.7", false),
        ("s3", "HeadBucket", "AccessDenied", "198.51.100.7", true),
        (
            "s3",
            "PutObject",
            "AccessDenied",
            "delivery.logs.amazonaws.com",
            false,
        ),
        (
            "ec2",
            "RunInstances",
            "InsufficientInstanceCapacity",
            "198.51.100.7",
            false,
        ),
    ];
    let mut out = Vec::new();
    for region in ["us-east-1", DISALLOWED, MEMBER_REGION] {
        for (service, name, code, ip, read) in cases {
            out.push(Probe {
                id: format!("{region}/denied/{service}:{name}/{code}/{ip}"),
                region: region.to_string(),
                source: format!("aws.{service}"),
                detail_type: API_CALL.to_string(),
                detail: json!({
                    "eventSource": format!("{service}.amazonaws.com"),
                    "eventName": name,
                    "readOnly": read,
                    "errorCode": code,
                    "sourceIPAddress": ip,
                    "userIdentity": {"type": "AssumedRole",
                        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "app"}}},
                }),
            });
        }
    }
    out
}

/// A person's call from an IP address, not through a VPC endpoint: what
/// `Subscription::PeopleWriteCallsFromIpAddresses` and, successful and read-only,
/// `PeopleReadCallsFromIpAddresses` declare (the modelled deployment sets `AllowedCidrs` and
/// `NetworkReadCalls=true`, so `NetworkApiCallRule`, `NetworkReadCallRule` and the member's
/// `ForwardNetworkReadCallsRule` exist).
fn person_from_ip(d: &Value) -> bool {
    let who = &d["userIdentity"];
    let person = matches!(who["type"].as_str(), Some("IAMUser" | "Root"))
        || who["sessionContext"]["sessionIssuer"]["userName"]
            .as_str()
            .is_some_and(|n| n.starts_with("AWSReservedSSO_"))
        || d["sessionCredentialFromConsole"] == "true";
    let address = d["sourceIPAddress"]
        .as_str()
        .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok());
    person && address && d.get("vpcEndpointId").is_none()
}

/// People and code calling from addresses, as services and through VPC endpoints, reading and
/// writing, where calls are allowed, where they are not and in a member's region.
fn network_probes() -> Vec<Probe> {
    let issuer = |name: &str| {
        json!({"sessionIssuer": {"type": "Role", "userName": name,
            "arn": format!("arn:aws:iam::123456789012:role/{name}")}})
    };
    let who: [(&str, Value, bool); 8] = [
        ("user", json!({"type": "IAMUser"}), false),
        (
            "user-console",
            json!({"type": "IAMUser", "sessionContext": {"sessionIssuer": {}}}),
            true,
        ),
        ("root", json!({"type": "Root"}), false),
        ("root-console", json!({"type": "Root"}), true),
        (
            "sso",
            json!({"type": "AssumedRole",
                "sessionContext": issuer("AWSReservedSSO_Admin_0123456789abcdef")}),
            false,
        ),
        (
            "console-role",
            json!({"type": "AssumedRole", "sessionContext": issuer("Admin")}),
            true,
        ),
        (
            "code-role",
            json!({"type": "AssumedRole", "sessionContext": issuer("app-role")}),
            false,
        ),
        ("service", json!({"type": "AWSService"}), false),
    ];
    let sources = [
        "198.51.100.23",
        "2001:db8::17",
        "AWS Internal",
        "ssm.amazonaws.com",
    ];
    let mut out = Vec::new();
    for region in ["us-east-1", DISALLOWED, MEMBER_REGION] {
        for (name, identity, console) in &who {
            for source in sources {
                for vpce in [false, true] {
                    // A write, a read, and a read that failed (not refused: a missing
                    // parameter), which no rule of people's reads delivers.
                    for (read, failed) in [(false, false), (true, false), (true, true)] {
                        let mut detail = json!({
                            "eventSource": "ssm.amazonaws.com",
                            "eventName": if read { "GetParameter" } else { "PutParameter" },
                            "readOnly": read,
                            "userIdentity": identity,
                            "sourceIPAddress": source,
                        });
                        if failed {
                            detail["errorCode"] = json!("ParameterNotFound");
                        }
                        if *console {
                            detail["sessionCredentialFromConsole"] = json!("true");
                        }
                        if vpce {
                            detail["vpcEndpointId"] = json!("vpce-0a1b2c3d4e5f60721");
                        }
                        out.push(Probe {
                            id: format!(
                                "{region}/network/{name}/{source}/vpce={vpce}/read={read}/failed={failed}"
                            ),
                            region: region.to_string(),
                            source: "aws.ssm".to_string(),
                            detail_type: API_CALL.to_string(),
                            detail,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Every `every`th catalogue action of `service` (and every action a rule names), by a user
/// and, with `root`, by root, in `region`.
fn calls(region: &str, service: &str, every: usize, root: bool) -> Vec<Probe> {
    let svc = catalog().service(service).expect(service);
    let named: BTreeSet<&str> = Function::ALL
        .iter()
        .flat_map(|f| f.subscriptions())
        .flat_map(|s| match s {
            Subscription::ApiCalls { names, .. } => names.to_vec(),
            _ => Vec::new(),
        })
        .collect();
    let mut out = Vec::new();
    for (i, &(name, level)) in svc.actions.iter().enumerate() {
        if i % every != 0 && !named.contains(name) {
            continue;
        }
        out.push(Probe::call(region, service, name, level, false));
        if root {
            out.push(Probe::call(region, service, name, level, true));
        }
    }
    out
}

/// The folder's function, or none for payloads that do not travel through EventBridge
/// patterns (AWS Config invocations, schedules) and for the files below; and region-guard for
/// every person's write call, and successful read, from an IP address
/// (`network-source-ip-not-allowed` judges it
/// against the allowed networks, which no pattern can); and tamper-guard for every refused
/// call (`api-calls-unauthorized`).
fn meant_for(file: &str, probe: &Probe) -> BTreeSet<Receiver> {
    let mut out = folder_function(file);
    let successful = probe.detail.get("errorCode").is_none();
    if probe.detail_type == API_CALL
        && (!probe.read_only() || successful)
        && person_from_ip(&probe.detail)
    {
        out.insert(Receiver::Function(Function::RegionGuard));
    }
    // Refused calls are counted by tamper-guard's api-calls-unauthorized.
    if probe.detail_type == API_CALL && denied(&probe.detail) {
        out.insert(Receiver::Function(Function::TamperGuard));
    }
    out
}

fn folder_function(file: &str) -> BTreeSet<Receiver> {
    let only = |f| BTreeSet::from([Receiver::Function(f)]);
    match file {
        // Allowed region: RegionApiCallRule's pattern keeps it from region-guard (its own
        // check of the region is tested in region_guardrail.rs); being alice's write from an
        // address, NetworkApiCallRule delivers it (meant_for). ebs-encryption judges the
        // volumes of every launch.
        "region/run-instances-allowed-region.json" => only(Function::EbsEncryption),
        // An IAM call in us-east-1, which this deployment allows: it is iam-guard's. Where
        // us-east-1 is not allowed, region-guard receives it and exempts the global service.
        "region/create-user-global-us-east-1.json" => only(Function::IamGuard),
        // The audited call is also an opening of the firewall: exposure-guard judges it.
        "tamper/authorize-security-group-ingress.json" => BTreeSet::from([
            Receiver::Function(Function::ExposureGuard),
            Receiver::Function(Function::TamperGuard),
        ]),
        // A bucket policy is also exposure-guard's (resource-policy-public).
        f if f.starts_with("tamper/put-bucket-policy") => BTreeSet::from([
            Receiver::Function(Function::ExposureGuard),
            Receiver::Function(Function::TamperGuard),
        ]),
        // A queue created (by CloudFormation): exposure-guard reads whether it carries a
        // policy (this one has none).
        "network/service-call-via-cloudformation.json" => only(Function::ExposureGuard),
        // A volume or a launch: where the stack is deployed in that region, ebs-encryption
        // judges its volumes too.
        "region/create-volume-disallowed-region.json"
        | "region/run-instances-disallowed-region.json"
        | "region/run-instances-exempt-principal.json" => BTreeSet::from([
            Receiver::Function(Function::EbsEncryption),
            Receiver::Function(Function::RegionGuard),
        ]),
        _ => match file.split('/').next() {
            Some("ebs") => only(Function::EbsEncryption),
            Some("iam" | "signin") => only(Function::IamGuard),
            Some("region") => only(Function::RegionGuard),
            // Services' calls and calls through a VPC endpoint reach no function; the other
            // network files are people's calls from an address (see meant_for).
            Some("network") => BTreeSet::new(),
            Some("tamper") => only(Function::TamperGuard),
            // AuthorizeSecurityGroupIngress is also the tamper guard's audited call; so are a
            // bucket policy or ACL (s3-bucket-policy-changed), a function permission and a
            // queue policy (guardrail-stack-changed judges whether the resource is its own).
            Some("exposure")
                if file.starts_with("exposure/authorize-")
                    || file.starts_with("exposure/put-bucket-")
                    || file.starts_with("exposure/add-permission-")
                    || file.starts_with("exposure/set-queue-attributes-") =>
            {
                BTreeSet::from([
                    Receiver::Function(Function::ExposureGuard),
                    Receiver::Function(Function::TamperGuard),
                ])
            }
            Some("exposure") => only(Function::ExposureGuard),
            _ => BTreeSet::new(),
        },
    }
}

fn event_files() -> Vec<(String, Value)> {
    let root = repo_root().join("events");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if !dir.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let path = f.path();
            if path.extension().is_some_and(|e| e == "json") {
                let rel = path.strip_prefix(&root).unwrap().display().to_string();
                let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
                    .unwrap_or_else(|e| panic!("{rel}: {e}"));
                out.push((rel, v));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn eventbridge_delivers_exactly_what_the_rules_declare() {
    let Some(python) = python() else {
        eprintln!("skipped: MOTO_SERVER is not set (scripts/test sets it), so no moto venv");
        return;
    };
    let central = template("template.yaml");
    let member = template("templates/member.yaml");
    let regions = ["us-east-1", "ap-northeast-2", DISALLOWED];
    let mut rules: Vec<BusRule> = regions
        .iter()
        .flat_map(|r| bus_rules(&central, "template.yaml", r))
        .collect();
    rules.extend(bus_rules(&member, "templates/member.yaml", MEMBER_REGION));

    let mut probes: Vec<Probe> = Vec::new();
    // Exactness where it is decided: every IAM action (iam-guard's names, by a user and by
    // root) and every EC2 action (ebs-encryption's names) where the stack allows calls;
    // samples of the rest (writes and reads elsewhere, another service, the member's
    // forwarding).
    probes.extend(calls("us-east-1", "iam", 1, true));
    probes.extend(calls("ap-northeast-2", "ec2", 1, false));
    probes.extend(calls(DISALLOWED, "ec2", 10, true));
    probes.extend(calls("us-east-1", "s3", 10, true));
    probes.extend(calls(DISALLOWED, "s3", 10, true));
    probes.extend(calls(MEMBER_REGION, "iam", 4, true));
    probes.extend(calls(MEMBER_REGION, "ec2", 20, true));
    // Every other service a rule names (the tamper rules'), where the stack is and elsewhere.
    let named: BTreeSet<&str> = Function::ALL
        .iter()
        .flat_map(|f| f.subscriptions())
        .filter_map(|s| match s {
            Subscription::ApiCalls { source, .. } => source.strip_suffix(".amazonaws.com"),
            _ => None,
        })
        .filter(|s| !["iam", "ec2"].contains(s))
        .collect();
    for service in named {
        probes.extend(calls("ap-northeast-2", service, 1, false));
        probes.extend(calls(DISALLOWED, service, 5, true));
        probes.extend(calls(MEMBER_REGION, service, 5, false));
    }
    for region in ["us-east-1", MEMBER_REGION] {
        probes.extend([Probe::sign_in(region, false), Probe::sign_in(region, true)]);
    }
    probes.extend(network_probes());
    probes.extend(denied_probes());
    // A call sampled twice (a named service's action in two samples) is put once.
    let mut seen = BTreeSet::new();
    probes.retain(|p| seen.insert(p.id.clone()));
    // The project's own events, each as written (a pattern sees only the envelope and detail).
    let mut files: Vec<(String, usize)> = Vec::new();
    for (rel, e) in event_files() {
        let (Some(source), Some(detail_type), Some(region)) = (
            e["source"].as_str(),
            e["detail-type"].as_str(),
            e["region"].as_str(),
        ) else {
            // AWS Config invokes the function directly, with no EventBridge pattern.
            assert!(
                e.get("invokingEvent").is_some(),
                "{rel}: neither EventBridge nor Config"
            );
            continue;
        };
        let mut detail = e["detail"].clone();
        if !detail.is_object() {
            detail = json!({});
        }
        files.push((rel.clone(), probes.len()));
        probes.push(Probe {
            id: format!("file:{rel}"),
            region: region.to_string(),
            source: source.to_string(),
            detail_type: detail_type.to_string(),
            detail,
        });
    }
    for p in &mut probes {
        p.detail["guardrailProbe"] = json!(p.id);
    }
    // Only where a stack is: the home region, the modelled regions, the member region.
    let deployed = |p: &Probe| regions.contains(&p.region.as_str()) || p.region == MEMBER_REGION;
    for (rel, i) in &files {
        assert!(
            deployed(&probes[*i]),
            "{rel}: region {} is not modelled",
            probes[*i].region
        );
    }

    let moto = Moto::start();
    let spec = json!({
        "endpoint": moto.endpoint(),
        "rules": rules.iter().map(|r| json!({
            "queue": r.queue, "region": r.region, "pattern": r.pattern,
        })).collect::<Vec<_>>(),
        "events": probes.iter().map(|p| json!({
            "region": p.region, "source": p.source, "detail_type": p.detail_type,
            "detail": p.detail,
        })).collect::<Vec<_>>(),
    });
    let dir = std::env::temp_dir().join(format!("guardrail-wiring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec_file = dir.join("spec.json");
    std::fs::write(&spec_file, spec.to_string()).unwrap();
    let run = Command::new(&python)
        .args(["-c", DRIVER])
        .arg(&spec_file)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reached: BTreeMap<String, Vec<String>> = serde_json::from_slice(&run.stdout).unwrap();

    let by_queue: BTreeMap<&str, &BusRule> = rules.iter().map(|r| (r.queue.as_str(), r)).collect();
    let mut problems = Vec::new();
    // `guardrail event` matches patterns with the core's matcher: it must agree with moto's
    // engine on every probe and every rule.
    for p in &probes {
        let envelope = json!({"source": p.source, "detail-type": p.detail_type,
            "region": p.region, "account": "123456789012", "detail": p.detail});
        let moto: BTreeSet<&str> = reached
            .get(&p.id)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let ours: BTreeSet<&str> = rules
            .iter()
            .filter(|r| r.region == p.region)
            .filter(|r| {
                eventbridge::matches(&r.pattern, &envelope)
                    .unwrap_or_else(|e| panic!("{}: {e}", r.queue))
            })
            .map(|r| r.queue.as_str())
            .collect();
        if moto != ours {
            problems.push(format!(
                "{}: moto matched {moto:?}, guardrail_rules::eventbridge {ours:?}",
                p.id
            ));
        }
    }
    for (i, p) in probes.iter().enumerate() {
        let delivered: Vec<Receiver> = reached
            .get(&p.id)
            .into_iter()
            .flatten()
            .filter_map(|q| by_queue.get(q.as_str()))
            .filter(|r| r.read_only_calls || !(p.detail_type == API_CALL && p.read_only()))
            .map(|r| r.receiver)
            .collect();
        let got: BTreeSet<Receiver> = delivered.iter().copied().collect();
        // One delivery per call to region-guard and to the forwarding: their rules split the
        // calls between them (writes where allowed or not, people's reads, root's and refused
        // calls), so two matching would invoke or forward twice. (tamper-guard receives a
        // refused call its audit rule names from both of its rules; the ledger makes the
        // second a duplicate.)
        for once in [
            Receiver::Function(Function::RegionGuard),
            Receiver::CentralBus,
        ] {
            if delivered.iter().filter(|r| **r == once).count() > 1 {
                problems.push(format!("{}: delivered to {once:?} twice", p.id));
            }
        }
        let want = p.expected();
        if got != want {
            problems.push(format!("{}: delivered to {got:?}, declared {want:?}", p.id));
        }
        if let Some((rel, _)) = files.iter().find(|(_, j)| *j == i) {
            let meant = meant_for(rel, p);
            if got != meant {
                problems.push(format!(
                    "{rel}: delivered to {got:?}, written for {meant:?}"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        problems.is_empty(),
        "{} of {} probes:\n{}",
        problems.len(),
        probes.len(),
        problems.join("\n")
    );
}
