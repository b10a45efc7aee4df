//! The region guardrail: which API calls count as "made in a region" (the global-service
//! exemptions), what such a call created, and the judgement of the re-read state into a finding
//! whose plan stops/terminates the instances or deletes the volume it created.
//!
//! The rule itself (`region-not-allowed`) and its metadata live in
//! [`crate::rules::region_not_allowed`]; this module holds its data and planning.

mod assess;
mod exempt_actions;
mod facts;
mod instance_action;
mod subjects;

pub use crate::finding::EventContext;
pub use assess::{assess, violation, Violation};
pub use exempt_actions::{exempt_by, CONTROL_TOWER_NOT_ACTIONS};
pub use facts::{instance_arn, Current, InstanceFacts};
pub use instance_action::InstanceAction;
pub use subjects::{subjects, Subjects, MAX_SUBJECTS};
