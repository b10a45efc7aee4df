//! `iam-access-key-old`: an active access key older than N days (sweep).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::time::days_between;
use crate::sweep::CredentialRow;

pub const META: RuleMeta = RuleMeta {
    id: "iam-access-key-old",
    title: "Access key not rotated",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Sweep: an active access key created or last rotated more than \
             GUARDRAIL_KEY_MAX_AGE_DAYS days ago (default 90).",
    rationale: "Seed 003: long-term keys leak (repositories, laptops, logs); rotating them \
                bounds how long a leaked key is worth anything.",
    remediation: "Alert only: rotation needs the key's owner to deploy the new key first.",
    anchors: &[
        "AWS Config: access-keys-rotated",
        "CIS AWS Foundations 1.14",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule, Subscription::ConfigPeriodic],
        reads: reads::CONFIG_USERS,
        steps: &[],
    }],
    per_event: false,
};

/// `(slot, age in days)` of each active key older than `max_days`.
pub fn judge(row: &CredentialRow, now: i64, max_days: u32) -> Vec<(usize, i64)> {
    row.keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.active)
        .filter_map(|(i, k)| {
            let age = days_between(k.last_rotated?, now);
            (age > i64::from(max_days)).then_some((i + 1, age))
        })
        .collect()
}

/// The finding's reason.
pub fn reason(user: &str, old: &[(usize, i64)], max_days: u32) -> String {
    let items: Vec<String> = old
        .iter()
        .map(|(slot, age)| format!("access key {slot} is {age} days old"))
        .collect();
    format!(
        "IAM user {user} has active access keys older than {max_days} days: {}",
        items.join(", ")
    )
}

/// Swept over the credential report's users.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        for (row, _) in sweep::credential_users(facts, settings) {
            let old = judge(row, facts.now, settings.key_max_age_days);
            if old.is_empty() {
                continue;
            }
            out.findings.push(sweep::sweep_finding(
                facts,
                meta,
                mode,
                sweep::user_ref(&facts.account, row),
                reason(&row.user, &old, settings.key_max_age_days),
                Vec::new(),
                settings,
            ));
        }
    },
};
