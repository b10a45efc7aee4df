//! `resource-policy-public` (issue 17 item 5): resource policies judged by evaluating an
//! anonymous caller's and an unrelated account's requests, after Conditions and Denies.
//! What is not public: a `Principal: *` limited by `aws:SourceVpc`, `aws:SourceVpce`,
//! `aws:PrincipalOrgID`, `aws:SourceArn`/`aws:SourceAccount`, `kms:CallerAccount`, or a set of
//! `aws:SourceIp` blocks (as S3 defines "public"); what limits nothing: `aws:SecureTransport`,
//! `aws:Referer`, a wildcard organisation or source.

use guardrail_rules::cfn;
use guardrail_rules::policy::{
    analyze, AnalysisOptions, PolicyDocument, PolicyFinding, PolicyKind,
};
use guardrail_rules::Severity;
use serde_json::Value;
use std::path::Path;

const RULE: &str = "resource-policy-public";
const OWN: &str = "111122223333";

fn public(doc: &str) -> Vec<PolicyFinding> {
    let doc = PolicyDocument::parse(doc).unwrap();
    public_of(&doc)
}

fn public_of(doc: &PolicyDocument) -> Vec<PolicyFinding> {
    let options = AnalysisOptions {
        kind: PolicyKind::ResourceBased,
        own_account: Some(OWN.to_string()),
        allowed_regions: None,
    };
    analyze(doc, &options)
        .into_iter()
        .filter(|f| f.rule == RULE)
        .collect()
}

