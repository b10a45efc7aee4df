//! EventBridge event patterns, matched as AWS documents them ("Creating event patterns"):
//! every field of the pattern must match; a field's list of filters matches when any filter
//! matches the event's value (or any element of an array value); nested objects match nested
//! fields; `$or` takes alternatives. Filters: exact values, `prefix`, `suffix`,
//! `equals-ignore-case`, `anything-but` (a value, a list, or a `prefix`/`suffix`), `exists`,
//! `numeric`, `wildcard`, `cidr` (IPv4 and IPv6, as AWS's event-ruler: an address of the
//! block's family; a value that is no address, a service name, does not match).
//!
//! `guardrail event` uses it to say which template rules receive an event. It is checked
//! against moto's pattern engine on thousands of events (`tests/wiring.rs`) and here on the
//! documented cases. Known limit (shared with moto): arrays of objects are not flattened, so
//! a pattern reaching into one (`resources.ARN`) does not match; no template of ours does. An
//! operator it does not know is an error, not a guess.

use crate::policy::condition::{parse_cidr, Cidr};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Why a pattern cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the pattern is not a JSON object")]
    NotAnObject,
    #[error("field {field}: filters must be a list, an object or $or")]
    BadField { field: String },
    #[error("field {field}: unknown filter {operator}")]
    UnknownOperator { field: String, operator: String },
    #[error("field {field}: bad {operator} filter")]
    BadFilter { field: String, operator: String },
    #[error("the pattern nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Patterns nest this deep at most (AWS allows far less in practice).
const MAX_DEPTH: usize = 32;

/// Whether `event` matches `pattern`.
pub fn matches(pattern: &Value, event: &Value) -> Result<bool, PatternError> {
    let Value::Object(p) = pattern else {
        return Err(PatternError::NotAnObject);
    };
    object(p, Some(event), 0)
}

fn object(
    pattern: &Map<String, Value>,
    event: Option<&Value>,
    depth: usize,
) -> Result<bool, PatternError> {
    if depth > MAX_DEPTH {
        return Err(PatternError::TooDeep);
    }
    let mut all = true;
    for (key, want) in pattern {
        let ok = if key == "$or" {
            let Value::Array(alternatives) = want else {
                return Err(PatternError::BadField { field: key.clone() });
            };
            let mut any = false;
            for alt in alternatives {
                let Value::Object(alt) = alt else {
                    return Err(PatternError::BadField { field: key.clone() });
                };
                // Evaluate every alternative, so a malformed one is reported whatever the event.
                any |= object(alt, event, depth + 1)?;
            }
            any
        } else {
            let field = event.and_then(|e| e.get(key));
            match want {
                Value::Object(nested) => object(nested, field, depth + 1)?,
                Value::Array(filters) => filters_match(key, filters, field)?,
                _ => return Err(PatternError::BadField { field: key.clone() }),
            }
        };
        all &= ok;
    }
    Ok(all)
}

/// A field's filters against its value (`None`: the event has no such field).
fn filters_match(
    field: &str,
    filters: &[Value],
    value: Option<&Value>,
) -> Result<bool, PatternError> {
    let mut any = false;
    for f in filters {
        any |= filter_match(field, f, value)?;
    }
    Ok(any)
}

