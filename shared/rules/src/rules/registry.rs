//! The judges of API calls: one registry line per rule (or per family of rules judged
//! together, like the policy rules that share one analysis of a document).
//!
//! A judge says what it [`Need`]s re-read to judge a call; the adapters read it in the call's
//! account (`guardrail_aws::needs`) and hand back a [`Read`]; the judge turns that into
//! findings and notes. The function only runs the loop ([`CALL_JUDGES`], in order, round by
//! round), so a new rule for calls is its file, one line here, its `events/` and its tests;
//! the templates' patterns and roles follow from its [`super::RuleMeta::runs`] (tested).

use super::{
    access_analyzer_deleted, cloudtrail_logging_stopped, cloudtrail_trail_deleted,
    cloudtrail_trail_weakened, config_recorder_stopped, guardduty_disabled,
    guardrail_stack_changed, iam_access_key_for_other_user, iam_access_key_old, iam_change_audit,
    iam_credentials_unused, iam_password_policy_weak, iam_permissions_boundary_missing,
    iam_role_unused, iam_root_access_key, iam_root_activity, iam_root_mfa,
    iam_user_console_without_mfa, iam_user_direct_policy, iam_user_unused, region_not_allowed,
    securityhub_disabled, Function, RuleMeta,
};
use crate::ebs::{self, RegionFacts, VolumeFacts};
use crate::finding::{EventContext, Finding};
use crate::iam::principals::{self, Affected};
use crate::iam::{self, IamChange};
use crate::plan::IamTarget;
use crate::region::{Current, Subjects};
use crate::rules::iam_permissions_boundary_missing::BoundaryState;
use crate::rules::iam_user_console_without_mfa::ConsoleUser;
use crate::rules::vpc_security_group_admin_port_open::GroupRules;
use crate::settings::Settings;
use crate::sweep::{self, AccountFacts, SweepFacts, Swept};
use crate::trigger::ApiCall;
use std::collections::{BTreeMap, BTreeSet};

/// What a judge needs re-read before it can judge a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing: the event is enough.
    Nothing,
    /// The IAM object the call changed (`iam::change`).
    Change(IamChange),
    /// A user's or role's permissions boundary and tags.
    Boundary(IamTarget),
    /// The users and roles whose effective access the call may have changed, with every
    /// policy they hold.
    Principals(Affected),
    /// EBS volumes in the call's region; with `region_default`, also the region's
    /// encryption-by-default setting when [`ebs::default_matters`] says the volumes make it
    /// matter (an unencrypted one shows the gap).
    Volumes {
        region: String,
        ids: Vec<String>,
        region_default: bool,
    },
    /// The EBS volumes attached to instances (a RunInstances' launch), read as for
    /// [`Need::Volumes`] and answered as [`Read::Volumes`].
    InstanceVolumes {
        region: String,
        instance_ids: Vec<String>,
        region_default: bool,
    },
    /// The call added to counters of the incident ledger (the rules that alert on a burst).
    Tallies(Vec<crate::tally::Tally>),
    /// What a call created (instances, a volume) in the call's region.
    Created { region: String, subjects: Subjects },
    /// A region's EBS encryption-by-default setting.
    EbsDefault { region: String },
    /// Who may create volumes from a snapshot (its createVolumePermission).
    SnapshotShares { region: String, snapshot_id: String },
    /// Who may launch instances from an image (its launchPermission).
    ImageShares { region: String, image_id: String },
    /// An AWS Config configuration recorder's status in a region.
    Recorder { region: String, name: String },
    /// Whether a CloudTrail trail logs (`name`: its name or ARN).
    Trail { region: String, name: String },
    /// The trails that deliver to S3, with their buckets, as the region lists them (a
    /// multi-region or organisation trail of another home region included).
    TrailBuckets { region: String },
    /// A KMS key's state.
    Key { region: String, key_id: String },
    /// A security group's tags and rules.
    SecurityGroupRules { region: String, group_id: String },
    /// Whether an EventBridge rule (of the default bus) is enabled.
    EventRule { region: String, name: String },
    /// EC2's block public access state in a region: for AMIs (`images`) or for snapshots.
    Ec2BlockPublicAccess { region: String, images: bool },
    /// S3 Block Public Access as it is now: a bucket's, with the bucket's tags, or (`bucket:
    /// None`) the account's.
    PublicAccessBlock {
        region: String,
        bucket: Option<String>,
    },
    /// A resource's tags, by its ARN (a bucket's through S3, every other service's through
    /// the Resource Groups Tagging API): a bucket, queue, topic, key, function, repository or
    /// secret. Optional ([`Need::optional`]).
    ResourceTags { region: String, arn: String },
}

