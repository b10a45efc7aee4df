//! The policy document model and its parser.
//!
//! We parse from `serde_json::Value` by hand rather than with `#[derive(Deserialize)]` because
//! IAM's grammar is shape-polymorphic (string or array, object or array) and because every
//! error must carry a JSON path such as `Statement[2].Condition.StringEquals`.

use super::condition::{Condition, Operator};
use super::context::PrincipalType;
use super::parse_error::{json_type, PolicyParseError};
use super::url_decode::percent_decode;
use serde::Serialize;
use serde_json::{Map, Value};

/// Largest document accepted, in bytes. IAM's own limits are far lower (6 KB managed, 10 KB
/// inline, 20 KB resource policies); 1 MB leaves room for tooling while bounding memory.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of patterns, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternList {
    /// True for `NotAction` / `NotResource`.
    pub negated: bool,
    pub patterns: Vec<String>,
}

/// The principals named by `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Principals {
    /// `"Principal": "*"` — everyone, including anonymous callers.
    Any,
    /// `{"AWS": [...], "Service": ...}`; a value may itself be `*`.
    Typed(Vec<(PrincipalType, Vec<String>)>),
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalSpec {
    pub negated: bool,
    pub principals: Principals,
}

/// Reference to a statement for explanations and findings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StatementRef {
    /// Zero-based position in the `Statement` array (0 when `Statement` is an object).
    pub index: usize,
    pub sid: Option<String>,
}

impl std::fmt::Display for StatementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "Statement[{}] ({sid})", self.index),
            None => write!(f, "Statement[{}]", self.index),
        }
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: PatternList,
    /// `None` when the statement has neither `Resource` nor `NotResource` (trust policies):
    /// such a statement applies to the resource it is attached to, i.e. any request resource.
    pub resource: Option<PatternList>,
    pub principal: Option<PrincipalSpec>,
    /// All conditions, AND'ed.
    pub conditions: Vec<Condition>,
}

impl Statement {
    pub fn reference(&self) -> StatementRef {
        StatementRef {
            index: self.index,
            sid: self.sid.clone(),
        }
    }
}

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parse raw JSON or URL-encoded JSON (as `GetPolicyVersion`/`GetUserPolicy` return it).
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyParseError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(PolicyParseError::TooLarge {
                size: text.len(),
                max: MAX_DOCUMENT_BYTES,
            });
        }
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty() {
            return Err(PolicyParseError::Empty);
        }
        let decoded;
        let json = if trimmed.starts_with('{') || !trimmed.contains('%') {
            trimmed
        } else {
            decoded = percent_decode(trimmed)?;
            decoded.trim()
        };
        let value: Value =
            serde_json::from_str(json).map_err(|e| PolicyParseError::InvalidJson {
                message: e.to_string(),
                line: e.line(),
                column: e.column(),
            })?;
        Self::from_value(&value)
    }

    /// Parse an already-decoded JSON value.
    pub fn from_value(value: &Value) -> Result<PolicyDocument, PolicyParseError> {
        let obj = expect_object(value, "$")?;
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        for (k, v) in obj {
            match k.as_str() {
                "Version" => version = Some(expect_string(v, "Version")?.to_string()),
                "Id" => id = Some(expect_string(v, "Id")?.to_string()),
                "Statement" => statements = Some(parse_statements(v)?),
                other => {
                    return Err(PolicyParseError::UnknownElement {
                        path: "$".to_string(),
                        element: other.to_string(),
                    })
                }
            }
        }
        let statements = statements.ok_or(PolicyParseError::MissingElement {
            path: "$".to_string(),
            element: "Statement",
        })?;
        Ok(PolicyDocument {
            version,
            id,
            statements,
        })
    }

    /// Policy variables are only substituted in the 2012-10-17 language version.
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }

    /// Does any Resource/NotResource pattern or condition value hold `${...}`, the places
    /// where IAM substitutes policy variables (whether this version substitutes them is
    /// [`Self::variables_enabled`])?
    pub fn uses_variables(&self) -> bool {
        self.statements.iter().any(|s| {
            s.resource
                .as_ref()
                .is_some_and(|r| r.patterns.iter().any(|p| p.contains("${")))
                || s.conditions
                    .iter()
                    .any(|c| c.values.iter().any(|x| x.contains("${")))
        })
    }

    /// Do any statements name a principal? (Trust and resource policies do.)
    pub fn has_principals(&self) -> bool {
        self.statements.iter().any(|s| s.principal.is_some())
    }
}

fn parse_statements(v: &Value) -> Result<Vec<Statement>, PolicyParseError> {
    match v {
        Value::Object(_) => Ok(vec![parse_statement(v, 0, "Statement".to_string())?]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s, i, format!("Statement[{i}]")))
            .collect(),
        other => Err(wrong(
            "Statement".to_string(),
            "an object or an array",
            other,
        )),
    }
}

