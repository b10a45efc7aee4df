//! `cloudtrail-bucket-weakened`: a trail's S3 bucket changed so that its logs are deleted or
//! no longer delivered (Stratus Red Team `cloudtrail-lifecycle-rule`): a lifecycle rule that
//! expires objects, a bucket policy that no longer lets CloudTrail write, or the policy
//! deleted (CloudTrail's delivery needs it).
//!
//! Which buckets are trail buckets is re-read (DescribeTrails in the call's region, shadow
//! trails included); any other bucket's change is left to `s3-bucket-policy-changed`.
//! Whether the new policy still lets CloudTrail deliver is evaluated, not matched: the policy
//! engine decides CloudTrail's own request (service principal `cloudtrail.amazonaws.com`,
//! `s3:PutObject` on the trail's `AWSLogs/ACCOUNT/` key with `bucket-owner-full-control`,
//! its `aws:SourceArn` and `aws:SourceAccount`), so a Deny, a condition or a wrong
//! resource is honoured exactly as S3 would.

use super::call_finding::audited;
use super::registry::{CallJudge, Judged, Need, Read, Round, TrailBucket};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, ResourceRef};
use crate::mode::Mode;
use crate::permission::Permission;
use crate::policy::{evaluate, PolicyDocument, PrincipalType, RequestContext, RequestPrincipal};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-bucket-weakened",
    title: "CloudTrail bucket set to delete or refuse the logs",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "On a trail's bucket (DescribeTrails re-read in the call's region): \
             PutBucketLifecycle with an enabled rule that expires objects, PutBucketPolicy \
             whose policy no longer allows CloudTrail's own delivery request (evaluated: \
             `cloudtrail.amazonaws.com` putting the trail's `AWSLogs/ACCOUNT/` objects with \
             `bucket-owner-full-control`, its SourceArn and SourceAccount), and \
             DeleteBucketPolicy.",
    rationale: "An intruder who cannot stop the trail can still make its logs vanish: a \
                one-day expiration deletes them, a Deny for CloudTrail stops delivery, and \
                both look like routine bucket housekeeping (Stratus Red Team \
                `cloudtrail-lifecycle-rule`, CIS 3.3/3.6's intent).",
    remediation: "Alert only: the alert names the trail, the change and how to undo it \
                  (`aws s3api delete-bucket-lifecycle --bucket BUCKET`, or put back the \
                  CloudTrail delivery statements of the bucket policy).",
    anchors: &[
        "Stratus Red Team: aws.defense-evasion.cloudtrail-lifecycle-rule",
        "CIS AWS Foundations 3.3 (trail bucket not public), 3.6 (access logging)",
    ],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "s3.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[Permission::any("cloudtrail:DescribeTrails")],
        steps: &[],
    }],
    per_event: true,
};

/// The bucket calls that can delete a trail's logs or stop their delivery.
pub const EVENTS: &[&str] = &[
    "PutBucketLifecycle",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
];

/// Judged on the trails as re-read.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        (META.declares_call(call) && call.request_str("bucketName").is_some()).then(|| {
            Need::TrailBuckets {
                region: call.region.trim().to_string(),
            }
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::TrailBuckets(trails) => judge(call, trails, ctx, settings),
        _ => Judged::mismatched(&[&META]),
    },
};

