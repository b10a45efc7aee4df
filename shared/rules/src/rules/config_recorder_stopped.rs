//! `config-recorder-stopped`: AWS Config stopped recording (StopConfigurationRecorder,
//! DeleteConfigurationRecorder, DeleteDeliveryChannel).

use super::call_finding::finding;
use super::registry::{CallJudge, Judged, Need, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::ResourceRef;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "config-recorder-stopped",
    title: "AWS Config recording stopped",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks:
        "StopConfigurationRecorder, DeleteConfigurationRecorder or DeleteDeliveryChannel, by a \
             non-exempt principal.",
    rationale: "AWS Config is the account's record of how resources were configured, and what its \
                rules (this guardrail's included) judge; stopping it hides every change made \
                afterwards.",
    remediation: "Alert only for now: `aws configservice start-configuration-recorder \
                  --configuration-recorder-name NAME` resumes recording.",
    anchors: &[
        "CIS AWS Foundations 3.3, 4.9",
        "Security Hub Config.1",
        "AWS Config: config-enabled",
    ],
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

/// The calls it judges.
pub const EVENTS: &[&str] = &[
    "StopConfigurationRecorder",
    "DeleteConfigurationRecorder",
    "DeleteDeliveryChannel",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| META.declares_call(call).then_some(Need::Nothing),
    judge: |call, _, ctx, settings| Judged::findings(judge(call, ctx, settings)),
};

/// The recorder or delivery channel the call stopped or deleted.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let (kind, name) = match call.event_name.as_str() {
        "DeleteDeliveryChannel" => (
            "AWS::Config::DeliveryChannel",
            call.request_str("deliveryChannelName")
                .or_else(|| call.request_str("configurationRecorderName")),
        ),
        _ => (
            "AWS::Config::ConfigurationRecorder",
            call.request_str("configurationRecorderName"),
        ),
    };
    let name = name.unwrap_or("(unnamed)");
    let what = match call.event_name.as_str() {
        "StopConfigurationRecorder" => "stopped the configuration recorder",
        "DeleteConfigurationRecorder" => "deleted the configuration recorder",
        _ => "deleted the delivery channel",
    };
    let reason = format!(
        "{} {what} {name} in {}: AWS Config records no configuration changes",
        call.principal.display(),
        call.region
    );
    let prefix = match kind {
        "AWS::Config::DeliveryChannel" => "delivery-channel",
        _ => "configuration-recorder",
    };
    let resource = ResourceRef {
        kind,
        id: name.to_string(),
        arn: format!(
            "arn:aws:config:{}:{}:{prefix}/{name}",
            call.region, call.account
        ),
    };
    finding(&META, call, resource, reason, ctx, settings)
}
