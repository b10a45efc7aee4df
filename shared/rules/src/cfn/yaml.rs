//! Templates as written: YAML with CloudFormation's short-form tags, read into the JSON the
//! rest of `cfn` works on. Parsing only (no I/O), so the CLI, the tests that hold the templates
//! to the rules' declarations, and `guardrail event` read templates the same way.

use serde_json::{Map, Value};

/// Parse a template (YAML or JSON, which is YAML) into its long-form JSON.
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    Ok(to_json(yaml))
}

/// YAML to JSON, turning CloudFormation short-form tags (`!Sub x`) into long form
/// (`{"Fn::Sub": x}`; `!Ref x` into `{"Ref": x}`, `!GetAtt a.b` into `{"Fn::GetAtt": [a, b]}`).
fn to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value);
            let (key, value) = match name {
                "Ref" | "Condition" => (name.to_string(), value),
                "GetAtt" => {
                    let parts = match value {
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    ("Fn::GetAtt".to_string(), parts)
                }
                other => (format!("Fn::{other}"), value),
            };
            let mut map = Map::new();
            map.insert(key, value);
            Value::Object(map)
        }
    }
}
