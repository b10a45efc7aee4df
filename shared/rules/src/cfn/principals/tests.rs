use super::*;
use proptest::prelude::*;
use serde_json::json;

fn doc(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn find<'a>(ps: &'a [TemplatePrincipal], id: &str) -> &'a TemplatePrincipal {
    ps.iter()
        .find(|p| p.logical_id == id)
        .unwrap_or_else(|| panic!("no principal {id} in {ps:#?}"))
}

fn names(p: &TemplatePrincipal) -> Vec<&str> {
    p.inline.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn a_role_holds_its_inline_managed_and_referenced_policies() {
    let t = json!({"Resources": {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Metadata": {"guardrail": {"suppressions": [{"rule": "r1", "reason": "because"}]}},
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": doc("s3:GetObject")}],
                "ManagedPolicyArns": [
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"},
                    {"Ref": "Mine"}
                ],
                "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"
            }
        },
        "Mine": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Metadata": {"guardrail": {"suppressions": [{"rule": "r2", "reason": "accepted"}]}},
            "Properties": {"PolicyDocument": doc("sqs:SendMessage")}
        }
    }});
    let (ps, notes) = principals(&t);
    assert_eq!(ps.len(), 1);
    let role = find(&ps, "Role");
    assert_eq!(role.kind, TemplatePrincipalKind::Role);
    assert_eq!(
        names(role),
        ["Properties.Policies[0].PolicyDocument", "Mine"]
    );
    assert_eq!(role.inline[1].1, doc("sqs:SendMessage"));
    // A policy of the template is its document, not an unknown ARN.
    assert_eq!(role.managed, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert_eq!(
        role.boundary.as_deref(),
        Some("arn:aws:iam::123456789012:policy/boundary")
    );
    assert!(role.trust.is_some() && role.machine_only());
    let rules: Vec<&str> = role.suppressions.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(rules, ["r1", "r2"]);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        role.location("Properties.Policies[0].PolicyDocument"),
        "Resources.Role.Properties.Policies[0].PolicyDocument"
    );
    assert_eq!(role.location("Mine"), "Resources.Role (policy Mine)");
}

#[test]
fn users_and_groups_with_their_policies_and_memberships() {
    let t = json!({"Resources": {
        "Admins": {"Type": "AWS::IAM::Group", "Properties": {
            "GroupName": "admins",
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }},
        "Ops": {"Type": "AWS::IAM::Group"},
        "Alice": {"Type": "AWS::IAM::User", "Properties": {
            "Groups": [{"Ref": "Admins"}, "external-group"],
            "Policies": [{"PolicyName": "own", "PolicyDocument": doc("ec2:Describe*")}]
        }},
        "AddToOps": {"Type": "AWS::IAM::UserToGroupAddition", "Properties": {
            "GroupName": {"Ref": "Ops"}, "Users": [{"Ref": "Alice"}]
        }},
        "AlicePolicy": {"Type": "AWS::IAM::UserPolicy", "Properties": {
            "UserName": {"Ref": "Alice"}, "PolicyName": "x", "PolicyDocument": doc("sns:Publish")
        }},
        "GroupPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "g", "Groups": ["admins"], "PolicyDocument": doc("iam:Get*")
        }}
    }});
    let (ps, notes) = principals(&t);
    assert!(notes.is_empty(), "{notes:?}");
    let alice = find(&ps, "Alice");
    assert_eq!(alice.kind, TemplatePrincipalKind::User);
    assert_eq!(alice.groups, ["Admins", "external-group", "Ops"]);
    assert_eq!(
        names(alice),
        ["Properties.Policies[0].PolicyDocument", "AlicePolicy"]
    );
    assert!(!alice.machine_only() && alice.trust.is_none());
    let admins = find(&ps, "Admins");
    assert_eq!(admins.kind, TemplatePrincipalKind::Group);
    assert_eq!(
        admins.managed,
        ["arn:aws:iam::aws:policy/AdministratorAccess"]
    );
    // Attached by the group's literal name.
    assert_eq!(names(admins), ["GroupPolicy"]);
    assert_eq!(find(&ps, "Ops").kind, TemplatePrincipalKind::Group);
}

