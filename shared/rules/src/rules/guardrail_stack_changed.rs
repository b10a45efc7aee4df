//! `guardrail-stack-changed`: someone other than its deployer changed the guardrail itself
//! (its functions, EventBridge rules, topic, ledger, queues, log groups, roles or stack).
//!
//! Everything else this project guards depends on these resources: disabling the rule that
//! delivers CloudTrail to a function, or deleting its topic, silences every other rule. The
//! stack's resources are known by name: CloudFormation names what it creates
//! `{stack}-{LogicalId}-{suffix}` and the template names functions `{stack}-{function}` and log
//! groups `/aws/lambda/{stack}-{function}`; the member role by GUARDRAIL_MEMBER_ROLE_NAME.

use super::call_finding::{planned, restore_or_note, Steps};
use super::registry::{CallJudge, Judged, Need, Read, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind, OWN_RULES};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "guardrail-stack-changed",
    title: "The guardrail's own stack changed",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "A change to a resource of the guardrail's own stack (GUARDRAIL_STACK_NAME): its \
             Lambda functions (code, configuration, permissions, concurrency, deletion), \
             EventBridge rules (DisableRule, DeleteRule, RemoveTargets, PutRule, PutTargets), \
             SNS topic, SQS queues, DynamoDB ledger, log groups, its roles or the member role, \
             or the CloudFormation stack itself, by a principal that is not one of \
             GUARDRAIL_DEPLOYER_PRINCIPALS.",
    rationale: "An intruder who knows the account is guarded silences the guard first: a \
                disabled EventBridge rule or a deleted topic turns every other rule off \
                without a trace in the guardrail's own alerts. Cloud Custodian users ask for \
                this (member accounts deleting the policies' rules).",
    remediation: "DisableRule on one of the stack's own EventBridge rules: EnableRule (remediate \
                  mode, in the home account; the rule is re-read first, so one enabled again \
                  or deleted since is left alone). Everything else: alert, naming the call \
                  and how to undo it (redeploy the stack, which restores every resource it \
                  owns). Deployments by GUARDRAIL_DEPLOYER_PRINCIPALS are not judged. The \
                  rule that delivers the EventBridge calls to this function cannot heal \
                  itself: once it is disabled, its own DisableRule is not delivered.",
    anchors: &[
        "Cloud Custodian: mode protection (member accounts deleting policies)",
        "AWS Control Tower: mandatory controls protecting its own resources",
    ],
    runs: &[
        Runs {
            function: Function::TamperGuard,
            triggers: &[
                Subscription::ApiCalls {
                    source: "lambda.amazonaws.com",
                    names: LAMBDA_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "events.amazonaws.com",
                    names: EVENTBRIDGE_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "sns.amazonaws.com",
                    names: SNS_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "sqs.amazonaws.com",
                    names: SQS_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "dynamodb.amazonaws.com",
                    names: DYNAMODB_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "logs.amazonaws.com",
                    names: LOGS_EVENTS,
                },
                Subscription::ApiCalls {
                    source: "cloudformation.amazonaws.com",
                    names: CLOUDFORMATION_EVENTS,
                },
            ],
            reads: &[Permission::arn("events:DescribeRule", OWN_RULES)],
            steps: &[StepKind::EnableRule],
        },
        // IAM's events arrive in us-east-1 only, where iam-guard runs.
        Runs {
            function: Function::IamGuard,
            triggers: &[Subscription::ApiCalls {
                source: "iam.amazonaws.com",
                names: IAM_EVENTS,
            }],
            reads: &[],
            steps: &[],
        },
    ],
    per_event: true,
};

