//! `console-sign-in-failures`: many failed console sign-ins for one user, or from one
//! address, in a short window (CIS AWS Foundations 4.6): password guessing against one user,
//! or one address spraying many.

use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind, PrincipalKind};

pub const META: RuleMeta = RuleMeta {
    id: "console-sign-in-failures",
    title: "Many failed console sign-ins",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Failed ConsoleLogin events (responseElements.ConsoleLogin `Failure`), counted in \
             the incident ledger per user and per source address in a fixed window: \
             GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD (5) distinct failures within \
             GUARDRAIL_SIGN_IN_FAILURES_WINDOW_SECONDS (900) for one user, or from one \
             address, make a finding. A redelivered event counts once.",
    rationale: "CIS AWS Foundations 4.6 alarms on console authentication failures; Security \
                Hub marks the control manual. A few typos are normal; a run of failures for \
                one user is password guessing, and one address failing for many users is \
                password spraying. AWS hides the name of a user that does not exist \
                (HIDDEN_DUE_TO_SECURITY_REASONS), so the address count catches spraying over \
                made-up names.",
    remediation: "Alert only: the alert names the user or address and the count. Make sure \
                  the user has MFA (iam-user-console-without-mfa), reset the password if it \
                  may be known, and block the address at the edge if it is hostile.",
    anchors: &["CIS AWS Foundations 4.6", "Security Hub CloudWatch.6"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ConsoleSignIn],
        reads: &[],
        steps: &[],
    }],
    per_event: false,
};

/// What a failure is counted for: the user it was for, and the address it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Counted {
    User(String),
    Address(String),
}

impl Counted {
    fn subject(&self) -> String {
        match self {
            Counted::User(u) => format!("user {u}"),
            Counted::Address(a) => format!("address {a}"),
        }
    }
}

/// A failed sign-in, read from its user's and its address's counters.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        let counted = counted(call);
        if counted.is_empty() {
            return None;
        }
        let time = call.time.as_deref().unwrap_or_default();
        let tallies: Option<Vec<_>> = counted
            .iter()
            .map(|c| {
                settings
                    .sign_in_failures
                    .tally(META.id, &c.subject(), time, &call.event_id)
            })
            .collect();
        Some(match tallies {
            Some(t) => Need::Tallies(t),
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::Tallies(Some(counts)) => {
            let counted = counted(call);
            if counts.len() != counted.len() {
                return Judged::mismatched(&[&META]);
            }
            let window = settings.sign_in_failures;
            if !counts.iter().any(|&n| window.reached(n)) {
                let so_far: Vec<String> = counted
                    .iter()
                    .zip(counts)
                    .map(|(c, &n)| {
                        super::api_calls_unauthorized::below(
                            call,
                            &format!("{} for {}", META.id, c.subject()),
                            n,
                            window,
                        )
                    })
                    .collect();
                return Judged::cleared(so_far.join("; "));
            }
            Judged::findings(
                counted
                    .iter()
                    .zip(counts)
                    .filter_map(|(c, &n)| finding(call, c, n, ctx, settings)),
            )
        }
        Read::Tallies(None) => Judged::note(format!(
            "{}: not judged: no incident ledger to count failed sign-ins in \
             (GUARDRAIL_LEDGER_TABLE)",
            META.id
        )),
        Read::Nothing => Judged::note(format!(
            "{}: not judged: the sign-in's eventTime {:?} places it in no window",
            META.id,
            call.time.as_deref().unwrap_or_default()
        )),
        _ => Judged::mismatched(&[&META]),
    },
};

/// The counters a failed console sign-in goes into (none for anything else).
fn counted(call: &ApiCall) -> Vec<Counted> {
    if call.kind != CallKind::ConsoleSignIn || call.event_name != "ConsoleLogin" || !call.failed() {
        return Vec::new();
    }
    let p = &call.principal;
    let user = match p.kind {
        PrincipalKind::Root => Some("root".to_string()),
        _ => p
            .user_name
            .clone()
            .or_else(|| {
                p.arn
                    .as_deref()
                    .and_then(|a| a.rsplit('/').next())
                    .map(str::to_string)
            })
            .filter(|u| !u.is_empty()),
    };
    let mut out: Vec<Counted> = user.into_iter().map(Counted::User).collect();
    if let Some(ip) = call.source_ip.as_deref().filter(|ip| !ip.trim().is_empty()) {
        out.push(Counted::Address(ip.trim().to_string()));
    }
    out
}

fn finding(
    call: &ApiCall,
    counted: &Counted,
    count: u32,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let window = settings.sign_in_failures;
    if !window.reached(count) {
        return None;
    }
    let (meta, mode) = super::enabled(&META, settings)?;
    let within = window.words();
    let (resource, reason) = match counted {
        Counted::User(user) => {
            let hidden = user == "HIDDEN_DUE_TO_SECURITY_REASONS";
            let who = if hidden {
                "a user name that does not exist (AWS hides it)".to_string()
            } else {
                user.clone()
            };
            (
                ResourceRef {
                    kind: "AWS::IAM::User",
                    id: format!("sign-in failures for {user}"),
                    arn: match (user.as_str(), hidden) {
                        ("root", _) | (_, true) => format!("arn:aws:iam::{}:root", call.account),
                        _ => format!("arn:aws:iam::{}:user/{user}", call.account),
                    },
                },
                format!(
                    "{count} console sign-ins for {who} failed within {within} (the threshold \
                     is {}), the latest from {}: password guessing. Check the user has MFA, \
                     reset the password if it may be known.",
                    window.threshold,
                    call.source_ip.as_deref().unwrap_or("an unknown address"),
                ),
            )
        }
        Counted::Address(ip) => (
            ResourceRef {
                kind: "AWS::::Account",
                id: format!("sign-in failures from {ip}"),
                arn: format!("arn:aws:iam::{}:root", call.account),
            },
            format!(
                "{count} console sign-ins from {ip} failed within {within} (the threshold is \
                 {}), the latest for {}: password guessing or spraying from one address. \
                 Block it at the edge if nobody expects it.",
                window.threshold,
                call.principal.user_name.as_deref().unwrap_or(
                    if call.principal.kind == PrincipalKind::Root {
                        "root"
                    } else {
                        "an unknown user"
                    }
                ),
            ),
        ),
    };
    Some(Finding::build(
        meta,
        mode,
        resource,
        &call.region,
        &call.account,
        reason,
        Vec::new(),
        ctx,
        settings,
    ))
}
