//! AWS Config: PutEvaluations.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::EvaluationSink;
use aws_sdk_config::types::{ComplianceType, Evaluation as SdkEvaluation};
use aws_sdk_config::Client;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use guardrail_rules::evaluation::Evaluation;

/// PutEvaluations accepts at most 100 evaluations per call.
pub const BATCH: usize = 100;

/// Sends evaluations back to Config.
#[derive(Clone)]
pub struct ConfigSink {
    client: Client,
    /// PutEvaluations' TestMode: validates without recording. Only for emulators, which accept
    /// nothing else; never set it in a deployment.
    test_mode: bool,
}

impl ConfigSink {
    pub fn new(client: Client, test_mode: bool) -> ConfigSink {
        ConfigSink { client, test_mode }
    }
}

fn to_sdk(e: &Evaluation) -> Result<SdkEvaluation, AwsError> {
    let ts = e
        .ordering_timestamp
        .as_deref()
        .and_then(|t| DateTime::from_str(t, Format::DateTime).ok())
        .unwrap_or_else(|| DateTime::from(std::time::SystemTime::now()));
    SdkEvaluation::builder()
        .compliance_resource_type(&e.resource_type)
        .compliance_resource_id(&e.resource_id)
        .compliance_type(ComplianceType::from(e.compliance.as_str()))
        .set_annotation(e.annotation.clone())
        .ordering_timestamp(ts)
        .build()
        .map_err(|err| {
            AwsError::new(
                "config",
                "PutEvaluations",
                ErrorKind::Rejected,
                err.to_string(),
            )
        })
}

impl EvaluationSink for ConfigSink {
    async fn put(&self, result_token: &str, evaluations: &[Evaluation]) -> Result<(), AwsError> {
        for batch in evaluations.chunks(BATCH) {
            let items = batch.iter().map(to_sdk).collect::<Result<Vec<_>, _>>()?;
            self.client
                .put_evaluations()
                .result_token(result_token)
                .set_evaluations(Some(items))
                .test_mode(self.test_mode)
                .send()
                .await
                .map_err(|e| classify("config", "PutEvaluations", e))?;
        }
        Ok(())
    }
}
