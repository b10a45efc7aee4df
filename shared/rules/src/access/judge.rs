//! The effective-access rules over an account's principals:
//!
//! - `iam-principal-admin`: its whole policy set (after boundary, SCPs and every Deny) is
//!   administrator. Conditions it meets in normal use (MFA, its network) do not make it less
//!   of one; the reason names them.
//! - `iam-principal-admin-reachable`: not admin, but an escalation path on the union of its
//!   own permissions, or a chain of role assumptions and role passes, ends at admin.
//! - `iam-principal-sensitive-without-mfa`: a user that can perform sensitive actions with
//!   `aws:MultiFactorAuthPresent` absent or false, directly or through a role it can assume
//!   without MFA. Roles themselves are not judged: their sessions belong to whoever assumed
//!   them (a user is judged through them) or to machines, which have no MFA.
//!
//! The expensive part is probing each principal's set; the graph ([`super::graph`]) only looks
//! at edges into principals already known to be admin or on a path to it.

use super::graph::{self, Edge};
use super::principal::{Principal, PrincipalKind, Principals};
use crate::policy::analysis::principal::{
    analyze_principal, analyze_principal_with, without_mfa, PrincipalAnalysis,
};
use crate::policy::analysis::probe::Probe;
use crate::policy::{AnalysisOptions, Caller, PolicyDocument, PolicyFinding, PolicySet};
use crate::severity::Severity;
use serde::Serialize;

pub const ADMIN: &str = "iam-principal-admin";
pub const ADMIN_REACHABLE: &str = "iam-principal-admin-reachable";
pub const SENSITIVE_WITHOUT_MFA: &str = "iam-principal-sensitive-without-mfa";

/// The principal a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalRef {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub arn: String,
}

/// A verdict on one principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub resource: PrincipalRef,
    /// Why, in words: the deciding statements, the path, the conditions.
    pub message: String,
    /// The deciding statements: `inline policy X Statement[0] (Sid)`.
    pub statements: Vec<String>,
    /// Sample actions (the admin probe, the path's actions, the sensitive actions).
    pub actions: Vec<String>,
    /// For a reachable admin: each hop, from this principal to the admin.
    pub path: Vec<String>,
}

/// What one principal amounts to, for the audit matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalSummary {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub groups: Vec<String>,
    pub admin: bool,
    pub admin_reachable: bool,
    pub without_mfa: bool,
    pub boundary: Option<String>,
    pub incomplete: bool,
}

/// The judgement of an account's principals.
#[derive(Debug, Clone, Default)]
pub struct AccessReport {
    pub findings: Vec<PrincipalFinding>,
    pub principals: Vec<PrincipalSummary>,
    pub notes: Vec<String>,
}

/// Inputs that are the same for every principal of the account.
#[derive(Debug, Clone, Default)]
pub struct AccessOptions<'a> {
    /// The account's SCPs (each action must be allowed by one and denied by none).
    pub scps: Vec<&'a PolicyDocument>,
}

/// One principal's probe: its identity policies, boundary and the account's SCPs, requests
/// made as the principal (a role as one of its sessions).
fn probe_for<'a>(
    principals: &'a Principals,
    p: &Principal,
    options: &'a AccessOptions<'a>,
    analysis: &'a AnalysisOptions,
) -> Option<Probe<'a>> {
    let set = PolicySet {
        identity: principals.identity_documents(p),
        boundary: p
            .boundary
            .as_ref()
            .and_then(|b| principals.document(b.document)),
        scps: options.scps.clone(),
        ..PolicySet::default()
    };
    Probe::for_set(set, Some(Caller::from_arn(&p.arn)), analysis)
}

