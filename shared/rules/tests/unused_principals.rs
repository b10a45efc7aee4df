//! `iam-role-unused` and `iam-user-unused` on hand-built sweep facts: dates relative to a fixed
//! `now` (the core has no clock), the principals not judged, exemptions, the sweep registry.

use guardrail_rules::finding::ActionStatus;
use guardrail_rules::permission::StepKind;
use guardrail_rules::plan::{IamTarget, IamTargetKind, RemediationStep};
use guardrail_rules::rules::iam_role_unused::{self, Verdict as RoleVerdict};
use guardrail_rules::rules::iam_user_unused::{self, Verdict as UserVerdict};
use guardrail_rules::sweep::time::{format_iso8601, parse_iso8601, DAY};
use guardrail_rules::sweep::{
    self, AccountFacts, CredentialReport, RoleDetail, SweepFacts, Swept, UserDetail,
};
use guardrail_rules::Settings;
use std::collections::BTreeMap;

const ACCOUNT: &str = "123456789012";

fn now() -> i64 {
    parse_iso8601("2026-12-02T12:00:00Z").unwrap()
}

fn days_ago(days: i64) -> String {
    format_iso8601(now() - days * DAY)
}

fn role(name: &str, path: &str, created: i64, last_used: Option<i64>) -> RoleDetail {
    RoleDetail {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"),
        path: path.into(),
        create_date: Some(days_ago(created)),
        last_used: last_used.map(days_ago),
        ..RoleDetail::default()
    }
}

/// One of each case: used 10 days ago, used 200 days ago, never used and 200 days old, never
/// used and 5 days old, service-linked and never used, exempt by tag and unused.
fn roles() -> Vec<RoleDetail> {
    let mut exempt = role("break-glass", "/", 400, Some(300));
    exempt
        .tags
        .insert("guardrail:exempt".into(), "incident".into());
    vec![
        role("recent", "/", 300, Some(10)),
        role("stale", "/", 300, Some(200)),
        role("never", "/", 200, None),
        role("young", "/", 5, None),
        role(
            "AWSServiceRoleForSupport",
            "/aws-service-role/support.amazonaws.com/",
            500,
            None,
        ),
        exempt,
    ]
}

/// A credential report (the CSV IAM returns, its columns trimmed to those read plus one that
/// is not) with the same cases for users.
fn report() -> CredentialReport {
    let header = "user,arn,user_creation_time,password_enabled,password_last_used,\
                  password_last_changed,mfa_active,access_key_1_active,access_key_1_last_rotated,\
                  access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,\
                  access_key_2_last_used_date,cert_1_active";
    let row = |user: &str, created: i64, pw: Option<i64>, key1: Option<i64>, key2: Option<i64>| {
        let d = |v: Option<i64>, none: &str| v.map_or(none.to_string(), days_ago);
        format!(
            "{user},arn:aws:iam::{ACCOUNT}:user/{user},{},{},{},{},false,{},{},{},{},{},{},false",
            days_ago(created),
            pw.is_some(),
            d(pw, "no_information"),
            days_ago(created),
            key1.is_some(),
            key1.map_or("N/A".to_string(), |_| days_ago(created)),
            d(key1, "N/A"),
            key2.is_some(),
            key2.map_or("N/A".to_string(), |_| days_ago(created)),
            d(key2, "N/A"),
        )
    };
    let rows = [
        format!(
            "<root_account>,arn:aws:iam::{ACCOUNT}:root,{},not_supported,{},not_supported,true,\
             false,N/A,N/A,false,N/A,N/A,false",
            days_ago(2000),
            days_ago(900)
        ),
        // Signed in 10 days ago; its key is unused for 250 (iam-credentials-unused's).
        row("console-recent", 300, Some(10), Some(250), None),
        // Key 2 used 10 days ago: the latest use counts.
        row("key-recent", 300, Some(250), Some(250), Some(10)),
        row("stale", 300, Some(200), Some(220), None),
        // Never used, no password, no key: an identity with permissions, still unused.
        row("never", 200, None, None, None),
        row("young", 5, None, None, None),
        row("break-glass", 400, Some(300), None, None),
    ];
    let text = format!("{header}\n{}\n", rows.join("\n"));
    CredentialReport::parse(&text).unwrap()
}

