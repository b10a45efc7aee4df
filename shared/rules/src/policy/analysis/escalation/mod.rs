//! `iam-policy-privilege-escalation`: the catalogue's paths ([`paths`]) a policy, or a
//! principal's policies, grant.
//!
//! A path is granted when *every* permission is allowed in some probe request:
//! - on an ARN of the resource type IAM authorizes the action on ([`super::action_facts`]): a
//!   typed placeholder, and the statements' own patterns that are of that type;
//! - with the attacker's choice of the keys the path names (`iam:PolicyARN` =
//!   AdministratorAccess then IAMFullAccess, `iam:PassedToService` = the service the role is
//!   passed to), set on the permission they belong to only;
//! - with other keys searched among the values the policy mentions, except keys the action's
//!   request never carries, and `aws:CalledVia` of a service that is not the path's.
//!
//! Severity: high when a deciding statement of a *target* permission (the role passed, the user
//! whose key is created, ...) reaches arbitrary targets (no Resource, NotResource, or a wildcard
//! or variable in the resource part of the pattern that granted it); medium when every target is
//! a named resource. A `*` in the region or account field alone names nothing broader: the
//! resource part still names the role.
//!
//! One finding per deciding statement (the statement of the path's first target permission),
//! listing every path id it opens.

mod paths;

pub use paths::{paths, Category, EscalationPath, Permission};

use super::super::context::RequestContext;
use super::super::evaluate::{Decision, MatchedStatement};
use super::super::variables::substitute_to_string;
use super::super::wildcard::{arn_matches, arn_parts};
use super::action_facts;
use super::probe::{Probe, Search};
use super::rules::PRIVILEGE_ESCALATION;
use super::PolicyFinding;
use crate::severity::Severity;

/// A path that the probe's policies grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedPath {
    pub path: &'static EscalationPath,
    /// The deciding statement of each permission, in the path's order.
    pub statements: Vec<MatchedStatement>,
    /// A target permission reaches arbitrary targets (see the module documentation).
    pub broad: bool,
}

impl GrantedPath {
    pub fn severity(&self) -> Severity {
        if self.broad {
            Severity::High
        } else {
            Severity::Medium
        }
    }

    /// The statement the path is reported on: its first target permission's.
    pub fn reported_statement(&self) -> Option<&MatchedStatement> {
        self.path
            .permissions
            .iter()
            .zip(&self.statements)
            .find(|(p, _)| p.target)
            .or_else(|| self.path.permissions.iter().zip(&self.statements).next())
            .map(|(_, m)| m)
    }
}

/// Most resources tried per permission.
const MAX_RESOURCES: usize = 6;

/// A permission, the keys its search may set, and the allowing request if one was found.
type Found<'p> = (
    &'p Permission,
    Vec<String>,
    Option<(RequestContext, Decision)>,
);

/// Every catalogue path the probe's policies grant.
pub fn granted_paths(probe: &Probe<'_>) -> Vec<GrantedPath> {
    let mut out = Vec::new();
    // Paths share permissions (PassRole to Lambda, CreateFunction, ...): each distinct search
    // runs once, so more paths do not multiply the work. Cheap pre-filter first: an action no
    // Allow statement names cannot be allowed (the documents' service index answers it).
    let mut mentioned: Vec<(&str, bool)> = Vec::new();
    let mut found: Vec<Found<'_>> = Vec::new();
    'paths: for path in paths() {
        for a in path.actions() {
            let m = match mentioned.iter().find(|(x, _)| *x == a) {
                Some((_, m)) => *m,
                None => {
                    let m = probe.mentions(a);
                    mentioned.push((a, m));
                    m
                }
            };
            if !m {
                continue 'paths;
            }
        }
        let called_via = called_via(path);
        let mut statements = Vec::with_capacity(path.permissions.len());
        let mut broad = false;
        let mut any_target = false;
        for perm in path.permissions {
            let cached = found
                .iter()
                .position(|(p, via, _)| same_search(p, perm) && *via == called_via);
            let index = match cached {
                Some(i) => i,
                None => {
                    let via: Vec<&str> = called_via.iter().map(String::as_str).collect();
                    let r = find_permission(probe, perm, &via);
                    found.push((perm, called_via.clone(), r));
                    found.len() - 1
                }
            };
            let Some((_, _, Some((ctx, d)))) = found.get(index) else {
                continue 'paths;
            };
            let d = d.clone();
            let Some(m) = d.deciding else {
                continue 'paths;
            };
            if perm.target {
                any_target = true;
                broad |= statement_is_broad(probe, &m, ctx);
            }
            statements.push(m);
        }
        if !any_target {
            broad = true;
        }
        if path.broad_only && !broad {
            continue;
        }
        out.push(GrantedPath {
            path,
            statements,
            broad,
        });
    }
    out
}

