//! `iam-permissions-unused`: services (and actions) a broad principal is granted but has not
//! used in N days, from IAM's service last-accessed data.
//!
//! Only principals that need it are read: the ones the effective-access judgement of the same
//! sweep found admin or able to become admin, and the ones holding a whole-service grant
//! (`svc:*`). Each read costs IAM a report job (GenerateServiceLastAccessedDetails) and a few
//! reads (GetServiceLastAccessedDetails), so a sweep reads at most GUARDRAIL_USAGE_PRINCIPALS
//! of them and the rest rotate into later sweeps.
//!
//! The sweep judges in two steps: [`SWEEP`] (in `sweep::run`) names the principals to read in
//! [`Swept::usage_lookups`] and marks the rule unjudged; the adapters read their reports into
//! [`SweepFacts::last_accessed`] and [`judge_read`] (`sweep::judge_usage`) judges them.

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::access::{AuditMatrix, PrincipalKind, Principals};
use crate::finding::ResourceRef;
use crate::mode::Mode;
use crate::policy::analysis::{service_wildcards, AnalysisOptions};
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{self, SweepFacts, Swept};
use crate::usage::LastAccessed;
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    id: "iam-permissions-unused",
    title: "Permissions granted but not used",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "Sweep: for each user or role that is admin, can become admin or holds a \
             whole-service grant (`svc:*`), IAM's service last-accessed data \
             (GenerateServiceLastAccessedDetails at action level, then \
             GetServiceLastAccessedDetails): the services it is granted and has not used for \
             GUARDRAIL_UNUSED_DAYS days (default 90) before the report, and the tracked actions \
             of services it did use that it has not. Medium for an admin or a principal that \
             can become one, low otherwise. At most GUARDRAIL_USAGE_PRINCIPALS principals \
             (default 20; 0 reads none) per sweep, the rest in later sweeps; service-linked, \
             exempt and the guardrail's own roles are not read.",
    rationale: "Seeds 001 (§5) and 003: review and remove unused permissions, with last-accessed \
                information. A broad grant nobody uses is pure risk: whoever steals the \
                principal gets it all, and nothing the principal does needs it.",
    remediation: "Replace the principal's policies with a narrowed one: `guardrail scan \
                   --last-accessed-dir DIR` saves each report with the principal's policies, \
                   and `guardrail suggest-policy --last-accessed DIR/<principal>/last-accessed.json \
                   DIR/<principal>/policy-*.json` writes a policy that keeps what was used and \
                   proves it grants nothing new. Alert only: nothing is changed.",
    anchors: &[
        "IAM Access Analyzer unused access: UnusedPermission",
        "IAM last accessed information (access advisor)",
    ],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::LAST_ACCESSED,
        steps: &[],
    }],
    per_event: false,
};

/// Services and actions named in a finding's reason before "and N more".
const NAMED: usize = 12;

/// Why a principal's use is worth reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breadth {
    Admin,
    AdminReachable,
    /// The services it is granted whole (`s3:*` on every resource, unconditionally).
    ServiceWildcard(Vec<String>),
}

impl Breadth {
    fn words(&self) -> String {
        match self {
            Breadth::Admin => "an administrator".to_string(),
            Breadth::AdminReachable => "able to become an administrator".to_string(),
            Breadth::ServiceWildcard(s) => format!("granted {} whole", s.join(", ")),
        }
    }

    fn severity(&self) -> Severity {
        match self {
            Breadth::Admin | Breadth::AdminReachable => Severity::Medium,
            Breadth::ServiceWildcard(_) => Severity::Low,
        }
    }
}

/// A principal whose last-accessed data the sweep reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLookup {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub breadth: Breadth,
}

/// What the adapters read, by principal ARN: the report, or why there is none.
pub type UsageReads = BTreeMap<String, Result<LastAccessed, String>>;

/// What a report shows granted and not used since the cut-off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unused {
    /// Services in the report not authenticated to since the cut-off.
    pub services: Vec<String>,
    /// `svc:Action`: tracked actions, of services used since the cut-off, not accessed since.
    pub actions: Vec<String>,
    /// Services in the report.
    pub granted: usize,
}

impl Unused {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.actions.is_empty()
    }
}

