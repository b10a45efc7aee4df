//! `iam-permissions-unused` on hand-built sweep facts and last-accessed reports written on the
//! shape of IAM's GetServiceLastAccessedDetails answer (the moto emulator serves no
//! last-accessed calls; `tests/sweep.rs` shows the sweep around their absence): which
//! principals are read, the budget and its rotation, the two-step judgement, what could not be
//! read.

use guardrail_rules::rules::iam_permissions_unused::{self, unused, Breadth, UsageReads};
use guardrail_rules::severity::Severity;
use guardrail_rules::sweep::time::{format_iso8601, parse_iso8601, DAY};
use guardrail_rules::sweep::{
    self, AccountFacts, InlinePolicy, RoleDetail, SweepFacts, UserDetail,
};
use guardrail_rules::usage::LastAccessed;
use guardrail_rules::Settings;

const ACCOUNT: &str = "123456789012";
const RULE: &str = "iam-permissions-unused";

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const CLIMB: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"}]}"#;
const S3_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
const READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn now() -> i64 {
    parse_iso8601("2026-12-02T12:00:00Z").unwrap()
}

fn ago(days: i64) -> String {
    format_iso8601(now() - days * DAY)
}

fn inline(doc: &str) -> Vec<InlinePolicy> {
    vec![InlinePolicy {
        name: "Grant".into(),
        document: doc.into(),
    }]
}

fn user(name: &str, doc: &str) -> UserDetail {
    UserDetail {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        inline: inline(doc),
        path: "/".into(),
        ..UserDetail::default()
    }
}

fn role(name: &str, path: &str, doc: &str) -> RoleDetail {
    RoleDetail {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"),
        path: path.into(),
        trust_policy: Some(TRUST.into()),
        inline: inline(doc),
        create_date: Some(ago(400)),
        last_used: Some(ago(1)),
        ..RoleDetail::default()
    }
}

/// An admin, a principal that can make itself admin, a whole-service grant, a scoped reader,
/// and admins that are not read: exempt, service-linked, the guardrail's own.
fn facts() -> SweepFacts {
    let mut exempt = role("break-glass", "/", ADMIN);
    exempt
        .tags
        .insert("guardrail:exempt".into(), "incident".into());
    SweepFacts {
        account: ACCOUNT.into(),
        iam_region: "us-east-1".into(),
        now: now(),
        iam: AccountFacts {
            users: vec![user("ops", ADMIN), user("climber", CLIMB)],
            roles: vec![
                role("s3-all", "/", S3_ALL),
                role("reader", "/", READ),
                exempt,
                role(
                    "AWSServiceRoleForSupport",
                    "/aws-service-role/support.amazonaws.com/",
                    ADMIN,
                ),
                role("guardrail-AccountSweepRole", "/", ADMIN),
            ],
            ..AccountFacts::default()
        },
        ..SweepFacts::default()
    }
}

fn settings() -> Settings {
    Settings {
        stack_name: Some("guardrail".into()),
        ..Settings::default()
    }
}

/// One service of a report: `(namespace, days since last used, tracked actions)`.
type Service<'a> = (&'a str, Option<i64>, &'a [(&'a str, Option<i64>)]);

