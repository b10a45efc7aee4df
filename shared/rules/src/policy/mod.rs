//! The IAM policy engine: parse, evaluate and analyse IAM policy documents with the real IAM
//! semantics (conditions included), where text-matching linters guess.
//!
//! - [`PolicyDocument::parse`] — raw or URL-encoded JSON to a typed model, precise errors.
//! - [`evaluate`] — explicit Deny > Allow > implicit deny, with the deciding statement.
//! - [`analyze`] — findings (admin wildcard, MFA, privilege escalation, open trust, ...), each
//!   decided by evaluating concrete requests rather than by matching text.
//! - [`catalog()`] — the generated action catalogue (access levels, wildcard expansion).
//!
//! See docs/policy-engine.md for what is and is not implemented.

pub mod analysis;
pub mod authorize;
pub mod catalog;
pub mod condition;
pub mod context;
pub mod document;
pub mod evaluate;
pub mod parse_error;
pub mod url_decode;
pub mod variables;
pub mod wildcard;

pub use analysis::{
    analyze, analyze_for_alerts, analyze_public, analyze_trust, check_region_enforcement,
    AnalysisOptions, PolicyFinding, PolicyKind,
};
pub use authorize::{
    authorize, decide, Authorization, Caller, CallerKind, Grant, PolicySet, PolicyType,
    ResourcePolicy,
};
pub use catalog::{catalog, AccessLevel, ActionLookup, Catalog};
pub use condition::{Condition, Operator, OperatorKind, SetQualifier};
pub use context::{PrincipalType, RequestContext, RequestPrincipal};
pub use document::{
    Effect, PatternList, PolicyDocument, PrincipalSpec, Principals, Statement, StatementRef,
    MAX_DOCUMENT_BYTES,
};
pub use evaluate::{evaluate, statement_applies, Decision, MatchedStatement, Verdict};
pub use parse_error::PolicyParseError;
