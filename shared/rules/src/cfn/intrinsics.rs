//! Resolving intrinsic functions to placeholder values.

use serde_json::{Map, Value};

/// The account id `AWS::AccountId` resolves to (pass it as the analysis' own account).
pub const PSEUDO_ACCOUNT: &str = "123456789012";
const PSEUDO_REGION: &str = "us-east-1";

/// How deep intrinsic functions may nest before the value is given up on.
const MAX_DEPTH: usize = 32;

/// Resolve intrinsics in a value. `None` means `AWS::NoValue`: the element is to be dropped.
pub fn resolve(value: &Value) -> Option<Value> {
    resolve_at(value, 0)
}

fn resolve_at(value: &Value, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return Some(Value::String("UNRESOLVED".to_string()));
    }
    match value {
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|v| resolve_at(v, depth + 1))
                .collect(),
        )),
        Value::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            match intrinsic(key, arg, depth) {
                Some(resolved) => resolved,
                None => Some(Value::Object(object(map, depth))),
            }
        }
        Value::Object(map) => Some(Value::Object(object(map, depth))),
        other => Some(other.clone()),
    }
}

fn object(map: &Map<String, Value>, depth: usize) -> Map<String, Value> {
    map.iter()
        .filter_map(|(k, v)| resolve_at(v, depth + 1).map(|v| (k.clone(), v)))
        .collect()
}

fn text(v: &Value, depth: usize) -> String {
    match resolve_at(v, depth + 1) {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "UNRESOLVED".to_string(),
    }
}

fn reference(name: &str) -> Option<Value> {
    let s = match name {
        "AWS::NoValue" => return None,
        "AWS::AccountId" => PSEUDO_ACCOUNT.to_string(),
        "AWS::Region" => PSEUDO_REGION.to_string(),
        "AWS::Partition" => "aws".to_string(),
        "AWS::URLSuffix" => "amazonaws.com".to_string(),
        "AWS::StackName" => "stack".to_string(),
        other => format!("REF-{other}"),
    };
    Some(Value::String(s))
}

fn get_att(resource: &str, attribute: &str) -> String {
    match attribute {
        "Arn" => format!("arn:aws:placeholder:{PSEUDO_REGION}:{PSEUDO_ACCOUNT}:{resource}"),
        other => format!("{resource}.{other}"),
    }
}

/// `${Name}` substitution of `Fn::Sub`; `${!Literal}` stays `${Literal}`.
fn substitute(template: &str, vars: &Map<String, Value>, depth: usize) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or_default());
            return out;
        };
        let name = after.get(..end).unwrap_or_default();
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str(&format!("${{{literal}}}"));
        } else if let Some(v) = vars.get(name) {
            out.push_str(&text(v, depth));
        } else if let Some((res, attr)) = name.split_once('.') {
            out.push_str(&get_att(res, attr));
        } else {
            match reference(name) {
                Some(Value::String(s)) => out.push_str(&s),
                _ => out.push_str("UNRESOLVED"),
            }
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// `Some(resolved)` when `key` is an intrinsic (whose result may itself be `None`, NoValue).
fn intrinsic(key: &str, arg: &Value, depth: usize) -> Option<Option<Value>> {
    let s = |v: String| Some(Some(Value::String(v)));
    match key {
        "Ref" => Some(arg.as_str().and_then(reference)),
        "Fn::GetAtt" => {
            let (res, attr) = match arg {
                Value::Array(a) => (
                    a.first()
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    a.get(1)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ),
                Value::String(s) => {
                    let (r, a) = s.split_once('.').unwrap_or((s, ""));
                    (r.to_string(), a.to_string())
                }
                _ => return s("UNRESOLVED".to_string()),
            };
            s(get_att(&res, &attr))
        }
        "Fn::Sub" => match arg {
            Value::String(t) => s(substitute(t, &Map::new(), depth)),
            Value::Array(a) => {
                let t = a.first().and_then(Value::as_str).unwrap_or_default();
                let vars = a
                    .get(1)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                s(substitute(t, &vars, depth))
            }
            _ => s("UNRESOLVED".to_string()),
        },
        "Fn::Join" => {
            let sep = arg.get(0).and_then(Value::as_str).unwrap_or_default();
            let parts = match arg.get(1).and_then(|v| resolve_at(v, depth + 1)) {
                Some(Value::Array(items)) => {
                    items.iter().map(|v| text(v, depth)).collect::<Vec<_>>()
                }
                _ => vec!["UNRESOLVED".to_string()],
            };
            s(parts.join(sep))
        }
        // A condition's outcome is unknown: judge the first branch that is a value (the
        // enabled case, by this project's convention), so an optional grant is still checked.
        "Fn::If" => {
            let first = arg.get(1).and_then(|v| resolve_at(v, depth + 1));
            let second = arg.get(2).and_then(|v| resolve_at(v, depth + 1));
            Some(first.or(second))
        }
        "Fn::Select" => {
            let idx = arg
                .get(0)
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
            let list = arg.get(1).and_then(|v| resolve_at(v, depth + 1));
            let item = match (idx, list) {
                (Some(i), Some(Value::Array(items))) => {
                    usize::try_from(i).ok().and_then(|i| items.get(i).cloned())
                }
                _ => None,
            };
            Some(Some(
                item.unwrap_or_else(|| Value::String("UNRESOLVED".to_string())),
            ))
        }
        k if k.starts_with("Fn::") || k == "Condition" => s(format!("UNRESOLVED-{k}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_common_intrinsics() {
        let v = json!({
            "a": {"Fn::Sub": "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:volume/*"},
            "b": {"Ref": "Topic"},
            "c": {"Fn::GetAtt": ["Table", "Arn"]},
            "d": [{"Ref": "AWS::NoValue"}, "x"],
            "e": {"Fn::If": ["Cond", {"Ref": "AWS::NoValue"}, "y"]},
            "f": {"Fn::Join": [":", ["a", {"Ref": "AWS::Region"}]]}
        });
        let r = resolve(&v).unwrap();
        assert_eq!(r["a"], "arn:aws:ec2:*:123456789012:volume/*");
        assert_eq!(r["b"], "REF-Topic");
        assert_eq!(r["c"], "arn:aws:placeholder:us-east-1:123456789012:Table");
        assert_eq!(r["d"], json!(["x"]));
        assert_eq!(r["e"], "y");
        assert_eq!(r["f"], "a:us-east-1");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = json!("x");
        for _ in 0..200 {
            v = json!({"Fn::Join": ["", [v]]});
        }
        assert!(resolve(&v).is_some());
    }
}
