//! Known answers for the analyses (seed policies, well-known AWS managed policies).

use guardrail_rules::policy::{
    analyze, check_region_enforcement, evaluate, AnalysisOptions, PolicyDocument, PolicyFinding,
    PolicyKind, RequestContext, Verdict,
};
use guardrail_rules::Severity;
use std::path::Path;

fn data(rel: &str) -> PolicyDocument {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(rel);
    PolicyDocument::parse(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn parse(s: &str) -> PolicyDocument {
    PolicyDocument::parse(s).unwrap()
}

fn identity(doc: &PolicyDocument) -> Vec<PolicyFinding> {
    analyze(doc, &AnalysisOptions::default())
}

fn has(f: &[PolicyFinding], rule: &str, sev: Severity) -> bool {
    f.iter().any(|x| x.rule == rule && x.severity == sev)
}

fn rule_count(f: &[PolicyFinding], rule: &str) -> usize {
    f.iter().filter(|x| x.rule == rule).count()
}

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// PowerUserAccess as AWS publishes it.
const POWER_USER: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
 {"Effect":"Allow","Action":["account:GetAccountInformation","account:GetPrimaryEmail","account:ListRegions","account:GetRegionOptStatus",
   "iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization"],"Resource":"*"}]}"#;

#[test]
fn administrator_access_is_admin_wildcard() {
    let f = identity(&parse(ADMIN));
    assert!(has(&f, "iam-policy-admin-wildcard", Severity::Critical));
    // The admin finding subsumes its statement's MFA and escalation findings (issue 15 item 7).
    let admin = f
        .iter()
        .find(|x| x.rule == "iam-policy-admin-wildcard")
        .unwrap();
    assert!(has(
        &admin.related,
        "iam-policy-allows-without-mfa",
        Severity::High
    ));
    assert!(has(
        &admin.related,
        "iam-policy-privilege-escalation",
        Severity::High
    ));
    assert_eq!(rule_count(&f, "iam-policy-allows-without-mfa"), 0);
    let seed = identity(&data("seed-policies/admin-wildcard-bad.json"));
    assert!(has(&seed, "iam-policy-admin-wildcard", Severity::Critical));
    let star_star = identity(&parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}}"#,
    ));
    assert!(has(
        &star_star,
        "iam-policy-admin-wildcard",
        Severity::Critical
    ));
}

#[test]
fn conditional_star_is_not_unconditional_admin() {
    for cond in [
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
        r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
    ] {
        let d = parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*:*","Resource":"*","Condition":{cond}}}}}"#
        ));
        let f = identity(&d);
        assert!(
            !has(&f, "iam-policy-admin-wildcard", Severity::Critical),
            "{cond}: {f:#?}"
        );
        assert!(
            has(&f, "iam-policy-admin-wildcard", Severity::Medium),
            "{cond}: conditional admin expected"
        );
    }
}

#[test]
fn admin_cut_back_by_deny_is_not_admin() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":["iam:*","organizations:*"],"Resource":"*"}]}"#,
    );
    assert_eq!(rule_count(&identity(&d), "iam-policy-admin-wildcard"), 0);
}

#[test]
fn near_admin_not_action() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:PassRole","Resource":"*"}}"#,
    );
    let f = identity(&d);
    assert!(
        f.iter().any(|x| x.rule == "iam-policy-admin-wildcard"
            && x.severity == Severity::Critical
            && x.message.contains("near-admin")),
        "{f:#?}"
    );
}

#[test]
fn power_user_is_not_admin() {
    let f = identity(&parse(POWER_USER));
    assert_eq!(rule_count(&f, "iam-policy-admin-wildcard"), 0, "{f:#?}");
    assert_eq!(
        rule_count(&f, "iam-policy-privilege-escalation") > 0,
        f.iter().any(|x| x.message.contains("lambda")
            || x.message.contains("EC2")
            || x.message.contains("Glue")
            || x.message.contains("CloudFormation")
            || x.message.contains("Lambda")
            || x.message.contains("SageMaker")
            || x.message.contains("Pipeline"))
    );
}

#[test]
fn iam_full_access_is_privilege_escalation() {
    let f = identity(&data("aws-managed-policies/IAMFullAccess.json"));
    assert!(has(&f, "iam-policy-privilege-escalation", Severity::High));
    assert!(f
        .iter()
        .any(|x| x.actions.contains(&"iam:AttachUserPolicy".to_string())));
    assert_eq!(rule_count(&f, "iam-policy-admin-wildcard"), 0);
    assert!(has(&f, "iam-policy-service-wildcard", Severity::Medium));
}

