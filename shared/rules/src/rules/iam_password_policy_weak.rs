//! `iam-password-policy-weak`: the account password policy is below the configured floor.

use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::{PasswordFloor, PasswordPolicy};

pub const META: RuleMeta = RuleMeta {
    id: "iam-password-policy-weak",
    title: "Weak account password policy",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Sweep: no password policy, or one below the floor: minimum length \
             (GUARDRAIL_PASSWORD_MIN_LENGTH, 14), upper and lower case, numbers and symbols \
             required, maximum age (GUARDRAIL_PASSWORD_MAX_AGE_DAYS, 90) and reuse prevention \
             (GUARDRAIL_PASSWORD_REUSE_PREVENTION, 24).",
    rationale: "Seeds 000/001/004: console passwords are the credential people choose \
                themselves; the policy is the only thing that keeps them long and fresh.",
    remediation: "UpdateAccountPasswordPolicy to the configured floor. Settings already \
                  stronger than the floor are kept, and so are whether users may change their \
                  own password and hard expiry.",
    anchors: &[
        "AWS Config: iam-password-policy",
        "CIS AWS Foundations 1.8, 1.9",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: &[Permission::any("iam:GetAccountPasswordPolicy")],
        steps: &[StepKind::UpdatePasswordPolicy],
    }],
    per_event: false,
};

/// Where the policy falls short of the floor, in words; empty when it meets it.
pub fn shortfalls(policy: Option<&PasswordPolicy>, floor: &PasswordFloor) -> Vec<String> {
    let Some(p) = policy else {
        return vec!["no password policy is set (AWS default: 8 characters, nothing else)".into()];
    };
    let mut out = Vec::new();
    match p.minimum_length {
        Some(n) if n >= floor.min_length => {}
        n => out.push(format!(
            "minimum length {} < {}",
            n.unwrap_or(8),
            floor.min_length
        )),
    }
    for (required, what) in [
        (p.require_uppercase, "uppercase letters"),
        (p.require_lowercase, "lowercase letters"),
        (p.require_numbers, "numbers"),
        (p.require_symbols, "symbols"),
    ] {
        if !required {
            out.push(format!("{what} not required"));
        }
    }
    match p.max_age_days {
        Some(d) if d > 0 && d <= floor.max_age_days => {}
        Some(d) if d > 0 => out.push(format!(
            "passwords expire after {d} days (> {})",
            floor.max_age_days
        )),
        _ => out.push("passwords never expire".to_string()),
    }
    match p.reuse_prevention {
        Some(n) if n >= floor.reuse_prevention => {}
        n => out.push(format!(
            "reuse prevention {} < {}",
            n.unwrap_or(0),
            floor.reuse_prevention
        )),
    }
    out
}

/// The reason the policy violates the rule, or `None`.
pub fn judge(policy: Option<&PasswordPolicy>, floor: &PasswordFloor) -> Option<String> {
    let short = shortfalls(policy, floor);
    (!short.is_empty())
        .then(|| format!("the account password policy is weak: {}", short.join("; ")))
}

/// The policy to set: the floor, without weakening anything already stronger.
pub fn raised(policy: Option<&PasswordPolicy>, floor: &PasswordFloor) -> RemediationStep {
    let p = policy.cloned().unwrap_or(PasswordPolicy {
        // With no policy set, users may change their own password: keep it that way.
        allow_users_to_change_password: true,
        ..PasswordPolicy::default()
    });
    RemediationStep::UpdatePasswordPolicy {
        minimum_length: p.minimum_length.unwrap_or(0).max(floor.min_length),
        require_uppercase: true,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
        max_age_days: match p.max_age_days {
            Some(d) if d > 0 => d.min(floor.max_age_days),
            _ => floor.max_age_days,
        },
        reuse_prevention: p.reuse_prevention.unwrap_or(0).max(floor.reuse_prevention),
        allow_users_to_change_password: p.allow_users_to_change_password,
        hard_expiry: p.hard_expiry,
    }
}

/// Swept from the account's password policy (`None`: no policy set).
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        let floor = PasswordFloor::from_settings(settings);
        let policy = facts.password_policy.as_ref();
        let Some(reason) = judge(policy, &floor) else {
            return;
        };
        let step = raised(policy, &floor);
        let resource = sweep::account_ref(&facts.account);
        out.findings.push(sweep::sweep_finding(
            facts,
            meta,
            mode,
            resource,
            reason,
            vec![(step, false)],
            settings,
        ));
    },
};