/// The judgement: nothing for a bucket no trail uses.
pub fn judge(
    call: &ApiCall,
    trails: &[TrailBucket],
    ctx: &EventContext,
    settings: &Settings,
) -> Judged {
    let Some(bucket) = call.request_str("bucketName") else {
        return Judged::default();
    };
    let mine: Vec<&TrailBucket> = trails.iter().filter(|t| t.bucket == bucket).collect();
    if mine.is_empty() {
        return Judged::default();
    }
    let names: Vec<&str> = mine
        .iter()
        .map(|t| t.trail_arn.rsplit('/').next().unwrap_or(&t.trail_arn))
        .collect();
    let what = match call.event_name.as_str() {
        "DeleteBucketPolicy" => Some(format!(
            "the bucket policy CloudTrail needs to deliver is deleted: trail {} no longer \
             writes its logs; undo: put back the policy with CloudTrail's delivery statements",
            names.join(", ")
        )),
        "PutBucketLifecycle" => expiry(&call.request).map(|days| {
            format!(
                "a lifecycle rule now deletes the logs of trail {} after {days}; undo: `aws \
                 s3api delete-bucket-lifecycle --bucket {bucket}` (or remove that rule)",
                names.join(", ")
            )
        }),
        "PutBucketPolicy" => match policy(&call.request) {
            None => {
                return Judged::note(format!(
                    "{}: the policy set on trail bucket {bucket} is not in the record, not \
                     judged",
                    META.id
                ))
            }
            Some(Err(e)) => {
                return Judged::note(format!(
                    "{}: the policy set on trail bucket {bucket} could not be read, not \
                     judged: {e}",
                    META.id
                ))
            }
            Some(Ok(doc)) => {
                let refused: Vec<&str> = mine
                    .iter()
                    .zip(&names)
                    .filter(|(t, _)| !delivers(&doc, t, &call.account))
                    .map(|(_, n)| *n)
                    .collect();
                (!refused.is_empty()).then(|| {
                    format!(
                        "the new policy no longer lets CloudTrail deliver the logs of trail \
                         {}; undo: put back the policy's CloudTrail delivery statements",
                        refused.join(", ")
                    )
                })
            }
        },
        _ => None,
    };
    let Some(what) = what else {
        return Judged::default();
    };
    let resource = ResourceRef {
        kind: "AWS::S3::Bucket",
        id: bucket.to_string(),
        arn: format!("arn:aws:s3:::{bucket}"),
    };
    Judged::findings(audited(&META, call, resource, &what, ctx, settings))
}

/// The policy a PutBucketPolicy set: `None` when the record does not hold it.
fn policy(request: &Value) -> Option<Result<PolicyDocument, crate::policy::PolicyParseError>> {
    request
        .get("bucketPolicy")
        .filter(|p| !p.is_null())
        .map(PolicyDocument::from_value_or_text)
}

/// Whether the policy lets CloudTrail deliver this trail's logs: its request as CloudTrail
/// makes it, evaluated.
fn delivers(doc: &PolicyDocument, trail: &TrailBucket, account: &str) -> bool {
    let key = match &trail.prefix {
        Some(p) => format!(
            "{}/AWSLogs/{account}/CloudTrail/guardrail-probe.json.gz",
            p.trim_end_matches('/')
        ),
        None => format!("AWSLogs/{account}/CloudTrail/guardrail-probe.json.gz"),
    };
    let request = RequestContext::new(
        "s3:PutObject",
        format!("arn:aws:s3:::{}/{key}", trail.bucket),
    )
    .with_principal(RequestPrincipal {
        kind: PrincipalType::Service,
        id: "cloudtrail.amazonaws.com".to_string(),
    })
    .with("s3:x-amz-acl", "bucket-owner-full-control")
    .with("aws:SourceArn", trail.trail_arn.clone())
    .with("aws:SourceAccount", account)
    .with("aws:PrincipalIsAWSService", "true")
    .with("aws:PrincipalServiceName", "cloudtrail.amazonaws.com")
    .with("aws:SecureTransport", "true");
    evaluate(&[doc], &request).is_allowed()
}

/// The shortest expiration of an enabled lifecycle rule, in words (`1 day`, `30 days`, `a
/// date`); `None` when no enabled rule expires objects. CloudTrail records the rules under
/// `LifecycleConfiguration.Rule`, one object or a list.
fn expiry(request: &Value) -> Option<String> {
    let rules = request
        .get("LifecycleConfiguration")
        .or_else(|| request.get("lifecycleConfiguration"))?
        .get("Rule")?;
    let rules: Vec<&Value> = match rules {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => return None,
    };
    let mut shortest: Option<u64> = None;
    let mut dated = false;
    for r in rules {
        let enabled = r
            .get("Status")
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("enabled"));
        let Some(exp) = r.get("Expiration").filter(|_| enabled) else {
            continue;
        };
        let days = match exp.get("Days") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        match days {
            Some(d) => shortest = Some(shortest.map_or(d, |s| s.min(d))),
            None if exp.get("Date").is_some() => dated = true,
            None => {}
        }
    }
    match (shortest, dated) {
        (Some(1), _) => Some("1 day".to_string()),
        (Some(d), _) => Some(format!("{d} days")),
        (None, true) => Some("a date".to_string()),
        (None, false) => None,
    }
}
