//! `guardrail access` and the complete decision of `guardrail simulate`, end to end.

mod support;

use std::process::Command;
use support::{data, run};

#[test]
fn access_reports_principals_as_json_with_their_arn() {
    let file = data("accounts/effective-access.json");
    let (code, out, err) = run(&["access", "--format", "json", &file]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rows = v.as_array().expect("array");
    let has = |rule: &str, arn: &str| {
        rows.iter()
            .any(|r| r["rule"] == rule && r["resource"]["arn"] == arn)
    };
    assert!(has(
        "iam-principal-admin",
        "arn:aws:iam::111122223333:user/alice"
    ));
    assert!(has(
        "iam-principal-admin-reachable",
        "arn:aws:iam::111122223333:user/bob"
    ));
    assert!(!has(
        "iam-principal-admin",
        "arn:aws:iam::111122223333:user/dave"
    ));
    for r in rows {
        for field in [
            "rule",
            "severity",
            "file",
            "statement",
            "message",
            "actions",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
    }
}

#[test]
fn access_with_an_scp_that_denies_iam() {
    let file = data("accounts/effective-access.json");
    let scp = data("simulate/scp-deny-iam.json");
    let (_, out, _) = run(&["access", "--format", "json", "--scp", &scp, &file]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let admins = v
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["rule"] == "iam-principal-admin")
        .count();
    assert_eq!(admins, 0, "{out}");
}

#[test]
fn access_html_has_the_audit_matrix() {
    let file = data("accounts/effective-access.json");
    let (_, out, _) = run(&["access", "--format", "html", &file]);
    assert!(out.contains("id=\"matrix\""));
    assert!(out.contains("<th>admins</th>"));
    // The paths found, as scan's page shows them (the same drawing).
    assert!(out.contains(
        "<tr class=\"path\" data-rule=\"iam-principal-admin-reachable\">\
         <td><code>arn:aws:iam::111122223333:user/bob</code></td>"
    ));
}

#[test]
fn access_bad_files_exit_2_with_the_json_path() {
    let dir = std::env::temp_dir().join(format!("guardrail-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"UserDetailList": 5}"#).expect("write");
    let (code, _, err) = run(&["access", &bad.display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("$.UserDetailList"), "{err}");
    std::fs::write(&bad, "{").expect("write");
    let (code, _, err) = run(&["access", &bad.display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("JSON"), "{err}");
}

#[test]
fn simulate_the_complete_decision() {
    let admin = data("simulate/admin.json");
    let s3 = data("simulate/s3-only.json");
    let scp = data("simulate/scp-deny-iam.json");
    let alice = "arn:aws:iam::111122223333:user/alice";
    // A boundary caps the admin policy.
    let (code, out, _) = run(&[
        "simulate",
        "--policy",
        &admin,
        "--boundary",
        &s3,
        "--action",
        "iam:CreateUser",
        "--principal",
        alice,
        "--json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["verdict"], "ImplicitDeny");
    assert_eq!(v["decided_by"], "permissions-boundary");
    // An SCP Deny decides, and says which file.
    let (code, out, _) = run(&[
        "simulate",
        "--policy",
        &admin,
        "--scp",
        &scp,
        "--action",
        "iam:CreateUser",
        "--json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["verdict"], "ExplicitDeny");
    assert_eq!(v["decided_by"], "scp");
    assert_eq!(v["deciding"]["file"], scp.as_str());
    // A same-account bucket policy naming the user grants on its own.
    let nothing = data("simulate/nothing.json");
    let bucket = data("simulate/bucket-alice.json");
    let (code, out, _) = run(&[
        "simulate",
        "--policy",
        &nothing,
        "--resource-policy",
        &bucket,
        "--resource-account",
        "111122223333",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q3.csv",
        "--principal",
        alice,
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["decided_by"], "resource-based");
}

#[test]
fn simulate_unresolved_variables_for_a_role_session() {
    let policy = data("simulate/not-own-user.json");
    let target = "arn:aws:iam::111122223333:user/mallory";
    let (user, _, _) = run(&[
        "simulate",
        "--policy",
        &policy,
        "--action",
        "iam:CreateUser",
        "--resource",
        target,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
    ]);
    assert_eq!(user, 0);
    // A role session has no aws:username: the statement does not apply.
    let (role, out, _) = run(&[
        "simulate",
        "--policy",
        &policy,
        "--action",
        "iam:CreateUser",
        "--resource",
        target,
        "--principal",
        "arn:aws:iam::111122223333:role/app",
    ]);
    assert_eq!(role, 1, "{out}");
}

#[test]
fn simulate_into_a_closed_pipe_exits_quietly() {
    let admin = data("simulate/admin.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["simulate", "--policy", &admin, "--action", "s3:GetObject"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