#[test]
fn read_only_access_has_no_high_findings() {
    let f = identity(&data("aws-managed-policies/ReadOnlyAccess.json"));
    assert!(f.iter().all(|x| x.severity < Severity::High), "{f:#?}");
}

#[test]
fn mfa_rule_semantics() {
    let allow_ifexists = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*",
        "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}}"#,
    );
    assert!(has(
        &identity(&allow_ifexists),
        "iam-policy-allows-without-mfa",
        Severity::High
    ));
    let allow_bool = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*",
        "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}"#,
    );
    assert_eq!(
        rule_count(&identity(&allow_bool), "iam-policy-allows-without-mfa"),
        0
    );
    let ec2 = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}"#,
    );
    let f = identity(&ec2);
    assert!(f.iter().any(|x| x.rule == "iam-policy-allows-without-mfa"
        && x.actions.contains(&"ec2:TerminateInstances".to_string())));
    // The seed MFA-force policy alone is clean (only MFA bootstrap actions are allowed).
    let mfa = data("seed-policies/mfa-force-policy.json");
    assert_eq!(
        rule_count(&identity(&mfa), "iam-policy-allows-without-mfa"),
        0,
        "{:#?}",
        identity(&mfa)
    );
    // Admin allow + MFA-force deny in one document: clean for MFA.
    let mut combined = mfa.clone();
    let admin = parse(ADMIN);
    let mut s = admin.statements[0].clone();
    s.index = combined.statements.len();
    combined.statements.push(s);
    assert_eq!(
        rule_count(&identity(&combined), "iam-policy-allows-without-mfa"),
        0
    );
    // Deny EC2 stop/terminate without MFA cuts exactly those back.
    let mut ec2_deny = data("seed-policies/deny-ec2-stop-terminate-without-mfa.json");
    let mut s = ec2.statements[0].clone();
    s.index = 1;
    ec2_deny.statements.push(s);
    let f = identity(&ec2_deny);
    let mfa_f: Vec<_> = f
        .iter()
        .filter(|x| x.rule == "iam-policy-allows-without-mfa")
        .collect();
    assert!(
        mfa_f.iter().all(
            |x| !x.actions.contains(&"ec2:TerminateInstances".to_string())
                && !x.actions.contains(&"ec2:StopInstances".to_string())
        ),
        "{mfa_f:#?}"
    );
}

#[test]
fn seed_mfa_force_denies_long_term_keys_with_admin() {
    let mfa = data("seed-policies/mfa-force-policy.json");
    let admin = data("seed-policies/admin-wildcard-bad.json");
    for (mfa_key, want) in [
        (None, Verdict::ExplicitDeny),
        (Some("false"), Verdict::ExplicitDeny),
        (Some("true"), Verdict::Allow),
    ] {
        for action in [
            "iam:CreateUser",
            "ec2:TerminateInstances",
            "iam:AttachUserPolicy",
        ] {
            let mut ctx = RequestContext::new(action, "arn:aws:iam::111122223333:user/bob")
                .with("aws:username", "bob");
            if let Some(v) = mfa_key {
                ctx = ctx.with("aws:MultiFactorAuthPresent", v);
            }
            assert_eq!(
                evaluate(&[&mfa, &admin], &ctx).verdict,
                want,
                "{action} mfa={mfa_key:?}"
            );
        }
    }
    // Bootstrap actions stay allowed without MFA.
    let ctx = RequestContext::new("iam:EnableMFADevice", "arn:aws:iam::111122223333:user/bob")
        .with("aws:username", "bob");
    assert_eq!(evaluate(&[&mfa], &ctx).verdict, Verdict::Allow);
}

#[test]
fn bool_false_mfa_deny_is_a_validation_finding() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*",
        "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}"#,
    );
    assert!(has(
        &identity(&d),
        "iam-policy-validation",
        Severity::Medium
    ));
    let ok = data("seed-policies/deny-all-without-mfa.json");
    assert!(!identity(&ok)
        .iter()
        .any(|x| x.rule == "iam-policy-validation"));
}

#[test]
fn escalation_honours_conditions_and_resources() {
    let limited = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*",
        "Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::111122223333:policy/DenyAll"}}}}"#,
    );
    assert_eq!(
        rule_count(&identity(&limited), "iam-policy-privilege-escalation"),
        0
    );
    let lambda_combo = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"SERVICE"}}}]}"#;
    let to_lambda = identity(&parse(
        &lambda_combo.replace("SERVICE", "lambda.amazonaws.com"),
    ));
    assert!(to_lambda
        .iter()
        .any(|x| x.rule == "iam-policy-privilege-escalation"
            && x.actions.contains(&"lambda:CreateFunction".to_string())));
    let to_ecs = identity(&parse(
        &lambda_combo.replace("SERVICE", "ecs-tasks.amazonaws.com"),
    ));
    assert!(!to_ecs
        .iter()
        .any(|x| x.rule == "iam-policy-privilege-escalation"
            && x.actions.contains(&"lambda:CreateFunction".to_string())));
    let specific = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"arn:aws:iam::111122223333:user/ci"}}"#,
    );
    assert!(has(
        &identity(&specific),
        "iam-policy-privilege-escalation",
        Severity::Medium
    ));
}

