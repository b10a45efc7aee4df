//! Concrete-request probing: the analyses ask "is there a realistic request in which this
//! action is allowed, given that key K is absent / false?" and answer it by evaluating.
//!
//! A request starts from a *baseline*: keys that AWS sets on every API call get neutral values
//! that are unlikely to satisfy a restriction (an address in TEST-NET-2, a made-up region);
//! every other key is absent. When the baseline is not allowed, a bounded coordinate search
//! tries, key by key, the values the policy itself mentions (the network address of a CIDR,
//! a `StringLike` pattern with wildcards filled, a date one day either side, absent) and keeps
//! the value that moves the decision towards Allow. The search is at most
//! 2 passes × 16 keys × 8 values evaluations, so analysis time stays bounded on any input.
//! It can miss an allowing context that needs two keys changed at once to escape a Deny;
//! that errs towards fewer findings, never towards false "clean" *denials*.

use super::super::authorize::{decide, Caller, PolicySet, PolicyType};
use super::super::condition::{parse_cidr, parse_date, OperatorKind};
use super::super::context::{RequestContext, RequestPrincipal};
use super::super::document::Effect;
use super::super::document::{PolicyDocument, Statement};
use super::super::evaluate::{action_matches, Decision, MatchedStatement};
use super::super::variables::substitute_to_string;
use super::super::wildcard::arn_matches;
use super::action_facts;
use super::AnalysisOptions;

/// Account used for probe principals when the caller gives none.
pub const PROBE_ACCOUNT: &str = "111122223333";
/// An account that is never the caller's (an "attacker").
pub const FOREIGN_ACCOUNT: &str = "999988887777";

const MAX_KEYS: usize = 16;
const MAX_VALUES: usize = 8;
const MAX_RESOURCES: usize = 6;
const MAX_PAIR_KEYS: usize = 6;
const MAX_PAIR_VALUES: usize = 4;

/// Keys AWS sets on every authenticated request, with neutral baseline values.
fn always_present(account: &str) -> Vec<(&'static str, String)> {
    vec![
        ("aws:SourceIp", "198.51.100.77".to_string()),
        ("aws:RequestedRegion", "xx-probe-1".to_string()),
        ("aws:CurrentTime", "2026-01-15T12:00:00Z".to_string()),
        ("aws:EpochTime", "1768478400".to_string()),
        ("aws:SecureTransport", "true".to_string()),
        ("aws:ViaAWSService", "false".to_string()),
        ("aws:PrincipalIsAWSService", "false".to_string()),
        ("aws:username", "probe-user".to_string()),
        ("aws:userid", "AIDAPROBEUSER".to_string()),
        ("aws:PrincipalType", "User".to_string()),
        ("aws:PrincipalAccount", account.to_string()),
        (
            "aws:PrincipalArn",
            format!("arn:aws:iam::{account}:user/probe-user"),
        ),
    ]
}

/// A probe over one document, or over every policy of one principal ([`Probe::for_set`]).
pub struct Probe<'a> {
    /// The document the document-level rules read (trust, validation): the only one for
    /// [`Probe::new`], the first identity policy for a principal's set.
    pub doc: &'a PolicyDocument,
    /// Every policy a request is decided against.
    pub set: PolicySet<'a>,
    /// The principal the requests are made as, when the set is a principal's.
    pub caller: Option<Caller>,
    pub account: String,
    pub options: &'a AnalysisOptions,
    /// Condition keys (lower-case) and the values worth trying.
    candidates: Vec<(String, Vec<Option<String>>)>,
}

impl<'a> Probe<'a> {
    pub fn new(doc: &'a PolicyDocument, options: &'a AnalysisOptions) -> Self {
        Self::build(doc, PolicySet::identity(vec![doc]), None, options)
    }

    /// A probe over a principal's policies: identity policies (at least one: `None` when there
    /// are none, since nothing can then be allowed), boundary, session policies and SCPs.
    /// Requests are made as `caller`, so its keys (`aws:PrincipalArn`, `aws:username`, ...)
    /// replace the probe's neutral ones.
    pub fn for_set(
        set: PolicySet<'a>,
        caller: Option<Caller>,
        options: &'a AnalysisOptions,
    ) -> Option<Self> {
        let doc = *set.identity.first()?;
        Some(Self::build(doc, set, caller, options))
    }

