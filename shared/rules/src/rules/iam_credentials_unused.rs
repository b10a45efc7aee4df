//! `iam-credentials-unused`: a console password or an active access key not used for more than
//! N days (sweep, from the credential report).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::plan::RemediationStep;
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::time::days_between;
use crate::sweep::CredentialRow;

pub const META: RuleMeta = RuleMeta {
    id: "iam-credentials-unused",
    title: "Unused IAM credentials",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Sweep: a console password or an active access key unused for more than \
             GUARDRAIL_UNUSED_DAYS days (default 90). A credential never used counts from its \
             creation.",
    rationale: "Seed 000 (90 days): a credential nobody uses is one nobody would notice being \
                used by someone else.",
    remediation: "Deactivate the unused access key (reversible) / delete the unused console \
                  password (login profile).",
    anchors: &[
        "AWS Config: iam-user-unused-credentials-check",
        "CIS AWS Foundations 1.12",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule, Subscription::ConfigPeriodic],
        reads: reads::CREDENTIAL_USERS,
        steps: &[StepKind::DeactivateAccessKey, StepKind::DeleteLoginProfile],
    }],
    per_event: false,
};

/// One unused credential of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unused {
    Password {
        days: i64,
    },
    /// `slot` is 1 or 2, as in the credential report.
    AccessKey {
        slot: usize,
        days: i64,
    },
}

/// The user's credentials unused for more than `max_days` at `now` (seconds since the epoch).
/// A credential with no usable date at all is left alone: unknown is not unused.
pub fn judge(row: &CredentialRow, now: i64, max_days: u32) -> Vec<Unused> {
    let limit = i64::from(max_days);
    let mut out = Vec::new();
    if row.password_enabled {
        let since = row
            .password_last_used
            .or(row.password_last_changed)
            .or(row.user_creation_time);
        if let Some(days) = since.map(|t| days_between(t, now)).filter(|d| *d > limit) {
            out.push(Unused::Password { days });
        }
    }
    for (i, key) in row.keys.iter().enumerate() {
        if !key.active {
            continue;
        }
        if let Some(days) = key
            .last_used
            .or(key.last_rotated)
            .map(|t| days_between(t, now))
            .filter(|d| *d > limit)
        {
            out.push(Unused::AccessKey { slot: i + 1, days });
        }
    }
    out
}

/// The finding's reason.
pub fn reason(user: &str, unused: &[Unused], max_days: u32) -> String {
    let items: Vec<String> = unused
        .iter()
        .map(|u| match u {
            Unused::Password { days } => format!("console password unused for {days} days"),
            Unused::AccessKey { slot, days } => {
                format!("access key {slot} unused for {days} days")
            }
        })
        .collect();
    format!(
        "IAM user {user} has credentials unused for more than {max_days} days: {}",
        items.join(", ")
    )
}

/// Swept over the credential report's users; a key is deactivated only when found by id
/// (ListAccessKeys, read for the users `sweep::key_lookups` names).
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        for (row, _) in sweep::credential_users(facts, settings) {
            let unused = judge(row, facts.now, settings.unused_days);
            if unused.is_empty() {
                continue;
            }
            let mut why = reason(&row.user, &unused, settings.unused_days);
            let mut steps = Vec::new();
            for u in &unused {
                match u {
                    Unused::Password { .. } => steps.push((
                        RemediationStep::DeleteLoginProfile {
                            user_name: row.user.clone(),
                        },
                        false,
                    )),
                    Unused::AccessKey { slot, .. } => match sweep::key_in_slot(facts, row, *slot) {
                        Some(key) => steps.push((
                            RemediationStep::DeactivateAccessKey {
                                user_name: row.user.clone(),
                                access_key_id: key.id.clone(),
                            },
                            !key.active,
                        )),
                        None if mode == Mode::Remediate => {
                            why.push_str(&format!(" (key {slot} not found by id: not deactivated)"))
                        }
                        None => {}
                    },
                }
            }
            out.findings.push(sweep::sweep_finding(
                facts,
                meta,
                mode,
                sweep::user_ref(&facts.account, row),
                why,
                steps,
                settings,
            ));
        }
    },
};
