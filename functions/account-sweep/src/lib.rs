//! The scheduled account sweep: every rule over the whole account on a schedule (EventBridge
//! Scheduler / rate rule), one summary alert per sweep, and the AWS Config periodic rule for IAM
//! users (console MFA, unused credentials, old keys).
//!
//! Thin by design: the adapters read the account (`guardrail_aws::account`), the core judges it
//! (`guardrail_rules::sweep`), the shared pipeline acts and deduplicates per resource, so a
//! problem still open at the next sweep is not re-alerted or re-remediated within the dedupe
//! window. Only the summary is published unless GUARDRAIL_SWEEP_ALERT_EACH is on: a large
//! account's first sweep would otherwise flood the topic.

use guardrail_aws::account::AccountReader;
use guardrail_aws::api_counter::ApiCounter;
use guardrail_aws::error::AwsError;
use guardrail_aws::pipeline::{self, InvocationError};
use guardrail_aws::ports::{AccountFactsReader, EvaluationSink, FindingsSink, Notifier};
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::Wiring;
use guardrail_rules::alert::Alert;
use guardrail_rules::gate;
use guardrail_rules::sweep::{self, SweepReport};
use guardrail_rules::trigger::{ConfigInvocation, ConfigMessage, Schedule, Trigger};
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct AccountSweep {
    wiring: Wiring,
    reader: AccountReader,
}

/// Per-finding alerts when GUARDRAIL_SWEEP_ALERT_EACH is off: logged, not published. The
/// findings still go through the ledger and remediation; the summary tells people about them.
struct LogOnly;

impl Notifier for LogOnly {
    async fn publish(&self, alert: &Alert) -> Result<(), AwsError> {
        tracing::info!(subject = %alert.subject, "sweep finding (summary alert only)");
        Ok(())
    }
}

impl AccountSweep {
    pub fn new(wiring: Wiring) -> AccountSweep {
        let reader = AccountReader::new(&wiring.sdk, ApiCounter::new());
        AccountSweep { wiring, reader }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        decode_and_route(event, |trigger| async move {
            match &trigger {
                Trigger::Schedule(schedule) => self.sweep(schedule).await.map(|(out, _)| out),
                Trigger::Config(inv) => self.on_config(inv).await,
                Trigger::ApiCall(_) => Ok(Outcome::not_relevant(&trigger)),
            }
        })
        .await
    }

    /// Sweep the account: judge, act and deduplicate per finding, publish the summary. Returns
    /// the handler's answer and the full report (API call counts included).
    pub async fn sweep(
        &self,
        schedule: &Schedule,
    ) -> Result<(Outcome, SweepReport), InvocationError> {
        let settings = &self.wiring.settings;
        let mut out = Outcome {
            trigger: "schedule".to_string(),
            event_id: Some(schedule.id.clone()),
            ..Outcome::default()
        };
        // The account to sweep comes from the event: the schedule's own (this account), or
        // a member account named by a schedule target's Input (docs/deploy.md).
        if !schedule.account.is_empty() {
            if let Err(skip) = gate::screen_account(&schedule.account, settings) {
                out.skipped = Some(skip.to_string());
                return Ok((
                    out,
                    SweepReport::new(
                        &schedule.account,
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                        Default::default(),
                    ),
                ));
            }
        }
        let wiring = self.wiring.in_account(&schedule.account).await?;
        let reader = self.reader_for(&wiring, &schedule.account);
        reader.counter().take();
        let home_region = wiring.home_region();
        let mut facts = reader
            .sweep_facts(Some(&schedule.account), &home_region, settings, now())
            .await
            .map_err(InvocationError::Facts)?;
        let swept = reader.judge(&mut facts, settings).await;
        let regions = facts
            .regions
            .iter()
            .map(|r| r.facts.region.clone())
            .collect();
        let findings = swept.findings.clone();
        let event_id = schedule.id.as_str();
        let (executor, ledger) = (&wiring.executor, &wiring.ledger);
        let reported = if settings.sweep_alert_each {
            pipeline::act_and_alert(findings, event_id, executor, &self.wiring.notifier, ledger)
                .await?
        } else {
            pipeline::act_and_alert(findings, event_id, executor, &LogOnly, ledger).await?
        };
        // The report shows what was done: acted-on findings replace their judged versions.
        let mut all = swept.findings;
        for f in all.iter_mut() {
            if let Some(done) = reported
                .alerted
                .iter()
                .find(|a| a.incident_key() == f.incident_key())
            {
                *f = done.clone();
            }
        }
        let mut report = SweepReport::new(
            &facts.account,
            regions,
            all,
            swept.notes,
            reader.counter().take(),
        );
        report.set_repeats(reported.duplicates.len());
        report.unjudged_rules = swept.unjudged_rules.iter().map(|r| r.to_string()).collect();
        // Boxed: the sweep's future is already large, and this one holds SDK futures.
        Box::pin(self.security_hub(&report)).await;
        self.wiring
            .notifier
            .publish(&sweep::summary_alert(&report))
            .await
            .map_err(InvocationError::Alert)?;
        tracing::info!(
            findings = report.findings.len(),
            repeats = report.repeats,
            api_calls = report.api_calls.values().sum::<u64>(),
            "sweep summary published"
        );
        out.skipped_resources = report.notes.clone();
        out.findings = reported.alerted;
        out.duplicates = reported.duplicates;
        Ok((out, report))
    }

