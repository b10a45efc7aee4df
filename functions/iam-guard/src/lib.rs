//! The IAM guardrail, on CloudTrail IAM events and console sign-ins (both delivered by
//! EventBridge only in us-east-1): policy rules through the policy engine, console users
//! without MFA, access keys created for others, users and roles without the required
//! permissions boundary, the effective access of the users and roles a change affects
//! (`iam-principal-*`), root activity, and the IAM change audit.
//!
//! Thin by design: the rules core's registry of call judges decides what to read and judges
//! it (`guardrail_rules::rules::registry`), the adapters read and act, this file runs the
//! loop. A new rule for IAM calls does not touch it.

use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::Wiring;
use guardrail_rules::finding::EventContext;
use guardrail_rules::rules::registry::{call_judges, Need, Read, Round};
use guardrail_rules::rules::Function;
use guardrail_rules::trigger::{ApiCall, Trigger};
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
        decode_and_route(event, |trigger| async move {
            match &trigger {
                Trigger::ApiCall(call) => self.on_call(call).await,
                _ => Ok(Outcome::not_relevant(&trigger)),
            }
        })
        .await
    }

    async fn on_call(&self, call: &ApiCall) -> Result<Outcome, InvocationError> {
        let settings = &self.wiring.settings;
        let mut out = match Outcome::screen(call, settings) {
            Ok(out) => out,
            Err(skipped) => return Ok(*skipped),
        };
        let ctx = EventContext::of(call);
        // The event's account: this one, or a member account through its remediation role.
        let wiring = self.wiring.in_account(&call.account).await?;
        // Round by round: the change's findings (and remediation) are reported before the
        // principals are re-read, so a policy just detached no longer makes anyone admin.
        for round in [Round::Change, Round::AfterRemediation] {
            let mut reads: Vec<(Need, Read)> = Vec::new();
            let mut findings = Vec::new();
            for judge in call_judges(Function::IamGuard).filter(|j| j.round == round) {
                if !judge.any_enabled(settings) {
                    continue; // nothing is read for rules that are off
                }
                let Some(need) = (judge.needs)(call, settings) else {
                    continue;
                };
                // Judges that need the same facts share one read.
                let at = match reads.iter().position(|(n, _)| *n == need) {
                    Some(at) => at,
                    None => {
                        let read = wiring
                            .iam
                            .read(&need)
                            .await
                            .map_err(InvocationError::Facts)?;
                        reads.push((need, read));
                        reads.len() - 1
                    }
                };
                let read = &reads[at].1;
                let judged = (judge.judge)(call, read, &ctx, settings);
                findings.extend(judged.findings);
                out.skipped_resources.extend(judged.notes);
            }
            if round == Round::Change || !findings.is_empty() {
                wiring.report(findings, &call.event_id, &mut out).await?;
            }
        }
        Ok(out)
    }
}

impl guardrail_aws::Guardrail for IamGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        IamGuardrail::handle(self, event).await
    }
}
