//! Which volumes an EC2 API call concerns.

use crate::region::{subjects, Subjects};
use crate::trigger::{is_ec2_id, ApiCall};

/// Volume ids named by a call this guardrail handles; empty for calls it does not handle.
/// The ids are only a pointer: the volume is re-read before anything is judged.
pub fn volume_ids(call: &ApiCall) -> Vec<String> {
    if call.service() != "ec2" {
        return Vec::new();
    }
    let id = match call.event_name.as_str() {
        "CreateVolume" => call.response_str("volumeId"),
        "AttachVolume" | "ModifyVolume" => call
            .request_str("volumeId")
            .or_else(|| call.response_str("volumeId"))
            .or_else(|| {
                call.response
                    .get("volumeModification")
                    .and_then(|m| m.get("volumeId"))
                    .and_then(|v| v.as_str())
            }),
        _ => None,
    };
    id.filter(|id| is_ec2_id(id, "vol-"))
        .map(|id| vec![id.to_string()])
        .unwrap_or_default()
}

/// The instances a RunInstances launched: their volumes (the AMI's and the launch template's
/// block device mappings, and the call's own) are found by re-reading what is attached to
/// them, since the event names none.
pub fn launched_instances(call: &ApiCall) -> Vec<String> {
    match subjects(call) {
        Subjects::Instances(ids) if call.event_name == "RunInstances" => ids,
        _ => Vec::new(),
    }
}
