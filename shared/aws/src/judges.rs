//! Running the rules core's call judges (`guardrail_rules::rules::registry`) for one
//! function: round by round, each judge's need read once in the call's account, judged,
//! reported. The functions that judge API calls share this loop, so a rule added to the
//! registry runs without touching any function.

use crate::pipeline::InvocationError;
use crate::runtime::decode_and_route;
use crate::wiring::Wiring;
use guardrail_rules::finding::EventContext;
use guardrail_rules::rules::registry::{
    call_judges, failed_call_judges, CallJudge, Need, Read, Round,
};
use guardrail_rules::rules::Function;
use guardrail_rules::trigger::{ApiCall, Trigger};
use guardrail_rules::Outcome;
use serde_json::Value;
use std::borrow::Cow;

/// A judging function's whole handler: decode, screen the call through the gate, judge it
/// with `function`'s judges. Other triggers are not relevant to it.
pub async fn handle(
    home: &Wiring,
    function: Function,
    event: &Value,
) -> Result<Outcome, InvocationError> {
    decode_and_route(event, |trigger| async move {
        match &trigger {
            Trigger::ApiCall(call) => on_call(home, function, call).await,
            _ => Ok(Outcome::not_relevant(&trigger)),
        }
    })
    .await
}

/// One API call: screened through the gate, then judged by `function`'s judges.
pub async fn on_call(
    home: &Wiring,
    function: Function,
    call: &ApiCall,
) -> Result<Outcome, InvocationError> {
    let mut out = match Outcome::screen(call, &home.settings) {
        Ok(out) => out,
        // A failed call changed nothing; only the judges that count refusals see it, and
        // when none of them has anything to say, the answer is the failure.
        Err(failed) if call.failed() && failed_call_judges(function).next().is_some() => {
            let mut out = match Outcome::screen_failed(call, &home.settings) {
                Ok(out) => out,
                Err(skipped) => return Ok(*skipped),
            };
            judge_call(home, function, call, &mut out).await?;
            if out.findings.is_empty() && out.skipped.is_none() {
                out.skipped = failed.skipped;
            }
            return Ok(out);
        }
        Err(skipped) => return Ok(*skipped),
    };
    judge_call(home, function, call, &mut out).await?;
    Ok(out)
}

/// Read `need` in the call's account, reaching it (through the member role) the first time.
async fn read_in_account<'a>(
    home: &'a Wiring,
    account: &mut Option<Cow<'a, Wiring>>,
    call: &ApiCall,
    need: &Need,
) -> Result<Read, InvocationError> {
    if account.is_none() {
        *account = Some(home.in_account(&call.account).await?);
    }
    let wiring = account.as_deref().unwrap_or(home);
    wiring
        .read(&call.account, need)
        .await
        .map_err(InvocationError::Facts)
}

/// Judge `call` (already screened by the gate) with `function`'s judges and report the
/// findings: the change's round first (remediation included), then the judges that must see
/// the account after it. `home` is the function's own wiring: the call's account is reached
/// (through the member role, for a member account) only when a judge needs to read there or a
/// finding has steps to execute there, so a rule judged from the event alone still alerts when
/// that role is gone (an intruder's likely first step). `Err` only for AWS-side failures.
pub async fn judge_call(
    home: &Wiring,
    function: Function,
    call: &ApiCall,
    out: &mut Outcome,
) -> Result<(), InvocationError> {
    let settings = &home.settings;
    let ctx = EventContext::of(call);
    let mut account: Option<Cow<'_, Wiring>> = None;
    // Why judges left the call alone: the answer's `skipped` only when none found anything
    // (one function can run several judges: region-guard's allowed region is no reason to
    // call a call from outside the allowed networks skipped).
    let mut cleared: Vec<String> = Vec::new();
    let mut found = false;
    for round in [Round::Change, Round::AfterRemediation] {
        let mut reads: Vec<(Need, Read)> = Vec::new();
        let mut findings = Vec::new();
        let judges: Vec<&CallJudge> = match call.failed() {
            true => failed_call_judges(function).collect(),
            false => call_judges(function).collect(),
        };
        for judge in judges.into_iter().filter(|j| j.round == round) {
            if !judge.any_enabled(settings) {
                continue; // nothing is read for rules that are off
            }
            let Some(need) = (judge.needs)(call, settings) else {
                continue;
            };
            // Judges that need the same facts share one read.
            let at = match reads.iter().position(|(n, _)| *n == need) {
                Some(at) => at,
                None => {
                    let read = match need {
                        Need::Nothing => Read::Nothing,
                        // Counters are in the central ledger: no member account to reach.
                        Need::Tallies(_) => home
                            .read(&call.account, &need)
                            .await
                            .map_err(InvocationError::Facts)?,
                        _ => match read_in_account(home, &mut account, call, &need).await {
                            Ok(read) => read,
                            // Facts that could only spare a finding: judged without them.
                            Err(e) if need.optional() => Read::Unread(e.to_string()),
                            Err(e) => return Err(e),
                        },
                    };
                    reads.push((need, read));
                    reads.len() - 1
                }
            };
            let judged = (judge.judge)(call, &reads[at].1, &ctx, settings);
            findings.extend(judged.findings);
            out.skipped_resources.extend(judged.notes);
            cleared.extend(judged.cleared);
        }
        found |= !findings.is_empty();
        if round == Round::AfterRemediation && findings.is_empty() {
            continue;
        }
        // Steps are executed in the call's account; alerts and the ledger stay central.
        if findings.iter().any(|f| !f.actions.is_empty()) && account.is_none() {
            account = Some(home.in_account(&call.account).await?);
        }
        let wiring = account.as_deref().unwrap_or(home);
        wiring.report(findings, &call.event_id, out).await?;
    }
    if !found && !cleared.is_empty() && out.skipped.is_none() {
        out.skipped = Some(cleared.join("; "));
    }
    Ok(())
}
