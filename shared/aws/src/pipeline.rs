//! The part every function shares after judging: claim the incident, execute the pending
//! remediation steps, publish the alert, record completion.
//!
//! Order matters. The claim comes first so a concurrent or repeated delivery stands down. The
//! alert comes after the actions so it can say what was done. If the alert cannot be published
//! the claim is released and the invocation fails, so Lambda retries (and finally the DLQ keeps
//! the event): an alert is never lost, and a retry finds finished steps `AlreadyDone`.
//!
//! With Security Hub on (`GUARDRAIL_SECURITY_HUB`), each alerted finding is also imported there
//! after its alert. Security Hub is a secondary channel: a failed import is logged and counted
//! (metric `SecurityHubImportFailures`) but does not fail the invocation, since a retry would
//! re-run the whole pipeline for a channel that is not the alert.

use crate::error::AwsError;
use crate::ports::{Claim, FindingsSink, Ledger, Notifier, Remediator};
use guardrail_rules::alert;
use guardrail_rules::finding::{ActionStatus, Finding};
use guardrail_rules::plan::RemediationStep;

/// Why an invocation failed as a whole. Every variant is worth a retry by Lambda: they are
/// AWS-side failures, not bad input (bad input is rejected without error, see `Outcome`).
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    #[error("reading the facts failed: {0}")]
    Facts(AwsError),
    #[error("the alert could not be published: {0}")]
    Alert(AwsError),
    #[error("the incident ledger is unavailable: {0}")]
    Ledger(AwsError),
    #[error("the AWS Config evaluations could not be delivered: {0}")]
    Evaluations(AwsError),
}

/// What the pipeline did.
#[derive(Debug, Default)]
pub struct Reported {
    pub alerted: Vec<Finding>,
    /// Incident keys an earlier delivery already handled.
    pub duplicates: Vec<String>,
}

/// Act on and alert about each finding, once per incident.
pub async fn act_and_alert(
    findings: Vec<Finding>,
    event_id: &str,
    remediator: &impl Remediator,
    notifier: &impl Notifier,
    ledger: &impl Ledger,
) -> Result<Reported, InvocationError> {
    act_and_alert_to(findings, event_id, remediator, notifier, ledger, &NoSink).await
}

/// No second channel.
pub struct NoSink;

impl FindingsSink for NoSink {
    async fn import(&self, _findings: &[Finding]) -> Result<usize, AwsError> {
        Ok(0)
    }
    async fn archive_resolved(
        &self,
        _report: &guardrail_rules::sweep::SweepReport,
    ) -> Result<usize, AwsError> {
        Ok(0)
    }
}

/// [`act_and_alert`], also importing each alerted finding into `hub` (Security Hub).
pub async fn act_and_alert_to(
    findings: Vec<Finding>,
    event_id: &str,
    remediator: &impl Remediator,
    notifier: &impl Notifier,
    ledger: &impl Ledger,
    hub: &impl FindingsSink,
) -> Result<Reported, InvocationError> {
    let mut reported = Reported::default();
    // Several findings about one object plan the same step (detach this policy); done once, the
    // step is `AlreadyDone` for the others instead of failing on a second attempt.
    let mut executed: Vec<RemediationStep> = Vec::new();
    for mut finding in findings {
        let key = finding.incident_key();
        match ledger
            .claim(&key, event_id)
            .await
            .map_err(InvocationError::Ledger)?
        {
            Claim::Duplicate => {
                tracing::info!(rule = finding.rule, incident = %key, "incident already handled; not acting or alerting again");
                reported.duplicates.push(key);
                continue;
            }
            Claim::Acquired => {}
        }
        for action in finding
            .actions
            .iter_mut()
            .filter(|a| a.status == ActionStatus::Pending)
        {
            if executed.contains(&action.step) {
                action.status = ActionStatus::AlreadyDone;
                continue;
            }
            executed.push(action.step.clone());
            action.status = match remediator.execute(&action.step).await {
                Ok(()) => {
                    tracing::info!(rule = finding.rule, action = %action.step.describe(), "remediation done");
                    ActionStatus::Done
                }
                Err(e) => {
                    tracing::error!(rule = finding.rule, action = %action.step.describe(), error = %e, "remediation failed");
                    ActionStatus::Failed {
                        error: e.to_string(),
                    }
                }
            };
        }
        if let Err(e) = notifier.publish(&alert::render(&finding)).await {
            if let Err(release) = ledger.release(&key).await {
                tracing::error!(incident = %key, error = %release, "could not release the claim after a failed alert");
            }
            return Err(InvocationError::Alert(e));
        }
        tracing::info!(rule = finding.rule, severity = %finding.severity, resource = %finding.resource.arn, "alert published");
        crate::telemetry::emit_metrics(&finding);
        // Boxed: keeps this (already large) future small when the sink is a real SDK client.
        if let Err(e) = Box::pin(hub.import(std::slice::from_ref(&finding))).await {
            crate::securityhub::report_failure("import", 1, &e);
        }
        if let Err(e) = ledger.complete(&key).await {
            // The alert is out; a lost completion only means a retry after the lease may repeat it.
            tracing::warn!(incident = %key, error = %e, "could not mark the incident complete");
        }
        reported.alerted.push(finding);
    }
    Ok(reported)
}
