//! Effective access: principals, not documents.
//!
//! A user or role is what an attacker uses and what a security team asks about: who is
//! effectively an administrator, who can become one, who can act without MFA. The answer
//! needs every policy IAM consults for the principal's requests (its own and its groups'
//! policies, AWS managed ones included, its permissions boundary, the account's SCPs) decided
//! together ([`crate::policy::authorize`]), and the principals connected (who can assume or
//! pass whom, [`graph`]).
//!
//! - [`Principals::build`] — users and roles from GetAccountAuthorizationDetails' facts.
//! - [`judge`] — the `iam-principal-*` rules over them, and the audit matrix.
//! - [`AuditMatrix`] — that matrix and the paths found, as both HTML reports draw it.
//!
//! The same code serves the sweep (the account-sweep function and `guardrail scan`) and
//! `guardrail access FILE` (an exported account file).

pub mod graph;
mod judge;
mod matrix;
mod principal;

pub use judge::{
    enabled_rules, judge, AccessOptions, AccessReport, PrincipalFinding, PrincipalRef,
    PrincipalSummary, ADMIN, ADMIN_REACHABLE, SENSITIVE_WITHOUT_MFA,
};
pub use matrix::{AuditMatrix, MatrixPath, MatrixRow};
pub use principal::{HeldPolicy, PolicyLookup, Principal, PrincipalKind, Principals};