fn parse_statement(v: &Value, index: usize, path: String) -> Result<Statement, PolicyParseError> {
    let obj = expect_object(v, &path)?;
    let mut sid = None;
    let mut effect = None;
    let mut action: Option<PatternList> = None;
    let mut resource: Option<PatternList> = None;
    let mut principal: Option<PrincipalSpec> = None;
    let mut conditions = Vec::new();
    for (k, val) in obj {
        let p = format!("{path}.{k}");
        match k.as_str() {
            "Sid" => sid = Some(expect_string(val, &p)?.to_string()),
            "Effect" => {
                effect = Some(match expect_string(val, &p)? {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(PolicyParseError::InvalidEffect {
                            path: p,
                            value: other.to_string(),
                        })
                    }
                })
            }
            "Action" | "NotAction" => {
                let list = PatternList {
                    negated: k == "NotAction",
                    patterns: string_or_array(val, &p)?,
                };
                if action.is_some() {
                    return Err(conflict(&path, "Action", "NotAction"));
                }
                action = Some(list);
            }
            "Resource" | "NotResource" => {
                let list = PatternList {
                    negated: k == "NotResource",
                    patterns: string_or_array(val, &p)?,
                };
                if resource.is_some() {
                    return Err(conflict(&path, "Resource", "NotResource"));
                }
                resource = Some(list);
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(conflict(&path, "Principal", "NotPrincipal"));
                }
                principal = Some(PrincipalSpec {
                    negated: k == "NotPrincipal",
                    principals: parse_principals(val, &p)?,
                });
            }
            "Condition" => conditions = parse_conditions(val, &p)?,
            other => {
                return Err(PolicyParseError::UnknownElement {
                    path,
                    element: other.to_string(),
                })
            }
        }
    }
    let effect = effect.ok_or_else(|| PolicyParseError::MissingElement {
        path: path.clone(),
        element: "Effect",
    })?;
    let action = action.ok_or_else(|| PolicyParseError::MissingElement {
        path: path.clone(),
        element: "Action or NotAction",
    })?;
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
    })
}

fn parse_principals(v: &Value, path: &str) -> Result<Principals, PolicyParseError> {
    match v {
        Value::String(s) if s == "*" => Ok(Principals::Any),
        Value::Object(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, val) in map {
                let p = format!("{path}.{k}");
                out.push((PrincipalType::from_element(k), string_or_array(val, &p)?));
            }
            Ok(Principals::Typed(out))
        }
        Value::String(_) => Err(PolicyParseError::WrongType {
            path: path.to_string(),
            expected: "\"*\" or an object such as {\"AWS\": ...}",
            found: "a string other than \"*\"",
        }),
        other => Err(wrong(path.to_string(), "\"*\" or an object", other)),
    }
}

fn parse_conditions(v: &Value, path: &str) -> Result<Vec<Condition>, PolicyParseError> {
    let ops = expect_object(v, path)?;
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op_path = format!("{path}.{op_name}");
        let operator = Operator::parse(op_name);
        let keys = expect_object(keys, &op_path)?;
        for (key, values) in keys {
            let key_path = format!("{op_path}.{key}");
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: condition_values(values, &key_path)?,
            });
        }
    }
    Ok(out)
}

/// Condition values: string, number, bool, or an array of those. Normalised to text because
/// IAM compares textual forms (`"true"` and `true` are the same to `Bool`).
fn condition_values(v: &Value, path: &str) -> Result<Vec<String>, PolicyParseError> {
    fn scalar(v: &Value, path: &str) -> Result<String, PolicyParseError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(wrong(
                path.to_string(),
                "a string, number or boolean",
                other,
            )),
        }
    }
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| scalar(x, &format!("{path}[{i}]")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

fn string_or_array(v: &Value, path: &str) -> Result<Vec<String>, PolicyParseError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                Value::String(s) => Ok(s.clone()),
                other => Err(wrong(format!("{path}[{i}]"), "a string", other)),
            })
            .collect(),
        other => Err(wrong(
            path.to_string(),
            "a string or an array of strings",
            other,
        )),
    }
}

fn expect_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, PolicyParseError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(wrong(path.to_string(), "an object", other)),
    }
}

fn expect_string<'a>(v: &'a Value, path: &str) -> Result<&'a str, PolicyParseError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(wrong(path.to_string(), "a string", other)),
    }
}

fn wrong(path: String, expected: &'static str, found: &Value) -> PolicyParseError {
    PolicyParseError::WrongType {
        path,
        expected,
        found: json_type(found),
    }
}

fn conflict(path: &str, first: &'static str, second: &'static str) -> PolicyParseError {
    PolicyParseError::Conflicting {
        path: path.to_string(),
        first,
        second,
    }
}
