//! The small traits the functions talk to. Each has one AWS implementation in this crate;
//! tests run those implementations against the moto emulator rather than mocking the traits.
//!
//! `async fn` in traits: these traits are only ever used with concrete types inside this
//! workspace (no `dyn`), so the compiler sees the concrete futures and their `Send`-ness.
#![allow(async_fn_in_trait)]

use crate::error::AwsError;
use guardrail_rules::alert::Alert;
use guardrail_rules::ebs::{RegionFacts, VolumeFacts};
use guardrail_rules::evaluation::Evaluation;
use guardrail_rules::plan::RemediationStep;

/// Where a fact is read or a change made: an account and a region. Adapters act only with
/// their own credentials, so a scope naming another account finds nothing to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

/// Reads EBS facts.
pub trait Ec2Facts {
    /// The volume, or `None` when it no longer exists.
    async fn volume(&self, scope: &Scope, id: &str) -> Result<Option<VolumeFacts>, AwsError>;
    /// Every volume of the region.
    async fn volumes(&self, scope: &Scope) -> Result<Vec<VolumeFacts>, AwsError>;
    async fn region(&self, scope: &Scope) -> Result<RegionFacts, AwsError>;
}

/// Executes one remediation step.
pub trait Remediator {
    async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError>;
}

/// Publishes alerts.
pub trait Notifier {
    async fn publish(&self, alert: &Alert) -> Result<(), AwsError>;
}

/// Result of claiming an incident in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First to see it: act and alert, then `complete`.
    Acquired,
    /// Already handled (or being handled) by an earlier delivery.
    Duplicate,
}

/// Remembers incidents so that a redelivered event or a repeat of the same incident changes
/// nothing and alerts once.
pub trait Ledger {
    async fn claim(&self, key: &str, event_id: &str) -> Result<Claim, AwsError>;
    async fn complete(&self, key: &str) -> Result<(), AwsError>;
    /// Forget a claim whose work failed, so a retry can redo it.
    async fn release(&self, key: &str) -> Result<(), AwsError>;
}

/// Receives AWS Config evaluations.
pub trait EvaluationSink {
    async fn put(&self, result_token: &str, evaluations: &[Evaluation]) -> Result<(), AwsError>;
}
