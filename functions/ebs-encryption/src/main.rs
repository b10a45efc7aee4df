//! Lambda entry point: build everything once, then hand each event to the handler.

use ebs_encryption::EbsGuardrail;
use guardrail_aws::{telemetry, Wiring};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let guardrail = EbsGuardrail::new(Wiring::from_env().await?);
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let outcome = guardrail.handle(&event.payload).await?;
        Ok::<Value, Error>(serde_json::to_value(outcome)?)
    }))
    .await
}
