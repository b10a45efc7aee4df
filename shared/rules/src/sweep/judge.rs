//! The sweep itself: every rule over the facts of a whole account.

use super::account::{AccountFacts, InlinePolicy, RoleDetail, UserDetail};
use super::credential_report::{CredentialReport, CredentialRow};
use super::password_policy::PasswordPolicy;
use crate::access::{self, AccessOptions, AuditMatrix, Principals};
use crate::ebs::{RegionFacts, VolumeFacts};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::iam::{self, PolicySubject};
use crate::mode::Mode;
use crate::plan::{IamTarget, IamTargetKind, RemediationStep};
use crate::rules::iam_permissions_unused::{self, UsageLookup, UsageReads};
use crate::rules::registry::SWEEP_JUDGES;
use crate::rules::{enabled, iam_credentials_unused, RuleMeta};
use crate::settings::Settings;
use std::collections::BTreeMap;

/// An access key as ListAccessKeys reports it: the credential report names key *slots*, and a
/// key can only be deactivated by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyMeta {
    pub id: String,
    pub active: bool,
    /// Creation time (seconds since the epoch): the report's `last_rotated` of its slot.
    pub created: Option<i64>,
}

/// One region's EBS and security group facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSweep {
    pub facts: RegionFacts,
    pub volumes: Vec<VolumeFacts>,
    /// Every security group with its rules (`vpc-security-group-admin-port-open`).
    pub security_groups: Vec<crate::rules::vpc_security_group_admin_port_open::GroupRules>,
    /// The account's own images with their launch permissions (`ec2-image-shared`).
    pub images: Vec<crate::rules::registry::SnapshotShares>,
    /// The account's own snapshots with their createVolumePermissions
    /// (`ebs-snapshot-shared`).
    pub snapshots: Vec<crate::rules::registry::SnapshotShares>,
    /// The region's AWS Config recorders (`config-recorder-stopped`).
    pub recorders: Reading<Vec<crate::rules::config_recorder_stopped::RecorderStatus>>,
    /// The region's IAM Access Analyzer analyzers (`access-analyzer-deleted`).
    pub analyzers: Reading<Vec<crate::rules::access_analyzer_deleted::AnalyzerStatus>>,
    /// The region's GuardDuty detectors (`guardduty-disabled`).
    pub detectors: Reading<Vec<crate::rules::guardduty_disabled::DetectorStatus>>,
}

impl RegionSweep {
    /// A region with its EBS settings and nothing else read yet.
    pub fn new(facts: RegionFacts) -> RegionSweep {
        RegionSweep {
            facts,
            volumes: Vec::new(),
            security_groups: Vec::new(),
            images: Vec::new(),
            snapshots: Vec::new(),
            recorders: None,
            analyzers: None,
            detectors: None,
        }
    }
}

/// A fact the sweep reads only for a rule that is on (`None`: not read) and that may fail to
/// be read without failing the sweep (`Err`: why, in words): a region where GuardDuty's API is
/// refused is that rule unjudged there, not a sweep that judges nothing.
pub type Reading<T> = Option<Result<T, String>>;

/// What `meta` judges in `place`, or (not read, or unreadable) the rule noted as not judged
/// there: no finding is made, and none of its earlier ones may be closed.
pub(crate) fn reading<'a, T>(
    reading: &'a Reading<T>,
    meta: &'static RuleMeta,
    place: &str,
    out: &mut Swept,
) -> Option<&'a T> {
    let why = match reading {
        Some(Ok(facts)) => return Some(facts),
        Some(Err(why)) => why.as_str(),
        None => "not read",
    };
    out.notes
        .push(format!("{}: not judged in {place} ({why})", meta.id));
    if !out.unjudged_rules.contains(&meta.id) {
        out.unjudged_rules.push(meta.id);
    }
    None
}