/// The values a filter is tested against: each element of an array, or the value itself.
fn values(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn filter_match(field: &str, filter: &Value, value: Option<&Value>) -> Result<bool, PatternError> {
    // Filters apply to leaves: a field holding a (non-empty) object is not one.
    let value = value.filter(|v| !matches!(v, Value::Object(m) if !m.is_empty()));
    Ok(Filter::parse(field, filter)?.test(value))
}

/// One filter of a field, checked before any event is looked at.
enum Filter {
    Exact(Value),
    Exists(bool),
    Prefix(String, bool),
    Suffix(String, bool),
    EqualsIgnoreCase(String),
    AnythingBut(Vec<Value>),
    AnythingButLike(Box<Filter>),
    Numeric(Vec<(Cmp, f64)>),
    Wildcard(Vec<String>),
    Cidr(Cidr),
}

#[derive(Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Filter {
    fn parse(field: &str, filter: &Value) -> Result<Filter, PatternError> {
        let Value::Object(op) = filter else {
            return Ok(Filter::Exact(filter.clone()));
        };
        let (name, arg) = match op.iter().next() {
            Some(pair) if op.len() == 1 => pair,
            _ => {
                return Err(PatternError::BadFilter {
                    field: field.to_string(),
                    operator: "(several operators)".to_string(),
                })
            }
        };
        let bad = || PatternError::BadFilter {
            field: field.to_string(),
            operator: name.clone(),
        };
        Ok(match name.as_str() {
            "exists" => Filter::Exists(arg.as_bool().ok_or_else(bad)?),
            "prefix" => {
                let (text, fold) = string_arg(arg).ok_or_else(bad)?;
                Filter::Prefix(text, fold)
            }
            "suffix" => {
                let (text, fold) = string_arg(arg).ok_or_else(bad)?;
                Filter::Suffix(text, fold)
            }
            "equals-ignore-case" => {
                Filter::EqualsIgnoreCase(arg.as_str().ok_or_else(bad)?.to_lowercase())
            }
            "anything-but" => match arg {
                Value::Array(list) => Filter::AnythingBut(list.clone()),
                // Only a string filter nests (prefix, suffix, ...): checked before parsing it,
                // so nesting cannot recurse.
                Value::Object(inner)
                    if inner.len() == 1
                        && inner.keys().all(|k| {
                            matches!(
                                k.as_str(),
                                "prefix" | "suffix" | "equals-ignore-case" | "wildcard"
                            )
                        }) =>
                {
                    Filter::AnythingButLike(Box::new(Filter::parse(field, arg)?))
                }
                Value::Object(_) => return Err(bad()),
                other => Filter::AnythingBut(vec![other.clone()]),
            },
            "numeric" => {
                let Value::Array(parts) = arg else {
                    return Err(bad());
                };
                let mut tests = Vec::new();
                for pair in parts.chunks(2) {
                    let [Value::String(op), n] = pair else {
                        return Err(bad());
                    };
                    let cmp = match op.as_str() {
                        "<" => Cmp::Lt,
                        "<=" => Cmp::Le,
                        "=" => Cmp::Eq,
                        ">=" => Cmp::Ge,
                        ">" => Cmp::Gt,
                        _ => return Err(bad()),
                    };
                    tests.push((cmp, n.as_f64().ok_or_else(bad)?));
                }
                if tests.is_empty() {
                    return Err(bad());
                }
                Filter::Numeric(tests)
            }
            "wildcard" => Filter::Wildcard(wildcard_parts(arg.as_str().ok_or_else(bad)?)),
            "cidr" => Filter::Cidr(
                arg.as_str()
                    .filter(|s| s.contains('/'))
                    .and_then(parse_cidr)
                    .ok_or_else(bad)?,
            ),
            _ => {
                return Err(PatternError::UnknownOperator {
                    field: field.to_string(),
                    operator: name.clone(),
                })
            }
        })
    }

    /// Whether the field's value passes (`None`: the event has no such field, which only
    /// `exists: false` accepts, `anything-but` included).
    fn test(&self, value: Option<&Value>) -> bool {
        if let Filter::Exists(want) = self {
            return value.is_some() == *want;
        }
        let Some(value) = value else {
            return false;
        };
        let items = values(value);
        match self {
            // An array matches when any element does: one element outside the list is enough.
            Filter::AnythingBut(list) => items.iter().any(|v| !list.iter().any(|l| equal(v, l))),
            Filter::AnythingButLike(inner) => items.iter().any(|v| !inner.test_one(v)),
            _ => items.iter().any(|v| self.test_one(v)),
        }
    }

    fn test_one(&self, v: &Value) -> bool {
        match self {
            Filter::Exact(want) => equal(v, want),
            Filter::Prefix(text, fold) => str_test(v, *fold, |s| s.starts_with(text.as_str())),
            Filter::Suffix(text, fold) => str_test(v, *fold, |s| s.ends_with(text.as_str())),
            Filter::EqualsIgnoreCase(text) => v.as_str().is_some_and(|s| s.to_lowercase() == *text),
            Filter::Numeric(tests) => v.as_f64().is_some_and(|x| {
                tests.iter().all(|(cmp, n)| match cmp {
                    Cmp::Lt => x < *n,
                    Cmp::Le => x <= *n,
                    Cmp::Eq => x == *n,
                    Cmp::Ge => x >= *n,
                    Cmp::Gt => x > *n,
                })
            }),
            Filter::Wildcard(parts) => v.as_str().is_some_and(|s| wildcard(parts, s)),
            Filter::Cidr(net) => v
                .as_str()
                .and_then(|s| s.parse::<IpAddr>().ok())
                // Same family only (the policy engine's blocks also hold v4-mapped v6).
                .is_some_and(|ip| ip.is_ipv4() == net.addr.is_ipv4() && net.contains(ip)),
            Filter::Exists(_) | Filter::AnythingBut(_) | Filter::AnythingButLike(_) => false,
        }
    }
}

/// Exact match: strings and booleans as is, numbers by value.
fn equal(v: &Value, want: &Value) -> bool {
    match (v, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => v == want,
    }
}

/// `"text"` or `{"equals-ignore-case": "text"}` (as prefix/suffix take it).
fn string_arg(arg: &Value) -> Option<(String, bool)> {
    match arg {
        Value::String(s) => Some((s.clone(), false)),
        Value::Object(m) if m.len() == 1 => m
            .get("equals-ignore-case")
            .and_then(Value::as_str)
            .map(|s| (s.to_lowercase(), true)),
        _ => None,
    }
}

