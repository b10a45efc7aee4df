//! `resource-policy-public` on events (issue 17 items 3 and 5): exposure-guard judges the
//! policy a call submitted (`events/exposure/`) and, when present, the real records of
//! `../shared/data/cloudtrail-samples/` (Panther's "resource made public" cases, read there,
//! never copied): public is alerted, limited by organisation, VPC or own account is not, a
//! policy that cannot be read is said, a failed call is not judged. Beside it,
//! `s3-public-access-block-off`, the other exposure judged from the call.

use guardrail_rules::finding::EventContext;
use guardrail_rules::gate;
use guardrail_rules::rules::registry::{call_judges, Judged, Need, Read};
use guardrail_rules::rules::resource_policy_public::{submitted, Submitted, JUDGE};
use guardrail_rules::rules::Function;
use guardrail_rules::severity::Severity;
use guardrail_rules::trigger::{decode, decode_str, ApiCall, Trigger};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const RULE: &str = "resource-policy-public";

fn call_of(v: &Value) -> Box<ApiCall> {
    match decode(v).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn call(rel: &str) -> Box<ApiCall> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    match decode_str(&std::fs::read_to_string(path).unwrap()).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn settings(env: &[(&str, &str)]) -> Settings {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
}

/// What the adapters would read: nothing, a Block Public Access setting still all off, or an
/// untagged resource.
fn read(need: &Need) -> Read {
    match need {
        Need::Nothing => Read::Nothing,
        Need::PublicAccessBlock { .. } => Read::PublicAccessBlock(Some(Default::default())),
        Need::ResourceTags { .. } => Read::ResourceTags(Default::default()),
        other => panic!("{other:?}"),
    }
}

/// What exposure-guard reports of `call` for this rule: the gate, then its judges (this one
/// needs nothing re-read).
fn judged(call: &ApiCall, settings: &Settings) -> Judged {
    let mut out = Judged::default();
    if gate::screen(call, settings).is_err() {
        return out;
    }
    let ctx = EventContext::of(call);
    for judge in call_judges(Function::ExposureGuard) {
        let Some(need) = (judge.needs)(call, settings) else {
            continue;
        };
        let j = (judge.judge)(call, &read(&need), &ctx, settings);
        out.findings
            .extend(j.findings.into_iter().filter(|f| f.rule == RULE));
        out.notes.extend(j.notes);
    }
    out
}

#[test]
fn a_public_bucket_policy_is_alerted_with_who_and_the_undo() {
    let c = call("exposure/put-bucket-policy-public.json");
    let out = judged(&c, &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.resource.kind, "AWS::S3::Bucket");
    assert_eq!(f.resource.id, "acme-reports-archive");
    assert_eq!(f.resource.arn, "arn:aws:s3:::acme-reports-archive");
    assert!(f.reason.contains("alice"), "{}", f.reason);
    assert!(f.reason.contains("s3:GetObject"), "{}", f.reason);
    assert!(
        f.reason
            .contains("aws s3api delete-bucket-policy --bucket acme-reports-archive"),
        "{}",
        f.reason
    );
    // Off is off.
    let off = settings(&[("GUARDRAIL_RULE_MODES", "resource-policy-public=off")]);
    assert!(judged(&c, &off).findings.is_empty());
}

#[test]
fn an_organisation_limited_policy_and_an_own_account_key_policy_are_not_public() {
    for rel in [
        "exposure/put-bucket-policy-org-only.json",
        "exposure/put-key-policy-own-account.json",
    ] {
        let out = judged(&call(rel), &settings(&[]));
        assert!(out.findings.is_empty(), "{rel}: {out:?}");
        assert!(out.notes.is_empty(), "{rel}: {out:?}");
    }
}

#[test]
fn secure_transport_limits_nothing_on_a_queue_policy() {
    let c = call("exposure/set-queue-attributes-public.json");
    let out = judged(&c, &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.resource.kind, "AWS::SQS::Queue");
    assert_eq!(f.resource.id, "order-events");
    assert_eq!(
        f.resource.arn,
        "arn:aws:sqs:ap-northeast-2:123456789012:order-events"
    );
    assert!(f.reason.contains("sqs:SendMessage"), "{}", f.reason);
}

#[test]
fn a_public_lambda_permission_and_a_public_acl_are_alerted() {
    let out = judged(&call("exposure/add-permission-public.json"), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.resource.kind, "AWS::Lambda::Function");
    assert_eq!(f.resource.id, "report-export");
    assert!(
        f.reason.contains(
            "aws lambda remove-permission --function-name report-export --statement-id open-invoke"
        ),
        "{}",
        f.reason
    );
    let out = judged(
        &call("exposure/put-bucket-acl-public-read.json"),
        &settings(&[]),
    );
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert!(
        f.reason.contains("READ to everyone (AllUsers)"),
        "{}",
        f.reason
    );
    assert!(f.reason.contains("--acl private"), "{}", f.reason);
}

/// The bucket-ACL request as CloudTrail records it, with `set` merged into its parameters.
fn acl_call(set: Value) -> Box<ApiCall> {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../events/exposure/put-bucket-acl-public-read.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v["detail"]["requestParameters"] = set;
    call_of(&v)
}

#[test]
fn canned_and_header_acls_are_judged_and_a_private_one_is_not() {
    let canned = acl_call(json!({"bucketName": "b1", "x-amz-acl": ["public-read-write"]}));
    let out = judged(&canned, &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(out.findings[0].reason.contains("public-read-write"));
    let header = acl_call(json!({"bucketName": "b1",
        "x-amz-grant-write": "uri=\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\""}));
    let out = judged(&header, &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(out.findings[0]
        .reason
        .contains("WRITE to every AWS account"));
    let private = acl_call(json!({"bucketName": "b1", "x-amz-acl": ["private"]}));
    assert!(judged(&private, &settings(&[])).findings.is_empty());
}

#[test]
fn an_unreadable_policy_is_said_and_calls_without_a_policy_are_not_judged() {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../events/exposure/set-queue-attributes-public.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v["detail"]["requestParameters"]["attributes"]["Policy"] = json!("{\"Statement\": [");
    let out = judged(&call_of(&v), &settings(&[]));
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(
        out.notes.iter().any(|n| n.contains("could not be read")),
        "{out:?}"
    );
    // A queue attribute other than the policy, a topic's display name: nothing to judge.
    v["detail"]["requestParameters"]["attributes"] = json!({"VisibilityTimeout": "60"});
    assert_eq!(submitted(&call_of(&v)), Submitted::Nothing);
    let out = judged(&call_of(&v), &settings(&[]));
    assert!(out.findings.is_empty() && out.notes.is_empty(), "{out:?}");
    // Hostile shapes: numbers, nulls and lists where strings belong never panic.
    for params in [
        json!(null),
        json!([]),
        json!({"queueUrl": 7, "attributes": {"Policy": 3}}),
        json!({"queueUrl": "", "attributes": {"Policy": null}}),
        json!({"queueUrl": "https://x/123/q", "attributes": {"Policy": {"Statement": "x"}}}),
    ] {
        v["detail"]["requestParameters"] = params;
        let _ = judged(&call_of(&v), &settings(&[]));
    }
}

#[test]
fn a_failed_call_and_an_exempt_principal_are_not_judged() {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../events/exposure/put-bucket-policy-public.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v["detail"]["errorCode"] = json!("AccessDenied");
    assert!(judged(&call_of(&v), &settings(&[])).findings.is_empty());
    let exempt = settings(&[(
        "GUARDRAIL_EXEMPT_PRINCIPALS",
        "arn:aws:iam::123456789012:user/alice",
    )]);
    let c = call("exposure/put-bucket-policy-public.json");
    assert!(judged(&c, &exempt).findings.is_empty());
}

/// The exempt tag: the resource's tags are re-read by ARN; a public policy on a tagged resource is left alone with the reason, an untagged
/// one alerted, a policy that is not public says nothing about tags; a secret the record gives
/// no ARN for cannot be looked up, and its finding is kept with a note saying so.
#[test]
fn a_resource_with_the_exempt_tag_is_left_alone() {
    let s = settings(&[]);
    let tagged: BTreeMap<String, String> =
        [("guardrail:exempt".to_string(), "public website".to_string())].into();
    let c = call("exposure/put-bucket-policy-public.json");
    let need = (JUDGE.needs)(&c, &s).unwrap();
    assert!(
        matches!(&need, Need::ResourceTags { region, arn }
            if region == "ap-northeast-2" && arn == "arn:aws:s3:::acme-reports-archive"),
        "{need:?}"
    );
    let ctx = EventContext::of(&c);
    let j = (JUDGE.judge)(&c, &Read::ResourceTags(tagged.clone()), &ctx, &s);
    assert!(j.findings.is_empty(), "{j:?}");
    let why = j.cleared.unwrap();
    assert!(
        why.contains("acme-reports-archive carries the exempt tag guardrail:exempt"),
        "{why}"
    );
    let other: BTreeMap<String, String> = [("team".to_string(), "web".to_string())].into();
    let j = (JUDGE.judge)(&c, &Read::ResourceTags(other), &ctx, &s);
    assert_eq!(j.findings.len(), 1, "{j:?}");
    // The exempt tag's name is a setting.
    let renamed = settings(&[("GUARDRAIL_EXEMPT_TAG", "team")]);
    let j = (JUDGE.judge)(&c, &Read::ResourceTags(tagged.clone()), &ctx, &renamed);
    assert_eq!(j.findings.len(), 1, "{j:?}");

    let org = call("exposure/put-bucket-policy-org-only.json");
    let j = (JUDGE.judge)(&org, &Read::ResourceTags(tagged), &ctx, &s);
    assert!(j.findings.is_empty() && j.cleared.is_none(), "{j:?}");

    // A secret named by its name, the response giving no ARN: alerted, its tag not checked.
    let secret = |response: Value| {
        let params = json!({"secretId": "payments/api-key", "resourcePolicy": OPEN});
        api(
            "secretsmanager.amazonaws.com",
            "PutResourcePolicy",
            params,
            response,
        )
    };
    let c = secret(json!(null));
    assert!(matches!((JUDGE.needs)(&c, &s), Some(Need::Nothing)));
    let out = judged(&c, &s);
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("exempt tag of payments/api-key was not checked")),
        "{out:?}"
    );
    // With the ARN in the response, the secret is looked up by it.
    let full = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:payments/api-key-Ab12Cd";
    let need = (JUDGE.needs)(
        &secret(json!({"arn": full, "name": "payments/api-key"})),
        &s,
    );
    assert!(
        matches!(&need, Some(Need::ResourceTags { arn, .. }) if arn == full),
        "{need:?}"
    );
}

/// A call of `source` named `name` by alice in ap-northeast-2, with these request parameters
/// and response elements.
fn api(source: &str, name: &str, params: Value, response: Value) -> Box<ApiCall> {
    call_of(&json!({
        "version": "0", "id": "7d0b6a0e-1f55-4a51-a0b6-6c1b2e5d9f30",
        "detail-type": "AWS API Call via CloudTrail",
        "source": format!("aws.{}", source.trim_end_matches(".amazonaws.com")),
        "account": "123456789012", "time": "2026-11-20T09:12:00Z",
        "region": "ap-northeast-2", "resources": [],
        "detail": {
            "eventVersion": "1.11", "eventSource": source, "eventName": name,
            "awsRegion": "ap-northeast-2", "eventTime": "2026-11-20T09:12:00Z",
            "eventType": "AwsApiCall", "recipientAccountId": "123456789012",
            "sourceIPAddress": "203.0.113.24",
            "userIdentity": {"type": "IAMUser", "accountId": "123456789012",
                "arn": "arn:aws:iam::123456789012:user/alice", "userName": "alice",
                "principalId": "AIDAEXAMPLEALICE0001"},
            "requestParameters": params,
            "responseElements": response
        }
    }))
}

const OPEN: &str =
    r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The ARN each service's resource is looked up by, from the names and ARNs calls give.
#[test]
fn the_exempt_tag_is_looked_up_by_each_resources_own_arn() {
    let s = settings(&[]);
    let arn_of = |c: &ApiCall| match (JUDGE.needs)(c, &s) {
        Some(Need::ResourceTags { arn, .. }) => arn,
        other => panic!("{other:?}"),
    };
    let r = "arn:aws:lambda:ap-northeast-2:123456789012:function:report-export";
    let permission = |function: &str| {
        json!({"functionName": function, "statementId": "open", "action": "lambda:InvokeFunction",
            "principal": "*"})
    };
    for function in [
        "report-export",
        "report-export:live",
        "123456789012:function:report-export",
        "123456789012:function:report-export:7",
        "arn:aws:lambda:ap-northeast-2:123456789012:function:report-export:live",
    ] {
        let c = api(
            "lambda.amazonaws.com",
            "AddPermission20150331v2",
            permission(function),
            json!(null),
        );
        assert_eq!(arn_of(&c), r, "{function}");
    }
    let topic = "arn:aws:sns:ap-northeast-2:123456789012:orders";
    let set = |t: &str| json!({"topicArn": t, "attributeName": "Policy", "attributeValue": OPEN});
    let c = api(
        "sns.amazonaws.com",
        "SetTopicAttributes",
        set(topic),
        json!(null),
    );
    assert_eq!(arn_of(&c), topic);
    let c = api(
        "sns.amazonaws.com",
        "CreateTopic",
        json!({"name": "orders", "attributes": {"Policy": OPEN}}),
        json!({"topicArn": topic}),
    );
    assert_eq!(arn_of(&c), topic);
    let key = "arn:aws:kms:ap-northeast-2:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    let c = api(
        "kms.amazonaws.com",
        "PutKeyPolicy",
        json!({"keyId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "policyName": "default",
            "policy": OPEN}),
        json!(null),
    );
    assert_eq!(arn_of(&c), key);
    let c = api(
        "kms.amazonaws.com",
        "CreateKey",
        json!({"policy": OPEN}),
        json!({"keyMetadata": {"keyId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "arn": key}}),
    );
    assert_eq!(arn_of(&c), key);
    let c = api(
        "ecr.amazonaws.com",
        "SetRepositoryPolicy",
        json!({"repositoryName": "web", "policyText": OPEN}),
        json!(null),
    );
    assert_eq!(
        arn_of(&c),
        "arn:aws:ecr:ap-northeast-2:123456789012:repository/web"
    );
    // A secret's full ARN in the request (with the suffix Secrets Manager adds) is used; a
    // partial one is not (the lookup could only miss).
    let full = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:payments/api-key-Ab12Cd";
    let c = api(
        "secretsmanager.amazonaws.com",
        "PutResourcePolicy",
        json!({"secretId": full, "resourcePolicy": OPEN}),
        json!(null),
    );
    assert_eq!(arn_of(&c), full);
    let partial = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:payments/api";
    let c = api(
        "secretsmanager.amazonaws.com",
        "PutResourcePolicy",
        json!({"secretId": partial, "resourcePolicy": OPEN}),
        json!(null),
    );
    assert_eq!((JUDGE.needs)(&c, &s), Some(Need::Nothing));
}

/// Tags that could not be read never cost the finding: it is kept, with a note saying why the
/// exempt tag was not checked. Tags the call itself set (a queue, topic or key created with
/// its policy) exempt it even before the Tagging API shows them.
#[test]
fn unread_tags_keep_the_finding_and_the_calls_own_tags_exempt() {
    let s = settings(&[]);
    let c = call("exposure/put-bucket-policy-public.json");
    let ctx = EventContext::of(&c);
    let why = "tag:GetResources failed (AccessDenied)".to_string();
    let j = (JUDGE.judge)(&c, &Read::Unread(why), &ctx, &s);
    assert_eq!(j.findings.len(), 1, "{j:?}");
    assert!(
        j.notes.iter().any(|n| n.contains(
            "exempt tag of acme-reports-archive was not checked: tag:GetResources failed"
        )),
        "{j:?}"
    );
    let none = Read::ResourceTags(BTreeMap::new());
    for c in [
        api(
            "sqs.amazonaws.com",
            "CreateQueue",
            json!({"queueName": "hooks", "attributes": {"Policy": OPEN},
                "tags": {"guardrail:exempt": "partner webhook"}}),
            json!(null),
        ),
        api(
            "sns.amazonaws.com",
            "CreateTopic",
            json!({"name": "hooks", "attributes": {"Policy": OPEN},
                "tags": [{"key": "guardrail:exempt", "value": "partner webhook"}]}),
            json!({"topicArn": "arn:aws:sns:ap-northeast-2:123456789012:hooks"}),
        ),
        api(
            "kms.amazonaws.com",
            "CreateKey",
            json!({"policy": OPEN, "tags": [{"tagKey": "guardrail:exempt", "tagValue": "x"}]}),
            json!({"keyMetadata": {"keyId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"}}),
        ),
    ] {
        let j = (JUDGE.judge)(&c, &none, &ctx, &s);
        assert!(j.findings.is_empty(), "{}: {j:?}", c.event_name);
        assert!(j
            .cleared
            .is_some_and(|w| w.contains("carries the exempt tag")));
        // Without the tag, the same call is public.
        let mut bare = c.request.clone();
        bare.as_object_mut().unwrap().remove("tags");
        let mut untagged = (*c).clone();
        untagged.request = bare;
        assert_eq!((JUDGE.judge)(&untagged, &none, &ctx, &s).findings.len(), 1);
    }
}

/// Panther's "resource made public" records, delivered as EventBridge delivers them. Their
/// file names say what a detection should do; ours agrees on every one it judges.
#[test]
fn the_real_resource_made_public_records_are_judged_as_their_authors_expect() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/cloudtrail-samples/panther/AWS.CloudTrail.ResourceMadePublic");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not present", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    let mut judged_files = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let record: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let source = record["eventSource"].as_str().unwrap_or_default();
        let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
        let v = json!({
            "version": "0", "id": "00000000-0000-0000-0000-000000000000",
            "detail-type": "AWS API Call via CloudTrail", "source": format!("aws.{service}"),
            "account": record.get("recipientAccountId").cloned().unwrap_or(json!("123456789012")),
            "time": "2026-01-01T00:00:00Z",
            "region": record["awsRegion"], "resources": [], "detail": record,
        });
        let Ok(Trigger::ApiCall(c)) = decode(&v) else {
            continue;
        };
        let out = judged(&c, &settings(&[]));
        let alerted = !out.findings.is_empty();
        // Services this rule does not read (an Elasticsearch domain's access policy) and
        // records whose shape lies about their source are not judged.
        let declared = call_judges(Function::ExposureGuard)
            .any(|j| j.rules.iter().any(|m| m.id == RULE && m.declares_call(&c)));
        if !declared {
            continue;
        }
        judged_files += 1;
        let expected = match name.as_str() {
            n if n.contains("should-not-alert") || n.contains("not-made-public") => false,
            n if n.contains("failed") || n.contains("null-request") => false,
            n if n.contains("invalid-json") => false,
            n if n.contains("should-alert") || n.contains("made-public") => true,
            n if n.contains("made-publicly-accessible") => true,
            _ => continue,
        };
        assert_eq!(alerted, expected, "{name}: {out:?}");
        if name.contains("invalid-json") {
            assert!(
                !out.notes.is_empty(),
                "{name}: an unreadable policy is said"
            );
        }
    }
    assert!(judged_files >= 8, "only {judged_files} records judged");
}

/// `s3-public-access-block-off`: what a Put leaves off, or a Delete removes, is alerted with
/// the command that turns it back on; all four on is nothing.
#[test]
fn block_public_access_weakened_or_removed_is_alerted_with_the_undo() {
    let of = |rel: &str| -> Vec<guardrail_rules::Finding> {
        let c = call(rel);
        let s = settings(&[]);
        let ctx = EventContext::of(&c);
        call_judges(Function::ExposureGuard)
            .filter_map(|j| (j.needs)(&c, &s).map(|n| (j, n)))
            .flat_map(|(j, n)| (j.judge)(&c, &read(&n), &ctx, &s).findings)
            .filter(|f| f.rule == "s3-public-access-block-off")
            .collect()
    };
    let found = of("exposure/public-access-block-bucket-weakened.json");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.resource.id, "acme-reports-archive");
    assert!(
        f.reason
            .contains("BlockPublicPolicy, RestrictPublicBuckets now off"),
        "{}",
        f.reason
    );
    assert!(!f.reason.contains("BlockPublicAcls,"), "{}", f.reason);
    assert!(
        f.reason
            .contains("aws s3api put-public-access-block --bucket acme-reports-archive"),
        "{}",
        f.reason
    );
    assert!(of("exposure/public-access-block-bucket-all-on.json").is_empty());
    let found = of("exposure/public-access-block-account-deleted.json");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].resource.kind, "AWS::::Account");
    assert!(
        found[0]
            .reason
            .contains("aws s3control put-public-access-block --account-id 123456789012"),
        "{}",
        found[0].reason
    );
}

