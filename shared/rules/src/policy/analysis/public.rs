//! `resource-policy-public`: can anyone, or any AWS account, use the resource?
//!
//! Evaluated, not read: the probe asks the resource policy whether an *attacker* may call each
//! action its Allow statements name (wildcards and `NotAction` expanded with the catalogue, in
//! the services the policy governs), with the whole document, so a Deny cuts it back. Attackers:
//! an anonymous caller, a principal of an unrelated account (one the policy names nowhere), and,
//! for a Lambda function's permissions, a service principal acting for an unrelated account's
//! resource. The attacker's request carries the keys AWS always sends: its own identity (fixed),
//! `kms:CallerAccount` (its account), an `aws:SourceIp` outside every block the policy names
//! (a block of the whole address family, `0.0.0.0/0` or `::/0`, limits nothing), the probe's
//! time. The *limiting* keys ([`LIMITING`]: the owner's VPCs and endpoints, organisation,
//! source resources and accounts) are absent, then set to the attacker's own values: a positive
//! test of a fixed value fails both times (not public), `StringLike aws:PrincipalOrgID o-*`
//! passes the second (public). Every other key is the attacker's choice, and the probe's
//! search tries the values the policy mentions (`aws:SecureTransport`, `aws:Referer`,
//! `aws:RequestedRegion`, tags): a condition on them limits nothing.
//!
//! A service principal's grant counts as public only on a Lambda function (any account can
//! point its own bucket, topic or rule at a function ARN; Lambda's documentation asks for
//! `SourceArn`/`SourceAccount`); elsewhere a service principal is not public, as for S3 and
//! IAM Access Analyzer. Known misses, towards fewer findings: a limiting key compared with a
//! wildcard only the attacker's values above do not fit, and an allow that needs three keys
//! set at once (the probe's search).

use super::super::catalog::{catalog, AccessLevel};
use super::super::condition::{parse_cidr, OperatorKind};
use super::super::context::{PrincipalType, RequestContext, RequestPrincipal};
use super::super::document::{Effect, PolicyDocument, Principals, Statement};
use super::super::wildcard::{arn_matches, arn_parts, has_wildcard};
use super::new_access::statement_actions;
use super::probe::{ActionProfile, Probe, Search};
use super::rules::RESOURCE_POLICY_PUBLIC;
use super::trust::unrelated_account;
use super::PolicyFinding;
use crate::severity::Severity;
use std::collections::{HashMap, HashSet};

/// Keys that tie a request to the owner's network, organisation, resources or keys: an
/// unrelated attacker cannot present the owner's values.
const LIMITING: [&str; 18] = [
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    // A bucket policy that delegates to the owner's access points (S3's documented pattern).
    "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn",
    // The token an Alexa skill's permission names.
    "lambda:EventSourceToken",
];

/// Action profiles searched at most per attacker (each on at most 6 resources): bounded work
/// on any document. Above the catalogue's 445 services, so an `Allow *` (one profile per
/// service) is probed whole; a policy with more distinct statement combinations is probed on
/// the first ones (towards fewer findings).
const MAX_PROFILES: usize = 512;
/// Actions a finding lists (its message gives the count).
const MAX_SAMPLE: usize = 20;
/// Actions named in a finding's message.
const MESSAGE_SAMPLE: usize = 3;

/// Who the public is, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Anonymous,
    AnyAccount,
    /// A service principal acting for any account's resource.
    Service,
}

/// One attacker: the principal, and the keys it cannot choose (`None`: absent).
struct Attacker {
    who: Who,
    principal: RequestPrincipal,
    fixed: Vec<(String, Option<String>)>,
}

/// What was found public through one statement.
struct Exposure {
    who: Who,
    /// The service principal, for [`Who::Service`].
    service: Option<String>,
    /// Indices into the candidate actions, each once.
    actions: Vec<usize>,
    /// `seen[i]`: candidate action `i` is in `actions`.
    seen: Vec<bool>,
    resource: String,
    /// `resource` is the probe's generic one: the statement names every resource.
    generic: bool,
    /// Keys the search set beyond the attacker's first request, in words.
    chosen: Vec<String>,
}

