//! `config-recorder-stopped`: AWS Config stopped recording (StopConfigurationRecorder,
//! DeleteConfigurationRecorder, DeleteDeliveryChannel), or, swept, a region where no recorder
//! records.

use super::call_finding::{planned, restore_or_note, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::ResourceRef;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{per_region, RegionGap};
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "config-recorder-stopped",
    title: "AWS Config recording stopped",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks:
        "StopConfigurationRecorder, DeleteConfigurationRecorder or DeleteDeliveryChannel, by a \
             non-exempt principal; swept: every swept region has a configuration recorder \
             that records.",
    rationale: "AWS Config is the account's record of how resources were configured, and what its \
                rules (this guardrail's included) judge; stopping it hides every change made \
                afterwards.",
    remediation: "StopConfigurationRecorder: StartConfigurationRecorder (remediate mode; the \
                  recorder's status is re-read first, so a recorder already started again or \
                  deleted since is left alone). Deleted recorders and delivery channels: alert \
                  only, recreating them needs the account's settings (role, bucket). The \
                  sweep alerts only.",
    anchors: &[
        "CIS AWS Foundations 3.3, 4.9",
        "Security Hub Config.1",
        "AWS Config: config-enabled",
    ],
    runs: &[
        Runs {
            function: Function::TamperGuard,
            triggers: &[Subscription::ApiCalls {
                source: "config.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[Permission::any(
                "config:DescribeConfigurationRecorderStatus",
            )],
            steps: &[StepKind::StartConfigurationRecorder],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[Permission::any(
                "config:DescribeConfigurationRecorderStatus",
            )],
            steps: &[],
        },
    ],
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
        let reread = match (read, stopped_recorder(call)) {
            (Read::Recorder(recording), Some(name)) => Some((recording, name)),
            (Read::Nothing, _) => None,
            _ => return Judged::mismatched(&[&META]),
        };
        // Started again when the re-read shows it still stopped (done when it records).
        restore_or_note(
            reread,
            "configuration recorder",
            "start",
            |name, recording| {
                let step = RemediationStep::StartConfigurationRecorder {
                    region: call.region.trim().to_string(),
                    recorder_name: name.to_string(),
                };
                Ok(vec![(step, *recording)])
            },
            |steps| judge(call, steps, ctx, settings),
        )
    },
};

/// The recorder a StopConfigurationRecorder names.
fn stopped_recorder(call: &ApiCall) -> Option<&str> {
    (call.event_name == "StopConfigurationRecorder")
        .then(|| call.request_str("configurationRecorderName"))
        .flatten()
        .filter(|n| !n.is_empty())
}

/// The recorder or delivery channel the call stopped or deleted, with the steps planned for it.
pub fn judge(
    call: &ApiCall,
    steps: Steps,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
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
    planned(&META, call, resource, reason, steps, ctx, settings)
}

/// A configuration recorder as DescribeConfigurationRecorderStatus reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecorderStatus {
    pub name: String,
    pub recording: bool,
}

/// Every swept region has a recorder that records (CIS 3.3: Config in every region); alert
/// only, as recreating or starting a recorder the account never ran needs its settings.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        per_region(
            facts,
            settings,
            out,
            &META,
            |r| &r.recorders,
            |recorders, region, account| {
                let (reason, name) = unrecorded(recorders, region)?;
                Some(RegionGap {
                    reason,
                    kind: "AWS::Config::ConfigurationRecorder",
                    arn: format!("arn:aws:config:{region}:{account}:configuration-recorder/{name}"),
                })
            },
        )
    },
};

/// Why nothing is recorded in `region`, and the recorder to name (`*`: none); `None` when a
/// recorder records.
fn unrecorded(recorders: &[RecorderStatus], region: &str) -> Option<(String, String)> {
    if recorders.iter().any(|r| r.recording) {
        return None;
    }
    Some(match recorders {
        [] => (
            format!(
                "AWS Config has no configuration recorder in {region}: no configuration \
                 change there is recorded (aws configservice put-configuration-recorder, then \
                 start-configuration-recorder)"
            ),
            "*".to_string(),
        ),
        stopped => {
            let names: Vec<&str> = stopped.iter().map(|r| r.name.as_str()).collect();
            (
                format!(
                    "AWS Config's configuration recorder {} in {region} is not recording: no \
                     configuration change there is recorded (aws configservice \
                     start-configuration-recorder --configuration-recorder-name {} --region \
                     {region})",
                    names.join(", "),
                    names[0]
                ),
                names[0].to_string(),
            )
        }
    })
}
