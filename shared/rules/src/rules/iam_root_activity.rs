//! `iam-root-activity`: the root user signed in or made an API call.

use super::registry::{CallJudge, Judged, Need, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind, PrincipalKind};

pub const META: RuleMeta = RuleMeta {
    id: "iam-root-activity",
    title: "Root user activity",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "Any successful console sign-in or API call by the root user; a root \
             CreateAccessKey is called out.",
    rationale: "Seeds 000/003: lock the root user away and use it for nothing day to day; \
                every use deserves a human look.",
    remediation: "Alert only: nothing but root can act on root's credentials.",
    anchors: &["CIS AWS Foundations 4.3, 1.4"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::RootCalls, Subscription::ConsoleSignIn],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// `iam-root-activity`: any successful root sign-in or call.
pub fn root_activity(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    if call.principal.kind != PrincipalKind::Root || call.failed() {
        return None;
    }
    let (meta, mode) = super::enabled(&META, settings)?;
    let from = call
        .source_ip
        .as_deref()
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    let reason = match (call.kind, call.event_name.as_str()) {
        // Other sign-in events (PasswordUpdated, ...) are not a sign-in: say what they are.
        (CallKind::ConsoleSignIn, name) if name != "ConsoleLogin" => {
            format!("the root user's console event {name}{from}")
        }
        (CallKind::ConsoleSignIn, _) => {
            let mfa = call
                .additional
                .get("MFAUsed")
                .and_then(|v| v.as_str())
                .unwrap_or("unknown");
            format!("the root user signed in to the console{from} (MFA used: {mfa})")
        }
        (_, "CreateAccessKey") if call.request_str("userName").is_some() => format!(
            "the root user created an access key for IAM user {}{from}",
            call.request_str("userName").unwrap_or_default()
        ),
        (_, "CreateAccessKey") => format!(
            "the root user created an access key{from}{}; root should have no access keys",
            call.response
                .get("accessKey")
                .and_then(|k| k.get("accessKeyId"))
                .and_then(|v| v.as_str())
                .map(|k| format!(" ({k})"))
                .unwrap_or_default()
        ),
        _ => format!("the root user called {}{from}", call.action()),
    };
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::::Account",
            id: call.account.clone(),
            arn: format!("arn:aws:iam::{}:root", call.account),
        },
        &call.region,
        &call.account,
        reason,
        Vec::new(),
        ctx,
        settings,
    ))
}

/// Judged from the event alone.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |_, _| Some(Need::Nothing),
    judge: |call, _, ctx, settings| Judged::findings(root_activity(call, ctx, settings)),
};
