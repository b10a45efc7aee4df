//! `iam-policy-new-access`: a changed policy allows requests the old one did not.
//! Judged by the policy engine (`policy::analysis::new_access`): live by iam-guard on a new
//! default version of a managed policy against the version before it (with the policy rules,
//! `iam::POLICY_JUDGE`), and by `guardrail check-policy --compare OLD` and the proof of
//! `guardrail suggest-policy`.

use super::runs::{Function, Runs, Subscription};
use super::{enabled, reads, RuleMeta};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::policy::analysis::new_access::new_access;
use crate::policy::{AnalysisOptions, PolicyDocument, PolicyKind};
use crate::settings::Settings;
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
             permissions management. Live: a managed policy's new default version \
             (CreatePolicyVersion with setAsDefault, SetDefaultPolicyVersion) against the \
             version before it; PutUserPolicy/PutGroupPolicy/PutRolePolicy overwrite the old \
             document, which CloudTrail does not record, so an inline change is judged by the \
             other policy rules only.",
    rationale: "A policy change is reviewed as a text diff, where a widened wildcard, a dropped \
                condition or a deleted Deny is easy to miss. Whether a change grants new access \
                is the question IAM Access Analyzer's CheckNoNewAccess answers with a paid \
                call; the engine answers it locally with the same evaluation it uses \
                everywhere else.",
    remediation: "Keep the old version, or narrow the new one until `guardrail check-policy \
                  --compare OLD NEW` reports no new access.",
    anchors: &["IAM Access Analyzer: CheckNoNewAccess"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ApiCalls {
            source: "iam.amazonaws.com",
            names: &["CreatePolicyVersion", "SetDefaultPolicyVersion"],
        }],
        reads: reads::POLICY_VERSIONS,
        steps: &[],
    }],
    per_event: false,
};

/// A managed policy's new default version (`version_id`, `current`) against the version
/// before it (`previous_id`, `previous`): the alert, when the new one allows more. A
/// document that does not parse is not compared (the policy rules report it).
#[allow(clippy::too_many_arguments)]
pub fn judge_version(
    policy_arn: &str,
    version_id: &str,
    previous_id: &str,
    previous: &str,
    current: &str,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = enabled(&META, settings)?;
    let (old, new) = (
        PolicyDocument::parse(previous).ok()?,
        PolicyDocument::parse(current).ok()?,
    );
    let options = AnalysisOptions {
        kind: PolicyKind::Identity,
        own_account: Some(account.to_string()),
        allowed_regions: None,
    };
    let comparison = new_access(&[&old], &[&new], &options);
    let pf = comparison.finding(&format!("version {previous_id}"))?;
    let examples: Vec<String> = pf
        .requests
        .iter()
        .take(3)
        .map(|r| {
            let keys = r.context_words();
            match keys.is_empty() {
                true => format!("{} on {}", r.action, r.resource),
                false => format!("{} on {} with {}", r.action, r.resource, keys.join(", ")),
            }
        })
        .collect();
    let name = policy_arn.rsplit('/').next().unwrap_or(policy_arn);
    let reason = format!(
        "managed policy {policy_arn}: default version {version_id} allows {n} action(s) that \
         version {previous_id} did not, e.g. {examples}",
        n = pf.actions.len(),
        examples = examples.join("; "),
    );
    let resource = ResourceRef {
        kind: "AWS::IAM::Policy",
        id: format!("{name}@{version_id}"),
        arn: policy_arn.to_string(),
    };
    let mut finding = Finding::build(
        meta,
        mode,
        resource,
        region,
        account,
        reason,
        Vec::new(),
        ctx,
        settings,
    );
    finding.severity = pf.severity;
    Some(finding)
}