fn facts() -> SweepFacts {
    let mut exempt_user = UserDetail {
        name: "break-glass".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/break-glass"),
        ..UserDetail::default()
    };
    exempt_user
        .tags
        .insert("guardrail:exempt".into(), "incident".into());
    SweepFacts {
        account: ACCOUNT.into(),
        iam_region: "us-east-1".into(),
        now: now(),
        iam: AccountFacts {
            users: vec![exempt_user],
            roles: roles(),
            ..AccountFacts::default()
        },
        credential_report: Some(report()),
        ..SweepFacts::default()
    }
}

/// Only the two rules under test.
fn only_unused() -> Settings {
    Settings {
        default_mode: guardrail_rules::mode::Mode::Off,
        rule_modes: BTreeMap::from([
            (
                "iam-role-unused".to_string(),
                guardrail_rules::mode::Mode::Alert,
            ),
            (
                "iam-user-unused".to_string(),
                guardrail_rules::mode::Mode::Alert,
            ),
        ]),
        ..Settings::default()
    }
}

fn found(swept: &Swept, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = swept
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.resource.id.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn each_role_case() {
    let by_name = |name: &str| {
        let roles = roles();
        let r = roles.iter().find(|r| r.name == name).unwrap().clone();
        iam_role_unused::judge(&r, now(), 90)
    };
    assert_eq!(by_name("recent"), RoleVerdict::Used);
    assert_eq!(
        by_name("stale"),
        RoleVerdict::Unused {
            days: 200,
            never_used: false
        }
    );
    assert_eq!(
        by_name("never"),
        RoleVerdict::Unused {
            days: 200,
            never_used: true
        }
    );
    assert_eq!(by_name("young"), RoleVerdict::Young);
    assert_eq!(
        by_name("AWSServiceRoleForSupport"),
        RoleVerdict::ServiceLinked
    );
    // Judged like any other: exemption decides reporting, not the verdict.
    assert_eq!(
        by_name("break-glass"),
        RoleVerdict::Unused {
            days: 300,
            never_used: false
        }
    );
}

#[test]
fn the_threshold_is_the_setting_and_exact_days_are_not_over_it() {
    let stale = role("stale", "/", 300, Some(200));
    assert_eq!(
        iam_role_unused::judge(&stale, now(), 199),
        RoleVerdict::Unused {
            days: 200,
            never_used: false
        }
    );
    assert_eq!(
        iam_role_unused::judge(&stale, now(), 200),
        RoleVerdict::Used
    );
    // 200 days old with a 250-day threshold: too young to judge, used or not.
    let never = role("never", "/", 200, None);
    assert_eq!(
        iam_role_unused::judge(&never, now(), 250),
        RoleVerdict::Young
    );
    let settings =
        Settings::from_lookup(|k| (k == "GUARDRAIL_UNUSED_DAYS").then(|| "250".into())).unwrap();
    let swept = sweep::run(&facts(), &settings);
    assert!(found(&swept, "iam-role-unused").is_empty());
    assert!(found(&swept, "iam-user-unused").is_empty());
}

#[test]
fn dates_that_are_missing_or_malformed_are_unknown_not_unused() {
    let mut r = role("odd", "/", 300, None);
    r.create_date = None;
    assert_eq!(iam_role_unused::judge(&r, now(), 90), RoleVerdict::Undated);
    r.create_date = Some("last tuesday".into());
    assert_eq!(iam_role_unused::judge(&r, now(), 90), RoleVerdict::Undated);
    r.create_date = Some(days_ago(300));
    r.last_used = Some("2026-13-45T99:00:00Z".into());
    assert_eq!(iam_role_unused::judge(&r, now(), 90), RoleVerdict::Undated);
    // A last use "in the future" (clock skew) is recent use.
    r.last_used = Some(format_iso8601(now() + DAY));
    assert_eq!(iam_role_unused::judge(&r, now(), 90), RoleVerdict::Used);
    let mut row = report().users().next().unwrap().clone();
    row.user_creation_time = None;
    assert_eq!(
        iam_user_unused::judge(&row, now(), 90),
        UserVerdict::Undated
    );
}

#[test]
fn each_user_case() {
    let report = report();
    let verdict = |name: &str| {
        let row = report.users().find(|r| r.user == name).unwrap();
        iam_user_unused::judge(row, now(), 90)
    };
    assert_eq!(verdict("console-recent"), UserVerdict::Used);
    assert_eq!(verdict("key-recent"), UserVerdict::Used);
    assert_eq!(
        verdict("stale"),
        UserVerdict::Unused {
            days: 200,
            never_used: false
        }
    );
    assert_eq!(
        verdict("never"),
        UserVerdict::Unused {
            days: 200,
            never_used: true
        }
    );
    assert_eq!(verdict("young"), UserVerdict::Young);
}

#[test]
fn the_sweep_reports_unused_principals_and_notes_exempt_ones() {
    let swept = sweep::run(&facts(), &only_unused());
    assert_eq!(found(&swept, "iam-role-unused"), ["never", "stale"]);
    assert_eq!(found(&swept, "iam-user-unused"), ["never", "stale"]);
    for f in &swept.findings {
        assert_eq!(f.severity, guardrail_rules::severity::Severity::Medium);
        assert_eq!(f.account, ACCOUNT);
        assert_eq!(f.region, "us-east-1");
        assert!(f
            .actions
            .iter()
            .all(|a| a.status == ActionStatus::Recommended));
    }
    let stale_role = swept
        .findings
        .iter()
        .find(|f| f.rule == "iam-role-unused" && f.resource.id == "stale")
        .unwrap();
    assert_eq!(stale_role.resource.kind, "AWS::IAM::Role");
    assert_eq!(
        stale_role.resource.arn,
        format!("arn:aws:iam::{ACCOUNT}:role/stale")
    );
    assert!(
        stale_role.reason.contains("not been used for 200 days"),
        "{}",
        stale_role.reason
    );
    let never_user = swept
        .findings
        .iter()
        .find(|f| f.rule == "iam-user-unused" && f.resource.id == "never")
        .unwrap();
    assert!(
        never_user.reason.contains("never signed in") && never_user.reason.contains("200 days"),
        "{}",
        never_user.reason
    );
    // Exempt by tag, and a role exempt by ARN pattern: judged, noted, not reported.
    for who in ["role break-glass", "user break-glass"] {
        assert!(
            swept
                .notes
                .iter()
                .any(|n| n.contains(who) && n.contains("exempt")),
            "{who}: {:?}",
            swept.notes
        );
    }
    let by_pattern = Settings {
        exempt_principals: vec![format!("arn:aws:iam::{ACCOUNT}:role/st*")],
        ..only_unused()
    };
    assert_eq!(
        found(&sweep::run(&facts(), &by_pattern), "iam-role-unused"),
        ["never"]
    );
}

#[test]
fn the_guardrails_own_roles_are_not_judged() {
    let mut f = facts();
    f.iam
        .roles
        .push(role("guardrail-AccountSweepRole-1A2B", "/", 300, None));
    f.iam.roles.push(role("own", "/", 300, None));
    let settings = Settings {
        stack_name: Some("guardrail".into()),
        own_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/own")),
        ..only_unused()
    };
    assert_eq!(
        found(&sweep::run(&f, &settings), "iam-role-unused"),
        ["never", "stale"]
    );
}

#[test]
fn off_rules_and_a_missing_report() {
    let off = Settings {
        default_mode: guardrail_rules::mode::Mode::Off,
        ..Settings::default()
    };
    assert!(sweep::run(&facts(), &off).findings.is_empty());
    let mut f = facts();
    f.credential_report = None;
    let swept = sweep::run(&f, &only_unused());
    assert!(found(&swept, "iam-user-unused").is_empty());
    // Roles come from GetAccountAuthorizationDetails: still judged.
    assert_eq!(found(&swept, "iam-role-unused"), ["never", "stale"]);
    assert!(swept.unjudged_rules.contains(&"iam-user-unused"));
    assert!(!swept.unjudged_rules.contains(&"iam-role-unused"));
}

const QUARANTINE: &str = "arn:aws:iam::123456789012:policy/guardrail-QuarantinePolicy-ABC";

fn remediate(dry_run: &str) -> Settings {
    Settings::from_lookup(|k| match k {
        "GUARDRAIL_RULE_MODES" => {
            Some("iam-role-unused=remediate,iam-user-unused=remediate".into())
        }
        "GUARDRAIL_DEFAULT_MODE" => Some("off".into()),
        "GUARDRAIL_DRY_RUN" => Some(dry_run.into()),
        "GUARDRAIL_QUARANTINE_POLICY_ARN" => Some(QUARANTINE.into()),
        "GUARDRAIL_ACCOUNT_ID" => Some(ACCOUNT.into()),
        _ => None,
    })
    .unwrap()
}

fn finding<'a>(swept: &'a Swept, rule: &str, id: &str) -> &'a guardrail_rules::Finding {
    swept
        .findings
        .iter()
        .find(|f| f.rule == rule && f.resource.id == id)
        .unwrap_or_else(|| panic!("{rule} {id}: {:#?}", swept.findings))
}

