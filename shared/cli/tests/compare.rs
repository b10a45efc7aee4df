//! `guardrail check-policy --compare OLD FILE`: the "no new access" proof on a change.

mod support;

use support::{run, seed};

#[test]
fn a_widened_policy_reports_new_access_with_example_requests() {
    let (code, out, err) = run(&[
        "check-policy",
        "--format",
        "json",
        "--compare",
        &seed("s3-get-put-bucket.json"),
        &seed("s3-service-wildcard.json"),
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "iam-policy-new-access")
        .expect("a new-access finding");
    let actions: Vec<&str> = f["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(actions.contains(&"s3:DeleteBucket"));
    // GetObject was allowed before on your-bucket/*; s3:* on * allows it elsewhere too.
    assert!(actions.contains(&"s3:GetObject"));
    let first = &f["requests"][0];
    assert_eq!(first["old_verdict"], "ImplicitDeny");
    assert!(first["resource"].as_str().is_some());
    assert_eq!(f["statement"]["index"], 0);
}

#[test]
fn a_narrowed_or_unchanged_policy_has_no_new_access() {
    for (old, new) in [
        ("s3-service-wildcard.json", "s3-get-put-bucket.json"),
        ("s3-get-put-bucket.json", "s3-get-put-bucket.json"),
    ] {
        let (code, out, err) = run(&["check-policy", "--compare", &seed(old), &seed(new)]);
        assert!(
            !out.contains("iam-policy-new-access"),
            "{old} -> {new}: {out}"
        );
        assert_eq!(code, 0, "{old} -> {new}: {out}{err}");
    }
}

#[test]
fn text_output_prints_the_examples_under_the_finding() {
    let (_, out, _) = run(&[
        "check-policy",
        "--compare",
        &seed("s3-get-put-bucket.json"),
        &seed("s3-service-wildcard.json"),
    ]);
    let line = out
        .lines()
        .position(|l| l.contains("[iam-policy-new-access]"))
        .expect("the finding line");
    let next = out.lines().nth(line + 1).unwrap_or_default();
    assert!(next.trim_start().starts_with("e.g. s3:"), "{out}");
    assert!(next.contains("not allowed before"), "{next}");
}

#[test]
fn trust_policies_are_refused_with_exit_2() {
    let (code, _, err) = run(&[
        "check-policy",
        "--kind",
        "trust",
        "--compare",
        &seed("ec2-role-trust.json"),
        &seed("ec2-role-trust.json"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--compare"), "{err}");
}
