//! The live path of the effective-access rules: after an IAM call, the principals whose
//! effective access it may have changed are re-read and judged by the same rules as the
//! sweep (`iam-principal-admin`, `-admin-reachable`, `-sensitive-without-mfa`).
//!
//! Removing a grant can widen access too (detaching the MFA-enforcement Deny, deleting an
//! inline Deny, leaving a group whose policy denied something), so every attach/detach,
//! put/delete, group membership and boundary change is a trigger, not only the grants.
//!
//! What the live path sees is the changed principals themselves (their own, group, managed and
//! boundary policies) and the roles they name in `sts:AssumeRole`: a chain through a role
//! they reach only by a wildcard, or a trust open to the whole account, is the sweep's to find,
//! and a note says so.

use crate::access::{enabled_rules, judge, AccessOptions, Principals};
use crate::finding::{EventContext, Finding};
use crate::plan::{IamTarget, IamTargetKind};
use crate::policy::evaluate::action_matches;
use crate::policy::wildcard::has_wildcard;
use crate::policy::{Effect, PolicyDocument, PrincipalType, Principals as Named};
use crate::rules::registry::{CallJudge, Judged, Need, Read, Round};
use crate::rules::{
    iam_principal_admin, iam_principal_admin_reachable, iam_principal_sensitive_without_mfa,
};
use crate::settings::Settings;
use crate::sweep::AccountFacts;
use crate::trigger::ApiCall;
use std::collections::{BTreeMap, BTreeSet};

/// The CloudTrail event names after which principals are re-judged (the template's pattern
/// must list them).
pub const EVENTS: &[&str] = &[
    "AttachUserPolicy",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "DetachUserPolicy",
    "DetachGroupPolicy",
    "DetachRolePolicy",
    "PutUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "DeleteUserPolicy",
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "PutUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "UpdateAssumeRolePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
];

/// Whose effective access a call may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    /// One user or role.
    Principal(IamTarget),
    /// Every member of a group.
    GroupMembers(String),
    /// Every user, role and group member a managed policy is attached to.
    PolicyHolders(String),
    /// The principals a role's (new) trust policy lets assume it: their reach changed.
    TrustedBy(String),
}

/// The principals `call` may have changed, or `None` for a call that changes nobody's access.
pub fn affected(call: &ApiCall) -> Option<Affected> {
    if call.service() != "iam" || !EVENTS.contains(&call.event_name.as_str()) {
        return None;
    }
    let name = call.event_name.as_str();
    let arg = |key: &str| call.request_str(key).filter(|v| !v.is_empty());
    let principal = |kind: IamTargetKind, key: &str| {
        arg(key).map(|n| {
            Affected::Principal(IamTarget {
                kind,
                name: n.to_string(),
            })
        })
    };
    match name {
        "CreatePolicyVersion" | "SetDefaultPolicyVersion" => {
            arg("policyArn").map(|a| Affected::PolicyHolders(a.to_string()))
        }
        "AddUserToGroup" | "RemoveUserFromGroup" => principal(IamTargetKind::User, "userName"),
        "UpdateAssumeRolePolicy" => arg("roleName").map(|r| Affected::TrustedBy(r.to_string())),
        _ if name.contains("Group") => arg("groupName").map(|g| Affected::GroupMembers(g.into())),
        _ if name.contains("User") => principal(IamTargetKind::User, "userName"),
        _ => principal(IamTargetKind::Role, "roleName"),
    }
}

/// Judge the re-read principals (`facts`: them, the roles they may assume, their groups and the
/// managed policies they use). Findings only for the `affected` ARNs that are not exempt, in
/// the modes the settings give the three rules (they plan no remediation: narrowing an
/// administrator is a human decision). `notes` say what could not be judged.
pub fn judge_principals(
    facts: &AccountFacts,
    affected: &BTreeSet<String>,
    call: &ApiCall,
    ctx: &EventContext,
    settings: &Settings,
) -> (Vec<Finding>, Vec<String>) {
    let rules = enabled_rules(settings);
    if rules.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let principals = Principals::build(facts, &call.account, &|_| None);
    let report = judge(&principals, &AccessOptions::default());
    let mut findings = Vec::new();
    for f in report.findings {
        let Some((meta, mode)) = rules.iter().find(|(m, _)| m.id == f.rule) else {
            continue;
        };
        // Roles read only to follow chains are not what the call changed.
        if !affected.contains(&f.resource.arn) {
            continue;
        }
        let no_tags = BTreeMap::new();
        let tags = principals
            .principals
            .iter()
            .find(|p| p.arn == f.resource.arn)
            .map_or(&no_tags, |p| &p.tags);
        if settings.exempts_principal(tags, &f.resource.arn) {
            continue;
        }
        let reason = format!(
            "after {} by {}: {}",
            call.event_name,
            call.principal.display(),
            f.message
        );
        findings.push(Finding::build(
            meta,
            *mode,
            f.resource.into(),
            &call.region,
            &call.account,
            reason,
            Vec::new(),
            ctx,
            settings,
        ));
    }
    (findings, report.notes)
}

