//! `parse_account_file` on the hand-written export `tests/data/accounts/small-gaad.json` and on
//! variants of it: every field read, both document forms, page arrays, de-duplication, and each
//! error kind with the path it names. (Hostile input: hostile_input.rs.)

use guardrail_rules::policy::{PolicyDocument, PolicyParseError};
use guardrail_rules::sweep::{
    self, parse_account_file, AccountFacts, AccountFileError, SweepFacts, MAX_ACCOUNT_FILE_BYTES,
};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::path::Path;

const ACCOUNT: &str = "arn:aws:iam::123456789012";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn fixture_text() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/accounts/small-gaad.json");
    std::fs::read_to_string(path).expect("fixture")
}

fn fixture() -> Value {
    serde_json::from_str(&fixture_text()).unwrap()
}

fn parse(v: &Value) -> Result<AccountFacts, AccountFileError> {
    parse_account_file(&v.to_string())
}

fn as_json(text: &str) -> Value {
    serde_json::from_str(text).expect("compact JSON text")
}

fn doc(text: &str) -> Result<PolicyDocument, PolicyParseError> {
    PolicyDocument::parse(text)
}

#[test]
fn the_fixture_is_read_field_by_field() {
    let facts = parse_account_file(&fixture_text()).expect("parses");
    assert_eq!(facts.account_id().as_deref(), Some("123456789012"));
    assert_eq!(
        (
            facts.users.len(),
            facts.groups.len(),
            facts.roles.len(),
            facts.policies.len()
        ),
        (2, 1, 1, 3)
    );

    let alice = facts.user("alice").unwrap();
    assert_eq!(alice.id, "AIDAALICEEXAMPLE00001");
    assert_eq!(alice.arn, format!("{ACCOUNT}:user/alice"));
    assert_eq!(alice.path, "/");
    assert_eq!(alice.groups, vec!["admins"]);
    assert!(alice.attached.is_empty());
    assert_eq!(alice.permissions_boundary, None);
    assert_eq!(
        alice.create_date.as_deref(),
        Some("2023-03-01T09:30:00+00:00")
    );
    assert_eq!(alice.tags.get("team").map(String::as_str), Some("platform"));
    // An object document is kept as its compact JSON text.
    assert_eq!(alice.inline.len(), 1);
    assert_eq!(alice.inline[0].name, "ReadOwnKeys");
    let written = &fixture()["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"];
    assert_eq!(&as_json(&alice.inline[0].document), written);
    assert!(!alice.inline[0].document.contains(['\n', ' ']));
    doc(&alice.inline[0].document).expect("object document parses");

    let bob = facts.user("bob").unwrap();
    assert_eq!(bob.path, "/contractors/");
    assert_eq!(bob.attached, vec![format!("{ACCOUNT}:policy/ReportsWrite")]);
    assert_eq!(
        bob.permissions_boundary.as_deref(),
        Some(format!("{ACCOUNT}:policy/DeployBoundary").as_str())
    );
    assert!(bob.tags.is_empty() && bob.groups.is_empty());
    // A URL-encoded document is kept as is.
    assert!(bob.inline[0].document.starts_with("%7B%22Version%22"));
    doc(&bob.inline[0].document).expect("URL-encoded document parses");

    let admins = &facts.groups[0];
    assert_eq!(
        (admins.name.as_str(), admins.path.as_str()),
        ("admins", "/")
    );
    assert_eq!(admins.attached, vec![ADMIN]);
    assert!(admins.inline.is_empty());

    let deploy = &facts.roles[0];
    assert_eq!(deploy.name, "deploy");
    assert_eq!(deploy.path, "/service/");
    assert_eq!(
        deploy.permissions_boundary.as_deref(),
        Some(format!("{ACCOUNT}:policy/DeployBoundary").as_str())
    );
    assert_eq!(
        deploy.create_date.as_deref(),
        Some("2023-06-15T08:00:00+00:00")
    );
    assert_eq!(
        deploy.last_used.as_deref(),
        Some("2024-05-30T22:10:00+00:00")
    );
    assert_eq!(deploy.tags.get("owner").map(String::as_str), Some("ci"));
    let trust = doc(deploy.trust_policy.as_deref().unwrap()).expect("trust policy parses");
    assert_eq!(trust.statements.len(), 1);

    let index = facts.policy_index();
    let admin = index[ADMIN];
    assert!(admin.is_aws_managed());
    assert_eq!(
        (admin.name.as_str(), admin.default_version_id.as_str()),
        ("AdministratorAccess", "v1")
    );
    assert_eq!(admin.attachment_count, 1);
    assert_eq!(
        as_json(admin.document.as_deref().unwrap()),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    );
    // The default version, not the first one.
    let reports = index[format!("{ACCOUNT}:policy/ReportsWrite").as_str()];
    assert!(!reports.is_aws_managed());
    assert_eq!(reports.default_version_id, "v2");
    assert!(reports
        .document
        .as_deref()
        .unwrap()
        .contains("s3:PutObject"));
    assert_eq!(reports.attachment_count, 2);
    // Everything a principal uses is in the file.
    assert!(facts.missing_policy_arns().is_empty());
}

