//! The EBS encryption guardrail: `ebs-unencrypted-volume` and `ebs-encryption-by-default-off`
//! on CloudTrail events (CreateVolume, AttachVolume, ModifyVolume) and AWS Config invocations.
//!
//! Thin by design: decoding, judging and planning are the rules core's; reading, acting and
//! alerting are the adapters'. This file only routes between them.

use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::ports::{Ec2Facts, EvaluationSink};
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::{Scope, Wiring};
use guardrail_rules::ebs::{self, EventContext};
use guardrail_rules::gate::Skip;
use guardrail_rules::rules::ebs_unencrypted_volume;
use guardrail_rules::trigger::{ApiCall, ConfigInvocation, ConfigMessage, Trigger};
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
        decode_and_route(event, |trigger| async move {
            match &trigger {
                Trigger::ApiCall(call) => self.on_api_call(call).await,
                Trigger::Config(invocation) => self.on_config(invocation).await,
                Trigger::Schedule(_) => Ok(Outcome::not_relevant(&trigger)),
            }
        })
        .await
    }

    async fn on_api_call(&self, call: &ApiCall) -> Result<Outcome, InvocationError> {
        let settings = &self.wiring.settings;
        let mut out = match Outcome::screen(call, settings) {
            Ok(out) => out,
            Err(skipped) => return Ok(*skipped),
        };
        let ids = ebs::volume_ids(call);
        if ids.is_empty() {
            let event = call.action();
            return Ok(Outcome::skip(call, &Skip::NotRelevant { event }));
        }
        let scope = Scope {
            account: call.account.clone(),
            region: call.region.clone(),
        };
        let ctx = EventContext::of(call);
        // The event's account: this one, or a member account through its remediation role.
        let wiring = self.wiring.in_account(&call.account).await?;
        let ec2 = &wiring.ec2;
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
        wiring.report(findings, &call.event_id, &mut out).await?;
        Ok(out)
    }

    async fn on_config(&self, inv: &ConfigInvocation) -> Result<Outcome, InvocationError> {
        let exempt_tag = &self.wiring.settings.exempt_tag;
        // The same account scope as API calls: never judge (nor read) for another account.
        let mut out = match Outcome::screen_config(inv, &self.wiring.settings) {
            Ok(out) => out,
            Err(skipped) => return Ok(*skipped),
        };
        // Config invokes with the account of the rule: read and answer (PutEvaluations) there.
        let wiring = self.wiring.in_account(&inv.account).await?;
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
                        let volume = wiring
                            .ec2
                            .volume(&scope, &item.resource_id)
                            .await
                            .map_err(InvocationError::Facts)?;
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
                let volumes = wiring
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
        wiring
            .config
            .put(&inv.result_token, &evaluations)
            .await
            .map_err(InvocationError::Evaluations)?;
        out.evaluations = evaluations;
        Ok(out)
    }
}

impl guardrail_aws::Guardrail for EbsGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        EbsGuardrail::handle(self, event).await
    }
}
