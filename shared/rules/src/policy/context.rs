//! The request being evaluated: action, resource, principal and condition keys.
//!
//! Condition key names are case-insensitive in IAM, so keys are stored lower-cased; values keep
//! their case. A key maps to a list of values so that multi-valued keys (`aws:TagKeys`) and
//! single-valued keys share one representation; an absent key is simply not in the map.

use serde::Serialize;
use std::collections::BTreeMap;

/// Kind of principal making (or being checked for) the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalType {
    /// `"AWS"`: accounts, users, roles, sessions.
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// Anything else found in a document, kept so parsing never loses data.
    Other(String),
}

impl PrincipalType {
    pub fn from_element(name: &str) -> Self {
        match name {
            "AWS" => PrincipalType::Aws,
            "Service" => PrincipalType::Service,
            "Federated" => PrincipalType::Federated,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            other => PrincipalType::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Other(s) => s,
        }
    }
}

/// The principal of a request, for Principal/NotPrincipal matching in trust and resource policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestPrincipal {
    pub kind: PrincipalType,
    /// ARN (`arn:aws:iam::123456789012:role/x`), account id, service name or provider.
    pub id: String,
}

impl RequestPrincipal {
    pub fn aws(id: impl Into<String>) -> Self {
        RequestPrincipal {
            kind: PrincipalType::Aws,
            id: id.into(),
        }
    }

    /// The 12-digit account this principal belongs to, if it is an AWS principal.
    pub fn account(&self) -> Option<&str> {
        if self.kind != PrincipalType::Aws {
            return None;
        }
        account_of(&self.id)
    }
}

/// Account id of an account id or IAM/STS ARN.
pub fn account_of(id: &str) -> Option<&str> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(id);
    }
    let parts = super::wildcard::arn_parts(id)?;
    let acct = parts[4];
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// A request to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestContext {
    pub action: String,
    pub resource: String,
    pub principal: Option<RequestPrincipal>,
    keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        RequestContext {
            action: action.into(),
            resource: resource.into(),
            principal: None,
            keys: BTreeMap::new(),
        }
    }

    /// Builder: set a single-valued key.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set(key, vec![value.into()]);
        self
    }

    /// Builder: set a multi-valued key.
    pub fn with_values(mut self, key: &str, values: Vec<String>) -> Self {
        self.set(key, values);
        self
    }

    /// Builder: set the principal.
    pub fn with_principal(mut self, principal: RequestPrincipal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Set (replace) a key's values. An empty list is a present key with an empty set,
    /// which differs from an absent key only for the Null operator.
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.keys.insert(key.to_ascii_lowercase(), values);
    }

    /// Append one value to a key (for `--context k=v1 --context k=v2`).
    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.keys
            .entry(key.to_ascii_lowercase())
            .or_default()
            .push(value.into());
    }

    /// Make a key absent.
    pub fn remove(&mut self, key: &str) {
        self.keys.remove(&key.to_ascii_lowercase());
    }

    /// Values of a key, `None` when absent. The lookup is case-insensitive.
    pub fn values(&self, key: &str) -> Option<&[String]> {
        if let Some(v) = self.keys.get(key) {
            return Some(v);
        }
        self.keys
            .get(&key.to_ascii_lowercase())
            .map(|v| v.as_slice())
    }

    /// All present keys (lower-cased) and values.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}
