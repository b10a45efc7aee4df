//! Judging re-read IAM state, and planning the remediation.

use super::IamChange;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::plan::{IamTarget, RemediationStep};
use crate::policy::{
    analyze_for_alerts, AnalysisOptions, PolicyDocument, PolicyKind, PolicyParseError,
};
use crate::rules::registry::{change_if, CallJudge, ChangeRead, Judged, Read, Round};
use crate::rules::{self, RuleMeta};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

/// The policy being judged, and where it sits (which decides the remediation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySubject {
    /// The (new) default version of a managed policy.
    ManagedVersion {
        policy_arn: String,
        version_id: String,
        /// The version to revert to; none for a brand-new policy (nothing to revert to).
        previous_version: Option<String>,
    },
    /// A managed policy attached to a user, group or role.
    Attached {
        target: IamTarget,
        policy_arn: String,
    },
    /// An inline policy.
    Inline {
        target: IamTarget,
        policy_name: String,
    },
    /// A role's trust policy.
    Trust { role_name: String },
}

impl PolicySubject {
    fn describe(&self) -> String {
        match self {
            PolicySubject::ManagedVersion {
                policy_arn,
                version_id,
                ..
            } => format!("managed policy {policy_arn} (default version {version_id})"),
            PolicySubject::Attached { target, policy_arn } => {
                format!("managed policy {policy_arn} attached to {target}")
            }
            PolicySubject::Inline {
                target,
                policy_name,
            } => format!("inline policy {policy_name} of {target}"),
            PolicySubject::Trust { role_name } => format!("trust policy of role {role_name}"),
        }
    }

    fn resource(&self, account: &str) -> ResourceRef {
        match self {
            PolicySubject::ManagedVersion {
                policy_arn,
                version_id,
                ..
            } => ResourceRef {
                kind: "AWS::IAM::Policy",
                // `TooBroad@v2`: names the policy in the alert subject, and keeps versions apart.
                id: format!(
                    "{}@{version_id}",
                    policy_arn.rsplit('/').next().unwrap_or(policy_arn)
                ),
                arn: policy_arn.clone(),
            },
            PolicySubject::Attached { target, policy_arn } => ResourceRef {
                kind: target.resource_type(),
                id: policy_arn.clone(),
                arn: target.arn(account),
            },
            PolicySubject::Inline {
                target,
                policy_name,
            } => ResourceRef {
                kind: target.resource_type(),
                id: policy_name.clone(),
                arn: target.arn(account),
            },
            PolicySubject::Trust { role_name } => ResourceRef {
                kind: "AWS::IAM::Role",
                id: role_name.clone(),
                arn: format!("arn:aws:iam::{account}:role/{role_name}"),
            },
        }
    }

    /// The step that takes the offending grant away, if there is a safe one.
    fn undo(&self, settings: &Settings) -> Option<RemediationStep> {
        match self {
            PolicySubject::ManagedVersion {
                policy_arn,
                version_id,
                previous_version: Some(previous),
            } if settings.revert_policy_versions => Some(RemediationStep::RevertPolicyVersion {
                policy_arn: policy_arn.clone(),
                bad_version: version_id.clone(),
                to_version: previous.clone(),
            }),
            PolicySubject::Attached { target, policy_arn } => {
                Some(RemediationStep::DetachManagedPolicy {
                    target: target.clone(),
                    policy_arn: policy_arn.clone(),
                })
            }
            PolicySubject::Inline {
                target,
                policy_name,
            } => Some(RemediationStep::DeleteInlinePolicy {
                target: target.clone(),
                policy_name: policy_name.clone(),
            }),
            _ => None,
        }
    }
}

/// Policy rules whose remediation removes the offending grant (detach, delete, revert).
const UNDONE_BY_REMEDIATION: [&str; 3] = [
    rules::iam_policy_admin_wildcard::META.id,
    rules::iam_policy_allows_without_mfa::META.id,
    rules::iam_policy_privilege_escalation::META.id,
];

/// The rule's metadata when it is switched on.
fn enabled(id: &str, settings: &Settings) -> Option<(&'static RuleMeta, Mode)> {
    let meta = rules::meta(id)?;
    let mode = settings.mode(id);
    (mode != Mode::Off).then_some((meta, mode))
}

/// Judge a policy document (as re-read from IAM: raw or URL-encoded JSON) with the policy
/// engine. One finding per rule, carrying the worst statement's message.
pub fn policy(
    subject: &PolicySubject,
    document: &str,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Result<Vec<Finding>, PolicyParseError> {
    let doc = PolicyDocument::parse(document)?;
    let options = AnalysisOptions {
        kind: match subject {
            PolicySubject::Trust { .. } => PolicyKind::Trust,
            _ => PolicyKind::Identity,
        },
        own_account: Some(account.to_string()),
        allowed_regions: None,
    };
    let mut analysis = analyze_for_alerts(&doc, &options);
    // Full admin implies every sensitive action and every escalation path: one alert about
    // the admin grant says it all, three would be noise.
    let admin = analysis.iter().any(|f| {
        f.rule == rules::iam_policy_admin_wildcard::META.id && f.severity >= Severity::High
    });
    if admin {
        analysis.retain(|f| {
            f.rule != rules::iam_policy_allows_without_mfa::META.id
                && f.rule != rules::iam_policy_privilege_escalation::META.id
        });
    }
    let mut findings: Vec<Finding> = Vec::new();
    for pf in &analysis {
        // Validation and region-enforcement findings are for the CLI, not live alerts.
        let Some((meta, mode)) = enabled(pf.rule, settings) else {
            continue;
        };
        if findings.iter().any(|f| f.rule == pf.rule) {
            continue; // analysis is sorted worst first: keep the worst per rule
        }
        let more = analysis.iter().filter(|o| o.rule == pf.rule).count() - 1;
        let statement = pf
            .statement
            .as_ref()
            .map(|s| match &s.sid {
                Some(sid) => format!("statement {} ({sid})", s.index),
                None => format!("statement {}", s.index),
            })
            .unwrap_or_else(|| "the policy".to_string());
        let reason = format!(
            "{}: {statement} {}{}",
            subject.describe(),
            pf.message,
            if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            }
        );
        // Only rules whose remediation takes the grant away carry the undo step; the others
        // (service wildcard, open trust) are alert-only by design (their RuleMeta says so).
        let steps = subject
            .undo(settings)
            .filter(|_| UNDONE_BY_REMEDIATION.contains(&pf.rule))
            .map(|s| vec![(s, false)])
            .unwrap_or_default();
        let mut finding = Finding::build(
            meta,
            mode,
            subject.resource(account),
            region,
            account,
            reason,
            steps,
            ctx,
            settings,
        );
        // The engine grades severity (e.g. admin only behind a Condition is medium).
        finding.severity = pf.severity;
        findings.push(finding);
    }
    Ok(findings)
}

