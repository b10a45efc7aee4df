//! Property tests: nothing panics on arbitrary input.

use guardrail_rules::policy::{
    analyze, evaluate, AnalysisOptions, PolicyDocument, PolicyKind, RequestContext,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "*",
            "s3:*",
            "iam:Put*",
            "Allow",
            "Deny",
            "arn:aws:s3:::b/*",
            "${aws:username}",
            "${x, 'd'}",
            "10.0.0.0/8",
            "2001:db8::/32",
            "2024-01-01T00:00:00Z",
            "true",
            "false",
            "?",
            "${",
            "%7B",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "Version",
                        "Statement",
                        "Sid",
                        "Effect",
                        "Action",
                        "NotAction",
                        "Resource",
                        "NotResource",
                        "Principal",
                        "NotPrincipal",
                        "Condition",
                        "AWS",
                        "Service",
                        "Federated",
                        "StringEquals",
                        "StringLike",
                        "ForAllValues:StringNotEquals",
                        "ForAnyValue:IpAddress",
                        "NumericLessThanIfExists",
                        "DateGreaterThan",
                        "Bool",
                        "Null",
                        "ArnNotLike",
                        "BogusOp",
                        "aws:SourceIp",
                        "aws:MultiFactorAuthPresent",
                        "aws:username",
                    ]),
                    inner,
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// A structurally valid policy with arbitrary leaves, so evaluation/analysis paths are reached.
fn arb_policy() -> impl Strategy<Value = Value> {
    let s = || {
        prop::sample::select(vec![
            "*",
            "s3:Get*",
            "iam:*",
            "ec2:RunInstances",
            "x",
            "arn:aws:s3:::b/${aws:username}",
            "*:*",
        ])
        .prop_map(String::from)
    };
    let op = prop::sample::select(vec![
        "StringEquals",
        "StringNotLike",
        "ForAllValues:StringEquals",
        "ForAnyValue:StringLike",
        "BoolIfExists",
        "Bool",
        "NotIpAddress",
        "IpAddress",
        "NumericGreaterThan",
        "DateLessThan",
        "ArnLike",
        "Null",
        "Weird",
    ]);
    let key = prop::sample::select(vec![
        "aws:SourceIp",
        "aws:MultiFactorAuthPresent",
        "aws:RequestedRegion",
        "aws:CurrentTime",
        "iam:PassedToService",
        "k",
    ]);
    let stmt = (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(s(), 1..3),
        prop::collection::vec(s(), 1..3),
        prop::option::of((op, key, ".{0,10}")),
    )
        .prop_map(|(allow, not, a, r, c)| {
            let mut m = serde_json::Map::new();
            m.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            m.insert(if not { "NotAction" } else { "Action" }.into(), json!(a));
            m.insert("Resource".into(), json!(r));
            if let Some((op, key, v)) = c {
                m.insert("Condition".into(), json!({op: {key: v}}));
            }
            Value::Object(m)
        });
    prop::collection::vec(stmt, 1..4).prop_map(|s| json!({"Version": "2012-10-17", "Statement": s}))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_strings(s in ".{0,200}") {
        let _ = PolicyDocument::parse(&s);
    }

    #[test]
    fn from_value_never_panics(v in arb_json()) {
        if let Ok(doc) = PolicyDocument::from_value(&v) {
            let ctx = RequestContext::new("s3:GetObject", "arn:aws:s3:::b/k").with("aws:username", "u");
            let _ = evaluate(&[&doc], &ctx);
            let _ = analyze(&doc, &AnalysisOptions::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn evaluate_and_analyze_never_panic(v in arb_policy(), action in ".{0,20}", resource in ".{0,30}", val in ".{0,16}") {
        let doc = PolicyDocument::from_value(&v).unwrap();
        let ctx = RequestContext::new(action, resource).with("k", val.clone()).with("aws:SourceIp", val);
        let _ = evaluate(&[&doc], &ctx);
        for kind in [PolicyKind::Identity, PolicyKind::Trust, PolicyKind::Scp] {
            let _ = analyze(&doc, &AnalysisOptions { kind, own_account: Some("111122223333".into()), allowed_regions: Some(vec!["eu-west-1".into()]) });
        }
    }
}
