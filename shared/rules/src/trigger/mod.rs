//! What invoked a function, decoded into typed facts.
//!
//! A guardrail function can be invoked by three very different payloads (an EventBridge envelope
//! around a CloudTrail record, an AWS Config rule invocation, a scheduled EventBridge event).
//! [`decode`] tells them apart by shape and turns each into a [`Trigger`]; nothing downstream ever
//! touches raw JSON again.

mod cloudtrail;
mod config_invocation;
mod decode;
mod principal;

pub use cloudtrail::{ApiCall, CallKind};
pub use config_invocation::{ConfigInvocation, ConfigMessage, ConfigurationItem, ItemStatus};
pub use decode::{decode, decode_owned, decode_str, DecodeError, MAX_EVENT_BYTES, MAX_EVENT_DEPTH};
pub use principal::{Principal, PrincipalKind};

/// An EC2 resource id named by an event: `prefix` (`vol-`, `i-`, `snap-`) followed by 1 to 32
/// hex digits. Anything else is not passed on to an API call.
pub fn is_ec2_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        !hex.is_empty() && hex.len() <= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

use serde::Serialize;

/// A decoded invocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// A CloudTrail management event (API call or console sign-in) delivered by EventBridge.
    ApiCall(Box<ApiCall>),
    /// An AWS Config custom-rule invocation.
    Config(Box<ConfigInvocation>),
    /// A scheduled EventBridge event: sweep the account.
    Schedule(Schedule),
}

/// A scheduled sweep request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub id: String,
    pub account: String,
    pub region: String,
    pub time: Option<String>,
}

impl Trigger {
    /// Short label for logs and handler output.
    pub fn label(&self) -> String {
        match self {
            Trigger::ApiCall(c) => format!("{}:{}", c.service(), c.event_name),
            Trigger::Config(c) => format!("config:{}", c.message.label()),
            Trigger::Schedule(_) => "schedule".to_string(),
        }
    }
}
