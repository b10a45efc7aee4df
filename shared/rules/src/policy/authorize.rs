//! The complete decision for one request: every policy type IAM consults, not one document.
//!
//! [`evaluate`](super::evaluate) answers "what does this set of identity policies say?".
//! [`authorize`] answers "would AWS allow this request?", following AWS's documented policy
//! evaluation logic (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
//! evaluation logic"):
//!
//! 1. "An explicit deny in any policy overrides any allows": a matching Deny in an identity
//!    policy, the permissions boundary, a session policy, an SCP, an RCP or the resource-based
//!    policy decides at once.
//! 2. SCPs and RCPs are guardrails: when the account has them, the action must be allowed by
//!    one ("each action must be allowed by one and denied by none", our flattening of the
//!    organization's levels into one set).
//! 3. Same account, a resource-based policy can grant on its own, with the documented
//!    exceptions: "resource-based policies that grant permissions to an IAM user ARN ... are not
//!    limited by an implicit deny in an identity-based policy or permissions boundary"; a grant
//!    "to an IAM role ARN" is "limited by an implicit deny in a permissions boundary or session
//!    policy"; a grant to a role *session* ARN is not. A grant to the account (`:root` or the
//!    account id) delegates to the identity policies.
//! 4. Otherwise the identity policies must allow, and the boundary and the session policies,
//!    when present, must allow too (they cap, never grant).
//! 5. Cross-account, "both the identity-based policy of the principal and the resource-based
//!    policy of the resource must allow": a grant to the caller's account is enough on the
//!    resource side.
//!
//! Policies are addressed by a *flat index* (identity policies first, then the boundary,
//! session policies, SCPs, RCPs and the resource policy), so that [`Decision`]'s matched
//! statements keep one shape for every caller of the engine.

use super::context::{account_of, RequestContext};
use super::document::{Effect, PolicyDocument, PrincipalSpec, Principals};
use super::evaluate::{
    applies_whoever_asks, statement_applies, Decision, MatchedStatement, Verdict,
};
use crate::policy::PrincipalType;
use serde::Serialize;

/// Which kind of policy a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyType {
    Identity,
    PermissionsBoundary,
    Session,
    Scp,
    Rcp,
    ResourceBased,
}

impl PolicyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::PermissionsBoundary => "permissions-boundary",
            PolicyType::Session => "session",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::ResourceBased => "resource-based",
        }
    }
}

/// Who makes the request, as far as Principal elements and the request's keys care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub kind: CallerKind,
    /// The ARN the request is made as: the user's ARN, or the role session's
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub arn: String,
    /// For a role session: the role's IAM ARN (what `aws:PrincipalArn` carries).
    pub role_arn: Option<String>,
    pub account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallerKind {
    User,
    RoleSession,
    Root,
    /// Anything else (a federated user, a service): matched by its exact ARN only.
    Other,
}

/// Session name used when a role ARN is given where a caller is expected.
pub const DEFAULT_SESSION: &str = "guardrail-session";

