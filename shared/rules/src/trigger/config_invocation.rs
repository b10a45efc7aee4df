//! An AWS Config custom-rule invocation.
//!
//! Config wraps its real payload twice: `invokingEvent` and `ruleParameters` are JSON *strings*
//! inside the JSON event. The decoder parses both, so nothing downstream sees a string blob.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A decoded Config invocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigInvocation {
    pub rule_name: String,
    /// Must be echoed in PutEvaluations.
    pub result_token: String,
    pub account: String,
    /// True when the resource left the rule's scope: answer NOT_APPLICABLE.
    pub event_left_scope: bool,
    pub rule_parameters: Map<String, Value>,
    pub message: ConfigMessage,
}

/// The three message types Config sends to a custom rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "message_type", rename_all = "snake_case")]
pub enum ConfigMessage {
    /// A full configuration item.
    ItemChange(Box<ConfigurationItem>),
    /// The item was too large to inline: only a summary; the function must read the resource.
    Oversized(Box<ConfigurationItem>),
    /// A periodic evaluation: judge every resource in scope.
    Scheduled { notification_time: Option<String> },
}

impl ConfigMessage {
    pub fn label(&self) -> &'static str {
        match self {
            ConfigMessage::ItemChange(_) => "item-change",
            ConfigMessage::Oversized(_) => "oversized-item-change",
            ConfigMessage::Scheduled { .. } => "scheduled",
        }
    }
}

/// Config's lifecycle status of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Ok,
    Discovered,
    Deleted,
    Other(String),
}

impl ItemStatus {
    fn from_wire(s: Option<&str>) -> ItemStatus {
        match s {
            Some("OK") | None => ItemStatus::Ok,
            Some("ResourceDiscovered") => ItemStatus::Discovered,
            Some("ResourceDeleted") | Some("ResourceDeletedNotRecorded") => ItemStatus::Deleted,
            Some(other) => ItemStatus::Other(other.to_string()),
        }
    }
}

/// A configuration item (or the summary of an oversized one, where `configuration` is null).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationItem {
    pub resource_type: String,
    pub resource_id: String,
    pub arn: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub status: ItemStatus,
    pub capture_time: Option<String>,
    pub configuration: Value,
    pub tags: Map<String, Value>,
}

impl ConfigurationItem {
    pub fn deleted(&self) -> bool {
        self.status == ItemStatus::Deleted
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InvokingEventWire {
    #[serde(rename = "messageType")]
    pub message_type: Option<String>,
    #[serde(rename = "configurationItem")]
    pub configuration_item: Option<ItemWire>,
    #[serde(rename = "configurationItemSummary")]
    pub configuration_item_summary: Option<ItemWire>,
    #[serde(rename = "notificationCreationTime")]
    pub notification_creation_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ItemWire {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
    #[serde(rename = "resourceId")]
    resource_id: Option<String>,
    #[serde(rename = "ARN")]
    arn: Option<String>,
    #[serde(rename = "awsRegion")]
    aws_region: Option<String>,
    #[serde(rename = "awsAccountId")]
    aws_account_id: Option<String>,
    #[serde(rename = "configurationItemStatus")]
    status: Option<String>,
    #[serde(rename = "configurationItemCaptureTime")]
    capture_time: Option<String>,
    #[serde(default)]
    configuration: Value,
    #[serde(default)]
    tags: Option<Map<String, Value>>,
}

impl ItemWire {
    /// Returns `None` when the item lacks its identity (type and id), which makes it unusable.
    pub(crate) fn into_item(self) -> Option<ConfigurationItem> {
        Some(ConfigurationItem {
            resource_type: self.resource_type?,
            resource_id: self.resource_id?,
            arn: self.arn,
            region: self.aws_region,
            account: self.aws_account_id,
            status: ItemStatus::from_wire(self.status.as_deref()),
            capture_time: self.capture_time,
            configuration: self.configuration,
            tags: self.tags.unwrap_or_default(),
        })
    }
}
