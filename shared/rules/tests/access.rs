//! Effective access over a hand-written account (tests/data/accounts/effective-access.json):
//! AWS managed admin through a group and a role, a boundary that caps admin, an escalation
//! only the union of two policies shows, an assume-role chain, a trust that names the user,
//! MFA, and an SCP.

use guardrail_rules::access::{self, AccessOptions, AccessReport, Principals};
use guardrail_rules::policy::PolicyDocument;
use guardrail_rules::sweep::parse_account_file;
use serde_json::json;

const ACCOUNT: &str = "111122223333";

fn account() -> Principals {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/accounts/effective-access.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let facts = parse_account_file(&text).expect("fixture parses");
    Principals::build(&facts, ACCOUNT, &|_| None)
}

fn judged(scps: &[&PolicyDocument]) -> AccessReport {
    let p = account();
    access::judge(
        &p,
        &AccessOptions {
            scps: scps.to_vec(),
            ..AccessOptions::default()
        },
    )
}

fn rules_of(report: &AccessReport, name: &str) -> Vec<&'static str> {
    let mut r: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.resource.id == name)
        .map(|f| f.rule)
        .collect();
    r.sort();
    r
}

fn message(report: &AccessReport, name: &str, rule: &str) -> String {
    report
        .findings
        .iter()
        .find(|f| f.resource.id == name && f.rule == rule)
        .map(|f| f.message.clone())
        .unwrap_or_default()
}

#[test]
fn aws_managed_admin_through_a_group_and_on_a_role() {
    let r = judged(&[]);
    assert!(
        rules_of(&r, "alice").contains(&access::ADMIN),
        "{:#?}",
        r.findings
    );
    let m = message(&r, "alice", access::ADMIN);
    assert!(
        m.contains("group admins: AWS managed policy AdministratorAccess"),
        "{m}"
    );
    assert!(rules_of(&r, "ops-admin").contains(&access::ADMIN));
    let f = r
        .findings
        .iter()
        .find(|f| f.resource.id == "ops-admin")
        .expect("finding");
    assert_eq!(f.resource.arn, "arn:aws:iam::111122223333:role/ops-admin");
    assert_eq!(f.resource.kind, "AWS::IAM::Role");
}

#[test]
fn a_boundary_caps_admin() {
    let r = judged(&[]);
    assert!(
        !rules_of(&r, "dave").contains(&access::ADMIN),
        "{:#?}",
        rules_of(&r, "dave")
    );
    assert!(!rules_of(&r, "dave").contains(&access::ADMIN_REACHABLE));
}

#[test]
fn an_escalation_only_the_union_of_two_policies_shows() {
    let r = judged(&[]);
    let carol = rules_of(&r, "carol");
    assert!(
        carol.contains(&access::ADMIN_REACHABLE),
        "{:#?}",
        r.findings
    );
    assert!(!carol.contains(&access::ADMIN));
    let m = message(&r, "carol", access::ADMIN_REACHABLE);
    assert!(m.contains("iam:PassRole"), "{m}");
}

#[test]
fn an_assume_role_chain_to_admin() {
    let r = judged(&[]);
    assert!(
        rules_of(&r, "bob").contains(&access::ADMIN_REACHABLE),
        "{:#?}",
        r.findings
    );
    let m = message(&r, "bob", access::ADMIN_REACHABLE);
    assert!(m.contains("can assume role ops-admin"), "{m}");
    // A trust that names the user needs no identity permission.
    let m = message(&r, "erin", access::ADMIN_REACHABLE);
    assert!(m.contains("role erin-admin"), "{m}");
    // A harmless user reaches nothing: an account-wide trust needs an identity permission.
    assert_eq!(rules_of(&r, "heidi"), Vec::<&str>::new());
}

#[test]
fn sensitive_actions_without_mfa_and_the_mfa_enforcement_deny() {
    let r = judged(&[]);
    assert!(rules_of(&r, "frank").contains(&access::SENSITIVE_WITHOUT_MFA));
    assert!(
        !rules_of(&r, "grace").contains(&access::SENSITIVE_WITHOUT_MFA),
        "{:#?}",
        rules_of(&r, "grace")
    );
    // Bob acts without MFA through the role he can assume without it.
    let m = message(&r, "bob", access::SENSITIVE_WITHOUT_MFA);
    assert!(
        m.contains("through a role it can assume without MFA (user bob can assume role"),
        "{m}"
    );
}

#[test]
fn an_scp_that_denies_iam_removes_admin() {
    let scp = PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}))
    .expect("scp");
    let r = judged(&[&scp]);
    assert!(
        !rules_of(&r, "alice").contains(&access::ADMIN),
        "{:#?}",
        r.findings
    );
}

#[test]
fn every_principal_is_in_the_matrix_and_missing_policies_are_named() {
    let text = json!({"UserDetailList": [{"UserName": "zed", "UserId": "AIDAZED", "Arn": "arn:aws:iam::111122223333:user/zed",
        "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}],
        "GroupList": ["nogroup"]}]})
    .to_string();
    let facts = parse_account_file(&text).expect("parses");
    let p = Principals::build(&facts, ACCOUNT, &|_| None);
    let r = access::judge(&p, &AccessOptions::default());
    assert_eq!(r.principals.len(), 1);
    assert!(r.principals[0].incomplete);
    assert!(
        r.notes.iter().any(|n| n.contains("policy/Gone")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("nogroup")),
        "{:?}",
        r.notes
    );
    let full = judged(&[]);
    assert_eq!(full.principals.len(), 12);
}

/// The fixture's users and roles copied many times over (new names, same documents and
/// trusts), enough for the judgement to spread over worker threads.
fn many_principals() -> Principals {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/accounts/effective-access.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut account: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    for (list, name_key) in [
        ("UserDetailList", "UserName"),
        ("RoleDetailList", "RoleName"),
    ] {
        let originals = account[list].as_array().cloned().unwrap_or_default();
        let mut copies = Vec::new();
        for copy in 0..20 {
            for original in &originals {
                let mut p = original.clone();
                let name = format!("{}-{copy}", p[name_key].as_str().unwrap_or("x"));
                let arn = p["Arn"].as_str().unwrap_or("").to_string();
                let prefix = arn.rsplit_once('/').map(|(a, _)| a).unwrap_or("");
                p["Arn"] = json!(format!("{prefix}/{name}"));
                p[name_key] = json!(name);
                copies.push(p);
            }
        }
        account[list] = json!(copies);
    }
    let facts = parse_account_file(&account.to_string()).expect("copies parse");
    Principals::build(&facts, ACCOUNT, &|_| None)
}

#[test]
fn worker_threads_give_the_same_answer_as_one() {
    let p = many_principals();
    assert!(p.principals.len() >= 100, "enough principals for threads");
    let with = |threads| {
        access::judge(
            &p,
            &AccessOptions {
                threads,
                ..AccessOptions::default()
            },
        )
    };
    let one = with(1);
    assert!(!one.findings.is_empty());
    for threads in [2, 3, 8] {
        let many = with(threads);
        assert_eq!(many.findings, one.findings, "{threads} threads");
        assert_eq!(many.principals, one.principals, "{threads} threads");
    }
}
