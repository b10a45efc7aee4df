//! `iam-role-trust-open`: a role anyone, or a foreign account without an external id, may assume.
//! Judged by the policy engine (`policy::analysis`).

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use super::{reads, triggers};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-role-trust-open",
    title: "Role trust policy is open",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "A role's trust policy lets `*`, or another account without `sts:ExternalId` (or \
             an organisation/source condition), assume it.",
    rationale: "Seed 000 scenario 2: cross-account access must name who may assume a role and \
                guard against the confused deputy with an external id.",
    remediation: "Alert only: a trust policy change can break a partner integration.",
    anchors: &["IAM Access Analyzer external access findings"],
    runs: &[
        Runs {
            function: Function::IamGuard,
            triggers: &[triggers::TRUST_CHANGES],
            reads: reads::TRUST_POLICY,
            steps: &[],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: reads::ACCOUNT_IAM,
            steps: &[],
        },
    ],
    per_event: true,
};