impl Caller {
    /// A caller from an ARN or account id: an IAM user, a role (its session, named
    /// [`DEFAULT_SESSION`]), an assumed-role session, or an account (its root user).
    pub fn from_arn(arn: &str) -> Caller {
        let account = account_of(arn).map(str::to_string);
        let resource = arn.splitn(6, ':').nth(5).unwrap_or("");
        let is_account = arn.len() == 12 && arn.bytes().all(|b| b.is_ascii_digit());
        if is_account || (arn.starts_with("arn:") && resource == "root") {
            let acct = account.clone().unwrap_or_default();
            return Caller {
                kind: CallerKind::Root,
                arn: format!("arn:aws:iam::{acct}:root"),
                role_arn: None,
                account,
            };
        }
        let partition = arn.split(':').nth(1).unwrap_or("aws");
        let acct = account.clone().unwrap_or_default();
        if arn.contains(":iam::") && resource.starts_with("user/") {
            return Caller {
                kind: CallerKind::User,
                arn: arn.to_string(),
                role_arn: None,
                account,
            };
        }
        if arn.contains(":iam::") && resource.starts_with("role/") {
            let name = resource.rsplit('/').next().unwrap_or("");
            return Caller {
                kind: CallerKind::RoleSession,
                arn: format!("arn:{partition}:sts::{acct}:assumed-role/{name}/{DEFAULT_SESSION}"),
                role_arn: Some(arn.to_string()),
                account,
            };
        }
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            let role = rest.split('/').next().unwrap_or("");
            return Caller {
                kind: CallerKind::RoleSession,
                arn: arn.to_string(),
                role_arn: Some(format!("arn:{partition}:iam::{acct}:role/{role}")),
                account,
            };
        }
        Caller {
            kind: CallerKind::Other,
            arn: arn.to_string(),
            role_arn: None,
            account,
        }
    }

    /// The keys AWS puts in every request this caller makes, for the keys `ctx` does not set
    /// already (an explicit `--context` wins): `aws:PrincipalArn` (the role's ARN for a role
    /// session), `aws:PrincipalAccount`, `aws:PrincipalType`, and `aws:username` for an IAM
    /// user only (a role session has none, which is what makes `${aws:username}` unresolved).
    pub fn fill_request_keys(&self, ctx: &mut RequestContext) {
        let mut set = |k: &str, v: &str| {
            if ctx.values(k).is_none() {
                ctx.set(k, vec![v.to_string()]);
            }
        };
        set(
            "aws:PrincipalArn",
            self.role_arn.as_deref().unwrap_or(&self.arn),
        );
        if let Some(a) = &self.account {
            set("aws:PrincipalAccount", a);
        }
        let kind = match self.kind {
            CallerKind::User => "User",
            CallerKind::RoleSession => "AssumedRole",
            CallerKind::Root => "Account",
            CallerKind::Other => "FederatedUser",
        };
        set("aws:PrincipalType", kind);
        if self.kind == CallerKind::User {
            let name = self.arn.rsplit('/').next().unwrap_or("");
            set("aws:username", name);
        }
    }
}

/// A resource-based policy (the account that owns the resource is
/// [`PolicySet::resource_account`]).
#[derive(Debug, Clone, Copy)]
pub struct ResourcePolicy<'a> {
    pub document: &'a PolicyDocument,
}

/// Every policy that applies to one principal's requests.
#[derive(Debug, Clone, Default)]
pub struct PolicySet<'a> {
    /// Identity policies: inline, attached managed, and the groups' (for a user).
    pub identity: Vec<&'a PolicyDocument>,
    pub boundary: Option<&'a PolicyDocument>,
    /// Session policies passed when the session was created; together they cap the session.
    pub session: Vec<&'a PolicyDocument>,
    /// The account's SCPs (empty: no organization, or the management account).
    pub scps: Vec<&'a PolicyDocument>,
    /// Resource control policies that apply to the resource's account.
    pub rcps: Vec<&'a PolicyDocument>,
    pub resource: Option<ResourcePolicy<'a>>,
    /// The account that owns the resource; `None` means the caller's own.
    pub resource_account: Option<String>,
}

impl<'a> PolicySet<'a> {
    /// Identity policies only: what [`evaluate`](super::evaluate) decides.
    pub fn identity(docs: Vec<&'a PolicyDocument>) -> Self {
        PolicySet {
            identity: docs,
            ..PolicySet::default()
        }
    }

