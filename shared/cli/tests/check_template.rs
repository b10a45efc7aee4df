//! `guardrail check-template`: the project's own template is least privilege (no findings at
//! medium or above), and a bad template is caught where it is bad.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn check(file: &str) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["check-template", "--format", "json"])
        .arg(repo(file))
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), findings)
}

#[test]
fn own_templates_pass_our_own_analyzer() {
    let (code, findings) = check("template.yaml");
    assert_eq!(code, 0, "{findings:#?}");
}

#[test]
fn bad_template_is_caught_where_it_is_bad() {
    let (code, findings) = check("tests/data/templates/bad-template.yaml");
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