#[test]
fn the_sweep_judges_the_file_and_not_the_aws_managed_document() {
    let facts = SweepFacts {
        account: "123456789012".into(),
        iam_region: "us-east-1".into(),
        iam: parse_account_file(&fixture_text()).unwrap(),
        ..SweepFacts::default()
    };
    let swept = sweep::run(&facts, &Settings::default());
    let ids: Vec<(&str, &str)> = swept
        .findings
        .iter()
        .map(|f| (f.rule, f.resource.id.as_str()))
        .collect();
    assert!(
        !ids.iter()
            .any(|(_, id)| id.starts_with("AdministratorAccess")),
        "{ids:?}"
    );
    // bob's directly attached customer policy is still reported.
    let reports = format!("{ACCOUNT}:policy/ReportsWrite");
    assert!(
        ids.contains(&("iam-user-direct-policy", reports.as_str())),
        "{ids:?}"
    );
    assert!(
        swept.notes.iter().all(|n| !n.contains("unreadable")),
        "{:?}",
        swept.notes
    );
}

#[test]
fn object_and_url_encoded_documents_read_the_same() {
    let plain = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D%5D%7D";
    let file = |d: Value| {
        json!({
            "RoleDetailList": [{"RoleName": "r", "Arn": format!("{ACCOUNT}:role/r"), "AssumeRolePolicyDocument": d.clone(),
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": d.clone()}]}],
            "Policies": [{"Arn": format!("{ACCOUNT}:policy/p"), "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": d}]}],
        })
    };
    let a = parse(&file(plain.clone())).unwrap();
    let b = parse(&file(json!(encoded))).unwrap();
    let docs = |f: &AccountFacts| {
        [
            f.roles[0].trust_policy.clone().unwrap(),
            f.roles[0].inline[0].document.clone(),
            f.policies[0].document.clone().unwrap(),
        ]
    };
    for (x, y) in docs(&a).iter().zip(docs(&b).iter()) {
        assert_eq!(y, encoded, "a string is kept as is");
        assert_eq!(doc(x).unwrap(), doc(y).unwrap());
    }
    // A plain JSON string (some tools write that) is kept as is too.
    let c = parse(&file(json!(plain.to_string()))).unwrap();
    assert_eq!(c.roles[0].inline[0].document, plain.to_string());
    // No PolicyName (moto leaves it out): the name comes from the ARN.
    assert_eq!(a.policies[0].name, "p");
}

#[test]
fn pages_are_merged_in_order() {
    let whole = fixture();
    let mut first = whole.clone();
    let mut second = json!({});
    for key in ["RoleDetailList", "Policies"] {
        second[key] = first.as_object_mut().unwrap().remove(key).unwrap();
    }
    let pages = json!([first, {"IsTruncated": false, "UserDetailList": []}, second]);
    assert_eq!(parse(&pages).unwrap(), parse(&whole).unwrap());
    // An empty array is an empty account.
    assert_eq!(parse(&json!([])).unwrap(), AccountFacts::default());
}

#[test]
fn duplicates_by_arn_are_read_once() {
    let whole = fixture();
    let expected = parse(&whole).unwrap();
    // The same export twice (pages overlapping, or a file concatenated by a script).
    assert_eq!(
        parse(&json!([whole.clone(), whole.clone()])).unwrap(),
        expected
    );
    // Within one object: the first entry wins.
    let mut v = whole.clone();
    let mut later = v["UserDetailList"][0].clone();
    later["Path"] = json!("/later/");
    v["UserDetailList"].as_array_mut().unwrap().push(later);
    let policy = v["Policies"][0].clone();
    v["Policies"].as_array_mut().unwrap().push(policy);
    let facts = parse(&v).unwrap();
    assert_eq!(facts, expected);
    assert_eq!(facts.user("alice").unwrap().path, "/");
}

