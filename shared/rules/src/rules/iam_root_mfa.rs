//! `iam-root-mfa`: the root user has no MFA device (sweep, from the credential report).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::CredentialRow;

pub const META: RuleMeta = RuleMeta {
    id: "iam-root-mfa",
    title: "Root user without MFA",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "Sweep: the credential report's `<root_account>` row has `mfa_active` false. A \
             report without that row (emulators) leaves the rule unknown, never a finding.",
    rationale: "Seeds 000/003: the root user can do everything, including closing the account; \
                a password alone is not enough to guard it.",
    remediation: "Alert only: nothing but root can enrol root's MFA device.",
    anchors: &[
        "AWS Config: root-account-mfa-enabled",
        "CIS AWS Foundations 1.5",
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
    (!root.mfa_active).then(|| "the root user has no MFA device".to_string())
}

/// Swept from the credential report's root row.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| sweep::root_rule(facts, settings, out, &META, judge),
};