fn str_test(v: &Value, fold: bool, test: impl Fn(&str) -> bool) -> bool {
    match v.as_str() {
        Some(s) if fold => test(&s.to_lowercase()),
        Some(s) => test(s),
        None => false,
    }
}

/// A `wildcard` pattern's literal parts between its `*`s (`\\*` is a literal star, `\\\\` a
/// backslash; `?` is literal, unlike IAM's).
fn wildcard_parts(pattern: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('*' | '\\')) => parts.last_mut().map(|p| p.push(n)).unwrap_or(()),
                Some(n) => {
                    if let Some(p) = parts.last_mut() {
                        p.push('\\');
                        p.push(n);
                    }
                }
                None => parts.last_mut().map(|p| p.push('\\')).unwrap_or(()),
            },
            '*' => parts.push(String::new()),
            c => parts.last_mut().map(|p| p.push(c)).unwrap_or(()),
        }
    }
    parts
}

/// Whether `text` matches the parts: the first is a prefix, the last a suffix, the middle
/// ones appear in order (leftmost is enough with `*` as the only wildcard). Linear.
fn wildcard(parts: &[String], text: &str) -> bool {
    let [first, rest @ ..] = parts else {
        return text.is_empty();
    };
    let Some(mut left) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let [middle @ .., last] = rest else {
        return left.is_empty();
    };
    for part in middle {
        match left.find(part.as_str()) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(p: Value, e: Value) -> bool {
        matches(&p, &e).unwrap()
    }

    #[test]
    fn the_documented_filters() {
        let e = json!({"source": "aws.iam", "region": "sa-east-1",
            "detail": {"eventName": "CreateUser", "readOnly": false, "n": 5,
                       "ip": "10.0.0.7", "tags": ["a", "b"]}});
        assert!(m(json!({"source": ["aws.iam"]}), e.clone()));
        assert!(!m(json!({"source": ["aws.ec2"]}), e.clone()));
        assert!(m(json!({"detail": {"readOnly": [false]}}), e.clone()));
        assert!(m(
            json!({"detail": {"eventName": [{"prefix": "Create"}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"eventName": [{"suffix": "user"}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"eventName": [{"suffix": {"equals-ignore-case": "user"}}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"region": [{"anything-but": ["us-east-1", "eu-west-1"]}]}),
            e.clone()
        ));
        assert!(!m(
            json!({"region": [{"anything-but": ["sa-east-1"]}]}),
            e.clone()
        ));
        assert!(!m(
            json!({"region": [{"anything-but": {"prefix": "sa-"}}]}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"missing": [{"exists": false}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"missing": [{"anything-but": "x"}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"n": [{"numeric": [">", 1, "<=", 5]}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"ip": [{"cidr": "10.0.1.0/24"}]}}),
            e.clone()
        ));
        assert!(!m(json!({"detail": {"ip": [{"cidr": "::/0"}]}}), e.clone()));
        assert!(!m(
            json!({"detail": {"eventName": [{"cidr": "0.0.0.0/0"}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"ip6": [{"cidr": "2001:db8::/32"}]}}),
            json!({"detail": {"ip6": "2001:db8:0:1::7"}})
        ));
        assert!(m(json!({"detail": {"tags": ["b"]}}), e.clone()));
        assert!(m(
            json!({"$or": [{"source": ["x"]}, {"detail": {"n": [5]}}]}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"eventName": [{"wildcard": "Create*"}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"eventName": [{"wildcard": "*eat*U?er"}]}}),
            e.clone()
        ));
        assert!(m(
            json!({"detail": {"eventName": [{"wildcard": "*eat*User"}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"eventName": [{"wildcard": "Create"}]}}),
            e.clone()
        ));
        // Arrays: anything-but matches when one element is outside the list.
        assert!(m(
            json!({"detail": {"tags": [{"anything-but": ["a"]}]}}),
            e.clone()
        ));
        assert!(!m(
            json!({"detail": {"tags": [{"anything-but": ["a", "b"]}]}}),
            e.clone()
        ));
        // Filters see leaves: an object is not one.
        assert!(!m(json!({"detail": [{"exists": true}]}), e.clone()));
        assert!(m(json!({"detail": {"missing": [{"exists": false}]}}), e));
    }

    #[test]
    fn bad_patterns_are_errors() {
        let e = json!({});
        assert!(matches(&json!({"a": [{"regex": "x"}]}), &e).is_err());
        assert!(matches(&json!({"a": "x"}), &e).is_err());
        assert!(matches(&json!([1]), &e).is_err());
        assert!(matches(&json!({"a": [{"numeric": ["~", 1]}]}), &e).is_err());
        assert!(matches(&json!({"a": [{"anything-but": {"anything-but": "x"}}]}), &e).is_err());
    }
}