    fn build(
        doc: &'a PolicyDocument,
        set: PolicySet<'a>,
        caller: Option<Caller>,
        options: &'a AnalysisOptions,
    ) -> Self {
        let account = options
            .own_account
            .clone()
            .unwrap_or_else(|| PROBE_ACCOUNT.to_string());
        let mut probe = Probe {
            doc,
            set,
            caller,
            account,
            options,
            candidates: Vec::new(),
        };
        let documents: Vec<&PolicyDocument> = probe.set.documents().map(|(_, d)| d).collect();
        probe.add_candidates(&documents);
        probe
    }

    /// Also try the condition values `doc` mentions (within the same bounds), without deciding
    /// against it: a comparison of two policies searches the new one with the old one's
    /// values too, where the two differ.
    pub fn add_candidates_of(&mut self, doc: &PolicyDocument) {
        self.add_candidates(&[doc]);
    }

    /// The keys the statements of `docs` test, each with the values worth trying.
    fn add_candidates(&mut self, docs: &[&PolicyDocument]) {
        let baseline = RequestContext::new("probe:Probe", "*");
        let base_ctx = apply_baseline(baseline, &self.account, self.caller.as_ref());
        let always: Vec<String> = always_present(&self.account)
            .into_iter()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        let candidates = &mut self.candidates;
        for stmt in docs.iter().flat_map(|d| d.statements.iter()) {
            for c in &stmt.conditions {
                let key = c.key.to_ascii_lowercase();
                let idx = match candidates.iter().position(|(k, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        if candidates.len() >= MAX_KEYS {
                            continue;
                        }
                        let mut init = Vec::new();
                        if !always.contains(&key) {
                            init.push(None);
                        }
                        if let Some(v) = base_ctx.values(&key).and_then(|v| v.first()) {
                            init.push(Some(v.clone()));
                        }
                        candidates.push((key.clone(), init));
                        candidates.len() - 1
                    }
                };
                let Some((_, vals)) = candidates.get_mut(idx) else {
                    continue;
                };
                for v in &c.values {
                    for cand in candidate_values(c.operator.kind, v, &base_ctx) {
                        if vals.len() < MAX_VALUES && !vals.contains(&Some(cand.clone())) {
                            vals.push(Some(cand));
                        }
                    }
                }
                if vals.len() < MAX_VALUES && !vals.contains(&Some("zz-probe-other".into())) {
                    vals.push(Some("zz-probe-other".to_string()));
                }
            }
        }
    }

    /// The condition keys (lower-case) this probe searches, each with the values worth trying
    /// (`None`: absent).
    pub(crate) fn candidates(&self) -> &[(String, Vec<Option<String>>)] {
        &self.candidates
    }

    /// The request a search starts from: the baseline, the request principal, the forced keys.
    fn start(&self, action: &str, resource: &str, search: &Search<'_>) -> RequestContext {
        let mut ctx = self.baseline(action, resource);
        ctx.principal = search.principal.cloned();
        for (k, v) in search.fixed {
            match v {
                Some(v) => ctx.set(k, vec![(*v).to_string()]),
                None => ctx.remove(k),
            }
        }
        ctx
    }

    /// The baseline request for an action on a resource.
    pub fn baseline(&self, action: &str, resource: &str) -> RequestContext {
        apply_baseline(
            RequestContext::new(action, resource),
            &self.account,
            self.caller.as_ref(),
        )
    }

    pub fn eval(&self, ctx: &RequestContext) -> Decision {
        decide(&self.set, self.caller.as_ref(), ctx)
    }

