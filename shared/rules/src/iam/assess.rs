//! Judging re-read IAM state, and planning the remediation.

use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::plan::{IamTarget, IamTargetKind, RemediationStep};
use crate::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyKind, PolicyParseError};
use crate::rules::{self, RuleMeta};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind, PrincipalKind};

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
    let mut analysis = analyze(&doc, &options);
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

/// `iam-user-direct-policy`: a policy given straight to a user.
pub fn direct_policy(
    target: &IamTarget,
    policy: &str,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    if target.kind != IamTargetKind::User {
        return None;
    }
    let (meta, mode) = enabled(rules::iam_user_direct_policy::META.id, settings)?;
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::User",
            id: policy.to_string(),
            arn: target.arn(account),
        },
        region,
        account,
        format!(
            "policy {policy} was given directly to user {}; grant permissions through groups",
            target.name
        ),
        Vec::new(),
        ctx,
        settings,
    ))
}

/// `iam-user-console-without-mfa`, on re-read user facts.
pub fn console_user(
    user: &rules::iam_user_console_without_mfa::ConsoleUser,
    account: &str,
    region: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = enabled(rules::iam_user_console_without_mfa::META.id, settings)?;
    let reason = rules::iam_user_console_without_mfa::judge(user)?;
    let steps = settings
        .mfa_policy_arn_in(account)
        .map(|arn| {
            let done = user.attached_policies.contains(&arn);
            vec![(
                RemediationStep::AttachMfaDenyPolicy {
                    user_name: user.user_name.clone(),
                    policy_arn: arn,
                },
                done,
            )]
        })
        .unwrap_or_default();
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::User",
            id: user.user_name.clone(),
            arn: format!("arn:aws:iam::{account}:user/{}", user.user_name),
        },
        region,
        account,
        reason,
        steps,
        ctx,
        settings,
    ))
}

/// `iam-access-key-for-other-user`. `active` is the key's re-read status (`None`: gone).
pub fn access_key_for_other_user(
    call: &ApiCall,
    user_name: &str,
    access_key_id: &str,
    active: Option<bool>,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let own_key = call.principal.kind == PrincipalKind::IamUser
        && call.principal.user_name.as_deref() == Some(user_name);
    if own_key || call.principal.kind == PrincipalKind::Root {
        return None;
    }
    let active = active?;
    let (meta, mode) = enabled(rules::iam_access_key_for_other_user::META.id, settings)?;
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::IAM::AccessKey",
            id: access_key_id.to_string(),
            arn: format!("arn:aws:iam::{}:user/{user_name}", call.account),
        },
        &call.region,
        &call.account,
        format!(
            "{} created access key {access_key_id} for another user, {user_name}",
            call.principal.display()
        ),
        vec![(
            RemediationStep::DeactivateAccessKey {
                user_name: user_name.to_string(),
                access_key_id: access_key_id.to_string(),
            },
            !active,
        )],
        ctx,
        settings,
    ))
}

/// `iam-root-activity`: any successful root sign-in or call.
pub fn root_activity(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    if call.principal.kind != PrincipalKind::Root || call.failed() {
        return None;
    }
    let (meta, mode) = enabled(rules::iam_root_activity::META.id, settings)?;
    let from = call
        .source_ip
        .as_deref()
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    let reason = match (call.kind, call.event_name.as_str()) {
        (CallKind::ConsoleSignIn, _) => {
            let mfa = call
                .additional
                .get("MFAUsed")
                .and_then(|v| v.as_str())
                .unwrap_or("unknown");
            format!("the root user signed in to the console{from} (MFA used: {mfa})")
        }
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

/// `iam-change-audit`: an audited IAM call by a non-exempt principal.
pub fn change_audit(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    if call.service() != "iam"
        || !rules::iam_change_audit::AUDITED.contains(&call.event_name.as_str())
    {
        return None;
    }
    let (meta, mode) = enabled(rules::iam_change_audit::META.id, settings)?;
    let named: Vec<String> = [
        "userName",
        "groupName",
        "roleName",
        "policyName",
        "policyArn",
    ]
    .iter()
    .filter_map(|k| call.request_str(k).map(|v| format!("{k}={v}")))
    .collect();
    let about = if named.is_empty() {
        String::new()
    } else {
        format!(" ({})", named.join(", "))
    };
    Some(Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::::Account",
            id: call.event_name.clone(),
            arn: format!("arn:aws:iam::{}:root", call.account),
        },
        &call.region,
        &call.account,
        format!(
            "{} called {}{about}",
            call.principal.display(),
            call.action()
        ),
        Vec::new(),
        ctx,
        settings,
    ))
}
