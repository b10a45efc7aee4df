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
use crate::finding::ResourceRef;
use crate::mode::Mode;
use crate::parallel;
use crate::policy::analysis::principal::{
    analyze_principal, analyze_principal_with, service_drives, without_mfa, PrincipalAnalysis,
    ServiceDrive,
};
use crate::policy::analysis::probe::Probe;
use crate::policy::{AnalysisOptions, Caller, PolicyDocument, PolicyFinding, PolicySet};
use crate::rules::RuleMeta;
use crate::settings::Settings;
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

impl From<PrincipalRef> for ResourceRef {
    fn from(p: PrincipalRef) -> ResourceRef {
        ResourceRef {
            kind: p.kind,
            id: p.id,
            arn: p.arn,
        }
    }
}

/// The three rules as the settings switch them: each one not off, with its mode. The sweep and
/// the live path report principal findings in these.
pub fn enabled_rules(settings: &Settings) -> Vec<(&'static RuleMeta, Mode)> {
    [ADMIN, ADMIN_REACHABLE, SENSITIVE_WITHOUT_MFA]
        .iter()
        .filter_map(|id| crate::rules::meta(id))
        .map(|m| (m, settings.mode(m.id)))
        .filter(|(_, mode)| *mode != Mode::Off)
        .collect()
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
    /// Threads for the per-principal work: 0 (the default) is one per available CPU, 1 the
    /// plain loop. The answer is the same either way.
    pub threads: usize,
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
    let threads = options.threads;
    let per_document = PerDocument::compute(principals, options, &analysis_options);
    let probes: Vec<Option<Probe<'_>>> = principals
        .principals
        .iter()
        .map(|p| probe_for(principals, p, options, &analysis_options))
        .collect();
    let indices: Vec<usize> = (0..principals.principals.len()).collect();
    let judged: Vec<(Option<PrincipalAnalysis>, Vec<ServiceDrive>)> =
        parallel::map(&indices, threads, |&i| {
            let (Some(p), Some(Some(probe))) = (principals.principals.get(i), probes.get(i)) else {
                return (None, Vec::new());
            };
            let analysis = match per_document.without_mfa(p, options) {
                Some(without_mfa) => PrincipalAnalysis {
                    without_mfa,
                    ..analyze_principal_with(probe, false)
                },
                None => analyze_principal(probe),
            };
            (Some(analysis), service_drives(probe))
        });
    let (analyses, drives): (Vec<_>, Vec<_>) = judged.into_iter().unzip();
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
        &drives,
        &analysis_options,
        &graph::Known {
            is_admin: &is_admin,
            self_escalates: &self_escalates,
            sensitive_without_mfa: &sensitive,
        },
        threads,
    );

    let mut report = AccessReport {
        notes: principals.notes.clone(),
        ..AccessReport::default()
    };
    for (i, p) in principals.principals.iter().enumerate() {
        let analysis = analyses.get(i).and_then(|a| a.as_ref());
        let subject = Subject::new(p);
        let admin = analysis
            .and_then(|a| a.admin.as_ref())
            .map(|f| admin_finding(&subject, f));
        let reachable = match (&admin, analysis) {
            (Some(_), _) => None,
            (None, Some(a)) if !a.escalation.is_empty() => {
                Some(self_escalation_finding(&subject, &a.escalation))
            }
            (None, _) => reach
                .chains
                .get(i)
                .and_then(|c| c.as_deref())
                .map(|chain| chain_finding(principals, &subject, chain, &is_admin)),
        };
        let without_mfa = if p.kind == PrincipalKind::User {
            let direct = analysis
                .map(|a| a.without_mfa.as_slice())
                .unwrap_or_default();
            let via = reach.without_mfa_via.get(i).and_then(|v| v.as_ref());
            mfa_finding(principals, &subject, direct, via)
        } else {
            None
        };
        report.principals.push(PrincipalSummary {
            kind: p.kind,
            name: p.name.clone(),
            arn: p.arn.clone(),
            groups: p.groups.clone(),
            admin: admin.is_some(),
            admin_reachable: reachable.is_some(),
            without_mfa: without_mfa.is_some(),
            boundary: p.boundary.as_ref().map(|b| b.label.clone()),
            incomplete: !p.incomplete.is_empty(),
        });
        report
            .findings
            .extend([admin, reachable, without_mfa].into_iter().flatten());
    }
    report
}

/// The principal a finding is about, and what its reason must admit was not read.
struct Subject<'p> {
    p: &'p Principal,
    resource: PrincipalRef,
    /// ` (judged without: ...)`, or empty.
    incomplete: String,
}

impl<'p> Subject<'p> {
    fn new(p: &'p Principal) -> Self {
        Subject {
            p,
            resource: PrincipalRef {
                kind: p.kind.resource_type(),
                id: p.name.clone(),
                arn: p.arn.clone(),
            },
            incomplete: if p.incomplete.is_empty() {
                String::new()
            } else {
                format!(" (judged without: {})", p.incomplete.join("; "))
            },
        }
    }

    fn finding(&self, rule: &'static str, severity: Severity, message: String) -> PrincipalFinding {
        PrincipalFinding {
            rule,
            severity,
            resource: self.resource.clone(),
            message: format!("{message}{}", self.incomplete),
            statements: Vec::new(),
            actions: Vec::new(),
            path: Vec::new(),
        }
    }
}

