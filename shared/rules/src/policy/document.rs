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
    /// For `Action`/`NotAction`: the patterns by service, so matching a request action reads
    /// only its own service's patterns. Built at parse time from `patterns`.
    #[serde(skip)]
    pub(crate) services: ServiceIndex,
}

impl PatternList {
    /// An `Action`/`NotAction` list, indexed by service.
    pub(crate) fn actions(negated: bool, patterns: Vec<String>) -> PatternList {
        PatternList {
            negated,
            services: ServiceIndex::of_patterns(&patterns),
            patterns,
        }
    }

    /// A `Resource`/`NotResource` list (no index: every pattern is read).
    pub(crate) fn resources(negated: bool, patterns: Vec<String>) -> PatternList {
        PatternList {
            negated,
            patterns,
            services: ServiceIndex::default(),
        }
    }
}

/// Positions (of action patterns in a list, or of statements in a document) grouped by the
/// service prefix their actions name (`iam` of `iam:Pass*`, lower case).
///
/// Why: an AWS managed policy such as `ReadOnlyAccess` lists thousands of actions, and the
/// effective-access rules ask each principal's set about hundreds of actions; reading every
/// pattern of every statement for every question was most of their cost. A pattern whose
/// service part is a literal can match an action only of that same service (the literal has
/// no `:`, so the action's first `:` sits at the same place), so it is exact to read just that
/// group plus the positions whose service part is itself a wildcard (`*`, `iam*`, `s?s:*`)
/// or that match by exclusion (`NotAction`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServiceIndex {
    /// How many positions it was built over; `None` for a list built without an index. A
    /// list changed since (a test pushing statements) no longer agrees and is read whole.
    built_for: Option<usize>,
    /// (service in lower case, positions ascending), sorted by service.
    services: Vec<(String, Vec<usize>)>,
    /// Positions that any action may match, ascending.
    wild: Vec<usize>,
}

impl ServiceIndex {
    fn of_patterns(patterns: &[String]) -> ServiceIndex {
        let mut index = ServiceIndex::default();
        for (i, p) in patterns.iter().enumerate() {
            index.insert(literal_service(p), i);
        }
        index.built_for = Some(patterns.len());
        index
    }

    fn of_statements(statements: &[Statement]) -> ServiceIndex {
        let mut index = ServiceIndex::default();
        for (i, s) in statements.iter().enumerate() {
            if s.action.negated {
                index.insert(None, i);
                continue;
            }
            for p in &s.action.patterns {
                index.insert(literal_service(p), i);
            }
        }
        index.built_for = Some(statements.len());
        index
    }

    /// Record `position` under `service` (`None`: any action), once; positions come in
    /// ascending order.
    fn insert(&mut self, service: Option<&str>, position: usize) {
        let list = match service {
            None => &mut self.wild,
            Some(service) => {
                let service = service.to_ascii_lowercase();
                let at = match self
                    .services
                    .binary_search_by(|(s, _)| s.as_str().cmp(&service))
                {
                    Ok(at) => at,
                    Err(at) => {
                        self.services.insert(at, (service, Vec::new()));
                        at
                    }
                };
                match self.services.get_mut(at) {
                    Some((_, list)) => list,
                    None => return,
                }
            }
        };
        if list.last() != Some(&position) {
            list.push(position);
        }
    }

    /// The positions that can match `action`, ascending, or `None` when every position must be
    /// read (no index, a list of another length, or an action whose service part is not a
    /// plain name).
    pub(crate) fn candidates(&self, action: &str, len: usize) -> Option<Merged<'_>> {
        if self.built_for != Some(len) {
            return None;
        }
        let service = literal_service(action)?;
        // Services are short and almost always lower case already: compare in place, or
        // through a small lower-cased copy.
        let mut buffer = [0u8; 64];
        let service = if service.bytes().any(|b| b.is_ascii_uppercase()) {
            let copy = buffer.get_mut(..service.len())?;
            copy.copy_from_slice(service.as_bytes());
            copy.make_ascii_lowercase();
            std::str::from_utf8(copy).ok()?
        } else {
            service
        };
        let own = self
            .services
            .binary_search_by(|(s, _)| s.as_str().cmp(service))
            .ok()
            .and_then(|at| self.services.get(at))
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        Some(Merged {
            a: own,
            b: &self.wild,
        })
    }
}