/// Do two permissions ask the same question of the probe?
fn same_search(a: &Permission, b: &Permission) -> bool {
    a.action == b.action && a.resource == b.resource && a.conditions == b.conditions
}

/// Services whose `aws:CalledVia` a caller may present on this path: the path's own.
fn called_via(path: &EscalationPath) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for perm in path.permissions {
        let svc = perm.action.split(':').next().unwrap_or("");
        let principal = format!("{svc}.amazonaws.com");
        if !out.contains(&principal) {
            out.push(principal);
        }
        for (key, values) in perm.conditions {
            if key.eq_ignore_ascii_case("iam:PassedToService") {
                out.extend(values.iter().map(|v| v.to_string()));
            }
        }
    }
    out
}

/// Is one permission allowed, on a resource of its type, with its keys chosen?
fn find_permission(
    probe: &Probe<'_>,
    perm: &Permission,
    called_via: &[&str],
) -> Option<(RequestContext, Decision)> {
    let resources = resources(probe, perm);
    let mut choices: Vec<Vec<(&str, Option<&str>)>> = vec![Vec::new()];
    for (key, values) in perm.conditions {
        let mut next = Vec::new();
        for prefix in &choices {
            for v in values.iter() {
                let mut c = prefix.clone();
                c.push((*key, Some(*v)));
                next.push(c);
            }
        }
        choices = next;
    }
    // The resources a permission names itself are AWS's own (the shell documents): they carry
    // no tags of the account's, so a condition on the resource's tags is never met there.
    if !perm.only.is_empty() {
        let untagged: Vec<(&str, Option<&str>)> = probe
            .candidates()
            .iter()
            .filter(|(k, _)| k.contains("resourcetag/"))
            .map(|(k, _)| (k.as_str(), None))
            .collect();
        for c in &mut choices {
            c.extend(untagged.iter().copied());
        }
    }
    for fixed in &choices {
        let search = Search {
            fixed,
            principal: None,
            called_via: Some(called_via),
        };
        for r in &resources {
            if let Some(found) = probe.search_on(perm.action, r, &search) {
                return Some(found);
            }
        }
    }
    None
}

/// The resources a permission is probed on: a placeholder of its resource type, then the
/// Allow statements' patterns for the action that are of that type (wildcards filled). An
/// action that takes no resource is probed on `*`, as IAM authorizes it.
fn resources(probe: &Probe<'_>, perm: &Permission) -> Vec<String> {
    if !perm.only.is_empty() {
        return perm
            .only
            .iter()
            .map(|r| r.replace("{account}", &probe.account))
            .collect();
    }
    let Some(format) = action_facts::arn_format(perm.action, perm.resource) else {
        return probe.resources_for(perm.action);
    };
    if format == "*" {
        return vec!["*".to_string()];
    }
    let of_type = action_facts::pattern(format);
    let mut out = vec![action_facts::instance(format, &probe.account)];
    let base = probe.baseline(perm.action, "*");
    for stmt in probe.allow_statements_for(perm.action) {
        let Some(list) = &stmt.resource else { continue };
        if list.negated {
            continue;
        }
        for p in &list.patterns {
            if out.len() >= MAX_RESOURCES {
                return out;
            }
            let Some(s) = substitute_to_string(p, &base) else {
                continue;
            };
            // Wildcards filled with `x`; where that leaves the type (`stack/SC-*` is not
            // `stack/*/*` with one `x`: IAM's `*` also spans `/`), a resource both patterns
            // match.
            let plain = s.replace(['*', '?'], "x");
            let r = if arn_matches(&of_type, &plain) {
                Some(plain)
            } else {
                common_instance(&s, &of_type)
            };
            if let Some(r) = r.filter(|r| !out.contains(r)) {
                out.push(r);
            }
        }
    }
    out
}

/// A resource that both the policy's pattern and the type's pattern (`*` per `${Variable}`)
/// match, part by part as IAM matches ARNs: each variable of the type takes at least one
/// character. `None` when there is none, or when a part is long or not ASCII (bounded work).
fn common_instance(policy: &str, of_type: &str) -> Option<String> {
    let (Some(p), Some(t)) = (arn_parts(policy), arn_parts(of_type)) else {
        return None;
    };
    let mut parts = Vec::with_capacity(6);
    for (p, t) in p.iter().zip(t.iter()) {
        parts.push(common_match(p, &t.replace('*', "?*"))?);
    }
    let r = parts.join(":");
    (arn_matches(policy, &r) && arn_matches(of_type, &r)).then_some(r)
}