/// A completed action-level report.
fn report(services: &[Service]) -> LastAccessed {
    let services: Vec<serde_json::Value> = services
        .iter()
        .map(|(ns, last, actions)| {
            let mut s = serde_json::json!({"ServiceName": ns, "ServiceNamespace": ns});
            if let Some(d) = last {
                s["LastAuthenticated"] = ago(*d).into();
            }
            if !actions.is_empty() {
                s["TrackedActionsLastAccessed"] = actions
                    .iter()
                    .map(|(name, d)| match d {
                        Some(d) => {
                            serde_json::json!({"ActionName": name, "LastAccessedTime": ago(*d)})
                        }
                        None => serde_json::json!({"ActionName": name}),
                    })
                    .collect();
            }
            s
        })
        .collect();
    let page = serde_json::json!({
        "JobStatus": "COMPLETED",
        "JobType": "ACTION_LEVEL",
        "JobCompletionDate": ago(0),
        "ServicesLastAccessed": services,
        "IsTruncated": false,
    });
    LastAccessed::parse(&page.to_string()).unwrap()
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn reads() -> UsageReads {
    UsageReads::from([
        (
            arn("user", "ops"),
            Ok(report(&[
                (
                    "s3",
                    Some(5),
                    &[("GetObject", Some(5)), ("DeleteBucket", None)],
                ),
                ("ec2", Some(200), &[]),
                ("iam", None, &[]),
            ])),
        ),
        (
            arn("user", "climber"),
            Ok(report(&[(
                "iam",
                Some(3),
                &[("CreatePolicyVersion", Some(3))],
            )])),
        ),
        (
            arn("role", "s3-all"),
            Ok(report(&[(
                "s3",
                Some(2),
                &[("GetObject", Some(2)), ("PutBucketPolicy", Some(120))],
            )])),
        ),
    ])
}

#[test]
fn the_first_step_names_the_broad_principals_and_leaves_the_rule_unjudged() {
    let swept = sweep::run(&facts(), &settings());
    let named: Vec<(&str, &Breadth)> = swept
        .usage_lookups
        .iter()
        .map(|l| (l.name.as_str(), &l.breadth))
        .collect();
    assert_eq!(
        named,
        [
            ("ops", &Breadth::Admin),
            ("climber", &Breadth::AdminReachable),
            ("s3-all", &Breadth::ServiceWildcard(vec!["s3".into()])),
        ],
        "exempt, service-linked, the guardrail's own and the scoped reader are not read"
    );
    assert!(swept.unjudged_rules.contains(&RULE));
    assert!(!swept.findings.iter().any(|f| f.rule == RULE));
}

#[test]
fn the_second_step_reports_what_was_granted_and_not_used() {
    let mut facts = facts();
    let mut swept = sweep::run(&facts, &settings());
    facts.last_accessed = Some(reads());
    sweep::judge_usage(&facts, &settings(), &mut swept);
    let found: Vec<_> = swept.findings.iter().filter(|f| f.rule == RULE).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    let ops = found.iter().find(|f| f.resource.id == "ops").unwrap();
    assert_eq!(ops.severity, Severity::Medium, "an admin's unused grant");
    assert_eq!(ops.resource.kind, "AWS::IAM::User");
    assert!(ops.reason.contains("is an administrator"), "{}", ops.reason);
    assert!(
        ops.reason.contains(
            "2 of the 3 services it is granted were not used in the last 90 days (ec2, iam)"
        ),
        "{}",
        ops.reason
    );
    assert!(ops.reason.contains("s3:DeleteBucket"), "{}", ops.reason);
    assert!(!ops.reason.contains("GetObject"), "used: {}", ops.reason);
    let s3 = found.iter().find(|f| f.resource.id == "s3-all").unwrap();
    assert_eq!(s3.severity, Severity::Low, "a whole-service grant");
    assert!(s3.reason.contains("s3:PutBucketPolicy"), "{}", s3.reason);
    assert!(
        !found.iter().any(|f| f.resource.id == "climber"),
        "it used everything it is granted"
    );
    assert!(
        !swept.unjudged_rules.contains(&RULE),
        "every principal was read"
    );
}

#[test]
fn a_principal_not_read_is_named_and_keeps_the_rule_unjudged() {
    let mut facts = facts();
    let mut swept = sweep::run(&facts, &settings());
    let mut reads = reads();
    reads.insert(
        arn("user", "climber"),
        Err("iam:GenerateServiceLastAccessedDetails failed (AccessDenied)".into()),
    );
    reads.remove(&arn("role", "s3-all"));
    facts.last_accessed = Some(reads);
    sweep::judge_usage(&facts, &settings(), &mut swept);
    assert!(swept.notes.iter().any(|n| n.contains("user climber")
        && n.contains("not read")
        && n.contains("AccessDenied")));
    assert!(swept
        .notes
        .iter()
        .any(|n| n.contains("role s3-all: last-accessed data not read")));
    assert!(
        swept.unjudged_rules.contains(&RULE),
        "earlier findings must not be closed"
    );
    assert!(swept
        .findings
        .iter()
        .any(|f| f.rule == RULE && f.resource.id == "ops"));
}

#[test]
fn the_budget_reads_a_rotating_slice_and_zero_reads_none() {
    let mut s = settings();
    s.usage_principals = 2;
    let mut facts = facts();
    let first = sweep::run(&facts, &s);
    assert_eq!(first.usage_lookups.len(), 2);
    assert!(first
        .notes
        .iter()
        .any(|n| n.contains("2 of 3 broad principals")));
    facts.now += DAY;
    let next = sweep::run(&facts, &s);
    assert_ne!(
        first.usage_lookups, next.usage_lookups,
        "the next day reads a different slice"
    );
    // A partial sweep stays unjudged even when its slice was read.
    let mut swept = first;
    facts.now -= DAY;
    facts.last_accessed = Some(reads());
    sweep::judge_usage(&facts, &s, &mut swept);
    assert!(swept.unjudged_rules.contains(&RULE));

    s.usage_principals = 0;
    facts.last_accessed = None;
    let none = sweep::run(&facts, &s);
    assert!(none.usage_lookups.is_empty());
    assert!(none
        .notes
        .iter()
        .any(|n| n.contains("GUARDRAIL_USAGE_PRINCIPALS is 0")));
    assert!(none.unjudged_rules.contains(&RULE));
}

#[test]
fn switched_off_it_reads_nothing() {
    let mut s = settings();
    s.rule_modes
        .insert(RULE.into(), guardrail_rules::mode::Mode::Off);
    let swept = sweep::run(&facts(), &s);
    assert!(swept.usage_lookups.is_empty());
    assert!(!swept.unjudged_rules.contains(&RULE));
}

#[test]
fn unused_counts_back_from_the_cutoff() {
    let r = report(&[
        (
            "s3",
            Some(10),
            &[("GetObject", Some(10)), ("PutObject", Some(100))],
        ),
        ("kms", Some(91), &[]),
        ("sns", None, &[]),
    ]);
    let cutoff = (now() - 90 * DAY) as f64;
    let u = unused(&r, cutoff);
    assert_eq!(u.services, ["kms", "sns"]);
    assert_eq!(u.actions, ["s3:PutObject"]);
    assert_eq!(u.granted, 3);
    let reason = iam_permissions_unused::reason(
        &iam_permissions_unused::UsageLookup {
            kind: guardrail_rules::access::PrincipalKind::Role,
            name: "app".into(),
            arn: arn("role", "app"),
            breadth: Breadth::AdminReachable,
        },
        &u,
        90,
    );
    assert!(
        reason.starts_with("IAM role app is able to become an administrator"),
        "{reason}"
    );
    assert!(reason.contains("guardrail suggest-policy"), "{reason}");
}

#[test]
fn a_saved_report_reads_back_the_same() {
    let r = report(&[
        (
            "s3",
            Some(10),
            &[("GetObject", Some(10)), ("DeleteBucket", None)],
        ),
        ("ec2", None, &[]),
    ]);
    let again = LastAccessed::parse(&r.to_json().to_string()).unwrap();
    assert_eq!(again, r);
}
