//! `iam-role-trust-open`: who can assume the role?
//!
//! Evaluated, not read: the probe asks the trust policy whether a principal of an unrelated
//! account may call sts:AssumeRole / AssumeRoleWithWebIdentity / AssumeRoleWithSAML with no
//! condition keys beyond what AWS always sends. A limiting Condition (`sts:ExternalId`,
//! `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn`, token `aud`/`sub` claims, ...)
//! is absent in that request, so a positive test on it fails and the role is not open.
//! - any AWS principal (`*`, NotPrincipal allow) → critical;
//! - a named account other than `own_account` → high (low when `own_account` is unknown:
//!   we cannot tell whether it is foreign);
//! - a federated provider with no claim condition → high (any identity of that IdP).

use super::super::context::{account_of, PrincipalType, RequestContext, RequestPrincipal};
use super::super::document::{Effect, Principals, Statement};
use super::super::evaluate::statement_applies;
use super::probe::{Probe, FOREIGN_ACCOUNT};
use super::rules::ROLE_TRUST_OPEN;
use super::PolicyFinding;
use crate::severity::Severity;

const ASSUME: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let own = probe.options.own_account.as_deref();
    let foreign = unrelated_account(probe, own);
    let role = format!("arn:aws:iam::{}:role/probe-role", probe.account);
    let mut out = Vec::new();
    for stmt in &probe.doc.statements {
        if stmt.effect != Effect::Allow || stmt.principal.is_none() {
            continue;
        }
        if !ASSUME
            .iter()
            .any(|a| super::super::evaluate::action_matches(&stmt.action, a))
        {
            continue;
        }
        // 1. Anyone at all.
        let attacker = RequestPrincipal::aws(format!("arn:aws:iam::{foreign}:role/attacker"));
        if let Some(action) = allowed_action(probe, stmt, &role, &attacker) {
            out.push(PolicyFinding::new(
                ROLE_TRUST_OPEN,
                Severity::Critical,
                Some(stmt.reference()),
                format!("any AWS principal (any account) can call {action} on this role with no limiting condition"),
                vec![action.to_string()],
            ));
            continue;
        }
        let Some(Principals::Typed(entries)) = stmt.principal.as_ref().map(|p| &p.principals)
        else {
            continue;
        };
        for (kind, values) in entries {
            for v in values {
                match kind {
                    PrincipalType::Aws => {
                        let acct = account_of(v).map(str::to_string);
                        if acct.is_some() && acct.as_deref() == own {
                            continue;
                        }
                        let who = RequestPrincipal::aws(v.clone());
                        if let Some(action) = allowed_action(probe, stmt, &role, &who) {
                            let (sev, msg) = match (own, &acct) {
                                (Some(_), _) => (
                                    Severity::High,
                                    format!("foreign principal {v} can call {action} without sts:ExternalId or another limiting condition"),
                                ),
                                (None, _) => (
                                    Severity::Low,
                                    format!("principal {v} can call {action} without a limiting condition (pass the own account id to tell whether it is foreign)"),
                                ),
                            };
                            out.push(PolicyFinding::new(
                                ROLE_TRUST_OPEN,
                                sev,
                                Some(stmt.reference()),
                                msg,
                                vec![action.to_string()],
                            ));
                        }
                    }
                    PrincipalType::Federated => {
                        let who = RequestPrincipal {
                            kind: PrincipalType::Federated,
                            id: v.clone(),
                        };
                        if let Some(action) = allowed_action(probe, stmt, &role, &who) {
                            out.push(PolicyFinding::new(
                                ROLE_TRUST_OPEN,
                                Severity::High,
                                Some(stmt.reference()),
                                format!("any identity of federated provider {v} can call {action}: no audience/subject condition"),
                                vec![action.to_string()],
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// The first assume action this statement allows `who` (evaluated with the whole document, so
/// a Deny still cuts it back) in a request carrying only the keys AWS always sends.
fn allowed_action(
    probe: &Probe<'_>,
    stmt: &Statement,
    role: &str,
    who: &RequestPrincipal,
) -> Option<&'static str> {
    ASSUME.into_iter().find(|action| {
        if !super::super::evaluate::action_matches(&stmt.action, action) {
            return false;
        }
        let mut ctx: RequestContext = probe.baseline(action, role).with_principal(who.clone());
        match who.account() {
            Some(acct) => {
                ctx.set("aws:PrincipalAccount", vec![acct.to_string()]);
                ctx.set("aws:PrincipalArn", vec![who.id.clone()]);
            }
            None => {
                for k in [
                    "aws:PrincipalAccount",
                    "aws:PrincipalArn",
                    "aws:username",
                    "aws:userid",
                ] {
                    ctx.remove(k);
                }
            }
        }
        let d = probe.eval(&ctx);
        d.is_allowed() && statement_applies(probe.doc, stmt, &ctx)
    })
}

/// An account the probe's "anyone" can come from: neither the own account nor one the
/// document names anywhere (principals or condition values). A fixed probe account would be
/// taken for "anyone" by a role that trusts exactly that account, and reported critical.
pub(super) fn unrelated_account(probe: &Probe<'_>, own: Option<&str>) -> String {
    let mentions = |account: &str| {
        Some(account) == own
            || probe.doc.statements.iter().any(|s| {
                let in_principal = match s.principal.as_ref().map(|p| &p.principals) {
                    Some(Principals::Typed(entries)) => entries
                        .iter()
                        .any(|(_, values)| values.iter().any(|v| v.contains(account))),
                    _ => false,
                };
                in_principal
                    || s.conditions
                        .iter()
                        .any(|c| c.values.iter().any(|v| v.contains(account)))
            })
    };
    // Twelve-digit accounts from a fixed sequence: the first the document does not name.
    // A document holds a bounded number of values, so this ends quickly.
    (0u64..1000)
        .map(|n| format!("{:012}", 999_988_887_777u64 - n * 111_111_111))
        .find(|c| !mentions(c))
        .unwrap_or_else(|| FOREIGN_ACCOUNT.to_string())
}