/// Longest part [`common_match`] takes: 256² states at most.
const MAX_PART: usize = 256;

/// A string both globs (`*`, `?`, literal ASCII) match, found by a breadth-first search of
/// their product (states: positions in both); wildcards against wildcards emit `x`.
fn common_match(a: &str, b: &str) -> Option<String> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_PART || b.len() > MAX_PART || !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    let width = b.len() + 1;
    let index = |i: usize, j: usize| i * width + j;
    // For each state: the state it was reached from and the byte emitted (0: none).
    let mut from: Vec<Option<(usize, u8)>> = vec![None; (a.len() + 1) * width];
    let mut queue = std::collections::VecDeque::from([(0usize, 0usize)]);
    from[0] = Some((0, 0));
    let goal = index(a.len(), b.len());
    while let Some((i, j)) = queue.pop_front() {
        if index(i, j) == goal {
            break;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        let mut next: Vec<(usize, usize, u8)> = Vec::with_capacity(4);
        if x == Some(b'*') {
            next.push((i + 1, j, 0));
        }
        if y == Some(b'*') {
            next.push((i, j + 1, 0));
        }
        if let (Some(x), Some(y)) = (x, y) {
            match (x, y) {
                (b'*', b'*') => {}
                (b'*', b'?') => next.push((i, j + 1, b'x')),
                (b'?', b'*') => next.push((i + 1, j, b'x')),
                (b'?', b'?') => next.push((i + 1, j + 1, b'x')),
                (b'*', c) => next.push((i, j + 1, c)),
                (b'?', c) => next.push((i + 1, j + 1, c)),
                (c, b'*') => next.push((i + 1, j, c)),
                (c, b'?') => next.push((i + 1, j + 1, c)),
                (c, d) if c == d => next.push((i + 1, j + 1, c)),
                _ => {}
            }
        }
        for (ni, nj, c) in next {
            let k = index(ni, nj);
            if from.get(k).is_some_and(Option::is_none) {
                if let Some(slot) = from.get_mut(k) {
                    *slot = Some((index(i, j), c));
                }
                queue.push_back((ni, nj));
            }
        }
    }
    // Walk back from the goal.
    let mut out = Vec::new();
    let mut k = goal;
    while k != 0 {
        let (prev, c) = (*from.get(k)?)?;
        if c != 0 {
            out.push(c);
        }
        k = prev;
    }
    out.reverse();
    String::from_utf8(out).ok()
}

/// Does the statement that allowed `ctx` reach arbitrary resources of the type?
fn statement_is_broad(probe: &Probe<'_>, m: &MatchedStatement, ctx: &RequestContext) -> bool {
    let Some(stmt) = probe.statement(m) else {
        return true;
    };
    match &stmt.resource {
        None => true,
        Some(list) if list.negated => true,
        Some(list) => list
            .patterns
            .iter()
            .filter(|p| {
                // The patterns that granted this request (variables resolved as IAM would).
                substitute_to_string(p, ctx).is_none_or(|s| arn_matches(&s, &ctx.resource))
            })
            .any(|p| pattern_is_broad(p)),
    }
}

/// A pattern is broad when the name in its resource part (after the fifth `:`, past the
/// resource type's `role/` or `function:`) starts with a wildcard or a variable, or is
/// empty, or when it is not an ARN at all (`*`). A name prefix (`role/AWS-SSM-*`,
/// `stack/SC-*`) names a family of resources someone chose, not arbitrary ones; a `*` in the
/// account field alone is not broad either.
fn pattern_is_broad(p: &str) -> bool {
    let Some(resource) = p.splitn(6, ':').nth(5) else {
        return true;
    };
    let name = match resource.find(['/', ':']) {
        Some(at) => &resource[at + 1..],
        None => resource,
    };
    name.is_empty() || name.starts_with(['*', '?']) || name.starts_with("${")
}

/// The findings: one per deciding statement, naming every path id it opens.
pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let granted = granted_paths(probe);
    // (reported statement, paths), in catalogue order of the first path.
    let mut groups: Vec<(Option<&MatchedStatement>, Vec<&GrantedPath>)> = Vec::new();
    for g in &granted {
        let at = g.reported_statement();
        let key = at.map(|m| (m.policy, m.statement.index));
        match groups
            .iter_mut()
            .find(|(s, _)| s.map(|m| (m.policy, m.statement.index)) == key)
        {
            Some((_, list)) => list.push(g),
            None => groups.push((at, vec![g])),
        }
    }
    groups
        .into_iter()
        .map(|(at, list)| finding(at, &list))
        .collect()
}