    /// Every document with its type, in flat-index order.
    pub fn documents(&self) -> impl Iterator<Item = (PolicyType, &'a PolicyDocument)> + '_ {
        let t = |ty: PolicyType| move |d: &&'a PolicyDocument| (ty, *d);
        self.identity
            .iter()
            .map(t(PolicyType::Identity))
            .chain(self.boundary.iter().map(t(PolicyType::PermissionsBoundary)))
            .chain(self.session.iter().map(t(PolicyType::Session)))
            .chain(self.scps.iter().map(t(PolicyType::Scp)))
            .chain(self.rcps.iter().map(t(PolicyType::Rcp)))
            .chain(
                self.resource
                    .iter()
                    .map(|r| (PolicyType::ResourceBased, r.document)),
            )
    }

    /// The document at a flat index, with its type.
    pub fn document(&self, index: usize) -> Option<(PolicyType, &'a PolicyDocument)> {
        self.documents().nth(index)
    }

    /// The type of the policy at a flat index.
    pub fn policy_type(&self, index: usize) -> Option<PolicyType> {
        self.document(index).map(|(t, _)| t)
    }

    fn is_identity_only(&self) -> bool {
        self.boundary.is_none()
            && self.session.is_empty()
            && self.scps.is_empty()
            && self.rcps.is_empty()
            && self.resource.is_none()
            && self.resource_account.is_none()
    }
}

/// How a resource-based policy's Allow names the caller: decides whether the grant stands on
/// its own (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// The caller's account: the identity policies must allow too.
    Account,
    /// The role behind the session: capped by the role's boundary and session policies.
    Role,
    /// The caller itself (user ARN, session ARN, or `*`): stands on its own.
    Caller,
}

/// Result of [`authorize`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Authorization {
    /// Verdict, deciding statement and every matched statement (flat policy indices).
    pub decision: Decision,
    /// The policy type that decided: the Deny's, the type whose missing Allow denied, or the
    /// type whose Allow granted.
    pub decided_by: Option<PolicyType>,
    /// How the resource-based policy named the caller, if it granted.
    pub resource_grant: Option<Grant>,
}

impl Authorization {
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }
}

/// Decide one request against every policy type of `set`. `caller` names the principal for
/// the resource-based policy's Principal element (and the cross-account check); without one,
/// a resource-based policy grants nothing and the request counts as same-account.
pub fn authorize(
    set: &PolicySet<'_>,
    caller: Option<&Caller>,
    request: &RequestContext,
) -> Authorization {
    let mut matched = Vec::new();
    let mut types = Vec::new();
    let mut grant: Option<Grant> = None;
    for (index, (ty, doc)) in set.documents().enumerate() {
        if ty == PolicyType::ResourceBased {
            continue; // below: its Principal element decides how it grants
        }
        for stmt in doc.statements_for(&request.action) {
            if statement_applies(doc, stmt, request) {
                matched.push(MatchedStatement {
                    policy: index,
                    statement: stmt.reference(),
                    effect: stmt.effect,
                });
                types.push(ty);
            }
        }
    }
    if let Some(rp) = &set.resource {
        // The resource-based policy is the last document of the flat order.
        let resource_index = set.documents().count().saturating_sub(1);
        // The Principal element is matched here, against every name the caller goes by.
        let doc = rp.document;
        for stmt in doc.statements_for(&request.action) {
            if !applies_whoever_asks(doc, stmt, request) {
                continue;
            }
            // "The NotPrincipal element with a Deny effect will always deny any IAM principal
            // that has a permissions boundary policy attached, regardless of the values
            // specified in the NotPrincipal element" (IAM User Guide, permissions boundaries).
            let boundary_quirk = stmt.effect == Effect::Deny
                && set.boundary.is_some()
                && stmt.principal.as_ref().is_some_and(|p| p.negated);
            let named = match caller {
                _ if boundary_quirk => Some(Grant::Caller),
                Some(c) => names_caller(stmt.principal.as_ref(), c),
                None => None,
            };
            let Some(named) = named else {
                continue;
            };
            if stmt.effect == Effect::Allow {
                grant = grant.max(Some(named));
            }
            matched.push(MatchedStatement {
                policy: resource_index,
                statement: stmt.reference(),
                effect: stmt.effect,
            });
            types.push(PolicyType::ResourceBased);
        }
    }
    let first = |effect: Effect, ty: Option<PolicyType>| {
        matched
            .iter()
            .zip(&types)
            .find(|(m, t)| m.effect == effect && ty.is_none_or(|ty| **t == ty))
            .map(|(m, t)| (m.clone(), *t))
    };
    let allowed_by = |ty: PolicyType| first(Effect::Allow, Some(ty)).is_some();
    let (verdict, deciding, decided_by) = 'decide: {
        if let Some((m, t)) = first(Effect::Deny, None) {
            break 'decide (Verdict::ExplicitDeny, Some(m), Some(t));
        }
        if !set.scps.is_empty() && !allowed_by(PolicyType::Scp) {
            break 'decide (Verdict::ImplicitDeny, None, Some(PolicyType::Scp));
        }
        if !set.rcps.is_empty() && !allowed_by(PolicyType::Rcp) {
            break 'decide (Verdict::ImplicitDeny, None, Some(PolicyType::Rcp));
        }
        let boundary_ok = set.boundary.is_none() || allowed_by(PolicyType::PermissionsBoundary);
        let session_ok = set.session.is_empty() || allowed_by(PolicyType::Session);
        let cap = if !boundary_ok {
            Some(PolicyType::PermissionsBoundary)
        } else if !session_ok {
            Some(PolicyType::Session)
        } else {
            None
        };
        let resource_allow = first(Effect::Allow, Some(PolicyType::ResourceBased)).map(|(m, _)| m);
        let caller_account = caller.and_then(|c| c.account.as_deref());
        let same_account = match (set.resource_account.as_deref(), caller_account) {
            (Some(r), Some(c)) => r == c,
            _ => true,
        };
        if same_account {
            match (grant, &resource_allow) {
                (Some(Grant::Caller), Some(m)) => {
                    break 'decide (
                        Verdict::Allow,
                        Some(m.clone()),
                        Some(PolicyType::ResourceBased),
                    )
                }
                (Some(Grant::Role), Some(m)) => match cap {
                    None => {
                        break 'decide (
                            Verdict::Allow,
                            Some(m.clone()),
                            Some(PolicyType::ResourceBased),
                        )
                    }
                    Some(t) => break 'decide (Verdict::ImplicitDeny, None, Some(t)),
                },
                _ => {}
            }
        } else if grant.is_none() {
            break 'decide (Verdict::ImplicitDeny, None, Some(PolicyType::ResourceBased));
        }
        let Some((identity, _)) = first(Effect::Allow, Some(PolicyType::Identity)) else {
            break 'decide (Verdict::ImplicitDeny, None, Some(PolicyType::Identity));
        };
        match cap {
            Some(t) => (Verdict::ImplicitDeny, None, Some(t)),
            None => (Verdict::Allow, Some(identity), Some(PolicyType::Identity)),
        }
    };
    Authorization {
        decision: Decision {
            verdict,
            deciding,
            matched,
        },
        decided_by,
        resource_grant: grant,
    }
}