/// Panther's Block Public Access records: the deletion is alerted, the failed one is not, a
/// Put whose record holds no configuration is taken as all off (never as all on).
#[test]
fn the_real_public_access_block_records() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/cloudtrail-samples/panther/AWS.S3.DeletePublicAccessBlock");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not present", dir.display());
        return;
    };
    let mut alerted = Vec::new();
    for e in entries.flatten() {
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        let v = json!({
            "version": "0", "id": "00000000-0000-0000-0000-000000000000",
            "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
            "account": record.get("recipientAccountId").cloned().unwrap_or(json!("123456789012")),
            "time": "2026-01-01T00:00:00Z", "region": record["awsRegion"], "resources": [],
            "detail": record,
        });
        let Ok(Trigger::ApiCall(c)) = decode(&v) else {
            continue;
        };
        let s = settings(&[]);
        if gate::screen(&c, &s).is_err() {
            continue;
        }
        let ctx = EventContext::of(&c);
        let n = call_judges(Function::ExposureGuard)
            .filter_map(|j| (j.needs)(&c, &s).map(|n| (j, n)))
            .flat_map(|(j, n)| (j.judge)(&c, &read(&n), &ctx, &s).findings)
            .filter(|f| f.rule == "s3-public-access-block-off")
            .count();
        if n > 0 {
            alerted.push(e.file_name().to_string_lossy().to_string());
        }
    }
    alerted.sort();
    assert!(alerted.iter().any(|a| a.starts_with("01-")), "{alerted:?}");
    assert!(!alerted.iter().any(|a| a.starts_with("02-")), "{alerted:?}");
}

