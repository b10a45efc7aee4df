//! The account as a file: the JSON `aws iam get-account-authorization-details` writes, read into
//! the same [`AccountFacts`] the sweep reads from the API, so an exported account can be judged
//! offline (and a large one benchmarked) with the sweep's own code.
//!
//! Accepted shapes: one object with `UserDetailList`, `GroupDetailList`, `RoleDetailList` and
//! `Policies` (the CLI merges the pages it fetched into one), or an array of such page objects
//! (what a script that saves each raw page writes), merged in order. An entry whose ARN was
//! already read is skipped, so overlapping pages or a file concatenated twice do not double a
//! principal. Field names are the API's; unknown fields are ignored, so newer CLI output still
//! reads. Policy documents are JSON objects (the CLI decodes them) or URL-encoded strings (the
//! raw API, and some tools): an object is kept as its compact JSON text, a string as is, and the
//! policy parser accepts both.
//!
//! Required, because without them an entry cannot be named or told apart: the name and `Arn` of
//! a user, group or role, the `Arn` of a managed policy, the `PolicyName` and `PolicyDocument` of
//! an inline policy, the `PolicyArn` of an attachment and the `Key` of a tag. Everything else may
//! be absent; `null` counts as absent. A present field of the wrong type is an error naming its
//! JSON path (`$.RoleDetailList[3].RolePolicyList[0].PolicyDocument`), never a silent default:
//! a misread document would be judged as something it is not.

use super::account::{
    AccountFacts, GroupDetail, InlinePolicy, ManagedPolicy, RoleDetail, UserDetail,
};
use crate::policy::parse_error::json_type;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Largest file accepted, in bytes. A real large account (thousands of principals, every
/// document inline) exports to 10-50 MB; 256 MiB leaves room for non-default versions while
/// bounding what a hostile file can make the parser allocate (the parsed tree takes a few times
/// the text).
pub const MAX_ACCOUNT_FILE_BYTES: usize = 256 * 1024 * 1024;

/// The four lists of a page; a page must have at least one.
const LISTS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Why an account file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountFileError {
    #[error("the account file is {size} bytes, larger than the {max} byte limit")]
    TooLarge { size: usize, max: usize },
    #[error("the account file is empty")]
    Empty,
    #[error("the account file is not valid JSON: {message} (line {line}, column {column})")]
    InvalidJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: missing required field {field}")]
    MissingField { path: String, field: &'static str },
    #[error(
        "{path}: not GetAccountAuthorizationDetails output (none of UserDetailList, \
         GroupDetailList, RoleDetailList, Policies)"
    )]
    NotAccountDetails { path: String },
}

impl AccountFileError {
    /// The JSON path of the offending element, when the error concerns one.
    pub fn path(&self) -> Option<&str> {
        match self {
            AccountFileError::WrongType { path, .. }
            | AccountFileError::MissingField { path, .. }
            | AccountFileError::NotAccountDetails { path } => Some(path),
            _ => None,
        }
    }
}

