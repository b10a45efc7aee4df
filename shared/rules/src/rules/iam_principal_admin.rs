//! `iam-principal-admin`: a user or role whose effective permissions are administrator.
//! Judged by `crate::access` over every policy of the principal.

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: crate::access::ADMIN,
    title: "Principal is effectively an administrator",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "The union of the principal's policies (inline, attached, AWS managed, its groups'), \
             after its permissions boundary, the account's SCPs and every Deny, allows every \
             action on every resource, or every action but a few and still the IAM actions that \
             grant the rest. Conditions the principal meets in normal use (MFA, its network) do \
             not make it less of an administrator; the reason names them. Judged in the sweep, \
             by `guardrail access`, and live after every attach/detach, inline put/delete, \
             group membership, boundary or default-version change that concerns it.",
    rationale: "A user or role is what an attacker uses and what an audit asks about: \
                AdministratorAccess attached to a group or a role is as much an administrator \
                as a `*` inline policy, and a boundary that caps it is not. The seeds' audit \
                matrix starts here.",
    remediation: "Alert only: narrowing an administrator needs a human decision.",
    anchors: &[
        "CIS AWS Foundations 1.16",
        "Prowler iam_*_administrator_access_policy",
        "Cloud Custodian iam-user/iam-role has-specific-managed-policy",
    ],
    runs: families::PRINCIPALS,
    per_event: false,
};