/// What a report shows unused since `cutoff` (seconds since the epoch). IAM's report lists the
/// services the principal's policies allow; a service with no `LastAuthenticated` was not used
/// in IAM's tracking period.
pub fn unused(report: &LastAccessed, cutoff: f64) -> Unused {
    let since = |t: Option<f64>| t.is_some_and(|t| t >= cutoff);
    let mut out = Unused {
        granted: report.services.len(),
        ..Unused::default()
    };
    for s in &report.services {
        if !since(s.last_authenticated) {
            out.services.push(s.namespace.clone());
            continue;
        }
        for a in s.tracked_actions.iter().flatten() {
            if !since(a.last_accessed) {
                out.actions.push(format!("{}:{}", s.namespace, a.name));
            }
        }
    }
    out
}

/// The broad principals of a sweep, in the order they are read: admins, then those that can
/// become admin, then whole-service grants, each by ARN. Exempt, service-linked and guardrail
/// roles are left out.
pub fn candidates(
    facts: &SweepFacts,
    matrix: &AuditMatrix,
    settings: &Settings,
) -> Vec<UsageLookup> {
    let own_role = |arn: &str| {
        facts
            .iam
            .roles
            .iter()
            .find(|r| r.arn == arn)
            .is_some_and(|r| {
                sweep::is_guardrail_role(settings, r)
                    || r.path
                        .starts_with(super::iam_role_unused::SERVICE_LINKED_PATH)
            })
    };
    let mut out: Vec<UsageLookup> = Vec::new();
    let mut others = Vec::new();
    for row in &matrix.principals {
        let p = &row.principal;
        if row.exempt || own_role(&p.arn) {
            continue;
        }
        let breadth = if p.admin {
            Breadth::Admin
        } else if p.admin_reachable {
            Breadth::AdminReachable
        } else {
            others.push(p.arn.as_str());
            continue;
        };
        out.push(UsageLookup {
            kind: p.kind,
            name: p.name.clone(),
            arn: p.arn.clone(),
            breadth,
        });
    }
    if !others.is_empty() {
        out.extend(wildcard_holders(facts, &others));
    }
    out.sort_by(|a, b| {
        rank(&a.breadth)
            .cmp(&rank(&b.breadth))
            .then(a.arn.cmp(&b.arn))
    });
    out
}

fn rank(b: &Breadth) -> u8 {
    match b {
        Breadth::Admin => 0,
        Breadth::AdminReachable => 1,
        Breadth::ServiceWildcard(_) => 2,
    }
}

/// Of `arns`, the principals whose identity policies grant a whole service, each document
/// analysed once (thousands of principals share a few hundred policies).
fn wildcard_holders(facts: &SweepFacts, arns: &[&str]) -> Vec<UsageLookup> {
    let principals = Principals::build(&facts.iam, &facts.account, &|_| None);
    let options = AnalysisOptions {
        own_account: Some(facts.account.clone()),
        ..AnalysisOptions::default()
    };
    let mut per_document: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for p in principals
        .principals
        .iter()
        .filter(|p| arns.contains(&p.arn.as_str()))
    {
        let mut services: Vec<String> = Vec::new();
        for held in &p.policies {
            let found = per_document.entry(held.document).or_insert_with(|| {
                principals
                    .document(held.document)
                    .map(|doc| service_wildcards(doc, &options))
                    .unwrap_or_default()
            });
            for s in found.iter() {
                if !services.contains(s) {
                    services.push(s.clone());
                }
            }
        }
        if !services.is_empty() {
            services.sort();
            out.push(UsageLookup {
                kind: p.kind,
                name: p.name.clone(),
                arn: p.arn.clone(),
                breadth: Breadth::ServiceWildcard(services),
            });
        }
    }
    out
}

/// At most `budget` of `all`, a different slice each day (`now` in seconds since the epoch),
/// so every broad principal is read within `all / budget` days.
pub fn select(all: Vec<UsageLookup>, budget: u32, now: i64) -> Vec<UsageLookup> {
    let budget = budget as usize;
    if all.len() <= budget {
        return all;
    }
    let day = usize::try_from(now.max(0) / 86_400).unwrap_or(0);
    let start = day.wrapping_mul(budget) % all.len();
    all.iter()
        .cycle()
        .skip(start)
        .take(budget)
        .cloned()
        .collect()
}

