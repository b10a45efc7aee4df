//! `s3-bucket-policy-changed`: a bucket's policy, ACL, CORS, lifecycle or replication changed (CIS AWS Foundations 4.8).

use super::call_finding::{audited, changed, AUDITED};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "s3-bucket-policy-changed",
    title: "S3 bucket policy or ACL changed",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "PutBucketAcl, PutBucketPolicy, PutBucketCors, PutBucketLifecycle, PutBucketReplication and their Delete calls, by a non-exempt principal.",
    rationale: "A bucket policy or ACL decides who reads the data; a lifecycle rule can delete it (a trail's bucket included). CIS 4.8 asks for an alarm on each change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.8", "Stratus Red Team: aws.exfiltration.s3-backdoor-bucket-policy"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "s3.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it audits: the CIS metric filter's.
pub const EVENTS: &[&str] = &[
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["bucketName"],
        "AWS::S3::Bucket",
        "S3",
        |_, _, id| format!("arn:aws:s3:::{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "who may read or delete the bucket's data",
        ctx,
        settings,
    )
}
