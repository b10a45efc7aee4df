//! SAM policy templates (`Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Table}}]`), expanded
//! as the SAM translator expands them, so a function's templated grants are judged like any
//! other policy instead of passing unseen.
//!
//! The templates are AWS SAM's own list, `samtranslator/policy_templates_data/policy_templates.json`
//! of aws/serverless-application-model at commit 7000d0a3b0e5e0d9fca014ce135850718aad1290,
//! Copyright 2018 Amazon.com, Inc. or its affiliates, licensed under the Apache License 2.0
//! (the file's `notice` field says so too). `scripts/gen-sam-policy-templates.py` writes the
//! compact copy `sam_policy_templates.json` beside this file (committed: the project never reads
//! the source at build or run time). It is embedded and parsed once, on first use, through a
//! `OnceLock`, as the action catalogue is: Lambdas that never see a template pay nothing.
//!
//! SAM substitutes only the template's own parameters, and only through `Ref` (the definitions
//! reach them from `Fn::Sub` through the variable map). `${Param}` written straight into a
//! `Fn::Sub` string is substituted too, so a future template written that way still expands.
//! What remains (`${AWS::Partition}`, ...) is left to [`resolve`], like any template value.

use super::intrinsics::resolve;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;
use thiserror::Error;

static DATA: &str = include_str!("sam_policy_templates.json");

/// Why a SAM policy template could not be expanded. SAM itself rejects the first three, so the
/// template would not deploy as written; check-template reports them rather than skip the grant.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SamTemplateError {
    /// Not in the bundled list: misspelt, or newer than the bundled copy of SAM's list.
    #[error("unknown SAM policy template {name:?}")]
    UnknownTemplate { name: String },
    /// SAM needs a value for every parameter (`InsufficientParameterValues`).
    #[error("SAM policy template {name} has no value for {}", missing.join(", "))]
    MissingParameters { name: String, missing: Vec<String> },
    /// SAM needs a mapping of parameter values, `{}` when there are none
    /// (`InvalidParameterValues`).
    #[error("SAM policy template {name} needs a mapping of parameter values (`{{}}` for none)")]
    InvalidParameters { name: String },
    /// The bundled data does not parse: a bad regeneration, caught by the tests.
    #[error("bundled SAM policy templates are unreadable: {0}")]
    Data(String),
}

#[derive(Debug, Deserialize)]
struct Bundle {
    templates: HashMap<String, Template>,
}

#[derive(Debug, Deserialize)]
struct Template {
    parameters: Vec<String>,
    definition: Value,
}

fn bundle() -> Result<&'static Bundle, SamTemplateError> {
    static BUNDLE: OnceLock<Result<Bundle, String>> = OnceLock::new();
    BUNDLE
        .get_or_init(|| serde_json::from_str(DATA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| SamTemplateError::Data(e.clone()))
}

/// Whether `name` is a SAM policy template (as opposed to, say, a misspelt `Statement`).
pub fn is_template(name: &str) -> bool {
    bundle().is_ok_and(|b| b.templates.contains_key(name))
}

