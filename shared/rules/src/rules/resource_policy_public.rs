//! `resource-policy-public`: a bucket, key, queue, topic, secret, repository or function
//! policy that lets anyone, or any AWS account, use the resource. Judged by the policy engine
//! (`policy::analysis`, `PolicyKind::ResourceBased`), in `guardrail check-policy --kind
//! resource` and `guardrail check-template`, and by `exposure-guard` on the calls that set such
//! a policy: the document the call submitted (CloudTrail records it in the request), so the
//! verdict is about exactly the change, with no read of the resource's policy and no paid
//! Access Analyzer call. A bucket ACL that grants the AllUsers or AuthenticatedUsers group is public
//! the same way (S3's own definition); an ACL is no policy, so that is judged here, not by the
//! engine.
//!
//! A policy the call carries but the engine cannot read (truncated, not JSON) is said, never
//! taken for "not public".
//!
//! A resource with the exempt tag (a public website's bucket) is left alone: its tags are
//! the ones the call itself set (CreateQueue, CreateTopic, CreateKey, which the Tagging API may
//! not show yet) and the ones re-read by ARN: a bucket's with S3's GetBucketTagging (as
//! `s3-public-access-block-off` reads them), every other resource's through the Resource
//! Groups Tagging API, one read for six services (each service's own tag call would need its
//! SDK in every function; that API can lag a tag change by a short while). A resource whose
//! ARN the record does not give (a secret named by name: its ARN ends in a suffix only Secrets
//! Manager knows), or whose tags could not be read, is alerted with a note saying its tags
//! were not checked: a spare alert, never a lost one. ARNs are built in the `aws` partition:
//! in another partition the lookup finds nothing and nothing is exempted.

use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::{call_finding, RuleMeta};
use crate::finding::{EventContext, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, BUCKETS};
use crate::policy::{analyze_public, AnalysisOptions, PolicyDocument, PolicyKind};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    id: "resource-policy-public",
    title: "Resource policy grants public access",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "A resource-based policy (S3 bucket, KMS key, SNS topic, SQS queue, Lambda \
             permission) allows an action to an anonymous caller or to a principal of an \
             unrelated account, after its Conditions and Denies: each action its Allow \
             statements name is evaluated for such a caller, with the keys AWS always sends \
             (its own identity, `kms:CallerAccount`, an `aws:SourceIp` outside the blocks the \
             policy names) and the limiting keys absent and then at the caller's own values. \
             A `Principal: *` limited by `aws:SourceVpc`, `aws:SourceVpce`, \
             `aws:PrincipalOrgID`, `aws:SourceArn`/`aws:SourceAccount`, `kms:CallerAccount` or \
             a set of `aws:SourceIp` blocks is not public; `aws:SecureTransport`, \
             `aws:Referer` or a tag limit nothing. A Lambda permission for a service principal \
             without `SourceArn`/`SourceAccount` is public too: any account's resource of that \
             service can invoke the function. The finding names the statement, who the public \
             is, the actions (a sample) and why its conditions do not limit them. On events \
             (exposure-guard), the policy a call submitted is judged: PutBucketPolicy, \
             SetQueueAttributes/CreateQueue, SetTopicAttributes/CreateTopic, \
             PutKeyPolicy/CreateKey, Lambda AddPermission, ECR SetRepositoryPolicy, Secrets \
             Manager PutResourcePolicy; and PutBucketAcl granting the AllUsers or \
             AuthenticatedUsers group; a resource with the exempt tag (re-read by ARN with \
             the Resource Groups Tagging API) is left alone. Offline, `guardrail check-policy \
             --kind resource` and `guardrail check-template` judge it the same way.",
    rationale: "A public bucket or key is the exposure behind most cloud data leaks; whether a \
                policy is public is the question IAM Access Analyzer's CheckNoPublicAccess \
                answers with a paid call, and S3 Block Public Access refuses only for S3. \
                The engine answers it locally, for every resource policy, with the evaluation \
                it uses everywhere else.",
    remediation: "Alert only (the alert gives the one call that takes it back): name the principals (accounts, roles) the resource is for, or add \
                  a condition on the owner's organisation (`aws:PrincipalOrgID`), VPC endpoint \
                  (`aws:SourceVpce`) or source resource (`aws:SourceArn`).",
    anchors: &[
        "IAM Access Analyzer: CheckNoPublicAccess",
        "AWS Config: s3-bucket-public-read-prohibited, s3-bucket-public-write-prohibited, \
         lambda-function-public-access-prohibited",
        "Security Hub: S3.2, S3.3, Lambda.1",
    ],
    runs: &[Runs {
        function: Function::ExposureGuard,
        triggers: &[
            Subscription::ApiCalls {
                source: "s3.amazonaws.com",
                names: &["PutBucketPolicy", "PutBucketAcl"],
            },
            Subscription::ApiCalls {
                source: "sqs.amazonaws.com",
                names: &["SetQueueAttributes", "CreateQueue"],
            },
            Subscription::ApiCalls {
                source: "sns.amazonaws.com",
                names: &["SetTopicAttributes", "CreateTopic"],
            },
            Subscription::ApiCalls {
                source: "kms.amazonaws.com",
                names: &["PutKeyPolicy", "CreateKey"],
            },
            Subscription::ApiCalls {
                source: "lambda.amazonaws.com",
                names: &["AddPermission20150331", "AddPermission20150331v2"],
            },
            Subscription::ApiCalls {
                source: "ecr.amazonaws.com",
                names: &["SetRepositoryPolicy"],
            },
            Subscription::ApiCalls {
                source: "secretsmanager.amazonaws.com",
                names: &["PutResourcePolicy"],
            },
        ],
        reads: &[
            Permission::arn("s3:GetBucketTagging", BUCKETS),
            Permission::any("tag:GetResources"),
        ],
        steps: &[],
    }],
    per_event: true,
};

