//! `guardrail check-template`: the project's own templates are least privilege (nothing at
//! medium or above, their one accepted exception documented in template Metadata), and a bad
//! template is caught where it is bad.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn run(file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["check-template", "--format", "json"])
        .arg(repo(file))
        .output()
        .unwrap()
}

fn check(file: &str) -> (i32, Vec<Value>, String) {
    let out = run(file);
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code().unwrap(),
        findings,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn own_templates_pass_our_own_analyzer() {
    for template in ["template.yaml", "templates/member.yaml"] {
        let (code, findings, stderr) = check(template);
        assert_eq!(code, 0, "{template}: {findings:#?}");
        // The one accepted exception (the opt-in policy-version revert) is announced, with its
        // reason, not silently dropped.
        assert!(
            stderr.contains("suppressed:") && stderr.contains("RevertPolicyVersion"),
            "{template}: {stderr}"
        );
    }
}

#[test]
fn bad_template_is_caught_where_it_is_bad() {
    let (code, findings, _) = check("tests/data/templates/bad-template.yaml");
    assert_eq!(code, 1);
    let has = |rule: &str, path: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["file"].as_str().unwrap_or_default().ends_with(path))
    };
    assert!(has(
        "iam-role-trust-open",
        "BadRole.Properties.AssumeRolePolicyDocument"
    ));
    assert!(has(
        "iam-policy-admin-wildcard",
        "BadRole.Properties.Policies[0].PolicyDocument"
    ));
    assert!(has(
        "iam-policy-service-wildcard",
        "Fn.Properties.Policies[1]"
    ));
}

#[test]
fn a_suppression_needs_a_reason() {
    let out = run("tests/data/templates/suppression-without-reason.yaml");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no reason"));
}

/// check-template on `template` (JSON is YAML), written to a file of its own.
fn check_value(name: &str, template: &Value) -> (i32, Vec<Value>, String) {
    let dir = std::env::temp_dir().join(format!("guardrail-check-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(template).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["check-template", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code().unwrap(),
        findings,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn allow(actions: &[&str]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

/// A managed policy of the template allowing only `s3:*`.
fn s3_only() -> Value {
    json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": allow(&["s3:*"])}})
}

fn ec2_trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
}

/// An admin role, capped by `boundary` when given.
fn admin_role(boundary: Option<Value>) -> Value {
    let mut props = json!({
        "AssumeRolePolicyDocument": ec2_trust(),
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]
    });
    if let Some(b) = boundary {
        props["PermissionsBoundary"] = b;
    }
    json!({"Type": "AWS::IAM::Role", "Properties": props})
}

fn rules_of(findings: &[Value]) -> Vec<&str> {
    findings.iter().filter_map(|f| f["rule"].as_str()).collect()
}

#[test]
fn a_boundary_of_the_template_caps_an_admin_role() {
    let capped = json!({"Resources": {
        "Role": admin_role(Some(json!({"Ref": "S3Only"}))),
        "S3Only": s3_only()
    }});
    let (code, findings, stderr) = check_value("capped-role", &capped);
    // Not admin, and the boundary's own `s3:*` grants nothing: no service wildcard either.
    assert_eq!((code, rules_of(&findings)), (0, vec![]), "{findings:#?}");
    assert!(!stderr.contains("note:"), "{stderr}");

    let uncapped = json!({"Resources": {"Role": admin_role(None)}});
    let (code, findings, _) = check_value("uncapped-role", &uncapped);
    assert_eq!(code, 1);
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "iam-policy-admin-wildcard"
                && f["severity"] == "critical"
                && f["file"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("#Resources.Role (AWS managed policy AdministratorAccess)")),
        "{findings:#?}"
    );
}

#[test]
fn a_sam_function_with_a_boundary_is_capped_too() {
    let function = |boundary: Option<Value>| {
        let mut props = json!({"Handler": "bootstrap", "Runtime": "provided.al2023",
            "CodeUri": ".", "Policies": ["AdministratorAccess"]});
        if let Some(b) = boundary {
            props["PermissionsBoundary"] = b;
        }
        json!({"Type": "AWS::Serverless::Function", "Properties": props})
    };
    let capped = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Fn": function(Some(json!({"Ref": "S3Only"}))),
        "S3Only": s3_only()
    }});
    let (code, findings, _) = check_value("capped-function", &capped);
    assert_eq!((code, rules_of(&findings)), (0, vec![]), "{findings:#?}");

    let uncapped = json!({"Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Fn": function(None)}});
    let (code, findings, _) = check_value("uncapped-function", &uncapped);
    assert_eq!(code, 1);
    assert!(
        rules_of(&findings).contains(&"iam-policy-admin-wildcard"),
        "{findings:#?}"
    );
}

#[test]
fn an_unknown_boundary_is_noted_and_the_role_judged_without_it() {
    let template = json!({"Resources": {
        "Role": admin_role(Some(json!("arn:aws:iam::123456789012:policy/elsewhere")))
    }});
    let (code, findings, stderr) = check_value("unknown-boundary", &template);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("note:")
            && stderr.contains("arn:aws:iam::123456789012:policy/elsewhere")
            && stderr.contains("judged without it"),
        "{stderr}"
    );
    let admin = findings
        .iter()
        .find(|f| f["rule"] == "iam-policy-admin-wildcard")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        admin["message"]
            .as_str()
            .unwrap_or_default()
            .contains("judged without: its permissions boundary"),
        "{admin:#?}"
    );
}

#[test]
fn an_escalation_two_policies_grant_together_is_found() {
    let role = |policies: &[Value]| {
        let policies: Vec<Value> = policies
            .iter()
            .enumerate()
            .map(|(i, doc)| json!({"PolicyName": format!("p{i}"), "PolicyDocument": doc}))
            .collect();
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": ec2_trust(),
            "Policies": policies
        }})
    };
    let pass = allow(&["iam:PassRole"]);
    let lambda = allow(&["lambda:CreateFunction", "lambda:InvokeFunction"]);
    let template = json!({"Resources": {
        "Both": role(&[pass.clone(), lambda.clone()]),
        "PassOnly": role(&[pass]),
        "LambdaOnly": role(&[lambda])
    }});
    let (code, findings, _) = check_value("two-policies", &template);
    assert_eq!(code, 1);
    let escalations: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "iam-policy-privilege-escalation")
        .collect();
    // One finding, for the role holding both, at the statement that passes the role.
    assert_eq!(escalations.len(), 1, "{findings:#?}");
    let f = escalations[0];
    assert!(
        f["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("#Resources.Both.Properties.Policies[0].PolicyDocument"),
        "{f:#?}"
    );
    assert!(
        f["paths"]
            .as_array()
            .is_some_and(|p| p.iter().any(|id| id == "lambda-001")),
        "{f:#?}"
    );
}