/// The first step, in the sweep's registry: name the principals to read. Nothing is reported
/// until the reports are read ([`judge_read`]), so the rule stays unjudged until then.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        if super::enabled(&META, settings).is_none() {
            return;
        }
        if facts.last_accessed.is_some() {
            judge_read(facts, settings, out);
            return;
        }
        out.unjudged_rules.push(META.id);
        let Some(matrix) = &out.matrix else {
            out.notes.push(format!(
                "{}: not judged: effective access was not judged (every iam-principal-* rule \
                 is off), so no principal is known to be broad",
                META.id
            ));
            return;
        };
        let all = candidates(facts, matrix, settings);
        if settings.usage_principals == 0 {
            out.notes.push(format!(
                "{}: not judged: GUARDRAIL_USAGE_PRINCIPALS is 0 ({} broad principals not read)",
                META.id,
                all.len()
            ));
            return;
        }
        let total = all.len();
        let selected = select(all, settings.usage_principals, facts.now);
        if selected.len() < total {
            out.notes.push(format!(
                "{}: {} of {total} broad principals read this sweep \
                 (GUARDRAIL_USAGE_PRINCIPALS={}); the others in later sweeps",
                META.id,
                selected.len(),
                settings.usage_principals
            ));
        }
        out.usage_lookups = selected;
    },
};

/// The second step: judge the reports read for [`Swept::usage_lookups`]. The rule counts as
/// judged when every principal broad enough to read was read.
pub fn judge_read(facts: &SweepFacts, settings: &Settings, out: &mut Swept) {
    let Some((meta, mode)) = super::enabled(&META, settings) else {
        return;
    };
    let Some(reads) = &facts.last_accessed else {
        return;
    };
    let mut complete = !out
        .notes
        .iter()
        .any(|n| n.starts_with(META.id) && n.contains("later sweeps"));
    let lookups = std::mem::take(&mut out.usage_lookups);
    for lookup in &lookups {
        let report = match reads.get(&lookup.arn) {
            Some(Ok(report)) => report,
            Some(Err(why)) => {
                complete = false;
                out.notes.push(format!(
                    "{}: {} {}: last-accessed data not read: {why}",
                    META.id,
                    lookup.kind.as_str(),
                    lookup.name
                ));
                continue;
            }
            None => {
                complete = false;
                out.notes.push(format!(
                    "{}: {} {}: last-accessed data not read",
                    META.id,
                    lookup.kind.as_str(),
                    lookup.name
                ));
                continue;
            }
        };
        if report.truncated {
            complete = false;
            out.notes.push(format!(
                "{}: {} {}: the report was truncated: services may be missing",
                META.id,
                lookup.kind.as_str(),
                lookup.name
            ));
        }
        let end = report.completed.unwrap_or(facts.now as f64);
        let cutoff = end - f64::from(settings.unused_days) * 86_400.0;
        let found = unused(report, cutoff);
        if found.is_empty() {
            continue;
        }
        let mut finding = sweep::sweep_finding(
            facts,
            meta,
            mode,
            resource(lookup),
            reason(lookup, &found, settings.unused_days),
            Vec::new(),
            settings,
        );
        finding.severity = lookup.breadth.severity();
        out.findings.push(finding);
    }
    out.usage_lookups = lookups;
    if complete {
        out.unjudged_rules.retain(|r| *r != META.id);
    } else if !out.unjudged_rules.contains(&META.id) {
        out.unjudged_rules.push(META.id);
    }
}

fn resource(lookup: &UsageLookup) -> ResourceRef {
    ResourceRef {
        kind: lookup.kind.resource_type(),
        id: lookup.name.clone(),
        arn: lookup.arn.clone(),
    }
}

/// `a, b, c and 4 more`.
fn listed(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(NAMED).map(String::as_str).collect();
    match items.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The finding's reason.
pub fn reason(lookup: &UsageLookup, found: &Unused, days: u32) -> String {
    let mut parts = Vec::new();
    if !found.services.is_empty() {
        parts.push(format!(
            "{} of the {} services it is granted were not used in the last {days} days ({})",
            found.services.len(),
            found.granted,
            listed(&found.services)
        ));
    }
    if !found.actions.is_empty() {
        parts.push(format!(
            "{} tracked actions of the services it did use were not ({})",
            found.actions.len(),
            listed(&found.actions)
        ));
    }
    format!(
        "IAM {} {} is {}, and {}. Narrow it to what it uses: `guardrail scan \
         --last-accessed-dir DIR`, then `guardrail suggest-policy`",
        lookup.kind.as_str(),
        lookup.name,
        lookup.breadth.words(),
        parts.join("; ")
    )
}
