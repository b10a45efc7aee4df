//! `iam-policy-allows-without-mfa`: some sensitive action is allowed when
//! `aws:MultiFactorAuthPresent` is absent (long-term access keys) or `false`.
//!
//! For every sensitive action ([`super::sensitive`]) an Allow statement names, the probe looks
//! for an allowing request with the MFA keys forced absent, then forced to `false`. So
//! `BoolIfExists {MultiFactorAuthPresent: true}` on an Allow is reported (absent ⇒ true), a plain
//! `Bool ... true` is not, and an Allow cut back by the seed MFA-force Deny
//! (`BoolIfExists ... false`) is clean. One finding per deciding statement.

use super::super::document::StatementRef;
use super::super::evaluate::MatchedStatement;
use super::probe::{ActionProfile, Probe};
use super::rules::ALLOWS_WITHOUT_MFA;
use super::sensitive::sensitive_actions;
use super::PolicyFinding;
use crate::severity::Severity;

const MFA: &str = "aws:MultiFactorAuthPresent";
const MFA_AGE: &str = "aws:MultiFactorAuthAge";
const SAMPLE: usize = 10;

/// Forced keys for one probe case (`None` = absent).
type Fixed<'a> = [(&'a str, Option<&'a str>); 2];

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let cases: [(&str, Fixed<'_>); 2] = [
        (
            "absent (long-term access keys)",
            [(MFA, None), (MFA_AGE, None)],
        ),
        ("false", [(MFA, Some("false")), (MFA_AGE, None)]),
    ];
    // (policy, statement, case label, actions)
    type Group<'l> = (Option<usize>, Option<StatementRef>, &'l str, Vec<String>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    // Actions with the same profile get the same answer: search each profile once.
    let mut answers: Vec<(ActionProfile, usize, Option<Option<MatchedStatement>>)> = Vec::new();
    for action in sensitive_actions() {
        if !probe.mentions(action) {
            continue;
        }
        let profile = probe.action_profile(action);
        for (case, (label, fixed)) in cases.iter().enumerate() {
            let known = answers
                .iter()
                .find(|(p, c, _)| *c == case && *p == profile)
                .map(|(_, _, a)| a.clone());
            let answer = match known {
                Some(a) => a,
                None => {
                    let a = probe
                        .find_allow(action, fixed, None)
                        .map(|(_, d)| d.deciding);
                    answers.push((profile.clone(), case, a.clone()));
                    a
                }
            };
            if let Some(deciding) = answer {
                let policy = deciding.as_ref().map(|m| m.policy);
                let stmt = deciding.map(|m| m.statement);
                match groups
                    .iter_mut()
                    .find(|(p, s, _, _)| *p == policy && *s == stmt)
                {
                    Some((_, _, _, acts)) => acts.push(action.clone()),
                    None => groups.push((policy, stmt, label, vec![action.clone()])),
                }
                break;
            }
        }
    }
    groups
        .into_iter()
        .map(|(policy, stmt, label, actions)| {
            let n = actions.len();
            let sample: Vec<String> = actions.into_iter().take(SAMPLE).collect();
            PolicyFinding::new(
                ALLOWS_WITHOUT_MFA,
                Severity::High,
                stmt,
                format!(
                    "allows {n} sensitive action(s) when aws:MultiFactorAuthPresent is {label}, e.g. {}",
                    sample.join(", ")
                ),
                sample,
            )
            .in_policy(policy)
        })
        .collect()
}
