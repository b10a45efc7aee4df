//! A CloudTrail management event, as delivered by EventBridge.

use super::principal::{Principal, UserIdentityWire};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether the record is an API call or a console sign-in (which has its own detail-type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    ApiCall,
    ConsoleSignIn,
}

/// One CloudTrail record, typed. `request` and `response` stay JSON because their shape depends
/// on the API; rules read them through the small accessors below, which never panic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiCall {
    pub kind: CallKind,
    /// CloudTrail's `eventID`: stable across EventBridge redeliveries, so it is the idempotency key.
    pub event_id: String,
    pub event_name: String,
    /// e.g. `ec2.amazonaws.com`.
    pub event_source: String,
    pub region: String,
    /// The account the call was made in (`recipientAccountId`, else the envelope's account).
    pub account: String,
    pub time: Option<String>,
    pub principal: Principal,
    /// Set on failed calls: nothing happened, so guardrails skip them.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request: Value,
    pub response: Value,
    pub additional: Value,
    pub read_only: Option<bool>,
    pub source_ip: Option<String>,
    /// `vpcEndpointId`: the call came through a VPC endpoint, so its source address is a
    /// private one on AWS's network, not where the caller is on the internet.
    pub vpc_endpoint_id: Option<String>,
    /// `sessionCredentialFromConsole`: the caller's credentials are a console sign-in's.
    pub console_session: bool,
}

impl ApiCall {
    /// The IAM service prefix of the call (`ec2` for `ec2.amazonaws.com`).
    pub fn service(&self) -> &str {
        self.event_source
            .strip_suffix(".amazonaws.com")
            .unwrap_or(&self.event_source)
    }

    /// The IAM action name of the call, e.g. `ec2:CreateVolume`.
    pub fn action(&self) -> String {
        format!("{}:{}", self.service(), self.event_name)
    }

    /// Whether the call failed: CloudTrail's `errorCode`, or a sign-in event answered
    /// `Failure` under its own name (`ConsoleLogin`, `PasswordUpdated`,
    /// `ExternalIdPDirectoryLogin`, ...) or carrying an `errorMessage`.
    pub fn failed(&self) -> bool {
        let sign_in = self.kind == CallKind::ConsoleSignIn;
        self.error_code.is_some()
            || (sign_in
                && (self.response.get(&self.event_name).and_then(Value::as_str) == Some("Failure")
                    || self.error_message.is_some()))
    }

    /// A string field of `requestParameters`.
    pub fn request_str(&self, key: &str) -> Option<&str> {
        self.request.get(key).and_then(Value::as_str)
    }

    /// A string field of `responseElements`.
    pub fn response_str(&self, key: &str) -> Option<&str> {
        self.response.get(key).and_then(Value::as_str)
    }
}

/// The `detail` of a CloudTrail-via-EventBridge event, as on the wire.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CloudTrailDetailWire {
    #[serde(rename = "eventID")]
    pub event_id: Option<String>,
    #[serde(rename = "eventName")]
    pub event_name: Option<String>,
    #[serde(rename = "eventSource")]
    pub event_source: Option<String>,
    #[serde(rename = "awsRegion")]
    pub aws_region: Option<String>,
    #[serde(rename = "recipientAccountId")]
    pub recipient_account_id: Option<String>,
    #[serde(rename = "eventTime")]
    pub event_time: Option<String>,
    #[serde(rename = "userIdentity", default)]
    pub user_identity: Option<UserIdentityWire>,
    #[serde(rename = "errorCode")]
    pub error_code: Option<String>,
    #[serde(rename = "errorMessage")]
    pub error_message: Option<String>,
    #[serde(rename = "requestParameters", default)]
    pub request_parameters: Value,
    #[serde(rename = "responseElements", default)]
    pub response_elements: Value,
    #[serde(rename = "additionalEventData", default)]
    pub additional_event_data: Value,
    /// A boolean, or the strings some producers write (`"True"`, `"false"`); anything else
    /// is unknown rather than a reason to refuse the record.
    #[serde(rename = "readOnly", default, deserialize_with = "lenient_bool")]
    pub read_only: Option<bool>,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: Option<String>,
    /// Any value but null counts (as EventBridge's `exists` does); a string is kept as is.
    #[serde(rename = "vpcEndpointId", default, deserialize_with = "lenient_string")]
    pub vpc_endpoint_id: Option<String>,
    /// CloudTrail writes the string `"true"`; a boolean is accepted too.
    #[serde(
        rename = "sessionCredentialFromConsole",
        default,
        deserialize_with = "lenient_bool"
    )]
    pub session_credential_from_console: Option<bool>,
}

impl CloudTrailDetailWire {
    pub(crate) fn principal(&self) -> Principal {
        Principal::from_wire(&self.user_identity.clone().unwrap_or_default())
    }
}

fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}
