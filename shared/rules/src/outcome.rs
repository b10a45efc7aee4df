//! What a function invocation answers: the decoded trigger, what was skipped and why, the
//! findings with their action outcomes, and Config evaluations. Also the log of record.

use crate::evaluation::Evaluation;
use crate::finding::Finding;
use serde::Serialize;

/// The handler's JSON answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// Trigger label, e.g. `ec2:CreateVolume` or `config:item-change`.
    pub trigger: String,
    pub event_id: Option<String>,
    /// Why the whole event was left alone, if it was.
    pub skipped: Option<String>,
    /// Resources left alone, with the reason.
    pub skipped_resources: Vec<String>,
    /// Findings alerted on in this invocation.
    pub findings: Vec<Finding>,
    /// Incident keys already handled by an earlier delivery (not alerted again).
    pub duplicates: Vec<String>,
    pub evaluations: Vec<Evaluation>,
    /// A permanent input error: the event cannot be processed and retrying will not help.
    pub rejected: Option<String>,
}