#[test]
fn a_sam_function_holds_what_sam_generates_for_it() {
    let t = json!({
        "Parameters": {"ExtraPolicy": {"Type": "String"}},
        "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table"},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
            "Policies": [
                "AdministratorAccess",
                "AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                {"Ref": "ExtraPolicy"},
                {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}},
                {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
                {"CloudWatchPutMetricPolicy": {}}
            ]
        }}
    }});
    let (ps, notes) = principals(&t);
    assert!(notes.is_empty(), "{notes:?}");
    let f = find(&ps, "Fn");
    assert_eq!(f.kind, TemplatePrincipalKind::Function);
    assert_eq!(
        f.managed,
        [
            BASIC_EXECUTION,
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            // A parameter's value is not known here; it stays what it is.
            "REF-ExtraPolicy",
        ]
    );
    assert_eq!(
        names(f),
        [
            "Properties.Policies[5]",
            "Properties.Policies[4].DynamoDBCrudPolicy",
            "Properties.Policies[6].CloudWatchPutMetricPolicy"
        ]
    );
    let crud = &f.inline[1].1;
    assert_eq!(
        crud["Statement"][0]["Resource"][0],
        "arn:aws:dynamodb:us-east-1:123456789012:table/REF-Table"
    );
    assert_eq!(
        f.trust.as_ref().unwrap()["Statement"][0]["Principal"]["Service"][0],
        "lambda.amazonaws.com"
    );
    assert!(f.machine_only());
}

#[test]
fn the_default_basic_execution_policy_and_vpc_access() {
    let t = json!({
        "Globals": {"Function": {"PermissionsBoundary": "arn:aws:iam::123456789012:policy/b"}},
        "Resources": {
            "Plain": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "x"}},
            "InVpc": {"Type": "AWS::Serverless::Function", "Properties": {"VpcConfig": {"SubnetIds": []}}}
        }
    });
    let (ps, _) = principals(&t);
    let plain = find(&ps, "Plain");
    assert_eq!(plain.managed, [BASIC_EXECUTION]);
    assert!(plain.inline.is_empty());
    assert_eq!(
        plain.boundary.as_deref(),
        Some("arn:aws:iam::123456789012:policy/b")
    );
    assert_eq!(find(&ps, "InVpc").managed, [BASIC_EXECUTION, VPC_ACCESS]);
}

#[test]
fn a_function_with_a_role_is_its_role() {
    let t = json!({"Resources": {
        "FnRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
        }},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
            "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
            // Ignored by SAM when Role is set.
            "Policies": ["AdministratorAccess"]
        }},
        "Other": {"Type": "AWS::Serverless::Function", "Properties": {
            "Role": "arn:aws:iam::123456789012:role/elsewhere"
        }}
    }});
    let (ps, notes) = principals(&t);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(find(&ps, "FnRole").managed.len(), 1);
    assert_eq!(
        notes,
        [
            TemplateNote::UsesRole {
                logical_id: "Fn".into(),
                role: "FnRole".into()
            },
            TemplateNote::UsesRole {
                logical_id: "Other".into(),
                role: "arn:aws:iam::123456789012:role/elsewhere".into()
            }
        ]
    );
    assert!(notes[0].to_string().contains("uses role FnRole"));
}

#[test]
fn a_state_machine_gets_the_states_trust_and_no_lambda_default() {
    let t = json!({"Resources": {
        "Flow": {"Type": "AWS::Serverless::StateMachine", "Properties": {
            "Policies": [{"LambdaInvokePolicy": {"FunctionName": "f"}}]
        }}
    }});
    let (ps, notes) = principals(&t);
    assert!(notes.is_empty(), "{notes:?}");
    let flow = find(&ps, "Flow");
    assert_eq!(flow.kind, TemplatePrincipalKind::StateMachine);
    assert!(flow.managed.is_empty());
    assert_eq!(names(flow), ["Properties.Policies[0].LambdaInvokePolicy"]);
    assert_eq!(
        flow.trust.as_ref().unwrap()["Statement"][0]["Principal"]["Service"][0],
        "states.amazonaws.com"
    );
}