/// A role trusted by exactly the account the probe used to call "anyone" is a foreign
/// account without an external id (high), not open to the world (critical).
#[test]
fn a_trusted_account_is_never_taken_for_anyone() {
    let opts = AnalysisOptions {
        kind: PolicyKind::Trust,
        own_account: Some("123456789012".to_string()),
        allowed_regions: None,
    };
    for account in ["999988887777", "888877776666"] {
        let doc = parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}}}"#
        ));
        let found = analyze(&doc, &opts);
        assert!(
            has(&found, "iam-role-trust-open", Severity::High),
            "{account}: {found:?}"
        );
        assert!(
            !has(&found, "iam-role-trust-open", Severity::Critical),
            "{account}: {found:?}"
        );
    }
}

#[test]
fn trust_policies() {
    let opts = |acct: Option<&str>| AnalysisOptions {
        kind: PolicyKind::Trust,
        own_account: acct.map(String::from),
        allowed_regions: None,
    };
    let open = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#,
    );
    assert!(has(
        &analyze(&open, &opts(None)),
        "iam-role-trust-open",
        Severity::Critical
    ));
    let open_org = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}}"#,
    );
    assert_eq!(
        rule_count(&analyze(&open_org, &opts(None)), "iam-role-trust-open"),
        0
    );
    let foreign = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}}"#,
    );
    assert!(has(
        &analyze(&foreign, &opts(Some("111122223333"))),
        "iam-role-trust-open",
        Severity::High
    ));
    assert_eq!(
        rule_count(
            &analyze(&foreign, &opts(Some("444455556666"))),
            "iam-role-trust-open"
        ),
        0
    );
    let ext = data("seed-policies/cross-account-trust-external-id.json");
    assert_eq!(
        rule_count(
            &analyze(&ext, &opts(Some("111122223333"))),
            "iam-role-trust-open"
        ),
        0
    );
    let ec2 = data("seed-policies/ec2-role-trust.json");
    assert_eq!(
        rule_count(&analyze(&ec2, &opts(None)), "iam-role-trust-open"),
        0
    );
    let gh = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#,
    );
    assert!(has(
        &analyze(&gh, &opts(None)),
        "iam-role-trust-open",
        Severity::High
    ));
}

#[test]
fn seed_region_deny_enforces_its_allow_list() {
    let d = data("seed-policies/region-deny.json");
    let allowed = vec!["us-east-1".to_string(), "eu-west-1".to_string()];
    let f = check_region_enforcement(&d, &allowed, &AnalysisOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info, "{f:#?}");
    let other = vec!["eu-west-1".to_string(), "ap-northeast-2".to_string()];
    let f = check_region_enforcement(&d, &other, &AnalysisOptions::default());
    assert!(f.iter().any(|x| x.severity == Severity::High), "{f:#?}");
    assert!(f.iter().any(|x| x.message.contains("ap-northeast-2")));
}

#[test]
fn version_validation() {
    let d = parse(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}}"#,
    );
    assert!(has(
        &identity(&d),
        "iam-policy-validation",
        Severity::Medium
    ));
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObjekt","nosuchsvc:Do"],"Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}}"#,
    );
    let f = identity(&d);
    assert!(f.iter().any(|x| x.message.contains("unknown action")));
    assert!(f.iter().any(|x| x.message.contains("unknown service")));
    assert!(f.iter().any(|x| x.message.contains("StringEqualz")));
}

#[test]
fn every_seed_policy_parses_and_is_analysed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-policies");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let d = PolicyDocument::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let kind = if d.has_principals() {
                PolicyKind::Trust
            } else {
                PolicyKind::Identity
            };
            let _ = analyze(
                &d,
                &AnalysisOptions {
                    kind,
                    ..Default::default()
                },
            );
            n += 1;
        }
    }
    assert!(n >= 20);
}

#[test]
fn findings_serialize() {
    let f = identity(&parse(ADMIN));
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(v[0]["rule"], "iam-policy-admin-wildcard");
    assert_eq!(v[0]["severity"], "critical");
}
