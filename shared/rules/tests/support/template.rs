//! The project's templates, read as the rules' declarations see them: a role's grants as
//! (action, resource) pairs with the condition keys of the statement granting them.

use guardrail_rules::cfn::from_yaml;
use guardrail_rules::permission::Resource;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub fn load(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    from_yaml(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
    template
        .pointer(&format!("/Resources/{id}"))
        .unwrap_or_else(|| panic!("no resource {id}"))
}

fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// `!If [cond, a, b]` as the role is with every option on: `a`, or `b` when `a` is nothing.
fn maximal(v: &Value) -> Option<Value> {
    if let Some(branches) = v.get("Fn::If").and_then(Value::as_array) {
        let pick = |b: Option<&Value>| b.and_then(maximal);
        return pick(branches.get(1)).or_else(|| pick(branches.get(2)));
    }
    if v.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue") {
        return None;
    }
    Some(v.clone())
}

/// A resource as written, in the declarations' terms; `Err` with the text when it is none.
fn resource_of(v: &Value, log_group: &str) -> Result<Resource, String> {
    if v.as_str() == Some("*") {
        return Ok(Resource::Any);
    }
    if let Some(sub) = v.get("Fn::Sub").and_then(Value::as_str) {
        let arn = sub
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::AccountId}", "{account}")
            .replace("${AWS::Region}", "{region}")
            .replace("${AWS::StackName}", "{stack}");
        return Ok(match arn.as_str() {
            "arn:aws:securityhub:{region}:{account}:product/{account}/default" => {
                Resource::SecurityHubProduct
            }
            "arn:aws:securityhub:{region}:{account}:hub/default" => Resource::SecurityHubHub,
            "arn:aws:iam::*:role/GuardrailRemediationRole" => Resource::MemberRole,
            _ => Resource::Arn(Box::leak(arn.into_boxed_str())),
        });
    }
    if let Some(att) = v.get("Fn::GetAtt").and_then(Value::as_array) {
        return match att.first().and_then(Value::as_str) {
            Some(g) if g == log_group => Ok(Resource::OwnLogGroup),
            Some("LedgerTable") => Ok(Resource::Ledger),
            Some("DeadLetterQueue") => Ok(Resource::DeadLetterQueue),
            _ => Err(v.to_string()),
        };
    }
    match v.get("Ref").and_then(Value::as_str) {
        Some("AlertTopic") => Ok(Resource::AlertTopic),
        _ => Err(v.to_string()),
    }
}

/// What a role grants: each (action, resource) with the condition keys of every statement
/// granting it (one set per statement). Resources the declarations cannot name are returned
/// as errors.
pub type Grants = BTreeMap<(String, Resource), Vec<BTreeSet<String>>>;

pub fn grants(role: &Value, log_group: &str) -> (Grants, Vec<String>) {
    let mut out = Grants::new();
    let mut unknown = Vec::new();
    let policies = role
        .pointer("/Properties/Policies")
        .map(list)
        .unwrap_or_default();
    for policy in policies {
        let statements = policy
            .pointer("/PolicyDocument/Statement")
            .map(list)
            .unwrap_or_default();
        for s in statements.iter().filter_map(maximal) {
            assert_eq!(s["Effect"], "Allow", "{s}");
            let keys: BTreeSet<String> = s
                .get("Condition")
                .and_then(Value::as_object)
                .map(|ops| {
                    ops.values()
                        .filter_map(Value::as_object)
                        .flat_map(|m| m.keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            for action in list(&s["Action"]) {
                let action = action.as_str().unwrap_or_default().to_string();
                for r in list(&s["Resource"]) {
                    match resource_of(&r, log_group) {
                        Ok(r) => out
                            .entry((action.clone(), r))
                            .or_default()
                            .push(keys.clone()),
                        Err(text) => unknown.push(format!("{action} on {text}")),
                    }
                }
            }
        }
    }
    (out, unknown)
}