    /// The reader of `account`: the one built at start-up for this account, a new one (cheap:
    /// no call is made until the sweep reads) through the member role for a member account.
    fn reader_for(&self, wiring: &Wiring, account: &str) -> AccountReader {
        if self.wiring.settings.is_member_account(account) {
            AccountReader::new(&wiring.sdk, self.reader.counter().clone())
        } else {
            self.reader.clone()
        }
    }

    /// With Security Hub on: import every finding of the sweep (repeats update the same
    /// Security Hub finding, refreshing `UpdatedAt`), then archive the ones imported earlier that
    /// this sweep no longer found. A failure is logged and counted, never fatal: the summary
    /// alert is the primary channel.
    async fn security_hub(&self, report: &SweepReport) {
        let hub = &self.wiring.security_hub;
        if hub.is_none() {
            return;
        }
        match hub.import(&report.findings).await {
            Ok(n) => tracing::info!(imported = n, "sweep findings imported into Security Hub"),
            Err(e) => {
                guardrail_aws::securityhub::report_failure("import", report.findings.len(), &e);
                // Without a complete import, "not found again" cannot be trusted: do not archive.
                return;
            }
        }
        match hub.archive_resolved(report).await {
            Ok(n) => tracing::info!(archived = n, "resolved Security Hub findings archived"),
            Err(e) => guardrail_aws::securityhub::report_failure("archive", 0, &e),
        }
    }

    /// AWS Config periodic rule for IAM users: one evaluation per user from the credential
    /// report (PutEvaluations, batched by 100 by the sink).
    async fn on_config(&self, inv: &ConfigInvocation) -> Result<Outcome, InvocationError> {
        // The same account scope as API calls: never judge (nor read) for another account.
        let mut out = match Outcome::screen_config(inv, &self.wiring.settings) {
            Ok(out) => out,
            Err(skipped) => return Ok(*skipped),
        };
        let ConfigMessage::Scheduled { notification_time } = &inv.message else {
            out.skipped =
                Some("the IAM user rule is periodic only; change notifications are ignored".into());
            return Ok(out);
        };
        let (users, report) = self
            .reader
            .user_facts()
            .await
            .map_err(InvocationError::Facts)?;
        let evaluations = sweep::user_evaluations(
            &users,
            &report,
            now(),
            &self.wiring.settings,
            notification_time.clone(),
        );
        self.wiring
            .config
            .put(&inv.result_token, &evaluations)
            .await
            .map_err(InvocationError::Evaluations)?;
        out.evaluations = evaluations;
        Ok(out)
    }
}

/// The clock, read here: the core takes time as an argument.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl guardrail_aws::Guardrail for AccountSweep {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        AccountSweep::handle(self, event).await
    }
}
