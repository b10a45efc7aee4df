//! Condition operators: model and evaluation.
//!
//! Semantics implemented (AWS "Condition element" and "multivalued context keys" docs):
//! - Values of one key are OR'ed; keys and operators in one block are AND'ed (see evaluate.rs).
//! - Absent key: a positive operator is false; a negated operator (`StringNotEquals`,
//!   `NotIpAddress`, `ArnNotLike`, ...) is true; `...IfExists` is true; `ForAllValues:` is true
//!   (vacuous truth over the empty set); `ForAnyValue:` is false; `Null` tests presence.
//! - Present key without a set qualifier: a positive operator matches when any request value
//!   matches any policy value; a negated operator is the negation of that.
//! - `ForAnyValue:` some request value satisfies the (possibly negated) operator;
//!   `ForAllValues:` every request value does.
//! - An unknown operator never matches. That keeps evaluation total (no error path on a
//!   document IAM would have rejected); validation reports the operator instead. For a Deny
//!   statement this fails open, which is why validation reports it at medium.

mod arn;
mod boolean;
mod date;
mod ip;
mod numeric;
mod string;

pub use date::parse_date;
pub use ip::{parse_cidr, Cidr};

use super::context::RequestContext;
use serde::Serialize;

/// Base operator, without `IfExists` or a set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OperatorKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
    /// Kept so that parsing never fails on an operator we do not know.
    Unknown,
}

impl OperatorKind {
    const NAMES: [(&'static str, OperatorKind); 27] = [
        ("StringEquals", OperatorKind::StringEquals),
        ("StringNotEquals", OperatorKind::StringNotEquals),
        (
            "StringEqualsIgnoreCase",
            OperatorKind::StringEqualsIgnoreCase,
        ),
        (
            "StringNotEqualsIgnoreCase",
            OperatorKind::StringNotEqualsIgnoreCase,
        ),
        ("StringLike", OperatorKind::StringLike),
        ("StringNotLike", OperatorKind::StringNotLike),
        ("NumericEquals", OperatorKind::NumericEquals),
        ("NumericNotEquals", OperatorKind::NumericNotEquals),
        ("NumericLessThan", OperatorKind::NumericLessThan),
        ("NumericLessThanEquals", OperatorKind::NumericLessThanEquals),
        ("NumericGreaterThan", OperatorKind::NumericGreaterThan),
        (
            "NumericGreaterThanEquals",
            OperatorKind::NumericGreaterThanEquals,
        ),
        ("DateEquals", OperatorKind::DateEquals),
        ("DateNotEquals", OperatorKind::DateNotEquals),
        ("DateLessThan", OperatorKind::DateLessThan),
        ("DateLessThanEquals", OperatorKind::DateLessThanEquals),
        ("DateGreaterThan", OperatorKind::DateGreaterThan),
        ("DateGreaterThanEquals", OperatorKind::DateGreaterThanEquals),
        ("Bool", OperatorKind::Bool),
        ("BinaryEquals", OperatorKind::BinaryEquals),
        ("IpAddress", OperatorKind::IpAddress),
        ("NotIpAddress", OperatorKind::NotIpAddress),
        ("ArnEquals", OperatorKind::ArnEquals),
        ("ArnLike", OperatorKind::ArnLike),
        ("ArnNotEquals", OperatorKind::ArnNotEquals),
        ("ArnNotLike", OperatorKind::ArnNotLike),
        ("Null", OperatorKind::Null),
    ];

    /// Operator names are case-sensitive in IAM (`stringequals` is rejected), so we match exactly.
    fn from_name(name: &str) -> OperatorKind {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
            .unwrap_or(OperatorKind::Unknown)
    }

    /// Negated operators are true on an absent key and are evaluated as "not (positive)".
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            OperatorKind::StringNotEquals
                | OperatorKind::StringNotEqualsIgnoreCase
                | OperatorKind::StringNotLike
                | OperatorKind::NumericNotEquals
                | OperatorKind::DateNotEquals
                | OperatorKind::NotIpAddress
                | OperatorKind::ArnNotEquals
                | OperatorKind::ArnNotLike
        )
    }

    /// Operators whose policy values may contain policy variables.
    pub fn takes_variables(self) -> bool {
        matches!(
            self,
            OperatorKind::StringEquals
                | OperatorKind::StringNotEquals
                | OperatorKind::StringEqualsIgnoreCase
                | OperatorKind::StringNotEqualsIgnoreCase
                | OperatorKind::StringLike
                | OperatorKind::StringNotLike
                | OperatorKind::ArnEquals
                | OperatorKind::ArnLike
                | OperatorKind::ArnNotEquals
                | OperatorKind::ArnNotLike
        )
    }
}

