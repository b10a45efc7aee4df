//! "No new access": does a new policy allow a request that the old one does not?
//!
//! IAM Access Analyzer's `CheckNoNewAccess` answers this question with a paid call. Here it
//! is answered locally, by evaluating concrete requests against both policies: every action
//! an Allow statement of the new policy names (wildcards expanded with the action catalogue,
//! `NotAction` as every catalogue action it leaves out), on resources instantiated from both
//! policies' Resource patterns, in a context searched for the new policy to allow. A request
//! the new policy allows and the old one does not is an example of new access, shown as it
//! was evaluated, so every example is a fact of the engine, not a guess.
//!
//! When the old policy allows the request found first, each condition key the old policy
//! tests for the action is forced, in turn, to each value worth trying (absent included),
//! and the search runs again: that finds the new access of a widened condition (a second
//! CIDR, a dropped MFA requirement). Actions whose decisions cannot differ
//! ([`Probe::action_profile`] equal in both policies) are searched once.
//!
//! Bounded: at most [`MAX_FORCED_KEYS`] × [`MAX_FORCED_VALUES`] forced searches per
//! resource, each bounded as [`Probe::search_on`] is. It can miss new access that needs
//! several keys at values neither policy mentions; an example it gives is always real.

use super::super::catalog::{catalog, AccessLevel};
use super::super::document::{Effect, PolicyDocument, Statement, StatementRef};
use super::super::evaluate::{action_matches, Verdict};
use super::super::wildcard::has_wildcard;
use super::super::{PolicySet, RequestContext};
use super::probe::{ActionProfile, Probe, Search};
use super::{AnalysisOptions, PolicyFinding};
use crate::rules::iam_policy_new_access::META;
use crate::severity::Severity;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Condition keys forced, per resource, when the first request found is allowed by both.
const MAX_FORCED_KEYS: usize = 8;
/// Values tried per forced key.
const MAX_FORCED_VALUES: usize = 6;

/// One request the new policy allows and the old one does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleRequest {
    pub action: String,
    pub resource: String,
    /// The request's condition keys where they differ from the probe's neutral baseline
    /// (`null`: the key is absent from the request).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Option<Vec<String>>>,
    /// The new policy's statement that allows it (flat index into the new policies, then the
    /// statement).
    pub allowed_by: Option<StatementRef>,
    /// How the old policies decide the same request.
    pub old_verdict: Verdict,
    /// The old policies' statement that denies it explicitly, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<StatementRef>,
}

impl ExampleRequest {
    /// The context keys in words, `key=value` (values joined by `|`) or `key absent`: the
    /// CLI's example lines and iam-guard's alert write them the same way.
    pub fn context_words(&self) -> Vec<String> {
        self.context
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={}", v.join("|")),
                None => format!("{k} absent"),
            })
            .collect()
    }
}

/// The answer: every action with new access, each with one example request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// One example per action. The easily missed ones first: actions the old policy allows
    /// too, somewhere (a widened resource or condition, a removed Deny), then by access level
    /// (permissions management first), then in the order the new policy names them.
    pub added: Vec<ExampleRequest>,
    /// How many actions the new policy's Allow statements name (after expansion).
    pub actions_probed: usize,
    /// Action patterns of the new policy that match no catalogue action (a newer service or
    /// a typo): probed only as written, so access they add to actions the catalogue lacks is
    /// not seen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_patterns: Vec<String>,
}

impl Comparison {
    /// No request allowed by the new policies is denied by the old ones (as far as probed).
    pub fn no_new_access(&self) -> bool {
        self.added.is_empty()
    }

    /// The most sensitive access level among the added actions (catalogue levels).
    pub fn highest_level(&self) -> Option<AccessLevel> {
        self.added
            .iter()
            .filter_map(|e| catalog().access_level(&e.action))
            .max_by_key(|l| level_rank(*l))
    }
}

/// Examples a finding carries (the count and every action are in its message and actions).
const MAX_EXAMPLES: usize = 20;

