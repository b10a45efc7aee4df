//! Running the rules core's call judges (`guardrail_rules::rules::registry`) for one
//! function: round by round, each judge's need read once in the call's account, judged,
//! reported. The functions that judge API calls share this loop, so a rule added to the
//! registry runs without touching any function.

use crate::pipeline::InvocationError;
use crate::wiring::Wiring;
use guardrail_rules::finding::EventContext;
use guardrail_rules::rules::registry::{call_judges, Need, Read, Round};
use guardrail_rules::rules::Function;
use guardrail_rules::trigger::ApiCall;
use guardrail_rules::Outcome;

/// Judge `call` (already screened by the gate) with `function`'s judges and report the
/// findings: the change's round first (remediation included), then the judges that must see
/// the account after it. `wiring` is the call's account's. `Err` only for AWS-side failures.
pub async fn judge_call(
    wiring: &Wiring,
    function: Function,
    call: &ApiCall,
    out: &mut Outcome,
) -> Result<(), InvocationError> {
    let settings = &wiring.settings;
    let ctx = EventContext::of(call);
    for round in [Round::Change, Round::AfterRemediation] {
        let mut reads: Vec<(Need, Read)> = Vec::new();
        let mut findings = Vec::new();
        for judge in call_judges(function).filter(|j| j.round == round) {
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
                    let read = wiring
                        .iam
                        .read(&need)
                        .await
                        .map_err(InvocationError::Facts)?;
                    reads.push((need, read));
                    reads.len() - 1
                }
            };
            let judged = (judge.judge)(call, &reads[at].1, &ctx, settings);
            findings.extend(judged.findings);
            out.skipped_resources.extend(judged.notes);
        }
        if round == Round::Change || !findings.is_empty() {
            wiring.report(findings, &call.event_id, out).await?;
        }
    }
    Ok(())
}
