//! Table-driven conformance tests of the evaluator: one row per operator / semantic rule.

use guardrail_rules::policy::{
    evaluate, PolicyDocument, PolicyParseError, RequestContext, RequestPrincipal, Verdict,
};
use serde_json::json;

fn doc(v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_value(&v).unwrap()
}

/// A one-statement Allow of s3:GetObject on * with the given Condition block.
fn allow_if(cond: serde_json::Value) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": cond}]}))
}

enum Key {
    Absent,
    One(&'static str),
    Many(&'static [&'static str]),
}

fn allowed(d: &PolicyDocument, key: &str, k: &Key) -> bool {
    let mut ctx = RequestContext::new("s3:GetObject", "arn:aws:s3:::b/k");
    match k {
        Key::Absent => {}
        Key::One(v) => ctx = ctx.with(key, *v),
        Key::Many(vs) => ctx = ctx.with_values(key, vs.iter().map(|s| s.to_string()).collect()),
    }
    evaluate(&[d], &ctx).verdict == Verdict::Allow
}

#[test]
fn operator_table() {
    use Key::*;
    // (operator, policy value(s), request key state, expected Allow)
    let rows: Vec<(&str, serde_json::Value, Key, bool)> = vec![
        ("StringEquals", json!("abc"), One("abc"), true),
        ("StringEquals", json!("abc"), One("ABC"), false),
        ("StringEquals", json!(["x", "abc"]), One("abc"), true),
        ("StringEquals", json!("abc"), Absent, false),
        ("StringNotEquals", json!("abc"), One("abc"), false),
        ("StringNotEquals", json!("abc"), One("xyz"), true),
        ("StringNotEquals", json!("abc"), Absent, true),
        ("StringEqualsIgnoreCase", json!("abc"), One("ABC"), true),
        ("StringNotEqualsIgnoreCase", json!("abc"), One("ABC"), false),
        ("StringLike", json!("a*c"), One("abbbc"), true),
        ("StringLike", json!("a?c"), One("abbc"), false),
        ("StringNotLike", json!("a*"), One("abc"), false),
        ("StringNotLike", json!("a*"), Absent, true),
        ("StringEqualsIfExists", json!("abc"), Absent, true),
        ("StringEqualsIfExists", json!("abc"), One("x"), false),
        ("NumericEquals", json!(10), One("10"), true),
        ("NumericEquals", json!("10"), One("10.0"), true),
        ("NumericNotEquals", json!(10), One("11"), true),
        ("NumericLessThan", json!(10), One("9"), true),
        ("NumericLessThan", json!(10), One("10"), false),
        ("NumericLessThanEquals", json!(10), One("10"), true),
        ("NumericGreaterThan", json!(10), One("11"), true),
        ("NumericGreaterThanEquals", json!(10), One("9"), false),
        ("NumericEquals", json!(10), One("ten"), false),
        (
            "DateGreaterThan",
            json!("2024-01-01T00:00:00Z"),
            One("2024-06-01T00:00:00Z"),
            true,
        ),
        (
            "DateGreaterThan",
            json!("2024-01-01T00:00:00Z"),
            One("1704067200"),
            false,
        ),
        (
            "DateLessThan",
            json!("2024-01-01"),
            One("2023-12-31T23:59:59Z"),
            true,
        ),
        (
            "DateEquals",
            json!("2024-01-01T09:00:00+09:00"),
            One("2024-01-01T00:00:00Z"),
            true,
        ),
        ("DateNotEquals", json!("2024-01-01"), Absent, true),
        (
            "DateLessThanEquals",
            json!(1704067200),
            One("2024-01-01T00:00:00Z"),
            true,
        ),
        (
            "DateGreaterThanEquals",
            json!("2024-01-01"),
            One("garbage"),
            false,
        ),
        ("Bool", json!(true), One("true"), true),
        ("Bool", json!("true"), One("TRUE"), true),
        ("Bool", json!("true"), One("false"), false),
        ("Bool", json!("true"), Absent, false),
        ("BoolIfExists", json!("true"), Absent, true),
        ("BinaryEquals", json!("QmluYXJ5"), One("QmluYXJ5"), true),
        ("BinaryEquals", json!("QmluYXJ5"), One("other"), false),
        (
            "IpAddress",
            json!("203.0.113.0/24"),
            One("203.0.113.9"),
            true,
        ),
        (
            "IpAddress",
            json!(["10.0.0.0/8", "203.0.113.0/24"]),
            One("10.9.9.9"),
            true,
        ),
        (
            "IpAddress",
            json!("203.0.113.0/24"),
            One("198.51.100.1"),
            false,
        ),
        (
            "IpAddress",
            json!("2001:db8::/32"),
            One("2001:db8::1"),
            true,
        ),
        ("IpAddress", json!("203.0.113.0/24"), Absent, false),
        (
            "NotIpAddress",
            json!("203.0.113.0/24"),
            One("203.0.113.9"),
            false,
        ),
        (
            "NotIpAddress",
            json!("203.0.113.0/24"),
            One("198.51.100.1"),
            true,
        ),
        ("NotIpAddress", json!("203.0.113.0/24"), Absent, true),
        (
            "ArnEquals",
            json!("arn:aws:iam::123456789012:role/x"),
            One("arn:aws:iam::123456789012:role/x"),
            true,
        ),
        (
            "ArnLike",
            json!("arn:aws:iam::*:role/x"),
            One("arn:aws:iam::123456789012:role/x"),
            true,
        ),
        (
            "ArnLike",
            json!("arn:aws:iam::*:role/x"),
            One("arn:aws:iam::123456789012:role/y"),
            false,
        ),
        (
            "ArnNotLike",
            json!("arn:aws:iam::*:role/admin*"),
            One("arn:aws:iam::1:role/admin-1"),
            false,
        ),
        (
            "ArnNotLike",
            json!("arn:aws:iam::*:role/admin*"),
            Absent,
            true,
        ),
        (
            "ArnNotEquals",
            json!("arn:aws:s3:::b"),
            One("arn:aws:s3:::c"),
            true,
        ),
        ("Null", json!("true"), Absent, true),
        ("Null", json!("true"), One("x"), false),
        ("Null", json!(false), One("x"), true),
        ("Null", json!("false"), Absent, false),
        // Set operators.
        (
            "ForAllValues:StringEquals",
            json!(["a", "b"]),
            Many(&["a", "b"]),
            true,
        ),
        (
            "ForAllValues:StringEquals",
            json!(["a", "b"]),
            Many(&["a", "c"]),
            false,
        ),
        ("ForAllValues:StringEquals", json!(["a"]), Absent, true),
        ("ForAllValues:StringEquals", json!(["a"]), Many(&[]), true),
        (
            "ForAnyValue:StringEquals",
            json!(["a"]),
            Many(&["x", "a"]),
            true,
        ),
        (
            "ForAnyValue:StringEquals",
            json!(["a"]),
            Many(&["x", "y"]),
            false,
        ),
        ("ForAnyValue:StringEquals", json!(["a"]), Absent, false),
        ("ForAnyValue:StringEquals", json!(["a"]), Many(&[]), false),
        (
            "ForAnyValue:StringNotEquals",
            json!(["a"]),
            Many(&["a", "b"]),
            true,
        ),
        (
            "ForAllValues:StringNotEquals",
            json!(["a"]),
            Many(&["a", "b"]),
            false,
        ),
        (
            "ForAllValues:StringLike",
            json!(["env*"]),
            Many(&["env", "envx"]),
            true,
        ),
        // Unknown operator: parses, never matches.
        ("StringEqualsWhatever", json!("a"), One("a"), false),
        ("stringequals", json!("a"), One("a"), false),
    ];
    for (i, (op, val, key, want)) in rows.iter().enumerate() {
        let d = allow_if(json!({ *op: { "test:Key": val } }));
        assert_eq!(allowed(&d, "test:key", key), *want, "row {i}: {op} {val}");
    }
}

