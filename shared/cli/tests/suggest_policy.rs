//! `guardrail suggest-policy`: a narrowed policy from a last-accessed report (recorded on the
//! API's shape: moto serves no last-accessed calls), proved by the engine.

mod support;

use support::{data, run};

fn report() -> String {
    data("last-accessed/app-role.json")
}

fn policy() -> String {
    data("last-accessed/app-role-policy.json")
}

#[test]
fn prints_the_narrowed_policy_and_proves_it() {
    let (code, out, err) = run(&["suggest-policy", "--last-accessed", &report(), &policy()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is the policy");
    assert_eq!(v["Version"], "2012-10-17");
    let sids: Vec<&str> = v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(sids, ["Data", "Describe", "NoDeletes"]);
    assert!(err.contains("proof: no new access"), "{err}");
    assert!(
        err.contains("Admin"),
        "the removed statement is named: {err}"
    );

    // The same proof through check-policy --compare, from the files.
    let dir = std::env::temp_dir().join(format!("guardrail-suggest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let narrowed = dir.join("narrowed.json");
    std::fs::write(&narrowed, &out).unwrap();
    let (_, out, _) = run(&[
        "check-policy",
        "--compare",
        &policy(),
        &narrowed.display().to_string(),
    ]);
    assert!(!out.contains("iam-policy-new-access"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_names_every_action_kept_or_dropped_and_why() {
    let (code, out, err) = run(&[
        "suggest-policy",
        "--format",
        "json",
        "--last-accessed",
        &report(),
        &policy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let why = |list: &str, action: &str| {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["why"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(why("kept", "s3:GetBucketPolicy").as_deref(), Some("used"));
    assert_eq!(why("kept", "s3:GetObject").as_deref(), Some("untracked"));
    assert_eq!(
        why("dropped", "s3:PutBucketPolicy").as_deref(),
        Some("action_not_used")
    );
    assert_eq!(
        why("dropped", "iam:CreateUser").as_deref(),
        Some("service_not_used")
    );
    assert_eq!(
        why("dropped", "sqs:SendMessage").as_deref(),
        Some("service_not_in_report")
    );
    assert_eq!(v["proof"]["holds"], true);
    assert_eq!(v["proof"]["lost"], serde_json::json!([]));
}

#[test]
fn a_longer_window_keeps_older_use() {
    let (_, out, _) = run(&[
        "suggest-policy",
        "--format",
        "json",
        "--unused-days",
        "365",
        "--last-accessed",
        &report(),
        &policy(),
    ]);
    assert!(out.contains("\"s3:PutBucketPolicy\""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["kept"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "s3:PutBucketPolicy"));
}

#[test]
fn an_unusable_report_is_exit_2_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("guardrail-suggest-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("report.json");
    std::fs::write(
        &bad,
        r#"{"JobStatus":"IN_PROGRESS","ServicesLastAccessed":[]}"#,
    )
    .unwrap();
    let (code, out, err) = run(&[
        "suggest-policy",
        "--last-accessed",
        &bad.display().to_string(),
        &policy(),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("report.json") && err.contains("IN_PROGRESS"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
