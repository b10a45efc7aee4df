//! Resolving intrinsic functions to placeholder values.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The account id `AWS::AccountId` resolves to (pass it as the analysis' own account).
pub const PSEUDO_ACCOUNT: &str = "123456789012";
const PSEUDO_REGION: &str = "us-east-1";

/// How deep intrinsic functions may nest before the value is given up on.
const MAX_DEPTH: usize = 32;

/// The text `Fn::Sub` and `Fn::Join` may produce in one [`resolve`]: this floor plus
/// [`EXPANSION_FACTOR`] times the size of the value resolved ([`weight`]). Without a cap a
/// `Fn::Sub` whose variable is a `Fn::Sub` naming its own variable twice doubles per level
/// (2^32 at the nesting limit), and a long `Fn::Join` separator repeats once per item. Real
/// templates stay far below it (a policy document is at most a few tens of KB, the template
/// itself at most 1 MB); a string over it resolves to [`TOO_LARGE`].
pub const EXPANSION_FLOOR: usize = 64 * 1024;
/// See [`EXPANSION_FLOOR`].
pub const EXPANSION_FACTOR: usize = 16;
/// What a string over the expansion cap resolves to.
pub const TOO_LARGE: &str = "UNRESOLVED-TOO-LARGE";

/// The text one resolution may still produce.
struct Budget {
    left: usize,
}

impl Budget {
    fn for_value(value: &Value) -> Budget {
        Budget {
            left: EXPANSION_FLOOR.saturating_add(EXPANSION_FACTOR.saturating_mul(weight(value))),
        }
    }

    /// Take `n` bytes; once the budget is exceeded it stays exhausted.
    fn take(&mut self, n: usize) -> bool {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                true
            }
            None => {
                self.left = 0;
                false
            }
        }
    }
}

/// The size of a value as the expansion cap counts it: the bytes of its strings and keys plus
/// one per node (iterative: no recursion on deep values).
pub fn weight(value: &Value) -> usize {
    weight_within(value, usize::MAX).unwrap_or(usize::MAX)
}

/// [`weight`], or `None` as soon as it is over `limit` (so weighing costs at most `limit`).
pub fn weight_within(value: &Value, limit: usize) -> Option<usize> {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(1);
        match v {
            Value::String(s) => total = total.saturating_add(s.len()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, v) in map {
                    total = total.saturating_add(k.len());
                    stack.push(v);
                }
            }
            _ => {}
        }
        if total > limit {
            return None;
        }
    }
    Some(total)
}

/// Resolve intrinsics in a value. `None` means `AWS::NoValue`: the element is to be dropped.
pub fn resolve(value: &Value) -> Option<Value> {
    resolve_at(value, 0, &mut Budget::for_value(value))
}

fn resolve_at(value: &Value, depth: usize, budget: &mut Budget) -> Option<Value> {
    if depth > MAX_DEPTH {
        return Some(Value::String("UNRESOLVED".to_string()));
    }
    match value {
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|v| resolve_at(v, depth + 1, budget))
                .collect(),
        )),
        Value::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            match intrinsic(key, arg, depth, budget) {
                Some(resolved) => resolved,
                None => Some(Value::Object(object(map, depth, budget))),
            }
        }
        Value::Object(map) => Some(Value::Object(object(map, depth, budget))),
        other => Some(other.clone()),
    }
}

fn object(map: &Map<String, Value>, depth: usize, budget: &mut Budget) -> Map<String, Value> {
    map.iter()
        .filter_map(|(k, v)| resolve_at(v, depth + 1, budget).map(|v| (k.clone(), v)))
        .collect()
}

fn text(v: &Value, depth: usize, budget: &mut Budget) -> String {
    as_text(resolve_at(v, depth + 1, budget))
}

