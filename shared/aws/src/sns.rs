//! SNS alert publishing.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::Notifier;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use guardrail_rules::alert::Alert;

/// Publishes alerts to one topic; without a topic, alerts are only logged (local runs).
#[derive(Clone)]
pub struct SnsNotifier {
    client: Client,
    topic_arn: Option<String>,
}

impl SnsNotifier {
    pub fn new(client: Client, topic_arn: Option<String>) -> SnsNotifier {
        SnsNotifier { client, topic_arn }
    }
}

impl Notifier for SnsNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), AwsError> {
        let Some(topic) = &self.topic_arn else {
            tracing::warn!(subject = %alert.subject, "no GUARDRAIL_TOPIC_ARN: alert logged only\n{}", alert.message);
            return Ok(());
        };
        let mut req = self
            .client
            .publish()
            .topic_arn(topic)
            .subject(&alert.subject)
            .message(&alert.message);
        for (name, value) in &alert.attributes {
            let attr = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| AwsError::new("sns", "Publish", ErrorKind::Rejected, e.to_string()))?;
            req = req.message_attributes(name, attr);
        }
        req.send()
            .await
            .map_err(|e| classify("sns", "Publish", e))?;
        Ok(())
    }
}
