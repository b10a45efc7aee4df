//! The IAM guardrail, on CloudTrail IAM events and console sign-ins (both delivered by
//! EventBridge only in us-east-1): policy rules through the policy engine, console users
//! without MFA, access keys created for others, users and roles without the required
//! permissions boundary, the effective access of the users and roles a change affects
//! (`iam-principal-*`), root activity, and the IAM change audit.
//!
//! Thin by design: the rules core's registry of call judges decides what to read and judges
//! it (`guardrail_rules::rules::registry`), the adapters read, act and run the loop
//! (`guardrail_aws::judges`). A new rule for IAM calls does not touch this file.

use guardrail_aws::judges;
use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::Wiring;
use guardrail_rules::rules::Function;
use guardrail_rules::Outcome;
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct IamGuardrail {
    wiring: Wiring,
}

impl IamGuardrail {
    pub fn new(wiring: Wiring) -> IamGuardrail {
        IamGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        judges::handle(&self.wiring, Function::IamGuard, event).await
    }
}

impl guardrail_aws::Guardrail for IamGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        IamGuardrail::handle(self, event).await
    }
}
