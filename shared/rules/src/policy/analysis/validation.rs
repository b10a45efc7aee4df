//! `iam-policy-validation`: things IAM would reject or that do not mean what they seem.

use super::super::catalog::{catalog, ActionLookup};
use super::super::condition::{OperatorKind, SetQualifier};
use super::super::document::{Effect, PolicyDocument};
use super::super::evaluate::conditions_match;
use super::super::wildcard::has_wildcard;
use super::probe::Probe;
use super::rules::VALIDATION;
use super::{AnalysisOptions, PolicyFinding, PolicyKind};
use crate::severity::Severity;

pub(super) fn check(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let v =
        |sev, stmt, msg: String, actions| PolicyFinding::new(VALIDATION, sev, stmt, msg, actions);
    let uses_vars = doc.uses_variables();
    match doc.version.as_deref() {
        Some("2012-10-17") => {}
        Some("2008-10-17") if uses_vars => out.push(v(
            Severity::Medium,
            None,
            "Version 2008-10-17 does not substitute policy variables: ${...} is matched as literal text".into(),
            vec![],
        )),
        Some("2008-10-17") => {}
        None if uses_vars => out.push(v(
            Severity::Medium,
            None,
            "Version is missing (defaults to 2008-10-17): policy variables are matched as literal text".into(),
            vec![],
        )),
        None => out.push(v(
            Severity::Low,
            None,
            "Version is missing (defaults to 2008-10-17); use \"2012-10-17\"".into(),
            vec![],
        )),
        Some(other) => out.push(v(
            Severity::Medium,
            None,
            format!("unknown Version {other:?} (IAM accepts 2012-10-17 and 2008-10-17)"),
            vec![],
        )),
    }
    let cat = catalog();
    let probe = Probe::new(doc, options);
    for stmt in &doc.statements {
        let r = Some(stmt.reference());
        // Unknown names are grouped per statement: the catalogue snapshot lags AWS, so a
        // policy naming brand-new actions should get one low finding, not fifty.
        let mut unknown_services: Vec<String> = Vec::new();
        let mut unknown_actions: Vec<String> = Vec::new();
        for pat in &stmt.action.patterns {
            if pat.bytes().all(|b| b == b'*') {
                continue;
            }
            let Some((svc, act)) = pat.split_once(':') else {
                out.push(v(
                    Severity::Medium,
                    r.clone(),
                    format!("malformed action {pat:?} (expected service:Action)"),
                    vec![pat.clone()],
                ));
                continue;
            };
            if has_wildcard(svc) {
                continue;
            }
            if cat.service(svc).is_none() {
                unknown_services.push(pat.clone());
            } else if has_wildcard(act) {
                if cat.expand(pat).is_empty() {
                    unknown_actions.push(pat.clone());
                }
            } else if !matches!(cat.lookup(pat), ActionLookup::Known { .. }) {
                unknown_actions.push(pat.clone());
            }
        }
        for (list, what) in [
            (unknown_services, "unknown service"),
            (unknown_actions, "unknown action"),
        ] {
            if list.is_empty() {
                continue;
            }
            let sample: Vec<String> = list.iter().take(10).cloned().collect();
            out.push(v(
                Severity::Low,
                r.clone(),
                format!("{} {what} name(s) not in the action catalogue (typo, or newer than the catalogue): {}", list.len(), sample.join(", ")),
                sample,
            ));
        }
        for c in &stmt.conditions {
            if c.operator.kind == OperatorKind::Unknown {
                out.push(v(
                    Severity::Medium,
                    r.clone(),
                    format!("unknown condition operator {:?}: IAM rejects it; this engine treats it as never matching", c.operator.name),
                    vec![],
                ));
            }
        }
        // A Deny on `Bool aws:MultiFactorAuthPresent false` (no IfExists) does not apply to
        // long-term access keys, where the key is absent: decided by evaluating the statement.
        let bool_mfa_false = stmt.conditions.iter().any(|c| {
            c.operator.kind == OperatorKind::Bool
                && !c.operator.if_exists
                && c.operator.set == SetQualifier::None
                && c.key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
        });
        if stmt.effect == Effect::Deny && bool_mfa_false {
            let mut with_false = probe.baseline("probe:Probe", "*");
            with_false.set("aws:MultiFactorAuthPresent", vec!["false".into()]);
            let absent = probe.baseline("probe:Probe", "*");
            let vars = doc.variables_enabled();
            if conditions_match(stmt, &with_false, vars) && !conditions_match(stmt, &absent, vars) {
                out.push(v(
                    Severity::Medium,
                    r.clone(),
                    "Deny uses Bool aws:MultiFactorAuthPresent false: long-term access keys (key absent) bypass it; use BoolIfExists".into(),
                    vec![],
                ));
            }
        }
        if options.kind == PolicyKind::Identity && stmt.principal.is_some() {
            out.push(v(
                Severity::Medium,
                r.clone(),
                "Principal/NotPrincipal in an identity policy (IAM rejects it)".into(),
                vec![],
            ));
        }
        if matches!(options.kind, PolicyKind::Identity | PolicyKind::Scp) && stmt.resource.is_none()
        {
            out.push(v(
                Severity::Low,
                r.clone(),
                "statement has no Resource or NotResource (IAM rejects it in identity policies)"
                    .into(),
                vec![],
            ));
        }
    }
    out
}
