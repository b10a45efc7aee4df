//! The decision: explicit Deny > Allow > implicit deny, with an explanation.
//!
//! Evaluation is over a set of identity policies (all attached to one principal). Statement
//! order does not matter to IAM; the *explanation* names the first matching Deny (or, if none,
//! the first matching Allow) in document order so the output is stable.

use super::condition::EvalEnv;
use super::context::{PrincipalType, RequestContext, RequestPrincipal};
use super::document::{
    Effect, PatternList, PolicyDocument, PrincipalSpec, Principals, Statement, StatementRef,
};
use super::variables::{has_variable, substitute, Substituted};
use super::wildcard::{arn_matches, glob, matches};
use serde::Serialize;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    Allow,
    ExplicitDeny,
    /// No statement allowed the request.
    ImplicitDeny,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "Allow",
            Verdict::ExplicitDeny => "ExplicitDeny",
            Verdict::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// A statement that matched the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedStatement {
    /// Index of the policy in the slice given to [`evaluate`].
    pub policy: usize,
    pub statement: StatementRef,
    pub effect: Effect,
}

/// Result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// The statement that decided: the first matching Deny, else the first matching Allow;
    /// `None` for an implicit deny.
    pub deciding: Option<MatchedStatement>,
    /// Every statement that matched, in policy then statement order.
    pub matched: Vec<MatchedStatement>,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }
}

/// Evaluate a request against a set of policies.
pub fn evaluate(policies: &[&PolicyDocument], request: &RequestContext) -> Decision {
    let mut matched = Vec::new();
    for (pi, doc) in policies.iter().enumerate() {
        for stmt in doc.statements_for(&request.action) {
            if statement_applies(doc, stmt, request) {
                matched.push(MatchedStatement {
                    policy: pi,
                    statement: stmt.reference(),
                    effect: stmt.effect,
                });
            }
        }
    }
    let deny = matched.iter().find(|m| m.effect == Effect::Deny).cloned();
    let (verdict, deciding) = match deny {
        Some(d) => (Verdict::ExplicitDeny, Some(d)),
        None => match matched.iter().find(|m| m.effect == Effect::Allow).cloned() {
            Some(a) => (Verdict::Allow, Some(a)),
            None => (Verdict::ImplicitDeny, None),
        },
    };
    Decision {
        verdict,
        deciding,
        matched,
    }
}

/// Does one statement apply to the request (action, resource, principal and all conditions)?
///
/// A statement with a policy variable that cannot be resolved for this request does not apply
/// at all, whatever its negations: "If AWS cannot resolve a variable this might cause the
/// entire statement to be invalid" (IAM User Guide, "IAM policy elements: Variables and
/// tags"). Treating only the one pattern as "not matching" would let `NotResource` or
/// `StringNotEquals` turn the missing value into a match: `Allow iam:* NotResource
/// user/${aws:username}` would allow everything to a role session, which has no username.
pub fn statement_applies(doc: &PolicyDocument, stmt: &Statement, request: &RequestContext) -> bool {
    applies_whoever_asks(doc, stmt, request)
        && principal_matches(stmt.principal.as_ref(), request.principal.as_ref())
}

/// [`statement_applies`] without the Principal element: for callers that match the principal
/// themselves (the resource-based policy of [`super::authorize`] tells *how* it names the
/// caller).
pub fn applies_whoever_asks(
    doc: &PolicyDocument,
    stmt: &Statement,
    request: &RequestContext,
) -> bool {
    let vars = doc.variables_enabled();
    action_matches(&stmt.action, &request.action)
        && !(vars && has_unresolved_variable(stmt, request))
        && resource_matches(stmt.resource.as_ref(), request, vars)
        && conditions_match(stmt, request, vars)
}

