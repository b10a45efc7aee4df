//! The sweep itself: every rule over the facts of a whole account.

use super::account::{AccountFacts, InlinePolicy};
use super::credential_report::{CredentialReport, CredentialRow};
use super::password_policy::{PasswordFloor, PasswordPolicy};
use crate::access::{self, AccessOptions, AuditMatrix, Principals};
use crate::ebs::{self, RegionFacts, VolumeFacts};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::iam::{self, PolicySubject};
use crate::mode::Mode;
use crate::plan::{IamTarget, IamTargetKind, RemediationStep};
use crate::rules::{
    iam_access_key_old, iam_credentials_unused, iam_password_policy_weak, iam_root_access_key,
    iam_root_mfa, iam_user_console_without_mfa::ConsoleUser, RuleMeta,
};
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

/// One region's EBS facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSweep {
    pub facts: RegionFacts,
    pub volumes: Vec<VolumeFacts>,
}

/// Everything a sweep judges. Read by the adapters; nothing here is trusted from an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Keys of the users [`key_lookups`] named, by user name.
    pub access_keys: BTreeMap<String, Vec<AccessKeyMeta>>,
    pub regions: Vec<RegionSweep>,
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
}

/// The rule's metadata when it is switched on.
fn enabled(meta: &'static RuleMeta, settings: &Settings) -> Option<(&'static RuleMeta, Mode)> {
    let mode = settings.mode(meta.id);
    (mode != Mode::Off).then_some((meta, mode))
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

/// Judge a whole account. Sweep findings carry no event id, so they deduplicate per resource:
/// a problem still open at the next sweep is not re-alerted within the dedupe window.
pub fn run(facts: &SweepFacts, settings: &Settings) -> Swept {
    let mut out = Swept::default();
    let ctx = EventContext::default();
    let (account, region) = (facts.account.as_str(), facts.iam_region.as_str());
    let exempt = |tags: &BTreeMap<String, String>, arn: &str| settings.exempts_principal(tags, arn);

    // Policies: customer managed default versions, inline policies, trust policies.
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
        judge_policy(&mut out, subject, document);
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
            judge_policy(&mut out, subject, &doc);
        }
        let target = IamTarget {
            kind: IamTargetKind::User,
            name: u.name.clone(),
        };
        let direct = u.attached.iter().chain(u.inline.iter().map(|p| &p.name));
        for policy in direct {
            out.findings.extend(iam::direct_policy(
                &target, policy, account, region, &ctx, settings,
            ));
        }
    }
    for g in &facts.iam.groups {
        for (subject, doc) in inline(IamTargetKind::Group, &g.name, &g.inline) {
            judge_policy(&mut out, subject, &doc);
        }
    }
    for r in &facts.iam.roles {
        if exempt(&r.tags, &r.arn) {
            out.notes.push(format!("role {}: exempt", r.name));
            continue;
        }
        for (subject, doc) in inline(IamTargetKind::Role, &r.name, &r.inline) {
            judge_policy(&mut out, subject, &doc);
        }
        match &r.trust_policy {
            Some(doc) => judge_policy(
                &mut out,
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

    // Principals: what each user and role may effectively do, with every policy it holds
    // (its groups', AWS managed ones, its boundary), and who can become whom.
    principals(facts, settings, &mut out);

    // The account password policy.
    let floor = PasswordFloor::from_settings(settings);
    if let Some((meta, mode)) = enabled(&iam_password_policy_weak::META, settings) {
        let policy = facts.password_policy.as_ref();
        if let Some(reason) = iam_password_policy_weak::judge(policy, &floor) {
            let step = iam_password_policy_weak::raised(policy, &floor);
            out.findings.push(Finding::build(
                meta,
                mode,
                account_ref(account),
                region,
                account,
                reason,
                vec![(step, false)],
                &ctx,
                settings,
            ));
        }
    }

    // Credentials: root, console users without MFA, unused and old credentials.
    match &facts.credential_report {
        Some(report) => credentials(facts, report, settings, &mut out),
        None => out
            .notes
            .push("credential report unavailable: credential rules not judged".to_string()),
    }

    // EBS: every volume, and each region's default once (with or without volumes).
    for r in &facts.regions {
        for v in &r.volumes {
            match ebs::assess(v, None, &ctx, settings) {
                Ok(f) => out.findings.extend(f),
                Err(skip) => out.notes.push(format!("{} ({}): {skip}", v.id, v.region)),
            }
        }
        if let Some(f) = ebs::region_default(&r.facts, &EventContext::default(), settings) {
            out.findings.push(f);
        }
    }
    out
}

/// The `iam-principal-*` rules over every user and role, and the audit matrix. Exempt
/// principals are judged too (someone may reach admin *through* one) but not reported; the
/// matrix keeps them, marked exempt.
fn principals(facts: &SweepFacts, settings: &Settings, out: &mut Swept) {
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
fn account_ref(account: &str) -> ResourceRef {
    ResourceRef {
        kind: "AWS::::Account",
        id: account.to_string(),
        arn: format!("arn:aws:iam::{account}:root"),
    }
}

fn user_ref(account: &str, row: &CredentialRow) -> ResourceRef {
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

fn credentials(
    facts: &SweepFacts,
    report: &CredentialReport,
    settings: &Settings,
    out: &mut Swept,
) {
    let ctx = EventContext::default();
    let (account, region, now) = (facts.account.as_str(), facts.iam_region.as_str(), facts.now);
    match report.root() {
        Some(root) => {
            for (meta, reason) in [
                (&iam_root_mfa::META, iam_root_mfa::judge(root)),
                (&iam_root_access_key::META, iam_root_access_key::judge(root)),
            ] {
                if let (Some((meta, mode)), Some(reason)) = (enabled(meta, settings), reason) {
                    out.findings.push(Finding::build(
                        meta,
                        mode,
                        account_ref(account),
                        region,
                        account,
                        reason,
                        Vec::new(),
                        &ctx,
                        settings,
                    ));
                }
            }
        }
        None => {
            out.notes.push(
                "iam-root-mfa, iam-root-access-key: unknown (the credential report has no \
                 <root_account> row)"
                    .to_string(),
            );
            out.unjudged_rules
                .extend([iam_root_mfa::META.id, iam_root_access_key::META.id]);
        }
    }
    for row in report.users() {
        let detail = facts.iam.user(&row.user);
        // Exempt users were noted once, with their policies.
        if detail.is_some_and(|u| {
            u.tags.contains_key(&settings.exempt_tag)
                || settings.exempt_principal(&[u.arn.as_str()]).is_some()
        }) {
            continue;
        }
        let console = ConsoleUser {
            user_name: row.user.clone(),
            has_password: row.password_enabled,
            mfa_devices: usize::from(row.mfa_active),
            attached_policies: detail.map(|u| u.attached.clone()).unwrap_or_default(),
        };
        out.findings
            .extend(iam::console_user(&console, account, region, &ctx, settings));

        if let Some((meta, mode)) = enabled(&iam_credentials_unused::META, settings) {
            let unused = iam_credentials_unused::judge(row, now, settings.unused_days);
            if !unused.is_empty() {
                let mut reason =
                    iam_credentials_unused::reason(&row.user, &unused, settings.unused_days);
                let mut steps = Vec::new();
                for u in &unused {
                    match u {
                        iam_credentials_unused::Unused::Password { .. } => steps.push((
                            RemediationStep::DeleteLoginProfile {
                                user_name: row.user.clone(),
                            },
                            false,
                        )),
                        iam_credentials_unused::Unused::AccessKey { slot, .. } => {
                            match key_in_slot(facts, row, *slot) {
                                Some(key) => steps.push((
                                    RemediationStep::DeactivateAccessKey {
                                        user_name: row.user.clone(),
                                        access_key_id: key.id.clone(),
                                    },
                                    !key.active,
                                )),
                                None if mode == Mode::Remediate => reason.push_str(&format!(
                                    " (key {slot} not found by id: not deactivated)"
                                )),
                                None => {}
                            }
                        }
                    }
                }
                out.findings.push(Finding::build(
                    meta,
                    mode,
                    user_ref(account, row),
                    region,
                    account,
                    reason,
                    steps,
                    &ctx,
                    settings,
                ));
            }
        }
        if let Some((meta, mode)) = enabled(&iam_access_key_old::META, settings) {
            let old = iam_access_key_old::judge(row, now, settings.key_max_age_days);
            if !old.is_empty() {
                out.findings.push(Finding::build(
                    meta,
                    mode,
                    user_ref(account, row),
                    region,
                    account,
                    iam_access_key_old::reason(&row.user, &old, settings.key_max_age_days),
                    Vec::new(),
                    &ctx,
                    settings,
                ));
            }
        }
    }
}

/// The key in a report slot, matched by creation time (the slot's `last_rotated`). No match, no
/// key: deactivating a guessed key could cut off the one in use.
fn key_in_slot<'a>(
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
