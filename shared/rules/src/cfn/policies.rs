//! Finding the IAM policies in a template.

use super::intrinsics::resolve;
use crate::policy::PolicyKind;
use serde_json::Value;

/// A policy found in a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplatePolicy {
    /// Where it is, e.g. `Resources.FnRole.Properties.Policies[0].PolicyDocument`.
    pub path: String,
    /// The logical id of the resource that holds it (`FnRole`).
    pub logical_id: String,
    pub kind: PolicyKind,
    /// The document with intrinsics resolved.
    pub document: Value,
    /// Attached to a role only machines assume: AWS services (a Lambda execution role) or
    /// another account's automation presenting an `sts:ExternalId`. No human holds it, so MFA
    /// rules do not apply.
    pub service_role: bool,
    /// Findings the template's authors accepted, with their reasons (resource `Metadata`).
    pub suppressions: Vec<Suppression>,
}

/// A documented exception, declared in a resource's `Metadata`, in the manner of cfn_nag and
/// cfn-lint:
///
/// ```yaml
/// Metadata:
///   guardrail:
///     suppressions:
///       - rule: iam-policy-privilege-escalation
///         statement: RevertPolicyVersion   # the statement's Sid; omit for the whole policy
///         reason: Opt-in; IAM has no condition key limiting which version becomes default.
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rule: String,
    pub statement: Option<String>,
    /// Required: an exception nobody can explain is not accepted.
    pub reason: Option<String>,
}

impl Suppression {
    /// Whether this suppression covers a finding of `rule` in the statement with `sid`.
    pub fn covers(&self, rule: &str, sid: Option<&str>) -> bool {
        self.rule == rule && self.statement.as_deref().is_none_or(|s| Some(s) == sid)
    }
}

pub(super) fn suppressions(resource: &Value) -> Vec<Suppression> {
    let list = resource
        .get("Metadata")
        .and_then(|m| m.get("guardrail"))
        .and_then(|g| g.get("suppressions"))
        .and_then(Value::as_array);
    list.map(|items| {
        items
            .iter()
            .filter_map(|s| {
                Some(Suppression {
                    rule: s.get("rule")?.as_str()?.to_string(),
                    statement: s
                        .get("statement")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    reason: s
                        .get("reason")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_string),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Whether only machines can assume the role: every Allow trusts AWS services only, or requires
/// an `sts:ExternalId` (the cross-account automation handshake no console user performs).
pub(super) fn only_machines_trusted(trust: Option<&Value>) -> bool {
    let Some(statements) = trust.map(|t| match t.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }) else {
        return false;
    };
    !statements.is_empty()
        && statements.iter().all(|s| {
            s.get("Effect").and_then(Value::as_str) == Some("Deny")
                || s.get("Principal")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.keys().all(|k| k == "Service"))
                || requires_external_id(s)
        })
}

fn requires_external_id(statement: &Value) -> bool {
    statement
        .get("Condition")
        .and_then(Value::as_object)
        .is_some_and(|ops| {
            ops.iter().any(|(op, keys)| {
                op.starts_with("String")
                    && !op.contains("Not")
                    && keys
                        .as_object()
                        .is_some_and(|k| k.keys().any(|k| k.eq_ignore_ascii_case("sts:ExternalId")))
            })
        })
}

/// The identity policy documents written inside a resource of type `kind` (its `Properties`,
/// intrinsics resolved), each with its path below the resource
/// (`Properties.Policies[0].PolicyDocument`). One place for both [`policies`] and the template's
/// principals, so the two never disagree on where a policy is.
pub(super) fn identity_documents<'a>(kind: &str, props: &'a Value) -> Vec<(String, &'a Value)> {
    let is_doc = |d: &&Value| d.is_object();
    match kind {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => match props.get("Policies") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let doc = p.get("PolicyDocument").filter(is_doc)?;
                    Some((format!("Properties.Policies[{i}].PolicyDocument"), doc))
                })
                .collect(),
            _ => Vec::new(),
        },
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy"
        | "AWS::IAM::RolePolicy" => props
            .get("PolicyDocument")
            .filter(is_doc)
            .map(|d| vec![("Properties.PolicyDocument".to_string(), d)])
            .unwrap_or_default(),
        // SAM: Policies may hold inline documents (objects with Statement) beside managed
        // policy names and SAM policy templates, which are not documents.
        "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
            let list: Vec<&Value> = match props.get("Policies") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(other) => vec![other],
                None => Vec::new(),
            };
            list.into_iter()
                .enumerate()
                .filter(|(_, p)| p.get("Statement").is_some() && p.is_object())
                .map(|(i, p)| (format!("Properties.Policies[{i}]"), p))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Every identity, trust and resource policy the template defines.
pub fn policies(template: &Value) -> Vec<TemplatePolicy> {
    let mut out = Vec::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return out;
    };
    for (name, resource) in resources {
        let kind = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(props) = resource.get("Properties").and_then(resolve) else {
            continue;
        };
        let base = format!("Resources.{name}.Properties");
        let accepted = suppressions(resource);
        let mut push = |path: String, kind: PolicyKind, doc: Option<&Value>, service_role: bool| {
            if let Some(doc) = doc.filter(|d| d.is_object()) {
                out.push(TemplatePolicy {
                    path,
                    logical_id: name.clone(),
                    kind,
                    document: doc.clone(),
                    service_role,
                    suppressions: accepted.clone(),
                });
            }
        };
        // A role only machines assume, or a SAM function's or state machine's generated role.
        let service = match kind {
            "AWS::IAM::Role" => only_machines_trusted(props.get("AssumeRolePolicyDocument")),
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => true,
            _ => false,
        };
        if kind == "AWS::IAM::Role" {
            push(
                format!("{base}.AssumeRolePolicyDocument"),
                PolicyKind::Trust,
                props.get("AssumeRolePolicyDocument"),
                false,
            );
        }
        for (path, doc) in identity_documents(kind, &props) {
            push(
                format!("Resources.{name}.{path}"),
                PolicyKind::Identity,
                Some(doc),
                service,
            );
        }
        let resource_key = match kind {
            "AWS::SNS::TopicPolicy"
            | "AWS::SNS::TopicInlinePolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SQS::QueueInlinePolicy"
            | "AWS::S3::BucketPolicy" => Some("PolicyDocument"),
            "AWS::KMS::Key" => Some("KeyPolicy"),
            _ => None,
        };
        if let Some(key) = resource_key {
            push(
                format!("{base}.{key}"),
                PolicyKind::ResourceBased,
                props.get(key),
                false,
            );
        }
        if kind == "AWS::Lambda::Permission" {
            let doc = super::lambda_permission::document(name, &props);
            push(base, PolicyKind::ResourceBased, doc.as_ref(), false);
        }
    }
    out
}