/// The policy rules the sweep judges on every document of the account.
pub const DOCUMENT_RULES: &[&RuleMeta] = &[
    &rules::iam_policy_admin_wildcard::META,
    &rules::iam_policy_allows_without_mfa::META,
    &rules::iam_policy_service_wildcard::META,
    &rules::iam_policy_privilege_escalation::META,
    &rules::iam_role_trust_open::META,
];

/// The policy rules, judged together on the re-read document a call changed: one analysis
/// by the policy engine serves them all, and an admin finding subsumes the others.
pub const POLICY_JUDGE: CallJudge = CallJudge {
    rules: &[
        &rules::iam_policy_admin_wildcard::META,
        &rules::iam_policy_allows_without_mfa::META,
        &rules::iam_policy_service_wildcard::META,
        &rules::iam_policy_privilege_escalation::META,
        &rules::iam_role_trust_open::META,
        // Live only: a new default version against the one before it.
        &rules::iam_policy_new_access::META,
    ],
    round: Round::Change,
    needs: |call, _| {
        change_if(call, |c| {
            matches!(
                c,
                IamChange::PolicyVersion { .. }
                    | IamChange::Attached { .. }
                    | IamChange::Inline { .. }
                    | IamChange::Trust { .. }
            )
        })
    },
    judge: judge_policy_change,
};

/// The re-read policy, or why it is left alone (gone, no longer the default, no longer
/// attached: a change undone in the meantime is not acted on).
fn judge_policy_change(
    call: &ApiCall,
    read: &Read,
    ctx: &EventContext,
    settings: &Settings,
) -> Judged {
    let Read::Change(read) = read else {
        return Judged::mismatched(POLICY_JUDGE.rules);
    };
    // A new default version is also compared with the version before it.
    let mut before: Option<(&str, &str)> = None;
    let (subject, document) = match read {
        ChangeRead::PolicyVersion {
            policy_arn,
            event_version,
            current,
            previous,
            previous_document,
        } => {
            let Some((current, document)) = current else {
                return Judged::note(format!("policy {policy_arn} no longer exists"));
            };
            if event_version.as_ref().is_some_and(|v| v != current) {
                return Judged::note(format!(
                    "{policy_arn}: the event's version is no longer the default ({current} is)"
                ));
            }
            if let (Some(id), Some(doc)) = (previous, previous_document) {
                before = Some((id, doc));
            }
            let subject = PolicySubject::ManagedVersion {
                policy_arn: policy_arn.clone(),
                version_id: current.clone(),
                previous_version: previous.clone(),
            };
            (subject, document)
        }
        ChangeRead::Attached {
            target,
            policy_arn,
            attached,
            document,
        } => {
            if !attached.as_ref().is_some_and(|a| a.contains(policy_arn)) {
                return Judged::note(format!("{policy_arn} is no longer attached to {target}"));
            }
            let Some(document) = document else {
                return Judged::note(format!("policy {policy_arn} no longer exists"));
            };
            let subject = PolicySubject::Attached {
                target: target.clone(),
                policy_arn: policy_arn.clone(),
            };
            (subject, document)
        }
        ChangeRead::Inline {
            target,
            policy_name,
            document,
        } => {
            let Some(document) = document else {
                return Judged::note(format!(
                    "inline policy {policy_name} of {target} no longer exists"
                ));
            };
            let subject = PolicySubject::Inline {
                target: target.clone(),
                policy_name: policy_name.clone(),
            };
            (subject, document)
        }
        ChangeRead::Trust {
            role_name,
            document,
        } => {
            let Some(document) = document else {
                return Judged::note(format!("role {role_name} no longer exists"));
            };
            let subject = PolicySubject::Trust {
                role_name: role_name.clone(),
            };
            (subject, document)
        }
        ChangeRead::ConsoleAccess { .. } | ChangeRead::AccessKey { .. } => {
            return Judged::default()
        }
    };
    match policy(
        &subject,
        document,
        &call.account,
        &call.region,
        ctx,
        settings,
    ) {
        Ok(mut findings) => {
            if let (
                Some((previous_id, previous)),
                PolicySubject::ManagedVersion {
                    policy_arn,
                    version_id,
                    ..
                },
            ) = (before, &subject)
            {
                findings.extend(rules::iam_policy_new_access::judge_version(
                    policy_arn,
                    version_id,
                    previous_id,
                    previous,
                    document,
                    &call.account,
                    &call.region,
                    ctx,
                    settings,
                ));
            }
            Judged::findings(findings)
        }
        // IAM validates documents, so this is rare; retrying would not help.
        Err(e) => Judged::note(format!("policy unreadable: {e}")),
    }
}