fn finding(at: Option<&MatchedStatement>, list: &[&GrantedPath]) -> PolicyFinding {
    let severity = list
        .iter()
        .map(|g| g.severity())
        .max()
        .unwrap_or(Severity::Medium);
    let mut actions: Vec<String> = Vec::new();
    for g in list {
        for a in g.path.actions() {
            if !actions.iter().any(|x| x == a) {
                actions.push(a.to_string());
            }
        }
    }
    let described: Vec<String> = list
        .iter()
        .map(|g| {
            let scope = if g.broad {
                ""
            } else {
                ", named resources only"
            };
            format!(
                "{} ({} via {}{scope})",
                g.path.id,
                g.path.name,
                g.path.actions().collect::<Vec<_>>().join(" + ")
            )
        })
        .collect();
    let message = match described.as_slice() {
        [one] => format!("privilege escalation: path {one}"),
        many => format!(
            "privilege escalation: {} paths: {}",
            many.len(),
            many.join("; ")
        ),
    };
    let mut f = PolicyFinding::new(
        PRIVILEGE_ESCALATION,
        severity,
        at.map(|m| m.statement.clone()),
        message,
        actions,
    )
    .in_policy(at.map(|m| m.policy));
    f.paths = list.iter().map(|g| g.path.id).collect();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_well_formed() {
        let all = paths();
        for (i, p) in all.iter().enumerate() {
            assert!(
                all.iter().skip(i + 1).all(|q| q.id != p.id),
                "duplicate {}",
                p.id
            );
            assert!(!p.permissions.is_empty(), "{}", p.id);
            for perm in p.permissions {
                assert!(
                    action_facts::arn_format(perm.action, perm.resource).is_some(),
                    "{}: {} on {:?} is not in the action facts (rerun scripts/gen-escalation-actions.py)",
                    p.id,
                    perm.action,
                    perm.resource
                );
            }
        }
    }

    #[test]
    fn broad_patterns() {
        assert!(pattern_is_broad("*"));
        assert!(pattern_is_broad("arn:aws:iam::111122223333:role/*"));
        assert!(pattern_is_broad(
            "arn:aws:iam::111122223333:user/${aws:username}"
        ));
        assert!(!pattern_is_broad("arn:aws:iam::*:role/deployer"));
        assert!(!pattern_is_broad("arn:aws:ec2:*:*:instance/i-0123"));
        assert!(pattern_is_broad("arn:aws:lambda:*:*:function:*"));
        assert!(pattern_is_broad("arn:aws:s3:::*"));
        assert!(pattern_is_broad("arn:aws:iam::111122223333:role/*-admin"));
        // A name prefix is a family someone named.
        assert!(!pattern_is_broad("arn:aws:iam::*:role/AWS-SSM-*"));
        assert!(!pattern_is_broad("arn:aws:cloudformation:*:*:stack/SC-*"));
        assert!(!pattern_is_broad(
            "arn:aws:iam::111122223333:role/service-role/*"
        ));
    }

    #[test]
    fn a_wildcard_that_spans_slashes_still_reaches_its_type() {
        // `*` -> `x` gives stack/SC-x, which is not stack/NAME/ID.
        let r = common_instance(
            "arn:aws:cloudformation:*:*:stack/SC-*",
            "arn:*:cloudformation:*:*:stack/*/*",
        )
        .unwrap();
        assert!(r.contains(":stack/SC-"), "{r}");
        assert!(arn_matches("arn:aws:cloudformation:*:*:stack/SC-*", &r));
        assert!(arn_matches("arn:*:cloudformation:*:*:stack/*/*", &r));
        let r = common_instance(
            "arn:aws:sagemaker:*:*:*Canvas*",
            "arn:*:sagemaker:*:*:app/*/*/*/*",
        )
        .unwrap();
        assert!(r.contains("Canvas") && r.contains(":app/"), "{r}");
        // No common resource: a bucket pattern is no role.
        assert_eq!(
            common_instance("arn:aws:s3:::logs/*", "arn:*:iam::*:role/*"),
            None
        );
        // Bounded: long parts are not searched.
        let long = format!("arn:aws:iam::*:role/{}*", "a".repeat(300));
        assert_eq!(common_instance(&long, "arn:*:iam::*:role/*"), None);
    }
}
