//! Least privilege from usage (`guardrail_rules::usage`): the last-accessed report decoded, the
//! policy narrowed to what was used, and the narrowing proved by the engine.
//!
//! The moto emulator serves neither GenerateServiceLastAccessedDetails nor
//! GetServiceLastAccessedDetails (moto 5.2.5), so these tests drive the logic with reports
//! written on the API's documented response shape (tests/data/last-accessed/README.md).

use guardrail_rules::policy::condition::parse_date;
use guardrail_rules::policy::{AnalysisOptions, PolicyDocument, PolicyKind};
use guardrail_rules::usage::{
    narrow, prove, Dropped, Kept, LastAccessed, LastAccessedError, Original,
};
use std::path::PathBuf;

fn data(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/last-accessed")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options() -> AnalysisOptions {
    AnalysisOptions {
        kind: PolicyKind::Identity,
        own_account: None,
        allowed_regions: None,
    }
}

const DAY: f64 = 86_400.0;

#[test]
fn the_report_decodes_into_facts() {
    let r = LastAccessed::parse(&data("app-role.json")).unwrap();
    assert!(r.action_level);
    assert!(!r.truncated);
    assert_eq!(r.completed, parse_date("2026-11-30T09:58:19.043000+00:00"));
    let s3 = r.service("S3").unwrap();
    let tracked = s3.tracked_actions.as_ref().unwrap();
    assert_eq!(tracked.len(), 3);
    assert_eq!(tracked[2].name, "DeleteBucket");
    assert_eq!(tracked[2].last_accessed, None);
    assert!(r.service("ec2").unwrap().tracked_actions.is_none());
    assert_eq!(r.service("iam").unwrap().last_authenticated, None);
    // Pages of one job as an array.
    let text = data("app-role.json");
    let pages = LastAccessed::parse(&format!("[{text}, {text}]")).unwrap();
    assert_eq!(pages.services.len(), 6);
}