/// The candidate actions a policy's Allow statements name, grouped by [`ActionProfile`]: every
/// action of a group gets the same answer from the search, so each attacker searches once per
/// group, not once per action (an `Allow *` names the whole catalogue, some 17,000 actions,
/// but few groups). At most [`MAX_PROFILES`] groups, the first ones.
fn profile_groups(probe: &Probe<'_>, actions: &[String]) -> Vec<Vec<usize>> {
    /// A service the policy covers uniformly ([`Probe::uniform_over`]): whether it is
    /// mentioned, its actions' profile, and its groups by the keys an action may carry (the
    /// only part of the profile that differs), so a profile of many statements is hashed
    /// once per group, not once per action.
    struct Uniform {
        mentioned: bool,
        profile: ActionProfile,
        by_keys: HashMap<Vec<bool>, Option<usize>>,
    }
    let mut index: HashMap<ActionProfile, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of =
        |profile: ActionProfile, groups: &mut Vec<Vec<usize>>| match index.get(&profile) {
            Some(g) => Some(*g),
            None if groups.len() < MAX_PROFILES => {
                index.insert(profile, groups.len());
                groups.push(Vec::new());
                Some(groups.len() - 1)
            }
            None => None,
        };
    let mut services: HashMap<String, Option<Uniform>> = HashMap::new();
    for (i, action) in actions.iter().enumerate() {
        let service = action
            .split_once(':')
            .map_or(String::new(), |(s, _)| s.to_ascii_lowercase());
        let uniform = services.entry(service).or_insert_with_key(|service| {
            probe.uniform_over(service).then(|| Uniform {
                mentioned: probe.mentions(action),
                profile: probe.action_profile(action),
                by_keys: HashMap::new(),
            })
        });
        let group = match uniform {
            Some(u) if !u.mentioned => continue,
            Some(u) => {
                let keys = probe.searchable(action);
                match u.by_keys.get(&keys) {
                    Some(g) => *g,
                    None => {
                        let profile = probe.with_searchable(&u.profile, keys.clone());
                        let g = group_of(profile, &mut groups);
                        u.by_keys.insert(keys, g);
                        g
                    }
                }
            }
            None if !probe.mentions(action) => continue,
            None => group_of(probe.action_profile(action), &mut groups),
        };
        if let Some(g) = group {
            groups[g].push(i);
        }
    }
    groups
}

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let doc = probe.doc;
    let own = probe.options.own_account.as_deref();
    let foreign = unrelated_account(probe, own);
    let actions = candidate_actions(doc);
    let groups = profile_groups(probe, &actions);
    let attackers = attackers(probe, &foreign);
    let mut exposures: HashMap<usize, Exposure> = HashMap::new();
    for attacker in &attackers {
        let fixed: Vec<(&str, Option<&str>)> = attacker
            .fixed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect();
        let search = Search {
            fixed: &fixed,
            principal: Some(&attacker.principal),
            called_via: None,
        };
        for group in &groups {
            // A service principal's grant is public only on a Lambda function.
            let members: Vec<usize> = group
                .iter()
                .copied()
                .filter(|i| attacker.who != Who::Service || is_lambda(&actions[*i]))
                .collect();
            let Some(first) = members.first() else {
                continue;
            };
            let Some(found) = find(probe, &actions[*first], &search, &fixed) else {
                continue;
            };
            for index in &found.statements {
                let e = exposures.entry(*index).or_insert_with(|| Exposure {
                    who: attacker.who,
                    service: service_of(&attacker.principal),
                    actions: Vec::new(),
                    seen: vec![false; actions.len()],
                    resource: found.resource.clone(),
                    generic: found.generic,
                    chosen: found.chosen.clone(),
                });
                if attacker.who < e.who {
                    // A worse public (anonymous over any account) replaces the example.
                    e.who = attacker.who;
                    e.service = service_of(&attacker.principal);
                    e.resource = found.resource.clone();
                    e.generic = found.generic;
                    e.chosen = found.chosen.clone();
                }
                for i in &members {
                    if !std::mem::replace(&mut e.seen[*i], true) {
                        e.actions.push(*i);
                    }
                }
            }
        }
    }
    let mut indices: Vec<usize> = exposures.keys().copied().collect();
    indices.sort_unstable();
    let mut ranks: HashMap<usize, (std::cmp::Reverse<u8>, Option<usize>)> = HashMap::new();
    indices
        .into_iter()
        .filter_map(|i| {
            let stmt = doc.statements.get(i)?;
            let e = exposures.remove(&i)?;
            Some(finding(stmt, e, &actions, &mut ranks))
        })
        .collect()
}