/// Judge every principal.
pub fn judge(principals: &Principals, options: &AccessOptions<'_>) -> AccessReport {
    let analysis_options = AnalysisOptions {
        own_account: Some(principals.account.clone()),
        ..AnalysisOptions::default()
    };
    let mut per_document = PerDocument::new(principals, &analysis_options);
    let probes: Vec<Option<Probe<'_>>> = principals
        .principals
        .iter()
        .map(|p| probe_for(principals, p, options, &analysis_options))
        .collect();
    let analyses: Vec<Option<PrincipalAnalysis>> = principals
        .principals
        .iter()
        .zip(&probes)
        .map(|(p, probe)| {
            let probe = probe.as_ref()?;
            Some(match per_document.without_mfa(p, options) {
                Some(without_mfa) => PrincipalAnalysis {
                    without_mfa,
                    ..analyze_principal_with(probe, false)
                },
                None => analyze_principal(probe),
            })
        })
        .collect();
    let is_admin: Vec<bool> = analyses
        .iter()
        .map(|a| a.as_ref().is_some_and(|a| a.admin.is_some()))
        .collect();
    let self_escalates: Vec<bool> = analyses
        .iter()
        .map(|a| a.as_ref().is_some_and(|a| !a.escalation.is_empty()))
        .collect();
    let sensitive: Vec<bool> = analyses
        .iter()
        .map(|a| a.as_ref().is_some_and(|a| !a.without_mfa.is_empty()))
        .collect();
    let reach = graph::reachability(
        principals,
        &probes,
        &analysis_options,
        &is_admin,
        &self_escalates,
        &sensitive,
    );

    let mut report = AccessReport {
        notes: principals.notes.clone(),
        ..AccessReport::default()
    };
    for (i, p) in principals.principals.iter().enumerate() {
        let analysis = analyses.get(i).and_then(|a| a.as_ref());
        let resource = PrincipalRef {
            kind: p.kind.resource_type(),
            id: p.name.clone(),
            arn: p.arn.clone(),
        };
        let incomplete = if p.incomplete.is_empty() {
            String::new()
        } else {
            format!(" (judged without: {})", p.incomplete.join("; "))
        };
        let mut admin = false;
        let mut reachable = false;
        let mut without_mfa = false;
        if let Some(f) = analysis.and_then(|a| a.admin.as_ref()) {
            admin = true;
            let conditions = if f.severity < Severity::Critical {
                " It needs conditions the principal can meet in normal use; it is an administrator all the same."
            } else {
                ""
            };
            let decided = where_decided(p, f);
            report.findings.push(PrincipalFinding {
                rule: ADMIN,
                severity: Severity::Critical,
                resource: resource.clone(),
                message: format!(
                    "{} {} is effectively an administrator: {} ({decided}).{conditions}{incomplete}",
                    p.kind.as_str(),
                    p.name,
                    f.message,
                ),
                statements: vec![decided],
                actions: f.actions.clone(),
                path: Vec::new(),
            });
        }
        if !admin {
            let own = analysis
                .map(|a| a.escalation.as_slice())
                .unwrap_or_default();
            if let Some(f) = own.first() {
                reachable = true;
                let paths: Vec<String> = own.iter().map(|f| f.message.clone()).collect();
                report.findings.push(PrincipalFinding {
                    rule: ADMIN_REACHABLE,
                    severity: Severity::High,
                    resource: resource.clone(),
                    message: format!(
                        "{} {} can make itself an administrator with its own permissions: {} ({}){incomplete}",
                        p.kind.as_str(),
                        p.name,
                        paths.join("; "),
                        where_decided(p, f)
                    ),
                    statements: own.iter().map(|f| where_decided(p, f)).collect(),
                    actions: own.iter().flat_map(|f| f.actions.clone()).collect(),
                    path: paths,
                });
            } else if let Some(chain) = reach.chains.get(i).and_then(|c| c.as_ref()) {
                reachable = true;
                let hops: Vec<String> = chain.iter().map(|e| hop(principals, e)).collect();
                let last = chain.last().map(|e| e.to).unwrap_or(usize::MAX);
                let end = principals
                    .principals
                    .get(last)
                    .map(|t| {
                        if is_admin.get(last).copied().unwrap_or(false) {
                            format!("{} {}, an administrator", t.kind.as_str(), t.name)
                        } else {
                            format!(
                                "{} {}, which can make itself an administrator",
                                t.kind.as_str(),
                                t.name
                            )
                        }
                    })
                    .unwrap_or_default();
                report.findings.push(PrincipalFinding {
                    rule: ADMIN_REACHABLE,
                    severity: Severity::High,
                    resource: resource.clone(),
                    message: format!(
                        "{} {} can become {end}: {}{incomplete}",
                        p.kind.as_str(),
                        p.name,
                        hops.join(" -> ")
                    ),
                    statements: chain.iter().map(|e| e.statement.clone()).collect(),
                    actions: chain.iter().flat_map(|e| e.actions.clone()).collect(),
                    path: hops,
                });
            }
        }
        if p.kind == PrincipalKind::User {
            let direct = analysis
                .map(|a| a.without_mfa.as_slice())
                .unwrap_or_default();
            let via = reach.without_mfa_via.get(i).and_then(|v| v.as_ref());
            if !direct.is_empty() || via.is_some() {
                without_mfa = true;
                let mut parts: Vec<String> = direct
                    .iter()
                    .map(|f| format!("{} ({})", f.message, where_decided(p, f)))
                    .collect();
                if let Some(e) = via {
                    parts.push(format!(
                        "through a role it can assume without MFA ({})",
                        hop(principals, e)
                    ));
                }
                report.findings.push(PrincipalFinding {
                    rule: SENSITIVE_WITHOUT_MFA,
                    severity: Severity::High,
                    resource: resource.clone(),
                    message: format!(
                        "user {} can perform sensitive actions without MFA: {}{incomplete}",
                        p.name,
                        parts.join("; ")
                    ),
                    statements: direct
                        .iter()
                        .map(|f| where_decided(p, f))
                        .chain(via.map(|e| e.statement.clone()))
                        .collect(),
                    actions: direct.iter().flat_map(|f| f.actions.clone()).collect(),
                    path: via.map(|e| vec![hop(principals, e)]).unwrap_or_default(),
                });
            }
        }
        report.principals.push(PrincipalSummary {
            kind: p.kind,
            name: p.name.clone(),
            arn: p.arn.clone(),
            groups: p.groups.clone(),
            admin,
            admin_reachable: reachable,
            without_mfa,
            boundary: p.boundary.as_ref().map(|b| b.label.clone()),
            incomplete: !p.incomplete.is_empty(),
        });
    }
    report
}

