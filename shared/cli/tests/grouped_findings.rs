//! One statement's problems are one finding (issue 15 item 7): the seed's `Allow * on *` is one
//! admin finding, its MFA and escalation findings under `related` in JSON and SARIF, and no
//! separate text lines.

mod support;

use support::seed;

/// Exit code and stdout.
fn run(args: &[&str]) -> (i32, String) {
    let (code, out, _) = support::run(args);
    (code, out)
}

#[test]
fn allow_star_is_one_text_line() {
    let (code, out) = run(&["check-policy", &seed("admin-wildcard-bad.json")]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("[iam-policy-admin-wildcard]"), "{out}");
    assert!(
        lines[0]
            .contains("includes iam-policy-allows-without-mfa, iam-policy-privilege-escalation"),
        "{out}"
    );
    assert_eq!(lines[1], "1 finding(s) in 1 file");
}

#[test]
fn related_findings_and_path_ids_are_in_json_and_sarif() {
    let (_, out) = run(&[
        "check-policy",
        "--format",
        "json",
        &seed("admin-wildcard-bad.json"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    let related = arr[0]["related"].as_array().unwrap();
    let rules: Vec<&str> = related.iter().filter_map(|r| r["rule"].as_str()).collect();
    assert_eq!(
        rules,
        [
            "iam-policy-allows-without-mfa",
            "iam-policy-privilege-escalation"
        ]
    );
    let ids = related[1]["paths"].as_array().unwrap();
    assert!(ids.iter().any(|i| i == "iam-005") && ids.iter().any(|i| i == "ssm-002"));
    let (_, out) = run(&[
        "check-policy",
        "--format",
        "sarif",
        &seed("admin-wildcard-bad.json"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let related = results[0]["properties"]["related"].as_array().unwrap();
    assert_eq!(related.len(), 2);
}

#[test]
fn an_escalation_finding_names_its_path_ids() {
    let dir = std::env::temp_dir().join(format!("guardrail-grouped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("iam-lambda.json");
    std::fs::write(
        &file,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:PutRolePolicy","lambda:UpdateFunctionCode"],"Resource":"*"}}"#,
    )
    .unwrap();
    let (code, out) = run(&[
        "check-policy",
        "--format",
        "json",
        &file.display().to_string(),
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let esc: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "iam-policy-privilege-escalation")
        .collect();
    assert_eq!(esc.len(), 1, "{out}");
    assert_eq!(
        esc[0]["paths"],
        serde_json::json!(["iam-005", "lambda-003"])
    );
    assert_eq!(esc[0]["severity"], "high");
    let _ = std::fs::remove_dir_all(&dir);
}