/// An allowed request found for one action profile.
#[derive(Clone)]
struct Found {
    /// The Allow statements (with a Principal element) that apply to it.
    statements: Vec<usize>,
    resource: String,
    /// `resource` is the probe's generic one.
    generic: bool,
    chosen: Vec<String>,
}

/// Search each plausible resource for a request of the attacker's that the policy allows.
fn find(
    probe: &Probe<'_>,
    action: &str,
    search: &Search<'_>,
    fixed: &[(&str, Option<&str>)],
) -> Option<Found> {
    for resource in probe.resources_for(action) {
        let Some((ctx, decision)) = probe.search_on(action, &resource, search) else {
            continue;
        };
        let statements: Vec<usize> = decision
            .matched
            .iter()
            .filter(|m| m.effect == Effect::Allow)
            .map(|m| m.statement.index)
            .filter(|i| {
                probe
                    .doc
                    .statements
                    .get(*i)
                    .is_some_and(|s| s.principal.is_some())
            })
            .collect();
        if statements.is_empty() {
            continue;
        }
        let start = start_request(probe, action, &resource, search, fixed);
        return Some(Found {
            statements,
            generic: resource == probe.generic_resource(action),
            resource,
            chosen: chosen_keys(&start, &ctx),
        });
    }
    None
}

/// The attacker's first request, before the search chooses anything (as `search_on` builds it).
fn start_request(
    probe: &Probe<'_>,
    action: &str,
    resource: &str,
    search: &Search<'_>,
    fixed: &[(&str, Option<&str>)],
) -> RequestContext {
    let mut ctx = probe.baseline(action, resource);
    ctx.principal = search.principal.cloned();
    for (k, v) in fixed {
        match v {
            Some(v) => ctx.set(k, vec![(*v).to_string()]),
            None => ctx.remove(k),
        }
    }
    ctx
}

/// The keys the search set, `key=value` or `key absent`.
fn chosen_keys(start: &RequestContext, found: &RequestContext) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in found.keys() {
        if start.values(k) != Some(v) {
            out.push(format!("{k}={}", v.join("|")));
        }
    }
    for (k, _) in start.keys() {
        if found.values(k).is_none() {
            out.push(format!("{k} absent"));
        }
    }
    out
}

/// The finding for one statement's exposure; `ranks` caches each candidate action's place
/// in the order (worst first), computed once however many statements list it.
fn finding(
    stmt: &Statement,
    mut e: Exposure,
    actions: &[String],
    ranks: &mut HashMap<usize, (std::cmp::Reverse<u8>, Option<usize>)>,
) -> PolicyFinding {
    e.actions.sort_by_key(|i| {
        *ranks.entry(*i).or_insert_with(|| {
            let a = &actions[*i];
            let headline = HEADLINE.iter().position(|h| h.eq_ignore_ascii_case(a));
            (std::cmp::Reverse(level_rank(a)), headline)
        })
    });
    let n = e.actions.len();
    let sample = e
        .actions
        .iter()
        .take(MESSAGE_SAMPLE)
        .map(|i| actions[*i].as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let more = match n.saturating_sub(MESSAGE_SAMPLE) {
        0 => String::new(),
        k => format!(" and {k} more"),
    };
    let who = match (e.who, &e.service) {
        (Who::Anonymous, _) => "anyone, any AWS account or anonymous,".to_string(),
        (Who::AnyAccount, _) => "any AWS account".to_string(),
        (Who::Service, Some(s)) => format!("{s} acting for any AWS account's resource"),
        (Who::Service, None) => "a service acting for any AWS account's resource".to_string(),
    };
    let keys: Vec<&str> = {
        let mut keys: Vec<&str> = Vec::new();
        for c in &stmt.conditions {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
                keys.push(&c.key);
            }
        }
        keys
    };
    let why = match (keys.is_empty(), e.who) {
        (true, Who::Service) => {
            "; no aws:SourceArn or aws:SourceAccount condition says whose resource".to_string()
        }
        (true, _) => "; no condition limits who".to_string(),
        (false, _) => format!("; its conditions on {} do not limit who", keys.join(", ")),
    };
    let example = match e.chosen.is_empty() {
        true => String::new(),
        false => format!(" (a request with {})", e.chosen.join(", ")),
    };
    let message = format!(
        "{who} can call {sample}{more} on {}{why}{example}",
        resource_words(stmt, &e.resource, e.generic)
    );
    PolicyFinding::new(
        RESOURCE_POLICY_PUBLIC,
        Severity::Critical,
        Some(stmt.reference()),
        message,
        e.actions
            .into_iter()
            .take(MAX_SAMPLE)
            .map(|i| actions[i].clone())
            .collect(),
    )
}