/// The names of every bundled template, sorted.
pub fn template_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = bundle()
        .map(|b| b.templates.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// Expand template `name` with `parameters` (the mapping written under its name, intrinsics
/// already resolved by [`resolve`]) into the policy statements SAM would put in the role.
pub fn expand(name: &str, parameters: &Value) -> Result<Vec<Value>, SamTemplateError> {
    let template =
        bundle()?
            .templates
            .get(name)
            .ok_or_else(|| SamTemplateError::UnknownTemplate {
                name: name.to_string(),
            })?;
    let Some(given) = parameters.as_object() else {
        return Err(SamTemplateError::InvalidParameters {
            name: name.to_string(),
        });
    };
    let missing: Vec<String> = template
        .parameters
        .iter()
        .filter(|p| !given.contains_key(p.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(SamTemplateError::MissingParameters {
            name: name.to_string(),
            missing,
        });
    }
    // Only the template's own parameters, as SAM does: a stray key must not reach a `Ref` the
    // template did not mean as a parameter.
    let values: Map<String, Value> = template
        .parameters
        .iter()
        .filter_map(|p| Some((p.clone(), given.get(p)?.clone())))
        .collect();
    let substituted = substitute(&template.definition, &values);
    let statements = resolve(&substituted)
        .and_then(|d| d.get("Statement").cloned())
        .unwrap_or(Value::Null);
    Ok(match statements {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    })
}

/// Replace `{"Ref": Param}` with the parameter's value and hand `${Param}` in a `Fn::Sub`
/// string to that `Fn::Sub`'s variable map. Recursion is bounded by the bundled definitions,
/// which are shallow; parameter values are inserted, never walked.
fn substitute(value: &Value, params: &Map<String, Value>) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, params)).collect()),
        Value::Object(map) if map.len() == 1 => {
            if let Some(Value::String(name)) = map.get("Ref") {
                if let Some(v) = params.get(name) {
                    return v.clone();
                }
            }
            if let Some(sub) = map.get("Fn::Sub") {
                return sub_with(sub, params);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), substitute(v, params)))
                    .collect(),
            )
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, params)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `Fn::Sub` in its list form, with every parameter its string names (and its own map does not)
/// added to its variable map.
fn sub_with(sub: &Value, params: &Map<String, Value>) -> Value {
    let (text, vars) = match sub {
        Value::String(t) => (t.clone(), Map::new()),
        Value::Array(a) => (
            a.first()
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            a.get(1)
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), substitute(v, params)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        other => return substitute(other, params),
    };
    let mut vars = vars;
    for (name, v) in params {
        if text.contains(&format!("${{{name}}}")) && !vars.contains_key(name) {
            vars.insert(name.clone(), v.clone());
        }
    }
    let mut map = Map::new();
    map.insert(
        "Fn::Sub".to_string(),
        Value::Array(vec![Value::String(text), Value::Object(vars)]),
    );
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_bundle_parses_and_holds_every_template() {
        let names = template_names();
        assert_eq!(names.len(), 81, "{names:?}");
        assert!(names.contains(&"DynamoDBCrudPolicy"));
        // Every template expands with a placeholder for each of its parameters.
        let b = bundle().unwrap();
        for name in names {
            let params: Map<String, Value> = b.templates[name]
                .parameters
                .iter()
                .map(|p| (p.clone(), json!(format!("REF-{p}"))))
                .collect();
            let statements = expand(name, &Value::Object(params)).unwrap();
            assert!(!statements.is_empty(), "{name}");
            let text = serde_json::to_string(&statements).unwrap();
            // Nothing left unsubstituted: no intrinsic, no parameter.
            assert!(
                !text.contains("Fn::") && !text.contains("\"Ref\""),
                "{name}: {text}"
            );
            assert!(!text.contains("UNRESOLVED"), "{name}: {text}");
        }
    }

    /// The committed copy is SAM's list, template for template (when the reference copy beside
    /// the repo is there to compare with).
    #[test]
    fn the_bundle_matches_its_source() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/sam-policy-templates/policy_templates.json");
        let Ok(text) = std::fs::read_to_string(&src) else {
            println!("skipped: {} is absent", src.display());
            return;
        };
        let source: Value = serde_json::from_str(&text).unwrap();
        let source = source["Templates"].as_object().unwrap();
        let b = bundle().unwrap();
        assert_eq!(source.len(), b.templates.len());
        for (name, t) in source {
            let ours = &b.templates[name.as_str()];
            assert_eq!(ours.definition, t["Definition"], "{name}");
            let mut params: Vec<String> = t["Parameters"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            params.sort();
            assert_eq!(ours.parameters, params, "{name}");
        }
    }

    #[test]
    fn no_template_uses_policy_variables() {
        // Why principals may give expansions Version 2012-10-17 where SAM writes none.
        assert!(!DATA.contains("${aws:"));
    }

    #[test]
    fn dynamodb_crud_is_scoped_to_the_table() {
        let s = expand("DynamoDBCrudPolicy", &json!({"TableName": "REF-Table"})).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0]["Effect"], "Allow");
        assert!(s[0]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("dynamodb:PutItem")));
        assert_eq!(
            s[0]["Resource"],
            json!([
                "arn:aws:dynamodb:us-east-1:123456789012:table/REF-Table",
                "arn:aws:dynamodb:us-east-1:123456789012:table/REF-Table/index/*"
            ])
        );
    }

    #[test]
    fn s3_read_names_the_bucket_and_its_objects() {
        let s = expand("S3ReadPolicy", &json!({"BucketName": "my-bucket"})).unwrap();
        assert_eq!(
            s[0]["Resource"],
            json!(["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"])
        );
        assert!(s[0]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("s3:GetObject")));
    }

    #[test]
    fn a_template_without_parameters_takes_an_empty_mapping() {
        let s = expand("CloudWatchPutMetricPolicy", &json!({})).unwrap();
        assert_eq!(s[0]["Action"], json!(["cloudwatch:PutMetricData"]));
        assert_eq!(s[0]["Resource"], "*");
        // SAM rejects a missing mapping; so do we, with a reason rather than an empty grant.
        assert_eq!(
            expand("CloudWatchPutMetricPolicy", &Value::Null),
            Err(SamTemplateError::InvalidParameters {
                name: "CloudWatchPutMetricPolicy".into()
            })
        );
    }

    #[test]
    fn unknown_template_and_missing_parameter_are_typed_errors() {
        assert_eq!(
            expand("NoSuchPolicy", &json!({})),
            Err(SamTemplateError::UnknownTemplate {
                name: "NoSuchPolicy".into()
            })
        );
        let err = expand("DynamoDBCrudPolicy", &json!({"Table": "x"})).unwrap_err();
        assert_eq!(
            err,
            SamTemplateError::MissingParameters {
                name: "DynamoDBCrudPolicy".into(),
                missing: vec!["TableName".into()]
            }
        );
        assert!(err.to_string().contains("TableName"));
    }

    #[test]
    fn only_the_templates_own_parameters_are_substituted() {
        // A stray value never reaches the definition; pseudo parameters stay pseudo.
        let s = expand(
            "SQSPollerPolicy",
            &json!({"QueueName": "q", "AWS::Region": "evil"}),
        )
        .unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            text.contains("us-east-1") && !text.contains("evil"),
            "{text}"
        );
    }

    #[test]
    fn a_parameter_named_in_a_sub_string_is_substituted() {
        let params: Map<String, Value> = [("Name".to_string(), json!("x"))].into_iter().collect();
        let v = substitute(
            &json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Name}"}),
            &params,
        );
        assert_eq!(resolve(&v).unwrap(), json!("arn:aws:s3:::x"));
    }
}
