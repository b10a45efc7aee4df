//! `iam-policy-service-wildcard`: an Allow of `svc:*` on `*`.
//!
//! Candidate services come from the Action patterns; the verdict comes from evaluation: an
//! action of that service that does not exist is allowed on a generic resource only when the
//! policy really grants the whole service on every resource, unconditionally (a `svc:*` behind
//! a restricting Condition is not reported; a Deny of `svc:*` cuts it back).

use super::super::document::Effect;
use super::probe::Probe;
use super::rules::SERVICE_WILDCARD;
use super::PolicyFinding;
use crate::severity::Severity;

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let mut services: Vec<String> = Vec::new();
    for stmt in probe.identity_statements() {
        if stmt.effect != Effect::Allow || stmt.action.negated {
            continue;
        }
        for p in &stmt.action.patterns {
            if let Some((svc, act)) = p.split_once(':') {
                let svc = svc.to_ascii_lowercase();
                if !svc.is_empty()
                    && !svc.contains(['*', '?'])
                    && !act.is_empty()
                    && act.bytes().all(|b| b == b'*')
                    && !services.contains(&svc)
                {
                    services.push(svc);
                }
            }
        }
    }
    let mut out = Vec::new();
    for svc in services {
        let action = format!("{svc}:GuardrailProbeAction");
        let d = probe.eval(&probe.baseline(&action, &probe.generic_resource(&action)));
        if d.is_allowed() {
            out.push(PolicyFinding::new(
                SERVICE_WILDCARD,
                Severity::Medium,
                d.deciding.map(|m| m.statement),
                format!("allows every {svc} action ({svc}:*) on every resource"),
                vec![format!("{svc}:*")],
            ));
        }
    }
    out
}