/// Actions a reader recognises as the exposure itself (the data read or written, the key
/// used, the function run), shown first when public; the order only, never the verdict.
const HEADLINE: [&str; 20] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:PutBucketPolicy",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "sqs:ReceiveMessage",
    "sqs:SendMessage",
    "sqs:DeleteMessage",
    "sqs:SetQueueAttributes",
    "sns:Publish",
    "sns:Subscribe",
    "sns:SetTopicAttributes",
    "lambda:InvokeFunction",
    "lambda:InvokeFunctionUrl",
    "lambda:UpdateFunctionCode",
];

/// The resource as the statement names it (its pattern that the probed resource is an instance
/// of), or "the resource" when the statement names every resource (a key policy's `*`).
fn resource_words(stmt: &Statement, probed: &str, generic: bool) -> String {
    let pattern = stmt
        .resource
        .as_ref()
        .filter(|r| !r.negated)
        .and_then(|r| r.patterns.iter().find(|p| arn_matches(p, probed)));
    match pattern {
        Some(p) if p != "*" => p.clone(),
        _ if generic => "the resource".to_string(),
        _ => probed.to_string(),
    }
}

/// The [`HEADLINE`] actions first, then permissions management, writes, reads, lists (the
/// catalogue's levels).
fn level_rank(action: &str) -> u8 {
    if HEADLINE.iter().any(|h| h.eq_ignore_ascii_case(action)) {
        return 6;
    }
    match catalog().access_level(action) {
        Some(AccessLevel::PermissionsManagement) => 5,
        Some(AccessLevel::Write) => 4,
        Some(AccessLevel::Read) => 3,
        Some(AccessLevel::List) => 2,
        Some(AccessLevel::Tagging) => 1,
        None => 0,
    }
}

fn is_lambda(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case("lambda"))
}

fn service_of(p: &RequestPrincipal) -> Option<String> {
    (p.kind == PrincipalType::Service).then(|| p.id.clone())
}

/// The actions worth asking about: every action the Allow statements with a Principal name,
/// literal names as written, wildcards and `NotAction` expanded with the catalogue within the
/// services the policy governs ([`governed_services`]; a bucket policy's `*` is about S3).
fn candidate_actions(doc: &PolicyDocument) -> Vec<String> {
    let services = governed_services(doc);
    let in_scope = |a: &str| {
        services.is_empty()
            || a.split_once(':')
                .is_some_and(|(s, _)| services.iter().any(|x| x.eq_ignore_ascii_case(s)))
    };
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |a: String, out: &mut Vec<String>| {
        if seen.insert(a.to_ascii_lowercase()) {
            out.push(a);
        }
    };
    // Statements that repeat an Action element (one per condition or principal) add nothing:
    // each distinct element is expanded once.
    let mut expanded: Vec<&super::super::document::PatternList> = Vec::new();
    for stmt in &doc.statements {
        if stmt.effect != Effect::Allow || stmt.principal.is_none() {
            continue;
        }
        if expanded.contains(&&stmt.action) {
            continue;
        }
        expanded.push(&stmt.action);
        let literal = |a: &String| {
            !stmt.action.negated
                && stmt
                    .action
                    .patterns
                    .iter()
                    .any(|p| p == a && !has_wildcard(p))
        };
        let (named, unmatched) = statement_actions(stmt);
        for a in named {
            if literal(&a) || in_scope(&a) {
                push(a, &mut out);
            }
        }
        // A wildcard of a service the catalogue lacks still grants: ask about it as written.
        for p in unmatched {
            push(p, &mut out);
        }
        if stmt.action.negated && services.is_empty() {
            push(super::admin::UNKNOWN_SERVICE_PROBE.to_string(), &mut out);
        }
    }
    out
}

