//! The rule catalogue: one file per rule, each with its metadata and its judgement.
//!
//! Metadata lives next to the code that implements it, so generated docs cannot drift from it.

pub mod ebs_encryption_by_default_off;
pub mod ebs_unencrypted_volume;

use crate::mode::Mode;
use crate::severity::Severity;
use serde::Serialize;

/// What a rule is, for people and for generated documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub default_mode: Mode,
    /// What is checked, in one or two sentences.
    pub checks: &'static str,
    /// Why it matters, and the practice it comes from.
    pub rationale: &'static str,
    /// What remediation does.
    pub remediation: &'static str,
    /// Matching AWS Config managed rule / CIS control / Prowler check, where one exists.
    pub anchors: &'static [&'static str],
}

/// Every rule this crate implements.
pub const ALL: &[&RuleMeta] = &[
    &ebs_unencrypted_volume::META,
    &ebs_encryption_by_default_off::META,
];

/// Look a rule up by id.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    ALL.iter().copied().find(|m| m.id == id)
}