/// Everything a sweep judges. Read by the adapters; nothing here is trusted from an event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepFacts {
    pub account: String,
    /// The region IAM findings are reported in (IAM is global; its events arrive in us-east-1).
    pub iam_region: String,
    /// Seconds since the epoch: the core has no clock.
    pub now: i64,
    pub iam: AccountFacts,
    /// `None` when the report could not be had (the credential rules are then not judged).
    pub credential_report: Option<CredentialReport>,
    /// `None`: no password policy is set.
    pub password_policy: Option<PasswordPolicy>,
    /// The trails the home region lists (multi-region ones of any home included), with their
    /// status and selectors (`cloudtrail-logging-stopped`).
    pub trails: Reading<Vec<crate::rules::cloudtrail_logging_stopped::TrailState>>,
    /// The account's S3 Block Public Access and, where it leaves a setting off, the buckets'
    /// (`s3-public-access-block-off`).
    pub public_access_blocks: Reading<crate::rules::s3_public_access_block_off::AccountBlocks>,
    /// Keys of the users [`key_lookups`] named, by user name.
    pub access_keys: BTreeMap<String, Vec<AccessKeyMeta>>,
    pub regions: Vec<RegionSweep>,
    /// Service last-accessed data of the principals a first judgement named
    /// ([`Swept::usage_lookups`]); `None` until they are read (see [`judge_usage`]).
    pub last_accessed: Option<UsageReads>,
}

/// The findings of a sweep, and what could not be judged (with the reason).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Swept {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// Rules this sweep could not judge (their facts were missing): their earlier findings
    /// are neither confirmed nor resolved, so nothing may close them.
    pub unjudged_rules: Vec<&'static str>,
    /// The audit matrix of the account's users and roles (exempt ones kept and marked), for
    /// the HTML report. `None` when the three `iam-principal-*` rules are all switched off:
    /// no principal was judged. With any of them on, the matrix is complete: a rule switched
    /// off loses its findings, not its column.
    pub matrix: Option<AuditMatrix>,
    /// The principals whose service last-accessed data `iam-permissions-unused` needs: read
    /// them into [`SweepFacts::last_accessed`], then call [`judge_usage`].
    pub usage_lookups: Vec<UsageLookup>,
}

/// Which optional reads a sweep makes, each only while its rule is on: one
/// DescribeSnapshotAttribute per own snapshot (`ebs-snapshot-shared`), one
/// DescribeImageAttribute per own image (`ec2-image-shared`), S3 Block Public Access (the
/// account's, and per bucket only where the account's leaves a setting off:
/// `s3-public-access-block-off`), and the account's own monitoring:
/// its trails (`cloudtrail-logging-stopped`), and per region its Config recorders
/// (`config-recorder-stopped`), Access Analyzer analyzers (`access-analyzer-deleted`) and
/// GuardDuty detectors (`guardduty-disabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepReads {
    pub snapshots: bool,
    pub images: bool,
    pub trails: bool,
    pub recorders: bool,
    pub analyzers: bool,
    pub detectors: bool,
    pub public_access_blocks: bool,
}

/// The optional reads of this sweep ([`SweepReads`]).
pub fn sweep_reads(settings: &Settings) -> SweepReads {
    use crate::rules::{
        access_analyzer_deleted, cloudtrail_logging_stopped, config_recorder_stopped,
        ebs_snapshot_shared, ec2_image_shared, guardduty_disabled, s3_public_access_block_off,
    };
    let on = |id: &str| settings.mode(id) != Mode::Off;
    SweepReads {
        snapshots: on(ebs_snapshot_shared::META.id),
        images: on(ec2_image_shared::META.id),
        trails: on(cloudtrail_logging_stopped::META.id),
        recorders: on(config_recorder_stopped::META.id),
        analyzers: on(access_analyzer_deleted::META.id),
        detectors: on(guardduty_disabled::META.id),
        public_access_blocks: on(s3_public_access_block_off::META.id),
    }
}

/// Users whose access keys must be read by id (ListAccessKeys) because a rule plans to
/// deactivate one: the only per-user IAM call a sweep makes, and only for flagged users.
pub fn key_lookups(report: &CredentialReport, now: i64, settings: &Settings) -> Vec<String> {
    if settings.mode(iam_credentials_unused::META.id) != Mode::Remediate {
        return Vec::new();
    }
    report
        .users()
        .filter(|row| {
            iam_credentials_unused::judge(row, now, settings.unused_days)
                .iter()
                .any(|u| matches!(u, iam_credentials_unused::Unused::AccessKey { .. }))
        })
        .map(|row| row.user.clone())
        .collect()
}

