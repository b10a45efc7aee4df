//! Lambda entry point: the shared bootstrap around this function's handler.

#[tokio::main]
async fn main() -> Result<(), guardrail_aws::runtime::Error> {
    guardrail_aws::runtime::run(tamper_guard::TamperGuardrail::new).await
}
