//! `AWS::Lambda::Permission`: the statement Lambda adds to the function's resource policy,
//! built from the resource's properties as `lambda get-policy` shows it, so the policy engine
//! judges a permission like any other resource policy (`resource-policy-public`).

use super::intrinsics::PSEUDO_ACCOUNT;
use serde_json::{json, Map, Value};

/// The one-statement policy of a permission, `None` when it names no action or principal.
/// `logical_id` becomes the statement's Sid (Lambda's `StatementId`), so a suppression can
/// name it.
pub(super) fn document(logical_id: &str, props: &Value) -> Option<Value> {
    // YAML writes an unquoted account id (`SourceAccount: 123456789012`) as a number.
    let owned: std::collections::BTreeMap<&str, String> = props
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.as_str(), s.clone())),
            Value::Number(n) => Some((k.as_str(), n.to_string())),
            _ => None,
        })
        .collect();
    let text = |key: &str| owned.get(key).map(String::as_str);
    let function = function_arn(text("FunctionName").unwrap_or("UNRESOLVED"));
    permission_policy(logical_id, text, function)
}

/// The one-statement policy of a permission whose fields `text` gives by their
/// CloudFormation names (`Action`, `Principal`, `SourceArn`, ...), on `function` (an ARN):
/// the template's resource, or an `AddPermission` call's request (`resource-policy-public` on
/// the event). `None` when it names no action or principal.
pub fn permission_policy<'a>(
    sid: &str,
    text: impl Fn(&str) -> Option<&'a str>,
    function: String,
) -> Option<Value> {
    let action = text("Action")?;
    let principal = match text("Principal")? {
        "*" => json!("*"),
        p if is_service(p) => json!({ "Service": p }),
        // An ARN, an account id, or a value left unresolved (`!Ref Param`): an AWS principal,
        // never taken for a service (which would read as any account's resource).
        p => json!({ "AWS": p }),
    };
    let mut conditions: Map<String, Value> = Map::new();
    let mut add = |operator: &str, key: &str, value: Option<&str>| {
        if let Some(v) = value {
            let entry = conditions
                .entry(operator.to_string())
                .or_insert_with(|| json!({}));
            if let Some(map) = entry.as_object_mut() {
                map.insert(key.to_string(), json!(v));
            }
        }
    };
    add("ArnLike", "aws:SourceArn", text("SourceArn"));
    add("StringEquals", "aws:SourceAccount", text("SourceAccount"));
    add("StringEquals", "aws:PrincipalOrgID", text("PrincipalOrgID"));
    add(
        "StringEquals",
        "lambda:EventSourceToken",
        text("EventSourceToken"),
    );
    add(
        "StringEquals",
        "lambda:FunctionUrlAuthType",
        text("FunctionUrlAuthType"),
    );
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": function,
    });
    if !conditions.is_empty() {
        if let Some(s) = statement.as_object_mut() {
            s.insert("Condition".to_string(), Value::Object(conditions));
        }
    }
    Some(json!({ "Version": "2012-10-17", "Statement": [statement] }))
}

/// The function's ARN: as written when it is one, else built from its name (a `!Ref` or a
/// placeholder `!GetAtt` ARN names the function last).
fn function_arn(name: &str) -> String {
    if name.starts_with("arn:aws:lambda:") {
        return name.to_string();
    }
    let name = name.rsplit(':').next().unwrap_or(name);
    format!("arn:aws:lambda:us-east-1:{PSEUDO_ACCOUNT}:function:{name}")
}

/// A service principal's shape: a DNS name of AWS's (`s3.amazonaws.com`,
/// `alexa-appkit.amazon.com`, `...amazonaws.com.cn`).
fn is_service(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    p.contains('.')
        && !p.starts_with("arn:")
        && [".amazonaws.com", ".amazon.com", ".amazonaws.com.cn"]
            .iter()
            .any(|suffix| p.ends_with(suffix))
}
