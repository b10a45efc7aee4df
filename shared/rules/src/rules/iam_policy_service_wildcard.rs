//! `iam-policy-service-wildcard`: every action of a service on every resource.
//! Judged by the policy engine (`policy::analysis`).

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use super::{reads, triggers};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-policy-service-wildcard",
    title: "Policy grants a whole service",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "An Allow of `service:*` on `*`.",
    rationale: "Seed 001 (2.1): grant the actions a job needs, not a whole service.",
    remediation: "Alert only: narrowing a grant needs a human decision.",
    anchors: &["AWS Config: iam-policy-no-statements-with-full-access"],
    runs: &[
        Runs {
            function: Function::IamGuard,
            triggers: &[triggers::POLICY_CHANGES],
            reads: reads::CHANGED_POLICY,
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
