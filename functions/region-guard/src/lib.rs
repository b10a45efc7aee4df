//! The region guardrail: `region-not-allowed` on CloudTrail API calls (delivered by
//! EventBridge) made in a region outside GUARDRAIL_ALLOWED_REGIONS. Stops or terminates the
//! instances a RunInstances launched and, when configured, deletes the volume a CreateVolume
//! created; always alerts.
//!
//! Thin by design: the rule's registry line (`guardrail_rules::rules::region_not_allowed::JUDGE`)
//! says what to re-read and judges it; the adapters read, act and run the loop
//! (`guardrail_aws::judges`). A sweep or a Config item does not say which call was made where,
//! so other triggers are not relevant here.

use guardrail_aws::judges;
use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::Wiring;
use guardrail_rules::rules::Function;
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
        judges::handle(&self.wiring, Function::RegionGuard, event).await
    }
}

impl guardrail_aws::Guardrail for RegionGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        RegionGuardrail::handle(self, event).await
    }
}
