//! The finding of a rule judged from the call (the tamper rules): about the resource the call
//! names, in the call's account and region, with no plan or the steps a re-read planned. Built
//! only when the rule is on.

use super::registry::Judged;
use super::{enabled, RuleMeta};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::trigger::ApiCall;
use std::fmt::Display;

/// Remediation steps, each with whether re-read state shows it done.
pub type Steps = Vec<(RemediationStep, bool)>;

/// The finding, or `None` when the rule is off.
pub fn finding(
    meta: &'static RuleMeta,
    call: &ApiCall,
    resource: ResourceRef,
    reason: String,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    planned(meta, call, resource, reason, Vec::new(), ctx, settings)
}

/// [`finding`] with remediation steps (each with whether re-read state shows it done).
pub fn planned(
    meta: &'static RuleMeta,
    call: &ApiCall,
    resource: ResourceRef,
    reason: String,
    steps: Vec<(RemediationStep, bool)>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = enabled(meta, settings)?;
    Some(Finding::build(
        meta,
        mode,
        resource,
        &call.region,
        &call.account,
        reason,
        steps,
        ctx,
        settings,
    ))
}

/// A resource the call names by `key` (an ARN or a name), as `kind` with an ARN built from
/// `arn_of(region, account, name)` when the call gave a name. `None` when the call names none.
pub fn named(
    call: &ApiCall,
    key: &str,
    kind: &'static str,
    arn_of: fn(&str, &str, &str) -> String,
) -> Option<ResourceRef> {
    let name = call.request_str(key).filter(|n| !n.is_empty())?;
    let arn = if name.starts_with("arn:") {
        name.to_string()
    } else {
        arn_of(&call.region, &call.account, name)
    };
    let id = name.rsplit('/').next().unwrap_or(name).to_string();
    Some(ResourceRef { kind, id, arn })
}

/// The account itself, for calls that name no resource of their own.
pub fn account(call: &ApiCall, service: &str) -> ResourceRef {
    ResourceRef {
        kind: "AWS::::Account",
        id: format!("{service} in {}", call.region),
        arn: format!("arn:aws:iam::{}:root", call.account),
    }
}

/// The resource a change names by the first of `keys` present in the request (an id, a
/// name or an ARN), as `kind` with `arn_of(region, account, id)`; the account itself (for
/// `service`) when the request names none.
pub fn changed(
    call: &ApiCall,
    keys: &[&str],
    kind: &'static str,
    service: &str,
    arn_of: fn(&str, &str, &str) -> String,
) -> ResourceRef {
    keys.iter()
        .find_map(|k| named(call, k, kind, arn_of))
        .unwrap_or_else(|| account(call, service))
}

/// The remediation of an audited change: none, it may be intended.
pub const AUDITED: &str = "Alert only: the change may be intended; the alert names who made it, \
                           and CloudTrail holds the request to reverse it. Where such changes \
                           are routine, switch the rule off in GUARDRAIL_RULE_MODES.";

/// A change audited as a CIS section-4 alarm: who called what on which resource, where.
pub fn audited(
    meta: &'static RuleMeta,
    call: &ApiCall,
    resource: ResourceRef,
    why: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    audited_with(meta, call, resource, why, Vec::new(), ctx, settings)
}

/// [`audited`] with the steps a re-read planned.
pub fn audited_with(
    meta: &'static RuleMeta,
    call: &ApiCall,
    resource: ResourceRef,
    why: &str,
    steps: Vec<(RemediationStep, bool)>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let reason = format!(
        "{} called {} on {} in {} ({why})",
        call.principal.display(),
        call.event_name,
        resource.id,
        call.region,
    );
    planned(meta, call, resource, reason, steps, ctx, settings)
}

/// The judgement of a call that switched something off and whose target was re-read before
/// anything is switched back on (the trail, recorder, key or rule of the tamper rules).
/// `reread` is that read with the target's name (`None`: nothing was read, the rule alerts
/// only; a state of `None`: the target no longer exists, noted as `{kind} {name}: no longer
/// exists, nothing to {verb}`, never guessed at). `restore` plans the steps from the state read,
/// or says why it leaves the target alone; `finding` is the rule's finding with those steps.
pub fn restore_or_note<T, N: Display>(
    reread: Option<(&Option<T>, N)>,
    kind: &str,
    verb: &str,
    restore: impl FnOnce(&N, &T) -> Result<Steps, String>,
    finding: impl FnOnce(Steps) -> Option<Finding>,
) -> Judged {
    let (steps, note) = match reread {
        None => (Vec::new(), None),
        Some((Some(state), name)) => match restore(&name, state) {
            Ok(steps) => (steps, None),
            Err(why) => (Vec::new(), Some(why)),
        },
        Some((None, name)) => (
            Vec::new(),
            Some(format!(
                "{kind} {name}: no longer exists, nothing to {verb}"
            )),
        ),
    };
    let mut judged = Judged::findings(finding(steps));
    judged.notes.extend(note);
    judged
}