#[test]
fn policy_resources_attach_by_ref_and_to_sam_generated_roles() {
    let t = json!({"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "named-role"}},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {}},
        "ByRef": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "a", "Roles": [{"Ref": "Role"}, {"Ref": "FnRole"}],
            "PolicyDocument": doc("kms:Decrypt")
        }},
        "ByName": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Roles": ["named-role"], "PolicyDocument": doc("kms:Encrypt")
        }},
        "RoleInline": {"Type": "AWS::IAM::RolePolicy", "Properties": {
            "RoleName": {"Ref": "Role"}, "PolicyName": "c", "PolicyDocument": doc("sqs:*")
        }},
        "Elsewhere": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Roles": ["a-role-of-another-stack"], "PolicyDocument": doc("s3:*")
        }},
        "Nobody": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("s3:*")}}
    }});
    let (ps, notes) = principals(&t);
    assert_eq!(names(find(&ps, "Role")), ["ByName", "ByRef", "RoleInline"]);
    assert_eq!(names(find(&ps, "Fn")), ["ByRef"]);
    assert_eq!(
        notes,
        [
            TemplateNote::Unattached {
                logical_id: "Elsewhere".into()
            },
            TemplateNote::Unattached {
                logical_id: "Nobody".into()
            }
        ]
    );
}

#[test]
fn a_referenced_managed_policy_is_attached_once() {
    let t = json!({"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [{"Ref": "P"}]}},
        "P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Roles": [{"Ref": "Role"}], "PolicyDocument": doc("s3:GetObject")
        }},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Policies": [{"Ref": "P"}]}}
    }});
    let (ps, notes) = principals(&t);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(names(find(&ps, "Role")), ["P"]);
    assert_eq!(names(find(&ps, "Fn")), ["P"]);
    assert_eq!(find(&ps, "Fn").managed, [BASIC_EXECUTION]);
}

#[test]
fn sam_templates_that_do_not_expand_are_noted() {
    let t = json!({"Resources": {
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Policies": [
            {"NoSuchPolicy": {}},
            {"DynamoDBCrudPolicy": {}},
            42
        ]}}
    }});
    let (ps, notes) = principals(&t);
    assert_eq!(find(&ps, "Fn").inline, []);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(matches!(
        &notes[0],
        TemplateNote::SamTemplate { path, error: SamTemplateError::UnknownTemplate { .. }, .. }
            if path == "Properties.Policies[0]"
    ));
    assert!(matches!(
        &notes[1],
        TemplateNote::SamTemplate {
            error: SamTemplateError::MissingParameters { .. },
            ..
        }
    ));
    assert!(notes[1].to_string().contains("TableName"), "{}", notes[1]);
    assert!(
        matches!(&notes[2], TemplateNote::UnknownPolicyEntry { path, .. } if path == "Properties.Policies[2]")
    );
}

#[test]
fn held_policies_come_from_the_lookup_or_are_reported_unknown() {
    let t = json!({"Resources": {
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
            "Policies": ["AdministratorAccess", "arn:aws:iam::123456789012:policy/theirs",
                {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]
        }}
    }});
    let (ps, _) = principals(&t);
    let f = find(&ps, "Fn");
    let lookup = |arn: &str| match aws_managed_policy_name(arn) {
        Some("AdministratorAccess") => Some(doc("*")),
        _ => None,
    };
    let (held, unknown) = f.held_policies(lookup);
    let locations: Vec<&str> = held.iter().map(|h| h.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            "Resources.Fn.Properties.Policies[2]",
            "Resources.Fn (AWS managed policy AdministratorAccess)"
        ]
    );
    assert_eq!(*held[1].document, doc("*"));
    assert_eq!(
        unknown,
        [BASIC_EXECUTION, "arn:aws:iam::123456789012:policy/theirs"]
    );
}

