//! Typed parse errors. Every variant that concerns a part of the document carries the JSON path
//! (`Statement[2].Condition.StringEquals`) so a person can find the problem without guessing.

use thiserror::Error;

/// Why a policy document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyParseError {
    /// Documents are capped so a hostile input cannot make a Lambda allocate without bound.
    /// IAM itself caps managed policies at 6,144 characters and SCPs at 5,120.
    #[error("policy document is {size} bytes, larger than the {max} byte limit")]
    TooLarge { size: usize, max: usize },
    #[error("policy document is empty")]
    Empty,
    #[error("policy document is not valid JSON: {message} (line {line}, column {column})")]
    InvalidJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("policy document is not valid URL-encoded text: {reason} at byte {offset}")]
    InvalidUrlEncoding { offset: usize, reason: &'static str },
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: missing required element {element}")]
    MissingElement { path: String, element: &'static str },
    #[error("{path}: {first} and {second} cannot both be present")]
    Conflicting {
        path: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("{path}: invalid Effect {value:?} (expected \"Allow\" or \"Deny\")")]
    InvalidEffect { path: String, value: String },
    #[error("{path}: unknown element {element:?}")]
    UnknownElement { path: String, element: String },
    #[error("{path}: {what} must not be empty")]
    EmptyValue { path: String, what: &'static str },
}

impl PolicyParseError {
    /// The JSON path of the offending element, when the error concerns one.
    pub fn path(&self) -> Option<&str> {
        match self {
            PolicyParseError::WrongType { path, .. }
            | PolicyParseError::MissingElement { path, .. }
            | PolicyParseError::Conflicting { path, .. }
            | PolicyParseError::InvalidEffect { path, .. }
            | PolicyParseError::UnknownElement { path, .. }
            | PolicyParseError::EmptyValue { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// JSON type name for error messages.
pub(crate) fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
