//! `s3-public-access-block-off`: S3 Block Public Access weakened or removed, for a bucket
//! (PutBucketPublicAccessBlock, DeleteBucketPublicAccessBlock) or for the whole account
//! (PutAccountPublicAccessBlock, DeleteAccountPublicAccessBlock, the S3 Control calls
//! CloudTrail records under `s3.amazonaws.com`). The settings are the last line that keeps
//! a public policy or ACL from taking effect; with them off, `resource-policy-public` is the
//! only warning left.
//!
//! Judged on the call: the configuration its request carries is the whole new setting (a
//! Put replaces all four flags), so the flags it leaves off are exactly what was weakened.
//! The setting is then re-read, to turn it back on only while it is still off (and never on a
//! bucket that carries the exempt tag). Swept: the account's setting, and every bucket's where
//! the account's leaves a setting off.

use super::call_finding::{account, audited_with, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::{enabled, RuleMeta};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind, BUCKETS};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{reading, region_finding, sweep_finding};
use crate::trigger::ApiCall;
use serde_json::Value;
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    id: "s3-public-access-block-off",
    title: "S3 Block Public Access weakened or removed",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "PutBucketPublicAccessBlock or PutAccountPublicAccessBlock leaving any of \
             BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets that \
             GUARDRAIL_PUBLIC_ACCESS_BLOCK requires (default all four) off (a Put replaces all \
             four), and DeleteBucketPublicAccessBlock or DeleteAccountPublicAccessBlock (all \
             four off), judged from the call. The alert names the settings turned off and the \
             command that turns them back on.",
    rationale: "Block Public Access is what keeps a public bucket policy or ACL from taking \
                effect, account-wide or per bucket; switching it off is the step before \
                making data public (CIS AWS Foundations 2.1.4, Security Hub S3.1 and S3.8).",
    remediation: "Turn the required settings back on, keeping the others as re-read (remediate \
                  mode; PutPublicAccessBlock on the bucket, or S3 Control's on the account), \
                  after re-reading them: a setting already back on is left alone, a bucket \
                  with the exempt tag is not touched. \
                  The alert gives the undo, the setting as it was re-read (`aws s3api \
                  put-public-access-block --bucket BUCKET --public-access-block-configuration \
                  ...`, or `delete-public-access-block` when none was set). The sweep judges \
                  the account's setting and, where it leaves a setting off, every bucket's; \
                  it alerts only.",
    anchors: &[
        "CIS AWS Foundations 2.1.4",
        "Security Hub S3.1, S3.8",
        "AWS Config: s3-account-level-public-access-blocks, s3-bucket-level-public-access-prohibited",
    ],
    runs: &[
        Runs {
            function: Function::ExposureGuard,
            triggers: &[Subscription::ApiCalls {
                source: "s3.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[
                Permission::arn("s3:GetBucketPublicAccessBlock", BUCKETS),
                Permission::arn("s3:GetBucketTagging", BUCKETS),
                Permission::any("s3:GetAccountPublicAccessBlock"),
            ],
            steps: &[StepKind::PutPublicAccessBlock],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("s3:GetAccountPublicAccessBlock"),
                Permission::any("s3:ListAllMyBuckets"),
                Permission::arn("s3:GetBucketPublicAccessBlock", BUCKETS),
            ],
            steps: &[],
        },
    ],
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

/// A Block Public Access setting as re-read, with the bucket's tags (none for the account).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockState {
    /// Each of [`SETTINGS`], in order; all off when none is set.
    pub on: [bool; 4],
    pub tags: BTreeMap<String, String>,
}

/// The four settings as the CLI writes a configuration (`BlockPublicAcls=true,...`).
pub fn configuration(on: &[bool; 4]) -> String {
    SETTINGS
        .iter()
        .zip(on)
        .map(|(s, on)| format!("{s}={on}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The bucket a bucket-level call names (`None`: the account's calls).
fn bucket(call: &ApiCall) -> Option<&str> {
    call.request_str("bucketName")
        .filter(|b| !b.is_empty() && call.event_name.contains("Bucket"))
}

/// A weakening call is re-read (bucket or account), to restore only what is still off.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        if !META.declares_call(call) || required_off(call, settings).is_empty() {
            return None;
        }
        Some(Need::PublicAccessBlock {
            region: call.region.trim().to_string(),
            bucket: bucket(call).map(str::to_string),
        })
    },
    judge: |call, read, ctx, settings| {
        let state = match read {
            Read::PublicAccessBlock(Some(state)) => state,
            Read::PublicAccessBlock(None) => {
                return Judged::note(format!(
                    "{}: bucket {} no longer exists",
                    META.id,
                    bucket(call).unwrap_or("?")
                ))
            }
            _ => return Judged::mismatched(&[&META]),
        };
        if state.tags.contains_key(&settings.exempt_tag) {
            return Judged::cleared(format!(
                "bucket {} carries the exempt tag {}",
                bucket(call).unwrap_or("?"),
                settings.exempt_tag
            ));
        }
        let target = with_required(&state.on, settings);
        let step = RemediationStep::PutPublicAccessBlock {
            region: call.region.trim().to_string(),
            account: call.account.clone(),
            bucket: bucket(call).map(str::to_string),
            previous: state.on,
            target,
        };
        let done = target == state.on;
        Judged::findings(judge(call, vec![(step, done)], ctx, settings))
    },
};