fn admin_finding(s: &Subject<'_>, f: &PolicyFinding) -> PrincipalFinding {
    let p = s.p;
    let conditions = if f.severity < Severity::Critical {
        " It needs conditions the principal can meet in normal use; it is an administrator all the same."
    } else {
        ""
    };
    let decided = where_decided(p, f);
    let message = format!(
        "{} {} is effectively an administrator: {} ({decided}).{conditions}",
        p.kind.as_str(),
        p.name,
        f.message,
    );
    PrincipalFinding {
        statements: vec![decided],
        actions: f.actions.clone(),
        ..s.finding(ADMIN, Severity::Critical, message)
    }
}

fn self_escalation_finding(s: &Subject<'_>, own: &[PolicyFinding]) -> PrincipalFinding {
    let p = s.p;
    let paths: Vec<String> = own.iter().map(|f| f.message.clone()).collect();
    let statements: Vec<String> = own.iter().map(|f| where_decided(p, f)).collect();
    let message = format!(
        "{} {} can make itself an administrator with its own permissions: {} ({})",
        p.kind.as_str(),
        p.name,
        paths.join("; "),
        statements.first().map(String::as_str).unwrap_or_default()
    );
    PrincipalFinding {
        statements,
        actions: own.iter().flat_map(|f| f.actions.clone()).collect(),
        path: paths,
        ..s.finding(ADMIN_REACHABLE, Severity::High, message)
    }
}

fn chain_finding(
    principals: &Principals,
    s: &Subject<'_>,
    chain: &[Edge],
    is_admin: &[bool],
) -> PrincipalFinding {
    let p = s.p;
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
    let message = format!(
        "{} {} can become {end}: {}",
        p.kind.as_str(),
        p.name,
        hops.join(" -> ")
    );
    PrincipalFinding {
        statements: chain.iter().map(|e| e.statement.clone()).collect(),
        actions: chain.iter().flat_map(|e| e.actions.clone()).collect(),
        path: hops,
        ..s.finding(ADMIN_REACHABLE, Severity::High, message)
    }
}

fn mfa_finding(
    principals: &Principals,
    s: &Subject<'_>,
    direct: &[PolicyFinding],
    via: Option<&Edge>,
) -> Option<PrincipalFinding> {
    if direct.is_empty() && via.is_none() {
        return None;
    }
    let p = s.p;
    let decided: Vec<String> = direct.iter().map(|f| where_decided(p, f)).collect();
    let via_hop = via.map(|e| hop(principals, e));
    let mut parts: Vec<String> = direct
        .iter()
        .zip(&decided)
        .map(|(f, d)| format!("{} ({d})", f.message))
        .collect();
    if let Some(h) = &via_hop {
        parts.push(format!("through a role it can assume without MFA ({h})"));
    }
    let message = format!(
        "user {} can perform sensitive actions without MFA: {}",
        p.name,
        parts.join("; ")
    );
    Some(PrincipalFinding {
        statements: decided
            .into_iter()
            .chain(via.map(|e| e.statement.clone()))
            .collect(),
        actions: direct.iter().flat_map(|f| f.actions.clone()).collect(),
        path: via_hop.into_iter().collect(),
        ..s.finding(SENSITIVE_WITHOUT_MFA, Severity::High, message)
    })
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
struct PerDocument {
    /// By document index: `None` when not needed or the document does not combine.
    answers: Vec<Option<Vec<PolicyFinding>>>,
}

impl PerDocument {
    /// The answers of every document held by a principal they can serve (no boundary, no
    /// SCP), each computed once.
    fn compute(
        principals: &Principals,
        options: &AccessOptions<'_>,
        analysis: &AnalysisOptions,
    ) -> Self {
        let mut needed: Vec<usize> = if options.scps.is_empty() {
            principals
                .principals
                .iter()
                .filter(|p| p.boundary.is_none())
                .flat_map(|p| p.policies.iter().map(|h| h.document))
                .collect()
        } else {
            Vec::new()
        };
        needed.sort_unstable();
        needed.dedup();
        let computed = parallel::map(&needed, options.threads, |&index| {
            principals
                .document(index)
                .filter(|doc| combines(doc))
                .map(|doc| without_mfa(&Probe::new(doc, analysis)))
        });
        let mut answers = vec![None; principals.documents.len()];
        for (index, answer) in needed.into_iter().zip(computed) {
            if let Some(slot) = answers.get_mut(index) {
                *slot = answer;
            }
        }
        PerDocument { answers }
    }

    /// The principal's MFA findings as the union of its documents', when that is exact.
    fn without_mfa(
        &self,
        p: &Principal,
        options: &AccessOptions<'_>,
    ) -> Option<Vec<PolicyFinding>> {
        if p.boundary.is_some() || !options.scps.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for (position, held) in p.policies.iter().enumerate() {
            let found = self.answers.get(held.document)?.as_ref()?;
            out.extend(found.iter().cloned().map(|mut f| {
                f.policy = Some(position);
                f
            }));
        }
        Some(out)
    }
}

/// Does a document's answer combine exactly with others' (see [`PerDocument`])?
fn combines(doc: &PolicyDocument) -> bool {
    doc.statements.iter().all(|s| {
        s.effect == crate::policy::Effect::Allow
            && !s.conditions.iter().any(|c| {
                let k = c.key.to_ascii_lowercase();
                k.starts_with("aws:principal")
                    || k.starts_with("aws:username")
                    || k.starts_with("aws:userid")
            })
    }) && !doc.uses_variables()
}
