//! `iam-permissions-boundary-missing`: a user or role without the account's required
//! permissions boundary, after the call that created it or that removed or changed its
//! boundary.
//!
//! One unit: the metadata, the calls it reacts to ([`EVENTS`], [`BoundaryEvent::of`]), the
//! judgement of the re-read state ([`judge`]) and its plan (put the required boundary back).

use super::reads;
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::plan::{IamTarget, IamTargetKind, RemediationStep};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    id: "iam-permissions-boundary-missing",
    title: "User or role without the required permissions boundary",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "With GUARDRAIL_REQUIRED_BOUNDARY_ARN set: after CreateUser or CreateRole by a \
             non-exempt principal, and after Delete/Put User/Role PermissionsBoundary, the \
             user or role (re-read) has that boundary.",
    rationale: "Seeds 001 (section 7) and 003: delegate IAM administration with permissions \
                boundaries, so whoever may create users and roles cannot create one more \
                powerful than the boundary allows. A principal created without it, or one \
                whose boundary was removed or swapped, escapes the delegation.",
    remediation: "Put the required boundary back (PutUserPermissionsBoundary / \
                  PutRolePermissionsBoundary). The function's role may put only that ARN (an \
                  iam:PermissionsBoundary condition), so it cannot be used to lift or swap a \
                  boundary. The alert names the boundary that was there before, to restore it.",
    anchors: &["IAM User Guide: permissions boundaries for IAM entities"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ApiCalls {
            source: "iam.amazonaws.com",
            names: EVENTS,
        }],
        reads: reads::BOUNDARY,
        steps: &[StepKind::PutPermissionsBoundary],
    }],
    per_event: true,
};

/// The CloudTrail event names this rule reacts to (the template's pattern must list them).
pub const EVENTS: &[&str] = &[
    "CreateUser",
    "CreateRole",
    "DeleteUserPermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "PutUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
];

/// What a call did to a principal's boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryCall {
    Created,
    Deleted,
    Put,
}

/// A call this rule judges, and the user or role it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryEvent {
    pub target: IamTarget,
    pub call: BoundaryCall,
}

impl BoundaryEvent {
    /// The user or role whose boundary `call` created or changed; `None` for other calls.
    pub fn of(call: &ApiCall) -> Option<BoundaryEvent> {
        if call.service() != "iam" {
            return None;
        }
        let (kind, what) = match call.event_name.as_str() {
            "CreateUser" => (IamTargetKind::User, BoundaryCall::Created),
            "CreateRole" => (IamTargetKind::Role, BoundaryCall::Created),
            "DeleteUserPermissionsBoundary" => (IamTargetKind::User, BoundaryCall::Deleted),
            "DeleteRolePermissionsBoundary" => (IamTargetKind::Role, BoundaryCall::Deleted),
            "PutUserPermissionsBoundary" => (IamTargetKind::User, BoundaryCall::Put),
            "PutRolePermissionsBoundary" => (IamTargetKind::Role, BoundaryCall::Put),
            _ => return None,
        };
        let key = match kind {
            IamTargetKind::User => "userName",
            _ => "roleName",
        };
        let name = call.request_str(key).filter(|n| !n.is_empty())?;
        Some(BoundaryEvent {
            target: IamTarget {
                kind,
                name: name.to_string(),
            },
            call: what,
        })
    }
}

/// The user or role as re-read after the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundaryState {
    /// Its permissions boundary's ARN, if it has one.
    pub boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// The finding for a user or role without the required boundary. `state` is the re-read
/// principal (`None`: it no longer exists, nothing to judge). No finding when the rule is off,
/// no boundary is required, the principal is exempt (by tag or ARN), or it has the required
/// boundary (so the same event a second time, after remediation, changes nothing).
pub fn judge(
    call: &ApiCall,
    event: &BoundaryEvent,
    state: Option<&BoundaryState>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let required = settings.required_boundary_arn.as_deref()?;
    let state = state?;
    let mode = settings.mode(META.id);
    if mode == Mode::Off || state.boundary.as_deref() == Some(required) {
        return None;
    }
    let arn = event.target.arn(&call.account);
    if settings.exempts_principal(&state.tags, &arn) {
        return None;
    }
    let who = call.principal.display();
    let target = &event.target;
    let reason = match (event.call, state.boundary.as_deref()) {
        (BoundaryCall::Created, None) => {
            format!("{who} created {target} without the required permissions boundary {required}")
        }
        (BoundaryCall::Deleted, None) => {
            format!("{who} removed the permissions boundary of {target} (required: {required})")
        }
        (_, None) => format!("{target} has no permissions boundary (required: {required})"),
        (_, Some(other)) => format!(
            "{target} has the permissions boundary {other}, not the required {required} \
             (after {} by {who})",
            call.event_name
        ),
    };
    Some(Finding::build(
        &META,
        mode,
        ResourceRef {
            kind: target.resource_type(),
            id: target.name.clone(),
            arn,
        },
        &call.region,
        &call.account,
        reason,
        vec![(
            RemediationStep::PutPermissionsBoundary {
                target: target.clone(),
                boundary_arn: required.to_string(),
                previous: state.boundary.clone(),
            },
            false,
        )],
        ctx,
        settings,
    ))
}

/// On the re-read boundary (only when a boundary is required: otherwise nothing is read).
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        settings.required_boundary_arn.as_ref()?;
        BoundaryEvent::of(call).map(|e| Need::Boundary(e.target))
    },
    judge: |call, read, ctx, settings| {
        let Some(event) = BoundaryEvent::of(call) else {
            return Judged::default();
        };
        match read {
            Read::Boundary(Some(state)) => {
                Judged::findings(judge(call, &event, Some(state), ctx, settings))
            }
            Read::Boundary(None) => Judged::note(format!("{} no longer exists", event.target)),
            _ => Judged::mismatched(&[&META]),
        }
    },
};