/// Parse the output of `aws iam get-account-authorization-details` (or an array of its pages).
pub fn parse_account_file(text: &str) -> Result<AccountFacts, AccountFileError> {
    if text.len() > MAX_ACCOUNT_FILE_BYTES {
        return Err(AccountFileError::TooLarge {
            size: text.len(),
            max: MAX_ACCOUNT_FILE_BYTES,
        });
    }
    let trimmed = text.trim_start_matches('\u{feff}');
    if trimmed.trim().is_empty() {
        return Err(AccountFileError::Empty);
    }
    // serde_json's recursion limit (128) bounds nesting, so neither parsing nor dropping the
    // tree can overflow the stack.
    let value: Value =
        serde_json::from_str(trimmed).map_err(|e| AccountFileError::InvalidJson {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
    let root = At::Root;
    let mut merged = Merged::default();
    match &value {
        Value::Object(page) => merged.page(page, &root)?,
        Value::Array(pages) => {
            for (i, page) in pages.iter().enumerate() {
                let at = root.index(i);
                merged.page(object(page, &at, "a page object")?, &at)?;
            }
        }
        other => return Err(wrong(&root, "an object or an array of page objects", other)),
    }
    Ok(merged.facts)
}

/// Where in the file a value is: rendered into a path only when there is an error, so a clean
/// parse of a large file allocates no path strings.
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'static str),
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    fn key(&'a self, key: &'static str) -> At<'a> {
        At::Key(self, key)
    }

    fn index(&'a self, i: usize) -> At<'a> {
        At::Index(self, i)
    }

    fn render(&self) -> String {
        // Paths are at most six segments deep (the walk below), so the recursion is bounded.
        match self {
            At::Root => "$".to_string(),
            At::Key(parent, key) => format!("{}.{key}", parent.render()),
            At::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// The facts read so far, and the ARNs seen per kind (de-duplication across pages).
#[derive(Default)]
struct Merged {
    facts: AccountFacts,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
    roles: BTreeSet<String>,
    policies: BTreeSet<String>,
}

impl Merged {
    fn page(&mut self, page: &Map<String, Value>, at: &At) -> Result<(), AccountFileError> {
        if !LISTS.iter().any(|k| field(page, k).is_some()) {
            return Err(AccountFileError::NotAccountDetails { path: at.render() });
        }
        let list = at.key("UserDetailList");
        for (i, v) in array(page, &list, "UserDetailList")?.iter().enumerate() {
            let user = user(v, &list.index(i))?;
            if self.users.insert(user.arn.clone()) {
                self.facts.users.push(user);
            }
        }
        let list = at.key("GroupDetailList");
        for (i, v) in array(page, &list, "GroupDetailList")?.iter().enumerate() {
            let group = group(v, &list.index(i))?;
            if self.groups.insert(group.arn.clone()) {
                self.facts.groups.push(group);
            }
        }
        let list = at.key("RoleDetailList");
        for (i, v) in array(page, &list, "RoleDetailList")?.iter().enumerate() {
            let role = role(v, &list.index(i))?;
            if self.roles.insert(role.arn.clone()) {
                self.facts.roles.push(role);
            }
        }
        let list = at.key("Policies");
        for (i, v) in array(page, &list, "Policies")?.iter().enumerate() {
            let policy = managed_policy(v, &list.index(i))?;
            if self.policies.insert(policy.arn.clone()) {
                self.facts.policies.push(policy);
            }
        }
        Ok(())
    }
}

fn user(v: &Value, at: &At) -> Result<UserDetail, AccountFileError> {
    let o = object(v, at, "an object")?;
    Ok(UserDetail {
        name: required_str(o, at, "UserName")?.to_string(),
        id: optional_str(o, at, "UserId")?
            .unwrap_or_default()
            .to_string(),
        arn: required_str(o, at, "Arn")?.to_string(),
        inline: inline(o, at, "UserPolicyList")?,
        attached: attached(o, at)?,
        groups: strings(o, at, "GroupList")?,
        tags: tags(o, at)?,
        path: optional_str(o, at, "Path")?.unwrap_or_default().to_string(),
        permissions_boundary: boundary(o, at)?,
        create_date: optional_str(o, at, "CreateDate")?.map(str::to_string),
    })
}

fn group(v: &Value, at: &At) -> Result<GroupDetail, AccountFileError> {
    let o = object(v, at, "an object")?;
    Ok(GroupDetail {
        name: required_str(o, at, "GroupName")?.to_string(),
        arn: required_str(o, at, "Arn")?.to_string(),
        inline: inline(o, at, "GroupPolicyList")?,
        attached: attached(o, at)?,
        path: optional_str(o, at, "Path")?.unwrap_or_default().to_string(),
    })
}

fn role(v: &Value, at: &At) -> Result<RoleDetail, AccountFileError> {
    let o = object(v, at, "an object")?;
    let trust = at.key("AssumeRolePolicyDocument");
    let last_used = match field(o, "RoleLastUsed") {
        None => None,
        Some(v) => {
            let at = at.key("RoleLastUsed");
            optional_str(object(v, &at, "an object")?, &at, "LastUsedDate")?.map(str::to_string)
        }
    };
    Ok(RoleDetail {
        name: required_str(o, at, "RoleName")?.to_string(),
        arn: required_str(o, at, "Arn")?.to_string(),
        path: optional_str(o, at, "Path")?.unwrap_or_default().to_string(),
        trust_policy: field(o, "AssumeRolePolicyDocument")
            .map(|d| document(d, &trust))
            .transpose()?,
        inline: inline(o, at, "RolePolicyList")?,
        attached: attached(o, at)?,
        tags: tags(o, at)?,
        permissions_boundary: boundary(o, at)?,
        create_date: optional_str(o, at, "CreateDate")?.map(str::to_string),
        last_used,
    })
}

/// A managed policy and its default version's document: the version IAM marks default, or the
/// one named by `DefaultVersionId`.
fn managed_policy(v: &Value, at: &At) -> Result<ManagedPolicy, AccountFileError> {
    let o = object(v, at, "an object")?;
    let arn = required_str(o, at, "Arn")?.to_string();
    let name = match optional_str(o, at, "PolicyName")? {
        Some(n) if !n.is_empty() => n.to_string(),
        // moto leaves PolicyName out; the ARN ends with it.
        _ => arn.rsplit('/').next().unwrap_or_default().to_string(),
    };
    let default_id = optional_str(o, at, "DefaultVersionId")?;
    let attachment_count = match field(o, "AttachmentCount") {
        None => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| wrong(&at.key("AttachmentCount"), "an integer", v))?,
    };
    let list = at.key("PolicyVersionList");
    let mut default: Option<(String, Option<String>)> = None;
    for (i, v) in array(o, &list, "PolicyVersionList")?.iter().enumerate() {
        let at = list.index(i);
        let version = object(v, &at, "an object")?;
        let id = optional_str(version, &at, "VersionId")?;
        let marked = match field(version, "IsDefaultVersion") {
            None => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| wrong(&at.key("IsDefaultVersion"), "a boolean", v))?,
        };
        let doc = field(version, "Document")
            .map(|d| document(d, &at.key("Document")))
            .transpose()?;
        if default.is_none() && (marked || (id.is_some() && id == default_id)) {
            default = Some((id.unwrap_or_default().to_string(), doc));
        }
    }
    let (version_id, document) = default.unwrap_or_default();
    Ok(ManagedPolicy {
        name,
        arn,
        default_version_id: default_id.map(str::to_string).unwrap_or(version_id),
        document,
        attachment_count,
    })
}

/// `UserPolicyList`, `GroupPolicyList`, `RolePolicyList`.
fn inline(
    o: &Map<String, Value>,
    at: &At,
    key: &'static str,
) -> Result<Vec<InlinePolicy>, AccountFileError> {
    let list = at.key(key);
    array(o, &list, key)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let at = list.index(i);
            let p = object(v, &at, "an object")?;
            let doc = field(p, "PolicyDocument").ok_or_else(|| missing(&at, "PolicyDocument"))?;
            Ok(InlinePolicy {
                name: required_str(p, &at, "PolicyName")?.to_string(),
                document: document(doc, &at.key("PolicyDocument"))?,
            })
        })
        .collect()
}

