//! `config-changed`: AWS Config's recorder or delivery channel was set (CIS AWS Foundations
//! 4.9 alarms on PutConfigurationRecorder and PutDeliveryChannel as well as on the stops and
//! deletions, which are `config-recorder-stopped`'s).

use super::call_finding::{audited, AUDITED};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "config-changed",
    title: "AWS Config recorder or delivery channel changed",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "PutConfigurationRecorder (the alert says when it no longer records every \
             resource type) and PutDeliveryChannel, by a non-exempt principal.",
    rationale: "A recorder narrowed to a few resource types still runs but no longer records the \
                rest; a delivery channel moved to another bucket sends the configuration history \
                elsewhere. CIS 4.9 asks for an alarm on both.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.9"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "config.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it audits.
pub const EVENTS: &[&str] = &["PutConfigurationRecorder", "PutDeliveryChannel"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The recorder or channel the call set, and what it set.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let (key, kind, prefix) = match call.event_name.as_str() {
        "PutDeliveryChannel" => (
            "deliveryChannel",
            "AWS::Config::DeliveryChannel",
            "delivery-channel",
        ),
        _ => (
            "configurationRecorder",
            "AWS::Config::ConfigurationRecorder",
            "configuration-recorder",
        ),
    };
    let body = call.request.get(key);
    let name = body
        .and_then(|b| b.get("name"))
        .and_then(Value::as_str)
        .or_else(|| call.request_str("configurationRecorderName"))
        .filter(|n| !n.is_empty())
        .unwrap_or("(unnamed)");
    let resource = ResourceRef {
        kind,
        id: name.to_string(),
        arn: format!(
            "arn:aws:config:{}:{}:{prefix}/{name}",
            call.region, call.account
        ),
    };
    let why = match (call.event_name.as_str(), body) {
        ("PutDeliveryChannel", Some(b)) => match b.get("s3BucketName").and_then(Value::as_str) {
            Some(bucket) => format!("where the configuration history goes; s3BucketName={bucket}"),
            None => "where the configuration history goes".to_string(),
        },
        (_, Some(b)) if narrowed(b) => {
            "what is recorded: no longer every resource type".to_string()
        }
        _ => "what is recorded".to_string(),
    };
    audited(&META, call, resource, &why, ctx, settings)
}

/// The recorder set records less than every supported resource type (`allSupported` false,
/// or a recording strategy other than all-supported).
fn narrowed(recorder: &Value) -> bool {
    let Some(group) = recorder.get("recordingGroup") else {
        return false;
    };
    let strategy = group
        .get("recordingStrategy")
        .and_then(|s| s.get("useOnly"))
        .and_then(Value::as_str);
    group.get("allSupported") == Some(&Value::Bool(false))
        || strategy.is_some_and(|s| s != "ALL_SUPPORTED_RESOURCE_TYPES")
}
