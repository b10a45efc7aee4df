//! Templates as written: YAML with CloudFormation's short-form tags, read into the JSON the
//! rest of `cfn` works on. Parsing only (no I/O), so the CLI, the tests that hold the templates
//! to the rules' declarations, and `guardrail event` read templates the same way.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;

/// Largest template read, in bytes: CloudFormation's own limit (1 MB for a template in S3,
/// 51,200 bytes passed directly), so nothing it would deploy is refused.
pub const MAX_TEMPLATE_BYTES: usize = 1024 * 1024;

/// Nodes a template may hold beyond one per byte of its text. YAML aliases repeat their
/// anchor's nodes (serde_yaml allows 100 alias jumps per event, each as large as its anchor:
/// quadratic, gigabytes from a 1 MB file), which CloudFormation does not accept anyway; a
/// template without aliases has fewer nodes than bytes.
pub const EXTRA_NODES: usize = 64 * 1024;

/// Parse a template (YAML or JSON, which is YAML) into its long-form JSON. Refused: more than
/// [`MAX_TEMPLATE_BYTES`], or aliases expanding to more than one node per byte plus
/// [`EXTRA_NODES`] (counted before anything is built).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "the template is {} bytes, over the {MAX_TEMPLATE_BYTES} byte limit",
            text.len()
        ));
    }
    let left = Cell::new(text.len().saturating_add(EXTRA_NODES));
    Count { left: &left }
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|e| e.to_string())?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    Ok(to_json(yaml))
}

/// Counts the nodes of a YAML document (aliases expanded, as they will be), building nothing,
/// and fails once there are more than `left`.
#[derive(Clone, Copy)]
struct Count<'a> {
    left: &'a Cell<usize>,
}

impl Count<'_> {
    fn node<E: de::Error>(self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "the template expands (through YAML aliases) to too many nodes",
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.node()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.node()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.node()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.node()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.node()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.node()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.node()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.node()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.node()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!Sub x`): the tag, then the value.
        use serde::de::VariantAccess;
        self.node()?;
        let (_, value) = data.variant::<de::IgnoredAny>()?;
        value.newtype_variant_seed(self)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_long_form() {
        let v = from_yaml("a: !Sub 'x-${AWS::Region}'\nb: !GetAtt R.Arn\nc: [1, true, null]\n")
            .unwrap();
        assert_eq!(v["a"]["Fn::Sub"], "x-${AWS::Region}");
        assert_eq!(v["b"]["Fn::GetAtt"], serde_json::json!(["R", "Arn"]));
        assert_eq!(v["c"], serde_json::json!([1, true, null]));
    }

    #[test]
    fn a_few_aliases_are_read() {
        let v = from_yaml("a: &x {k: [1, 2]}\nb: *x\nc: *x\n").unwrap();
        assert_eq!(v["c"]["k"], serde_json::json!([1, 2]));
    }

    #[test]
    fn alias_bombs_and_oversized_templates_are_refused() {
        // A 100,000-item anchor named 3,000 times: 3e8 nodes, refused after counting ~1.2e5.
        let anchor = vec!["0"; 100_000].join(",");
        let aliases = vec!["*a"; 3_000].join(",");
        let text = format!("a: &a [{anchor}]\nb: [{aliases}]\n");
        let err = from_yaml(&text).unwrap_err();
        assert!(err.contains("too many nodes"), "{err}");
        // No clock is asserted (a quadratic version would take minutes here); the time and
        // its growth are measured by `benches/growth.rs` (bench/RESULTS.md).
        let big = format!("a: '{}'", "x".repeat(MAX_TEMPLATE_BYTES));
        assert!(from_yaml(&big).unwrap_err().contains("byte limit"));
    }
}
