//! `guardrail scan` end to end: the binary against a moto server seeded with a few
//! misconfigurations (the full catalogue is tests/sweep.rs's job), read-only.

use guardrail_tests::{create_volume, Moto};
use std::process::Command;

const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

fn scan(moto: &Moto, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .arg("scan")
        .args(["--endpoint-url", &moto.endpoint(), "--region", "us-east-1"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        // A scan is read-only whatever the environment asks for.
        .env("GUARDRAIL_DRY_RUN", "false")
        .env("GUARDRAIL_DEFAULT_MODE", "remediate")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_reports_findings_and_changes_nothing() {
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let iam = aws_sdk_iam::Client::new(&sdk);
    let volume = create_volume(&ec2, "us-east-1a", false).await;
    iam.create_role()
        .role_name("partner-open")
        .assume_role_policy_document(OPEN_TRUST)
        .send()
        .await
        .unwrap();

    let (code, out, err) = scan(&moto, &["--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut got: Vec<(String, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "ebs-encryption-by-default-off".to_string(),
                "123456789012/us-east-1".to_string()
            ),
            ("ebs-unencrypted-volume".to_string(), volume.clone()),
            (
                "iam-password-policy-weak".to_string(),
                "123456789012".to_string()
            ),
            (
                "iam-role-trust-open".to_string(),
                "partner-open".to_string()
            ),
        ]
    );
    for f in findings.as_array().unwrap() {
        assert_eq!(f["dry_run"], true);
        assert_ne!(f["mode"], "remediate");
        assert!(f["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == "recommended"));
    }
    // Nothing was changed: the volume carries no tag, the default is still off.
    let tags = ec2
        .describe_volumes()
        .volume_ids(&volume)
        .send()
        .await
        .unwrap()
        .volumes
        .unwrap()[0]
        .tags()
        .len();
    assert_eq!(tags, 0);
    let on = ec2
        .get_ebs_encryption_by_default()
        .send()
        .await
        .unwrap()
        .ebs_encryption_by_default;
    assert_eq!(on, Some(false));

    let (code, out, _) = scan(&moto, &["--fail-on", "critical"]);
    assert_eq!(code, 1, "the open trust policy is critical");
    assert!(out.contains("CRITICAL [iam-role-trust-open]"), "{out}");
    assert!(out.contains("API calls:"), "{out}");

    let (_, out, _) = scan(&moto, &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clean_region_passes_at_high() {
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    aws_sdk_ec2::Client::new(&sdk)
        .enable_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();
    // Only the (medium) missing password policy remains.
    let (code, out, err) = scan(&moto, &["--fail-on", "high"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("iam-password-policy-weak"), "{out}");
}