#[test]
fn unknown_fields_are_ignored_and_null_is_absent() {
    let mut v = fixture();
    v["SomethingNew"] = json!({"x": [1, 2]});
    v["UserDetailList"][0]["FutureField"] = json!(42);
    v["RoleDetailList"][0]["InstanceProfileList"] = json!("ignored, whatever it is");
    let expected = parse(&fixture()).unwrap();
    assert_eq!(parse(&v).unwrap(), expected);

    let minimal = json!({"UserDetailList": [{"UserName": "u", "Arn": format!("{ACCOUNT}:user/u"),
        "Path": null, "Tags": null, "PermissionsBoundary": {}, "CreateDate": null}],
        "RoleDetailList": [{"RoleName": "r", "Arn": format!("{ACCOUNT}:role/r"), "RoleLastUsed": {}}],
        "Policies": [{"Arn": ADMIN, "PolicyVersionList": [{"VersionId": "v3", "IsDefaultVersion": true}]}]});
    let facts = parse(&minimal).unwrap();
    let u = &facts.users[0];
    assert_eq!((u.path.as_str(), u.id.as_str()), ("", ""));
    assert_eq!(
        (u.permissions_boundary.clone(), u.create_date.clone()),
        (None, None)
    );
    assert_eq!(facts.roles[0].last_used, None);
    assert_eq!(facts.roles[0].trust_policy, None);
    // No DefaultVersionId: the version marked default names it; no document, none stored.
    assert_eq!(facts.policies[0].default_version_id, "v3");
    assert_eq!(facts.policies[0].document, None);
    assert_eq!(facts.policies[0].attachment_count, 0);
}

/// The error for `v` with `pointer` set to `value`.
fn error_with(pointer: &str, value: Value) -> AccountFileError {
    let mut v = fixture();
    *v.pointer_mut(pointer).expect(pointer) = value;
    parse(&v).expect_err(pointer)
}

#[test]
fn a_field_of_the_wrong_type_names_its_path() {
    // The example of the brief, at index 3.
    let mut v = fixture();
    let role = v["RoleDetailList"][0].clone();
    let list = v["RoleDetailList"].as_array_mut().unwrap();
    for i in 1..4 {
        let mut r = role.clone();
        r["Arn"] = json!(format!("{ACCOUNT}:role/r{i}"));
        r["RolePolicyList"] = json!([{"PolicyName": "p", "PolicyDocument": 7}]);
        list.push(r);
    }
    let err = parse(&v).unwrap_err();
    assert_eq!(
        err.to_string(),
        "$.RoleDetailList[1].RolePolicyList[0].PolicyDocument: expected an object or a string, found a number"
    );
    v["RoleDetailList"][1]["RolePolicyList"] = json!([]);
    v["RoleDetailList"][2]["RolePolicyList"] = json!([]);
    assert_eq!(
        parse(&v).unwrap_err().to_string(),
        "$.RoleDetailList[3].RolePolicyList[0].PolicyDocument: expected an object or a string, found a number"
    );

    for (pointer, value, path, expected, found) in [
        (
            "/UserDetailList",
            json!({}),
            "$.UserDetailList",
            "an array",
            "an object",
        ),
        (
            "/UserDetailList/0",
            json!("alice"),
            "$.UserDetailList[0]",
            "an object",
            "a string",
        ),
        (
            "/UserDetailList/0/UserName",
            json!(1),
            "$.UserDetailList[0].UserName",
            "a string",
            "a number",
        ),
        (
            "/UserDetailList/0/GroupList/0",
            json!(["admins"]),
            "$.UserDetailList[0].GroupList[0]",
            "a string",
            "an array",
        ),
        (
            "/UserDetailList/0/Tags/0/Value",
            json!(true),
            "$.UserDetailList[0].Tags[0].Value",
            "a string",
            "a boolean",
        ),
        (
            "/UserDetailList/1/PermissionsBoundary",
            json!("arn"),
            "$.UserDetailList[1].PermissionsBoundary",
            "an object",
            "a string",
        ),
        (
            "/UserDetailList/1/PermissionsBoundary/PermissionsBoundaryArn",
            json!(5),
            "$.UserDetailList[1].PermissionsBoundary.PermissionsBoundaryArn",
            "a string",
            "a number",
        ),
        (
            "/UserDetailList/0/CreateDate",
            json!(1_700_000_000),
            "$.UserDetailList[0].CreateDate",
            "a string",
            "a number",
        ),
        (
            "/GroupDetailList/0/AttachedManagedPolicies/0",
            json!(ADMIN),
            "$.GroupDetailList[0].AttachedManagedPolicies[0]",
            "an object",
            "a string",
        ),
        (
            "/RoleDetailList/0/AssumeRolePolicyDocument",
            json!([]),
            "$.RoleDetailList[0].AssumeRolePolicyDocument",
            "an object or a string",
            "an array",
        ),
        (
            "/RoleDetailList/0/RoleLastUsed",
            json!("2024-01-01"),
            "$.RoleDetailList[0].RoleLastUsed",
            "an object",
            "a string",
        ),
        (
            "/Policies/1/AttachmentCount",
            json!("2"),
            "$.Policies[1].AttachmentCount",
            "an integer",
            "a string",
        ),
        (
            "/Policies/1/AttachmentCount",
            json!(2.5),
            "$.Policies[1].AttachmentCount",
            "an integer",
            "a number",
        ),
        (
            "/Policies/1/PolicyVersionList/1/IsDefaultVersion",
            json!("true"),
            "$.Policies[1].PolicyVersionList[1].IsDefaultVersion",
            "a boolean",
            "a string",
        ),
        (
            "/Policies/1/PolicyVersionList/0/Document",
            json!(false),
            "$.Policies[1].PolicyVersionList[0].Document",
            "an object or a string",
            "a boolean",
        ),
    ] {
        let err = error_with(pointer, value);
        assert_eq!(
            err,
            AccountFileError::WrongType {
                path: path.into(),
                expected,
                found
            },
            "{pointer}"
        );
        assert_eq!(err.path(), Some(path));
    }
}