#[test]
fn remediation_attaches_the_quarantine_policy_and_says_how_to_undo_it() {
    let swept = sweep::run(&facts(), &remediate("false"));
    assert_eq!(found(&swept, "iam-role-unused"), ["never", "stale"]);
    for (rule, id, kind, undo) in [
        (
            "iam-role-unused",
            "stale",
            IamTargetKind::Role,
            "aws iam detach-role-policy --role-name stale",
        ),
        (
            "iam-user-unused",
            "never",
            IamTargetKind::User,
            "aws iam detach-user-policy --user-name never",
        ),
    ] {
        let f = finding(&swept, rule, id);
        assert_eq!(f.actions.len(), 1, "{:#?}", f.actions);
        assert_eq!(f.actions[0].status, ActionStatus::Pending);
        assert_eq!(
            f.actions[0].step,
            RemediationStep::AttachQuarantinePolicy {
                target: IamTarget {
                    kind,
                    name: id.into()
                },
                policy_arn: QUARANTINE.into(),
            }
        );
        let text = f.actions[0].step.describe();
        assert!(
            text.contains(&format!("{undo} --policy-arn {QUARANTINE}")),
            "{text}"
        );
        assert_eq!(f.actions[0].step.kind(), StepKind::AttachQuarantinePolicy);
    }
    // Dry-run plans; alert mode recommends.
    let dry = sweep::run(&facts(), &remediate("true"));
    assert_eq!(
        finding(&dry, "iam-role-unused", "stale").actions[0].status,
        ActionStatus::Planned
    );
    let alert = Settings {
        quarantine_policy_arn: Some(QUARANTINE.into()),
        ..only_unused()
    };
    let alerted = sweep::run(&facts(), &alert);
    assert_eq!(
        finding(&alerted, "iam-user-unused", "stale").actions[0].status,
        ActionStatus::Recommended
    );
}

