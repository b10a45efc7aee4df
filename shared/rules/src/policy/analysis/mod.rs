//! Analyses built on the evaluator. Each rule lives in its own file and decides by evaluating
//! concrete requests ([`probe`]) rather than by matching policy text, so Conditions, NotAction,
//! NotResource and Deny statements are honoured exactly as IAM would honour them.

pub mod action_facts;
mod admin;
pub mod escalation;
mod mfa;
pub mod new_access;
pub mod principal;
pub mod probe;
mod public;
mod region;
pub mod sensitive;
mod service_wildcard;
mod trust;
mod validation;

use super::document::{PolicyDocument, StatementRef};
use crate::severity::Severity;
use serde::Serialize;

pub use region::check_region_enforcement;

/// Rule ids, stable: they appear in JSON/SARIF output and in suppressions.
pub mod rules {
    pub const ADMIN_WILDCARD: &str = "iam-policy-admin-wildcard";
    pub const SERVICE_WILDCARD: &str = "iam-policy-service-wildcard";
    pub const ALLOWS_WITHOUT_MFA: &str = "iam-policy-allows-without-mfa";
    pub const PRIVILEGE_ESCALATION: &str = "iam-policy-privilege-escalation";
    pub const ROLE_TRUST_OPEN: &str = "iam-role-trust-open";
    pub const VALIDATION: &str = "iam-policy-validation";
    pub const REGION_ENFORCEMENT: &str = "iam-policy-region-enforcement";
    pub const RESOURCE_POLICY_PUBLIC: &str = "resource-policy-public";

    /// Every rule id with a one-line description (for SARIF `tool.driver.rules`).
    pub const ALL: [(&str, &str); 8] = [
        (
            ADMIN_WILDCARD,
            "Policy allows every action on every resource",
        ),
        (
            SERVICE_WILDCARD,
            "Policy allows every action of a service on every resource",
        ),
        (
            ALLOWS_WITHOUT_MFA,
            "Sensitive actions allowed without MFA (long-term keys)",
        ),
        (
            PRIVILEGE_ESCALATION,
            "Policy grants a known privilege-escalation path",
        ),
        (
            ROLE_TRUST_OPEN,
            "Role trust policy lets anyone or a foreign account assume the role",
        ),
        (
            VALIDATION,
            "Policy has unknown actions/operators or misleading constructs",
        ),
        (
            REGION_ENFORCEMENT,
            "Region-deny policy does not enforce the allowed-region list",
        ),
        (
            RESOURCE_POLICY_PUBLIC,
            "Resource policy lets anyone, or any AWS account, use the resource",
        ),
    ];
}

/// What kind of policy is analysed; decides which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Attached to a user, group or role.
    #[default]
    Identity,
    /// A role's assume-role policy.
    Trust,
    /// A bucket/queue/key/... policy.
    ResourceBased,
    /// An AWS Organizations service control policy.
    Scp,
}

/// Analysis inputs.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    pub kind: PolicyKind,
    /// The account the policy lives in; lets the trust check tell foreign accounts apart.
    pub own_account: Option<String>,
    /// Allowed regions; when set, the region-enforcement check runs.
    pub allowed_regions: Option<Vec<String>>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub statement: Option<StatementRef>,
    pub message: String,
    /// Relevant sample actions (the ones that were allowed, the escalation combo, ...).
    pub actions: Vec<String>,
    /// The policy (flat index into the probe's [`PolicySet`](super::authorize::PolicySet)) of
    /// `statement`: always 0 for one document, which policy of a principal otherwise.
    #[serde(skip)]
    pub policy: Option<usize>,
    /// The escalation path ids ([`escalation::paths`]) the finding is about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<&'static str>,
    /// Findings of the same statement that this one subsumes (an admin grant implies its MFA
    /// and escalation findings): kept for JSON and SARIF, not shown as findings of their own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<PolicyFinding>,
    /// Concrete requests that show the finding (`iam-policy-new-access`: requests the new
    /// policy allows and the old one does not).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<new_access::ExampleRequest>,
}

