//! The Lambda bootstrap every function shares: logs, wiring built once, then the event loop.

use crate::pipeline::InvocationError;
use crate::telemetry;
use crate::wiring::Wiring;
use guardrail_rules::trigger::{self, Trigger};
use guardrail_rules::Outcome;
pub use lambda_runtime::Error;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;
use std::future::Future;
use tracing::Instrument;

/// A guardrail function's handler.
pub trait Guardrail: Sync {
    /// Handle one invocation: `Err` only for failures worth a Lambda retry.
    fn handle(
        &self,
        event: &Value,
    ) -> impl Future<Output = Result<Outcome, InvocationError>> + Send;
}

/// Decode an event and route the trigger, inside a span named after it. An event that cannot
/// be decoded is answered with `Outcome::rejected`: not an error, since a retry cannot help.
pub async fn decode_and_route<F, Fut>(event: &Value, route: F) -> Result<Outcome, InvocationError>
where
    F: FnOnce(Trigger) -> Fut,
    Fut: Future<Output = Result<Outcome, InvocationError>>,
{
    let trigger = match trigger::decode(event) {
        Ok(t) => t,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    let span =
        tracing::info_span!("event", trigger = %trigger.label(), event_id = %event_id(&trigger));
    route(trigger).instrument(span).await
}

/// Run a guardrail as a Lambda function. `build` receives the wiring made from the environment.
pub async fn run<G: Guardrail>(build: impl FnOnce(Wiring) -> G) -> Result<(), Error> {
    telemetry::init();
    let guardrail = build(Wiring::from_env().await?);
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // Boxed: the handler's future nests the SDK's deep futures; boxing keeps the type (and
        // the compiler's layout computation) shallow.
        let outcome = Box::pin(guardrail.handle(&event.payload))
            .await
            .inspect_err(|e| {
                tracing::error!(error = %e, retry = true, "invocation failed; Lambda will retry");
            })?;
        log_outcome(&outcome);
        Ok::<Value, Error>(serde_json::to_value(outcome)?)
    }))
    .await
}

/// One summary line per invocation (the findings themselves were logged as they were handled).
fn log_outcome(outcome: &Outcome) {
    if let Some(reason) = &outcome.rejected {
        tracing::error!(trigger = %outcome.trigger, error = %reason, retry = false, "event rejected");
        return;
    }
    tracing::info!(
        trigger = %outcome.trigger,
        event_id = outcome.event_id.as_deref().unwrap_or(""),
        findings = outcome.findings.len(),
        duplicates = outcome.duplicates.len(),
        evaluations = outcome.evaluations.len(),
        skipped = outcome.skipped.as_deref().unwrap_or(""),
        "event handled"
    );
}

/// The id to correlate an invocation's log lines: CloudTrail's event id, else the envelope's.
fn event_id(trigger: &Trigger) -> String {
    match trigger {
        Trigger::ApiCall(call) => call.event_id.clone(),
        Trigger::Config(c) => c.rule_name.clone(),
        Trigger::Schedule(s) => s.id.clone(),
    }
}
