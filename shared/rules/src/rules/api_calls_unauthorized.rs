//! `api-calls-unauthorized`: one principal refused many API calls in a short window (CIS
//! AWS Foundations 4.1). Stolen credentials are explored by trying what they allow; a
//! deployment that lost a permission fails the same way. One denied call is neither.

use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind, PrincipalKind};

pub const META: RuleMeta = RuleMeta {
    id: "api-calls-unauthorized",
    title: "Many API calls refused for want of permission",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "API calls, read or write, of any service, refused with an errorCode starting \
             AccessDenied or ending UnauthorizedOperation (CIS 4.1's filter: not S3 \
             HeadBucket, not S3 log delivery), counted per principal in a fixed window in the \
             incident ledger: GUARDRAIL_DENIED_CALLS_THRESHOLD (10) distinct calls within \
             GUARDRAIL_DENIED_CALLS_WINDOW_SECONDS (300) make a finding. A redelivered event \
             counts once.",
    rationale: "CIS AWS Foundations 4.1 alarms on unauthorized API calls; Security Hub marks \
                the control manual. A burst of denied calls is how stolen credentials are \
                explored (enumeration), or how a deployment that lost a permission shows: \
                either needs a person soon. A single denied call is noise, so the calls are \
                counted, and one alert per principal goes out per GUARDRAIL_DEDUPE_SECONDS.",
    remediation: "Alert only: whether the caller is an intruder or a broken deployment is a \
                  human's call. The alert names the principal, the count, the last refused \
                  call and how to cut the credentials off.",
    anchors: &["CIS AWS Foundations 4.1", "Security Hub CloudWatch.2"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::DeniedCalls],
        reads: &[],
        steps: &[],
    }],
    per_event: false,
};

/// A failed call, read from the counter it was added to.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        let subject = subject(call)?;
        let tally = settings.denied_calls.tally(
            META.id,
            &subject,
            call.time.as_deref().unwrap_or_default(),
            &call.event_id,
        );
        Some(match tally {
            Some(t) => Need::Tallies(vec![t]),
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::Tallies(Some(counts)) => match counts.first() {
            Some(&n) if !settings.denied_calls.reached(n) => Judged::cleared(below(
                call,
                &format!("{} by {}", META.id, call.principal.display()),
                n,
                settings.denied_calls,
            )),
            Some(&n) => Judged::findings(finding(call, n, ctx, settings)),
            None => Judged::mismatched(&[&META]),
        },
        Read::Tallies(None) => Judged::note(format!(
            "{}: not judged: no incident ledger to count denied calls in \
             (GUARDRAIL_LEDGER_TABLE)",
            META.id
        )),
        Read::Nothing => Judged::note(format!(
            "{}: not judged: the call's eventTime {:?} places it in no window",
            META.id,
            call.time.as_deref().unwrap_or_default()
        )),
        _ => Judged::mismatched(&[&META]),
    },
};

/// Why a counted failed call made no finding yet: the failure and the count so far.
pub(crate) fn below(call: &ApiCall, counter: &str, n: u32, window: crate::tally::Window) -> String {
    format!(
        "failed call ({}): counted by {counter}, {n} of {} within {}",
        call.error_code.as_deref().unwrap_or("Failure"),
        window.threshold,
        window.words()
    )
}

/// Whether CIS 4.1 counts `call`: refused for want of permission, not a bucket probe and not
/// S3's own log delivery.
pub fn is_denied(call: &ApiCall) -> bool {
    let Some(code) = call.error_code.as_deref() else {
        return false;
    };
    (code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation"))
        && call.event_name != "HeadBucket"
        && call.source_ip.as_deref() != Some("delivery.logs.amazonaws.com")
}

/// Whom the denied calls are counted for: the role behind a session (its sessions share the
/// count), else the caller's ARN, else its principal id; `None` for calls this rule does not
/// count.
fn subject(call: &ApiCall) -> Option<String> {
    if call.kind != CallKind::ApiCall || !is_denied(call) {
        return None;
    }
    let p = &call.principal;
    match p.kind {
        PrincipalKind::Root => Some(format!("arn:aws:iam::{}:root", call.account)),
        _ => p.identity_arn().map(str::to_string).or_else(|| {
            p.user_name
                .clone()
                .or_else(|| p.account.clone())
                .map(|u| format!("{:?} {u}", p.kind))
        }),
    }
}

/// The finding once the principal's count reaches the threshold (`None` before, or with the
/// rule off). Its resource is the principal: one incident per principal per dedupe period.
pub fn finding(
    call: &ApiCall,
    count: u32,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let window = settings.denied_calls;
    if !window.reached(count) {
        return None;
    }
    let (meta, mode) = super::enabled(&META, settings)?;
    let who = subject(call)?;
    let last = format!(
        "{} ({}{})",
        call.action(),
        call.error_code.as_deref().unwrap_or_default(),
        call.error_message
            .as_deref()
            .map(|m| format!(": {}", m.chars().take(200).collect::<String>()))
            .unwrap_or_default()
    );
    let from = call
        .source_ip
        .as_deref()
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    let reason = format!(
        "{} was refused {count} API calls within {} in {} (the threshold is {}); the latest: \
         {last}{from}. If nobody expects it, treat the credentials as stolen: deactivate the \
         user's access keys or revoke the role's active sessions; if a deployment lost a \
         permission, it needs it back.",
        call.principal.display(),
        window.words(),
        call.region,
        window.threshold,
    );
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::Principal",
            arn: match who.starts_with("arn:") {
                true => who.clone(),
                false => format!("arn:aws:iam::{}:root", call.account),
            },
            id: who,
        },
        &call.region,
        &call.account,
        reason,
        Vec::new(),
        ctx,
        settings,
    ))
}
