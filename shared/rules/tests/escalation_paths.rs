//! The escalation catalogue, path by path: a policy that grants each path is reported with the
//! path's id, and the same policy behind a condition the caller cannot meet is not.

use guardrail_rules::policy::analysis::escalation::{granted_paths, paths, EscalationPath};
use guardrail_rules::policy::analysis::probe::Probe;
use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyFinding};
use guardrail_rules::Severity;
use serde_json::{json, Value};
use std::path::Path;

const RULE: &str = "iam-policy-privilege-escalation";

fn findings(doc: &Value) -> Vec<PolicyFinding> {
    let doc = PolicyDocument::from_value(doc).unwrap();
    analyze(&doc, &AnalysisOptions::default())
}

fn escalation(f: &[PolicyFinding]) -> Vec<&PolicyFinding> {
    f.iter().filter(|x| x.rule == RULE).collect()
}

fn names(f: &[PolicyFinding], id: &str) -> bool {
    escalation(f).iter().any(|x| x.paths.contains(&id))
}

/// One statement per permission, on `resource`, with the path's own keys set as the attacker
/// would set them and `extra` conditions added.
fn granting(path: &EscalationPath, resource: &str, extra: Option<Value>) -> Value {
    let statements: Vec<Value> = path
        .permissions
        .iter()
        .map(|p| {
            let mut cond = serde_json::Map::new();
            let mut eq = serde_json::Map::new();
            for (k, v) in p.conditions {
                eq.insert(k.to_string(), json!(v[0]));
            }
            if !eq.is_empty() {
                cond.insert("StringEquals".into(), Value::Object(eq));
            }
            if let Some(Value::Object(extra)) = &extra {
                for (k, v) in extra {
                    cond.insert(k.clone(), v.clone());
                }
            }
            json!({"Effect": "Allow", "Action": p.action, "Resource": resource, "Condition": cond})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[test]
fn every_path_granted_is_reported_with_its_id() {
    for path in paths() {
        let f = findings(&granting(path, "*", None));
        assert!(names(&f, path.id), "{}: {:#?}", path.id, escalation(&f));
        let sev = escalation(&f)
            .iter()
            .find(|x| x.paths.contains(&path.id))
            .map(|x| x.severity);
        assert_eq!(sev, Some(Severity::High), "{} on * is high", path.id);
    }
}

#[test]
fn every_path_behind_a_condition_the_caller_cannot_meet_is_not_reported() {
    // aws:CalledVia of a service no path uses: the caller cannot present it.
    let via_athena = json!({"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}});
    // A key the catalogue's actions never carry.
    let other_service_key = json!({"StringEquals": {"athena:WorkGroup": "primary"}});
    for path in paths() {
        for extra in [&via_athena, &other_service_key] {
            let f = findings(&granting(path, "*", Some(extra.clone())));
            assert!(
                escalation(&f).is_empty(),
                "{}: {:#?}",
                path.id,
                escalation(&f)
            );
        }
    }
}

#[test]
fn the_seed_delegation_policy_is_not_an_access_key_path() {
    // Seed 001 §7.2: CreateUser and CreateAccessKey only with an iam:PermissionsBoundary
    // condition, which CreateAccessKey's request never carries.
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/seed-policies/iam-create-user-with-permissions-boundary.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let f = findings(&doc);
    assert!(escalation(&f).is_empty(), "{:#?}", escalation(&f));
    // Without the condition, it is one.
    let plain = json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}});
    assert!(names(&findings(&plain), "iam-002"));
}

#[test]
fn aws_called_via_of_the_paths_own_service_is_settable() {
    let doc = json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"cloudformation:CreateStack","Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{
            "ForAnyValue:StringEquals":{"aws:CalledVia":"cloudformation.amazonaws.com"}}}]});
    assert!(names(&findings(&doc), "cloudformation-001"));
}

#[test]
fn a_grant_that_needs_two_keys_at_once_is_found() {
    // One key at a time never matches the Allow: the pair search does.
    let doc = json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"*",
        "Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"},
                     "ForAnyValue:StringEquals":{"aws:CalledVia":"iam.amazonaws.com"}}}});
    assert!(names(&findings(&doc), "iam-005"));
}

