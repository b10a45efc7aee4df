//! `config-recorder-stopped`: AWS Config stopped recording (StopConfigurationRecorder,
//! DeleteConfigurationRecorder, DeleteDeliveryChannel).

use super::call_finding::finding;
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::{enabled, RuleMeta};
use crate::finding::ResourceRef;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
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
    remediation: "StopConfigurationRecorder: StartConfigurationRecorder (remediate mode; the \
                  recorder's status is re-read first, so a recorder already started again or \
                  deleted since is left alone). Deleted recorders and delivery channels: alert \
                  only, recreating them needs the account's settings (role, bucket).",
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
        reads: &[Permission::any(
            "config:DescribeConfigurationRecorderStatus",
        )],
        steps: &[StepKind::StartConfigurationRecorder],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &[
    "StopConfigurationRecorder",
    "DeleteConfigurationRecorder",
    "DeleteDeliveryChannel",
];

/// A stopped recorder is re-read (to start it only while it is still stopped); deletions
/// are judged from the call alone.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) {
            return None;
        }
        Some(match (call.event_name.as_str(), stopped_recorder(call)) {
            ("StopConfigurationRecorder", Some(name)) => Need::Recorder {
                region: call.region.trim().to_string(),
                name: name.to_string(),
            },
            _ => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let Some(mut f) = judge(call, ctx, settings) else {
            return Judged::default();
        };
        match (read, stopped_recorder(call)) {
            (Read::Recorder(status), Some(name)) => {
                let mut judged = Judged::default();
                match status {
                    Some(recording) => f = restart(f, call, name, *recording, ctx, settings),
                    None => judged.notes.push(format!(
                        "configuration recorder {name}: no longer exists, nothing to start"
                    )),
                }
                judged.findings.push(f);
                judged
            }
            (Read::Nothing, _) => Judged::findings([f]),
            _ => Judged::mismatched(&[&META]),
        }
    },
};

/// The recorder a StopConfigurationRecorder names.
fn stopped_recorder(call: &ApiCall) -> Option<&str> {
    (call.event_name == "StopConfigurationRecorder")
        .then(|| call.request_str("configurationRecorderName"))
        .flatten()
        .filter(|n| !n.is_empty())
}

/// The finding, with the step that starts the recorder again (already done when the re-read
/// status says it records).
fn restart(
    f: Finding,
    call: &ApiCall,
    name: &str,
    recording: bool,
    ctx: &EventContext,
    settings: &Settings,
) -> Finding {
    let Some((meta, mode)) = enabled(&META, settings) else {
        return f;
    };
    let step = RemediationStep::StartConfigurationRecorder {
        region: call.region.trim().to_string(),
        recorder_name: name.to_string(),
    };
    Finding::build(
        meta,
        mode,
        f.resource,
        &call.region,
        &call.account,
        f.reason,
        vec![(step, recording)],
        ctx,
        settings,
    )
}

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
