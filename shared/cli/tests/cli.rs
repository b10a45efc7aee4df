//! End-to-end tests of the `guardrail` binary on the seed policies.

mod support;

use support::{data, run, seed};

#[test]
fn admin_policy_fails_with_json_findings() {
    let (code, out, _) = run(&[
        "check-policy",
        "--format",
        "json",
        &seed("admin-wildcard-bad.json"),
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    let admin = arr
        .iter()
        .find(|f| f["rule"] == "iam-policy-admin-wildcard")
        .unwrap();
    assert_eq!(admin["severity"], "critical");
    assert_eq!(admin["statement"]["index"], 0);
    assert!(admin["file"]
        .as_str()
        .unwrap()
        .ends_with("admin-wildcard-bad.json"));
    assert!(admin["message"].as_str().unwrap().contains("every action"));
}

#[test]
fn clean_policies_exit_zero() {
    for f in [
        "mfa-force-policy.json",
        "least-privilege-good.json",
        "deny-ec2-stop-terminate-without-mfa.json",
        "ec2-role-trust.json",
    ] {
        let (code, out, err) = run(&["check-policy", &seed(f)]);
        assert_eq!(code, 0, "{f}: {out}{err}");
    }
}

#[test]
fn fail_on_threshold() {
    let (code, _, _) = run(&[
        "check-policy",
        "--fail-on",
        "critical",
        &seed("s3-service-wildcard.json"),
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[
        "check-policy",
        "--fail-on",
        "medium",
        &seed("s3-service-wildcard.json"),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn parse_error_is_exit_2_with_path() {
    let dir = std::env::temp_dir().join(format!("guardrail-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Condition":{"StringEquals":3}}]}"#).unwrap();
    let (code, _, err) = run(&["check-policy", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("Statement[1].Condition.StringEquals"), "{err}");
    let (code, _, _) = run(&["check-policy", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sarif_output() {
    let (code, out, _) = run(&[
        "check-policy",
        "--format",
        "sarif",
        &seed("admin-wildcard-bad.json"),
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "iam-policy-admin-wildcard"));
    let res = &v["runs"][0]["results"][0];
    assert_eq!(res["level"], "error");
    assert!(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(".json")
    );
}

#[test]
fn trust_autodetect_and_account() {
    let (code, out, _) = run(&[
        "check-policy",
        "--format",
        "json",
        "--account",
        "111122223333",
        &seed("cross-account-trust-external-id.json"),
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn region_enforcement_flag() {
    let (code, _, _) = run(&[
        "check-policy",
        "--kind",
        "scp",
        "--allowed-regions",
        "us-east-1,eu-west-1",
        &seed("region-deny.json"),
    ]);
    assert_eq!(code, 0);
    let (code, out, _) = run(&[
        "check-policy",
        "--kind",
        "scp",
        "--allowed-regions",
        "eu-west-1,ap-northeast-2",
        &seed("region-deny.json"),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("ap-northeast-2"));
}

#[test]
fn simulate_explains_the_decision() {
    let mfa = seed("mfa-force-policy.json");
    let admin = seed("admin-wildcard-bad.json");
    let (code, out, _) = run(&[
        "simulate",
        "--policy",
        &mfa,
        "--policy",
        &admin,
        "--action",
        "iam:CreateUser",
        "--resource",
        "*",
        "--absent",
        "aws:MultiFactorAuthPresent",
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("ExplicitDeny"), "{out}");
    assert!(
        out.contains("BlockMostAccessUnlessSignedInWithMFA"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "simulate",
        "--policy",
        &mfa,
        "--policy",
        &admin,
        "--action",
        "iam:CreateUser",
        "--resource",
        "*",
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "Allow");
    assert_eq!(v["deciding"]["policy"], 1);
}

/// A SAM function is judged by what it will hold: `Policies: [AdministratorAccess]` is the AWS
/// managed policy's document (admin), a SAM policy template is its expansion (scoped, clean).
#[test]
fn check_template_judges_sam_managed_policies_and_templates() {
    let template = data("templates/sam-managed-policies.yaml");
    let (code, out, err) = run(&["check-template", "--format", "json", &template]);
    assert_eq!(code, 1, "{out}{err}");
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let file = |f: &serde_json::Value| f["file"].as_str().unwrap_or_default().to_string();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "iam-policy-admin-wildcard"
                && file(f).ends_with("#Resources.Admin (AWS managed policy AdministratorAccess)")),
        "{findings:#?}"
    );
    // The table-scoped template and SAM's default basic execution policy are clean.
    assert!(
        findings
            .iter()
            .all(|f| file(f).contains("#Resources.Admin ")),
        "{findings:#?}"
    );
    assert!(!err.contains("not judged"), "{err}");
}

/// `guardrail ... | head -1`: a reader that stops early closes the pipe; the command ends
/// quietly (its usual exit code, nothing on stderr) instead of panicking on the write.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::process::{Command, Stdio};
    for args in [
        vec!["check-policy", "--format", "json"],
        vec!["check-policy", "--format", "html"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
            .args(&args)
            .arg(seed("admin-wildcard-bad.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    }
}