#[test]
fn a_boundary_of_the_template_is_its_document_and_only_a_boundary() {
    let t = json!({"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            "PermissionsBoundary": {"Ref": "Bound"}
        }},
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
            "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"
        }},
        "Other": {"Type": "AWS::IAM::User", "Properties": {
            "PermissionsBoundary": {"Ref": "BoundaryArn"}
        }},
        "Bound": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("s3:*")}},
        // Also a boundary, but granted to a role of another stack: a grant, judged as one.
        "Shared": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "PolicyDocument": doc("s3:*"), "Roles": ["someone-elses-role"]
        }},
        "Bounded": {"Type": "AWS::IAM::User", "Properties": {
            "PermissionsBoundary": {"Ref": "Shared"}
        }}
    }});
    let (ps, notes) = principals(&t);
    let lookup =
        |arn: &str| (aws_managed_policy_name(arn) == Some("ReadOnlyAccess")).then(|| doc("*"));
    let role = find(&ps, "Role");
    // A boundary is not a policy the role holds.
    assert!(role.inline.is_empty(), "{:?}", role.inline);
    let Some(Ok(held)) = role.held_boundary(lookup) else {
        panic!("{role:?}")
    };
    assert_eq!(held.location, "Resources.Role (permissions boundary Bound)");
    assert_eq!(*held.document, doc("s3:*"));
    let Some(Ok(held)) = find(&ps, "Fn").held_boundary(lookup) else {
        panic!("Fn")
    };
    assert_eq!(
        held.location,
        "Resources.Fn (permissions boundary AWS managed policy ReadOnlyAccess)"
    );
    assert_eq!(
        find(&ps, "Other").held_boundary(lookup),
        Some(Err("REF-BoundaryArn"))
    );
    assert_eq!(find(&ps, "Other").boundary_policy, None);
    assert!(find(&ps, "Bounded").boundary_policy.is_some());
    assert_eq!(
        notes,
        [
            TemplateNote::BoundaryOnly {
                logical_id: "Bound".to_string()
            },
            TemplateNote::Unattached {
                logical_id: "Shared".to_string()
            }
        ]
    );
}

#[test]
fn aws_managed_policy_names_in_any_partition_and_path() {
    assert_eq!(
        aws_managed_policy_name("arn:aws:iam::aws:policy/AdministratorAccess"),
        Some("AdministratorAccess")
    );
    assert_eq!(
        aws_managed_policy_name(
            "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ),
        Some("AWSLambdaBasicExecutionRole")
    );
    for not_aws in [
        "arn:aws:iam::123456789012:policy/AdministratorAccess",
        "arn:aws:iam::aws:role/x",
        "arn:aws:iam::aws:policy/",
        "AdministratorAccess",
        "",
    ] {
        assert_eq!(aws_managed_policy_name(not_aws), None, "{not_aws}");
    }
}

#[test]
fn no_resources_no_principals() {
    for t in [
        json!(null),
        json!({"Resources": []}),
        json!({"Resources": {"X": 1}}),
    ] {
        let (ps, notes) = principals(&t);
        assert!(ps.is_empty() && notes.is_empty(), "{t}");
    }
}

/// Template-shaped JSON: the keys principals reads, in any arrangement and type.
fn arb_template_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("Type"),
        Just("Properties"),
        Just("Policies"),
        Just("ManagedPolicyArns"),
        Just("Role"),
        Just("Roles"),
        Just("Users"),
        Just("Groups"),
        Just("GroupName"),
        Just("PolicyDocument"),
        Just("Statement"),
        Just("Ref"),
        Just("Fn::GetAtt"),
        Just("Fn::Sub"),
        Just("Fn::If"),
        Just("DynamoDBCrudPolicy"),
        Just("TableName"),
        Just("Metadata"),
        Just("VpcConfig"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just("AWS::IAM::Role"),
            Just("AWS::IAM::User"),
            Just("AWS::IAM::Group"),
            Just("AWS::IAM::Policy"),
            Just("AWS::IAM::ManagedPolicy"),
            Just("AWS::IAM::UserToGroupAddition"),
            Just("AWS::Serverless::Function"),
            Just("AWS::Serverless::StateMachine"),
            Just("A"),
            Just("B"),
            Just("REF-A"),
            Just("AdministratorAccess"),
            Just("arn:aws:iam::aws:policy/x"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..4).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    /// No panic on any template shape, and everything collected stays in the template.
    #[test]
    fn principals_never_panics(a in arb_template_value(), b in arb_template_value(), g in arb_template_value()) {
        let t = json!({"Globals": {"Function": g}, "Resources": {"A": a, "B": b}});
        let (ps, _) = principals(&t);
        for p in &ps {
            prop_assert!(p.logical_id == "A" || p.logical_id == "B");
            let _ = p.held_policies(|_| None);
            let _ = p.machine_only();
        }
    }
}