impl Need {
    /// Whether the judgement stands without these facts: they can only spare a finding (an
    /// exemption's tags). A failed read (a member role gone, a permission denied, a throttled
    /// call) is then handed to the judge as [`Read::Unread`] instead of failing the
    /// invocation, so a role or permission gone missing never costs a critical alert: at worst
    /// an exempt resource is alerted, with a note saying its tags were not read.
    pub fn optional(&self) -> bool {
        matches!(self, Need::ResourceTags { .. })
    }

    /// What a judge gets where nothing can be read (`guardrail event`, the fuzzer): nothing
    /// for [`Need::Nothing`], [`Read::Unread`] with `why` for an optional need; `None` when the
    /// judgement needs facts only AWS has.
    pub fn without_aws(&self, why: &str) -> Option<Read> {
        match self {
            Need::Nothing => Some(Read::Nothing),
            need if need.optional() => Some(Read::Unread(why.to_string())),
            _ => None,
        }
    }
}

/// What the adapters read for a [`Need`]: facts, no decisions (a version that is no longer
/// the default, a policy no longer attached, is judged here, not there).
#[derive(Debug, Clone)]
pub enum Read {
    Nothing,
    Change(ChangeRead),
    /// `None`: no such user or role.
    Boundary(Option<BoundaryState>),
    Principals(PrincipalsRead),
    Volumes {
        /// Each id asked for, with the volume as it is now (`None`: gone).
        volumes: Vec<(String, Option<VolumeFacts>)>,
        /// The region's default, when asked for and it matters.
        region: Option<RegionFacts>,
    },
    Created(Current),
    /// Each counter's distinct events, the call included, in the order asked; `None`: no
    /// ledger to count in (a local run without a table).
    Tallies(Option<Vec<u32>>),
    EbsDefault(RegionFacts),
    /// `None`: no such snapshot.
    SnapshotShares(Option<SnapshotShares>),
    /// `None`: no such image (deregistered since).
    ImageShares(Option<SnapshotShares>),
    /// Whether the recorder is recording (`None`: no such recorder).
    Recorder(Option<bool>),
    /// Whether the trail is logging (`None`: no such trail).
    Trail(Option<bool>),
    TrailBuckets(Vec<TrailBucket>),
    /// The key's state as KMS names it (`Enabled`, `Disabled`, `PendingDeletion`, ...;
    /// `None`: no such key).
    Key(Option<String>),
    /// `None`: no such security group.
    SecurityGroupRules(Option<GroupRules>),
    /// Whether the rule is enabled (`None`: no such rule).
    EventRule(Option<bool>),
    /// The state as EC2 names it (`unblocked`, `block-all-sharing`, `block-new-sharing`).
    Ec2BlockPublicAccess(String),
    /// `None`: no such bucket.
    PublicAccessBlock(Option<super::s3_public_access_block_off::BlockState>),
    /// The resource's tags (none: untagged, or no such resource; the Tagging API does not
    /// tell them apart).
    ResourceTags(BTreeMap<String, String>),
    /// An optional need that could not be read, and why ([`Need::optional`]).
    Unread(String),
}

/// An [`IamChange`] as re-read; every `None` means "no longer exists".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRead {
    PolicyVersion {
        policy_arn: String,
        /// The version the event made default, if it says.
        event_version: Option<String>,
        /// The current default version and its document.
        current: Option<(String, String)>,
        /// The newest other version, to revert to.
        previous: Option<String>,
        /// That version's document, to tell what the new default adds over it.
        previous_document: Option<String>,
    },
    Attached {
        target: IamTarget,
        policy_arn: String,
        /// What the user, group or role holds now (`None`: it is gone).
        attached: Option<Vec<String>>,
        /// The policy's default document.
        document: Option<String>,
    },
    Inline {
        target: IamTarget,
        policy_name: String,
        document: Option<String>,
    },
    Trust {
        role_name: String,
        document: Option<String>,
    },
    ConsoleAccess {
        user_name: String,
        user: Option<ConsoleUser>,
    },
    AccessKey {
        user_name: String,
        access_key_id: String,
        /// The key's status (`None`: gone).
        active: Option<bool>,
    },
}

/// A trail and the bucket it delivers to (DescribeTrails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailBucket {
    pub trail_arn: String,
    pub bucket: String,
    /// `S3KeyPrefix`, when the trail sets one.
    pub prefix: Option<String>,
}