/// The services whose resources the policy is about: those its Resource ARNs name, else those
/// its grants' Action patterns name (a key policy's `Resource` is `*`). Empty: unknown (an
/// `Allow *` on `*`), and every service is asked about.
fn governed_services(doc: &PolicyDocument) -> Vec<String> {
    let mut from_resources: Vec<String> = Vec::new();
    let mut from_actions: Vec<String> = Vec::new();
    let add = |s: &str, list: &mut Vec<String>| {
        let s = s.to_ascii_lowercase();
        if !s.is_empty() && !has_wildcard(&s) && !list.contains(&s) {
            list.push(s);
        }
    };
    for stmt in &doc.statements {
        if let Some(r) = stmt.resource.as_ref().filter(|r| !r.negated) {
            for p in &r.patterns {
                // A service the catalogue does not know (a template's unresolved
                // `!GetAtt X.Arn` placeholder) says nothing: the actions' services decide.
                if let Some(parts) = arn_parts(p).filter(|parts| known_service(parts[2])) {
                    add(parts[2], &mut from_resources);
                }
            }
        }
        if stmt.effect == Effect::Allow && stmt.principal.is_some() && !stmt.action.negated {
            for p in &stmt.action.patterns {
                if let Some((svc, _)) = p.split_once(':') {
                    add(svc, &mut from_actions);
                }
            }
        }
    }
    if from_resources.is_empty() {
        from_actions
    } else {
        from_resources
    }
}

/// Whether the catalogue knows the service prefix.
fn known_service(prefix: &str) -> bool {
    let prefix = prefix.to_ascii_lowercase();
    catalog().service(&prefix).is_some()
}

/// Values of `key` the policy tests with a pattern whose account (or, for an S3 bucket ARN,
/// bucket name) is a wildcard, filled in as an unrelated account `foreign` would present
/// them: `arn:aws:iam::*:role/Admin` is a role any account can create. At most 8.
fn wildcard_fills(doc: &PolicyDocument, key: &str, foreign: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let values = doc
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .flat_map(|c| c.values.iter());
    for v in values {
        let Some(parts) = arn_parts(v) else { continue };
        let s3_bucket = parts[2] == "s3" && parts[4].is_empty() && has_wildcard(parts[5]);
        if !has_wildcard(parts[4]) && !s3_bucket {
            continue;
        }
        let fill = |p: &str| p.replace(['*', '?'], "x");
        let account = if has_wildcard(parts[4]) {
            foreign.to_string()
        } else {
            parts[4].to_string()
        };
        let resource = if s3_bucket {
            format!("guardrail-probe-{foreign}")
        } else {
            fill(parts[5])
        };
        let filled = format!(
            "{}:{}:{}:{}:{account}:{resource}",
            parts[0],
            fill(parts[1]),
            fill(parts[2]),
            fill(parts[3]),
        );
        if !out.contains(&filled) {
            out.push(filled);
        }
        if out.len() >= 8 {
            break;
        }
    }
    out
}