/// The setting is re-read before it is turned back on: still off, the step is pending in
/// remediate mode and its undo is the setting as re-read; back on since, already done; a
/// bucket with the exempt tag is left alone; a bucket gone is a note.
#[test]
fn block_public_access_is_restored_only_while_off_and_never_on_an_exempt_bucket() {
    use guardrail_rules::finding::ActionStatus;
    use guardrail_rules::rules::s3_public_access_block_off::{BlockState, JUDGE};
    let c = call("exposure/public-access-block-bucket-weakened.json");
    let s = settings(&[
        (
            "GUARDRAIL_RULE_MODES",
            "s3-public-access-block-off=remediate",
        ),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    let need = (JUDGE.needs)(&c, &s).unwrap();
    assert_eq!(
        need,
        Need::PublicAccessBlock {
            region: c.region.clone(),
            bucket: Some("acme-reports-archive".into())
        }
    );
    let ctx = EventContext::of(&c);
    let state = |on: [bool; 4], tag: bool| {
        let mut st = BlockState {
            on,
            ..BlockState::default()
        };
        if tag {
            st.tags
                .insert("guardrail:exempt".into(), "public website".into());
        }
        Read::PublicAccessBlock(Some(st))
    };
    let j = (JUDGE.judge)(&c, &state([true, true, false, false], false), &ctx, &s);
    let a = &j.findings[0].actions[0];
    assert_eq!(a.status, ActionStatus::Pending);
    assert!(
        a.step.describe().contains(
            "undo: aws s3api put-public-access-block --bucket acme-reports-archive \
             --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,\
             BlockPublicPolicy=false,RestrictPublicBuckets=false"
        ),
        "{}",
        a.step.describe()
    );
    let j = (JUDGE.judge)(&c, &state([true; 4], false), &ctx, &s);
    assert_eq!(j.findings[0].actions[0].status, ActionStatus::AlreadyDone);
    let j = (JUDGE.judge)(&c, &state([false; 4], true), &ctx, &s);
    assert!(j.findings.is_empty());
    assert!(j.cleared.unwrap().contains("exempt tag"));
    let j = (JUDGE.judge)(&c, &Read::PublicAccessBlock(None), &ctx, &s);
    assert!(j.findings.is_empty() && j.notes[0].contains("no longer exists"));
    // The account: nothing was set before, so the undo deletes the setting again.
    let c = call("exposure/public-access-block-account-deleted.json");
    let need = (JUDGE.needs)(&c, &s).unwrap();
    assert!(matches!(need, Need::PublicAccessBlock { bucket: None, .. }));
    let j = (JUDGE.judge)(&c, &state([false; 4], false), &ctx, &s);
    assert!(j.findings[0].actions[0]
        .step
        .describe()
        .contains("undo: aws s3control delete-public-access-block --account-id 123456789012"));
    // All four on asks for nothing.
    let c = call("exposure/public-access-block-bucket-all-on.json");
    assert_eq!((JUDGE.needs)(&c, &s), None);
}

/// GUARDRAIL_PUBLIC_ACCESS_BLOCK names the settings the deployment requires: a setting it
/// leaves out is neither alerted nor restored, and the restore turns on exactly the required
/// ones, keeping the others as re-read.
#[test]
fn only_the_configured_block_public_access_settings_are_required_and_restored() {
    use guardrail_rules::plan::RemediationStep;
    use guardrail_rules::rules::s3_public_access_block_off::{BlockState, JUDGE};
    // The weakened bucket leaves BlockPublicPolicy and RestrictPublicBuckets off.
    let c = call("exposure/public-access-block-bucket-weakened.json");
    let acls_only = settings(&[(
        "GUARDRAIL_PUBLIC_ACCESS_BLOCK",
        "BlockPublicAcls, ignorepublicacls",
    )]);
    assert_eq!(
        (JUDGE.needs)(&c, &acls_only),
        None,
        "nothing required was turned off"
    );
    let policy = settings(&[
        ("GUARDRAIL_PUBLIC_ACCESS_BLOCK", "BlockPublicPolicy"),
        (
            "GUARDRAIL_RULE_MODES",
            "s3-public-access-block-off=remediate",
        ),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    let need = (JUDGE.needs)(&c, &policy).expect("BlockPublicPolicy is required");
    let ctx = EventContext::of(&c);
    let read = Read::PublicAccessBlock(Some(BlockState {
        on: [true, false, false, false],
        ..BlockState::default()
    }));
    assert!(matches!(need, Need::PublicAccessBlock { .. }));
    let j = (JUDGE.judge)(&c, &read, &ctx, &policy);
    let f = &j.findings[0];
    assert!(
        f.reason.contains("BlockPublicPolicy now off"),
        "{}",
        f.reason
    );
    assert!(
        !f.reason.contains("RestrictPublicBuckets now off"),
        "{}",
        f.reason
    );
    let RemediationStep::PutPublicAccessBlock {
        previous, target, ..
    } = &f.actions[0].step
    else {
        panic!("{:?}", f.actions[0].step);
    };
    assert_eq!(*previous, [true, false, false, false]);
    assert_eq!(
        *target,
        [true, false, true, false],
        "the required one on, the rest kept"
    );
    assert!(
        f.actions[0]
            .step
            .describe()
            .starts_with("turn S3 Block Public Access on (BlockPublicAcls, BlockPublicPolicy)"),
        "{}",
        f.actions[0].step.describe()
    );
    // An unknown setting name stops the function at start-up.
    let bad = guardrail_rules::Settings::from_lookup(|k| {
        (k == "GUARDRAIL_PUBLIC_ACCESS_BLOCK").then(|| "BlockEverything".to_string())
    });
    assert!(bad.is_err(), "{bad:?}");
}
