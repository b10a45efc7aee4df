//! The rules that count refusals (`api-calls-unauthorized`, CIS 4.1;
//! `console-sign-in-failures`, CIS 4.6) on the `events/` files: which counters a failed call
//! goes into, and what the counts the ledger answers make of it. The counting itself (distinct
//! event ids, the cap) is the adapter's, proven against moto in tests/tamper_guardrail.rs and
//! tests/iam_guardrail.rs.

use guardrail_rules::finding::EventContext;
use guardrail_rules::gate::{self, Skip};
use guardrail_rules::rules::registry::{failed_call_judges, Judged, Need, Read};
use guardrail_rules::rules::{api_calls_unauthorized, console_sign_in_failures, Function};
use guardrail_rules::severity::Severity;
use guardrail_rules::tally::Tally;
use guardrail_rules::trigger::{decode_str, ApiCall, Trigger};
use guardrail_rules::Settings;
use std::path::Path;

fn edited(rel: &str, edits: &[(&str, &str)]) -> Box<ApiCall> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in edits {
        text = text.replace(from, to);
    }
    match decode_str(&text).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn call(rel: &str) -> Box<ApiCall> {
    edited(rel, &[])
}

fn settings(env: &[(&str, &str)]) -> Settings {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap()
}

/// The counters `function`'s failed-call judges add `call` to.
fn tallies(call: &ApiCall, function: Function, settings: &Settings) -> Vec<Tally> {
    failed_call_judges(function)
        .filter_map(|j| (j.needs)(call, settings))
        .flat_map(|n| match n {
            Need::Tallies(t) => t,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// The judgement of `call` by `function`'s failed-call judges with the ledger answering
/// `counts`.
fn judged(call: &ApiCall, function: Function, settings: &Settings, read: Read) -> Judged {
    let ctx = EventContext::of(call);
    let mut out = Judged::default();
    for j in failed_call_judges(function) {
        if (j.needs)(call, settings).is_some() {
            let one = (j.judge)(call, &read, &ctx, settings);
            out.findings.extend(one.findings);
            out.notes.extend(one.notes);
            out.cleared = out.cleared.or(one.cleared);
        }
    }
    out
}

#[test]
fn a_refused_call_is_counted_for_the_role_behind_the_session() {
    let c = call("tamper/access-denied-list-secrets.json");
    let s = settings(&[]);
    // The gate lets a failed call through to these judges only.
    assert!(matches!(gate::screen(&c, &s), Err(Skip::FailedCall { .. })));
    assert_eq!(gate::screen_failed(&c, &s), Ok(()));
    let t = tallies(&c, Function::TamperGuard, &s);
    assert_eq!(t.len(), 1);
    assert!(
        t[0].key.starts_with(
            "tally#api-calls-unauthorized#arn:aws:iam::123456789012:role/build-runner#"
        ),
        "{t:?}"
    );
    assert_eq!(t[0].event_id, "2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b");
    // Another session of the same role, a minute later: the same counter.
    let other = edited(
        "tamper/access-denied-list-secrets.json",
        &[
            ("i-0bbbbbbbbbbbbbbb2", "i-0ccccccccccccccc3"),
            ("03:41:17Z", "03:42:17Z"),
        ],
    );
    assert_eq!(tallies(&other, Function::TamperGuard, &s)[0].key, t[0].key);

    let below = judged(&c, Function::TamperGuard, &s, Read::Tallies(Some(vec![9])));
    assert!(below.findings.is_empty());
    assert!(
        below
            .cleared
            .as_deref()
            .unwrap_or_default()
            .contains("counted by api-calls-unauthorized by arn:aws:iam::123456789012:role/build-runner, 9 of 10 within 5 minutes"),
        "{below:?}"
    );
    let at = judged(&c, Function::TamperGuard, &s, Read::Tallies(Some(vec![10])));
    assert_eq!(at.findings.len(), 1);
    let f = &at.findings[0];
    assert_eq!(f.rule, api_calls_unauthorized::META.id);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.resource.id, "arn:aws:iam::123456789012:role/build-runner");
    assert!(f.actions.is_empty(), "alert only");
    for text in [
        "refused 10 API calls",
        "secretsmanager:ListSecrets (AccessDenied",
        "198.51.100.77",
    ] {
        assert!(f.reason.contains(text), "{text}: {}", f.reason);
    }
    // No ledger: not judged, and said.
    let none = judged(&c, Function::TamperGuard, &s, Read::Tallies(None));
    assert!(none.findings.is_empty() && none.notes[0].contains("not judged"));
}

#[test]
fn what_cis_does_not_count_is_not_counted() {
    let s = settings(&[]);
    for (from, to) in [
        (
            "\"eventName\": \"ListSecrets\"",
            "\"eventName\": \"HeadBucket\"",
        ),
        ("198.51.100.77", "delivery.logs.amazonaws.com"),
        (
            "\"errorCode\": \"AccessDenied\"",
            "\"errorCode\": \"ThrottlingException\"",
        ),
    ] {
        let c = edited("tamper/access-denied-list-secrets.json", &[(from, to)]);
        assert!(tallies(&c, Function::TamperGuard, &s).is_empty(), "{to}");
    }
    // EC2's code, and Secrets Manager's AccessDeniedException, are counted.
    for code in ["Client.UnauthorizedOperation", "AccessDeniedException"] {
        let c = edited(
            "tamper/access-denied-list-secrets.json",
            &[("\"AccessDenied\"", &format!("\"{code}\""))],
        );
        assert_eq!(tallies(&c, Function::TamperGuard, &s).len(), 1, "{code}");
    }
    // A successful call is nobody's count; a time that places the call in no window is said.
    let ok = call("tamper/stop-logging.json");
    assert!(tallies(&ok, Function::TamperGuard, &s).is_empty());
    let undated = edited(
        "tamper/access-denied-list-secrets.json",
        &[(
            "\"eventTime\": \"2025-03-12T03:41:17Z\"",
            "\"eventTime\": \"sometime\"",
        )],
    );
    let need = (api_calls_unauthorized::JUDGE.needs)(&undated, &s);
    assert_eq!(need, Some(Need::Nothing));
    let j = judged(&undated, Function::TamperGuard, &s, Read::Nothing);
    assert!(j.notes[0].contains("places it in no window"), "{j:?}");
    // Switched off: nothing counted.
    let off = settings(&[("GUARDRAIL_RULE_MODES", "api-calls-unauthorized=off")]);
    let c = call("tamper/access-denied-list-secrets.json");
    assert!(judged(
        &c,
        Function::TamperGuard,
        &off,
        Read::Tallies(Some(vec![50]))
    )
    .findings
    .is_empty());
}

#[test]
fn a_failed_sign_in_counts_for_its_user_and_its_address() {
    let s = settings(&[]);
    let c = call("signin/console-login-failed.json");
    let t = tallies(&c, Function::IamGuard, &s);
    let keys: Vec<&str> = t.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].starts_with("tally#console-sign-in-failures#user alice#"));
    assert!(keys[1].starts_with("tally#console-sign-in-failures#address 203.0.113.24#"));
    // Only the counter that reached the threshold makes a finding.
    let user = judged(&c, Function::IamGuard, &s, Read::Tallies(Some(vec![5, 2])));
    let ids: Vec<&str> = user
        .findings
        .iter()
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(ids, ["sign-in failures for alice"]);
    assert_eq!(user.findings[0].rule, console_sign_in_failures::META.id);
    let address = judged(&c, Function::IamGuard, &s, Read::Tallies(Some(vec![1, 7])));
    let ids: Vec<&str> = address
        .findings
        .iter()
        .map(|f| f.resource.id.as_str())
        .collect();
    assert_eq!(ids, ["sign-in failures from 203.0.113.24"]);
    assert!(address.findings[0]
        .reason
        .contains("7 console sign-ins from 203.0.113.24 failed within 15 minutes"));
    let neither = judged(&c, Function::IamGuard, &s, Read::Tallies(Some(vec![1, 1])));
    assert!(neither.findings.is_empty() && neither.cleared.is_some());
    // A count for a different number of counters is a mismatch, said, not a guess.
    let odd = judged(&c, Function::IamGuard, &s, Read::Tallies(Some(vec![9])));
    assert!(odd.findings.is_empty() && !odd.notes.is_empty(), "{odd:?}");

    // A user name AWS hides is counted as written, and named for what it is.
    let hidden = edited(
        "signin/console-login-failed.json",
        &[("\"alice\"", "\"HIDDEN_DUE_TO_SECURITY_REASONS\"")],
    );
    let j = judged(
        &hidden,
        Function::IamGuard,
        &s,
        Read::Tallies(Some(vec![5, 1])),
    );
    assert!(
        j.findings[0]
            .reason
            .contains("a user name that does not exist"),
        "{j:?}"
    );
    // A successful sign-in is nobody's count.
    let ok = call("signin/console-login-user-mfa.json");
    assert!(tallies(&ok, Function::IamGuard, &s).is_empty());
    // The window's settings are read and bounded.
    let s = settings(&[
        ("GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD", "2"),
        ("GUARDRAIL_SIGN_IN_FAILURES_WINDOW_SECONDS", "3600"),
    ]);
    let j = judged(&c, Function::IamGuard, &s, Read::Tallies(Some(vec![2, 1])));
    assert!(j.findings[0].reason.contains("within 1 hour"), "{j:?}");
    assert!(Settings::from_lookup(|k| {
        (k == "GUARDRAIL_DENIED_CALLS_WINDOW_SECONDS").then(|| "5".to_string())
    })
    .is_err());
}