#[test]
fn an_already_quarantined_principal_is_already_done() {
    let mut f = facts();
    for r in f.iam.roles.iter_mut().filter(|r| r.name == "stale") {
        r.attached.push(QUARANTINE.into());
    }
    f.iam.users.push(UserDetail {
        name: "never".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/never"),
        attached: vec![QUARANTINE.into()],
        ..UserDetail::default()
    });
    let swept = sweep::run(&f, &remediate("false"));
    for (rule, id) in [("iam-role-unused", "stale"), ("iam-user-unused", "never")] {
        assert_eq!(
            finding(&swept, rule, id).actions[0].status,
            ActionStatus::AlreadyDone,
            "{rule} {id}"
        );
    }
    assert_eq!(
        finding(&swept, "iam-role-unused", "never").actions[0].status,
        ActionStatus::Pending
    );
}

#[test]
fn no_quarantine_without_the_policy_or_in_a_member_account() {
    let mut settings = remediate("false");
    settings.quarantine_policy_arn = None;
    let swept = sweep::run(&facts(), &settings);
    let f = finding(&swept, "iam-role-unused", "stale");
    assert!(f.actions.is_empty());
    assert!(
        f.reason.contains("not quarantined: no quarantine policy"),
        "{}",
        f.reason
    );
    // A member account has no quarantine policy of the home stack's.
    let member = Settings {
        member_role: Some("GuardrailRemediationRole".into()),
        ..remediate("false")
    };
    let mut other = facts();
    other.account = "222222222222".into();
    let swept = sweep::run(&other, &member);
    let f = finding(&swept, "iam-user-unused", "stale");
    assert!(f.actions.is_empty());
    assert!(f.reason.contains("member account"), "{}", f.reason);
    assert!(!StepKind::AttachQuarantinePolicy.in_member_accounts());
}

#[test]
fn the_quarantine_policy_setting_must_be_a_policy_arn() {
    let bad = Settings::from_lookup(|k| {
        (k == "GUARDRAIL_QUARANTINE_POLICY_ARN").then(|| "arn:aws:iam::123:role/x".into())
    });
    assert!(bad.is_err());
}
