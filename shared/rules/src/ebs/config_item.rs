//! Judging volumes for AWS Config.

use super::facts::VolumeFacts;
use crate::evaluation::{Compliance, Evaluation};
use crate::rules::ebs_unencrypted_volume as vol_rule;
use crate::trigger::ConfigurationItem;
use serde_json::Value;

/// Config's resource type for EBS volumes.
pub const VOLUME_TYPE: &str = "AWS::EC2::Volume";

/// Evaluate a full configuration item. `None` when the item does not carry the configuration
/// (an oversized summary): the caller must read the volume and use [`evaluate_volume`].
pub fn evaluate_config_item(
    item: &ConfigurationItem,
    left_scope: bool,
    exempt_tag: &str,
) -> Option<Evaluation> {
    let eval = |c, note: &str| {
        Some(Evaluation::new(
            &item.resource_type,
            &item.resource_id,
            c,
            Some(note.to_string()),
            item.capture_time.clone(),
        ))
    };
    if item.resource_type != VOLUME_TYPE {
        return eval(Compliance::NotApplicable, "not an EBS volume");
    }
    if item.deleted() || left_scope {
        return eval(Compliance::NotApplicable, "volume deleted or out of scope");
    }
    if item.tags.contains_key(exempt_tag) {
        return eval(Compliance::NotApplicable, "exempt by tag");
    }
    match item.configuration.get("encrypted").and_then(Value::as_bool) {
        Some(true) => eval(Compliance::Compliant, "volume is encrypted"),
        Some(false) => eval(
            Compliance::NonCompliant,
            &format!("{}: volume is not encrypted", vol_rule::META.id),
        ),
        None => None,
    }
}

/// Evaluate a volume read from the account (`None`: it no longer exists).
pub fn evaluate_volume(
    id: &str,
    volume: Option<&VolumeFacts>,
    ordering_timestamp: Option<String>,
    exempt_tag: &str,
) -> Evaluation {
    let (compliance, note) = match volume {
        None => (
            Compliance::NotApplicable,
            "volume no longer exists".to_string(),
        ),
        Some(v) if v.tags.contains_key(exempt_tag) => {
            (Compliance::NotApplicable, "exempt by tag".to_string())
        }
        Some(v) => match vol_rule::judge(v) {
            Some(reason) => (
                Compliance::NonCompliant,
                format!("{}: {reason}", vol_rule::META.id),
            ),
            None => (Compliance::Compliant, "volume is encrypted".to_string()),
        },
    };
    Evaluation::new(VOLUME_TYPE, id, compliance, Some(note), ordering_timestamp)
}
