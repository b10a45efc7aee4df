//! `iam-policy-privilege-escalation`: known escalation paths (Rhino Security Labs' list).
//!
//! A path is granted when *every* action of the combination is allowed in some probe request
//! with the attacker's choice of the keys that matter:
//! - `iam:PolicyARN` = AdministratorAccess (then IAMFullAccess), so an Attach*Policy limited by
//!   `ArnEquals iam:PolicyARN` to one specific (e.g. deny) policy is not escalation;
//! - `iam:PassedToService` = the service of the combination, so PassRole limited to another
//!   service breaks the combination.
//!
//! Severity: high when a deciding statement's resources are broad (`*`, a wildcard, a policy
//! variable, NotResource); medium when every action is limited to specific ARNs without
//! wildcards (still a path, e.g. passing one named role, but scoped and reviewable).

use super::super::document::StatementRef;
use super::super::evaluate::MatchedStatement;
use super::probe::Probe;
use super::rules::PRIVILEGE_ESCALATION;
use super::PolicyFinding;
use crate::severity::Severity;

/// One escalation path.
pub struct EscalationPath {
    pub name: &'static str,
    pub actions: &'static [&'static str],
    /// Service that receives the passed role, for `iam:PassedToService`.
    pub passed_to: Option<&'static str>,
}

/// The catalogue of paths (data, reviewed against Rhino Security Labs' AWS IAM escalation list).
pub const PATHS: &[EscalationPath] = &[
    p(
        "create a new default policy version",
        &["iam:CreatePolicyVersion"],
        None,
    ),
    p(
        "switch a policy's default version",
        &["iam:SetDefaultPolicyVersion"],
        None,
    ),
    p(
        "attach a managed policy to a user",
        &["iam:AttachUserPolicy"],
        None,
    ),
    p(
        "attach a managed policy to a group",
        &["iam:AttachGroupPolicy"],
        None,
    ),
    p(
        "attach a managed policy to a role",
        &["iam:AttachRolePolicy"],
        None,
    ),
    p("write an inline user policy", &["iam:PutUserPolicy"], None),
    p(
        "write an inline group policy",
        &["iam:PutGroupPolicy"],
        None,
    ),
    p("write an inline role policy", &["iam:PutRolePolicy"], None),
    p(
        "create access keys for another user",
        &["iam:CreateAccessKey"],
        None,
    ),
    p(
        "set a console password for a user",
        &["iam:CreateLoginProfile"],
        None,
    ),
    p(
        "change a user's console password",
        &["iam:UpdateLoginProfile"],
        None,
    ),
    p(
        "rewrite a role trust policy and assume it",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
        None,
    ),
    p(
        "add a user to a privileged group",
        &["iam:AddUserToGroup"],
        None,
    ),
    p(
        "pass a role to a new Lambda function and invoke it",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
        Some("lambda.amazonaws.com"),
    ),
    p(
        "pass a role to a new Lambda function triggered by an event source",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
        Some("lambda.amazonaws.com"),
    ),
    p(
        "rewrite an existing Lambda function's code",
        &["lambda:UpdateFunctionCode"],
        None,
    ),
    p(
        "pass a role to a new EC2 instance",
        &["iam:PassRole", "ec2:RunInstances"],
        Some("ec2.amazonaws.com"),
    ),
    p(
        "pass a role to a CloudFormation stack",
        &["iam:PassRole", "cloudformation:CreateStack"],
        Some("cloudformation.amazonaws.com"),
    ),
    p(
        "pass a role to a Glue development endpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
        Some("glue.amazonaws.com"),
    ),
    p(
        "update a Glue development endpoint's SSH key",
        &["glue:UpdateDevEndpoint"],
        None,
    ),
    p(
        "pass a role to a Data Pipeline",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
        Some("datapipeline.amazonaws.com"),
    ),
    p(
        "pass a role to a SageMaker notebook",
        &[
            "iam:PassRole",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
        Some("sagemaker.amazonaws.com"),
    ),
];

const fn p(
    name: &'static str,
    actions: &'static [&'static str],
    passed_to: Option<&'static str>,
) -> EscalationPath {
    EscalationPath {
        name,
        actions,
        passed_to,
    }
}

const POLICY_ARNS: [&str; 2] = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
];

pub(super) fn check(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    'paths: for path in PATHS {
        if !path.actions.iter().all(|a| probe.mentions(a)) {
            continue;
        }
        let mut first: Option<StatementRef> = None;
        let mut policy = None;
        let mut broad = false;
        for action in path.actions {
            let mut found = None;
            for arn in POLICY_ARNS {
                let mut fixed: Vec<(&str, Option<&str>)> = vec![("iam:PolicyARN", Some(arn))];
                if let Some(svc) = path.passed_to {
                    fixed.push(("iam:PassedToService", Some(svc)));
                }
                found = probe.find_allow(action, &fixed, None);
                if found.is_some() {
                    break;
                }
            }
            let Some((_, d)) = found else {
                continue 'paths;
            };
            let Some(m) = d.deciding else {
                continue 'paths;
            };
            broad |= statement_is_broad(probe, &m);
            if first.is_none() {
                policy = Some(m.policy);
                first = Some(m.statement);
            }
        }
        let severity = if broad {
            Severity::High
        } else {
            Severity::Medium
        };
        let scope = if broad {
            ""
        } else {
            " (limited to specific resources)"
        };
        out.push(
            PolicyFinding::new(
                PRIVILEGE_ESCALATION,
                severity,
                first,
                format!(
                    "privilege escalation: can {} via {}{scope}",
                    path.name,
                    path.actions.join(" + ")
                ),
                path.actions.iter().map(|a| a.to_string()).collect(),
            )
            .in_policy(policy),
        );
    }
    out
}

fn statement_is_broad(probe: &Probe<'_>, m: &MatchedStatement) -> bool {
    let Some(stmt) = probe.statement(m) else {
        return true;
    };
    match &stmt.resource {
        None => true,
        Some(list) if list.negated => true,
        Some(list) => list
            .patterns
            .iter()
            .any(|p| p.contains(['*', '?']) || p.contains("${")),
    }
}
