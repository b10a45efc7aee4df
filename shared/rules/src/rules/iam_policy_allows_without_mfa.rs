//! `iam-policy-allows-without-mfa`: a sensitive action allowed without MFA.
//! Judged by the policy engine (`policy::analysis`), by evaluating the policy for a request
//! without `aws:MultiFactorAuthPresent` (long-term keys) and with it `false`.

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-policy-allows-without-mfa",
    title: "Sensitive actions allowed without MFA",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "A policy allows a sensitive action (IAM permissions management and write, \
             ec2:StopInstances, ec2:TerminateInstances, ...) to a request without MFA: \
             `aws:MultiFactorAuthPresent` absent (long-term access keys) or false. Decided by \
             evaluating the policy, so `BoolIfExists ... true` on an Allow (which lets long-term \
             keys through) is caught and a seed-style MFA deny is honoured.",
    rationale: "The seeds' MFA-enforcement policies (MFAForcePolicy, \
                DenyEC2StopAndTerminationMFA) exist because a stolen password or key alone \
                must not be enough to change IAM or stop production.",
    remediation: "Detach the managed policy / delete the inline policy / revert the new default \
                  version, per the event that introduced it.",
    anchors: &["no AWS Config or Prowler check evaluates this correctly"],
    runs: families::POLICY_REMEDIATED,
    per_event: true,
};
