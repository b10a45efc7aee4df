//! Who can become whom: PMapper's idea (a graph over the account's principals), with every
//! edge decided by the policy engine, conditions honoured.
//!
//! An edge P → R exists when P can act as role R:
//! - **assume**: R's trust policy allows P's `sts:AssumeRole` *and* P's own policies allow it
//!   on R, except that a trust naming P's ARN itself needs no identity permission (within one
//!   account a resource-based policy that names the principal grants on its own);
//! - **pass**: P may pass R (`iam:PassRole` with `iam:PassedToService`) to a service whose
//!   escalation path it can drive (create a Lambda function and invoke it, run an instance,
//!   ...), and R trusts that service.
//!
//! Only edges that lead somewhere matter: the search starts from the principals that are admin
//! or can make themselves admin and grows backwards, one round per hop, so its cost is the
//! number of principals times the number of *valuable* roles, not times every role.
//! Each edge also records whether it needs MFA (trust or identity allow it only with
//! `aws:MultiFactorAuthPresent` true), which the MFA rule reads.

use super::principal::{Principal, PrincipalKind, Principals};
use crate::parallel;
use crate::policy::analysis::principal::{can_assume, can_pass_role, ServiceDrive};
use crate::policy::analysis::probe::Probe;
use crate::policy::evaluate::MatchedStatement;
use crate::policy::{
    AnalysisOptions, Caller, PolicyDocument, PolicySet, PrincipalSpec, PrincipalType,
    Principals as Named, RequestPrincipal,
};
use std::collections::HashMap;
use std::sync::Mutex;

/// One hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// `can assume`, `can pass to lambda.amazonaws.com (pass a role to a new Lambda ...)`.
    pub how: String,
    /// The deciding statement(s), in words.
    pub statement: String,
    pub actions: Vec<String>,
    /// The hop needs MFA.
    pub mfa: bool,
}

/// The search's answer, by principal index.
#[derive(Debug, Clone, Default)]
pub struct Reachability {
    /// For a principal that is neither admin nor self-escalating: the hops to one that is.
    pub chains: Vec<Option<Vec<Edge>>>,
    /// For a user: a role it can assume without MFA whose policies allow sensitive actions
    /// without MFA.
    pub without_mfa_via: Vec<Option<Edge>>,
}

/// What the principals' own analyses found, by principal index: where chains end, and which
/// roles are worth reaching without MFA.
#[derive(Debug, Clone, Copy)]
pub(super) struct Known<'k> {
    pub is_admin: &'k [bool],
    pub self_escalates: &'k [bool],
    pub sensitive_without_mfa: &'k [bool],
}

/// Most hops followed: chains longer than this are not reported (documented bound).
pub const MAX_HOPS: usize = 8;

