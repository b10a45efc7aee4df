//! `iam-policy-privilege-escalation`: a known escalation path, honouring Conditions.
//! Judged by the policy engine (`policy::analysis`).

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-policy-privilege-escalation",
    title: "Policy grants a privilege-escalation path",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "The policy allows an action or combination that lets its holder gain more \
             privileges (iam:CreatePolicyVersion, iam:Attach*Policy, iam:Put*Policy, \
             iam:PassRole with lambda:CreateFunction and lambda:InvokeFunction, ...), after \
             Conditions such as iam:PolicyARN and iam:PassedToService and resource scoping.",
    rationale: "Escalation paths turn a modest grant into administrator access; the usual \
                tools flag them by name and ignore the Conditions that defuse them.",
    remediation: "Detach the managed policy / delete the inline policy / revert the new default \
                  version.",
    anchors: &["Prowler, Cloudsplaining, PMapper (all ignore Conditions)"],
    runs: families::POLICY_REMEDIATED,
    per_event: true,
};