/// Judge a whole account with every line of the sweep's registry
/// ([`crate::rules::registry::SWEEP_JUDGES`]). Sweep findings carry no event id, so they
/// deduplicate per resource: a problem still open at the next sweep is not re-alerted within
/// the dedupe window.
pub fn run(facts: &SweepFacts, settings: &Settings) -> Swept {
    let mut out = Swept::default();
    if facts.credential_report.is_none() {
        out.notes
            .push("credential report unavailable: credential rules not judged".to_string());
    }
    for judge in SWEEP_JUDGES {
        if judge.any_enabled(settings) {
            (judge.judge)(facts, settings, &mut out);
        }
    }
    out
}

/// The second step of a sweep that read last-accessed data: judge `iam-permissions-unused`
/// on [`SweepFacts::last_accessed`] for the principals [`run`] named in
/// [`Swept::usage_lookups`] (until then the rule is unjudged).
pub fn judge_usage(facts: &SweepFacts, settings: &Settings, out: &mut Swept) {
    iam_permissions_unused::judge_read(facts, settings, out);
}

/// The policy family over every document of the account: customer managed default versions,
/// inline policies, trust policies (one analysis per document, admin subsuming the rest).
pub(crate) fn policies(facts: &SweepFacts, settings: &Settings, out: &mut Swept) {
    let ctx = EventContext::default();
    let (account, region) = (facts.account.as_str(), facts.iam_region.as_str());
    let exempt = |tags: &BTreeMap<String, String>, arn: &str| settings.exempts_principal(tags, arn);
    let judge_policy = |out: &mut Swept, subject: PolicySubject, document: &str| match iam::policy(
        &subject, document, account, region, &ctx, settings,
    ) {
        Ok(f) => out.findings.extend(f),
        Err(e) => out
            .notes
            .push(format!("{subject:?}: policy unreadable: {e}")),
    };
    // AWS managed documents are AWS's (AdministratorAccess *is* admin, by design): judging them
    // would report AWS, not the account. What they grant a principal is judged on the principal.
    for p in facts.iam.policies.iter().filter(|p| !p.is_aws_managed()) {
        let Some(document) = &p.document else {
            out.notes
                .push(format!("{}: default version not returned", p.arn));
            continue;
        };
        // No revert step: the sweep does not know which earlier version, if any, was good.
        let subject = PolicySubject::ManagedVersion {
            policy_arn: p.arn.clone(),
            version_id: p.default_version_id.clone(),
            previous_version: None,
        };
        judge_policy(out, subject, document);
    }
    let inline = |kind: IamTargetKind, name: &str, policies: &[InlinePolicy]| {
        policies
            .iter()
            .map(|p| {
                let target = IamTarget {
                    kind,
                    name: name.to_string(),
                };
                (
                    PolicySubject::Inline {
                        target,
                        policy_name: p.name.clone(),
                    },
                    p.document.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    for u in &facts.iam.users {
        if exempt(&u.tags, &u.arn) {
            out.notes.push(format!("user {}: exempt", u.name));
            continue;
        }
        for (subject, doc) in inline(IamTargetKind::User, &u.name, &u.inline) {
            judge_policy(out, subject, &doc);
        }
    }
    for g in &facts.iam.groups {
        for (subject, doc) in inline(IamTargetKind::Group, &g.name, &g.inline) {
            judge_policy(out, subject, &doc);
        }
    }
    for r in &facts.iam.roles {
        if exempt(&r.tags, &r.arn) {
            out.notes.push(format!("role {}: exempt", r.name));
            continue;
        }
        for (subject, doc) in inline(IamTargetKind::Role, &r.name, &r.inline) {
            judge_policy(out, subject, &doc);
        }
        match &r.trust_policy {
            Some(doc) => judge_policy(
                out,
                PolicySubject::Trust {
                    role_name: r.name.clone(),
                },
                doc,
            ),
            None => out
                .notes
                .push(format!("role {}: no trust policy returned", r.name)),
        }
    }
}

/// The users a credential rule judges: every row of the report but the exempt users' (noted
/// once, with their policies).
pub(crate) fn credential_users<'a>(
    facts: &'a SweepFacts,
    settings: &'a Settings,
) -> impl Iterator<Item = (&'a CredentialRow, Option<&'a UserDetail>)> + 'a {
    facts
        .credential_report
        .iter()
        .flat_map(|report| report.users())
        .map(|row| (row, facts.iam.user(&row.user)))
        .filter(|(_, detail)| {
            !detail.is_some_and(|u| {
                u.tags.contains_key(&settings.exempt_tag)
                    || settings.exempt_principal(&[u.arn.as_str()]).is_some()
            })
        })
}

/// The root row of the report, or (when the report has none) the rule noted as not judged.
pub(crate) fn root_row<'a>(
    facts: &'a SweepFacts,
    meta: &'static RuleMeta,
    out: &mut Swept,
) -> Option<&'a CredentialRow> {
    let report = facts.credential_report.as_ref()?;
    let root = report.root();
    if root.is_none() {
        out.notes.push(format!(
            "{}: unknown (the credential report has no <root_account> row)",
            meta.id
        ));
        out.unjudged_rules.push(meta.id);
    }
    root
}

