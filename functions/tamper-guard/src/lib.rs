//! The tamper guardrail ("guard the guards"): CloudTrail calls that stop, delete or weaken a
//! trail, and calls that switch off AWS Config, GuardDuty, IAM Access Analyzer or Security
//! Hub, delivered by EventBridge in every region the stack (or a member stack forwarding to
//! it) runs in. Each is its own rule, judged from the call alone; alerts only for now.
//!
//! Thin by design: the rules and their registry lines are the core's
//! (`guardrail_rules::rules::registry`), the loop is the adapters' (`guardrail_aws::judges`).
//! A new tamper rule does not touch this file.

use guardrail_aws::judges;
use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::Wiring;
use guardrail_rules::rules::Function;
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct TamperGuardrail {
    wiring: Wiring,
}

impl TamperGuardrail {
    pub fn new(wiring: Wiring) -> TamperGuardrail {
        TamperGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        judges::handle(&self.wiring, Function::TamperGuard, event).await
    }
}

impl guardrail_aws::Guardrail for TamperGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        TamperGuardrail::handle(self, event).await
    }
}