    /// The statement a match refers to (its policy is a flat index into [`Probe::set`]).
    pub fn statement(&self, m: &MatchedStatement) -> Option<&'a Statement> {
        let (_, doc) = self.set.document(m.policy)?;
        doc.statements.get(m.statement.index)
    }

    /// A resource ARN that a `*` pattern (and nothing more specific) matches.
    pub fn generic_resource(&self, action: &str) -> String {
        let svc = action.split_once(':').map(|(s, _)| s).unwrap_or("probe");
        format!(
            "arn:aws:{svc}:us-east-1:{}:probe-resource/probe",
            self.account
        )
    }

    /// Resources worth trying for `action`: instances of the Resource patterns of the Allow
    /// statements that name the action, or a generic ARN.
    pub fn resources_for(&self, action: &str) -> Vec<String> {
        let base = self.baseline(action, "*");
        let generic = self.generic_resource(action);
        let mut out: Vec<String> = Vec::new();
        let push = |r: String, out: &mut Vec<String>| {
            if out.len() < MAX_RESOURCES && !out.contains(&r) {
                out.push(r);
            }
        };
        for stmt in self.allow_statements_for(action) {
            match &stmt.resource {
                None => push(generic.clone(), &mut out),
                Some(list) if list.negated => {
                    let alt = format!("arn:aws:probe:eu-west-1:{}:other/probe-2", self.account);
                    for r in [generic.clone(), alt] {
                        if !list.patterns.iter().any(|p| arn_matches(p, &r)) {
                            push(r, &mut out);
                            break;
                        }
                    }
                }
                Some(list) => {
                    for p in &list.patterns {
                        if p == "*" {
                            push(generic.clone(), &mut out);
                        } else if let Some(s) = substitute_to_string(p, &base) {
                            push(s.replace(['*', '?'], "x"), &mut out);
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            out.push(generic);
        }
        out
    }

    /// Identity-policy statements (every identity policy of the set), in order.
    pub fn identity_statements(&self) -> impl Iterator<Item = &'a Statement> + '_ {
        self.set
            .documents()
            .filter(|(t, _)| *t == PolicyType::Identity)
            .flat_map(|(_, d)| d.statements.iter())
    }

    /// Identity Allow statements whose Action/NotAction covers `action`.
    pub fn allow_statements_for<'s>(
        &'s self,
        action: &'s str,
    ) -> impl Iterator<Item = &'a Statement> + 's {
        self.set
            .documents()
            .filter(|(t, _)| *t == PolicyType::Identity)
            .flat_map(move |(_, d)| d.statements_for(action))
            .filter(move |s| s.effect == Effect::Allow && action_matches(&s.action, action))
    }

    /// Which of the statements covering `action` (every policy of the set, in order) apply to
    /// `resource` by their Resource element; `None` when one holds a policy variable.
    ///
    /// Two resources with the same signature get the same decision in every context: the
    /// request keys never depend on the resource, and nothing else in the decision reads it.
    /// Callers asking about many resources (the graph, one role after another) ask once per
    /// signature.
    pub fn resource_signature(&self, action: &str, resource: &str) -> Option<Vec<bool>> {
        if self.set.resource.is_some() {
            return None; // its account and Principal element read the resource too
        }
        let mut bits = Vec::new();
        for (_, s) in self.covering(action) {
            if s.uses_variables() {
                return None;
            }
            bits.push(
                s.resource.as_ref().is_none_or(|r| {
                    r.patterns.iter().any(|p| arn_matches(p, resource)) != r.negated
                }),
            );
        }
        Some(bits)
    }

    /// What a search for `action` reads that depends on the action: the statements covering it
    /// (flat policy index, statement index, in order), its service (the generic resource
    /// names it) and the request keys it carries. Two actions with the same profile get the
    /// same answer from [`Probe::find_allow`] with the same forced keys: no policy variable or
    /// condition key names the action, so nothing else in the search can tell them apart.
    /// The MFA rule asks about 150 sensitive actions, which `iam:*` covers with one statement.
    ///
    /// The service is left out when every covering statement matches every resource (no
    /// Resource element, or `*` among its patterns): then no resource, the generic one
    /// included, can change a decision, and an `Allow *` is one profile instead of one per
    /// service (445 searches of the same question: `resource-policy-public` on a VPC-endpoint
    /// policy of `Action: *` took 150 ms on a full core, two seconds at 128 MB).
    pub fn action_profile(&self, action: &str) -> ActionProfile {
        let mut every_resource = true;
        let covering = self
            .covering(action)
            .map(|(flat, s)| {
                every_resource &= s
                    .resource
                    .as_ref()
                    .is_none_or(|r| !r.negated && r.patterns.iter().any(|p| p == "*"));
                (flat, s.index)
            })
            .collect();
        let service = if every_resource {
            String::new()
        } else {
            action
                .split_once(':')
                .map(|(s, _)| s.to_ascii_lowercase())
                .unwrap_or_default()
        };
        ActionProfile {
            covering,
            service,
            searchable: self.searchable(action),
        }
    }

    /// Which of the keys the policy tests ([`Probe::search_on`]'s candidates, in order) a
    /// request for `action` can carry: the only way the keys an action carries reach a search,
    /// so two actions that differ only in keys no condition names share a profile.
    pub fn searchable(&self, action: &str) -> Vec<bool> {
        let carried = action_facts::request_keys(action);
        self.candidates
            .iter()
            .map(|(k, _)| carried.is_none_or(|keys| action_facts::carries(keys, k)))
            .collect()
    }

    /// Whether every action of `service` is covered by the same statements: each Action or
    /// NotAction pattern of the set names the whole service (`*`, `svc:*`) or, literally,
    /// another one. Then [`Probe::mentions`] and [`Probe::action_profile`] (but for the keys
    /// an action carries, [`Probe::with_searchable`]) are the same for all its actions, and one
    /// computation serves them all: an `Allow *` names some 17,000 actions.
    pub fn uniform_over(&self, service: &str) -> bool {
        let whole_or_other = |p: &String| {
            p == "*"
                || p.split_once(':').is_some_and(|(svc, rest)| {
                    if svc.eq_ignore_ascii_case(service) {
                        rest == "*"
                    } else {
                        !svc.contains(['*', '?'])
                    }
                })
        };
        self.set
            .documents()
            .flat_map(|(_, d)| d.statements.iter())
            .all(|s| s.action.patterns.iter().all(whole_or_other))
    }

    /// `profile` (another action's of the same service, [`Probe::uniform_over`] it) for an
    /// action whose [`Probe::searchable`] keys are `searchable`: the only part that can differ.
    pub fn with_searchable(&self, profile: &ActionProfile, searchable: Vec<bool>) -> ActionProfile {
        ActionProfile {
            searchable,
            ..profile.clone()
        }
    }

    /// The statements of every policy of the set whose Action/NotAction covers `action`, with
    /// the flat index of their policy, in order: all a decision on `action` can read.
    fn covering<'s>(
        &'s self,
        action: &'s str,
    ) -> impl Iterator<Item = (usize, &'a Statement)> + 's {
        self.set
            .documents()
            .enumerate()
            .flat_map(move |(flat, (_, doc))| doc.statements_for(action).map(move |s| (flat, s)))
            .filter(move |(_, s)| action_matches(&s.action, action))
    }

    /// Is there an Allow statement naming the action at all? (Cheap pre-filter.)
    pub fn mentions(&self, action: &str) -> bool {
        self.allow_statements_for(action).next().is_some()
    }

    /// Search for a context in which `action` on some plausible resource is allowed, with the
    /// `fixed` keys forced (`None` = absent).
    pub fn find_allow(
        &self,
        action: &str,
        fixed: &[(&str, Option<&str>)],
        principal: Option<&RequestPrincipal>,
    ) -> Option<(RequestContext, Decision)> {
        if !self.mentions(action) {
            return None;
        }
        let search = Search {
            fixed,
            principal,
            called_via: None,
        };
        self.resources_for(action)
            .into_iter()
            .find_map(|r| self.search_on(action, &r, &search))
    }

    /// As [`Probe::find_allow`] for one resource.
    pub fn find_allow_on(
        &self,
        action: &str,
        resource: &str,
        fixed: &[(&str, Option<&str>)],
        principal: Option<&RequestPrincipal>,
    ) -> Option<(RequestContext, Decision)> {
        let search = Search {
            fixed,
            principal,
            called_via: None,
        };
        self.search_on(action, resource, &search)
    }

    /// Search for a context in which `action` on `resource` is allowed.
    ///
    /// Only keys the caller can choose are searched: a key the action's request never carries
    /// (per-action condition keys of [`action_facts`], known for the escalation catalogue's
    /// actions) stays absent, and `aws:CalledVia*` takes only the values `search.called_via`
    /// allows. First a coordinate search (one key at a time, 2 passes × [`MAX_KEYS`] keys ×
    /// [`MAX_VALUES`] values); when that fails, every pair of the keys that the statements
    /// naming the action test ([`MAX_PAIR_KEYS`] keys, [`MAX_PAIR_VALUES`] values each: at most
    /// 15 × 16 = 240 more evaluations), for a grant that needs two keys at once (e.g.
    /// `aws:CalledVia` with `aws:ResourceAccount`); only keys of an Allow statement that tests two
    /// keys or more take part, since only such a statement needs two at once.
    pub fn search_on(
        &self,
        action: &str,
        resource: &str,
        search: &Search<'_>,
    ) -> Option<(RequestContext, Decision)> {
        let mut ctx = self.start(action, resource, search);
        let d = self.eval(&ctx);
        if d.is_allowed() {
            return Some((ctx, d));
        }
        let carried = action_facts::request_keys(action);
        let tested = self.keys_tested_for(action);
        let free: Vec<(&str, Vec<Option<&str>>)> = self
            .candidates
            .iter()
            .filter(|(k, _)| tested.as_ref().is_none_or(|t| t.contains(k)))
            .filter(|(k, _)| !search.fixed.iter().any(|(f, _)| f.eq_ignore_ascii_case(k)))
            .filter(|(k, _)| carried.is_none_or(|keys| action_facts::carries(keys, k)))
            .map(|(k, values)| {
                let values = values
                    .iter()
                    .map(|v| v.as_deref())
                    .filter(|v| search.value_allowed(k, *v))
                    .collect();
                (k.as_str(), values)
            })
            .collect();
        if free.is_empty() {
            return None;
        }
        let start = ctx.clone();
        let mut best = score(&d);
        for _pass in 0..2 {
            for (key, values) in &free {
                let current: Option<Vec<String>> = ctx.values(key).map(|v| v.to_vec());
                let mut best_value = current.clone();
                for v in values.iter() {
                    set_key(&mut ctx, key, *v);
                    let d = self.eval(&ctx);
                    if d.is_allowed() {
                        return Some((ctx, d));
                    }
                    let s = score(&d);
                    if s > best {
                        best = s;
                        best_value = v.map(|v| vec![v.to_string()]);
                    }
                }
                match best_value {
                    Some(v) => ctx.set(key, v),
                    None => ctx.remove(key),
                }
            }
        }
        self.search_pairs(action, start, &free)
    }

    /// The condition keys (lower-case) that the statements covering `action`, in every policy
    /// of the set, test; `None` when one of them holds a policy variable (any key may then
    /// matter). Why: a key no such statement reads cannot change the decision, so searching
    /// it only repeats the same evaluation (most of the cost of asking about an action that
    /// a principal is not allowed).
    pub(crate) fn keys_tested_for(&self, action: &str) -> Option<Vec<String>> {
        let mut keys: Vec<String> = Vec::new();
        for (_, s) in self.covering(action) {
            if s.uses_variables() {
                return None;
            }
            for c in &s.conditions {
                let key = c.key.to_ascii_lowercase();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        Some(keys)
    }

    /// Pairs of keys, from the request the coordinate search started from (see
    /// [`Probe::search_on`] for the bound).
    fn search_pairs(
        &self,
        action: &str,
        mut ctx: RequestContext,
        free: &[(&str, Vec<Option<&str>>)],
    ) -> Option<(RequestContext, Decision)> {
        let relevant: Vec<&(&str, Vec<Option<&str>>)> = free
            .iter()
            .filter(|(k, _)| self.tested_for(action, k))
            .take(MAX_PAIR_KEYS)
            .collect();
        if relevant.len() < 2 {
            return None;
        }
        for (i, (k1, v1s)) in relevant.iter().enumerate() {
            for (k2, v2s) in relevant.iter().skip(i + 1) {
                let before = (
                    ctx.values(k1).map(<[_]>::to_vec),
                    ctx.values(k2).map(<[_]>::to_vec),
                );
                for v1 in v1s.iter().take(MAX_PAIR_VALUES) {
                    set_key(&mut ctx, k1, *v1);
                    for v2 in v2s.iter().take(MAX_PAIR_VALUES) {
                        set_key(&mut ctx, k2, *v2);
                        let d = self.eval(&ctx);
                        if d.is_allowed() {
                            return Some((ctx, d));
                        }
                    }
                }
                restore(&mut ctx, k1, before.0);
                restore(&mut ctx, k2, before.1);
            }
        }
        None
    }

    /// Does an Allow statement that names `action` and tests two keys or more test `key`
    /// (lower-case)? Only such a statement can need two keys set at once.
    fn tested_for(&self, action: &str, key: &str) -> bool {
        self.allow_statements_for(action)
            .filter(|s| {
                s.conditions
                    .iter()
                    .skip(1)
                    .any(|c| !c.key.eq_ignore_ascii_case(&s.conditions[0].key))
            })
            .any(|s| s.conditions.iter().any(|c| c.key.eq_ignore_ascii_case(key)))
    }
}

/// See [`Probe::action_profile`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionProfile {
    covering: Vec<(usize, usize)>,
    service: String,
    searchable: Vec<bool>,
}

/// What a [`Probe::search_on`] may choose.
pub struct Search<'s> {
    /// Keys forced to a value (`None` = absent), never searched.
    pub fixed: &'s [(&'s str, Option<&'s str>)],
    pub principal: Option<&'s RequestPrincipal>,
    /// The services (`cloudformation.amazonaws.com`, ...) whose `aws:CalledVia*` the caller may
    /// present; `None`: any value the policy mentions.
    pub called_via: Option<&'s [&'s str]>,
}

impl Search<'_> {
    fn value_allowed(&self, key: &str, value: Option<&str>) -> bool {
        let Some(services) = self.called_via else {
            return true;
        };
        if !key.starts_with("aws:calledvia") {
            return true;
        }
        match value {
            None => true,
            Some(v) => services.iter().any(|s| s.eq_ignore_ascii_case(v)),
        }
    }
}

