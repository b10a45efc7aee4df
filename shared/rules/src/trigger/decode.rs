//! Shape detection and decoding of invocation payloads.

use super::cloudtrail::{ApiCall, CallKind, CloudTrailDetailWire};
use super::config_invocation::{ConfigInvocation, ConfigMessage, InvokingEventWire};
use super::{Schedule, Trigger};
use aws_lambda_events::event::config::ConfigEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
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

/// Decode raw bytes (as the CLI and tests hold them). The parsed tree is consumed, so what
/// the trigger keeps (`requestParameters`, …) is moved out of it, not copied.
pub fn decode_str(text: &str) -> Result<Trigger, DecodeError> {
    if text.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge(text.len()));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    decode_owned(value)
}

/// How deep a `Value` handed to [`decode`] may nest. serde_json's parser stops at 128 levels,
/// so nothing parsed from text is refused; a `Value` built in memory deeper than this would
/// make deserializing (recursive) overflow the stack, so it is refused first.
pub const MAX_EVENT_DEPTH: usize = 256;

/// Decode an invocation payload into a [`Trigger`]. Nothing is cloned: the parts the trigger
/// keeps are deserialized from the borrowed tree (use [`decode_owned`] to move them instead).
pub fn decode(event: &Value) -> Result<Trigger, DecodeError> {
    match shape(event)? {
        Shape::EventBridge => decode_eventbridge(envelope(event)?, || {
            CloudTrailDetailWire::deserialize(event.get("detail").unwrap_or(&Value::Null))
        }),
        Shape::Config => decode_config(ConfigEvent::deserialize(event)),
    }
}

/// [`decode`], consuming the payload: what the trigger keeps is moved out of it, so decoding
/// adds no copy of the event to the heap.
pub fn decode_owned(mut event: Value) -> Result<Trigger, DecodeError> {
    match shape(&event)? {
        Shape::EventBridge => {
            let envelope = envelope(&event)?;
            let detail = event
                .as_object_mut()
                .and_then(|o| o.remove("detail"))
                .unwrap_or(Value::Null);
            decode_eventbridge(envelope, || CloudTrailDetailWire::deserialize(detail))
        }
        Shape::Config => decode_config(ConfigEvent::deserialize(event)),
    }
}

enum Shape {
    EventBridge,
    Config,
}

fn shape(event: &Value) -> Result<Shape, DecodeError> {
    let obj = event.as_object().ok_or(DecodeError::NotAnObject)?;
    let shape = if obj.contains_key("detail-type") {
        Shape::EventBridge
    } else if obj.contains_key("invokingEvent") || obj.contains_key("configRuleName") {
        Shape::Config
    } else {
        return Err(DecodeError::UnknownShape);
    };
    if deeper_than(event, MAX_EVENT_DEPTH) {
        return Err(DecodeError::malformed(
            "event",
            format!("nested more than {MAX_EVENT_DEPTH} levels"),
        ));
    }
    Ok(shape)
}

/// Whether `v` nests more than `limit` levels (iterative, one iterator per level open: any
/// depth is measured safely, in memory proportional to the depth).
fn deeper_than(v: &Value, limit: usize) -> bool {
    enum Level<'a> {
        Items(std::slice::Iter<'a, Value>),
        Values(serde_json::map::Values<'a>),
    }
    fn open(v: &Value) -> Option<Level<'_>> {
        match v {
            Value::Array(items) => Some(Level::Items(items.iter())),
            Value::Object(map) => Some(Level::Values(map.values())),
            _ => None,
        }
    }
    let mut stack: Vec<Level<'_>> = open(v).into_iter().collect();
    while let Some(level) = stack.last_mut() {
        let next = match level {
            Level::Items(it) => it.next(),
            Level::Values(it) => it.next(),
        };
        match next {
            None => {
                stack.pop();
            }
            Some(child) => {
                if let Some(l) = open(child) {
                    if stack.len() >= limit {
                        return true;
                    }
                    stack.push(l);
                }
            }
        }
    }
    false
}

/// Stands for the envelope's `detail` while the envelope is read: accepts anything and keeps
/// nothing, so reading the envelope copies none of the detail.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Skip)
    }
}

impl Serialize for Skip {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

fn envelope(event: &Value) -> Result<EventBridgeEvent<Skip>, DecodeError> {
    EventBridgeEvent::<Skip>::deserialize(event)
        .map_err(|e| DecodeError::malformed("EventBridge envelope", e))
}

fn decode_eventbridge(
    envelope: EventBridgeEvent<Skip>,
    detail: impl FnOnce() -> Result<CloudTrailDetailWire, serde_json::Error>,
) -> Result<Trigger, DecodeError> {
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
    let detail = detail().map_err(|e| DecodeError::malformed("CloudTrail detail", e))?;
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
        vpc_endpoint_id: detail.vpc_endpoint_id,
        console_session: detail.session_credential_from_console == Some(true),
    })))
}

fn decode_config(raw: Result<ConfigEvent, serde_json::Error>) -> Result<Trigger, DecodeError> {
    let raw = raw.map_err(|e| DecodeError::malformed("AWS Config invocation", e))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(depth: usize) -> Value {
        let mut v = json!(0);
        for _ in 0..depth {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn depth_is_measured_iteratively() {
        assert!(!deeper_than(&json!(1), 0));
        assert!(!deeper_than(&json!([]), 1));
        assert!(deeper_than(&json!([[]]), 1));
        assert!(!deeper_than(&json!({"a": [1, {"b": 2}], "c": 3}), 3));
        assert!(deeper_than(&json!({"a": [1, {"b": []}], "c": 3}), 3));
        let deep = nested(100_000);
        assert!(deeper_than(&deep, MAX_EVENT_DEPTH));
        // Dropping so deep a Value recurses (serde_json): not what is tested here.
        std::mem::forget(deep);
    }

    #[test]
    fn a_value_deeper_than_the_cap_is_refused_before_deserializing() {
        let mut event = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
            "detail": {"eventName": "X", "eventSource": "iam.amazonaws.com", "eventID": "e",
                "awsRegion": "us-east-1", "recipientAccountId": "1"}});
        event["detail"]["requestParameters"] = nested(10_000);
        let err = decode(&event).unwrap_err();
        assert!(
            matches!(err, DecodeError::Malformed { what: "event", .. }),
            "{err}"
        );
        std::mem::forget(event);
    }

    #[test]
    fn borrowed_and_owned_decoding_agree() {
        let event = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
            "account": "1", "region": "us-east-1",
            "detail": {"eventName": "PutUserPolicy", "eventSource": "iam.amazonaws.com",
                "eventID": "e", "requestParameters": {"userName": "bob"},
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}}});
        let borrowed = decode(&event).unwrap();
        assert_eq!(decode_owned(event.clone()).unwrap(), borrowed);
        assert_eq!(decode_str(&event.to_string()).unwrap(), borrowed);
        let Trigger::ApiCall(call) = borrowed else {
            panic!()
        };
        assert_eq!(call.request_str("userName"), Some("bob"));
        for bad in [json!([]), json!({"x": 1}), json!({"detail-type": 3})] {
            assert_eq!(
                decode(&bad).map_err(|e| e.to_string()),
                decode_owned(bad.clone()).map_err(|e| e.to_string())
            );
        }
    }
}