/// `on` with every setting the deployment requires turned on (the others kept as they are).
pub fn with_required(on: &[bool; 4], settings: &Settings) -> [bool; 4] {
    let mut target = *on;
    for (t, required) in target.iter_mut().zip(&settings.public_access_block) {
        *t |= *required;
    }
    target
}

/// The required settings ([`Settings::public_access_block`]) a call leaves off.
fn required_off(call: &ApiCall, settings: &Settings) -> Vec<&'static str> {
    turned_off(call)
        .into_iter()
        .filter(|s| required(s, settings))
        .collect()
}

/// Whether the deployment requires `setting` on.
fn required(setting: &str, settings: &Settings) -> bool {
    SETTINGS
        .iter()
        .zip(&settings.public_access_block)
        .any(|(s, r)| *r && *s == setting)
}

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

/// The change, on the bucket or the account, when it leaves a setting off, with the step that
/// turns the settings back on (as the re-read planned it).
pub fn judge(
    call: &ApiCall,
    steps: Steps,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let left = turned_off(call);
    let off: Vec<&str> = left
        .iter()
        .copied()
        .filter(|s| required(s, settings))
        .collect();
    if off.is_empty() {
        return None;
    }
    // What the call set, with the required settings on again.
    let set: [bool; 4] = std::array::from_fn(|i| !left.contains(&SETTINGS[i]));
    let on_all = configuration(&with_required(&set, settings));
    let (resource, undo) = match bucket(call) {
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
        "{} now off: a public policy or ACL takes effect; to turn it back on: `{undo}`",
        off.join(", ")
    );
    audited_with(&META, call, resource, &why, steps, ctx, settings)
}

/// The account's setting and the buckets' as the sweep read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountBlocks {
    /// The account's setting (all off when none is set).
    pub account: [bool; 4],
    /// Each bucket with its own setting, when the account's leaves one off
    /// ([`buckets_matter`]); empty otherwise.
    pub buckets: Vec<(String, [bool; 4])>,
}

/// Whether the buckets' own settings matter: the account's leaves one off (all four on at the
/// account level cover every bucket, and no bucket needs reading).
pub fn buckets_matter(account: &[bool; 4]) -> bool {
    !account.iter().all(|on| *on)
}

/// The names of the settings `on` leaves off.
fn off(on: &[bool; 4]) -> Vec<&'static str> {
    SETTINGS
        .iter()
        .zip(on)
        .filter(|(_, on)| !**on)
        .map(|(s, _)| *s)
        .collect()
}

/// The account's Block Public Access (CIS 2.1.4), and each bucket whose own setting leaves off
/// what the account's does (Security Hub S3.8); alert only.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = enabled(&META, settings) else {
            return;
        };
        let Some(blocks) = reading(&facts.public_access_blocks, meta, "the account", out) else {
            return;
        };
        let account = &facts.account;
        let need = |on: &[bool; 4]| -> Vec<&'static str> {
            off(on)
                .into_iter()
                .filter(|s| required(s, settings))
                .collect()
        };
        let unblocked = need(&blocks.account);
        if unblocked.is_empty() {
            return;
        }
        let reason = format!(
            "S3 Block Public Access for account {account} leaves {} off: a bucket whose own \
             setting does not block public access can be made public (aws s3control \
             put-public-access-block --account-id {account} --public-access-block-configuration \
             {})",
            unblocked.join(", "),
            configuration(&with_required(&blocks.account, settings))
        );
        let resource = ResourceRef {
            kind: "AWS::::Account",
            id: format!("S3 Block Public Access of {account}"),
            arn: format!("arn:aws:s3:::account/{account}"),
        };
        out.findings.push(sweep_finding(
            facts,
            meta,
            mode,
            resource,
            reason,
            Vec::new(),
            settings,
        ));
        for (bucket, own) in &blocks.buckets {
            let mut effective = *own;
            for (e, a) in effective.iter_mut().zip(&blocks.account) {
                *e |= *a;
            }
            let left = need(&effective);
            if left.is_empty() {
                continue;
            }
            let reason = format!(
                "S3 bucket {bucket}: Block Public Access leaves {} off, at the bucket and at the \
                 account: a public policy or ACL on it takes effect (aws s3api \
                 put-public-access-block --bucket {bucket} --public-access-block-configuration \
                 {})",
                left.join(", "),
                configuration(&with_required(own, settings))
            );
            let resource = ResourceRef {
                kind: "AWS::S3::Bucket",
                id: bucket.clone(),
                arn: format!("arn:aws:s3:::{bucket}"),
            };
            let f = region_finding(
                facts,
                meta,
                mode,
                resource,
                &facts.iam_region,
                reason,
                settings,
            );
            out.findings.push(f);
        }
    },
};