fn set_key(ctx: &mut RequestContext, key: &str, value: Option<&str>) {
    match value {
        Some(v) => ctx.set(key, vec![v.to_string()]),
        None => ctx.remove(key),
    }
}

fn restore(ctx: &mut RequestContext, key: &str, value: Option<Vec<String>>) {
    match value {
        Some(v) => ctx.set(key, v),
        None => ctx.remove(key),
    }
}

fn apply_baseline(
    mut ctx: RequestContext,
    account: &str,
    caller: Option<&Caller>,
) -> RequestContext {
    for (k, v) in always_present(account) {
        ctx.set(k, vec![v]);
    }
    if let Some(c) = caller {
        // The caller's own identity replaces the probe's: a role session has no username.
        for k in [
            "aws:username",
            "aws:PrincipalArn",
            "aws:PrincipalType",
            "aws:PrincipalAccount",
        ] {
            ctx.remove(k);
        }
        c.fill_request_keys(&mut ctx);
    }
    ctx
}

/// Higher is closer to Allow: an Allow statement matches, and fewer Deny statements do.
fn score(d: &Decision) -> i64 {
    let allows = d
        .matched
        .iter()
        .filter(|m| m.effect == Effect::Allow)
        .count() as i64;
    let denies = d
        .matched
        .iter()
        .filter(|m| m.effect == Effect::Deny)
        .count() as i64;
    (allows.min(1) * 100) - denies
}

