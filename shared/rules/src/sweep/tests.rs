//! The sweep on hand-built facts: every rule, clean counterparts, modes and dry-run, `now`.

use super::credential_report::tests::SAMPLE;
use super::time::{parse_iso8601, DAY};
use super::*;
use crate::ebs::{RegionFacts, VolumeFacts};
use crate::finding::ActionStatus;
use crate::mode::Mode;
use crate::plan::RemediationStep;
use crate::rules::access_analyzer_deleted::AnalyzerStatus;
use crate::rules::cloudtrail_logging_stopped::{ManagementSelector, TrailState};
use crate::rules::config_recorder_stopped::RecorderStatus;
use crate::rules::guardduty_disabled::DetectorStatus;
use crate::settings::Settings;
use crate::severity::Severity;
use std::collections::BTreeMap;

const ACCOUNT: &str = "123456789012";
const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const SCOPED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/*"}]}"#;
const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
const SERVICE_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn now() -> i64 {
    parse_iso8601("2024-06-01T00:00:00Z").unwrap()
}

fn url_encoded(doc: &str) -> String {
    doc.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn user(name: &str, attached: &[&str], inline: &[(&str, &str)]) -> UserDetail {
    UserDetail {
        name: name.into(),
        id: format!("AIDA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        attached: attached.iter().map(|s| s.to_string()).collect(),
        inline: inline
            .iter()
            .map(|(n, d)| InlinePolicy {
                name: n.to_string(),
                document: url_encoded(d),
            })
            .collect(),
        ..UserDetail::default()
    }
}

fn volume(id: &str, region: &str, encrypted: bool) -> VolumeFacts {
    VolumeFacts {
        id: id.into(),
        region: region.into(),
        account: ACCOUNT.into(),
        encrypted,
        state: "available".into(),
        attached_to: Vec::new(),
        availability_zone: format!("{region}a"),
        size_gib: Some(8),
        kms_key_id: None,
        tags: BTreeMap::new(),
    }
}

fn region(name: &str, on: bool, volumes: Vec<VolumeFacts>) -> RegionSweep {
    RegionSweep {
        volumes,
        recorders: Some(Ok(vec![RecorderStatus {
            name: "default".into(),
            recording: true,
        }])),
        analyzers: Some(Ok(vec![AnalyzerStatus {
            name: "external-access".into(),
            kind: "ACCOUNT".into(),
            active: true,
        }])),
        detectors: Some(Ok(vec![DetectorStatus {
            id: "d1".into(),
            enabled: true,
        }])),
        ..RegionSweep::new(RegionFacts {
            region: name.into(),
            account: ACCOUNT.into(),
            encryption_by_default: on,
        })
    }
}

/// A multi-region trail that logs every management event with validated log files.
fn good_trail() -> TrailState {
    TrailState {
        arn: format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"),
        name: "org".into(),
        home_region: "us-east-1".into(),
        multi_region: true,
        log_file_validation: true,
        logging: Ok(true),
        selectors: Ok(vec![ManagementSelector {
            management: true,
            read_write: "All".into(),
        }]),
    }
}

/// An account with one of every misconfiguration and a clean counterpart of each.
fn facts() -> SweepFacts {
    let admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    SweepFacts {
        account: ACCOUNT.into(),
        iam_region: "us-east-1".into(),
        now: now(),
        iam: AccountFacts {
            users: vec![
                user("alice", &[admin_arn], &[]),
                user("carol", &[], &[]),
                user("dave", &[], &[]),
                user("erin", &[], &[]),
                user("frank", &[], &[("FrankAdmin", ADMIN)]),
            ],
            groups: vec![GroupDetail {
                name: "devs".into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:group/devs"),
                inline: vec![InlinePolicy {
                    name: "ReportsRead".into(),
                    document: url_encoded(SCOPED),
                }],
                attached: Vec::new(),
                path: "/".into(),
            }],
            roles: vec![
                RoleDetail {
                    name: "partner-open".into(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:role/partner-open"),
                    path: "/".into(),
                    trust_policy: Some(url_encoded(OPEN_TRUST)),
                    // Too young for iam-role-unused.
                    create_date: Some("2024-05-01T00:00:00Z".into()),
                    ..RoleDetail::default()
                },
                RoleDetail {
                    name: "ec2-app".into(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:role/ec2-app"),
                    path: "/".into(),
                    trust_policy: Some(url_encoded(SERVICE_TRUST)),
                    create_date: Some("2023-01-01T00:00:00Z".into()),
                    last_used: Some("2024-05-30T00:00:00Z".into()),
                    ..RoleDetail::default()
                },
            ],
            policies: vec![
                ManagedPolicy {
                    name: "AdminAll".into(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:policy/AdminAll"),
                    default_version_id: "v1".into(),
                    document: Some(url_encoded(ADMIN)),
                    attachment_count: 0,
                },
                ManagedPolicy {
                    name: "ReportsRead".into(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:policy/ReportsRead"),
                    default_version_id: "v2".into(),
                    document: Some(url_encoded(SCOPED)),
                    attachment_count: 1,
                },
            ],
        },
        credential_report: Some(CredentialReport::parse(SAMPLE).unwrap()),
        password_policy: Some(PasswordPolicy {
            minimum_length: Some(8),
            ..PasswordPolicy::default()
        }),
        access_keys: BTreeMap::new(),
        regions: vec![
            region(
                "us-east-1",
                false,
                vec![
                    volume("vol-01", "us-east-1", false),
                    volume("vol-02", "us-east-1", true),
                ],
            ),
            region("eu-west-1", true, vec![volume("vol-03", "eu-west-1", true)]),
            region("ap-northeast-2", false, Vec::new()),
        ],
        last_accessed: None,
        trails: Some(Ok(vec![good_trail()])),
        public_access_blocks: Some(Ok(
            crate::rules::s3_public_access_block_off::AccountBlocks {
                account: [true; 4],
                buckets: Vec::new(),
            },
        )),
    }
}

fn pairs(swept: &Swept) -> Vec<(&'static str, String)> {
    let mut v: Vec<_> = swept
        .findings
        .iter()
        .map(|f| (f.rule, f.resource.id.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn sweep_finds_every_misconfiguration_and_nothing_clean() {
    let swept = run(&facts(), &Settings::default());
    let mut expected = vec![
        (
            "ebs-encryption-by-default-off",
            format!("{ACCOUNT}/ap-northeast-2"),
        ),
        (
            "ebs-encryption-by-default-off",
            format!("{ACCOUNT}/us-east-1"),
        ),
        ("ebs-unencrypted-volume", "vol-01".to_string()),
        // dave: key 1 last used 2023-02-01, rotated 2023-01-01 (limit 90 days).
        ("iam-access-key-old", "dave".to_string()),
        ("iam-credentials-unused", "carol".to_string()),
        ("iam-credentials-unused", "dave".to_string()),
        ("iam-password-policy-weak", ACCOUNT.to_string()),
        ("iam-policy-admin-wildcard", "FrankAdmin".to_string()),
        ("iam-policy-admin-wildcard", "AdminAll@v1".to_string()),
        // frank's inline admin policy makes the principal an administrator, one that acts
        // without MFA too.
        ("iam-principal-admin", "frank".to_string()),
        ("iam-principal-sensitive-without-mfa", "frank".to_string()),
        ("iam-role-trust-open", "partner-open".to_string()),
        ("iam-root-access-key", ACCOUNT.to_string()),
        ("iam-root-mfa", ACCOUNT.to_string()),
        ("iam-user-console-without-mfa", "carol".to_string()),
        // carol, created 2024-01-01, has never signed in (dave signed in on 2024-05-20, erin
        // is too young).
        ("iam-user-unused", "carol".to_string()),
        ("iam-user-direct-policy", "FrankAdmin".to_string()),
        (
            "iam-user-direct-policy",
            "arn:aws:iam::aws:policy/AdministratorAccess".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(pairs(&swept), expected, "{:#?}", swept.findings);
    // alice's AWS managed policy is not in these facts: she is judged without it, and the
    // note says so (the sweep's reader fetches attached AWS managed documents).
    assert_eq!(swept.notes.len(), 1, "{:?}", swept.notes);
    assert!(
        swept.notes[0].contains("user alice") && swept.notes[0].contains("AdministratorAccess")
    );
    for f in &swept.findings {
        assert_eq!(f.event_id, None);
        assert_eq!(f.account, ACCOUNT);
        // Sweep findings deduplicate per resource, never per event.
        assert!(!f.incident_key().ends_with('|'), "{}", f.incident_key());
        assert!(f.incident_key().matches('|').count() <= 2);
        assert!(f
            .actions
            .iter()
            .all(|a| a.status == ActionStatus::Recommended));
    }
}

/// AWS's own AdministratorAccess is admin by design: its document is not the account's finding
/// (alice, who has it attached, is already reported), even when the read returns it.
#[test]
fn aws_managed_documents_are_not_judged() {
    let mut facts = facts();
    let without = run(&facts, &Settings::default());
    for arn in [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws-cn:iam::aws:policy/AdministratorAccess",
    ] {
        facts.iam.policies.push(ManagedPolicy {
            name: "AdministratorAccess".into(),
            arn: arn.into(),
            default_version_id: "v1".into(),
            document: Some(ADMIN.into()),
            attachment_count: 1,
        });
    }
    // A missing AWS managed document is not a note either: nothing was to be judged.
    facts.iam.policies.push(ManagedPolicy {
        name: "ReadOnlyAccess".into(),
        arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        ..ManagedPolicy::default()
    });
    let with = run(&facts, &Settings::default());
    // No document finding on AWS's own policies; the principal that holds it is judged.
    let documents = |s: &Swept| {
        let mut p = pairs(s);
        p.retain(|(rule, _)| !rule.starts_with("iam-principal-"));
        p
    };
    assert_eq!(documents(&with), documents(&without));
    assert!(with
        .findings
        .iter()
        .any(|f| f.rule == "iam-principal-admin" && f.resource.id == "alice"));
    assert!(with.notes.is_empty(), "{:?}", with.notes);
}

#[test]
fn no_root_row_means_unknown_not_a_finding() {
    let mut f = facts();
    if let Some(r) = f.credential_report.as_mut() {
        r.rows.retain(|row| !row.is_root());
    }
    let swept = run(&f, &Settings::default());
    assert!(!swept
        .findings
        .iter()
        .any(|f| f.rule.starts_with("iam-root")));
    assert!(
        swept.notes.iter().any(|n| n.contains("unknown")),
        "{:?}",
        swept.notes
    );
}

#[test]
fn root_with_mfa_and_no_key_is_clean() {
    let mut f = facts();
    let report = f.credential_report.as_mut().unwrap();
    let root = report.rows.iter_mut().find(|r| r.is_root()).unwrap();
    root.mfa_active = true;
    root.keys[0].active = false;
    let swept = run(&f, &Settings::default());
    assert!(!swept
        .findings
        .iter()
        .any(|f| f.rule.starts_with("iam-root")));
}

#[test]
fn unused_and_old_credentials_follow_now_and_the_thresholds() {
    let report = CredentialReport::parse(SAMPLE).unwrap();
    let carol = &report.rows[1];
    // Password never used: counts from its last change (2024-01-01): 152 days at now().
    assert_eq!(
        crate::rules::iam_credentials_unused::judge(carol, now(), 90),
        [crate::rules::iam_credentials_unused::Unused::Password { days: 152 }]
    );
    assert!(crate::rules::iam_credentials_unused::judge(carol, now(), 200).is_empty());
    let early = parse_iso8601("2024-02-01T00:00:00Z").unwrap();
    assert!(crate::rules::iam_credentials_unused::judge(carol, early, 90).is_empty());
    // erin: key 1 used 2024-05-30, key 2 (2024-05-02) never used: neither unused nor old.
    let erin = &report.rows[3];
    assert!(crate::rules::iam_credentials_unused::judge(erin, now(), 90).is_empty());
    assert!(crate::rules::iam_access_key_old::judge(erin, now(), 90).is_empty());
    // ...until a year later.
    let later = now() + 365 * DAY;
    assert_eq!(
        crate::rules::iam_access_key_old::judge(erin, later, 90),
        [(1, 396), (2, 395)]
    );
    // Thresholds come from the settings.
    let settings = Settings {
        unused_days: 600,
        key_max_age_days: 600,
        ..Settings::default()
    };
    let swept = run(&facts(), &settings);
    assert!(!swept
        .findings
        .iter()
        .any(|f| f.rule == "iam-credentials-unused" || f.rule == "iam-access-key-old"));
}

#[test]
fn modes_and_dry_run_decide_the_step_status() {
    let remediate = |dry_run| Settings {
        dry_run,
        default_mode: Mode::Remediate,
        ..Settings::default()
    };
    let swept = run(&facts(), &remediate(true));
    let pw = swept
        .findings
        .iter()
        .find(|f| f.rule == "iam-password-policy-weak")
        .unwrap();
    assert_eq!(pw.actions[0].status, ActionStatus::Planned);
    let swept = run(&facts(), &remediate(false));
    let pw = swept
        .findings
        .iter()
        .find(|f| f.rule == "iam-password-policy-weak")
        .unwrap();
    assert_eq!(pw.actions[0].status, ActionStatus::Pending);
    assert_eq!(
        pw.actions[0].step,
        RemediationStep::UpdatePasswordPolicy {
            minimum_length: 14,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            max_age_days: 90,
            reuse_prevention: 24,
            allow_users_to_change_password: false,
            hard_expiry: false,
        }
    );
    let carol = swept
        .findings
        .iter()
        .find(|f| f.rule == "iam-credentials-unused" && f.resource.id == "carol")
        .unwrap();
    assert_eq!(
        carol.actions[0].step,
        RemediationStep::DeleteLoginProfile {
            user_name: "carol".into()
        }
    );
    let mut off = Settings::default();
    for rule in [
        "iam-password-policy-weak",
        "iam-root-mfa",
        "ebs-unencrypted-volume",
    ] {
        off.rule_modes.insert(rule.into(), Mode::Off);
    }
    let swept = run(&facts(), &off);
    assert!(!swept.findings.iter().any(|f| off.mode(f.rule) == Mode::Off));
}

#[test]
fn unused_keys_are_deactivated_by_id_once_looked_up() {
    let settings = Settings {
        dry_run: false,
        default_mode: Mode::Remediate,
        ..Settings::default()
    };
    let mut f = facts();
    let report = f.credential_report.clone().unwrap();
    assert_eq!(key_lookups(&report, now(), &settings), ["dave"]);
    assert!(key_lookups(&report, now(), &Settings::default()).is_empty());
    let dave_finding = |f: &SweepFacts| {
        run(f, &settings)
            .findings
            .into_iter()
            .find(|x| x.rule == "iam-credentials-unused" && x.resource.id == "dave")
            .unwrap()
    };
    // Without the key's id there is no step, and the reason says so.
    let unknown = dave_finding(&f);
    assert!(unknown.actions.is_empty());
    assert!(
        unknown.reason.contains("not found by id"),
        "{}",
        unknown.reason
    );
    f.access_keys.insert(
        "dave".into(),
        vec![AccessKeyMeta {
            id: "AKIADAVE".into(),
            active: true,
            created: parse_iso8601("2023-01-01T00:00:00Z"),
        }],
    );
    let known = dave_finding(&f);
    assert_eq!(
        known.actions[0].step,
        RemediationStep::DeactivateAccessKey {
            user_name: "dave".into(),
            access_key_id: "AKIADAVE".into()
        }
    );
    assert_eq!(known.actions[0].status, ActionStatus::Pending);
}

#[test]
fn password_policy_floor_and_raise() {
    let floor = PasswordFloor::from_settings(&Settings::default());
    let strong = PasswordPolicy {
        minimum_length: Some(20),
        require_uppercase: true,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
        max_age_days: Some(30),
        reuse_prevention: Some(24),
        allow_users_to_change_password: true,
        hard_expiry: false,
    };
    use crate::rules::iam_password_policy_weak::{judge, raised, shortfalls};
    assert_eq!(judge(Some(&strong), &floor), None);
    assert!(judge(None, &floor).unwrap().contains("no password policy"));
    let weak = PasswordPolicy {
        max_age_days: Some(365),
        ..strong.clone()
    };
    assert_eq!(shortfalls(Some(&weak), &floor).len(), 1);
    // Raising keeps what is already stronger than the floor.
    match raised(Some(&weak), &floor) {
        RemediationStep::UpdatePasswordPolicy {
            minimum_length,
            max_age_days,
            allow_users_to_change_password,
            ..
        } => {
            assert_eq!(
                (minimum_length, max_age_days, allow_users_to_change_password),
                (20, 90, true)
            )
        }
        other => panic!("{other:?}"),
    }
    // With no policy at all, users keep the right to change their own password.
    assert!(matches!(
        raised(None, &floor),
        RemediationStep::UpdatePasswordPolicy {
            allow_users_to_change_password: true,
            ..
        }
    ));
}

#[test]
fn exempt_users_and_roles_are_left_alone() {
    let mut f = facts();
    f.iam.users[1]
        .tags
        .insert("guardrail:exempt".into(), "break-glass".into());
    let settings = Settings {
        exempt_principals: vec!["arn:aws:iam::*:role/partner-*".into()],
        ..Settings::default()
    };
    let swept = run(&f, &settings);
    assert!(!swept.findings.iter().any(|x| x.resource.id == "carol"));
    assert!(!swept
        .findings
        .iter()
        .any(|x| x.rule == "iam-role-trust-open"));
    // The two exemptions, alice's AWS managed policy that these facts lack, and carol judged
    // unused but not reported.
    assert_eq!(swept.notes.len(), 4, "{:?}", swept.notes);
    assert!(swept
        .notes
        .iter()
        .any(|n| n.starts_with("iam-user-unused: user carol") && n.contains("exempt")));
}

/// The matrix the HTML report draws: every user and role, exempt ones kept and marked, with
/// the paths found; on the report only when the caller sets it (its JSON is otherwise as
/// before); none at all when the `iam-principal-*` rules are all off.
#[test]
fn the_report_carries_the_audit_matrix() {
    let mut f = facts();
    // erin is in devs and may assume ops-admin (any principal of the account may): she can
    // become an administrator. frank, an administrator, is exempt.
    f.iam.users[3].groups = vec!["devs".into()];
    f.iam.users[3].inline.push(InlinePolicy {
        name: "AssumeOps".into(),
        document: url_encoded(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{ACCOUNT}:role/ops-admin"}}]}}"#
        )),
    });
    f.iam.roles.push(RoleDetail {
        name: "ops-admin".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/ops-admin"),
        path: "/".into(),
        trust_policy: Some(url_encoded(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        ))),
        inline: vec![InlinePolicy {
            name: "OpsAdmin".into(),
            document: url_encoded(ADMIN),
        }],
        ..RoleDetail::default()
    });
    f.iam.users[4]
        .tags
        .insert("guardrail:exempt".into(), "break-glass".into());
    let swept = run(&f, &Settings::default());
    let matrix = swept.matrix.clone().expect("the principals were judged");
    let row = |name: &str| {
        matrix
            .principals
            .iter()
            .find(|r| r.principal.name == name)
            .unwrap_or_else(|| panic!("no row for {name}: {matrix:#?}"))
    };
    assert_eq!(matrix.principals.len(), 8, "5 users, 3 roles");
    let frank = row("frank");
    assert!(frank.exempt && frank.principal.admin && frank.principal.without_mfa);
    assert!(
        !swept
            .findings
            .iter()
            .any(|x| x.resource.id == "frank" && x.rule.starts_with("iam-principal-")),
        "an exempt principal is in the matrix, not in the findings"
    );
    let erin = row("erin");
    assert_eq!(erin.principal.groups, ["devs"]);
    assert!(!erin.exempt && !erin.principal.admin && erin.principal.admin_reachable);
    assert!(row("ops-admin").principal.admin);
    assert!(!row("carol").principal.admin && !row("carol").exempt);
    let path = matrix
        .paths
        .iter()
        .find(|p| p.principal.id == "erin")
        .expect("erin's path");
    assert_eq!(path.rule, crate::access::ADMIN_REACHABLE);
    assert!(
        path.hops.iter().any(|h| h.contains("role ops-admin")),
        "{path:?}"
    );

    let mut report = SweepReport::new(
        ACCOUNT,
        Vec::new(),
        swept.findings,
        swept.notes,
        BTreeMap::new(),
    );
    let unset = serde_json::to_value(&report).unwrap();
    assert!(unset.get("matrix").is_none(), "{unset}");
    report.matrix = swept.matrix;
    let set = serde_json::to_value(&report).unwrap();
    let rows = set["matrix"]["principals"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    let frank = rows.iter().find(|r| r["name"] == "frank").unwrap();
    assert_eq!(frank["exempt"], true);
    assert_eq!(frank["admin"], true);
    assert_eq!(frank["kind"], "user");

    let off = Settings {
        rule_modes: [
            crate::access::ADMIN,
            crate::access::ADMIN_REACHABLE,
            crate::access::SENSITIVE_WITHOUT_MFA,
        ]
        .iter()
        .map(|r| (r.to_string(), Mode::Off))
        .collect(),
        ..Settings::default()
    };
    assert_eq!(run(&f, &off).matrix, None, "no rule on, nothing judged");
}

#[test]
fn report_counts_ranks_and_summarises() {
    let swept = run(&facts(), &Settings::default());
    let calls = BTreeMap::from([
        ("iam:GetAccountAuthorizationDetails".to_string(), 1),
        ("iam:GetCredentialReport".to_string(), 1),
        ("ec2:DescribeVolumes".to_string(), 3),
    ]);
    let mut report = SweepReport::new(
        ACCOUNT,
        vec!["us-east-1".into(), "eu-west-1".into()],
        swept.findings,
        swept.notes,
        calls,
    );
    assert_eq!(report.findings.len(), 18);
    assert_eq!(report.by_rule["iam-policy-admin-wildcard"], 2);
    assert_eq!(report.by_severity[&Severity::Critical], 6);
    assert_eq!(report.worst.len(), WORST_ITEMS);
    assert!(report
        .worst
        .windows(2)
        .all(|w| w[0].severity >= w[1].severity));
    assert_eq!(report.worst[0].severity, Severity::Critical);
    assert_eq!(report.api_calls_per_service["iam"], 2);
    assert_eq!(report.api_calls_per_service["ec2"], 3);
    report.set_repeats(4);
    assert!(
        report.summary.contains("4 already reported"),
        "{}",
        report.summary
    );
    let alert = summary_alert(&report);
    assert_eq!(alert.attributes["rule"], SUMMARY_RULE);
    assert_eq!(alert.attributes["severity"], "critical");
    assert!(alert
        .subject
        .starts_with("[CRITICAL] Account sweep: 18 finding(s)"));
    assert!(alert.message.contains("iam-role-trust-open partner-open"));
    assert!(serde_json::to_string(&report).is_ok());
    // A clean account still gets its summary, at severity info.
    let clean = SweepReport::new(ACCOUNT, Vec::new(), Vec::new(), Vec::new(), BTreeMap::new());
    assert_eq!(summary_alert(&clean).attributes["severity"], "info");
}

#[test]
fn config_evaluates_users_from_the_report() {
    let f = facts();
    let evals = user_evaluations(
        &f.iam.users,
        f.credential_report.as_ref().unwrap(),
        now(),
        &Settings::default(),
        Some("2024-06-01T00:00:00Z".into()),
    );
    let verdicts: Vec<(&str, &str)> = evals
        .iter()
        .map(|e| (e.resource_id.as_str(), e.compliance.as_str()))
        .collect();
    // alice and frank are not in the report (created after it): left for the next run.
    assert_eq!(
        verdicts,
        [
            ("AIDACAROL", "NON_COMPLIANT"),
            ("AIDADAVE", "NON_COMPLIANT"),
            ("AIDAERIN", "COMPLIANT")
        ]
    );
    assert!(evals.iter().all(|e| e.resource_type == USER_TYPE));
    let carol = evals[0].annotation.as_deref().unwrap();
    assert!(
        carol.contains("iam-user-console-without-mfa") && carol.contains("iam-credentials-unused")
    );
}

#[test]
fn optional_reads_follow_their_rules_modes() {
    let with = |modes: &str| {
        Settings::from_lookup(|k| (k == "GUARDRAIL_RULE_MODES").then(|| modes.to_string())).unwrap()
    };
    let all = SweepReads {
        snapshots: true,
        images: true,
        trails: true,
        recorders: true,
        analyzers: true,
        detectors: true,
        public_access_blocks: true,
    };
    assert_eq!(sweep_reads(&Settings::default()), all);
    assert_eq!(
        sweep_reads(&with("ebs-snapshot-shared=off,guardduty-disabled=off")),
        SweepReads {
            snapshots: false,
            detectors: false,
            ..all
        }
    );
    assert_eq!(
        sweep_reads(&with(
            "ec2-image-shared=off,ebs-snapshot-shared=remediate,cloudtrail-logging-stopped=off,\
             config-recorder-stopped=off,access-analyzer-deleted=off"
        )),
        SweepReads {
            images: false,
            trails: false,
            recorders: false,
            analyzers: false,
            ..all
        }
    );
}

/// The findings of the four monitoring rules, as (rule, resource id).
fn monitoring(swept: &Swept) -> Vec<(&'static str, String)> {
    let rules = [
        "cloudtrail-logging-stopped",
        "config-recorder-stopped",
        "access-analyzer-deleted",
        "guardduty-disabled",
    ];
    pairs(swept)
        .into_iter()
        .filter(|(r, _)| rules.contains(r))
        .collect()
}

#[test]
fn the_accounts_own_monitoring_is_judged_per_region_and_for_the_trail() {
    let settings = Settings::default();
    assert!(monitoring(&run(&facts(), &settings)).is_empty());

    // us-east-1: the recorder stopped, only an unused-access analyzer, the detector suspended;
    // eu-west-1: nothing at all.
    let mut f = facts();
    let us = &mut f.regions[0];
    us.recorders = Some(Ok(vec![RecorderStatus {
        name: "default".into(),
        recording: false,
    }]));
    us.analyzers = Some(Ok(vec![AnalyzerStatus {
        name: "unused".into(),
        kind: "ACCOUNT_UNUSED_ACCESS".into(),
        active: true,
    }]));
    us.detectors = Some(Ok(vec![DetectorStatus {
        id: "d1".into(),
        enabled: false,
    }]));
    let eu = &mut f.regions[1];
    eu.recorders = Some(Ok(Vec::new()));
    eu.analyzers = Some(Ok(Vec::new()));
    eu.detectors = Some(Ok(Vec::new()));
    let swept = run(&f, &settings);
    let found = monitoring(&swept);
    let id = |r: &str| format!("{ACCOUNT}/{r}");
    for rule in [
        "config-recorder-stopped",
        "access-analyzer-deleted",
        "guardduty-disabled",
    ] {
        for region in ["us-east-1", "eu-west-1"] {
            assert!(
                found.contains(&(rule, id(region))),
                "{rule} {region}: {found:?}"
            );
        }
    }
    assert_eq!(found.len(), 6, "{found:?}");
    let reason = |rule: &str, region: &str| {
        let f = swept
            .findings
            .iter()
            .find(|f| f.rule == rule && f.region == region)
            .unwrap();
        assert!(f.actions.is_empty(), "alert only");
        f.reason.clone()
    };
    assert!(reason("config-recorder-stopped", "us-east-1")
        .contains("default in us-east-1 is not recording"));
    assert!(reason("config-recorder-stopped", "eu-west-1").contains("no configuration recorder"));
    assert!(reason("guardduty-disabled", "us-east-1").contains("detector d1 is suspended"));
    assert!(reason("guardduty-disabled", "eu-west-1").contains("has no detector"));

    // A failed read is that rule unjudged there, with the reason; the other region is judged.
    let mut f = facts();
    f.regions[1].detectors = Some(Err("guardduty:ListDetectors failed (AccessDenied)".into()));
    f.regions[1].recorders = None;
    let swept = run(&f, &settings);
    assert!(monitoring(&swept).is_empty());
    assert!(swept.unjudged_rules.contains(&"guardduty-disabled"));
    assert!(swept.unjudged_rules.contains(&"config-recorder-stopped"));
    assert!(swept.notes.iter().any(|n| n
        == "guardduty-disabled: not judged in eu-west-1 (guardduty:ListDetectors failed (AccessDenied))"));
    // Switched off: neither judged nor noted.
    let off = Settings::from_lookup(|k| {
        (k == "GUARDRAIL_RULE_MODES").then(|| "guardduty-disabled=off".to_string())
    })
    .unwrap();
    let swept = run(&f, &off);
    assert!(!swept.unjudged_rules.contains(&"guardduty-disabled"));
}

#[test]
fn a_trail_must_be_multi_region_logging_validated_and_record_management_events() {
    let settings = Settings::default();
    let trail_finding = |trails: Vec<TrailState>| {
        let mut f = facts();
        f.trails = Some(Ok(trails));
        let swept = run(&f, &settings);
        let found = swept
            .findings
            .iter()
            .find(|f| f.rule == "cloudtrail-logging-stopped")
            .map(|f| (f.resource.arn.clone(), f.reason.clone()));
        (found, swept)
    };
    let arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/*");
    // No selectors at all is AWS's default: every management event.
    let mut default = good_trail();
    default.selectors = Ok(Vec::new());
    assert_eq!(trail_finding(vec![default]).0, None);
    // An advanced selector of management events, write-only, lacks the reads.
    let mut write_only = good_trail();
    write_only.selectors = Ok(vec![ManagementSelector {
        management: true,
        read_write: "WriteOnly".into(),
    }]);
    let mut stopped = good_trail();
    stopped.name = "second".into();
    stopped.logging = Ok(false);
    stopped.log_file_validation = false;
    let (found, _) = trail_finding(vec![write_only.clone(), stopped.clone()]);
    let (found_arn, reason) = found.unwrap();
    assert_eq!(found_arn, arn);
    assert!(
        reason.contains("org lacks read and write management events"),
        "{reason}"
    );
    assert!(
        reason.contains("second lacks log file validation, logging (it is stopped)"),
        "{reason}"
    );
    // One good trail among bad ones is enough.
    let (found, _) = trail_finding(vec![write_only, good_trail()]);
    assert_eq!(found, None);
    // A single-region trail does not count.
    let mut single = good_trail();
    single.multi_region = false;
    let (found, _) = trail_finding(vec![single]);
    assert!(found
        .unwrap()
        .1
        .contains("no multi-region CloudTrail trail"));
    let (found, _) = trail_finding(Vec::new());
    assert!(found.is_some());
    // An unreadable status may hide the good trail: unjudged, not a finding.
    let mut unread = good_trail();
    unread.logging = Err("AccessDenied".into());
    let (found, swept) = trail_finding(vec![unread]);
    assert_eq!(found, None);
    assert!(swept.unjudged_rules.contains(&"cloudtrail-logging-stopped"));
    // Not read: unjudged too.
    let mut f = facts();
    f.trails = None;
    let swept = run(&f, &settings);
    assert!(swept.unjudged_rules.contains(&"cloudtrail-logging-stopped"));
}

#[test]
fn block_public_access_is_judged_for_the_account_and_the_buckets_it_leaves_open() {
    use crate::rules::s3_public_access_block_off::{buckets_matter, AccountBlocks};
    let of = |blocks: AccountBlocks| {
        let mut f = facts();
        f.public_access_blocks = Some(Ok(blocks));
        let swept = run(&f, &Settings::default());
        swept
            .findings
            .into_iter()
            .filter(|f| f.rule == "s3-public-access-block-off")
            .map(|f| (f.resource.id, f.reason))
            .collect::<Vec<_>>()
    };
    assert!(!buckets_matter(&[true; 4]));
    assert!(buckets_matter(&[true, true, true, false]));
    // The account blocks ACLs only: it is a finding, and so is a bucket whose own setting
    // does not block policies either; a bucket that blocks them itself is not.
    let found = of(AccountBlocks {
        account: [true, true, false, false],
        buckets: vec![
            ("open".into(), [false; 4]),
            ("closed".into(), [false, false, true, true]),
        ],
    });
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0]
        .1
        .contains("leaves BlockPublicPolicy, RestrictPublicBuckets off"));
    assert_eq!(found[1].0, "open");
    assert!(
        found[1]
            .1
            .contains("BlockPublicPolicy, RestrictPublicBuckets off"),
        "{}",
        found[1].1
    );
    assert!(
        !found[1].1.contains("leaves BlockPublicAcls"),
        "{}",
        found[1].1
    );
    // Unreadable: unjudged.
    let mut f = facts();
    f.public_access_blocks = Some(Err("s3control:GetPublicAccessBlock failed".into()));
    let swept = run(&f, &Settings::default());
    assert!(swept.unjudged_rules.contains(&"s3-public-access-block-off"));
}