/// `ForAllValues:` / `ForAnyValue:` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SetQualifier {
    None,
    ForAllValues,
    ForAnyValue,
}

/// A full operator as written (`ForAnyValue:StringLikeIfExists`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Operator {
    /// The text as written in the document.
    pub name: String,
    pub kind: OperatorKind,
    pub if_exists: bool,
    pub set: SetQualifier,
}

impl Operator {
    pub fn parse(name: &str) -> Operator {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, r)
        } else {
            (SetQualifier::None, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let mut kind = OperatorKind::from_name(base);
        // `NullIfExists` is not a thing in IAM; keep it visible as Unknown.
        if kind == OperatorKind::Null && (if_exists || set != SetQualifier::None) {
            kind = OperatorKind::Unknown;
        }
        Operator {
            name: name.to_string(),
            kind,
            if_exists,
            set,
        }
    }
}

/// One `operator: { key: values }` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub operator: Operator,
    pub key: String,
    /// Policy values, normalised to text (`true`, `10`), as IAM compares them.
    pub values: Vec<String>,
}

/// Evaluation inputs that do not change per condition.
pub struct EvalEnv<'a> {
    pub ctx: &'a RequestContext,
    /// Policy variables are substituted only in Version 2012-10-17 documents.
    pub variables: bool,
}

impl Condition {
    /// Is this condition satisfied by the request?
    pub fn matches(&self, env: &EvalEnv<'_>) -> bool {
        let op = &self.operator;
        if op.kind == OperatorKind::Unknown {
            return false;
        }
        let present = env.ctx.values(&self.key);
        if op.kind == OperatorKind::Null {
            return boolean::null_matches(&self.values, present.is_some());
        }
        let req_values = match present {
            None => return self.absent_result(),
            Some(v) => v,
        };
        match op.set {
            SetQualifier::ForAllValues => req_values.iter().all(|v| self.single(v, env)),
            SetQualifier::ForAnyValue => req_values.iter().any(|v| self.single(v, env)),
            SetQualifier::None => {
                if req_values.is_empty() {
                    return self.absent_result();
                }
                let any_positive = req_values.iter().any(|v| self.positive(v, env));
                if op.kind.is_negated() {
                    !any_positive
                } else {
                    any_positive
                }
            }
        }
    }

    fn absent_result(&self) -> bool {
        match self.operator.set {
            SetQualifier::ForAllValues => true,
            SetQualifier::ForAnyValue => self.operator.if_exists,
            SetQualifier::None => self.operator.if_exists || self.operator.kind.is_negated(),
        }
    }

    /// One request value against the operator, negation included.
    fn single(&self, value: &str, env: &EvalEnv<'_>) -> bool {
        let p = self.positive(value, env);
        if self.operator.kind.is_negated() {
            !p
        } else {
            p
        }
    }

    /// One request value against the positive form of the operator: true when it matches any
    /// policy value (values are OR'ed).
    fn positive(&self, value: &str, env: &EvalEnv<'_>) -> bool {
        use OperatorKind as K;
        let vars = env.variables && self.operator.kind.takes_variables();
        self.values.iter().any(|pv| match self.operator.kind {
            K::StringEquals | K::StringNotEquals => string::equals(pv, value, env, vars, false),
            K::StringEqualsIgnoreCase | K::StringNotEqualsIgnoreCase => {
                string::equals(pv, value, env, vars, true)
            }
            K::StringLike | K::StringNotLike => string::like(pv, value, env, vars),
            K::NumericEquals | K::NumericNotEquals => numeric::compare(pv, value, |o| o.is_eq()),
            K::NumericLessThan => numeric::compare(pv, value, |o| o.is_lt()),
            K::NumericLessThanEquals => numeric::compare(pv, value, |o| o.is_le()),
            K::NumericGreaterThan => numeric::compare(pv, value, |o| o.is_gt()),
            K::NumericGreaterThanEquals => numeric::compare(pv, value, |o| o.is_ge()),
            K::DateEquals | K::DateNotEquals => date::compare(pv, value, |o| o.is_eq()),
            K::DateLessThan => date::compare(pv, value, |o| o.is_lt()),
            K::DateLessThanEquals => date::compare(pv, value, |o| o.is_le()),
            K::DateGreaterThan => date::compare(pv, value, |o| o.is_gt()),
            K::DateGreaterThanEquals => date::compare(pv, value, |o| o.is_ge()),
            K::Bool => boolean::bool_equals(pv, value),
            K::BinaryEquals => pv == value,
            K::IpAddress | K::NotIpAddress => ip::contains(pv, value),
            K::ArnEquals | K::ArnLike | K::ArnNotEquals | K::ArnNotLike => {
                arn::like(pv, value, env, vars)
            }
            K::Null | K::Unknown => false,
        })
    }
}
