//! The region guardrail: `region-not-allowed` on CloudTrail API calls (delivered by
//! EventBridge) made in a region outside GUARDRAIL_ALLOWED_REGIONS. Stops or terminates the
//! instances a RunInstances launched and, when configured, deletes the volume a CreateVolume
//! created; always alerts.
//!
//! Thin by design: judging and planning are the rules core's (`guardrail_rules::region`);
//! reading, acting and alerting are the adapters'. This file only routes between them.

use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::ports::Ec2Facts;
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::{Scope, Wiring};
use guardrail_rules::region::{self, Current, EventContext, Subjects};
use guardrail_rules::trigger::{ApiCall, Trigger};
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct RegionGuardrail {
    wiring: Wiring,
}

impl RegionGuardrail {
    pub fn new(wiring: Wiring) -> RegionGuardrail {
        RegionGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry; bad input
    /// is answered with `Outcome::rejected` because retrying it cannot help.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        decode_and_route(event, |trigger| async move {
            match &trigger {
                Trigger::ApiCall(call) => self.on_api_call(call).await,
                // The rule judges calls as they happen; a sweep or a Config item does not say
                // which call was made where.
                Trigger::Config(_) | Trigger::Schedule(_) => Ok(Outcome::not_relevant(&trigger)),
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
        let violation = match region::violation(call, settings) {
            Ok(v) => v,
            Err(clear) => {
                out.skipped = Some(clear.to_string());
                return Ok(out);
            }
        };
        // Re-read: the event says what was created then; only current state is acted on.
        let scope = Scope {
            account: violation.account.clone(),
            region: violation.region.clone(),
        };
        // The event's account: this one, or a member account through its remediation role.
        let wiring = self.wiring.in_account(&violation.account).await?;
        let ec2 = &wiring.ec2;
        let current = match &violation.subjects {
            Subjects::None => Current::default(),
            Subjects::Instances(ids) => Current {
                instances: ec2
                    .instances(&scope, ids)
                    .await
                    .map_err(InvocationError::Facts)?,
                volume: None,
            },
            Subjects::Volume(id) => Current {
                instances: Vec::new(),
                volume: ec2
                    .volume(&scope, id)
                    .await
                    .map_err(InvocationError::Facts)?,
            },
        };
        let ctx = EventContext::of(call);
        let findings = match region::assess(&violation, &current, &ctx, settings) {
            Ok(finding) => vec![finding],
            Err(skip) => {
                out.skipped = Some(skip.to_string());
                return Ok(out);
            }
        };
        wiring.report(findings, &call.event_id, &mut out).await?;
        Ok(out)
    }
}

impl guardrail_aws::Guardrail for RegionGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        RegionGuardrail::handle(self, event).await
    }
}
