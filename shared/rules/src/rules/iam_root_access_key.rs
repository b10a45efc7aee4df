//! `iam-root-access-key`: the root user has an active access key (sweep).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::CredentialRow;

pub const META: RuleMeta = RuleMeta {
    id: "iam-root-access-key",
    title: "Root user has an active access key",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "Sweep: the credential report's `<root_account>` row has an active access key.",
    rationale: "Seeds 000/003: a root access key is unrestricted, long-lived and cannot be \
                limited by any policy; root should have none.",
    remediation: "Alert only: nothing but root can act on root's credentials.",
    anchors: &[
        "AWS Config: iam-root-access-key-check",
        "CIS AWS Foundations 1.4",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::CREDENTIAL_REPORT,
        steps: &[],
    }],
    per_event: false,
};

/// The reason the root row violates the rule, or `None`.
pub fn judge(root: &CredentialRow) -> Option<String> {
    let active: Vec<String> = root
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.active)
        .map(|(i, _)| format!("key {}", i + 1))
        .collect();
    (!active.is_empty()).then(|| {
        format!(
            "the root user has an active access key ({})",
            active.join(", ")
        )
    })
}

/// Swept from the credential report's root row.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| sweep::root_rule(facts, settings, out, &META, judge),
};