/// Values worth trying for one policy value under one operator.
fn candidate_values(kind: OperatorKind, value: &str, base: &RequestContext) -> Vec<String> {
    use OperatorKind as K;
    match kind {
        K::IpAddress | K::NotIpAddress => parse_cidr(value)
            .map(|c| vec![c.network().to_string()])
            .unwrap_or_default(),
        K::NumericEquals
        | K::NumericNotEquals
        | K::NumericLessThan
        | K::NumericLessThanEquals
        | K::NumericGreaterThan
        | K::NumericGreaterThanEquals => match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => vec![
                value.to_string(),
                (n + 1.0).to_string(),
                (n - 1.0).to_string(),
            ],
            _ => Vec::new(),
        },
        K::DateEquals
        | K::DateNotEquals
        | K::DateLessThan
        | K::DateLessThanEquals
        | K::DateGreaterThan
        | K::DateGreaterThanEquals => match parse_date(value) {
            Some(t) => vec![
                value.to_string(),
                format!("{}", (t + 86_400.0) as i64),
                format!("{}", (t - 86_400.0) as i64),
            ],
            None => Vec::new(),
        },
        K::Bool => vec!["true".to_string(), "false".to_string()],
        K::Null | K::Unknown | K::BinaryEquals => vec![value.to_string()],
        _ => match substitute_to_string(value, base) {
            Some(s) => vec![s.replace(['*', '?'], "x")],
            None => Vec::new(),
        },
    }
}