/// Judged from the call: the policy it submitted; only the resource's tags are re-read (for
/// the exempt tag), and only when the call set a policy or ACL on a resource the record names.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) {
            return None;
        }
        let resource = match submitted(call) {
            Submitted::Policy(resource, _) => resource,
            Submitted::Acl(resource, grants) if !grants.is_empty() => resource,
            _ => return Some(Need::Nothing),
        };
        Some(match tag_arn(call, &resource) {
            Some(arn) => Need::ResourceTags {
                region: call.region.trim().to_string(),
                arn,
            },
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let mut tags = request_tags(call);
        let unread = match read {
            Read::ResourceTags(read) => {
                tags.extend(read.clone());
                None
            }
            Read::Nothing => Some("the record does not give its ARN"),
            Read::Unread(why) => Some(why.as_str()),
            _ => return Judged::mismatched(&[&META]),
        };
        exempt(judge(call, ctx, settings), &tags, settings, unread)
    },
};

/// The judgement, or the call cleared when the resource found public carries the exempt tag;
/// `unread`: why the resource's own tags are not known (a note on the finding, unless the
/// call's tags exempt it; the account itself is no resource and gets none).
fn exempt(
    mut judged: Judged,
    tags: &BTreeMap<String, String>,
    settings: &Settings,
    unread: Option<&str>,
) -> Judged {
    let Some(f) = judged.findings.first() else {
        return judged;
    };
    if let Some(value) = tags.get(&settings.exempt_tag) {
        return Judged::cleared(format!(
            "{}: {} carries the exempt tag {} ({value}); its public policy is left as it is",
            META.id, f.resource.id, settings.exempt_tag
        ));
    }
    if let Some(why) = unread.filter(|_| f.resource.kind != ACCOUNT) {
        let note = format!(
            "{}: the exempt tag of {} was not checked: {why}",
            META.id, f.resource.id
        );
        judged.notes.push(note);
    }
    judged
}