/// The attackers, each in two variants: the limiting keys absent, then at its own values.
fn attackers(probe: &Probe<'_>, foreign: &str) -> Vec<Attacker> {
    let doc = probe.doc;
    let base = probe.baseline("probe:Probe", "*");
    let mut common: Vec<(String, Option<String>)> = vec![
        (
            "aws:SourceIp".to_string(),
            Some(outside_address(doc, "aws:SourceIp")),
        ),
        (
            "aws:ResourceAccount".to_string(),
            Some(probe.account.clone()),
        ),
    ];
    for k in ["aws:CurrentTime", "aws:EpochTime"] {
        let v = base.values(k).and_then(|v| v.first()).cloned();
        common.push((k.to_string(), v));
    }
    let with = |mut fixed: Vec<(String, Option<String>)>, limits: &[(String, Option<String>)]| {
        fixed.extend(common.iter().cloned());
        fixed.extend(limits.iter().cloned());
        fixed
    };
    let absent: Vec<(String, Option<String>)> =
        LIMITING.iter().map(|k| (k.to_string(), None)).collect();
    let own_values = |service: Option<&str>| -> Vec<(String, Option<String>)> {
        LIMITING
            .iter()
            .map(|k| (k.to_string(), attacker_value(doc, k, foreign, service)))
            .collect()
    };
    let user = format!("arn:aws:iam::{foreign}:user/guardrail-probe-attacker");
    let account_keys = vec![
        (
            "aws:PrincipalAccount".to_string(),
            Some(foreign.to_string()),
        ),
        ("aws:PrincipalArn".to_string(), Some(user.clone())),
        (
            "aws:userid".to_string(),
            Some("AIDAGUARDRAILPROBE".to_string()),
        ),
        (
            "aws:PrincipalIsAWSService".to_string(),
            Some("false".to_string()),
        ),
        ("aws:PrincipalServiceName".to_string(), None),
        ("aws:PrincipalServiceNamesList".to_string(), None),
        ("kms:CallerAccount".to_string(), Some(foreign.to_string())),
    ];
    let anonymous_keys = vec![
        ("aws:PrincipalAccount".to_string(), None),
        ("aws:PrincipalArn".to_string(), None),
        ("aws:username".to_string(), None),
        ("aws:userid".to_string(), Some("anonymous".to_string())),
        (
            "aws:PrincipalType".to_string(),
            Some("Anonymous".to_string()),
        ),
        (
            "aws:PrincipalIsAWSService".to_string(),
            Some("false".to_string()),
        ),
        ("aws:PrincipalServiceName".to_string(), None),
        ("aws:PrincipalServiceNamesList".to_string(), None),
        ("kms:CallerAccount".to_string(), None),
    ];
    let mut out = Vec::new();
    for limits in [absent.clone(), own_values(None)] {
        out.push(Attacker {
            who: Who::Anonymous,
            principal: RequestPrincipal::aws("anonymous"),
            fixed: with(anonymous_keys.clone(), &limits),
        });
        out.push(Attacker {
            who: Who::AnyAccount,
            principal: RequestPrincipal::aws(user.clone()),
            fixed: with(account_keys.clone(), &limits),
        });
    }
    // A principal ARN or source ARN pattern with a wildcard account is one the attacker can
    // present from its own account.
    for arn in wildcard_fills(doc, "aws:PrincipalArn", foreign) {
        let mut keys = account_keys.clone();
        for (k, v) in keys.iter_mut() {
            if k == "aws:PrincipalArn" {
                *v = Some(arn.clone());
            }
        }
        out.push(Attacker {
            who: Who::AnyAccount,
            principal: RequestPrincipal::aws(arn.clone()),
            fixed: with(keys, &own_values(None)),
        });
    }
    for arn in wildcard_fills(doc, "aws:SourceArn", foreign) {
        let mut limits = own_values(None);
        for (k, v) in limits.iter_mut() {
            if k == "aws:SourceArn" {
                *v = Some(arn.clone());
            }
        }
        out.push(Attacker {
            who: Who::Anonymous,
            principal: RequestPrincipal::aws("anonymous"),
            fixed: with(anonymous_keys.clone(), &limits),
        });
        out.push(Attacker {
            who: Who::AnyAccount,
            principal: RequestPrincipal::aws(user.clone()),
            fixed: with(account_keys.clone(), &limits),
        });
    }
    for service in service_principals(doc) {
        let keys = vec![
            ("aws:PrincipalAccount".to_string(), None),
            ("aws:PrincipalArn".to_string(), None),
            ("aws:username".to_string(), None),
            ("aws:userid".to_string(), None),
            ("aws:PrincipalType".to_string(), None),
            (
                "aws:PrincipalIsAWSService".to_string(),
                Some("true".to_string()),
            ),
            (
                "aws:PrincipalServiceName".to_string(),
                Some(service.clone()),
            ),
            ("kms:CallerAccount".to_string(), None),
        ];
        for limits in [absent.clone(), own_values(Some(&service))] {
            out.push(Attacker {
                who: Who::Service,
                principal: RequestPrincipal {
                    kind: PrincipalType::Service,
                    id: service.clone(),
                },
                fixed: with(keys.clone(), &limits),
            });
        }
    }
    out
}

/// Service principals named by Allow statements that grant a Lambda action.
fn service_principals(doc: &PolicyDocument) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for stmt in &doc.statements {
        if stmt.effect != Effect::Allow {
            continue;
        }
        let grants_lambda = stmt.action.negated
            || stmt.action.patterns.iter().any(|p| {
                p == "*"
                    || p.split_once(':')
                        .is_some_and(|(s, _)| s.eq_ignore_ascii_case("lambda"))
            });
        let Some(Principals::Typed(entries)) = stmt.principal.as_ref().map(|p| &p.principals)
        else {
            continue;
        };
        if !grants_lambda || stmt.principal.as_ref().is_some_and(|p| p.negated) {
            continue;
        }
        for (kind, values) in entries {
            if *kind != PrincipalType::Service {
                continue;
            }
            for v in values {
                if !out.iter().any(|s| s.eq_ignore_ascii_case(v)) {
                    out.push(v.clone());
                }
            }
        }
    }
    out
}