#[test]
fn unfinished_or_broken_reports_are_typed_errors() {
    let cases = [
        (
            r#"{"JobStatus":"IN_PROGRESS","ServicesLastAccessed":[]}"#,
            "IN_PROGRESS",
        ),
        (r#"{"ServicesLastAccessed":[]}"#, "JobStatus"),
        (r#"{"JobStatus":"COMPLETED"}"#, "ServicesLastAccessed"),
        (
            r#"{"JobStatus":"COMPLETED","ServicesLastAccessed":[{"ServiceNamespace":"s3","LastAuthenticated":"yesterday"}]}"#,
            "LastAuthenticated",
        ),
        (
            r#"{"JobStatus":"COMPLETED","ServicesLastAccessed":[{"LastAuthenticated":"2026-01-01"}]}"#,
            "ServiceNamespace",
        ),
        ("not json", "not JSON"),
        ("[1]", "not an object"),
    ];
    for (text, says) in cases {
        let err = LastAccessed::parse(text).unwrap_err();
        assert!(err.to_string().contains(says), "{text}: {err}");
    }
    assert!(matches!(
        LastAccessed::parse(r#"{"JobStatus":"FAILED","ServicesLastAccessed":[]}"#),
        Err(LastAccessedError::NotCompleted(s)) if s == "FAILED"
    ));
}

/// The role's policy narrowed to 90 days of use before the job completed.
#[test]
fn the_policy_keeps_what_was_used_and_drops_the_rest() {
    let report = LastAccessed::parse(&data("app-role.json")).unwrap();
    let text = data("app-role-policy.json");
    let doc = PolicyDocument::parse(&text).unwrap();
    let json = PolicyDocument::json(&text).unwrap();
    let cutoff = report.completed.unwrap() - 90.0 * DAY;
    let n = narrow(
        &[Original {
            doc: &doc,
            json: &json,
        }],
        &report,
        cutoff,
    );

    let kept = |a: &str| n.kept.iter().find(|(k, _)| k == a).map(|(_, why)| *why);
    let dropped = |a: &str| n.dropped.iter().find(|(k, _)| k == a).map(|(_, why)| *why);
    assert_eq!(kept("s3:GetBucketPolicy"), Some(Kept::Used));
    assert_eq!(kept("s3:GetObject"), Some(Kept::Untracked));
    assert_eq!(dropped("s3:PutBucketPolicy"), Some(Dropped::ActionNotUsed));
    assert_eq!(dropped("s3:DeleteBucket"), Some(Dropped::ActionNotUsed));
    assert_eq!(kept("ec2:DescribeInstances"), Some(Kept::ServiceUsed));
    assert_eq!(dropped("iam:CreateUser"), Some(Dropped::ServiceNotUsed));
    assert_eq!(
        dropped("sqs:SendMessage"),
        Some(Dropped::ServiceNotInReport)
    );

    let statements = n.policy["Statement"].as_array().unwrap();
    let sids: Vec<&str> = statements
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(
        sids,
        ["Data", "Describe", "NoDeletes"],
        "Admin had nothing used"
    );
    assert_eq!(
        statements[0]["Action"],
        serde_json::json!(["s3:GetObject", "s3:PutObject", "s3:GetBucketPolicy"])
    );
    // A wildcard whose every action is kept stays as written, with its resources and
    // conditions.
    assert_eq!(
        statements[1]["Action"],
        serde_json::json!(["ec2:Describe*"])
    );
    assert_eq!(
        statements[1]["Condition"]["StringEquals"]["aws:RequestedRegion"],
        "ap-northeast-2"
    );
    assert_eq!(statements[2]["Effect"], "Deny");
    assert!(
        n.notes.iter().any(|note| note.contains("Admin")),
        "{:?}",
        n.notes
    );

    // The proof: nothing new, nothing kept is lost.
    let narrowed = PolicyDocument::from_value(&n.policy).unwrap();
    let kept_actions: Vec<String> = n.kept.iter().map(|(a, _)| a.clone()).collect();
    let proof = prove(&[&doc], &narrowed, &kept_actions, &options());
    assert!(
        proof.holds(),
        "{:?} {:?}",
        proof.new_access.added.first(),
        proof.lost
    );
}

#[test]
fn a_longer_window_keeps_the_older_use() {
    let report = LastAccessed::parse(&data("app-role.json")).unwrap();
    let text = data("app-role-policy.json");
    let doc = PolicyDocument::parse(&text).unwrap();
    let json = PolicyDocument::json(&text).unwrap();
    let cutoff = report.completed.unwrap() - 365.0 * DAY;
    let n = narrow(
        &[Original {
            doc: &doc,
            json: &json,
        }],
        &report,
        cutoff,
    );
    assert!(n
        .kept
        .iter()
        .any(|(a, k)| a == "s3:PutBucketPolicy" && *k == Kept::Used));
}

#[test]
fn not_action_becomes_the_list_of_used_actions_and_sids_stay_unique() {
    let report = LastAccessed::parse(&data("app-role.json")).unwrap();
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"All","Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}"#;
    let doc = PolicyDocument::parse(text).unwrap();
    let json = PolicyDocument::json(text).unwrap();
    let cutoff = report.completed.unwrap() - 90.0 * DAY;
    let originals = [
        Original {
            doc: &doc,
            json: &json,
        },
        Original {
            doc: &doc,
            json: &json,
        },
    ];
    let n = narrow(&originals, &report, cutoff);
    let statements = n.policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert!(statements[0].get("NotAction").is_none());
    let actions = statements[0]["Action"].as_array().unwrap();
    assert!(actions.iter().all(|a| {
        let a = a.as_str().unwrap_or_default();
        a.starts_with("s3:") || a.starts_with("ec2:")
    }));
    assert_eq!(statements[1]["Sid"], "All2");
    let narrowed = PolicyDocument::from_value(&n.policy).unwrap();
    let kept: Vec<String> = n.kept.iter().map(|(a, _)| a.clone()).collect();
    assert!(prove(&[&doc], &narrowed, &kept, &options()).holds());
}