/// The kind of [`call_finding::account`]: a policy on a resource the record does not name.
const ACCOUNT: &str = "AWS::::Account";

/// The tags the call set on the resource it created with the policy (the Tagging API may not
/// show them yet): CreateQueue's `tags` map, CreateTopic's `[{key, value}]`, CreateKey's
/// `[{tagKey, tagValue}]`.
fn request_tags(call: &ApiCall) -> BTreeMap<String, String> {
    let req = &call.request;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let pairs = |key: &str, k: &str, v: &str| -> BTreeMap<String, String> {
        req.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| Some((text(t.get(k))?, text(t.get(v)).unwrap_or_default())))
            .collect()
    };
    match (call.service(), call.event_name.as_str()) {
        ("sqs", "CreateQueue") => req
            .get("tags")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), text(Some(v)).unwrap_or_default()))
            .collect(),
        ("sns", "CreateTopic") => pairs("tags", "key", "value"),
        ("kms", "CreateKey") => pairs("tags", "tagKey", "tagValue"),
        _ => BTreeMap::new(),
    }
}

/// The ARN the Tagging API knows `resource` by; `None` when the record does not give it: the
/// account itself, or a secret named by its name (or a partial ARN) in a call whose response
/// does not hold its ARN. A function's qualifier is dropped (tags are the function's).
fn tag_arn(call: &ApiCall, resource: &ResourceRef) -> Option<String> {
    match resource.kind {
        ACCOUNT => None,
        "AWS::Lambda::Function" => Some(
            resource
                .arn
                .split(':')
                .take(7)
                .collect::<Vec<_>>()
                .join(":"),
        ),
        "AWS::SecretsManager::Secret" => call
            .response_str("arn")
            .filter(|a| a.starts_with("arn:"))
            .or_else(|| {
                call.request_str("secretId")
                    .filter(|a| a.starts_with("arn:") && full_secret_arn(a))
            })
            .map(str::to_string),
        _ => Some(resource.arn.clone()),
    }
}

/// What a call set on its resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// A resource policy (a JSON object, or its text).
    Policy(ResourceRef, Value),
    /// A bucket ACL: the public groups it grants to, with the permission.
    Acl(ResourceRef, Vec<String>),
    /// The call set no resource policy (a queue created without one, a topic attribute other
    /// than `Policy`).
    Nothing,
    /// The call always sets a policy, but the record does not hold it (CloudTrail leaves out
    /// a request that is too large): said, never taken for "not public".
    Unrecorded,
}

/// The public groups of S3 ACLs: anyone, and anyone with an AWS account.
const PUBLIC_GROUPS: &[(&str, &str)] = &[
    (
        "acs.amazonaws.com/groups/global/AllUsers",
        "everyone (AllUsers)",
    ),
    (
        "acs.amazonaws.com/groups/global/AuthenticatedUsers",
        "every AWS account (AuthenticatedUsers)",
    ),
];

/// Canned ACLs that grant a public group.
const PUBLIC_CANNED: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

