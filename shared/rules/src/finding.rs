//! Findings: what a rule concluded, and what was done about it.

use crate::mode::Mode;
use crate::plan::RemediationStep;
use crate::severity::Severity;
use serde::Serialize;

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
    /// The key under which repeats of this incident are deduplicated: the same rule on the same
    /// resource is one incident, whichever event (or redelivery) reported it.
    pub fn incident_key(&self) -> String {
        format!("{}|{}", self.rule, self.resource.arn)
    }

    /// Whether any action failed (the alert says so, and the handler reports it).
    pub fn any_failed(&self) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a.status, ActionStatus::Failed { .. }))
    }
}
