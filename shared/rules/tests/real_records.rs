//! Real CloudTrail records (`../shared/data/cloudtrail-samples/`, published by detection
//! projects and AWS's documentation; read when present, never copied into the project):
//! every well-formed API-call and sign-in record decodes with the right facts, delivered as
//! EventBridge delivers it; every other record is refused with a typed error, never a panic.

use guardrail_rules::trigger::{decode, CallKind, PrincipalKind, Trigger};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cloudtrail-samples");
    dir.join("index.json").exists().then_some(dir)
}

/// The record as EventBridge delivers it: the envelope around the record as `detail`.
fn envelope(record: &Value) -> Option<Value> {
    let detail_type = match record.get("eventType")?.as_str()? {
        "AwsApiCall" => "AWS API Call via CloudTrail",
        "AwsConsoleSignIn" => "AWS Console Sign In via CloudTrail",
        "AwsServiceEvent" => "AWS Service Event via CloudTrail",
        _ => return None,
    };
    let source = record.get("eventSource")?.as_str()?;
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    Some(json!({
        "version": "0", "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": detail_type, "source": format!("aws.{service}"),
        "account": record.get("recipientAccountId").cloned().unwrap_or(json!("123456789012")),
        "time": "2026-01-01T00:00:00Z",
        "region": record.get("awsRegion").cloned().unwrap_or(json!("us-east-1")),
        "resources": [], "detail": record,
    }))
}

fn read_only(record: &Value) -> Option<bool> {
    match record.get("readOnly")? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse::<bool>().ok().or(match s.as_str() {
            "True" => Some(true),
            "False" => Some(false),
            _ => None,
        }),
        _ => None,
    }
}

/// Whether CloudTrail says the call failed: an error code, or a sign-in answered `Failure`
/// (under its own event name) or carrying an error message.
fn failed(record: &Value) -> bool {
    let name = record["eventName"].as_str().unwrap_or_default();
    let sign_in = record["eventType"] == "AwsConsoleSignIn";
    record.get("errorCode").is_some_and(|c| !c.is_null())
        || record["responseElements"].get(name).and_then(Value::as_str) == Some("Failure")
        || (sign_in && record.get("errorMessage").is_some_and(|m| !m.is_null()))
}

#[test]
fn every_real_api_call_and_sign_in_decodes_with_the_right_facts() {
    let Some(dir) = samples() else {
        eprintln!("skipped: ../shared/data/cloudtrail-samples is absent (CI has it)");
        return;
    };
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut problems = Vec::new();
    let (mut decoded, mut refused) = (0, 0);
    for entry in &index {
        let file = entry["file"].as_str().unwrap();
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let well_formed = [
            "eventName",
            "eventSource",
            "eventType",
            "awsRegion",
            "userIdentity",
        ]
        .iter()
        .all(|k| record.get(*k).is_some_and(|v| !v.is_null()));
        let kind = record["eventType"].as_str().unwrap_or_default();
        let Some(event) = envelope(&record) else {
            refused += 1;
            continue;
        };
        let answer = decode(&event);
        if !well_formed || !matches!(kind, "AwsApiCall" | "AwsConsoleSignIn") {
            // Not ours to judge: a typed refusal or a decode, never a panic (we got here).
            refused += 1;
            continue;
        }
        let call = match answer {
            Ok(Trigger::ApiCall(call)) => call,
            Ok(other) => {
                problems.push(format!("{file}: decoded as {}", other.label()));
                continue;
            }
            Err(e) => {
                problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        decoded += 1;
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                problems.push(format!("{file}: {what} is {got}"));
            }
        };
        check(
            "eventName",
            record["eventName"] == call.event_name.as_str(),
            call.event_name.clone(),
        );
        check(
            "eventSource",
            record["eventSource"] == call.event_source.as_str(),
            call.event_source.clone(),
        );
        check(
            "region",
            record["awsRegion"] == call.region.as_str(),
            call.region.clone(),
        );
        if let Some(acct) = record["recipientAccountId"].as_str() {
            check("account", acct == call.account, call.account.clone());
        }
        check(
            "kind",
            (kind == "AwsConsoleSignIn") == (call.kind == CallKind::ConsoleSignIn),
            format!("{:?}", call.kind),
        );
        check(
            "failed",
            failed(&record) == call.failed(),
            call.failed().to_string(),
        );
        check(
            "readOnly",
            read_only(&record) == call.read_only,
            format!("{:?}", call.read_only),
        );
        let ty = record["userIdentity"]["type"].as_str().unwrap_or_default();
        let want = match ty {
            "Root" => Some(PrincipalKind::Root),
            "IAMUser" => Some(PrincipalKind::IamUser),
            "AssumedRole" => Some(PrincipalKind::AssumedRole),
            _ => None,
        };
        if let Some(want) = want {
            check(
                "principal",
                call.principal.kind == want,
                format!("{:?}", call.principal.kind),
            );
        }
    }
    eprintln!("{decoded} records decoded and checked, {refused} not API calls or sign-ins");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(decoded > 400, "only {decoded} decoded");
}

#[test]
fn root_sign_in_events_are_worded_for_what_they_are() {
    use guardrail_rules::finding::EventContext;
    use guardrail_rules::rules::iam_root_activity::root_activity;
    use guardrail_rules::Settings;
    // Our own record on the shape of AWS's documented root PasswordUpdated event.
    let event = json!({
        "version": "0", "id": "1", "detail-type": "AWS Console Sign In via CloudTrail",
        "source": "aws.signin", "account": "123456789012", "region": "us-east-1",
        "time": "2026-01-01T00:00:00Z", "resources": [],
        "detail": {
            "eventVersion": "1.08", "eventType": "AwsConsoleSignIn", "eventID": "pw-1",
            "eventName": "PasswordUpdated", "eventSource": "signin.amazonaws.com",
            "awsRegion": "us-east-1", "recipientAccountId": "123456789012",
            "sourceIPAddress": "198.51.100.7",
            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root",
                             "accountId": "123456789012"},
            "responseElements": {"PasswordUpdated": "Success"}
        }
    });
    let Ok(Trigger::ApiCall(call)) = decode(&event) else {
        panic!("a sign-in")
    };
    let f = root_activity(&call, &EventContext::of(&call), &Settings::default()).unwrap();
    assert!(f.reason.contains("PasswordUpdated"), "{}", f.reason);
    assert!(!f.reason.contains("signed in"), "{}", f.reason);
    let mut failed = event.clone();
    failed["detail"]["responseElements"]["PasswordUpdated"] = json!("Failure");
    let Ok(Trigger::ApiCall(call)) = decode(&failed) else {
        panic!("a sign-in")
    };
    assert!(call.failed());
}
