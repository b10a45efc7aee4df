//! Findings: what a rule concluded, and what was done about it.

use crate::mode::Mode;
use crate::plan::RemediationStep;
use crate::rules::RuleMeta;
use crate::settings::Settings;
use crate::severity::Severity;
use serde::Serialize;

/// Who and what caused the evaluation, copied into findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventContext {
    pub principal: Option<String>,
    pub event_id: Option<String>,
}

impl EventContext {
    /// The context of an API call: its caller and its event id.
    pub fn of(call: &crate::trigger::ApiCall) -> EventContext {
        EventContext {
            principal: Some(call.principal.display()),
            event_id: Some(call.event_id.clone()),
        }
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    /// CloudFormation-style type, e.g. `AWS::EC2::Volume`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub arn: String,
}

/// What happened to one remediation step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ActionStatus {
    /// The rule is in alert mode: the step is what remediation would do.
    Recommended,
    /// Dry-run: the step would have been executed.
    Planned,
    /// To be executed now (remediate mode, not dry-run). Only these steps may be executed.
    Pending,
    Done,
    /// The state re-read before acting showed the step is not needed (already done).
    AlreadyDone,
    Failed {
        error: String,
    },
}

/// A remediation step and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    pub step: RemediationStep,
    #[serde(flatten)]
    pub status: ActionStatus,
}

/// A finding, with everything the spec requires every finding to carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub account: String,
    pub region: String,
    pub resource: ResourceRef,
    pub principal: Option<String>,
    pub event_id: Option<String>,
    /// The reason, in words.
    pub reason: String,
    pub mode: Mode,
    pub dry_run: bool,
    pub actions: Vec<ActionReport>,
}

impl Finding {
    /// Build a finding whose steps start in the status the mode, the dry-run flag and the
    /// re-read state (`already_done`) give them. `Pending` steps are the only ones an executor
    /// may carry out, so this function is where "dry-run changes nothing" is decided.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        meta: &RuleMeta,
        mode: Mode,
        resource: ResourceRef,
        region: &str,
        account: &str,
        reason: String,
        steps: Vec<(RemediationStep, bool)>,
        ctx: &EventContext,
        settings: &Settings,
    ) -> Finding {
        let actions = steps
            .into_iter()
            .map(|(step, already_done)| ActionReport {
                step,
                status: match (mode, already_done, settings.dry_run) {
                    (_, true, _) => ActionStatus::AlreadyDone,
                    (Mode::Remediate, false, true) => ActionStatus::Planned,
                    (Mode::Remediate, false, false) => ActionStatus::Pending,
                    _ => ActionStatus::Recommended,
                },
            })
            .collect();
        Finding {
            rule: meta.id,
            severity: meta.severity,
            account: account.to_string(),
            region: region.to_string(),
            resource,
            principal: ctx.principal.clone(),
            event_id: ctx.event_id.clone(),
            reason,
            mode,
            dry_run: settings.dry_run,
            actions,
        }
    }

    /// The key under which repeats of this incident are deduplicated: the same rule on the same
    /// resource is one incident, whichever event (or redelivery) reported it; for per-event
    /// rules (root activity, change audit) each event is an incident of its own.
    pub fn incident_key(&self) -> String {
        let base = if self.resource.arn.ends_with(&self.resource.id) {
            format!("{}|{}", self.rule, self.resource.arn)
        } else {
            format!("{}|{}|{}", self.rule, self.resource.arn, self.resource.id)
        };
        match (
            crate::rules::meta(self.rule).map(|m| m.per_event),
            &self.event_id,
        ) {
            (Some(true), Some(event)) => format!("{base}|{event}"),
            _ => base,
        }
    }

    /// Whether any action failed (the alert says so, and the handler reports it).
    pub fn any_failed(&self) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a.status, ActionStatus::Failed { .. }))
    }
}