/// The judgement of one call: a finding when what it set is public, a note when its policy
/// could not be read.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Judged {
    match submitted(call) {
        Submitted::Nothing => Judged::default(),
        Submitted::Unrecorded => Judged::note(format!(
            "{}: the record of {} does not hold the policy it set (CloudTrail leaves out large \
             requests), not judged: run `guardrail check-policy --kind resource` on the \
             resource's policy",
            META.id, call.event_name
        )),
        Submitted::Acl(_, grants) if grants.is_empty() => Judged::default(),
        Submitted::Acl(resource, grants) => {
            let reason = format!(
                "{} called {} on {}: the bucket's ACL grants {} (undo: `aws s3api \
                 put-bucket-acl --bucket {} --acl private`, or put back the grants the \
                 bucket had)",
                call.principal.display(),
                call.event_name,
                resource.id,
                grants.join(", "),
                resource.id,
            );
            Judged::findings(call_finding::finding(
                &META, call, resource, reason, ctx, settings,
            ))
        }
        Submitted::Policy(resource, policy) => {
            let doc = match PolicyDocument::from_value_or_text(&policy) {
                Ok(doc) => doc,
                Err(e) => {
                    return Judged::note(format!(
                        "{}: the policy {} set on {} could not be read, not judged: {e}",
                        META.id, call.event_name, resource.id
                    ))
                }
            };
            let options = AnalysisOptions {
                kind: PolicyKind::ResourceBased,
                own_account: Some(call.account.clone()),
                allowed_regions: None,
            };
            let found: Vec<String> = analyze_public(&doc, &options)
                .into_iter()
                .map(|f| f.message)
                .collect();
            if found.is_empty() {
                return Judged::default();
            }
            let reason = format!(
                "{} called {} on {}, and the policy it set is public: {} (undo: {})",
                call.principal.display(),
                call.event_name,
                resource.id,
                found.join("; "),
                undo(call, &resource),
            );
            Judged::findings(call_finding::finding(
                &META, call, resource, reason, ctx, settings,
            ))
        }
    }
}

/// How the owner takes the exposure back in one call.
fn undo(call: &ApiCall, resource: &ResourceRef) -> String {
    let id = &resource.id;
    match call.service() {
        "s3" => format!(
            "`aws s3api delete-bucket-policy --bucket {id}`, or put back the previous policy"
        ),
        "sqs" => format!(
            "`aws sqs set-queue-attributes --queue-url {} --attributes Policy=''`, or set the \
             previous policy",
            call.request_str("queueUrl").unwrap_or(id)
        ),
        "sns" => format!(
            "`aws sns set-topic-attributes --topic-arn {} --attribute-name Policy \
             --attribute-value FILE` with the previous policy",
            resource.arn
        ),
        "kms" => {
            format!("`aws kms put-key-policy --key-id {id} --policy FILE` with the previous policy")
        }
        "lambda" => format!(
            "`aws lambda remove-permission --function-name {id} --statement-id {}`",
            call.request_str("statementId").unwrap_or("SID")
        ),
        "ecr" => format!("`aws ecr delete-repository-policy --repository-name {id}`"),
        "secretsmanager" => {
            format!("`aws secretsmanager delete-resource-policy --secret-id {id}`")
        }
        _ => "put back the previous policy".to_string(),
    }
}