/// Lambda's CloudTrail names carry the API version (both versions seen in real records).
pub const LAMBDA_EVENTS: &[&str] = &[
    "UpdateFunctionCode20150331",
    "UpdateFunctionCode20150331v2",
    "UpdateFunctionConfiguration20150331",
    "UpdateFunctionConfiguration20150331v2",
    "DeleteFunction20150331",
    "AddPermission20150331",
    "AddPermission20150331v2",
    "RemovePermission20150331",
    "RemovePermission20150331v2",
    "PutFunctionConcurrency20171031",
    "DeleteFunctionConcurrency20171031",
];
pub const EVENTBRIDGE_EVENTS: &[&str] = &[
    "DisableRule",
    "DeleteRule",
    "RemoveTargets",
    "PutRule",
    "PutTargets",
];
pub const SNS_EVENTS: &[&str] = &[
    "DeleteTopic",
    "SetTopicAttributes",
    "Unsubscribe",
    "AddPermission",
    "RemovePermission",
];
pub const SQS_EVENTS: &[&str] = &[
    "DeleteQueue",
    "SetQueueAttributes",
    "PurgeQueue",
    "RemovePermission",
];
pub const DYNAMODB_EVENTS: &[&str] = &["DeleteTable", "UpdateTable", "UpdateTimeToLive"];
pub const LOGS_EVENTS: &[&str] = &[
    "DeleteLogGroup",
    "PutRetentionPolicy",
    "DeleteRetentionPolicy",
    "DisassociateKmsKey",
];
pub const CLOUDFORMATION_EVENTS: &[&str] = &[
    "DeleteStack",
    "UpdateStack",
    "ExecuteChangeSet",
    "UpdateTerminationProtection",
    "SetStackPolicy",
];
pub const IAM_EVENTS: &[&str] = &[
    "DeleteRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];

/// Judged from the call once the stack is named; a DisableRule on one of the stack's rules in
/// the home account re-reads the rule, to enable it only while it is still disabled.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, settings| {
        if settings.stack_name.is_none() || !META.declares_call(call) {
            return None;
        }
        Some(match disabled_rule(call, settings) {
            Some(name) => Need::EventRule {
                region: call.region.trim().to_string(),
                name,
            },
            None => Need::Nothing,
        })
    },
    judge: |call, read, ctx, settings| {
        let reread = match (read, disabled_rule(call, settings)) {
            (Read::EventRule(enabled), Some(name)) => Some((enabled, name)),
            (Read::Nothing, _) => None,
            _ => return Judged::mismatched(&[&META]),
        };
        restore_or_note(
            reread,
            "EventBridge rule",
            "enable",
            |name, enabled| {
                let step = RemediationStep::EnableRule {
                    region: call.region.trim().to_string(),
                    rule_name: name.clone(),
                };
                Ok(vec![(step, *enabled)])
            },
            |steps| judge(call, steps, ctx, settings),
        )
    },
};

/// The stack's own rule a DisableRule in the home account disabled, when a non-deployer
/// did it: the one change this rule undoes. A member account's rules are its member stack's,
/// not the home stack's, so there it alerts only.
fn disabled_rule(call: &ApiCall, settings: &Settings) -> Option<String> {
    if call.event_name != "DisableRule" || settings.is_member_account(&call.account) {
        return None;
    }
    let stack = settings.stack_name.as_deref()?;
    let resource = changed(call)?;
    let arns: Vec<&str> = call.principal.arns().collect();
    (belongs(&resource, stack, settings) && settings.deployer(&arns).is_none())
        .then_some(resource.id)
}

/// The finding when the call changed one of the stack's resources and its principal is not
/// a deployer, with the steps a re-read planned.
pub fn judge(
    call: &ApiCall,
    steps: Steps,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let stack = settings.stack_name.as_deref()?;
    let resource = changed(call)?;
    if !belongs(&resource, stack, settings) {
        return None;
    }
    let arns: Vec<&str> = call.principal.arns().collect();
    if settings.deployer(&arns).is_some() {
        return None;
    }
    let undo = match call.event_name.as_str() {
        "DisableRule" => format!(
            "aws events enable-rule --name {} (region {})",
            resource.id, call.region
        ),
        _ => format!("redeploy stack {stack} (sam deploy), which restores what it owns"),
    };
    let reason = format!(
        "{} called {} on {} {} of the guardrail's own stack {stack} in {}; to undo: {undo}",
        call.principal.display(),
        call.event_name,
        resource.kind,
        resource.id,
        call.region,
    );
    planned(&META, call, resource, reason, steps, ctx, settings)
}