/// One statement, as a policy.
fn policy(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

/// `Principal: *` may GetObject on the bucket's objects, under `condition` (JSON, or empty).
fn s3_get_object(condition: &str) -> String {
    let condition = match condition {
        "" => String::new(),
        c => format!(r#","Condition":{c}"#),
    };
    policy(&format!(
        r#"{{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::example-bucket/*"{condition}}}"#
    ))
}

fn assert_public(doc: &str) -> PolicyFinding {
    let found = public(doc);
    assert_eq!(found.len(), 1, "{doc}: {found:#?}");
    let f = found.into_iter().next().unwrap();
    assert_eq!(f.severity, Severity::Critical);
    f
}

fn assert_not_public(doc: &str) {
    let found = public(doc);
    assert!(found.is_empty(), "{doc}: {found:#?}");
}

#[test]
fn a_bucket_anyone_may_read_is_public_to_anonymous_callers() {
    let f = assert_public(&s3_get_object(""));
    assert_eq!(f.actions, vec!["s3:GetObject"]);
    assert_eq!(
        f.statement.as_ref().and_then(|s| s.sid.as_deref()),
        Some("Read")
    );
    assert!(
        f.message
            .starts_with("anyone, any AWS account or anonymous,"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(" on arn:aws:s3:::example-bucket/*;"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("no condition limits who"),
        "{}",
        f.message
    );
    // {"AWS": "*"} is the same public.
    let aws_star = s3_get_object("").replace(r#""Principal":"*""#, r#""Principal":{"AWS":"*"}"#);
    assert_public(&aws_star);
}

#[test]
fn the_owners_network_organisation_or_account_limits_who() {
    for condition in [
        r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-111bbb22"}}"#,
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}"#,
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abc123def4/r-ab12/ou-ab12-11111111/*"}}"#,
        r#"{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
        r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#,
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}}"#,
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/reader"}}"#,
    ] {
        assert_not_public(&s3_get_object(condition));
    }
}

#[test]
fn a_wildcard_in_a_limiting_key_is_anyones_value() {
    // Every organisation, every account's topic: the attacker has one of its own.
    assert_public(&s3_get_object(
        r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
    ));
    assert_public(&s3_get_object(r#"{"Null":{"aws:PrincipalOrgID":"false"}}"#));
    assert_public(&s3_get_object(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}"#,
    ));
}

/// `aws:SourceIp` is a key AWS always sends: the probe comes from an address outside the
/// blocks the policy names, so an allow for a set of blocks is not public (S3's definition);
/// a block of the whole address family, or an allow for every address but some, is.
#[test]
fn source_ip_blocks_limit_who_and_the_whole_internet_does_not() {
    assert_not_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"#,
    ));
    // The probe's usual address inside the block: it moves out of it.
    assert_not_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}"#,
    ));
    assert_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
    ));
    assert_public(&s3_get_object(
        r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    ));
    // Two halves of the IPv4 internet cover every address the probe can take there.
    assert_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":["0.0.0.0/1","128.0.0.0/1","::/1","8000::/1"]}}"#,
    ));
}

#[test]
fn conditions_the_caller_chooses_limit_nothing() {
    let f = assert_public(&s3_get_object(r#"{"Bool":{"aws:SecureTransport":"true"}}"#));
    assert!(
        f.message
            .contains("conditions on aws:SecureTransport do not limit who"),
        "{}",
        f.message
    );
    let f = assert_public(&s3_get_object(
        r#"{"StringLike":{"aws:Referer":"https://www.example.com/*"}}"#,
    ));
    assert!(
        f.message.contains("aws:referer=https://www.example.com/x"),
        "{}",
        f.message
    );
    assert_public(&s3_get_object(
        r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
    ));
    // The usual deny of plain HTTP beside a public read: still public.
    let doc = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
           {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"],
            "Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    assert_public(&doc);
}

#[test]
fn a_deny_cuts_the_public_back() {
    // Everyone outside the organisation is denied: not public.
    let org_deny = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
           {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*",
            "Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}}"#,
    );
    assert_not_public(&org_deny);
    // Every action but GetObject denied: only GetObject is public.
    let all_but_read = policy(
        r#"{"Sid":"All","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*"},
           {"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"}"#,
    );
    let f = assert_public(&all_but_read);
    assert_eq!(f.actions, vec!["s3:GetObject"]);
    // Outside the VPC endpoint, denied.
    let vpce_deny = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
           {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*",
            "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}"#,
    );
    assert_not_public(&vpce_deny);
}

#[test]
fn a_bucket_wide_grant_lists_the_worst_actions_first() {
    let f = assert_public(&policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"]}"#,
    ));
    assert!(f.actions.len() > 10, "{:?}", f.actions);
    assert!(
        f.actions.iter().all(|a| a.starts_with("s3:")),
        "{:?}",
        f.actions
    );
    // What a reader recognises first: the objects read, written and deleted.
    assert_eq!(
        f.actions[..5],
        [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:ListBucket",
            "s3:PutBucketPolicy"
        ]
    );
    assert!(
        f.message
            .contains("can call s3:GetObject, s3:PutObject, s3:DeleteObject and "),
        "{}",
        f.message
    );
}

#[test]
fn not_principal_allows_everyone_else() {
    let f = assert_public(&policy(
        r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"}"#,
    ));
    assert!(f.message.starts_with("anyone"), "{}", f.message);
}

#[test]
fn named_principals_are_not_public() {
    // The own account, a named partner, a CloudFront origin access identity: each someone.
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"]},"Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*"}"#,
    ));
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"}"#,
    ));
}

/// The probe's "any account" is one the policy names nowhere: a policy limited to exactly
/// the account the probe would otherwise use is not taken for public.
#[test]
fn the_probe_account_never_collides_with_the_policys() {
    for account in ["999988887777", "999877776666"] {
        assert_not_public(&s3_get_object(&format!(
            r#"{{"StringEquals":{{"aws:PrincipalAccount":"{account}"}}}}"#
        )));
        assert_not_public(&policy(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*",
                "Condition":{{"StringEquals":{{"kms:CallerAccount":"{account}"}}}}}}"#
        )));
    }
}

#[test]
fn kms_key_policies() {
    // The default key policy: the own account.
    assert_not_public(&policy(
        r#"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#,
    ));
    // Anyone whose call comes from the own account (through a service or not).
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
            "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}"#,
    ));
    // Through S3, but from any account: public.
    let f = assert_public(&policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",
            "Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}"#,
    ));
    assert!(
        f.message.starts_with("any AWS account") || f.message.starts_with("anyone"),
        "{}",
        f.message
    );
    let f = assert_public(&policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}"#,
    ));
    assert!(
        f.actions.iter().all(|a| a.starts_with("kms:")),
        "{:?}",
        f.actions
    );
    assert!(f.message.contains(" on the resource;"), "{}", f.message);
}

#[test]
fn sns_and_sqs_policies_limited_by_their_source() {
    // S3 event notifications to a topic, from the own bucket or account.
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:111122223333:events",
            "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::example-bucket"}}}"#,
    ));
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:111122223333:events",
            "Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}"#,
    ));
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:queue",
            "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:events"}}}"#,
    ));
    // A service principal is not public outside Lambda (as S3 and IAM Access Analyzer judge).
    assert_not_public(&policy(
        r#"{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:queue"}"#,
    ));
    // Anyone may send to the queue; anyone may subscribe to the topic.
    let f = assert_public(&policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:queue"}"#,
    ));
    assert_eq!(f.actions, vec!["sqs:SendMessage"]);
    assert_public(&policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sns:Subscribe","sns:Receive"],"Resource":"arn:aws:sns:us-east-1:111122223333:events"}"#,
    ));
}

/// A Lambda function's permission, as `lambda get-policy` shows it.
fn lambda(principal: &str, condition: &str) -> String {
    let condition = match condition {
        "" => String::new(),
        c => format!(r#","Condition":{c}"#),
    };
    policy(&format!(
        r#"{{"Sid":"Invoke","Effect":"Allow","Principal":{principal},"Action":"lambda:InvokeFunction",
            "Resource":"arn:aws:lambda:us-east-1:111122223333:function:handler"{condition}}}"#
    ))
}

#[test]
fn lambda_permissions() {
    assert_public(&lambda(r#""*""#, ""));
    // Any account's bucket can be pointed at the function.
    let f = assert_public(&lambda(r#"{"Service":"s3.amazonaws.com"}"#, ""));
    assert!(
        f.message
            .starts_with("s3.amazonaws.com acting for any AWS account's resource"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("no aws:SourceArn or aws:SourceAccount"),
        "{}",
        f.message
    );
    assert_not_public(&lambda(
        r#"{"Service":"s3.amazonaws.com"}"#,
        r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#,
    ));
    assert_not_public(&lambda(
        r#"{"Service":"events.amazonaws.com"}"#,
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:events:us-east-1:111122223333:rule/nightly"}}"#,
    ));
    // Every bucket's events: the attacker has a bucket too.
    assert_public(&lambda(
        r#"{"Service":"s3.amazonaws.com"}"#,
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#,
    ));
    // A function URL without authentication.
    let url = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:111122223333:function:handler",
            "Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}"#,
    );
    assert_public(&url);
    // The own account, or an organisation.
    assert_not_public(&lambda(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, ""));
    assert_not_public(&lambda(
        r#""*""#,
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}"#,
    ));
}

#[test]
fn template_lambda_permissions_become_resource_policies() {
    let template: Value = serde_json::from_str(
        r#"{"Resources":{
            "Open":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":{"Ref":"Handler"},"Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}},
            "Scoped":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":{"Fn::GetAtt":["Handler","Arn"]},"Action":"lambda:InvokeFunction","Principal":"events.amazonaws.com",
                "SourceArn":{"Fn::GetAtt":["Nightly","Arn"]}}},
            "Partner":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":"handler","Action":"lambda:InvokeFunction","Principal":"444455556666"}}}}"#,
    )
    .unwrap();
    let policies = cfn::policies(&template);
    assert_eq!(policies.len(), 3);
    let judged: Vec<(String, usize)> = policies
        .iter()
        .map(|p| {
            assert_eq!(p.kind, PolicyKind::ResourceBased);
            assert_eq!(p.path, format!("Resources.{}.Properties", p.logical_id));
            let doc = PolicyDocument::from_value(&p.document).unwrap();
            (p.logical_id.clone(), public_of(&doc).len())
        })
        .collect();
    assert_eq!(
        judged,
        vec![
            ("Open".to_string(), 1),
            ("Partner".to_string(), 0),
            ("Scoped".to_string(), 0)
        ]
    );
}

/// Panther's `AWS.CloudTrail.ResourceMadePublic` test records (real-shaped PutBucketPolicy,
/// PutKeyPolicy, SetQueueAttributes, ... calls), read when `../shared/data` is present: every
/// record with a policy is judged as Panther expects.
#[test]
fn panthers_resource_made_public_records() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/cloudtrail-samples/panther/AWS.CloudTrail.ResourceMadePublic");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: ../shared/data/cloudtrail-samples is absent (CI has it)");
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let mut judged = 0;
    for file in files {
        let record: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if record.get("errorCode").is_some() {
            continue; // the call failed: nothing was made public
        }
        let Some(doc) = policy_in(&record) else {
            continue; // no policy, or not JSON (Panther's "invalid JSON" cases)
        };
        let expected = !name.contains("not-made") && !name.contains("should-not");
        let found = public_of(&doc);
        assert_eq!(!found.is_empty(), expected, "{name}: {found:#?}");
        judged += 1;
    }
    assert!(judged >= 9, "{judged} records judged");
}

/// The resource policy a call's request parameters carry (as an object or as JSON text).
fn policy_in(record: &Value) -> Option<PolicyDocument> {
    let params = record.get("requestParameters")?;
    let candidates = [
        params.get("bucketPolicy"),
        params.get("policy"),
        params.get("policyText"),
        params.get("resourcePolicy"),
        params.get("accessPolicies"),
        params.get("attributes").and_then(|a| a.get("Policy")),
    ];
    candidates.into_iter().flatten().find_map(|v| match v {
        Value::String(s) => PolicyDocument::parse(s).ok(),
        Value::Object(_) => PolicyDocument::from_value(v).ok(),
        _ => None,
    })
}

/// The cases a review found: principals and operators whose meaning is easy to get wrong.
#[test]
fn principal_lists_negated_and_if_exists_operators() {
    let list = s3_get_object("").replace(r#""Principal":"*""#, r#""Principal":{"AWS":["*"]}"#);
    assert_public(&list);
    // An absent key passes an IfExists test: a caller from anywhere gets in.
    assert_public(&s3_get_object(
        r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
    ));
    // Every organisation but one.
    assert_public(&s3_get_object(
        r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}"#,
    ));
    // ForAllValues passes on an absent (empty) set.
    assert_public(&s3_get_object(
        r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgPaths":["o-abc123def4/r-ab12/"]}}"#,
    ));
}

#[test]
fn a_deny_for_everyone_but_the_owner_makes_an_open_allow_private() {
    assert_not_public(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}},
            {{"Effect":"Deny","NotPrincipal":{{"AWS":"arn:aws:iam::{OWN}:root"}},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}]}}"#
    ));
}

#[test]
fn sns_default_policy_and_access_point_delegation_are_not_public() {
    assert_not_public(&policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:Publish","SNS:Subscribe"],
            "Resource":"arn:aws:sns:us-east-1:{OWN}:alerts",
            "Condition":{{"StringEquals":{{"AWS:SourceOwner":"{OWN}"}}}}}}"#
    )));
    assert_not_public(&policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"*",
            "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
            "Condition":{{"StringEquals":{{"s3:DataAccessPointAccount":"{OWN}"}}}}}}"#
    )));
}

#[test]
fn address_blocks_as_wide_as_the_internet_limit_nothing() {
    assert_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#,
    ));
    // The two IPv4 halves, without IPv6: every IPv4 caller is inside.
    assert_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":["0.0.0.0/1","128.0.0.0/1"]}}"#,
    ));
    // A /8 is a set of blocks, as S3 reads it.
    assert_not_public(&s3_get_object(
        r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    ));
}

#[test]
fn arn_patterns_with_a_wildcard_account_are_anyones() {
    // Any account can create a role named Admin.
    assert_public(&s3_get_object(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}"#,
    ));
    // Any bucket can be the source.
    assert_public(&s3_get_object(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#,
    ));
    assert_public(&s3_get_object(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:*:rule/*"}}"#,
    ));
    // The owner's own rules are not.
    assert_not_public(&s3_get_object(&format!(
        r#"{{"ArnLike":{{"aws:SourceArn":"arn:aws:events:*:{OWN}:rule/*"}}}}"#
    )));
}

#[test]
fn template_wildcards_on_placeholder_arns_and_lambda_principal_shapes() {
    let template: Value = serde_json::from_str(
        r#"{"Resources":{
            "Bucket":{"Type":"AWS::S3::Bucket"},
            "Open":{"Type":"AWS::S3::BucketPolicy","Properties":{"Bucket":{"Ref":"Bucket"},
                "PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
                    "Action":"s3:*","Resource":{"Fn::Sub":"${Bucket.Arn}/*"}}]}}},
            "ByParam":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":"handler","Action":"lambda:InvokeFunction","Principal":{"Ref":"PartnerAccount"}}},
            "NumericAccount":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":"handler","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com",
                "SourceAccount":111122223333}},
            "Alexa":{"Type":"AWS::Lambda::Permission","Properties":{
                "FunctionName":"handler","Action":"lambda:InvokeFunction","Principal":"alexa-appkit.amazon.com",
                "EventSourceToken":"amzn1.ask.skill.1234"}}},
        "Parameters":{"PartnerAccount":{"Type":"String"}}}"#,
    )
    .unwrap();
    let judged: Vec<(String, usize)> = cfn::policies(&template)
        .iter()
        .map(|p| {
            let doc = PolicyDocument::from_value(&p.document).unwrap();
            (p.logical_id.clone(), public_of(&doc).len())
        })
        .collect();
    for (id, want) in [
        ("Open", 1),
        ("ByParam", 0),
        ("NumericAccount", 0),
        ("Alexa", 0),
    ] {
        assert!(
            judged.contains(&(id.to_string(), want)),
            "{id}: want {want}: {judged:?}"
        );
    }
}