/// Who may use a snapshot (its createVolumePermission, DescribeSnapshotAttribute) or an
/// image (its launchPermission, DescribeImageAttribute): the same two kinds of grantee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotShares {
    /// The snapshot's or the image's id.
    pub snapshot_id: String,
    /// The group `all`: every AWS account.
    pub public: bool,
    pub accounts: Vec<String>,
    /// Its tags (the exempt tag spares it).
    pub tags: BTreeMap<String, String>,
}

/// The principals a call affected, as read (`Iam::read_principals`).
#[derive(Debug, Clone, Default)]
pub struct PrincipalsRead {
    pub facts: AccountFacts,
    /// ARNs of the users and roles the call affected (others were read to follow chains).
    pub affected: BTreeSet<String>,
    /// What could not be read, in words.
    pub notes: Vec<String>,
}

/// A judgement: findings, and notes on what was left alone and why.
#[derive(Debug, Default)]
pub struct Judged {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// Why the call as a whole was left alone (the answer's `skipped`), when it was: a region
    /// that is allowed, an exempt instance.
    pub cleared: Option<String>,
}

impl Judged {
    pub fn findings(findings: impl IntoIterator<Item = Finding>) -> Judged {
        Judged {
            findings: findings.into_iter().collect(),
            ..Judged::default()
        }
    }

    pub fn note(note: impl Into<String>) -> Judged {
        Judged {
            notes: vec![note.into()],
            ..Judged::default()
        }
    }

    /// The call left alone, and why.
    pub fn cleared(why: impl Into<String>) -> Judged {
        Judged {
            cleared: Some(why.into()),
            ..Judged::default()
        }
    }

    /// The read does not answer the need (a registry mistake): said, never a panic.
    pub fn mismatched(rules: &[&RuleMeta]) -> Judged {
        let ids: Vec<&str> = rules.iter().map(|m| m.id).collect();
        Judged::note(format!("{}: not judged (unexpected facts)", ids.join(", ")))
    }
}

/// When a judge's findings are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Round {
    /// With the change itself, remediation included.
    Change,
    /// After the first round's remediation, on state read after it: a policy the guardrail
    /// just detached no longer makes its holder an administrator.
    AfterRemediation,
}

/// One registry line.
pub struct CallJudge {
    /// The rules it judges (their modes decide; their `runs` say in which functions).
    pub rules: &'static [&'static RuleMeta],
    pub round: Round,
    /// What it needs re-read to judge `call`; `None`: not its call, or all its rules are off.
    pub needs: fn(&ApiCall, &Settings) -> Option<Need>,
    pub judge: fn(&ApiCall, &Read, &EventContext, &Settings) -> Judged,
}

impl CallJudge {
    /// Whether it runs in `function` (one of its rules is declared there on API calls; the
    /// same rule swept on a schedule is judged by the sweep's registry).
    pub fn runs_in(&self, function: Function) -> bool {
        self.rules.iter().any(|m| {
            m.runs
                .iter()
                .any(|r| r.function == function && r.triggers.iter().any(|t| t.is_call()))
        })
    }

    /// Whether any of its rules is on.
    pub fn any_enabled(&self, settings: &Settings) -> bool {
        self.rules
            .iter()
            .any(|m| super::enabled(m, settings).is_some())
    }
}

/// The registry line of a rule judged from the call alone: it needs nothing re-read for the
/// calls its `runs` declare, and `judge(call, ctx, settings)` gives at most one finding.
macro_rules! from_the_call {
    ($meta:path, $judge:path) => {
        $crate::rules::registry::CallJudge {
            rules: &[&$meta],
            round: $crate::rules::registry::Round::Change,
            needs: |call, _| {
                $meta
                    .declares_call(call)
                    .then_some($crate::rules::registry::Need::Nothing)
            },
            judge: |call, _, ctx, settings| {
                $crate::rules::registry::Judged::findings($judge(call, ctx, settings))
            },
        }
    };
}
pub(crate) use from_the_call;