/// Whether `resource` is one of the stack's.
fn belongs(resource: &ResourceRef, stack: &str, settings: &Settings) -> bool {
    let prefix = format!("{stack}-");
    match resource.kind {
        "AWS::CloudFormation::Stack" => resource.id == stack,
        "AWS::Logs::LogGroup" => resource
            .id
            .strip_prefix("/aws/lambda/")
            .is_some_and(|name| name.starts_with(&prefix)),
        "AWS::IAM::Role" => {
            resource.id.starts_with(&prefix)
                || settings.member_role.as_deref() == Some(&resource.id)
        }
        _ => resource.id.starts_with(&prefix),
    }
}

/// The resource the call changed, by the request parameter each service names it with.
fn changed(call: &ApiCall) -> Option<ResourceRef> {
    let (region, account) = (call.region.as_str(), call.account.as_str());
    let get = |key: &str| call.request_str(key).filter(|v| !v.is_empty());
    let resource = |kind: &'static str, id: &str, arn: String| ResourceRef {
        kind,
        id: id.to_string(),
        arn,
    };
    Some(match call.service() {
        "lambda" => {
            let given = get("functionName")?;
            // A name, a partial or full ARN (`...:function:NAME[:QUALIFIER]`).
            let name = match given.split_once(":function:") {
                Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
                None => given,
            };
            let arn = format!("arn:aws:lambda:{region}:{account}:function:{name}");
            resource("AWS::Lambda::Function", name, arn)
        }
        "events" => {
            let name = get("name").or_else(|| get("rule"))?;
            let name = name.rsplit('/').next().unwrap_or(name);
            let arn = format!("arn:aws:events:{region}:{account}:rule/{name}");
            resource("AWS::Events::Rule", name, arn)
        }
        "sns" => {
            let topic_arn = match get("topicArn") {
                Some(arn) => arn.to_string(),
                // A subscription ARN is its topic's ARN and an id.
                None => {
                    let sub = get("subscriptionArn")?;
                    sub.rsplit_once(':').map(|(topic, _)| topic.to_string())?
                }
            };
            let name = topic_arn
                .rsplit(':')
                .next()
                .unwrap_or(&topic_arn)
                .to_string();
            resource("AWS::SNS::Topic", &name, topic_arn)
        }
        "sqs" => {
            let url = get("queueUrl")?;
            let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
            let arn = format!("arn:aws:sqs:{region}:{account}:{name}");
            resource("AWS::SQS::Queue", name, arn)
        }
        "dynamodb" => {
            let given = get("tableName")?;
            let name = given.rsplit('/').next().unwrap_or(given);
            let arn = format!("arn:aws:dynamodb:{region}:{account}:table/{name}");
            resource("AWS::DynamoDB::Table", name, arn)
        }
        "logs" => {
            let name = get("logGroupName")?;
            let arn = format!("arn:aws:logs:{region}:{account}:log-group:{name}");
            resource("AWS::Logs::LogGroup", name, arn)
        }
        "cloudformation" => {
            let given = get("stackName")?;
            // A name, or `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`.
            let name = match given.split_once(":stack/") {
                Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
                None => given,
            };
            let arn = format!("arn:aws:cloudformation:{region}:{account}:stack/{name}");
            resource("AWS::CloudFormation::Stack", name, arn)
        }
        "iam" => {
            let name = get("roleName")?;
            let arn = format!("arn:aws:iam::{account}:role/{name}");
            resource("AWS::IAM::Role", name, arn)
        }
        _ => return None,
    })
}
