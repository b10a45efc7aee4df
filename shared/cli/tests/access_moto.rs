//! `guardrail access` over a file exported from moto agrees with the sweep (`guardrail scan`)
//! on the same account (AWS managed admin via a group, a role and a user's chain; a boundary
//! that caps admin on a role; an escalation only two policies show): the export is `get_account_authorization_details`, pages merged, as
//! the AWS CLI writes it (botocore in the moto venv stands in for the AWS CLI, which parses
//! the same responses the same way).

mod support;

use guardrail_tests::{create_policy, Moto};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use support::run;

const ACCOUNT: &str = "123456789012";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const ROOT_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

/// `aws iam get-account-authorization-details > FILE`, through boto3 (pages merged, dates as
/// ISO 8601 like the AWS CLI's JSON output).
const EXPORT: &str = r#"
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
merged = {}
for page in iam.get_paginator("get_account_authorization_details").paginate():
    for key, value in page.items():
        if isinstance(value, list):
            merged.setdefault(key, []).extend(value)
json.dump(merged, open(sys.argv[2], "w"), default=lambda o: o.isoformat())
"#;

/// The moto venv's Python, beside the `moto_server` the tests run.
fn python() -> Option<String> {
    let server = std::env::var("MOTO_SERVER").ok()?;
    let python = Path::new(&server).with_file_name("python");
    python.exists().then(|| python.display().to_string())
}

/// (rule, principal ARN) of the `iam-principal-*` findings of a JSON findings list.
fn principal_findings(json: &str) -> BTreeSet<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON findings");
    v.as_array()
        .expect("a list")
        .iter()
        .filter_map(|f| {
            let rule = f["rule"].as_str()?;
            rule.starts_with("iam-principal-").then(|| {
                (
                    rule.to_string(),
                    f["resource"]["arn"].as_str().unwrap_or("").to_string(),
                )
            })
        })
        .collect()
}

async fn seed(iam: &aws_sdk_iam::Client) {
    for user in ["alice", "bob", "carol", "dave", "erin"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    // alice: AWS managed admin through a group.
    iam.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("admins")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("admins")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    // bob: may assume an admin role whose trust lets the account in.
    iam.create_role()
        .role_name("ops-admin")
        .assume_role_policy_document(ROOT_TRUST)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("ops-admin")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("assume-ops")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/ops-admin"}]}"#)
        .send()
        .await
        .unwrap();
    // carol: an escalation only the union of two policies shows.
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("pass-roles")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let lambda = create_policy(
        iam,
        "lambda-dev",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
    )
    .await;
    iam.attach_user_policy()
        .user_name("carol")
        .policy_arn(&lambda)
        .send()
        .await
        .unwrap();
    // dave: admin capped by an S3-only boundary.
    iam.attach_user_policy()
        .user_name("dave")
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    let s3_only = create_policy(
        iam,
        "s3-only-boundary",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .await;
    iam.put_user_permissions_boundary()
        .user_name("dave")
        .permissions_boundary(&s3_only)
        .send()
        .await
        .ok(); // moto does not implement it for users: then dave is an admin in both views
               // batch-admin: AWS managed admin on a role (a service trust: nobody reaches it).
    let lambda_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for (role, boundary) in [("batch-admin", None), ("capped-admin", Some(&s3_only))] {
        let mut create = iam
            .create_role()
            .role_name(role)
            .assume_role_policy_document(lambda_trust);
        if let Some(b) = boundary {
            create = create.permissions_boundary(b.as_str());
        }
        create.send().await.unwrap();
        iam.attach_role_policy()
            .role_name(role)
            .policy_arn(ADMIN)
            .send()
            .await
            .unwrap();
    }
    // erin: nothing.
}

#[tokio::test(flavor = "multi_thread")]
async fn access_on_a_moto_export_agrees_with_the_sweep() {
    let Some(python) = python() else {
        eprintln!("skipped: MOTO_SERVER is not set (scripts/test sets it), so no moto venv");
        return;
    };
    let moto = Moto::start();
    let sdk = moto.sdk("us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    seed(&iam).await;

    let dir = std::env::temp_dir().join(format!("guardrail-access-moto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gaad.json");
    let export = Command::new(&python)
        .args(["-c", EXPORT, &moto.endpoint(), &file.display().to_string()])
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );

    let (code, out, err) = run(&[
        "access",
        "--format",
        "json",
        "--account",
        ACCOUNT,
        &file.display().to_string(),
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let offline = principal_findings(&out);

    let scan = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["scan", "--format", "json", "--region", "us-east-1"])
        .args(["--endpoint-url", &moto.endpoint()])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let swept = principal_findings(&String::from_utf8_lossy(&scan.stdout));

    let arn = |name: &str| format!("arn:aws:iam::{ACCOUNT}:user/{name}");
    let has = |set: &BTreeSet<(String, String)>, rule: &str, name: &str| {
        set.contains(&(rule.to_string(), arn(name)))
    };
    assert!(has(&offline, "iam-principal-admin", "alice"), "{offline:?}");
    assert!(
        has(&offline, "iam-principal-admin-reachable", "bob"),
        "{offline:?}"
    );
    assert!(
        has(&offline, "iam-principal-admin-reachable", "carol"),
        "{offline:?}"
    );
    assert!(
        !offline.iter().any(|(_, a)| *a == arn("erin")),
        "{offline:?}"
    );
    assert_eq!(
        offline,
        swept,
        "access on the export and the sweep disagree; scan stderr: {}",
        String::from_utf8_lossy(&scan.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
