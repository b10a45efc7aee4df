//! `iam-user-unused`: a user with no console sign-in and no access-key use for more than N
//! days (sweep, from the credential report).
//!
//! `iam-credentials-unused` judges each password and key on its own (and removes the unused
//! one); this rule judges the user as a whole: its *latest* use of any credential, so a user
//! who signs in daily but kept an old key is not unused, and a user with no credentials left
//! at all still is (the identity and its permissions remain, ready for new credentials).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::plan::{IamTarget, IamTargetKind};
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::time::days_between;
use crate::sweep::CredentialRow;

pub const META: RuleMeta = RuleMeta {
    id: "iam-user-unused",
    title: "Unused IAM user",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Sweep: a user created more than GUARDRAIL_UNUSED_DAYS days ago (default 90) with no \
             console sign-in (`password_last_used`) and no access-key use (each key's \
             `last_used_date`) within that time, from the credential report. A user never used \
             counts from its creation.",
    rationale: "Seeds 001 (§5) and 003: regularly review and remove unused users. A user nobody \
                uses keeps its permissions, and any credential it gets or still has is one \
                nobody would notice being used by someone else.",
    remediation: "Attach the guardrail's deny-all quarantine policy \
                  (GUARDRAIL_QUARANTINE_POLICY_ARN, the stack's QuarantinePolicy) to the user: \
                  reversible, one detach-user-policy undoes it. Never deletes; its unused \
                  password and keys are `iam-credentials-unused`'s. Alert only by default.",
    anchors: &[
        "IAM Access Analyzer unused access: UnusedIAMUserPassword, UnusedIAMUserAccessKey",
        "CIS AWS Foundations 1.12",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::CONFIG_USERS,
        steps: &[StepKind::AttachQuarantinePolicy],
    }],
    per_event: false,
};

/// What the rule makes of one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A password or key was used within the threshold.
    Used,
    /// Not used for `days` days: since its latest use, or (`never_used`) since its creation.
    Unused { days: i64, never_used: bool },
    /// Created within the threshold: too young to call unused.
    Young,
    /// The report gives no creation time: unknown is not unused.
    Undated,
}

/// Judge one row of the report at `now` (seconds since the epoch). Any use counts, of an
/// inactive key too: the question is whether anyone used the user, not whether they still can.
pub fn judge(row: &CredentialRow, now: i64, max_days: u32) -> Verdict {
    let limit = i64::from(max_days);
    let Some(created) = row.user_creation_time else {
        return Verdict::Undated;
    };
    let age = days_between(created, now);
    if age <= limit {
        return Verdict::Young;
    }
    let last = row
        .keys
        .iter()
        .filter_map(|k| k.last_used)
        .chain(row.password_last_used)
        .max();
    match last.map(|t| days_between(t, now)) {
        None => Verdict::Unused {
            days: age,
            never_used: true,
        },
        Some(days) if days <= limit => Verdict::Used,
        Some(days) => Verdict::Unused {
            days,
            never_used: false,
        },
    }
}

/// The finding's reason.
pub fn reason(user: &str, days: i64, never_used: bool, max_days: u32) -> String {
    if never_used {
        format!(
            "IAM user {user} has never signed in to the console nor used an access key since it \
             was created {days} days ago (threshold {max_days} days)"
        )
    } else {
        format!(
            "IAM user {user} has not signed in to the console nor used an access key for {days} \
             days (threshold {max_days} days)"
        )
    }
}

/// Swept over the credential report's users. Exempt users are judged but not reported (a
/// note says they would have been). Without a report the rule is unjudged: its earlier
/// findings are neither confirmed nor resolved.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        let Some(report) = &facts.credential_report else {
            out.unjudged_rules.push(META.id);
            return;
        };
        for row in report.users() {
            let Verdict::Unused { days, never_used } = judge(row, facts.now, settings.unused_days)
            else {
                continue;
            };
            let resource = sweep::user_ref(&facts.account, row);
            let detail = facts.iam.user(&row.user);
            let exempt = detail.is_some_and(|u| settings.exempts_principal(&u.tags, &u.arn))
                || settings
                    .exempt_principal(&[resource.arn.as_str()])
                    .is_some();
            if exempt {
                out.notes.push(format!(
                    "{}: user {} unused for {days} days, exempt: not reported",
                    META.id, row.user
                ));
                continue;
            }
            let mut why = reason(&row.user, days, never_used, settings.unused_days);
            let target = IamTarget {
                kind: IamTargetKind::User,
                name: row.user.clone(),
            };
            let steps = match sweep::quarantine(
                facts,
                settings,
                target,
                detail.map_or(&[][..], |u| u.attached.as_slice()),
            ) {
                Ok(step) => vec![step],
                Err(not) if mode == Mode::Remediate => {
                    why.push_str(&format!(" (not quarantined: {not})"));
                    Vec::new()
                }
                Err(_) => Vec::new(),
            };
            out.findings.push(sweep::sweep_finding(
                facts, meta, mode, resource, why, steps, settings,
            ));
        }
    },
};
