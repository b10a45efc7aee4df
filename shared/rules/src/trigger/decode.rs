//! Shape detection and decoding of invocation payloads.

use super::cloudtrail::{ApiCall, CallKind, CloudTrailDetailWire};
use super::config_invocation::{ConfigInvocation, ConfigMessage, InvokingEventWire};
use super::{Schedule, Trigger};
use aws_lambda_events::event::config::ConfigEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde_json::{Map, Value};

/// Lambda's own payload limit for asynchronous invocations is 256 KiB; synchronous ones 6 MB.
/// Anything larger is not a real event, and refusing it bounds the work a hostile payload causes.
pub const MAX_EVENT_BYTES: usize = 6 * 1024 * 1024;

/// Why a payload could not be decoded. None of these gets better on retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("event is not valid JSON: {0}")]
    NotJson(String),
    #[error("event is {0} bytes, over the {MAX_EVENT_BYTES} byte limit")]
    TooLarge(usize),
    #[error("event is not a JSON object")]
    NotAnObject,
    #[error(
        "unrecognised event shape: neither an EventBridge envelope nor an AWS Config invocation"
    )]
    UnknownShape,
    #[error("unsupported EventBridge detail-type {0:?}")]
    UnsupportedDetailType(String),
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("missing field {0}")]
    MissingField(&'static str),
}

impl DecodeError {
    fn malformed(what: &'static str, e: impl std::fmt::Display) -> DecodeError {
        DecodeError::Malformed {
            what,
            reason: e.to_string(),
        }
    }
}

/// Decode raw bytes (as the CLI and tests hold them).
pub fn decode_str(text: &str) -> Result<Trigger, DecodeError> {
    if text.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge(text.len()));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    decode(&value)
}

/// Decode an invocation payload into a [`Trigger`].
pub fn decode(event: &Value) -> Result<Trigger, DecodeError> {
    let obj = event.as_object().ok_or(DecodeError::NotAnObject)?;
    if obj.contains_key("detail-type") {
        decode_eventbridge(event)
    } else if obj.contains_key("invokingEvent") || obj.contains_key("configRuleName") {
        decode_config(event)
    } else {
        Err(DecodeError::UnknownShape)
    }
}

fn decode_eventbridge(event: &Value) -> Result<Trigger, DecodeError> {
    let envelope: EventBridgeEvent<Value> = serde_json::from_value(event.clone())
        .map_err(|e| DecodeError::malformed("EventBridge envelope", e))?;
    let kind = match envelope.detail_type.as_str() {
        "AWS API Call via CloudTrail" => CallKind::ApiCall,
        "AWS Console Sign In via CloudTrail" => CallKind::ConsoleSignIn,
        "Scheduled Event" => {
            return Ok(Trigger::Schedule(Schedule {
                id: envelope.id.unwrap_or_default(),
                account: envelope.account.unwrap_or_default(),
                region: envelope.region.unwrap_or_default(),
                time: envelope.time.map(|t| t.to_rfc3339()),
            }))
        }
        other => return Err(DecodeError::UnsupportedDetailType(other.to_string())),
    };
    let detail: CloudTrailDetailWire = serde_json::from_value(envelope.detail)
        .map_err(|e| DecodeError::malformed("CloudTrail detail", e))?;
    let principal = detail.principal();
    let event_id = detail
        .event_id
        .or(envelope.id)
        .ok_or(DecodeError::MissingField("detail.eventID"))?;
    let event_name = detail
        .event_name
        .ok_or(DecodeError::MissingField("detail.eventName"))?;
    let event_source = detail
        .event_source
        .ok_or(DecodeError::MissingField("detail.eventSource"))?;
    let region = detail
        .aws_region
        .or(envelope.region)
        .ok_or(DecodeError::MissingField("detail.awsRegion"))?;
    let account = detail
        .recipient_account_id
        .or(envelope.account)
        .or_else(|| principal.account.clone())
        .ok_or(DecodeError::MissingField("detail.recipientAccountId"))?;
    Ok(Trigger::ApiCall(Box::new(ApiCall {
        kind,
        event_id,
        event_name,
        event_source,
        region,
        account,
        time: detail.event_time,
        principal,
        error_code: detail.error_code,
        error_message: detail.error_message,
        request: detail.request_parameters,
        response: detail.response_elements,
        additional: detail.additional_event_data,
        read_only: detail.read_only,
        source_ip: detail.source_ip_address,
    })))
}

fn decode_config(event: &Value) -> Result<Trigger, DecodeError> {
    let raw: ConfigEvent = serde_json::from_value(event.clone())
        .map_err(|e| DecodeError::malformed("AWS Config invocation", e))?;
    let invoking_text = raw
        .invoking_event
        .ok_or(DecodeError::MissingField("invokingEvent"))?;
    let invoking: InvokingEventWire = serde_json::from_str(&invoking_text)
        .map_err(|e| DecodeError::malformed("invokingEvent", e))?;
    let rule_parameters = match raw.rule_parameters.as_deref().map(str::trim) {
        None | Some("") => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(DecodeError::malformed(
                    "ruleParameters",
                    "not a JSON object",
                ))
            }
            Err(e) => return Err(DecodeError::malformed("ruleParameters", e)),
        },
    };
    let message = match invoking.message_type.as_deref() {
        Some("ConfigurationItemChangeNotification") => ConfigMessage::ItemChange(Box::new(
            invoking
                .configuration_item
                .and_then(|i| i.into_item())
                .ok_or(DecodeError::MissingField("invokingEvent.configurationItem"))?,
        )),
        Some("OversizedConfigurationItemChangeNotification") => ConfigMessage::Oversized(Box::new(
            invoking
                .configuration_item_summary
                .and_then(|i| i.into_item())
                .ok_or(DecodeError::MissingField(
                    "invokingEvent.configurationItemSummary",
                ))?,
        )),
        Some("ScheduledNotification") => ConfigMessage::Scheduled {
            notification_time: invoking.notification_creation_time,
        },
        Some(other) => {
            return Err(DecodeError::malformed(
                "invokingEvent",
                format!("unknown messageType {other:?}"),
            ))
        }
        None => return Err(DecodeError::MissingField("invokingEvent.messageType")),
    };
    Ok(Trigger::Config(Box::new(ConfigInvocation {
        rule_name: raw.config_rule_name.unwrap_or_default(),
        result_token: raw
            .result_token
            .ok_or(DecodeError::MissingField("resultToken"))?,
        account: raw.account_id.unwrap_or_default(),
        event_left_scope: raw.event_left_scope,
        rule_parameters,
        message,
    })))
}
