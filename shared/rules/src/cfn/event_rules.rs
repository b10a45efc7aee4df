//! A template's EventBridge rules: their patterns (parameters resolved to the values given,
//! else their defaults), schedules, states, conditions and targets. Used by `guardrail event`
//! (which rules receive an event) and by the wiring tests.

use super::intrinsics::{weight, weight_within, EXPANSION_FACTOR, EXPANSION_FLOOR};
use serde::Serialize;
use serde_json::Value;
use std::cell::Cell;

/// One `AWS::Events::Rule`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRule {
    /// Its logical id.
    pub id: String,
    /// The event pattern, parameters resolved; `None` for a schedule.
    pub pattern: Option<Value>,
    pub schedule: Option<String>,
    /// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: read-only CloudTrail calls reach it
    /// (a plain `ENABLED` rule never sees them).
    pub all_management_events: bool,
    /// `State: DISABLED` rules deliver nothing.
    pub enabled: bool,
    /// The template condition it is created under, if any (e.g. `IsUsEast1`).
    pub condition: Option<String>,
    /// Its targets: the logical id of a function (`!GetAtt X.Arn`), else the target as written.
    pub targets: Vec<String>,
}

/// The rules of `template`. `param` gives a parameter's value; unresolved ones fall back to
/// the template's `Default` (a `CommaDelimitedList` becomes a list).
pub fn event_rules(template: &Value, param: &dyn Fn(&str) -> Option<Value>) -> Vec<EventRule> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    // A parameter named by many `Ref`s is copied once per `Ref`: capped like the intrinsics'
    // expansion (a long default named thousands of times would otherwise multiply).
    let left = Cell::new(
        EXPANSION_FLOOR.saturating_add(EXPANSION_FACTOR.saturating_mul(weight(template))),
    );
    let charge = |v: &Value| match weight_within(v, left.get()) {
        Some(w) => {
            left.set(left.get().saturating_sub(w));
            true
        }
        None => {
            left.set(0);
            false
        }
    };
    let lookup = |name: &str| -> Option<Value> {
        if let Some(v) = param(name) {
            return charge(&v).then_some(v);
        }
        let p = template.get("Parameters")?.get(name)?;
        let default = p.get("Default")?;
        // Weighed before it is copied, so a refused copy costs nothing.
        if !charge(default) {
            return None;
        }
        match (p.get("Type").and_then(Value::as_str), default) {
            (Some("CommaDelimitedList"), Value::String(s)) => Some(Value::Array(
                s.split(',')
                    .map(|x| Value::String(x.trim().to_string()))
                    .collect(),
            )),
            _ => Some(default.clone()),
        }
    };
    let mut out = Vec::new();
    for (id, r) in resources {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::Events::Rule") {
            continue;
        }
        let props = r.get("Properties").unwrap_or(&Value::Null);
        let targets = props
            .get("Targets")
            .and_then(Value::as_array)
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        let arn = t.get("Arn").unwrap_or(&Value::Null);
                        arn.pointer("/Fn::GetAtt/0")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| arn.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(EventRule {
            id: id.clone(),
            pattern: props.get("EventPattern").map(|p| resolve(p, &lookup, 0)),
            schedule: props.get("ScheduleExpression").map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| s.to_string())
            }),
            all_management_events: props.get("State").and_then(Value::as_str)
                == Some("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
            enabled: props.get("State").and_then(Value::as_str) != Some("DISABLED"),
            condition: r
                .get("Condition")
                .and_then(Value::as_str)
                .map(str::to_string),
            targets,
        });
    }
    out
}

/// `{"Ref": P}` replaced by P's value; anything else as written (depth-capped: no recursion
/// blow-up on hostile templates).
fn resolve(v: &Value, lookup: &dyn Fn(&str) -> Option<Value>, depth: usize) -> Value {
    if depth > 64 {
        return v.clone();
    }
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => m
            .get("Ref")
            .and_then(Value::as_str)
            .and_then(lookup)
            .unwrap_or_else(|| v.clone()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve(x, lookup, depth + 1)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|x| resolve(x, lookup, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_parameter_named_many_times_is_copied_within_the_cap() {
        let refs: Vec<Value> = (0..10_000).map(|_| json!({"Ref": "Big"})).collect();
        let template = json!({
            "Parameters": {"Big": {"Type": "String", "Default": "x".repeat(100_000)},
                           "Small": {"Type": "CommaDelimitedList", "Default": "a, b"}},
            "Resources": {"R": {"Type": "AWS::Events::Rule", "Properties": {
                "EventPattern": {"account": [{"Ref": "Small"}], "detail": refs}}}}
        });
        let rules = event_rules(&template, &|_| None);
        // No clock is asserted (a quadratic version would take minutes here); the time and
        // its growth are measured by `benches/growth.rs` (bench/RESULTS.md).
        let pattern = rules[0].pattern.as_ref().unwrap();
        assert_eq!(pattern["account"], json!([["a", "b"]]));
        let detail = pattern["detail"].as_array().unwrap();
        // Copies until the cap (64 KiB + 16 x the template's 1.2 MB), then left as written.
        assert!(detail[0].is_string());
        assert_eq!(detail[9_999], json!({"Ref": "Big"}));
    }
}