/// Does the statement reference a policy variable this request cannot resolve, in a place
/// the decision consults? Resource/NotResource patterns always are; a condition's values only
/// when its key is present (an absent key is decided without them: `...IfExists`, negated
/// operators, `ForAllValues`).
pub fn has_unresolved_variable(stmt: &Statement, request: &RequestContext) -> bool {
    if !stmt.uses_variables {
        return false;
    }
    let unresolved = |p: &String| {
        has_variable(p) && matches!(substitute(p, request, false), Substituted::Unresolved)
    };
    if let Some(list) = &stmt.resource {
        if list.patterns.iter().any(unresolved) {
            return true;
        }
    }
    stmt.conditions.iter().any(|c| {
        c.operator.kind.takes_variables()
            && request.values(&c.key).is_some_and(|v| !v.is_empty())
            && c.values.iter().any(unresolved)
    })
}

/// Conditions of a statement, AND'ed.
pub fn conditions_match(stmt: &Statement, request: &RequestContext, vars: bool) -> bool {
    let env = EvalEnv {
        ctx: request,
        variables: vars,
    };
    stmt.conditions.iter().all(|c| c.matches(&env))
}

/// Action names are case-insensitive; `*` and `?` are wildcards.
pub fn action_matches(list: &PatternList, action: &str) -> bool {
    let is_match = |i: &usize| list.patterns.get(*i).is_some_and(|p| glob(p, action, true));
    let hit = match list.services.candidates(action, list.patterns.len()) {
        Some(mut positions) => positions.any(|i| is_match(&i)),
        None => list.patterns.iter().any(|p| glob(p, action, true)),
    };
    hit != list.negated
}

/// Resource / NotResource against the request resource. Variables are substituted when the
/// document version allows them; an unresolved variable makes that pattern not match.
pub fn resource_matches(list: Option<&PatternList>, request: &RequestContext, vars: bool) -> bool {
    let Some(list) = list else {
        return true;
    };
    let hit = list
        .patterns
        .iter()
        .any(|p| resource_pattern_matches(p, request, vars));
    hit != list.negated
}

fn resource_pattern_matches(pattern: &str, request: &RequestContext, vars: bool) -> bool {
    if !vars {
        return arn_matches(pattern, &request.resource);
    }
    match substitute(pattern, request, true) {
        Substituted::Plain => arn_matches(pattern, &request.resource),
        Substituted::Unresolved => false,
        // After substitution the tokens are matched against the whole ARN; the part-wise rule
        // matters only for `*` crossing `:` which variables do not introduce.
        Substituted::Tokens(t) => matches(&t[..], &request.resource, false),
    }
}

/// Principal / NotPrincipal. A request without a principal is not checked against Principal
/// (identity-policy evaluation); a statement without Principal matches any principal.
pub fn principal_matches(
    spec: Option<&PrincipalSpec>,
    principal: Option<&RequestPrincipal>,
) -> bool {
    let (Some(spec), Some(principal)) = (spec, principal) else {
        return true;
    };
    let hit = match &spec.principals {
        Principals::Any => true,
        Principals::Typed(entries) => entries.iter().any(|(kind, values)| {
            *kind == principal.kind
                && values
                    .iter()
                    .any(|v| principal_value_matches(kind, v, principal))
        }),
    };
    hit != spec.negated
}

fn principal_value_matches(
    kind: &PrincipalType,
    value: &str,
    principal: &RequestPrincipal,
) -> bool {
    if value == "*" {
        return true;
    }
    match kind {
        PrincipalType::Aws => {
            // An account id or `:root` ARN stands for every principal of that account.
            let is_account = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
                || value.ends_with(":root");
            if is_account {
                return account_part(value) == account_part(&principal.id);
            }
            value == principal.id
        }
        _ => value.eq_ignore_ascii_case(&principal.id),
    }
}

/// The account part of an account id or ARN (may be a placeholder like `ACCOUNT-B-ID`).
fn account_part(id: &str) -> Option<&str> {
    if !id.contains(':') {
        return Some(id);
    }
    super::wildcard::arn_parts(id)
        .map(|p| p[4])
        .filter(|a| !a.is_empty())
}
