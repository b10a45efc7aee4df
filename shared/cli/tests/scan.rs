//! `guardrail scan` end to end: the binary against a moto server seeded with a few
//! misconfigurations (the full catalogue is tests/sweep.rs's job), read-only.

mod support;

use guardrail_tests::{create_volume, Moto};
use std::process::Command;
use support::browser::{artifacts, chromium, dom};

const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

fn scan(moto: &Moto, args: &[&str]) -> (i32, String, String) {
    scan_with(moto, args, &[])
}

/// `scan`, with GUARDRAIL_* variables of the test's own.
fn scan_with(moto: &Moto, args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
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
        .envs(vars.iter().copied())
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
            // A bare account: no trail, no Config recorder, no GuardDuty, no account-wide
            // Block Public Access (moto serves no Access Analyzer: that rule is unjudged).
            (
                "cloudtrail-logging-stopped".to_string(),
                "123456789012".to_string()
            ),
            (
                "config-recorder-stopped".to_string(),
                "123456789012/us-east-1".to_string()
            ),
            (
                "ebs-encryption-by-default-off".to_string(),
                "123456789012/us-east-1".to_string()
            ),
            ("ebs-unencrypted-volume".to_string(), volume.clone()),
            (
                "guardduty-disabled".to_string(),
                "123456789012/us-east-1".to_string()
            ),
            (
                "iam-password-policy-weak".to_string(),
                "123456789012".to_string()
            ),
            (
                "iam-role-trust-open".to_string(),
                "partner-open".to_string()
            ),
            (
                "s3-public-access-block-off".to_string(),
                "S3 Block Public Access of 123456789012".to_string()
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
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 8);
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
    // Only the (medium) missing password policy remains, with the account's own monitoring
    // and Block Public Access left out (judged on a seeded account in tests/sweep.rs).
    let off = "cloudtrail-logging-stopped=off,config-recorder-stopped=off,\
               guardduty-disabled=off,access-analyzer-deleted=off,s3-public-access-block-off=off";
    let (code, out, err) = scan_with(
        &moto,
        &["--fail-on", "high"],
        &[("GUARDRAIL_RULE_MODES", off)],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("iam-password-policy-weak"), "{out}");
}

/// The `<tr>` of `principal` in the table `id="matrix"` of `page`.
fn matrix_row<'a>(page: &'a str, principal: &str) -> &'a str {
    let table = &page[page.find("id=\"matrix\"").expect("the matrix table")..];
    let table = &table[..table.find("</table>").expect("the table ends")];
    let row = &table[table
        .find(&format!("data-principal=\"{principal}\""))
        .unwrap_or_else(|| panic!("no row for {principal}: {table}"))..];
    &row[..row.find("</tr>").expect("the row ends")]
}

/// The scan's page holds the audit matrix `access` draws: ops holds AdministratorAccess
/// through the admins group, viewer is in readers only. The DOM a browser builds from the page
/// (left in target/artifacts/scan.html) shows the same rows.
#[tokio::test(flavor = "multi_thread")]
async fn scan_html_draws_the_audit_matrix() {
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    for (group, user) in [("admins", "ops"), ("readers", "viewer")] {
        iam.create_group().group_name(group).send().await.unwrap();
        iam.create_user().user_name(user).send().await.unwrap();
        iam.add_user_to_group()
            .group_name(group)
            .user_name(user)
            .send()
            .await
            .unwrap();
    }
    iam.attach_group_policy()
        .group_name("admins")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();

    let (code, html, err) = scan(&moto, &["--format", "html"]);
    assert_eq!(code, 1, "ops is an administrator: {err}");
    assert!(html.contains("<th>admins</th>") && html.contains("<th>readers</th>"));
    let check = |page: &str| {
        let ops = matrix_row(page, "ops");
        assert!(ops.contains("<td data-mark=\"admin\">✔</td>"), "{ops}");
        assert!(ops.contains("<td data-group=\"admins\">✔</td>"), "{ops}");
        assert!(ops.contains("<td data-group=\"readers\"></td>"), "{ops}");
        let viewer = matrix_row(page, "viewer");
        assert!(viewer.contains("<td data-mark=\"admin\"></td>"), "{viewer}");
        assert!(
            viewer.contains("<td data-group=\"readers\">✔</td>"),
            "{viewer}"
        );
    };
    check(&html);
    // The findings say the same: ops, not viewer, is an administrator.
    assert!(html.contains("arn:aws:iam::123456789012:user/ops"));
    assert!(!html.contains("<script"), "no JavaScript");

    let page = artifacts().join("scan.html");
    std::fs::write(&page, &html).unwrap();
    match chromium() {
        Some(browser) => check(&dom(&browser, &page)),
        None => println!("skipped: chromium not installed"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_html_says_why_there_is_no_matrix() {
    let moto = Moto::start();
    let off = "iam-principal-admin=off,iam-principal-admin-reachable=off,\
               iam-principal-sensitive-without-mfa=off";
    let (_, html, err) = scan_with(
        &moto,
        &["--format", "html"],
        &[("GUARDRAIL_RULE_MODES", off)],
    );
    assert!(html.contains("id=\"matrix-empty\""), "{html}{err}");
    assert!(html.contains("switched off"), "{html}");
    assert!(!html.contains("id=\"matrix\""), "{html}");
}

/// moto serves no last-accessed calls: `--last-accessed-dir` names the broad principal whose
/// report could not be read and saves nothing for it; the scan's findings are unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn last_accessed_reports_that_cannot_be_read_are_named_not_saved() {
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.create_user().user_name("ops").send().await.unwrap();
    iam.put_user_policy()
        .user_name("ops")
        .policy_name("All")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("guardrail-scan-la-{}", std::process::id()));
    let (code, out, err) = scan(
        &moto,
        &[
            "--format",
            "json",
            "--last-accessed-dir",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("iam-principal-admin"), "{out}");
    assert!(err.contains("user ops: not saved:"), "{err}");
    assert!(
        err.contains("last-accessed reports of 0 principals saved"),
        "{err}"
    );
    assert!(!dir.join("user-ops").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