/// `inline policy X Statement[0] (Sid)`: where a finding's deciding statement is.
fn where_decided(p: &Principal, f: &PolicyFinding) -> String {
    let statement = f
        .statement
        .as_ref()
        .map(|s| s.to_string())
        .unwrap_or_default();
    match f.policy {
        Some(i) => graph::describe(p, i, &statement),
        None => format!("its policies {statement}"),
    }
}

/// One hop of a chain, in words.
fn hop(principals: &Principals, e: &Edge) -> String {
    let name = |i: usize| {
        principals
            .principals
            .get(i)
            .map(|p| format!("{} {}", p.kind.as_str(), p.name))
            .unwrap_or_default()
    };
    format!("{} {} {}", name(e.from), e.how, name(e.to))
}

/// Per-document answers that combine exactly into a principal's: with no Deny anywhere, no
/// boundary, no SCP and nothing caller-specific (policy variables, principal keys), a request
/// is allowed by a set exactly when one of its documents allows it, and every sensitive action
/// is its own request. Thousands of principals share a few hundred documents, so this turns
/// the costliest probe (hundreds of sensitive actions) from per principal to per document.
struct PerDocument<'a> {
    principals: &'a Principals,
    analysis: &'a AnalysisOptions,
    /// `None`: not computed yet; `Some(None)`: the document does not combine.
    cache: Vec<Option<Option<Vec<PolicyFinding>>>>,
}

impl<'a> PerDocument<'a> {
    fn new(principals: &'a Principals, analysis: &'a AnalysisOptions) -> Self {
        PerDocument {
            principals,
            analysis,
            cache: vec![None; principals.documents.len()],
        }
    }

    /// The principal's MFA findings as the union of its documents', when that is exact.
    fn without_mfa(
        &mut self,
        p: &Principal,
        options: &AccessOptions<'_>,
    ) -> Option<Vec<PolicyFinding>> {
        if p.boundary.is_some() || !options.scps.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for (position, held) in p.policies.iter().enumerate() {
            let found = self.document(held.document)?;
            out.extend(found.iter().cloned().map(|mut f| {
                f.policy = Some(position);
                f
            }));
        }
        Some(out)
    }

    fn document(&mut self, index: usize) -> Option<&Vec<PolicyFinding>> {
        if self.cache.get(index)?.is_none() {
            let doc = self.principals.document(index)?;
            let combines = doc.statements.iter().all(|s| {
                s.effect == crate::policy::Effect::Allow
                    && !s.conditions.iter().any(|c| {
                        let k = c.key.to_ascii_lowercase();
                        k.starts_with("aws:principal")
                            || k.starts_with("aws:username")
                            || k.starts_with("aws:userid")
                    })
            }) && !doc.uses_variables();
            let answer = combines.then(|| without_mfa(&Probe::new(doc, self.analysis)));
            if let Some(slot) = self.cache.get_mut(index) {
                *slot = Some(answer);
            }
        }
        self.cache.get(index)?.as_ref()?.as_ref()
    }
}