#[test]
fn actions_are_probed_on_their_own_resource_type() {
    let on = |resource: &str| {
        findings(
            &json!({"Version":"2012-10-17","Statement":{"Effect":"Allow",
            "Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":resource}}),
        )
    };
    assert!(!names(
        &on("arn:aws:sagemaker:*:*:endpoint/*"),
        "sagemaker-004"
    ));
    assert!(names(
        &on("arn:aws:sagemaker:*:*:notebook-instance/*"),
        "sagemaker-004"
    ));
    // PassRole is authorized on the role: a PassRole on instance profiles passes nothing.
    let doc = json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:instance-profile/*"}]});
    assert!(!names(&findings(&doc), "ec2-001"));
}

#[test]
fn severity_follows_the_scope_of_the_targets() {
    let sev = |doc: Value, id: &str| {
        let f = findings(&doc);
        escalation(&f)
            .iter()
            .find(|x| x.paths.contains(&id))
            .map(|x| x.severity)
    };
    let pass = |role: &str| {
        json!({"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"},
            {"Effect":"Allow","Action":"iam:PassRole","Resource":role}]})
    };
    // Creating the function on * is not a target: the role passed is.
    assert_eq!(
        sev(pass("arn:aws:iam::111122223333:role/app"), "lambda-001"),
        Some(Severity::Medium)
    );
    // A * in the account field alone names the same role.
    assert_eq!(
        sev(pass("arn:aws:iam::*:role/app"), "lambda-001"),
        Some(Severity::Medium)
    );
    assert_eq!(
        sev(pass("arn:aws:iam::*:role/*"), "lambda-001"),
        Some(Severity::High)
    );
    assert_eq!(sev(pass("*"), "lambda-001"), Some(Severity::High));
    let own = json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PutUserPolicy",
        "Resource":"arn:aws:iam::111122223333:user/${aws:username}"}});
    assert_eq!(sev(own, "iam-007"), Some(Severity::High));
    // Assuming one named role is the delegation sts:AssumeRole is for; any role is a path.
    let assume = |role: &str| json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":role}});
    assert_eq!(
        sev(
            assume("arn:aws:iam::*:role/GuardrailRemediationRole"),
            "sts-001"
        ),
        None
    );
    assert_eq!(sev(assume("*"), "sts-001"), Some(Severity::High));
}

#[test]
fn one_statement_is_one_finding_and_admin_subsumes_it() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/seed-policies/admin-wildcard-bad.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, "iam-policy-admin-wildcard");
    let related: Vec<&str> = f[0].related.iter().map(|r| r.rule).collect();
    assert_eq!(
        related,
        ["iam-policy-allows-without-mfa", RULE],
        "{:#?}",
        f[0].related
    );
    let esc = &f[0].related[1];
    assert_eq!(esc.paths.len(), paths().len());
    // Without the admin grant (IAM and Lambda only), the paths are one finding.
    let doc = json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:*","lambda:*"],"Resource":"*"}});
    let f = findings(&doc);
    let esc = escalation(&f);
    assert_eq!(esc.len(), 1, "{esc:#?}");
    assert!(esc[0].paths.contains(&"iam-001") && esc[0].paths.contains(&"lambda-001"));
    assert!(esc[0].message.contains("iam-001"), "{}", esc[0].message);
}

#[test]
fn granted_paths_name_the_deciding_statement_of_each_permission() {
    let doc = PolicyDocument::from_value(&json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"lambda:*","Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app",
         "Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}}]}))
    .unwrap();
    let options = AnalysisOptions::default();
    let probe = Probe::new(&doc, &options);
    let granted = granted_paths(&probe);
    let g = granted
        .iter()
        .find(|g| g.path.id == "lambda-001")
        .expect("lambda-001");
    let indices: Vec<usize> = g.statements.iter().map(|m| m.statement.index).collect();
    assert_eq!(indices, [1, 0, 0]);
    assert!(!g.broad);
    // lambda-003 (replace a function's code) is granted on * by statement 0: broad.
    assert!(granted.iter().any(|g| g.path.id == "lambda-003" && g.broad));
}

/// Paths of the reference data deliberately not in the catalogue (see docs/policy-engine.md).
const LEFT_OUT: &[&str] = &[];

#[test]
fn the_catalogue_covers_the_reference_paths() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pathfinding-cloud/paths");
    if !dir.is_dir() {
        println!("skipped: {} is absent", dir.display());
        return;
    }
    let mut seen = 0;
    for service in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(service.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .unwrap()
                .trim()
                .trim_matches(['"', '\''])
                .to_string();
            seen += 1;
            if LEFT_OUT.contains(&id.as_str()) {
                continue;
            }
            let entry = paths()
                .iter()
                .find(|p| p.id == id)
                .unwrap_or_else(|| panic!("{id} is neither in the catalogue nor left out"));
            let mut required: Vec<String> = required_permissions(&text);
            let mut ours: Vec<String> = entry.actions().map(str::to_string).collect();
            required.sort();
            // One action may be probed on two resource types (ssm-002: the instance and the
            // shell document): the path needs the action once.
            ours.sort();
            ours.dedup();
            assert_eq!(ours, required, "{id}");
        }
    }
    assert_eq!(seen, 65);
}

/// `permissions: required: - permission: X` of a pathfinding.cloud file.
fn required_permissions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_perms = false;
    let mut in_required = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('-') {
            in_perms = line.trim_end() == "permissions:";
            in_required = false;
            continue;
        }
        if in_perms && line.trim_end() == "  required:" {
            in_required = true;
            continue;
        }
        if in_perms
            && line.starts_with("  ")
            && !line.starts_with("  -")
            && !line.starts_with("   ")
        {
            in_required = false;
        }
        if in_required {
            if let Some(p) = line.trim_start().strip_prefix("- permission: ") {
                out.push(p.trim().trim_matches(['"', '\'']).to_string());
            }
        }
    }
    out
}

/// Run Command runs arbitrary commands only through a shell document: a policy that allows
/// only a fixed document (as AWS Backup's managed policies do) is no `ssm-002` path.
#[test]
fn run_command_needs_a_shell_document() {
    let with = |documents: Value| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "ssm:SendCommand",
            "Resource": ["arn:aws:ec2:*:*:instance/*", documents]}]})
    };
    let fixed = findings(&with(json!(
        "arn:aws:ssm:*::document/AWS-CreateVSSSnapshot"
    )));
    assert!(!names(&fixed, "ssm-002"), "{:#?}", escalation(&fixed));
    let shell = findings(&with(json!("arn:aws:ssm:*::document/AWS-RunShellScript")));
    assert!(names(&shell, "ssm-002"), "{:#?}", escalation(&shell));
    let any = findings(&with(json!("arn:aws:ssm:*:*:document/*")));
    assert!(names(&any, "ssm-002"));
}

/// IAM's `*` spans `/`: `stack/SC-*` reaches stacks (`stack/NAME/ID`), and a name prefix
/// someone chose is a named family (medium), not arbitrary stacks.
#[test]
fn a_prefix_pattern_reaches_its_type_and_is_named() {
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "cloudformation:UpdateStack",
        "Resource": "arn:aws:cloudformation:*:*:stack/SC-*"}]});
    let f = findings(&doc);
    let found = escalation(&f)
        .into_iter()
        .find(|x| x.paths.contains(&"cloudformation-002"))
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(found.severity, Severity::Medium);
    // A role-name prefix is not "any role": no sts-001.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/AWS-SSM-*"}]});
    assert!(!names(&findings(&doc), "sts-001"));
}

/// AWS's own documents carry no tags of the account's: a grant on tagged documents only is no
/// shell; a document that runs a fetched script is one.
#[test]
fn run_command_through_tagged_documents_or_remote_scripts() {
    let tagged = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "arn:aws:ec2:*:*:instance/*"},
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "arn:aws:ssm:*:*:document/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Scripts": "true"}}}]});
    assert!(!names(&findings(&tagged), "ssm-002"));
    let remote = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "arn:aws:ec2:*:*:instance/*"},
        {"Effect": "Allow", "Action": "ssm:SendCommand",
         "Resource": "arn:aws:ssm:*:*:document/AWS-RunRemoteScript"}]});
    assert!(names(&findings(&remote), "ssm-002"));
}
