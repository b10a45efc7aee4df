//! "No new access" (`policy::analysis::new_access`): every example is a request the new policy
//! allows and the old one does not; a policy that only narrows has none.

use guardrail_rules::policy::analysis::new_access::{new_access, Comparison};
use guardrail_rules::policy::{AnalysisOptions, PolicyDocument, PolicyKind, Verdict};

fn doc(json: &str) -> PolicyDocument {
    PolicyDocument::parse(json).expect("test policy parses")
}

fn compare(old: &str, new: &str) -> Comparison {
    let (old, new) = (doc(old), doc(new));
    let options = AnalysisOptions {
        kind: PolicyKind::Identity,
        own_account: None,
        allowed_regions: None,
    };
    new_access(&[&old], &[&new], &options)
}

fn added(c: &Comparison) -> Vec<&str> {
    c.added.iter().map(|e| e.action.as_str()).collect()
}

const READ_LOGS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}"#;

#[test]
fn the_same_policy_adds_nothing() {
    let c = compare(READ_LOGS, READ_LOGS);
    assert!(c.no_new_access(), "{c:?}");
    assert_eq!(c.actions_probed, 1);
}

#[test]
fn an_added_action_is_new_access_and_the_kept_one_is_not() {
    let c = compare(
        READ_LOGS,
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::logs/*"}]}"#,
    );
    assert_eq!(added(&c), ["s3:PutObject"]);
    let e = &c.added[0];
    assert!(e.resource.starts_with("arn:aws:s3:::logs/"), "{e:?}");
    assert_eq!(e.old_verdict, Verdict::ImplicitDeny);
    assert_eq!(e.allowed_by.as_ref().map(|s| s.index), Some(0));
}

#[test]
fn a_wider_resource_is_new_access_on_a_resource_the_old_policy_does_not_name() {
    let c = compare(
        READ_LOGS,
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}]}"#,
    );
    assert_eq!(added(&c), ["s3:GetObject"]);
    assert!(!c.added[0].resource.starts_with("arn:aws:s3:::logs/"));
}

#[test]
fn a_narrower_policy_adds_nothing() {
    let old = r#"{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#;
    let narrower = [
        READ_LOGS,
        // A condition only restricts.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
          "Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        // A Deny only restricts.
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
          {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}"#,
    ];
    for new in narrower {
        let c = compare(old, new);
        assert!(c.no_new_access(), "{new}: {:?}", c.added.first());
    }
}

#[test]
fn a_dropped_mfa_condition_is_new_access_without_mfa() {
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser",
          "Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser",
          "Resource":"*"}]}"#,
    );
    assert_eq!(added(&c), ["iam:CreateUser"]);
    let mfa = c.added[0]
        .context
        .get("aws:multifactorauthpresent")
        .cloned();
    assert_ne!(
        mfa,
        Some(Some(vec!["true".to_string()])),
        "the example must be a request without MFA: {:?}",
        c.added[0]
    );
}

#[test]
fn a_second_network_is_new_access_from_that_network_only() {
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
          "Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
          "Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}}]}"#,
    );
    assert_eq!(added(&c), ["s3:GetObject"]);
    let ip = c.added[0]
        .context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("aws:SourceIp"))
        .and_then(|(_, v)| v.clone());
    assert_eq!(
        ip,
        Some(vec!["192.168.0.0".to_string()]),
        "{:?}",
        c.added[0]
    );
}

#[test]
fn a_removed_deny_is_new_access_denied_before_by_that_statement() {
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"s3:*","Resource":"*"},
          {"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    assert_eq!(added(&c), ["s3:DeleteBucket"]);
    let e = &c.added[0];
    assert_eq!(e.old_verdict, Verdict::ExplicitDeny);
    assert_eq!(
        e.denied_by.as_ref().and_then(|s| s.sid.as_deref()),
        Some("NoDelete")
    );
}

#[test]
fn allow_everything_over_one_service_adds_every_other_service() {
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let a = added(&c);
    assert!(a.contains(&"iam:CreateUser"));
    assert!(
        a.iter().all(|a| !a.starts_with("s3:")),
        "s3 was allowed before"
    );
    assert!(c.actions_probed > 10_000, "{}", c.actions_probed);
}

#[test]
fn not_action_is_expanded_with_the_catalogue() {
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
    );
    assert!(c.no_new_access());
    let c = compare(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    assert!(!c.added.is_empty());
    assert!(added(&c).iter().all(|a| a.starts_with("iam:")));
}

#[test]
fn an_unknown_wildcard_is_reported_not_dropped_silently() {
    let c = compare(
        READ_LOGS,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"nosuchservice:Get*","Resource":"*"}]}"#,
    );
    assert_eq!(c.unknown_patterns, ["nosuchservice:Get*"]);
}