impl PolicyFinding {
    pub(crate) fn new(
        rule: &'static str,
        severity: Severity,
        statement: Option<StatementRef>,
        message: impl Into<String>,
        actions: Vec<String>,
    ) -> Self {
        PolicyFinding {
            rule,
            severity,
            statement,
            message: message.into(),
            actions,
            policy: None,
            paths: Vec::new(),
            related: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The same finding, its statement located in policy `index` of the probe's set.
    pub(crate) fn in_policy(mut self, index: Option<usize>) -> Self {
        self.policy = index;
        self
    }
}

/// Run every rule that applies to `options.kind`. Findings are sorted, worst first.
pub fn analyze(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<PolicyFinding> {
    let mut out = validation::check(doc, options);
    let probe = probe::Probe::new(doc, options);
    match options.kind {
        PolicyKind::Identity => {
            let admin = admin::check(&probe);
            let is_admin = admin.iter().any(|f| f.severity >= Severity::High);
            out.extend(admin);
            if !is_admin {
                out.extend(service_wildcard::check(&probe));
            }
            out.extend(mfa::check(&probe));
            out.extend(escalation::check(&probe));
        }
        PolicyKind::Trust => out.extend(trust::check(&probe)),
        PolicyKind::ResourceBased => {
            out.extend(trust::check(&probe));
            out.extend(public::check(&probe));
        }
        PolicyKind::Scp => {}
    }
    if let Some(regions) = &options.allowed_regions {
        out.extend(check_region_enforcement(doc, regions, options));
    }
    worst_first(subsume(out))
}

/// What the live rules alert on (`iam::policy`): the findings of [`analyze`] without
/// validation, and without the MFA and escalation checks once a grant is admin (high or worse),
/// because an admin alert says it all and those findings would be dropped unread. The same
/// verdicts as `analyze` for every rule that alerts; `analyze` stays the complete report (the
/// CLI's `related` list).
pub fn analyze_for_alerts(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<PolicyFinding> {
    let probe = probe::Probe::new(doc, options);
    let out = match options.kind {
        PolicyKind::Identity => {
            let mut out = admin::check(&probe);
            if !out.iter().any(|f| f.severity >= Severity::High) {
                out.extend(service_wildcard::check(&probe));
                out.extend(mfa::check(&probe));
                out.extend(escalation::check(&probe));
            }
            out
        }
        PolicyKind::Trust => trust::check(&probe),
        PolicyKind::ResourceBased => {
            let mut out = trust::check(&probe);
            out.extend(public::check(&probe));
            out
        }
        PolicyKind::Scp => Vec::new(),
    };
    worst_first(subsume(out))
}

/// Only `resource-policy-public`'s findings, as [`analyze_for_alerts`] orders them: what
/// exposure-guard asks of every resource policy a call submits, without the trust probes
/// whose findings it would drop.
pub fn analyze_public(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<PolicyFinding> {
    worst_first(public::check(&probe::Probe::new(doc, options)))
}

/// Worst first, then by statement, then by rule.
fn worst_first(mut out: Vec<PolicyFinding>) -> Vec<PolicyFinding> {
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                let ia = a.statement.as_ref().map(|s| s.index);
                let ib = b.statement.as_ref().map(|s| s.index);
                ia.cmp(&ib)
            })
            .then_with(|| a.rule.cmp(b.rule))
    });
    out
}

/// An unconditional admin finding (critical) says everything its statement's MFA and escalation
/// findings would: they move under its `related` list, so one statement's problem is one line.
pub(super) fn subsume(findings: Vec<PolicyFinding>) -> Vec<PolicyFinding> {
    use rules::{ADMIN_WILDCARD, ALLOWS_WITHOUT_MFA, PRIVILEGE_ESCALATION};
    let site = |f: &PolicyFinding| (f.policy, f.statement.as_ref().map(|s| s.index));
    let admins: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == ADMIN_WILDCARD && f.severity >= Severity::Critical)
        .map(site)
        .collect();
    if admins.is_empty() {
        return findings;
    }
    let (moved, mut kept): (Vec<_>, Vec<_>) = findings.into_iter().partition(|f| {
        (f.rule == ALLOWS_WITHOUT_MFA || f.rule == PRIVILEGE_ESCALATION)
            && admins.contains(&site(f))
    });
    for f in moved {
        if let Some(admin) = kept
            .iter_mut()
            .find(|a| a.rule == ADMIN_WILDCARD && site(a) == site(&f))
        {
            admin.related.push(f);
        }
    }
    kept
}

/// Only the trust-policy rule (for callers that know they hold an assume-role policy).
pub fn analyze_trust(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<PolicyFinding> {
    trust::check(&probe::Probe::new(doc, options))
}

/// The services an identity policy grants whole (`svc:*` on every resource, unconditionally,
/// as `iam-policy-service-wildcard` judges it), by prefix: whose use is worth reading
/// (`iam-permissions-unused`).
pub fn service_wildcards(doc: &PolicyDocument, options: &AnalysisOptions) -> Vec<String> {
    service_wildcard::check(&probe::Probe::new(doc, options))
        .into_iter()
        .flat_map(|f| f.actions)
        .filter_map(|a| a.split_once(':').map(|(svc, _)| svc.to_string()))
        .collect()
}
