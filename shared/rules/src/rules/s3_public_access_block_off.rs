//! `s3-public-access-block-off`: S3 Block Public Access weakened or removed, for a bucket
//! (PutBucketPublicAccessBlock, DeleteBucketPublicAccessBlock) or for the whole account
//! (PutAccountPublicAccessBlock, DeleteAccountPublicAccessBlock, the S3 Control calls
//! CloudTrail records under `s3.amazonaws.com`). The settings are the last line that keeps
//! a public policy or ACL from taking effect; with them off, `resource-policy-public` is the
//! only warning left.
//!
//! Judged from the call: the configuration its request carries is the whole new setting (a
//! Put replaces all four flags), so the flags it leaves off are exactly what was weakened.

use super::call_finding::{account, audited};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "s3-public-access-block-off",
    title: "S3 Block Public Access weakened or removed",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "PutBucketPublicAccessBlock or PutAccountPublicAccessBlock leaving any of \
             BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off \
             (a Put replaces all four), and DeleteBucketPublicAccessBlock or \
             DeleteAccountPublicAccessBlock (all four off), judged from the call. The alert \
             names the settings turned off and the command that turns them back on.",
    rationale: "Block Public Access is what keeps a public bucket policy or ACL from taking \
                effect, account-wide or per bucket; switching it off is the step before \
                making data public (CIS AWS Foundations 2.1.4, Security Hub S3.1 and S3.8).",
    remediation: "Alert only for now: turn the settings back on with the command the alert \
                  gives (`aws s3api put-public-access-block --bucket BUCKET \
                  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,\
                  BlockPublicPolicy=true,RestrictPublicBuckets=true`, or `aws s3control \
                  put-public-access-block --account-id ACCOUNT ...` for the account).",
    anchors: &[
        "CIS AWS Foundations 2.1.4",
        "Security Hub S3.1, S3.8",
        "AWS Config: s3-account-level-public-access-blocks, s3-bucket-level-public-access-prohibited",
    ],
    runs: &[Runs {
        function: Function::ExposureGuard,
        triggers: &[Subscription::ApiCalls {
            source: "s3.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls that set or remove a bucket's or the account's Block Public Access.
pub const EVENTS: &[&str] = &[
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
];

/// The four settings, in the order AWS lists them.
pub const SETTINGS: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The settings a call leaves off: all four for a Delete (or a Put whose record holds no
/// configuration), else those its configuration does not set to true.
pub fn turned_off(call: &ApiCall) -> Vec<&'static str> {
    if call.event_name.starts_with("Delete") {
        return SETTINGS.to_vec();
    }
    let config = call
        .request
        .get("PublicAccessBlockConfiguration")
        .or_else(|| call.request.get("publicAccessBlockConfiguration"));
    let Some(config) = config else {
        return SETTINGS.to_vec();
    };
    SETTINGS
        .iter()
        .copied()
        .filter(|s| {
            let on = match config.get(*s) {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(v)) => v.trim().eq_ignore_ascii_case("true"),
                _ => false,
            };
            !on
        })
        .collect()
}

/// The change, on the bucket or the account, when it leaves a setting off.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let off = turned_off(call);
    if off.is_empty() {
        return None;
    }
    let on_all = "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,\
                  RestrictPublicBuckets=true";
    let bucket = call
        .request_str("bucketName")
        .filter(|b| !b.is_empty() && call.event_name.contains("Bucket"));
    let (resource, undo) = match bucket {
        Some(b) => (
            ResourceRef {
                kind: "AWS::S3::Bucket",
                id: b.to_string(),
                arn: format!("arn:aws:s3:::{b}"),
            },
            format!(
                "aws s3api put-public-access-block --bucket {b} \
                 --public-access-block-configuration {on_all}"
            ),
        ),
        None => (
            account(call, "S3 Block Public Access"),
            format!(
                "aws s3control put-public-access-block --account-id {} \
                 --public-access-block-configuration {on_all}",
                call.account
            ),
        ),
    };
    let why = format!(
        "{} now off: a public policy or ACL takes effect; undo: `{undo}`",
        off.join(", ")
    );
    audited(&META, call, resource, &why, ctx, settings)
}