impl Comparison {
    /// The `iam-policy-new-access` finding, or `None` when nothing is added. `old` names the
    /// old policy in the message (a file name, `the previous default version`).
    pub fn finding(&self, old: &str) -> Option<PolicyFinding> {
        let first = self.added.first()?;
        let severity = match self.highest_level() {
            Some(AccessLevel::PermissionsManagement) => Severity::High,
            _ => META.severity,
        };
        let n = self.added.len();
        let message = format!(
            "allows {n} action{} that {old} does not, e.g. {} on {}",
            if n == 1 { "" } else { "s" },
            first.action,
            first.resource
        );
        let mut f = PolicyFinding::new(
            META.id,
            severity,
            first.allowed_by.clone(),
            message,
            self.added.iter().map(|e| e.action.clone()).collect(),
        );
        f.requests = self.added.iter().take(MAX_EXAMPLES).cloned().collect();
        Some(f)
    }
}

fn level_rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::List => 0,
        AccessLevel::Read => 1,
        AccessLevel::Tagging => 2,
        AccessLevel::Write => 3,
        AccessLevel::PermissionsManagement => 4,
    }
}

/// Which requests do the `new` identity policies allow that the `old` ones do not?
/// Both sides are sets (a principal's policies); either may be a single document.
pub fn new_access(
    old: &[&PolicyDocument],
    new: &[&PolicyDocument],
    options: &AnalysisOptions,
) -> Comparison {
    let (Some(mut new_probe), Some(mut old_probe)) = (
        Probe::for_set(PolicySet::identity(new.to_vec()), None, options),
        Probe::for_set(PolicySet::identity(old.to_vec()), None, options),
    ) else {
        // No new policy allows nothing; with no old policy, everything new is new access:
        // compare against an empty document so the search still runs.
        return match new.is_empty() {
            true => Comparison::default(),
            false => new_access(&[&PolicyDocument::default()], new, options),
        };
    };
    // Each side searches with the other's values too: where they differ is where new access
    // hides (the old policy's CIDR against the new one's).
    for doc in old {
        new_probe.add_candidates_of(doc);
    }
    for doc in new {
        old_probe.add_candidates_of(doc);
    }
    let (actions, unknown_patterns) = actions_allowed_by(new);
    let mut out = Comparison {
        actions_probed: actions.len(),
        unknown_patterns,
        ..Comparison::default()
    };
    // Actions with the same profile in both policies get the same answer: search once.
    let mut answers: HashMap<(ActionProfile, ActionProfile), Option<ExampleRequest>> =
        HashMap::new();
    for action in &actions {
        let key = (
            new_probe.action_profile(action),
            old_probe.action_profile(action),
        );
        let example = answers
            .entry(key)
            .or_insert_with(|| example_for(&new_probe, &old_probe, action));
        if let Some(e) = example {
            // Same profile, same service: the example's resource stands for this action too.
            out.added.push(ExampleRequest {
                action: action.clone(),
                ..e.clone()
            });
        }
    }
    out.added.sort_by_key(|e| {
        let level = catalog().access_level(&e.action).map_or(0, level_rank);
        (!old_probe.mentions(&e.action), std::cmp::Reverse(level))
    });
    out
}

/// The actions the Allow statements of `docs` name: literal names as written, wildcards and
/// `NotAction` expanded with the catalogue; and the wildcard patterns that matched nothing.
fn actions_allowed_by(docs: &[&PolicyDocument]) -> (Vec<String>, Vec<String>) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut actions = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for stmt in docs.iter().flat_map(|d| d.statements.iter()) {
        if stmt.effect != Effect::Allow {
            continue;
        }
        let (named, unmatched) = statement_actions(stmt);
        actions.extend(
            named
                .into_iter()
                .filter(|a| seen.insert(a.to_ascii_lowercase())),
        );
        for p in unmatched {
            if !unknown.contains(&p) {
                unknown.push(p);
            }
        }
    }
    (actions, unknown)
}