/// The attacker's own value of a limiting key: its organisation, VPC, endpoint, resource,
/// account or key, none of which the policy names.
fn attacker_value(
    doc: &PolicyDocument,
    key: &str,
    foreign: &str,
    service: Option<&str>,
) -> Option<String> {
    let svc = service
        .and_then(|s| s.split('.').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("sns");
    let value = match key {
        "aws:SourceVpc" => "vpc-0guardrailprobe".to_string(),
        "aws:SourceVpcArn" => format!("arn:aws:ec2:us-east-1:{foreign}:vpc/vpc-0guardrailprobe"),
        "aws:SourceVpce" => "vpce-0guardrailprobe".to_string(),
        "aws:VpcSourceIp" => outside_address(doc, key),
        "aws:PrincipalOrgID" | "aws:SourceOrgID" | "aws:VpceOrgID" => {
            "o-guardrailprobe".to_string()
        }
        "aws:PrincipalOrgPaths" | "aws:SourceOrgPaths" | "aws:VpceOrgPaths" => {
            "o-guardrailprobe/r-prob/ou-prob-guardrail/".to_string()
        }
        // S3 bucket ARNs name no account.
        "aws:SourceArn" if svc == "s3" => format!("arn:aws:s3:::guardrail-probe-{foreign}"),
        "aws:SourceArn" => format!("arn:aws:{svc}:us-east-1:{foreign}:guardrail-probe"),
        "aws:SourceAccount" | "aws:SourceOwner" | "aws:VpceAccount" => foreign.to_string(),
        "s3:DataAccessPointAccount" => foreign.to_string(),
        "s3:DataAccessPointArn" => {
            format!("arn:aws:s3:us-east-1:{foreign}:accesspoint/guardrail-probe")
        }
        "lambda:EventSourceToken" => "guardrail-probe-token".to_string(),
        "s3:x-amz-server-side-encryption-aws-kms-key-id" => {
            format!("arn:aws:kms:us-east-1:{foreign}:key/guardrail-probe")
        }
        _ => return None,
    };
    Some(value)
}

/// An address outside every block the policy tests `key` against, other than a block of a
/// whole address family: the attacker is somewhere else on the internet. When the blocks
/// cover every candidate, they cover the internet, and any address is as good.
fn outside_address(doc: &PolicyDocument, key: &str) -> String {
    let blocks: Vec<_> = doc
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .filter(|c| {
            matches!(
                c.operator.kind,
                OperatorKind::IpAddress | OperatorKind::NotIpAddress
            )
        })
        .flat_map(|c| c.values.iter().filter_map(|v| parse_cidr(v)))
        .filter(|b| b.prefix > 0)
        .collect();
    let fixed = ["198.51.100.77", "203.0.113.77", "192.0.2.77"].map(str::to_string);
    let sweep = (1u16..=223).map(|a| format!("{a}.77.77.77"));
    let v4: Vec<String> = fixed.into_iter().chain(sweep).collect();
    let v6: Vec<String> = ["2001:db8::77", "2600::77", "2a00::77", "2c0f::77"]
        .map(str::to_string)
        .to_vec();
    let covered = |a: &String| {
        a.parse()
            .is_ok_and(|ip| blocks.iter().any(|b| b.contains(ip)))
    };
    // Blocks wider than a /8 (IPv4) or a /32 (IPv6), granted by an Allow, are as good as the
    // internet: the attacker is inside one of them.
    let broad: Vec<_> = doc
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.conditions.iter())
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .filter(|c| c.operator.kind == OperatorKind::IpAddress)
        .flat_map(|c| c.values.iter().filter_map(|v| parse_cidr(v)))
        .filter(|b| b.prefix < if b.addr.is_ipv4() { 8 } else { 32 })
        .collect();
    if let Some(inside) = v4.iter().chain(v6.iter()).find(|a| {
        a.parse()
            .is_ok_and(|ip| broad.iter().any(|b| b.contains(ip)))
    }) {
        return inside.clone();
    }
    // A whole address family covered (two /1 halves) is the internet as well.
    if v4.iter().all(covered) {
        return "198.51.100.77".to_string();
    }
    if v6.iter().all(covered) {
        return "2001:db8::77".to_string();
    }
    v4.into_iter()
        .find(|a| !covered(a))
        .unwrap_or_else(|| "198.51.100.77".to_string())
}
