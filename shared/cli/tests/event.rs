//! `guardrail event`: the contract of issue "proof where it runs" item 3 (fields, order,
//! exit codes, `--template`, `--format`). That its pattern matching agrees with EventBridge's
//! is proven against moto in `tests/wiring.rs`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run in the repository root (where the default templates are), with a clean environment
/// for the guardrail's own settings.
fn event(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .arg("event")
        .args(args)
        .current_dir(root())
        .env_remove("GUARDRAIL_ALLOWED_REGIONS")
        .env_remove("GUARDRAIL_OWN_ROLE_ARN")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn one_json_object_per_file_in_input_order() {
    let files = [
        "events/iam/create-access-key-root.json",
        "events/region/run-instances-disallowed-region.json",
        "events/ebs/config-change-unencrypted.json",
        "events/schedule/sweep.json",
    ];
    let mut args = vec!["--format", "json"];
    args.extend(files);
    let (code, out, err) = event(&args);
    assert_eq!(code, 0, "{err}");
    let answers = lines(&out);
    assert_eq!(answers.len(), files.len());
    for (a, f) in answers.iter().zip(files) {
        assert_eq!(a["file"], f);
        assert_eq!(a["decoded"], true);
    }
    let root_key = &answers[0];
    for field in [
        "kind",
        "source",
        "name",
        "principal",
        "account",
        "region",
        "failed",
    ] {
        assert!(root_key.get(field).is_some(), "{field}: {root_key}");
    }
    assert_eq!(root_key["kind"], "api_call");
    assert_eq!(root_key["name"], "CreateAccessKey");
    assert_eq!(root_key["gate"]["decision"], "judge");
    let rules: Vec<&str> = root_key["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"iam-root-activity"), "{rules:?}");
    let receivers: Vec<(&str, &str)> = root_key["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap(),
                r["targets"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        receivers.contains(&("IamApiCallRule", "iam-guard")),
        "{receivers:?}"
    );
    assert!(receivers.contains(&("ForwardApiCallsRule", "central event bus")));
    // sa-east-1 is not allowed by the template's default: region-guard receives it.
    let region = &answers[1];
    assert!(region["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["targets"][0] == "region-guard"));
    assert_eq!(answers[2]["kind"], "config");
    assert_eq!(answers[3]["kind"], "schedule");
}

#[test]
fn the_gate_and_the_deployment_come_from_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args([
            "event",
            "--format",
            "json",
            "events/iam/own-role-attach-policy.json",
        ])
        .args(["events/region/run-instances-disallowed-region.json"])
        .current_dir(root())
        .env(
            "GUARDRAIL_OWN_ROLE_ARN",
            "arn:aws:iam::123456789012:role/guardrail-iam-guard",
        )
        .env("GUARDRAIL_ALLOWED_REGIONS", "us-east-1,sa-east-1")
        .output()
        .unwrap();
    let answers = lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(answers[0]["gate"]["decision"], "skip");
    assert!(answers[0]["gate"]["reason"]
        .as_str()
        .unwrap()
        .contains("own role"));
    // Allowed there now: no region rule receives it, and the rule finds nothing.
    assert!(!answers[1]["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["targets"][0] == "region-guard"));
}

#[test]
fn an_undecodable_file_exits_2_and_the_others_are_still_explained() {
    let dir = std::env::temp_dir().join(format!("guardrail-event-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"detail-type\": 7}").unwrap();
    let bad = bad.display().to_string();
    let (code, out, _) = event(&[
        "--format",
        "json",
        &bad,
        "events/signin/console-login-root.json",
    ]);
    assert_eq!(code, 2);
    let answers = lines(&out);
    assert_eq!(answers[0]["decoded"], false);
    assert!(answers[0]["error"].as_str().is_some());
    assert_eq!(answers[1]["decoded"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_names_the_receiving_function_and_template_choice_is_honoured() {
    let (code, out, err) = event(&[
        "--template",
        "template.yaml",
        "events/signin/console-login-user-no-mfa.json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ConsoleSignInRule -> iam-guard"), "{out}");
    assert!(!out.contains("member.yaml"), "{out}");
    assert!(out.contains("gate:"), "{out}");
}

/// NetworkApiCallRule exists only where `AllowedCidrs` is set: the environment's
/// GUARDRAIL_ALLOWED_CIDRS says whether this deployment has it.
#[test]
fn the_network_rule_receives_people_s_calls_only_with_allowed_cidrs() {
    let run = |cidrs: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guardrail"));
        cmd.args(["event", "--format", "json"])
            .arg("events/network/iam-user-outside-allowed-cidrs.json")
            .current_dir(root())
            .env("GUARDRAIL_ALLOWED_REGIONS", "us-east-1,ap-northeast-2");
        if let Some(c) = cidrs {
            cmd.env("GUARDRAIL_ALLOWED_CIDRS", c);
        }
        let out = cmd.output().unwrap();
        lines(&String::from_utf8_lossy(&out.stdout)).remove(0)
    };
    let network = |a: &Value| {
        a["receivers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "NetworkApiCallRule" && r["targets"][0] == "region-guard")
    };
    let found = |a: &Value| {
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "network-source-ip-not-allowed")
    };
    let without = run(None);
    assert!(!network(&without), "{without}");
    assert!(!found(&without), "{without}");
    let with = run(Some("203.0.113.0/24"));
    assert!(network(&with), "{with}");
    assert!(found(&with), "{with}");
}