/// Two ascending position lists read as one ascending list (a position in both, once).
pub(crate) struct Merged<'a> {
    a: &'a [usize],
    b: &'a [usize],
}

impl Iterator for Merged<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let next = match (self.a.first(), self.b.first()) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => return None,
        };
        if self.a.first() == Some(&next) {
            self.a = self.a.get(1..).unwrap_or(&[]);
        }
        if self.b.first() == Some(&next) {
            self.b = self.b.get(1..).unwrap_or(&[]);
        }
        Some(next)
    }
}

/// The part before the first `:` when it is a plain ASCII name (no `*` or `?`).
fn literal_service(pattern: &str) -> Option<&str> {
    let bytes = pattern.as_bytes();
    let colon = bytes.iter().position(|&b| b == b':')?;
    let service = bytes.get(..colon)?;
    service
        .iter()
        .all(|&b| b.is_ascii() && b != b'*' && b != b'?')
        .then(|| pattern.get(..colon))
        .flatten()
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
    /// A Resource pattern or condition value holds `${...}`: only then can a variable be
    /// unresolved (computed once at parse time; the decision asks for every request).
    #[serde(skip)]
    pub(crate) uses_variables: bool,
}

impl Statement {
    /// Does a Resource/NotResource pattern or a condition value hold a policy variable?
    pub fn uses_variables(&self) -> bool {
        self.uses_variables
    }

    fn holds_variables(resource: Option<&PatternList>, conditions: &[Condition]) -> bool {
        resource.is_some_and(|r| r.patterns.iter().any(|p| p.contains("${")))
            || conditions
                .iter()
                .any(|c| c.values.iter().any(|x| x.contains("${")))
    }

    pub fn reference(&self) -> StatementRef {
        StatementRef {
            index: self.index,
            sid: self.sid.clone(),
        }
    }
}

/// A parsed IAM policy document (`Default`: no statements, which allows nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// The statements by the services their actions name (see [`ServiceIndex`]).
    #[serde(skip)]
    pub(crate) services: ServiceIndex,
}

impl PolicyDocument {
    /// Parse raw JSON or URL-encoded JSON (as `GetPolicyVersion`/`GetUserPolicy` return it).
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyParseError> {
        Self::from_value(&Self::json(text)?)
    }

    /// The JSON of a policy text (raw or URL-encoded), as [`PolicyDocument::parse`] reads it:
    /// for rewriting a document without losing what the typed model does not keep (the
    /// exact spelling of its operators and keys).
    pub fn json(text: &str) -> Result<Value, PolicyParseError> {
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
        Ok(value)
    }

    /// A policy as a JSON value or as its text: CloudTrail records some requests' policies as
    /// objects (PutBucketPolicy) and others as strings (SetQueueAttributes, PutKeyPolicy).
    pub fn from_value_or_text(value: &Value) -> Result<PolicyDocument, PolicyParseError> {
        match value {
            Value::String(text) => Self::parse(text),
            other => Self::from_value(other),
        }
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
            services: ServiceIndex::of_statements(&statements),
            statements,
        })
    }

    /// The statements whose Action/NotAction may match `action`, in document order: a
    /// superset of those that do (every statement when the index cannot tell).
    pub fn statements_for<'d>(&'d self, action: &str) -> impl Iterator<Item = &'d Statement> + 'd {
        let (indexed, all) = match self.services.candidates(action, self.statements.len()) {
            Some(positions) => (Some(positions), None),
            None => (None, Some(self.statements.iter())),
        };
        indexed
            .into_iter()
            .flatten()
            .filter_map(|i| self.statements.get(i))
            .chain(all.into_iter().flatten())
    }

    /// Policy variables are only substituted in the 2012-10-17 language version.
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }

    /// Does any Resource/NotResource pattern or condition value hold `${...}`, the places
    /// where IAM substitutes policy variables (whether this version substitutes them is
    /// [`Self::variables_enabled`])?
    pub fn uses_variables(&self) -> bool {
        self.statements.iter().any(Statement::uses_variables)
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
                let list = PatternList::actions(k == "NotAction", string_or_array(val, &p)?);
                if action.is_some() {
                    return Err(conflict(&path, "Action", "NotAction"));
                }
                action = Some(list);
            }
            "Resource" | "NotResource" => {
                let list = PatternList::resources(k == "NotResource", string_or_array(val, &p)?);
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
        uses_variables: Statement::holds_variables(resource.as_ref(), &conditions),
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