/// A rule judged on the credential report's root row alone: its finding about the account.
pub(crate) fn root_rule(
    facts: &SweepFacts,
    settings: &Settings,
    out: &mut Swept,
    meta: &'static RuleMeta,
    judge: fn(&CredentialRow) -> Option<String>,
) {
    let Some((meta, mode)) = enabled(meta, settings) else {
        return;
    };
    let Some(reason) = root_row(facts, meta, out).and_then(judge) else {
        return;
    };
    let resource = account_ref(&facts.account);
    let finding = sweep_finding(facts, meta, mode, resource, reason, Vec::new(), settings);
    out.findings.push(finding);
}

/// A finding of a sweep rule (no event), in the IAM region of the swept account.
pub(crate) fn sweep_finding(
    facts: &SweepFacts,
    meta: &'static RuleMeta,
    mode: Mode,
    resource: ResourceRef,
    reason: String,
    steps: Vec<(RemediationStep, bool)>,
    settings: &Settings,
) -> Finding {
    Finding::build(
        meta,
        mode,
        resource,
        &facts.iam_region,
        &facts.account,
        reason,
        steps,
        &EventContext::default(),
        settings,
    )
}

/// A sweep finding about one region's setting (alert only): in that region, not IAM's.
pub(crate) fn region_finding(
    facts: &SweepFacts,
    meta: &'static RuleMeta,
    mode: Mode,
    resource: ResourceRef,
    region: &str,
    reason: String,
    settings: &Settings,
) -> Finding {
    Finding::build(
        meta,
        mode,
        resource,
        region,
        &facts.account,
        reason,
        Vec::new(),
        &EventContext::default(),
        settings,
    )
}

/// What a per-region monitoring check found missing in one region: why, and the resource to
/// report (its id is `{account}/{region}`, one finding per region).
pub(crate) struct RegionGap {
    pub reason: String,
    pub kind: &'static str,
    pub arn: String,
}

/// A monitoring check judged region by region (alert only): for every swept region whose
/// `field` was read, `gap(read, region, account)` says what is missing there (`None`:
/// nothing); a region not read, or unreadable, is the rule unjudged there ([`reading`]).
pub(crate) fn per_region<T>(
    facts: &SweepFacts,
    settings: &Settings,
    out: &mut Swept,
    meta: &'static RuleMeta,
    field: fn(&RegionSweep) -> &Reading<T>,
    gap: fn(&T, &str, &str) -> Option<RegionGap>,
) {
    let Some((meta, mode)) = enabled(meta, settings) else {
        return;
    };
    for r in &facts.regions {
        let region = r.facts.region.as_str();
        let Some(read) = reading(field(r), meta, region, out) else {
            continue;
        };
        let Some(RegionGap { reason, kind, arn }) = gap(read, region, &facts.account) else {
            continue;
        };
        let resource = ResourceRef {
            kind,
            id: format!("{}/{region}", facts.account),
            arn,
        };
        let f = region_finding(facts, meta, mode, resource, region, reason, settings);
        out.findings.push(f);
    }
}