/// The actions one statement names: literal names as written, wildcards and `NotAction`
/// expanded with the catalogue (no duplicates); and its wildcard patterns that match no
/// catalogue action.
pub fn statement_actions(stmt: &Statement) -> (Vec<String>, Vec<String>) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut actions = Vec::new();
    let mut unknown = Vec::new();
    let mut push = |a: String, actions: &mut Vec<String>| {
        if seen.insert(a.to_ascii_lowercase()) {
            actions.push(a);
        }
    };
    if stmt.action.negated {
        for (a, _) in catalog().all_actions() {
            if action_matches(&stmt.action, &a) {
                push(a, &mut actions);
            }
        }
        return (actions, unknown);
    }
    for p in &stmt.action.patterns {
        if has_wildcard(p) {
            let expanded = catalog().expand(p);
            if expanded.is_empty() {
                unknown.push(p.clone());
            }
            for a in expanded {
                push(a, &mut actions);
            }
        } else {
            push(p.clone(), &mut actions);
        }
    }
    (actions, unknown)
}

/// One request for `action` that `new` allows and `old` does not, if the search finds one.
fn example_for(new: &Probe<'_>, old: &Probe<'_>, action: &str) -> Option<ExampleRequest> {
    if !new.mentions(action) {
        return None;
    }
    let mut resources = new.resources_for(action);
    for r in old.resources_for(action) {
        if !resources.contains(&r) {
            resources.push(r);
        }
    }
    let free = Search {
        fixed: &[],
        principal: None,
        called_via: None,
    };
    // The keys the old policies test for this action, with the values worth trying.
    let forced: Vec<(&str, Vec<Option<&str>>)> = {
        let tested = old.keys_tested_for(action);
        old.candidates()
            .iter()
            .filter(|(k, _)| tested.as_ref().is_none_or(|t| t.contains(k)))
            .take(MAX_FORCED_KEYS)
            .map(|(k, vs)| {
                let values = vs
                    .iter()
                    .take(MAX_FORCED_VALUES)
                    .map(|v| v.as_deref())
                    .collect();
                (k.as_str(), values)
            })
            .collect()
    };
    for resource in &resources {
        let Some((ctx, _)) = new.search_on(action, resource, &free) else {
            continue;
        };
        if let Some(e) = witness(new, old, &ctx) {
            return Some(e);
        }
        for (key, values) in &forced {
            for value in values {
                let fixed = [(*key, *value)];
                let search = Search {
                    fixed: &fixed,
                    principal: None,
                    called_via: None,
                };
                if let Some((ctx, _)) = new.search_on(action, resource, &search) {
                    if let Some(e) = witness(new, old, &ctx) {
                        return Some(e);
                    }
                }
            }
        }
    }
    None
}

/// The example, when `ctx` (allowed by `new`) is not allowed by `old`.
fn witness(new: &Probe<'_>, old: &Probe<'_>, ctx: &RequestContext) -> Option<ExampleRequest> {
    let new_decision = new.eval(ctx);
    let old_decision = old.eval(ctx);
    if !new_decision.is_allowed() || old_decision.is_allowed() {
        return None;
    }
    let baseline = new.baseline(&ctx.action, &ctx.resource);
    let mut context = BTreeMap::new();
    for (k, v) in ctx.keys() {
        if baseline.values(k) != Some(v) {
            context.insert(k.to_string(), Some(v.to_vec()));
        }
    }
    for (k, _) in baseline.keys() {
        if ctx.values(k).is_none() {
            context.insert(k.to_string(), None);
        }
    }
    Some(ExampleRequest {
        action: ctx.action.clone(),
        resource: ctx.resource.clone(),
        context,
        allowed_by: new_decision.deciding.map(|m| m.statement),
        old_verdict: old_decision.verdict,
        denied_by: old_decision
            .deciding
            .filter(|_| old_decision.verdict == Verdict::ExplicitDeny)
            .map(|m| m.statement),
    })
}
