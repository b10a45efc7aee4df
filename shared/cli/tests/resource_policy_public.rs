//! `resource-policy-public` end to end: `guardrail check-policy --kind resource` on resource
//! policies, `guardrail check-template` on a template's bucket, key, topic and queue policies
//! and Lambda permissions.

mod support;

use serde_json::Value;
use support::{data, run};

fn findings(out: &str) -> Vec<Value> {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn public(findings: &[Value]) -> Vec<&Value> {
    findings
        .iter()
        .filter(|f| f["rule"] == "resource-policy-public")
        .collect()
}

#[test]
fn check_policy_kind_resource_reports_a_public_bucket() {
    let file = data("resource-policies/public-bucket-read.json");
    let (code, out, err) = run(&[
        "check-policy",
        "--kind",
        "resource",
        "--account",
        "111122223333",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let all = findings(&out);
    let public = public(&all);
    assert_eq!(public.len(), 1, "{all:#?}");
    let f = public[0];
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["kind"], "resourcebased");
    assert_eq!(f["statement"]["sid"], "PublicRead");
    assert_eq!(f["actions"][0], "s3:GetObject");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("anyone"), "{message}");
    // The text report names the rule, the statement and why.
    let (code, out, _) = run(&["check-policy", "--kind", "resource", &file]);
    assert_eq!(code, 1);
    assert!(
        out.contains("CRITICAL [resource-policy-public] Statement[0] (PublicRead)")
            && out.contains("no condition limits who"),
        "{out}"
    );
}

#[test]
fn check_policy_kind_resource_passes_limited_policies() {
    for file in ["org-bucket-read.json", "key-policy-caller-account.json"] {
        let (code, out, err) = run(&[
            "check-policy",
            "--kind",
            "resource",
            "--account",
            "111122223333",
            &data(&format!("resource-policies/{file}")),
        ]);
        assert_eq!(code, 0, "{file}: {out}{err}");
    }
}

#[test]
fn check_template_reports_public_resource_policies_where_they_are() {
    let (code, out, err) = run(&[
        "check-template",
        "--format",
        "json",
        &data("templates/public-resources.yaml"),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let all = findings(&out);
    let mut places: Vec<&str> = public(&all)
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default();
            file.split_once('#').map_or(file, |(_, at)| at)
        })
        .collect();
    places.sort_unstable();
    assert_eq!(
        places,
        [
            "Resources.AnyBucketInvokes.Properties",
            "Resources.Key.Properties.KeyPolicy",
            "Resources.WebsitePolicy.Properties.PolicyDocument",
        ],
        "{all:#?}"
    );
    // Nothing else: the topic, the queue and the scoped permission are limited by their source.
    assert_eq!(all.len(), 3, "{all:#?}");
}
