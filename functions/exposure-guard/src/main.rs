//! Lambda entry point: the shared bootstrap around this function's handler.

#[tokio::main]
async fn main() -> Result<(), guardrail_aws::runtime::Error> {
    guardrail_aws::runtime::run(exposure_guard::ExposureGuardrail::new).await
}