/// Roles the principals of `facts` may be able to assume, by name: the literal role ARNs of
/// this account that their Allow statements for `sts:AssumeRole` name as Resource. The live
/// path reads these too, so a chain from a changed principal through a role it can assume is
/// found (a wildcard Resource would need every role of the account: the sweep's job).
pub fn assumable_roles(facts: &AccountFacts, account: &str) -> BTreeSet<String> {
    let prefix = format!("arn:aws:iam::{account}:role/");
    let documents = facts
        .users
        .iter()
        .flat_map(|u| u.inline.iter())
        .chain(facts.groups.iter().flat_map(|g| g.inline.iter()))
        .chain(facts.roles.iter().flat_map(|r| r.inline.iter()))
        .map(|p| p.document.as_str())
        .chain(facts.policies.iter().filter_map(|p| p.document.as_deref()));
    let mut out = BTreeSet::new();
    for text in documents {
        let Ok(doc) = PolicyDocument::parse(text) else {
            continue;
        };
        for s in &doc.statements {
            if s.effect != Effect::Allow || !action_matches(&s.action, "sts:AssumeRole") {
                continue;
            }
            let Some(resources) = s.resource.as_ref().filter(|r| !r.negated) else {
                continue;
            };
            for r in &resources.patterns {
                let Some(name) = r.strip_prefix(&prefix) else {
                    continue;
                };
                // The name is the last path segment; a wildcard is not a literal role.
                if !has_wildcard(name) && !name.contains("${") {
                    out.insert(name.rsplit('/').next().unwrap_or(name).to_string());
                }
            }
        }
    }
    out
}

/// The users and roles of this account a trust policy names as AWS principals in its Allow
/// statements (literal ARNs): whose reach changes when the trust does. An account root or `*`
/// names everyone, which the sweep covers; the second value says whether the trust did.
pub fn trusted_principals(trust: &str, account: &str) -> (BTreeSet<IamTarget>, bool) {
    let mut named = BTreeSet::new();
    let mut everyone = false;
    let Ok(doc) = PolicyDocument::parse(trust) else {
        return (named, false);
    };
    for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let Some(spec) = &s.principal else { continue };
        let entries: Vec<&String> = match &spec.principals {
            Named::Any => {
                everyone = true;
                continue;
            }
            Named::Typed(t) => t
                .iter()
                .filter(|(k, _)| *k == PrincipalType::Aws)
                .flat_map(|(_, v)| v.iter())
                .collect(),
        };
        for e in entries {
            let user = e.strip_prefix(&format!("arn:aws:iam::{account}:user/"));
            let role = e.strip_prefix(&format!("arn:aws:iam::{account}:role/"));
            let (kind, name) = match (user, role) {
                (Some(n), _) => (IamTargetKind::User, n),
                (_, Some(n)) => (IamTargetKind::Role, n),
                _ => {
                    everyone |= e == "*" || e.contains(account);
                    continue;
                }
            };
            named.insert(IamTarget {
                kind,
                name: name.rsplit('/').next().unwrap_or(name).to_string(),
            });
        }
    }
    (named, everyone)
}

/// The `iam-principal-*` rules on the users and roles the call affected, re-read with all
/// their policies after the first round's remediation.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[
        &iam_principal_admin::META,
        &iam_principal_admin_reachable::META,
        &iam_principal_sensitive_without_mfa::META,
    ],
    round: Round::AfterRemediation,
    needs: |call, settings| {
        if enabled_rules(settings).is_empty() {
            return None;
        }
        affected(call).map(Need::Principals)
    },
    judge: |call, read, ctx, settings| match read {
        Read::Principals(read) => {
            let (findings, mut notes) =
                judge_principals(&read.facts, &read.affected, call, ctx, settings);
            notes.extend(read.notes.iter().cloned());
            Judged {
                findings,
                notes,
                cleared: None,
            }
        }
        _ => Judged::mismatched(JUDGE.rules),
    },
};
