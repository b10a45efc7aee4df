//! `iam-policy-new-access`: a changed policy allows requests the old one did not.
//! Judged by the policy engine (`policy::analysis::new_access`), for `guardrail check-policy
//! --compare OLD` and the proof of `guardrail suggest-policy`.

use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-policy-new-access",
    title: "Policy allows requests the old version did not",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Every action an Allow statement of the new policy names (wildcards and NotAction \
             expanded with the action catalogue) is evaluated against both policies, on \
             resources taken from both policies' patterns and in the contexts their Conditions \
             pick out; a request the new policy allows and the old one denies is reported as \
             an example, with the statement that allows it. High when an added action is \
             permissions management.",
    rationale: "A policy change is reviewed as a text diff, where a widened wildcard, a dropped \
                condition or a deleted Deny is easy to miss. Whether a change grants new access \
                is the question IAM Access Analyzer's CheckNoNewAccess answers with a paid \
                call; the engine answers it locally with the same evaluation it uses \
                everywhere else.",
    remediation: "Keep the old version, or narrow the new one until `guardrail check-policy \
                  --compare OLD NEW` reports no new access.",
    anchors: &["IAM Access Analyzer: CheckNoNewAccess"],
    runs: &[],
    per_event: false,
};
