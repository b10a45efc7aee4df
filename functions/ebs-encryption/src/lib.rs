//! The EBS encryption guardrail: `ebs-unencrypted-volume` and `ebs-encryption-by-default-off`
//! on CloudTrail events (CreateVolume, AttachVolume, ModifyVolume) and AWS Config invocations.
//!
//! Thin by design: decoding, judging and planning are the rules core's; reading, acting and
//! alerting are the adapters'. API calls go through the registry of call judges
//! (`guardrail_rules::ebs::JUDGE`, run by `guardrail_aws::judges`); Config invocations answer
//! with evaluations, which this file routes.

use guardrail_aws::judges;
use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::ports::{Ec2Facts, EvaluationSink};
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::{Scope, Wiring};
use guardrail_rules::ebs;
use guardrail_rules::rules::Function;
use guardrail_rules::trigger::{ConfigInvocation, ConfigMessage, Trigger};
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
                Trigger::ApiCall(call) => {
                    judges::on_call(&self.wiring, Function::EbsEncryption, call).await
                }
                Trigger::Config(invocation) => self.on_config(invocation).await,
                Trigger::Schedule(_) => Ok(Outcome::not_relevant(&trigger)),
            }
        })
        .await
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