#[test]
fn keys_and_operators_are_anded_values_ored() {
    let d = allow_if(json!({
        "StringEquals": {"a:k1": ["x", "y"], "a:k2": "z"},
        "Bool": {"a:k3": "true"}
    }));
    let base = RequestContext::new("s3:GetObject", "r");
    let all = base
        .clone()
        .with("a:k1", "y")
        .with("a:k2", "z")
        .with("a:k3", "true");
    assert!(evaluate(&[&d], &all).is_allowed());
    let missing = base.with("a:k1", "y").with("a:k2", "z");
    assert!(!evaluate(&[&d], &missing).is_allowed());
}

#[test]
fn condition_keys_are_case_insensitive() {
    let d = allow_if(json!({"StringEquals": {"AWS:SourceVpc": "vpc-1"}}));
    let ctx = RequestContext::new("s3:GetObject", "r").with("aws:sourcevpc", "vpc-1");
    assert!(evaluate(&[&d], &ctx).is_allowed());
}

#[test]
fn deny_beats_allow_and_default_is_implicit_deny() {
    let allow = doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
    );
    let deny = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}),
    );
    let ctx = RequestContext::new("s3:DeleteObject", "arn:aws:s3:::b/k");
    let d = evaluate(&[&allow, &deny], &ctx);
    assert_eq!(d.verdict, Verdict::ExplicitDeny);
    let decider = d.deciding.unwrap();
    assert_eq!((decider.policy, decider.statement.index), (1, 0));
    assert_eq!(decider.statement.sid.as_deref(), Some("NoDelete"));
    assert_eq!(d.matched.len(), 2);
    assert_eq!(
        evaluate(&[&deny], &RequestContext::new("s3:GetObject", "x")).verdict,
        Verdict::ImplicitDeny
    );
    assert_eq!(evaluate(&[], &ctx).verdict, Verdict::ImplicitDeny);
}