/// The `iam-principal-*` rules over every user and role, and the audit matrix. Exempt
/// principals are judged too (someone may reach admin *through* one) but not reported; the
/// matrix keeps them, marked exempt.
pub(crate) fn principals(facts: &SweepFacts, settings: &Settings, out: &mut Swept) {
    let (account, region) = (facts.account.as_str(), facts.iam_region.as_str());
    let rules = access::enabled_rules(settings);
    if rules.is_empty() {
        return;
    }
    let principals = Principals::build(&facts.iam, account, &|_| None);
    let report = access::judge(&principals, &AccessOptions::default());
    let tags: BTreeMap<&str, &BTreeMap<String, String>> = principals
        .principals
        .iter()
        .map(|p| (p.arn.as_str(), &p.tags))
        .collect();
    let no_tags = BTreeMap::new();
    let exempt =
        |arn: &str| settings.exempts_principal(tags.get(arn).copied().unwrap_or(&no_tags), arn);
    out.matrix = Some(AuditMatrix::new(&report, exempt));
    out.notes.extend(report.notes);
    for f in report.findings {
        let Some((meta, mode)) = rules.iter().find(|(m, _)| m.id == f.rule) else {
            continue;
        };
        if exempt(&f.resource.arn) {
            continue;
        }
        out.findings.push(Finding::build(
            meta,
            *mode,
            f.resource.into(),
            region,
            account,
            f.message,
            Vec::new(),
            &EventContext::default(),
            settings,
        ));
    }
}

/// The account itself as a resource (root user, password policy).
pub(crate) fn account_ref(account: &str) -> ResourceRef {
    ResourceRef {
        kind: "AWS::::Account",
        id: account.to_string(),
        arn: format!("arn:aws:iam::{account}:root"),
    }
}

pub(crate) fn user_ref(account: &str, row: &CredentialRow) -> ResourceRef {
    ResourceRef {
        kind: "AWS::IAM::User",
        id: row.user.clone(),
        arn: if row.arn.is_empty() {
            format!("arn:aws:iam::{account}:user/{}", row.user)
        } else {
            row.arn.clone()
        },
    }
}

pub(crate) fn role_ref(role: &RoleDetail) -> ResourceRef {
    ResourceRef {
        kind: "AWS::IAM::Role",
        id: role.name.clone(),
        arn: role.arn.clone(),
    }
}

/// Whether a role is the guardrail's own: the function's role (or the member role it uses), or
/// one of its stack's (CloudFormation names them `{stack}-...`). Judging those would report,
/// and could quarantine, the guardrail itself.
pub(crate) fn is_guardrail_role(settings: &Settings, role: &RoleDetail) -> bool {
    settings.is_own_role(&role.arn)
        || settings
            .stack_name
            .as_deref()
            .is_some_and(|stack| role.name.starts_with(&format!("{stack}-")))
}

/// The quarantine step for an unused user or role (`iam-user-unused`, `iam-role-unused`), with
/// whether it is already done (`attached`, as the sweep read it, holds the policy): planned
/// only with the deployment's quarantine policy and only in its own account (member accounts
/// have none). Otherwise why not, for the reason.
pub(crate) fn quarantine(
    facts: &SweepFacts,
    settings: &Settings,
    target: IamTarget,
    attached: &[String],
) -> Result<(RemediationStep, bool), &'static str> {
    let Some(policy_arn) = settings.quarantine_policy_arn.clone() else {
        return Err("no quarantine policy configured (GUARDRAIL_QUARANTINE_POLICY_ARN)");
    };
    if settings.is_member_account(&facts.account) {
        return Err("the quarantine policy is the home account's, not a member account's");
    }
    let done = attached.contains(&policy_arn);
    Ok((
        RemediationStep::AttachQuarantinePolicy { target, policy_arn },
        done,
    ))
}

/// The key in a report slot, matched by creation time (the slot's `last_rotated`). No match, no
/// key: deactivating a guessed key could cut off the one in use.
pub(crate) fn key_in_slot<'a>(
    facts: &'a SweepFacts,
    row: &CredentialRow,
    slot: usize,
) -> Option<&'a AccessKeyMeta> {
    let rotated = row.keys.get(slot.checked_sub(1)?)?.last_rotated?;
    facts
        .access_keys
        .get(&row.user)?
        .iter()
        .find(|k| k.created.is_some_and(|c| (c - rotated).abs() <= 1))
}