/// A resolved value as the text `Fn::Sub` and `Fn::Join` put in.
fn as_text(v: Option<Value>) -> String {
    match v {
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

/// `${Name}` substitution of `Fn::Sub`; `${!Literal}` stays `${Literal}`. Each variable is
/// resolved once however often it is named, and the result is charged to the budget.
fn substitute(
    template: &str,
    vars: Option<&Map<String, Value>>,
    depth: usize,
    budget: &mut Budget,
) -> String {
    let mut resolved: BTreeMap<&str, String> = BTreeMap::new();
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        if !push(&mut out, rest.get(..start).unwrap_or_default(), budget.left) {
            return too_large(budget);
        }
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            if !push(&mut out, rest.get(start..).unwrap_or_default(), budget.left) {
                return too_large(budget);
            }
            return charged(out, budget);
        };
        let name = after.get(..end).unwrap_or_default();
        let fits = if let Some(literal) = name.strip_prefix('!') {
            push(&mut out, &format!("${{{literal}}}"), budget.left)
        } else if let Some((key, v)) = vars.and_then(|vars| vars.get_key_value(name)) {
            if !resolved.contains_key(key.as_str()) {
                let value = text(v, depth, budget);
                resolved.insert(key.as_str(), value);
            }
            let value = resolved.get(key.as_str()).map(String::as_str);
            push(&mut out, value.unwrap_or_default(), budget.left)
        } else if let Some((res, attr)) = name.split_once('.') {
            push(&mut out, &get_att(res, attr), budget.left)
        } else {
            match reference(name) {
                Some(Value::String(s)) => push(&mut out, &s, budget.left),
                _ => push(&mut out, "UNRESOLVED", budget.left),
            }
        };
        if !fits {
            return too_large(budget);
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    if !push(&mut out, rest, budget.left) {
        return too_large(budget);
    }
    charged(out, budget)
}

/// Append `piece` unless `out` would grow past what the budget has left.
fn push(out: &mut String, piece: &str, left: usize) -> bool {
    if out.len().saturating_add(piece.len()) > left {
        return false;
    }
    out.push_str(piece);
    true
}

/// `out`, charged to the budget (or the over-the-cap placeholder).
fn charged(out: String, budget: &mut Budget) -> String {
    if budget.take(out.len()) {
        out
    } else {
        TOO_LARGE.to_string()
    }
}

fn too_large(budget: &mut Budget) -> String {
    budget.left = 0;
    TOO_LARGE.to_string()
}

/// `Some(resolved)` when `key` is an intrinsic (whose result may itself be `None`, NoValue).
fn intrinsic(key: &str, arg: &Value, depth: usize, budget: &mut Budget) -> Option<Option<Value>> {
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
            Value::String(t) => s(substitute(t, None, depth, budget)),
            Value::Array(a) => {
                let t = a.first().and_then(Value::as_str).unwrap_or_default();
                let vars = a.get(1).and_then(Value::as_object);
                s(substitute(t, vars, depth, budget))
            }
            _ => s("UNRESOLVED".to_string()),
        },
        "Fn::Join" => {
            let sep = arg.get(0).and_then(Value::as_str).unwrap_or_default();
            let parts = match arg.get(1).and_then(|v| resolve_at(v, depth + 1, budget)) {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .map(|v| as_text(Some(v)))
                    .collect::<Vec<_>>(),
                _ => vec!["UNRESOLVED".to_string()],
            };
            let seps = sep.len().saturating_mul(parts.len().saturating_sub(1));
            let total = parts.iter().fold(seps, |n, p| n.saturating_add(p.len()));
            if budget.take(total) {
                s(parts.join(sep))
            } else {
                s(TOO_LARGE.to_string())
            }
        }
        // A condition's outcome is unknown: judge the first branch that is a value (the
        // enabled case, by this project's convention), so an optional grant is still checked.
        "Fn::If" => {
            let first = arg.get(1).and_then(|v| resolve_at(v, depth + 1, budget));
            let second = arg.get(2).and_then(|v| resolve_at(v, depth + 1, budget));
            Some(first.or(second))
        }
        "Fn::Select" => {
            let idx = arg
                .get(0)
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
            let list = arg.get(1).and_then(|v| resolve_at(v, depth + 1, budget));
            let item = match (idx, list) {
                (Some(i), Some(Value::Array(items))) => usize::try_from(i)
                    .ok()
                    .and_then(|i| items.into_iter().nth(i)),
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

    /// `Fn::Sub` whose variable is a `Fn::Sub` naming its own variable twice, `levels` deep.
    fn doubling_sub(levels: usize) -> Value {
        let mut v = json!("ab");
        for _ in 0..levels {
            v = json!({"Fn::Sub": ["${X}${X}", {"X": v}]});
        }
        v
    }

    #[test]
    fn sub_fan_out_is_capped() {
        // 2^10 x 2 bytes: under the cap, exact.
        let r = resolve(&doubling_sub(10)).unwrap();
        assert_eq!(r.as_str().map(str::len), Some(2048));
        // 2^32 x 2 bytes at the nesting limit: the placeholder, at once.
        let r = resolve(&doubling_sub(MAX_DEPTH)).unwrap();
        // No clock is asserted (a quadratic version would take minutes here); the time and
        // its growth are measured by `benches/growth.rs` (bench/RESULTS.md).
        assert_eq!(r, json!(TOO_LARGE));
        let r = resolve(&doubling_sub(20)).unwrap();
        assert_eq!(r, json!(TOO_LARGE));
    }

    #[test]
    fn join_separators_are_capped() {
        let sep = "x".repeat(10_000);
        let items: Vec<Value> = (0..10_000).map(|_| json!("")).collect();
        let r = resolve(&json!({"Fn::Join": [sep, items]})).unwrap();
        assert_eq!(r, json!(TOO_LARGE));
        let r = resolve(&json!({"Fn::Join": ["--", ["a", "b", "c"]]})).unwrap();
        assert_eq!(r, json!("a--b--c"));
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
