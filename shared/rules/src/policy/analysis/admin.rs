//! `iam-policy-admin-wildcard`: the policy allows everything on everything.
//!
//! Decided by evaluating probe requests on a generic resource: an action of a service that does
//! not exist (only `*`, `*:*` or a NotAction allow can match it — i.e. future services too) plus
//! representative actions across services, including IAM self-granting ones.
//! - All allowed in the baseline request → critical "unconditional admin".
//! - The non-existent-service probe and at least one IAM self-granting action allowed, but some
//!   representative denied (typical `NotAction` allow such as `NotAction: iam:PassRole`) →
//!   critical "near-admin": whoever holds it can attach AdministratorAccess to itself.
//!   PowerUserAccess (`NotAction: iam:*, organizations:*, account:*`) fails that test: no finding.
//! - Allowed only after the probe search sets condition keys (source IP, region, MFA, ...) →
//!   medium "conditional admin": still broad, but not what CIS 1.16 means.

use super::probe::Probe;
use super::rules::ADMIN_WILDCARD;
use super::PolicyFinding;
use crate::severity::Severity;

/// Action of a service that does not exist: matched only by service-agnostic wildcards.
pub const UNKNOWN_SERVICE_PROBE: &str = "guardrailprobe:ProbeAction";

const REPRESENTATIVE: &[&str] = &[
    "iam:CreateUser",
    "iam:AttachUserPolicy",
    "ec2:RunInstances",
    "s3:DeleteBucket",
    "kms:Decrypt",
    "organizations:LeaveOrganization",
    "lambda:CreateFunction",
    "sts:AssumeRole",
];

/// Actions that let a principal grant itself any permission.
pub const IAM_SELF_GRANT: &[&str] = &[
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
];

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    if !probe.mentions(UNKNOWN_SERVICE_PROBE) {
        return Vec::new();
    }
    let baseline = |a: &str| probe.eval(&probe.baseline(a, &probe.generic_resource(a)));
    let unknown = baseline(UNKNOWN_SERVICE_PROBE);
    if unknown.is_allowed() {
        let denied: Vec<String> = REPRESENTATIVE
            .iter()
            .filter(|a| !baseline(a).is_allowed())
            .map(|a| a.to_string())
            .collect();
        let deciding_stmt = unknown.deciding.as_ref().and_then(|m| probe.statement(m));
        let policy = unknown.deciding.as_ref().map(|m| m.policy);
        let stmt = unknown.deciding.map(|m| m.statement);
        if denied.is_empty() {
            let not_action = deciding_stmt
                .filter(|s| s.action.negated)
                .map(|s| s.action.patterns.join(", "));
            let message = match not_action {
                Some(excluded) => format!("near-admin: allows every action except NotAction ({excluded}) on every resource, including the IAM actions that grant the rest"),
                None => "allows every action on every resource with no limiting condition (full administrator)".to_string(),
            };
            return vec![PolicyFinding::new(
                ADMIN_WILDCARD,
                Severity::Critical,
                stmt,
                message,
                vec!["*".to_string()],
            )
            .in_policy(policy)];
        }
        let self_grant: Vec<String> = IAM_SELF_GRANT
            .iter()
            .filter(|a| baseline(a).is_allowed())
            .map(|a| a.to_string())
            .collect();
        if !self_grant.is_empty() {
            return vec![PolicyFinding::new(
                ADMIN_WILDCARD,
                Severity::Critical,
                stmt,
                format!(
                    "near-admin: allows every action of every service except a few ({}), and still allows {} which grants the rest",
                    denied.join(", "),
                    self_grant.join(", ")
                ),
                self_grant,
            )
            .in_policy(policy)];
        }
        return Vec::new();
    }
    // Not allowed in the baseline request: is it admin under some condition values?
    let mut keys = Vec::new();
    let mut stmt = None;
    let mut policy = None;
    for a in std::iter::once(&UNKNOWN_SERVICE_PROBE).chain(REPRESENTATIVE.iter()) {
        match probe.find_allow_on(a, &probe.generic_resource(a), &[], None) {
            Some((ctx, d)) => {
                if stmt.is_none() {
                    policy = d.deciding.as_ref().map(|m| m.policy);
                    stmt = d.deciding.map(|m| m.statement);
                    let base = probe.baseline(a, "*");
                    keys = ctx
                        .keys()
                        .filter(|(k, v)| base.values(k) != Some(*v))
                        .map(|(k, _)| k.to_string())
                        .collect();
                }
            }
            None => return Vec::new(),
        }
    }
    let why = if keys.is_empty() {
        "its conditions".to_string()
    } else {
        keys.join(", ")
    };
    vec![PolicyFinding::new(
        ADMIN_WILDCARD,
        Severity::Medium,
        stmt,
        format!("conditional admin: allows every action on every resource, but only when {why} match the Condition"),
        vec!["*".to_string()],
    )
    .in_policy(policy)]
}