/// `probes` are the principals' own (by index, as [`super::judge`] built them for their
/// analyses): the graph asks them about single edges.
pub(super) fn reachability(
    principals: &Principals,
    probes: &[Option<Probe<'_>>],
    drives: &[Vec<ServiceDrive>],
    analysis: &AnalysisOptions,
    known: &Known<'_>,
    threads: usize,
) -> Reachability {
    let Known {
        is_admin,
        self_escalates,
        sensitive_without_mfa,
    } = *known;
    let n = principals.principals.len();
    // Which services each role trusts, among those some principal can drive: asked once per
    // role and service instead of once per pair.
    let mut services: Vec<&'static str> = drives.iter().flatten().map(|d| d.service).collect();
    services.sort_unstable();
    services.dedup();
    let trusted: Vec<Vec<&'static str>> = (0..n)
        .map(|i| match principal_trust(principals, i) {
            Some(trust) => services
                .iter()
                .copied()
                .filter(|s| trusts_service(trust, s, analysis))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    let admits: Vec<bool> = (0..n)
        .map(|i| {
            principal_trust(principals, i).is_some_and(|t| admits_account(t, &principals.account))
        })
        .collect();
    let graph = Graph {
        principals,
        analysis,
        probes,
        drives,
        trusted: &trusted,
        admits: &admits,
        answers: (0..n).map(|_| Mutex::default()).collect(),
    };

    let mut chains: Vec<Option<Vec<Edge>>> = vec![None; n];
    let mut done: Vec<bool> = (0..n)
        .map(|i| {
            is_admin.get(i).copied().unwrap_or(false)
                || self_escalates.get(i).copied().unwrap_or(false)
        })
        .collect();
    let mut frontier: Vec<usize> = (0..n).filter(|&i| done[i] && graph.is_role(i)).collect();
    for _hop in 0..MAX_HOPS {
        if frontier.is_empty() {
            break;
        }
        // Within a hop each principal only looks at roles settled in earlier hops, so the
        // principals are independent and can be searched in parallel.
        let open: Vec<usize> = (0..n).filter(|&i| !done[i]).collect();
        let found = parallel::map(&open, threads, |&from| {
            frontier.iter().find_map(|&to| graph.edge(from, to))
        });
        let mut next = Vec::new();
        for (from, edge) in open.into_iter().zip(found) {
            let Some(edge) = edge else {
                continue;
            };
            let mut chain = vec![edge];
            if let Some(rest) = chains.get(edge_target(&chain)).and_then(|c| c.clone()) {
                chain.extend(rest);
            }
            if let Some(slot) = chains.get_mut(from) {
                *slot = Some(chain);
            }
            if let Some(d) = done.get_mut(from) {
                *d = true;
            }
            if graph.is_role(from) {
                next.push(from);
            }
        }
        frontier = next;
    }

    // Users acting without MFA through a role.
    let sensitive_roles: Vec<usize> = (0..n)
        .filter(|&i| graph.is_role(i) && sensitive_without_mfa.get(i).copied().unwrap_or(false))
        .collect();
    let everyone: Vec<usize> = (0..n).collect();
    let without_mfa_via = parallel::map(&everyone, threads, |&from| {
        if graph.is_role(from) {
            return None;
        }
        sensitive_roles
            .iter()
            .find_map(|&to| graph.assume(from, to).filter(|e| !e.mfa))
    });
    Reachability {
        chains,
        without_mfa_via,
    }
}

struct Graph<'g, 'p> {
    principals: &'g Principals,
    analysis: &'g AnalysisOptions,
    probes: &'g [Option<Probe<'p>>],
    drives: &'g [Vec<ServiceDrive>],
    /// By role: the driven services its trust policy lets assume it.
    trusted: &'g [Vec<&'static str>],
    /// By role: its trust policy can let in some principal of this account at all.
    admits: &'g [bool],
    /// A principal's own answer to "may I pass a role to S / assume a role (with MFA or
    /// not)", kept per resource signature ([`Probe::resource_signature`]): roles its
    /// statements cannot tell apart get one search.
    answers: Vec<Mutex<Answers>>,
}

/// One principal's kept answers (each principal is searched by one thread at a time).
type Answers = HashMap<(Question, Vec<bool>), Option<MatchedStatement>>;

/// An identity-side question the graph asks of one principal about many roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Question {
    Pass(&'static str),
    Assume { mfa: bool },
}

impl Graph<'_, '_> {
    /// `answer(probe)` for `from` about `role`, or the answer kept for a role its statements
    /// cannot tell apart from this one.
    fn identity_answer(
        &self,
        from: usize,
        question: Question,
        role: &str,
        probe: &Probe<'_>,
        answer: impl FnOnce(&Probe<'_>) -> Option<MatchedStatement>,
    ) -> Option<MatchedStatement> {
        let action = match question {
            Question::Pass(_) => "iam:PassRole",
            Question::Assume { .. } => "sts:AssumeRole",
        };
        let Some(signature) = probe.resource_signature(action, role) else {
            return answer(probe);
        };
        let Some(kept) = self.answers.get(from) else {
            return answer(probe);
        };
        let key = (question, signature);
        let mut kept = kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = kept.get(&key) {
            return found.clone();
        }
        let fresh = answer(probe);
        kept.insert(key, fresh.clone());
        fresh
    }

    fn principal(&self, i: usize) -> Option<&Principal> {
        self.principals.principals.get(i)
    }

    fn is_role(&self, i: usize) -> bool {
        self.principal(i)
            .is_some_and(|p| p.kind == PrincipalKind::Role)
    }

    fn trust(&self, i: usize) -> Option<&PolicyDocument> {
        principal_trust(self.principals, i)
    }

    /// Any edge from → to (assume first, then pass).
    fn edge(&self, from: usize, to: usize) -> Option<Edge> {
        if from == to || !self.is_role(to) {
            return None;
        }
        self.assume(from, to).or_else(|| self.pass(from, to))
    }

    /// `from` can assume role `to`: without MFA if it can, else with MFA.
    fn assume(&self, from: usize, to: usize) -> Option<Edge> {
        let p = self.principal(from)?;
        let role = self.principal(to)?;
        if !self.admits.get(to).copied().unwrap_or(false) {
            return None;
        }
        let trust = self.trust(to)?;
        // Cheap before the trust is probed: unless the trust names this principal (or
        // everyone), the principal's own policies must allow sts:AssumeRole at all.
        let probe = self.probes.get(from)?.as_ref();
        if !names_explicitly(trust, &p.arn)
            && !probe.is_some_and(|pr| pr.mentions("sts:AssumeRole"))
        {
            return None;
        }
        for mfa in [false, true] {
            let Some(named) = trust_allows(trust, p, role, mfa, self.analysis) else {
                continue;
            };
            let identity = if named {
                Some("its trust policy names it".to_string())
            } else {
                let probe = probe?;
                self.identity_answer(from, Question::Assume { mfa }, &role.arn, probe, |pr| {
                    can_assume(pr, &role.arn, mfa)
                })
                .map(|m| describe(p, m.policy, &m.statement.to_string()))
            };
            let Some(identity) = identity else {
                continue;
            };
            let how = if mfa {
                "can assume (with MFA)"
            } else {
                "can assume"
            };
            return Some(Edge {
                from,
                to,
                how: how.to_string(),
                statement: identity,
                actions: vec!["sts:AssumeRole".to_string()],
                mfa,
            });
        }
        None
    }

    /// `from` can pass role `to` to a service it can drive, and `to` trusts that service.
    fn pass(&self, from: usize, to: usize) -> Option<Edge> {
        let p = self.principal(from)?;
        let role = self.principal(to)?;
        let trusted = self.trusted.get(to)?;
        let probe = self.probes.get(from)?.as_ref()?;
        for d in self.drives.get(from)? {
            if !trusted.contains(&d.service) {
                continue;
            }
            let answer =
                self.identity_answer(from, Question::Pass(d.service), &role.arn, probe, |pr| {
                    can_pass_role(pr, &role.arn, d.service)
                });
            let Some(m) = answer else {
                continue;
            };
            let mut actions = vec!["iam:PassRole".to_string()];
            actions.extend(d.actions.iter().map(|a| a.to_string()));
            return Some(Edge {
                from,
                to,
                how: format!("can pass to {} ({}) the role", d.service, d.path),
                statement: describe(p, m.policy, &m.statement.to_string()),
                actions,
                mfa: false,
            });
        }
        None
    }
}

/// Does the trust policy allow `p` to assume `role` (MFA present or absent)? `Some(true)`
/// when the allowing statement names `p` itself (or everyone), which needs no identity
/// permission within the account.
fn trust_allows(
    trust: &PolicyDocument,
    p: &Principal,
    role: &Principal,
    mfa: bool,
    analysis: &AnalysisOptions,
) -> Option<bool> {
    let probe = Probe::for_set(
        PolicySet::identity(vec![trust]),
        Some(Caller::from_arn(&p.arn)),
        analysis,
    )?;
    let fixed = [(
        "aws:MultiFactorAuthPresent",
        if mfa { Some("true") } else { None },
    )];
    let who = RequestPrincipal::aws(p.arn.clone());
    let (_, d) = probe.find_allow_on("sts:AssumeRole", &role.arn, &fixed, Some(&who))?;
    let stmt = d.deciding.as_ref().and_then(|m| probe.statement(m))?;
    let named = stmt.principal.as_ref().is_some_and(|spec| !spec.negated)
        && names(stmt.principal.as_ref(), &PrincipalType::Aws, |v| v == p.arn);
    Some(named)
}

/// Does a Principal element name, among principals of `kind`, one that `wanted` accepts, or
/// everyone (`"*"` either way)?
fn names(
    spec: Option<&PrincipalSpec>,
    kind: &PrincipalType,
    wanted: impl Fn(&str) -> bool,
) -> bool {
    spec.is_some_and(|spec| match &spec.principals {
        Named::Any => true,
        Named::Typed(entries) => entries
            .iter()
            .any(|(k, v)| k == kind && v.iter().any(|v| v == "*" || wanted(v))),
    })
}

/// Does a statement of the trust policy name `arn` (or `*`) as an AWS principal?
fn names_explicitly(trust: &PolicyDocument, arn: &str) -> bool {
    trust
        .statements
        .iter()
        .any(|s| names(s.principal.as_ref(), &PrincipalType::Aws, |v| v == arn))
}

fn principal_trust(principals: &Principals, i: usize) -> Option<&PolicyDocument> {
    principals
        .principals
        .get(i)
        .and_then(|p| p.trust)
        .and_then(|t| principals.document(t))
}

/// Cheap, exact pre-filter: can an Allow statement of this trust policy match any principal of
/// `account`? A Principal entry names everyone (`*`), an account (`123456789012`, its
/// `:root`), or one principal by ARN; a principal of account A never matches an entry of
/// account B. `NotPrincipal`, an unknown account or an entry we cannot read count as "may".
fn admits_account(trust: &PolicyDocument, account: &str) -> bool {
    use crate::policy::Effect;
    trust.statements.iter().any(|s| {
        if s.effect != Effect::Allow {
            return false;
        }
        let Some(spec) = s.principal.as_ref() else {
            return false;
        };
        if spec.negated {
            return true;
        }
        if account.is_empty() {
            return names(Some(spec), &PrincipalType::Aws, |_| true);
        }
        names(Some(spec), &PrincipalType::Aws, |v| {
            entry_account(v).is_none_or(|a| a == account)
        })
    })
}

/// The account an AWS Principal entry belongs to: a bare account id, or the account field of
/// an ARN (`arn:aws:iam::123456789012:root`, `...:user/x`, `arn:aws:sts::...`).
fn entry_account(entry: &str) -> Option<&str> {
    if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
        return Some(entry);
    }
    let mut fields = entry.splitn(6, ':');
    (fields.next()? == "arn").then_some(())?;
    let (_partition, _service, _region) = (fields.next()?, fields.next()?, fields.next()?);
    let account = fields.next()?;
    (!account.is_empty()).then_some(account)
}

/// Does the trust policy let `service` assume the role (conditions honoured)?
fn trusts_service(trust: &PolicyDocument, service: &str, analysis: &AnalysisOptions) -> bool {
    let named = trust.statements.iter().any(|s| {
        names(s.principal.as_ref(), &PrincipalType::Service, |v| {
            v == service
        })
    });
    if !named {
        return false;
    }
    let probe = Probe::new(trust, analysis);
    let who = RequestPrincipal {
        kind: PrincipalType::Service,
        id: service.to_string(),
    };
    probe
        .find_allow_on("sts:AssumeRole", "*", &[], Some(&who))
        .is_some()
}

/// The role the first hop of a chain reaches.
fn edge_target(chain: &[Edge]) -> usize {
    chain.first().map(|e| e.to).unwrap_or(usize::MAX)
}

/// `inline policy X Statement[0]`: a statement of a principal's set, by flat policy index.
pub(super) fn describe(p: &Principal, policy: usize, statement: &str) -> String {
    let label = match p.policies.get(policy) {
        Some(h) => h.label.clone(),
        None if policy == p.policies.len() && p.boundary.is_some() => {
            "its permissions boundary".to_string()
        }
        None => "a service control policy".to_string(),
    };
    format!("{label} {statement}")
}