/// Whether a secret's ARN ends in the `-XXXXXX` Secrets Manager adds to the name (a partial
/// ARN, the name alone, does not; a name that happens to end so is looked up, finds nothing,
/// and exempts nothing).
fn full_secret_arn(arn: &str) -> bool {
    let name = arn.rsplit(':').next().unwrap_or_default();
    let Some((_, suffix)) = name.rsplit_once('-') else {
        return false;
    };
    suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// What `call` set, and on which resource.
pub fn submitted(call: &ApiCall) -> Submitted {
    let req = &call.request;
    let field = |v: &Value, key: &str| v.get(key).filter(|p| !p.is_null()).cloned();
    let attribute = |key: &str| req.get("attributes").and_then(|a| field(a, key));
    let (region, account) = (call.region.as_str(), call.account.as_str());
    let name = |key: &str| call.request_str(key).filter(|n| !n.is_empty());
    // A policy on a resource the record does not name is still judged, on the account (a
    // public policy is never dropped for want of a name).
    // The calls whose request always carries a policy (or an ACL, or a permission).
    let always = matches!(
        (call.service(), call.event_name.as_str()),
        ("s3", "PutBucketPolicy" | "PutBucketAcl")
            | ("kms", "PutKeyPolicy")
            | ("ecr", "SetRepositoryPolicy")
            | ("secretsmanager", "PutResourcePolicy")
    ) || (call.service() == "lambda" && call.event_name.starts_with("AddPermission"));
    if always && !req.is_object() {
        return Submitted::Unrecorded;
    }
    let policy = |resource: Option<ResourceRef>, policy: Option<Value>| match policy {
        None if always => Submitted::Unrecorded,
        None => Submitted::Nothing,
        Some(p) => Submitted::Policy(
            resource.unwrap_or_else(|| call_finding::account(call, call.service())),
            p,
        ),
    };
    match (call.service(), call.event_name.as_str()) {
        ("s3", "PutBucketPolicy") => policy(bucket(call), field(req, "bucketPolicy")),
        ("s3", "PutBucketAcl") => Submitted::Acl(
            bucket(call).unwrap_or_else(|| call_finding::account(call, "S3")),
            public_grants(req),
        ),
        ("sqs", "SetQueueAttributes") => policy(
            name("queueUrl").map(|u| queue(u, region, account)),
            attribute("Policy"),
        ),
        ("sqs", "CreateQueue") => policy(
            name("queueName").map(|n| queue(n, region, account)),
            attribute("Policy"),
        ),
        ("sns", "SetTopicAttributes") => {
            if call.request_str("attributeName") != Some("Policy") {
                return Submitted::Nothing;
            }
            policy(
                name("topicArn").map(|a| topic(a, region, account)),
                field(req, "attributeValue"),
            )
        }
        ("sns", "CreateTopic") => policy(
            call.response_str("topicArn")
                .or(name("name"))
                .map(|a| topic(a, region, account)),
            attribute("Policy"),
        ),
        ("kms", "PutKeyPolicy") => policy(
            name("keyId").map(|k| key(k, region, account)),
            field(req, "policy"),
        ),
        ("kms", "CreateKey") => policy(
            call.response
                .pointer("/keyMetadata/keyId")
                .and_then(Value::as_str)
                .map(|k| key(k, region, account)),
            field(req, "policy"),
        ),
        ("lambda", n) if n.starts_with("AddPermission") => {
            let function = function(name("functionName").unwrap_or("UNNAMED"), region, account);
            // The request's fields are the CloudFormation resource's, in lower camel case.
            let text = |key: &str| {
                let mut k = key.to_string();
                if let Some(first) = k.get_mut(0..1) {
                    first.make_ascii_lowercase();
                }
                call.request_str(&k)
            };
            let sid = call.request_str("statementId").unwrap_or("AddPermission");
            match crate::cfn::lambda_permission::permission_policy(sid, text, function.arn.clone())
            {
                Some(p) => Submitted::Policy(function, p),
                None => Submitted::Unrecorded,
            }
        }
        ("ecr", "SetRepositoryPolicy") => policy(
            name("repositoryName").map(|n| ResourceRef {
                kind: "AWS::ECR::Repository",
                id: n.to_string(),
                arn: format!("arn:aws:ecr:{region}:{account}:repository/{n}"),
            }),
            field(req, "policyText"),
        ),
        ("secretsmanager", "PutResourcePolicy") => policy(
            name("secretId").map(|s| ResourceRef {
                kind: "AWS::SecretsManager::Secret",
                id: s.rsplit(':').next().unwrap_or(s).to_string(),
                // The response's ARN is the full one (a name or partial ARN lacks the
                // suffix Secrets Manager adds).
                arn: match call.response_str("arn").filter(|a| a.starts_with("arn:")) {
                    Some(full) => full.to_string(),
                    None if s.starts_with("arn:") => s.to_string(),
                    None => format!("arn:aws:secretsmanager:{region}:{account}:secret:{s}"),
                },
            }),
            field(req, "resourcePolicy"),
        ),
        _ => Submitted::Nothing,
    }
}

fn bucket(call: &ApiCall) -> Option<ResourceRef> {
    let name = call.request_str("bucketName").filter(|n| !n.is_empty())?;
    Some(ResourceRef {
        kind: "AWS::S3::Bucket",
        id: name.to_string(),
        arn: format!("arn:aws:s3:::{name}"),
    })
}

/// A queue by its URL or name.
fn queue(url_or_name: &str, region: &str, account: &str) -> ResourceRef {
    let name = url_or_name.rsplit('/').next().unwrap_or(url_or_name);
    ResourceRef {
        kind: "AWS::SQS::Queue",
        id: name.to_string(),
        arn: format!("arn:aws:sqs:{region}:{account}:{name}"),
    }
}

/// A topic by its ARN or name.
fn topic(arn_or_name: &str, region: &str, account: &str) -> ResourceRef {
    let name = arn_or_name.rsplit(':').next().unwrap_or(arn_or_name);
    ResourceRef {
        kind: "AWS::SNS::Topic",
        id: name.to_string(),
        arn: if arn_or_name.starts_with("arn:") {
            arn_or_name.to_string()
        } else {
            format!("arn:aws:sns:{region}:{account}:{name}")
        },
    }
}

/// A key by its id or ARN.
fn key(id_or_arn: &str, region: &str, account: &str) -> ResourceRef {
    let id = id_or_arn.rsplit('/').next().unwrap_or(id_or_arn);
    ResourceRef {
        kind: "AWS::KMS::Key",
        id: id.to_string(),
        arn: if id_or_arn.starts_with("arn:") {
            id_or_arn.to_string()
        } else {
            format!("arn:aws:kms:{region}:{account}:key/{id}")
        },
    }
}

/// A function by its name, partial ARN (`ACCOUNT:function:NAME`) or full ARN, each with or
/// without a qualifier (dropped from the id).
fn function(name_or_arn: &str, region: &str, account: &str) -> ResourceRef {
    let arn = if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else if name_or_arn.contains(":function:") {
        format!("arn:aws:lambda:{region}:{name_or_arn}")
    } else {
        format!("arn:aws:lambda:{region}:{account}:function:{name_or_arn}")
    };
    let id = arn
        .split(':')
        .nth(6)
        .filter(|n| !n.is_empty())
        .unwrap_or(name_or_arn)
        .to_string();
    ResourceRef {
        kind: "AWS::Lambda::Function",
        id,
        arn,
    }
}

/// The public groups a PutBucketAcl request grants to, with the permission: a canned ACL
/// (`x-amz-acl`), a grant header (`x-amz-grant-read: uri=...AllUsers`) or a grant of the
/// AccessControlPolicy body. Every string of the request is looked at (a walk with its own
/// stack, bounded by the request's size), since CloudTrail records headers as strings or lists.
fn public_grants(request: &Value) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |what: String| {
        if !found.contains(&what) {
            found.push(what);
        }
    };
    for canned in strings_under(request.get("x-amz-acl")) {
        if PUBLIC_CANNED.contains(&canned.trim()) {
            add(format!("the canned ACL {}", canned.trim()));
        }
    }
    if let Some(map) = request.as_object() {
        for (header, value) in map {
            let Some(permission) = header.strip_prefix("x-amz-grant-") else {
                continue;
            };
            for v in strings_under(Some(value)) {
                for (uri, who) in PUBLIC_GROUPS {
                    if v.contains(uri) {
                        add(format!("{} to {who}", permission.to_ascii_uppercase()));
                    }
                }
            }
        }
    }
    let grants = request.pointer("/AccessControlPolicy/AccessControlList/Grant");
    let grants: Vec<&Value> = match grants {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(g @ Value::Object(_)) => vec![g],
        _ => Vec::new(),
    };
    for grant in grants {
        let permission = grant
            .get("Permission")
            .and_then(Value::as_str)
            .unwrap_or("a permission");
        for v in strings_under(grant.get("Grantee")) {
            for (uri, who) in PUBLIC_GROUPS {
                if v.contains(uri) {
                    add(format!("{permission} to {who}"));
                }
            }
        }
    }
    found
}

/// Every string inside `v` (itself, a list's, an object's values), without recursion.
fn strings_under(v: Option<&Value>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = v.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    out
}