#[test]
fn a_missing_required_field_names_its_path() {
    for (pointer, field, path) in [
        ("/UserDetailList/0", "Arn", "$.UserDetailList[0]"),
        ("/UserDetailList/1", "UserName", "$.UserDetailList[1]"),
        ("/GroupDetailList/0", "GroupName", "$.GroupDetailList[0]"),
        ("/RoleDetailList/0", "RoleName", "$.RoleDetailList[0]"),
        ("/Policies/2", "Arn", "$.Policies[2]"),
        (
            "/UserDetailList/0/UserPolicyList/0",
            "PolicyDocument",
            "$.UserDetailList[0].UserPolicyList[0]",
        ),
        (
            "/UserDetailList/1/AttachedManagedPolicies/0",
            "PolicyArn",
            "$.UserDetailList[1].AttachedManagedPolicies[0]",
        ),
        (
            "/RoleDetailList/0/Tags/0",
            "Key",
            "$.RoleDetailList[0].Tags[0]",
        ),
    ] {
        let mut v = fixture();
        v.pointer_mut(pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(field);
        let err = parse(&v).unwrap_err();
        assert_eq!(
            err,
            AccountFileError::MissingField {
                path: path.into(),
                field
            },
            "{pointer}"
        );
        assert_eq!(
            err.to_string(),
            format!("{path}: missing required field {field}")
        );
        // null is missing too.
        let err = error_with(&format!("{pointer}/{field}"), Value::Null);
        assert!(
            matches!(err, AccountFileError::MissingField { .. }),
            "{err}"
        );
    }
}

#[test]
fn the_top_level_must_be_account_details() {
    let err = parse(&json!(5)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "$: expected an object or an array of page objects, found a number"
    );
    let err = parse(&json!([fixture(), "page"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "$[1]: expected a page object, found a string"
    );
    for v in [
        json!({}),
        json!({"Version": "2012-10-17", "Statement": []}),
        json!([{"IsTruncated": true}]),
    ] {
        let err = parse(&v).unwrap_err();
        assert!(
            matches!(err, AccountFileError::NotAccountDetails { .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("not GetAccountAuthorizationDetails output"),
            "{err}"
        );
    }
    assert_eq!(parse(&json!([{}])).unwrap_err().path(), Some("$[0]"));
    // An empty account as the CLI writes it.
    let empty =
        json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    assert_eq!(parse(&empty).unwrap(), AccountFacts::default());
}

#[test]
fn text_that_is_not_json_names_line_and_column() {
    let text = "{\n    \"UserDetailList\": [\n        {\"UserName\": \"a\",}\n    ]\n}\n";
    match parse_account_file(text) {
        Err(AccountFileError::InvalidJson {
            line,
            column,
            message,
        }) => {
            assert_eq!(line, 3, "{message}");
            assert!(column > 0);
            let shown = parse_account_file(text).unwrap_err().to_string();
            assert!(shown.contains("(line 3, column"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    // Truncated in the middle.
    let full = fixture_text();
    let half = &full[..full.len() / 2];
    assert!(matches!(
        parse_account_file(half),
        Err(AccountFileError::InvalidJson { .. })
    ));
    // A byte-order mark is not an error; text that is only one, or blank, is empty.
    assert!(parse_account_file(&format!("\u{feff}{full}")).is_ok());
    for blank in ["", "  \n\t", "\u{feff}", "\u{feff}\n"] {
        assert_eq!(
            parse_account_file(blank),
            Err(AccountFileError::Empty),
            "{blank:?}"
        );
    }
}

#[test]
fn a_file_over_the_cap_is_refused_before_parsing() {
    let huge = " ".repeat(MAX_ACCOUNT_FILE_BYTES + 1);
    assert_eq!(
        parse_account_file(&huge),
        Err(AccountFileError::TooLarge {
            size: MAX_ACCOUNT_FILE_BYTES + 1,
            max: MAX_ACCOUNT_FILE_BYTES
        })
    );
}
