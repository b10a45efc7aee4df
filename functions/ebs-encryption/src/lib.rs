//! The EBS encryption guardrail: `ebs-unencrypted-volume` and `ebs-encryption-by-default-off`
//! on CloudTrail events (CreateVolume, AttachVolume, ModifyVolume) and AWS Config invocations.
//!
//! Thin by design: decoding, judging and planning are the rules core's; reading, acting and
//! alerting are the adapters'. This file only routes between them.

use guardrail_aws::pipeline::{act_and_alert, InvocationError};
use guardrail_aws::ports::{Ec2Facts, EvaluationSink};
use guardrail_aws::{Scope, Wiring};
use guardrail_rules::ebs::{self, EventContext, VolumeFacts};
use guardrail_rules::gate::{self, Skip};
use guardrail_rules::rules::ebs_unencrypted_volume;
use guardrail_rules::trigger::{self, ApiCall, ConfigInvocation, ConfigMessage, Trigger};
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct EbsGuardrail {
    wiring: Wiring,
}

impl EbsGuardrail {
    pub fn new(wiring: Wiring) -> EbsGuardrail {
        EbsGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry; bad input
    /// is answered with `Outcome::rejected` because retrying it cannot help.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        let trigger = match trigger::decode(event) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "event rejected");
                return Ok(Outcome {
                    trigger: "unknown".to_string(),
                    rejected: Some(e.to_string()),
                    ..Outcome::default()
                });
            }
        };
        let span = tracing::info_span!("event", trigger = %trigger.label());
        let _enter = span.enter();
        let outcome = match &trigger {
            Trigger::ApiCall(call) => self.on_api_call(call).await?,
            Trigger::Config(invocation) => self.on_config(invocation).await?,
            Trigger::Schedule(s) => Outcome {
                trigger: trigger.label(),
                event_id: Some(s.id.clone()),
                skipped: Some("scheduled sweeps are the sweep function's job".to_string()),
                ..Outcome::default()
            },
        };
        tracing::info!(
            findings = outcome.findings.len(),
            duplicates = outcome.duplicates.len(),
            skipped = outcome.skipped.as_deref().unwrap_or(""),
            "event handled"
        );
        Ok(outcome)
    }

    async fn on_api_call(&self, call: &ApiCall) -> Result<Outcome, InvocationError> {
        let mut out = Outcome {
            trigger: format!("{}:{}", call.service(), call.event_name),
            event_id: Some(call.event_id.clone()),
            ..Outcome::default()
        };
        let settings = &self.wiring.settings;
        if let Err(skip) = gate::screen(call, settings) {
            out.skipped = Some(skip.to_string());
            return Ok(out);
        }
        let ids = ebs::volume_ids(call);
        if ids.is_empty() {
            out.skipped = Some(
                Skip::NotRelevant {
                    event: call.action(),
                }
                .to_string(),
            );
            return Ok(out);
        }
        let scope = Scope {
            account: call.account.clone(),
            region: call.region.clone(),
        };
        let ctx = EventContext {
            principal: Some(call.principal.display()),
            event_id: Some(call.event_id.clone()),
        };
        let ec2 = &self.wiring.ec2;
        let mut findings = Vec::new();
        for id in ids {
            // Re-read: the event says what happened then; only current state is acted on.
            let Some(volume) = ec2
                .volume(&scope, &id)
                .await
                .map_err(InvocationError::Facts)?
            else {
                out.skipped_resources
                    .push(Skip::ResourceGone { id }.to_string());
                continue;
            };
            // The region's default matters only once an unencrypted volume shows the gap.
            let region = match ebs_unencrypted_volume::judge(&volume) {
                Some(_) => Some(ec2.region(&scope).await.map_err(InvocationError::Facts)?),
                None => None,
            };
            match ebs::assess(&volume, region.as_ref(), &ctx, settings) {
                Ok(f) => findings.extend(f),
                Err(skip) => out.skipped_resources.push(format!("{id}: {skip}")),
            }
        }
        let w = &self.wiring;
        let reported =
            act_and_alert(findings, &call.event_id, &w.ec2, &w.notifier, &w.ledger).await?;
        out.findings = reported.alerted;
        out.duplicates = reported.duplicates;
        Ok(out)
    }

    async fn on_config(&self, inv: &ConfigInvocation) -> Result<Outcome, InvocationError> {
        let exempt_tag = &self.wiring.settings.exempt_tag;
        let mut out = Outcome {
            trigger: format!("config:{}", inv.message.label()),
            ..Outcome::default()
        };
        let evaluations = match &inv.message {
            ConfigMessage::ItemChange(item) | ConfigMessage::Oversized(item) => {
                match ebs::evaluate_config_item(item, inv.event_left_scope, exempt_tag) {
                    Some(evaluation) => vec![evaluation],
                    // Oversized (or a change item without `encrypted`): read the volume itself.
                    None => {
                        let scope = Scope {
                            account: item.account.clone().unwrap_or_else(|| inv.account.clone()),
                            region: item
                                .region
                                .clone()
                                .unwrap_or_else(|| self.wiring.home_region()),
                        };
                        let volume = self.read(&scope, &item.resource_id).await?;
                        vec![ebs::evaluate_volume(
                            &item.resource_id,
                            volume.as_ref(),
                            item.capture_time.clone(),
                            exempt_tag,
                        )]
                    }
                }
            }
            ConfigMessage::Scheduled { notification_time } => {
                let scope = Scope {
                    account: inv.account.clone(),
                    region: self.wiring.home_region(),
                };
                let volumes = self
                    .wiring
                    .ec2
                    .volumes(&scope)
                    .await
                    .map_err(InvocationError::Facts)?;
                volumes
                    .iter()
                    .map(|v| {
                        ebs::evaluate_volume(&v.id, Some(v), notification_time.clone(), exempt_tag)
                    })
                    .collect()
            }
        };
        self.wiring
            .config
            .put(&inv.result_token, &evaluations)
            .await
            .map_err(InvocationError::Evaluations)?;
        out.evaluations = evaluations;
        Ok(out)
    }

    async fn read(&self, scope: &Scope, id: &str) -> Result<Option<VolumeFacts>, InvocationError> {
        self.wiring
            .ec2
            .volume(scope, id)
            .await
            .map_err(InvocationError::Facts)
    }
}