/// Every judge of API calls, in reporting order.
pub const CALL_JUDGES: &[&CallJudge] = &[
    &ebs::JUDGE,
    &super::ebs_snapshot_shared::JUDGE,
    &super::ec2_image_shared::JUDGE,
    &super::ec2_block_public_access_off::JUDGE,
    &region_not_allowed::JUDGE,
    &super::network_source_ip_not_allowed::JUDGE,
    &iam_root_activity::JUDGE,
    &iam::POLICY_JUDGE,
    &iam_user_direct_policy::JUDGE,
    &iam_user_console_without_mfa::JUDGE,
    &iam_access_key_for_other_user::JUDGE,
    &iam_permissions_boundary_missing::JUDGE,
    &iam_change_audit::JUDGE,
    &principals::JUDGE,
    &cloudtrail_logging_stopped::JUDGE,
    &cloudtrail_trail_deleted::JUDGE,
    &cloudtrail_trail_weakened::JUDGE,
    &super::cloudtrail_bucket_weakened::JUDGE,
    &super::cloudtrail_changed::JUDGE,
    &config_recorder_stopped::JUDGE,
    &super::config_changed::JUDGE,
    &guardduty_disabled::JUDGE,
    &access_analyzer_deleted::JUDGE,
    &securityhub_disabled::JUDGE,
    &guardrail_stack_changed::JUDGE,
    &super::kms_key_disabled::JUDGE,
    &super::s3_bucket_policy_changed::JUDGE,
    &super::vpc_security_group_changed::JUDGE,
    &super::vpc_security_group_admin_port_open::JUDGE,
    &super::resource_policy_public::JUDGE,
    &super::s3_public_access_block_off::JUDGE,
    &super::vpc_nacl_changed::JUDGE,
    &super::vpc_gateway_changed::JUDGE,
    &super::vpc_route_table_changed::JUDGE,
    &super::vpc_changed::JUDGE,
    &super::organizations_changed::JUDGE,
];

/// The judges of one function, in order.
pub fn call_judges(function: Function) -> impl Iterator<Item = &'static CallJudge> {
    CALL_JUDGES
        .iter()
        .copied()
        .filter(move |j| j.runs_in(function))
}

/// The judges of *failed* calls (the gate passes failed calls only to these): the rules that
/// count refusals. A failed call changed nothing, so no other judge sees it.
pub const FAILED_CALL_JUDGES: &[&CallJudge] = &[
    &super::api_calls_unauthorized::JUDGE,
    &super::console_sign_in_failures::JUDGE,
];

/// The judges of failed calls that run in `function`.
pub fn failed_call_judges(function: Function) -> impl Iterator<Item = &'static CallJudge> {
    FAILED_CALL_JUDGES
        .iter()
        .copied()
        .filter(move |j| j.runs_in(function))
}

/// The [`Need::Change`] of a call when `keep` accepts the change.
pub fn change_if(call: &ApiCall, keep: fn(&IamChange) -> bool) -> Option<Need> {
    let change = iam::change(call);
    keep(&change).then_some(Need::Change(change))
}

/// One line of the sweep's registry: rules judged over a whole account's facts (the
/// schedule, AWS Config's periodic run, `guardrail scan`), findings and notes added to `out`.
pub struct SweepJudge {
    pub rules: &'static [&'static RuleMeta],
    pub judge: fn(&SweepFacts, &Settings, &mut Swept),
}

impl SweepJudge {
    /// Whether any of its rules is on.
    pub fn any_enabled(&self, settings: &Settings) -> bool {
        self.rules
            .iter()
            .any(|m| super::enabled(m, settings).is_some())
    }
}

/// The policy family over every document of the account (one analysis per document).
pub const POLICIES_SWEEP: SweepJudge = SweepJudge {
    rules: iam::DOCUMENT_RULES,
    judge: sweep::policies,
};

/// The `iam-principal-*` family over every user and role, with the audit matrix.
pub const PRINCIPALS_SWEEP: SweepJudge = SweepJudge {
    rules: principals::JUDGE.rules,
    judge: sweep::principals,
};

/// Every judge of the sweep, in reporting order. A rule the sweep runs (`runs` names
/// [`Function::AccountSweep`]) has exactly one line here (tested).
pub const SWEEP_JUDGES: &[&SweepJudge] = &[
    &POLICIES_SWEEP,
    &iam_user_direct_policy::SWEEP,
    &PRINCIPALS_SWEEP,
    &iam_password_policy_weak::SWEEP,
    &iam_root_mfa::SWEEP,
    &iam_root_access_key::SWEEP,
    &iam_user_console_without_mfa::SWEEP,
    &iam_credentials_unused::SWEEP,
    &iam_access_key_old::SWEEP,
    &iam_user_unused::SWEEP,
    &iam_role_unused::SWEEP,
    &ebs::SWEEP,
    &super::vpc_security_group_admin_port_open::SWEEP,
    &super::ebs_snapshot_shared::SWEEP,
    &super::ec2_image_shared::SWEEP,
    &cloudtrail_logging_stopped::SWEEP,
    &config_recorder_stopped::SWEEP,
    &access_analyzer_deleted::SWEEP,
    &guardduty_disabled::SWEEP,
    &super::s3_public_access_block_off::SWEEP,
    // After the principals: it reads the audit matrix they leave.
    &super::iam_permissions_unused::SWEEP,
];
