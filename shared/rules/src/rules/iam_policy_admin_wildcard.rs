//! `iam-policy-admin-wildcard`: a policy that amounts to full administrator access.
//! Judged by the policy engine (`policy::analysis`).

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-policy-admin-wildcard",
    title: "Policy grants administrator access",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "An Allow of every action on every resource that no Condition limits and no Deny \
             cuts back, including NotAction allows that amount to the same.",
    rationale: "The seeds' \"bad example\": `Action: *` on `Resource: *` breaks least \
                privilege outright; anyone holding it can do anything, including remove the \
                guardrails.",
    remediation: "Detach the managed policy / delete the inline policy / revert the new default \
                  version.",
    anchors: &[
        "AWS Config: iam-policy-no-statements-with-admin-access",
        "CIS AWS Foundations 1.16",
    ],
    runs: families::POLICY_REMEDIATED,
    per_event: true,
};