/// Fast path for identity-only sets: exactly [`evaluate`](super::evaluate)'s answer.
pub fn decide(set: &PolicySet<'_>, caller: Option<&Caller>, request: &RequestContext) -> Decision {
    if set.is_identity_only() {
        return super::evaluate::evaluate(&set.identity, request);
    }
    authorize(set, caller, request).decision
}

/// Does a resource policy statement's Principal / NotPrincipal name the caller, and how?
fn names_caller(spec: Option<&PrincipalSpec>, caller: &Caller) -> Option<Grant> {
    let spec = spec?;
    let named = match &spec.principals {
        Principals::Any => Some(Grant::Caller),
        Principals::Typed(entries) => entries
            .iter()
            .filter(|(kind, _)| *kind == PrincipalType::Aws)
            .flat_map(|(_, values)| values.iter())
            .filter_map(|v| grant_for(v, caller))
            .max(),
    };
    if spec.negated {
        // NotPrincipal: every principal not listed. Listing the caller under any of its names
        // (or its account) excludes it.
        return match named {
            Some(_) => None,
            None => Some(Grant::Caller),
        };
    }
    named
}

fn grant_for(value: &str, caller: &Caller) -> Option<Grant> {
    if value == "*" {
        return Some(Grant::Caller);
    }
    if value == caller.arn {
        return Some(Grant::Caller);
    }
    if caller.role_arn.as_deref() == Some(value) {
        return Some(Grant::Role);
    }
    let is_account = (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()))
        || value.ends_with(":root");
    if is_account && account_of(value).is_some() && account_of(value) == caller.account.as_deref() {
        return Some(Grant::Account);
    }
    None
}