/// `AttachedManagedPolicies`: the policies' ARNs.
fn attached(o: &Map<String, Value>, at: &At) -> Result<Vec<String>, AccountFileError> {
    let list = at.key("AttachedManagedPolicies");
    array(o, &list, "AttachedManagedPolicies")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let at = list.index(i);
            Ok(required_str(object(v, &at, "an object")?, &at, "PolicyArn")?.to_string())
        })
        .collect()
}

/// `PermissionsBoundary.PermissionsBoundaryArn`; an empty object is no boundary.
fn boundary(o: &Map<String, Value>, at: &At) -> Result<Option<String>, AccountFileError> {
    let Some(v) = field(o, "PermissionsBoundary") else {
        return Ok(None);
    };
    let at = at.key("PermissionsBoundary");
    Ok(
        optional_str(object(v, &at, "an object")?, &at, "PermissionsBoundaryArn")?
            .filter(|arn| !arn.is_empty())
            .map(str::to_string),
    )
}

/// `Tags[{Key, Value}]`; a tag without a value has the empty one (as IAM stores it).
fn tags(o: &Map<String, Value>, at: &At) -> Result<BTreeMap<String, String>, AccountFileError> {
    let list = at.key("Tags");
    array(o, &list, "Tags")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let at = list.index(i);
            let t = object(v, &at, "an object")?;
            Ok((
                required_str(t, &at, "Key")?.to_string(),
                optional_str(t, &at, "Value")?
                    .unwrap_or_default()
                    .to_string(),
            ))
        })
        .collect()
}

fn strings(
    o: &Map<String, Value>,
    at: &At,
    key: &'static str,
) -> Result<Vec<String>, AccountFileError> {
    let list = at.key(key);
    array(o, &list, key)?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong(&list.index(i), "a string", other)),
        })
        .collect()
}

/// A policy document: an object as its compact JSON text, a string (URL-encoded or plain JSON)
/// as is.
fn document(v: &Value, at: &At) -> Result<String, AccountFileError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Object(_) => Ok(v.to_string()),
        other => Err(wrong(at, "an object or a string", other)),
    }
}

/// A field's value; `null` counts as absent.
fn field<'v>(o: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn object<'v>(
    v: &'v Value,
    at: &At,
    expected: &'static str,
) -> Result<&'v Map<String, Value>, AccountFileError> {
    v.as_object().ok_or_else(|| wrong(at, expected, v))
}

/// An optional array (`at` is the array's own path); absent is empty.
fn array<'v>(
    o: &'v Map<String, Value>,
    at: &At,
    key: &str,
) -> Result<&'v [Value], AccountFileError> {
    match field(o, key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(wrong(at, "an array", other)),
    }
}

fn optional_str<'v>(
    o: &'v Map<String, Value>,
    at: &At,
    key: &'static str,
) -> Result<Option<&'v str>, AccountFileError> {
    match field(o, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong(&at.key(key), "a string", other)),
    }
}

fn required_str<'v>(
    o: &'v Map<String, Value>,
    at: &At,
    key: &'static str,
) -> Result<&'v str, AccountFileError> {
    optional_str(o, at, key)?.ok_or_else(|| missing(at, key))
}

fn wrong(at: &At, expected: &'static str, found: &Value) -> AccountFileError {
    AccountFileError::WrongType {
        path: at.render(),
        expected,
        found: json_type(found),
    }
}

fn missing(at: &At, field: &'static str) -> AccountFileError {
    AccountFileError::MissingField {
        path: at.render(),
        field,
    }
}
