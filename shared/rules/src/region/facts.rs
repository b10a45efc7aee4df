//! What the region rule needs to know about the resources a call created, re-read from the
//! account before anything is done: the event says what was launched then, not what is true now.

use crate::ebs::VolumeFacts;
use serde::Serialize;
use std::collections::BTreeMap;

/// An instance as DescribeInstances reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceFacts {
    pub id: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    pub tags: BTreeMap<String, String>,
}

impl InstanceFacts {
    /// Stopping (or already stopped, or on its way out) needs no stop call.
    pub fn is_stopped_or_gone(&self) -> bool {
        matches!(
            self.state.as_str(),
            "stopping" | "stopped" | "shutting-down" | "terminated"
        )
    }

    /// Terminating needs no terminate call.
    pub fn is_terminated(&self) -> bool {
        matches!(self.state.as_str(), "shutting-down" | "terminated")
    }
}

/// ARN of an instance.
pub fn instance_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:instance/{id}")
}

/// The re-read state of a call's subjects. An instance missing from `instances`, or a `volume`
/// of `None`, no longer exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Current {
    pub instances: Vec<InstanceFacts>,
    pub volume: Option<VolumeFacts>,
}