#[test]
fn actions_case_insensitive_and_wildcards() {
    let d = doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["S3:get*", "ec2:Describe?nstances"], "Resource": "*"}}),
    );
    for (a, want) in [
        ("s3:GetObject", true),
        ("s3:getobject", true),
        ("s3:PutObject", false),
        ("ec2:DescribeInstances", true),
        ("ec2:DescribeXXnstances", false),
    ] {
        assert_eq!(
            evaluate(&[&d], &RequestContext::new(a, "r")).is_allowed(),
            want,
            "{a}"
        );
    }
}

#[test]
fn not_action_and_not_resource() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]}));
    let ok = |a: &str, r: &str| evaluate(&[&d], &RequestContext::new(a, r)).is_allowed();
    assert!(ok("s3:GetObject", "arn:aws:s3:::public/k"));
    assert!(!ok("s3:GetObject", "arn:aws:s3:::secret/k"));
    assert!(!ok("iam:CreateUser", "arn:aws:iam::1:user/x"));
    assert!(!ok("IAM:CreateUser", "arn:aws:iam::1:user/x"));
}

#[test]
fn resource_arn_matching_is_case_sensitive_and_partwise() {
    let d = doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::Bucket/*"}}),
    );
    let ok = |r: &str| evaluate(&[&d], &RequestContext::new("s3:GetObject", r)).is_allowed();
    assert!(ok("arn:aws:s3:::Bucket/a/b"));
    assert!(!ok("arn:aws:s3:::bucket/a"));
}

#[test]
fn policy_variables() {
    let v2012 = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
        {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:*:q-${aws:PrincipalTag/team, 'default'}"},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:*:${*}literal"}]}));
    let ctx = |a: &str, r: &str| RequestContext::new(a, r).with("aws:username", "alice");
    assert!(evaluate(&[&v2012], &ctx("s3:GetObject", "arn:aws:s3:::home/alice/f")).is_allowed());
    assert!(!evaluate(&[&v2012], &ctx("s3:GetObject", "arn:aws:s3:::home/bob/f")).is_allowed());
    // Absent variable: the pattern does not match.
    let anon = RequestContext::new("s3:GetObject", "arn:aws:s3:::home/alice/f");
    assert!(!evaluate(&[&v2012], &anon).is_allowed());
    assert!(evaluate(
        &[&v2012],
        &ctx("iam:ChangePassword", "x").with("aws:PrincipalTag/team", "alice")
    )
    .is_allowed());
    assert!(evaluate(
        &[&v2012],
        &ctx("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q-default")
    )
    .is_allowed());
    assert!(evaluate(
        &[&v2012],
        &ctx("sns:Publish", "arn:aws:sns:us-east-1:1:*literal")
    )
    .is_allowed());
    assert!(!evaluate(
        &[&v2012],
        &ctx("sns:Publish", "arn:aws:sns:us-east-1:1:Xliteral")
    )
    .is_allowed());
    // Version 2008-10-17: variables are literal text.
    let v2008 = doc(json!({"Version": "2008-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}));
    assert!(!evaluate(&[&v2008], &ctx("s3:GetObject", "arn:aws:s3:::home/alice/f")).is_allowed());
    assert!(evaluate(
        &[&v2008],
        &ctx("s3:GetObject", "arn:aws:s3:::home/${aws:username}/f")
    )
    .is_allowed());
}

#[test]
fn principals() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["123456789012", "arn:aws:iam::210987654321:role/r"]}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    let ok = |p: RequestPrincipal| {
        evaluate(
            &[&d],
            &RequestContext::new("sts:AssumeRole", "r").with_principal(p),
        )
        .is_allowed()
    };
    assert!(ok(RequestPrincipal::aws(
        "arn:aws:iam::123456789012:user/any"
    )));
    assert!(ok(RequestPrincipal::aws(
        "arn:aws:iam::210987654321:role/r"
    )));
    assert!(!ok(RequestPrincipal::aws(
        "arn:aws:iam::210987654321:role/other"
    )));
    assert!(ok(RequestPrincipal {
        kind: guardrail_rules::policy::PrincipalType::Service,
        id: "ec2.amazonaws.com".into()
    }));
    assert!(!ok(RequestPrincipal {
        kind: guardrail_rules::policy::PrincipalType::Service,
        id: "lambda.amazonaws.com".into()
    }));
    let not = doc(
        json!({"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*"}]}),
    );
    let v = |p: &str| {
        evaluate(
            &[&not],
            &RequestContext::new("s3:GetObject", "r").with_principal(RequestPrincipal::aws(p)),
        )
        .verdict
    };
    assert_eq!(v("arn:aws:iam::999988887777:root"), Verdict::ExplicitDeny);
    assert_eq!(v("arn:aws:iam::123456789012:user/u"), Verdict::ImplicitDeny);
}

#[test]
fn parses_every_shape() {
    let d = PolicyDocument::parse(r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Principal": "*", "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": true},
        "ForAnyValue:StringLike": {"aws:TagKeys": ["a*", "b"]}}}}"#).unwrap();
    assert_eq!(d.version, None);
    assert_eq!(d.statements.len(), 1);
    assert_eq!(d.statements[0].conditions.len(), 3);
    let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let d = PolicyDocument::parse(enc).unwrap();
    assert_eq!(d.version.as_deref(), Some("2012-10-17"));
}

type ErrCheck = Box<dyn Fn(&PolicyParseError) -> bool>;

#[test]
fn parse_errors_carry_the_path() {
    let cases: Vec<(&str, ErrCheck)> = vec![
        (
            r#"{"Statement": [{"Effect":"Allow","Action":"*","Resource":"*"}, {"Effect":"Allow","Action":"*","Resource":"*"}, {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals": 5}}]}"#,
            Box::new(|e| e.path() == Some("Statement[2].Condition.StringEquals")),
        ),
        (
            r#"{"Statement": [{"Effect":"Maybe","Action":"*"}]}"#,
            Box::new(
                |e| matches!(e, PolicyParseError::InvalidEffect { path, .. } if path == "Statement[0].Effect"),
            ),
        ),
        (
            r#"{"Statement": [{"Action":"*"}]}"#,
            Box::new(|e| {
                matches!(
                    e,
                    PolicyParseError::MissingElement {
                        element: "Effect",
                        ..
                    }
                )
            }),
        ),
        (
            r#"{"Statement": [{"Effect":"Allow","Action":"*","NotAction":"x"}]}"#,
            Box::new(|e| matches!(e, PolicyParseError::Conflicting { .. })),
        ),
        (
            r#"{"Statement": [{"Effect":"Allow","Action":[1]}]}"#,
            Box::new(|e| e.path() == Some("Statement[0].Action[0]")),
        ),
        (
            r#"{"Statement": [{"Effect":"Allow","Action":"*","Bogus":1}]}"#,
            Box::new(|e| matches!(e, PolicyParseError::UnknownElement { .. })),
        ),
        (
            r#"{"Version": "2012-10-17"}"#,
            Box::new(|e| {
                matches!(
                    e,
                    PolicyParseError::MissingElement {
                        element: "Statement",
                        ..
                    }
                )
            }),
        ),
        (
            r#"{"Statement": [{"Effect":"Allow","Action":"*","Condition":{"Bool":{"k":{"x":1}}}}]}"#,
            Box::new(|e| e.path() == Some("Statement[0].Condition.Bool.k")),
        ),
        (
            r#"{"Statement": "#,
            Box::new(|e| matches!(e, PolicyParseError::InvalidJson { .. })),
        ),
        ("", Box::new(|e| matches!(e, PolicyParseError::Empty))),
        (
            "%7B%2",
            Box::new(|e| matches!(e, PolicyParseError::InvalidUrlEncoding { .. })),
        ),
        ("[1,2]", Box::new(|e| e.path() == Some("$"))),
    ];
    for (i, (text, check)) in cases.iter().enumerate() {
        let err = PolicyDocument::parse(text).unwrap_err();
        assert!(check(&err), "case {i}: {err}");
    }
    let big = format!(
        "{{\"Statement\": [], \"Id\": \"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    assert!(matches!(
        PolicyDocument::parse(&big),
        Err(PolicyParseError::TooLarge { .. })
    ));
}

#[test]
fn unknown_operator_is_kept_and_does_not_match() {
    let d = PolicyDocument::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringSortOf":{"k":"v"}}}]}"#).unwrap();
    assert_eq!(
        d.statements[0].conditions[0].operator.kind,
        guardrail_rules::policy::OperatorKind::Unknown
    );
    assert_eq!(
        evaluate(
            &[&d],
            &RequestContext::new("s3:GetObject", "r").with("k", "v")
        )
        .verdict,
        Verdict::ImplicitDeny
    );
}
