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
use guardrail_rules::plan::{IamTarget, RemediationStep};
use guardrail_rules::region::InstanceFacts;
use guardrail_rules::rules::iam_permissions_boundary_missing::BoundaryState;
use guardrail_rules::rules::iam_user_console_without_mfa::ConsoleUser;
use guardrail_rules::settings::Settings;
use guardrail_rules::sweep::{CredentialReport, SweepFacts, UserDetail};
use guardrail_rules::tally::Tally;

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
    /// The volumes attached to any of these instances (an instance gone has none).
    async fn instance_volumes(
        &self,
        scope: &Scope,
        instance_ids: &[String],
    ) -> Result<Vec<VolumeFacts>, AwsError>;
    async fn region(&self, scope: &Scope) -> Result<RegionFacts, AwsError>;
    /// The instances among `ids` that still exist, with their state and tags (DescribeInstances).
    /// An id missing from the answer no longer exists.
    async fn instances(
        &self,
        scope: &Scope,
        ids: &[String],
    ) -> Result<Vec<InstanceFacts>, AwsError>;
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
    /// Add the event to the counter (a set of event ids: a redelivery adds nothing) and
    /// answer how many distinct events it holds, at most `cap`; `None`: this ledger keeps
    /// no counters.
    async fn tally(&self, tally: &Tally, cap: u32) -> Result<Option<u32>, AwsError>;
}

/// Receives AWS Config evaluations.
pub trait EvaluationSink {
    async fn put(&self, result_token: &str, evaluations: &[Evaluation]) -> Result<(), AwsError>;
}

/// Receives findings in a second channel (AWS Security Hub): imports them, and closes the ones a
/// sweep no longer sees. Optional and secondary: callers log failures instead of failing.
pub trait FindingsSink {
    /// Import (create or update) findings; the number imported.
    async fn import(&self, findings: &[guardrail_rules::Finding]) -> Result<usize, AwsError>;
    /// Archive the findings imported earlier that this sweep (`report`: its account, regions,
    /// findings and the rules it could not judge) shows resolved; the number archived.
    async fn archive_resolved(
        &self,
        report: &guardrail_rules::sweep::SweepReport,
    ) -> Result<usize, AwsError>;
}

/// A managed policy version, as read back from IAM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub version_id: String,
    pub is_default: bool,
    /// As IAM returns it: URL-encoded JSON (the policy parser accepts it as is).
    pub document: String,
}

/// Reads IAM facts. Every method answers `None` when the thing no longer exists.
pub trait IamFacts {
    /// A version of a managed policy (`None` version: the default one).
    async fn policy_version(
        &self,
        policy_arn: &str,
        version: Option<&str>,
    ) -> Result<Option<PolicyVersion>, AwsError>;
    /// The newest version other than `current`, to revert to.
    async fn previous_version(
        &self,
        policy_arn: &str,
        current: &str,
    ) -> Result<Option<String>, AwsError>;
    /// ARNs of the managed policies attached to a user, group or role.
    async fn attached(&self, target: &IamTarget) -> Result<Option<Vec<String>>, AwsError>;
    async fn inline_policy(
        &self,
        target: &IamTarget,
        name: &str,
    ) -> Result<Option<String>, AwsError>;
    async fn trust_policy(&self, role_name: &str) -> Result<Option<String>, AwsError>;
    async fn console_user(&self, user_name: &str) -> Result<Option<ConsoleUser>, AwsError>;
    /// A user's or role's permissions boundary and tags (`None`: no such user or role).
    async fn permissions_boundary(
        &self,
        target: &IamTarget,
    ) -> Result<Option<BoundaryState>, AwsError>;
    /// Whether the key is active (`None`: no such key).
    async fn access_key_active(
        &self,
        user_name: &str,
        key_id: &str,
    ) -> Result<Option<bool>, AwsError>;
}

/// Reads a whole account for the scheduled sweep, `guardrail scan` and the AWS Config periodic
/// rule for IAM users.
pub trait AccountFactsReader {
    /// Everything the sweep judges. `account`: the account swept (from the event), if known;
    /// `now`: seconds since the epoch, for credential ages.
    async fn sweep_facts(
        &self,
        account: Option<&str>,
        home_region: &str,
        settings: &Settings,
        now: i64,
    ) -> Result<SweepFacts, AwsError>;
    /// The users (with their unique ids, as Config names them) and the credential report.
    async fn user_facts(&self) -> Result<(Vec<UserDetail>, CredentialReport), AwsError>;
}
