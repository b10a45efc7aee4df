//! The exposure guardrail: calls that open the account's resources to the internet, delivered
//! by EventBridge in every region the stack (or a member stack forwarding to it) runs in.
//! Today: security group ingress rules open to `0.0.0.0/0` or `::/0` on an administrative
//! port (`vpc-security-group-admin-port-open`), re-read and, in remediate mode, revoked rule
//! by rule. Issue 17's other exposures (public images, S3 Block Public Access, calls from
//! outside the allowed networks) are to join it.
//!
//! Thin by design: the rules and their registry lines are the core's
//! (`guardrail_rules::rules::registry`), the loop is the adapters' (`guardrail_aws::judges`).
//! A new exposure rule does not touch this file.

use guardrail_aws::judges;
use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::Wiring;
use guardrail_rules::rules::Function;
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct ExposureGuardrail {
    wiring: Wiring,
}

impl ExposureGuardrail {
    pub fn new(wiring: Wiring) -> ExposureGuardrail {
        ExposureGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        judges::handle(&self.wiring, Function::ExposureGuard, event).await
    }
}

impl guardrail_aws::Guardrail for ExposureGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        ExposureGuardrail::handle(self, event).await
    }
}
