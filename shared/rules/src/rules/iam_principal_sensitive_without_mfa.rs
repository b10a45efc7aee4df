//! `iam-principal-sensitive-without-mfa`: a user who can do sensitive things without MFA,
//! directly or through a role. Judged by `crate::access`.

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: crate::access::SENSITIVE_WITHOUT_MFA,
    title: "User can perform sensitive actions without MFA",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "The user's policies (with its groups', boundary and SCPs) allow a sensitive action \
             (IAM writes and permissions management, destructive actions) with \
             aws:MultiFactorAuthPresent absent or false, or the user can assume without MFA a \
             role that allows them. An MFA-enforcement Deny (the seed MFAForcePolicy) or a \
             trust that requires MFA clears it.",
    rationale: "The seeds require MFA for anything sensitive: a stolen access key has no MFA, \
                so whatever a user can do without it, an attacker with the key can do.",
    remediation: "Alert only (console users without MFA are also handled by \
                  iam-user-console-without-mfa, which can attach the MFA-enforcement policy).",
    anchors: &[
        "CIS AWS Foundations 1.10",
        "Prowler iam_user_mfa_enabled_console_access",
    ],
    runs: families::PRINCIPALS,
    per_event: false,
};
