//! `region-not-allowed`: an API call made in a region outside the allow-list.

use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::EventContext;
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::region;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind};
use std::fmt;

pub const META: RuleMeta = RuleMeta {
    id: "region-not-allowed",
    title: "API call in a region that is not allowed",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "A successful API call whose region is not in GUARDRAIL_ALLOWED_REGIONS, unless its \
             action is exempt (global services: AWS Control Tower's region-deny NotAction list \
             plus GUARDRAIL_REGION_EXEMPT_ACTIONS). Read-only calls are ignored unless \
             GUARDRAIL_REGION_INCLUDE_READ_ONLY is set. Inactive without an allow-list.",
    rationale: "Resources in regions nobody watches are a classic place for forgotten spend, \
                cryptomining on stolen keys and data outside its jurisdiction. The Control \
                Tower guardrail denies such calls with an SCP; this rule catches what an SCP \
                does not cover (no Organizations, or a gap in the policy) and cleans up.",
    remediation: "Stop (GUARDRAIL_REGION_INSTANCE_ACTION=stop, the default), terminate or leave \
                  the instances a RunInstances launched; optionally \
                  (GUARDRAIL_REGION_DELETE_VOLUMES) delete the volume a CreateVolume created. \
                  Other calls are alerted on only. Check the SCP itself with \
                  `guardrail check-policy --allowed-regions`.",
    anchors: &[
        "AWS Control Tower: Deny access to AWS based on the requested AWS Region",
        "Cloud Custodian: blocknonstandardregionresources",
    ],
    runs: &[Runs {
        function: Function::RegionGuard,
        triggers: &[Subscription::WriteCallsOutsideAllowedRegions],
        reads: &[
            Permission::any("ec2:DescribeInstances"),
            Permission::any("ec2:DescribeVolumes"),
        ],
        steps: &[
            StepKind::StopInstances,
            StepKind::TerminateInstances,
            StepKind::DeleteVolume,
        ],
    }],
    per_event: false,
};

/// Judged on every call the function receives: a cleared call says why (an allowed region, a
/// global service), since the pattern delivering it cannot know the allow-list's exemptions.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        Some(match region::violation(call, settings) {
            Ok(v) if v.subjects != region::Subjects::None => Need::Created {
                region: v.region,
                subjects: v.subjects,
            },
            _ => Need::Nothing,
        })
    },
    judge: judge_call,
};

fn judge_call(call: &ApiCall, read: &Read, ctx: &EventContext, settings: &Settings) -> Judged {
    let violation = match region::violation(call, settings) {
        Ok(v) => v,
        Err(clear) => return Judged::cleared(clear.to_string()),
    };
    let nothing = region::Current::default();
    let current = match (read, &violation.subjects) {
        (Read::Created(current), _) => current,
        (Read::Nothing, region::Subjects::None) => &nothing,
        _ => return Judged::mismatched(JUDGE.rules),
    };
    match region::assess(&violation, current, ctx, settings) {
        Ok(finding) => Judged::findings([finding]),
        Err(skip) => Judged::cleared(skip.to_string()),
    }
}

/// Why a call does not violate the rule. These are normal outcomes, reported in the handler's
/// answer so that an operator can see, for example, that the rule is not configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clear {
    /// The rule's mode is `off`.
    Off,
    /// No allow-list is configured: without one every region would be "not allowed".
    Inactive,
    /// Console sign-ins are not regional API calls (and no region-deny SCP applies to them).
    SignIn,
    /// The event names no region.
    NoRegion,
    AllowedRegion {
        region: String,
    },
    /// A global service or an exempt call.
    ExemptAction {
        action: String,
        pattern: String,
    },
    /// A read-only call, and read-only calls are not judged.
    ReadOnly {
        action: String,
    },
}

impl fmt::Display for Clear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = META.id;
        match self {
            Clear::Off => write!(f, "rule {id} is off"),
            Clear::Inactive => write!(
                f,
                "rule {id} is inactive: GUARDRAIL_ALLOWED_REGIONS is not set"
            ),
            Clear::SignIn => write!(f, "console sign-ins are not judged by {id}"),
            Clear::NoRegion => write!(f, "the event names no region"),
            Clear::AllowedRegion { region } => write!(f, "{region} is an allowed region"),
            Clear::ExemptAction { action, pattern } => {
                write!(f, "{action} is exempt from {id} (matches {pattern})")
            }
            Clear::ReadOnly { action } => write!(
                f,
                "{action} is read-only (GUARDRAIL_REGION_INCLUDE_READ_ONLY is off)"
            ),
        }
    }
}

/// The reason the call violates the rule, or why it does not. The rule's mode is not looked at
/// here (see [`region::violation`]).
pub fn judge(call: &ApiCall, settings: &Settings) -> Result<String, Clear> {
    if settings.allowed_regions.is_empty() {
        return Err(Clear::Inactive);
    }
    if call.kind == CallKind::ConsoleSignIn {
        return Err(Clear::SignIn);
    }
    let region = call.region.trim();
    if region.is_empty() {
        return Err(Clear::NoRegion);
    }
    if settings
        .allowed_regions
        .iter()
        .any(|r| r.eq_ignore_ascii_case(region))
    {
        return Err(Clear::AllowedRegion {
            region: region.to_string(),
        });
    }
    let action = call.action();
    if let Some(pattern) = region::exempt_by(&action, &settings.region_exempt_actions) {
        return Err(Clear::ExemptAction {
            pattern: pattern.to_string(),
            action,
        });
    }
    if call.read_only == Some(true) && !settings.region_include_read_only {
        return Err(Clear::ReadOnly { action });
    }
    Ok(format!(
        "{action} was called in {region}, which is not an allowed region (allowed: {})",
        settings.allowed_regions.join(", ")
    ))
}
