//! The privilege-escalation catalogue: every path as data, shared by the policy analysis and the
//! principal analysis.
//!
//! Ids are pathfinding.cloud's (DataDog/pathfinding.cloud, Apache-2.0, commit
//! 84dd65c97fc21dee54f4587be6dfd5b7b5fe320c) where the path is one of theirs; our own paths are
//! `guardrail-…`. Names and "what the attacker gains" are ours: the ids, categories and
//! permission lists are facts about AWS, the wording is not copied. A test checks the catalogue
//! against the reference files when they are beside the repo (`../shared/data/pathfinding-cloud`).
//!
//! A path is a set of permissions that must all be allowed. Some paths also need something a
//! policy cannot show (a role that trusts the service, a stack that already has a role, an
//! instance with a profile): they are still paths of the permissions, and
//! [`EscalationPath::prerequisite`] says what else must exist.

use serde::Serialize;

/// pathfinding.cloud's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The principal grants itself more permissions.
    SelfEscalation,
    /// The principal obtains credentials of, or becomes, another principal.
    PrincipalAccess,
    /// The principal passes an existing role to a new resource it controls.
    NewPassrole,
    /// The principal takes over a resource that already runs with a role.
    ExistingPassrole,
    /// The principal reads credentials that are stored somewhere.
    CredentialAccess,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::SelfEscalation => "self-escalation",
            Category::PrincipalAccess => "principal-access",
            Category::NewPassrole => "new-passrole",
            Category::ExistingPassrole => "existing-passrole",
            Category::CredentialAccess => "credential-access",
        }
    }
}

/// One permission of a path: an action, the resource type IAM authorizes it on, and the
/// condition keys whose value the attacker chooses in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permission {
    pub action: &'static str,
    /// The resource type (iam-definition.json's name, e.g. `role`, `notebook-instance`) the
    /// action is probed on; `""` for an action that takes no resource (probed on `*`).
    pub resource: &'static str,
    /// Keys the attacker sets, each with the values worth trying in order (e.g.
    /// `iam:PassedToService` = the service the role is passed to).
    pub conditions: &'static [(&'static str, &'static [&'static str])],
    /// Whether this permission names the path's *target* (the role passed, the user whose keys
    /// are created, the function whose code is replaced): only a target's scope decides
    /// whether the path works against arbitrary targets (high) or named ones (medium).
    /// Creating a new resource (`ec2:RunInstances` on `instance/*`) is not a target.
    pub target: bool,
    /// When not empty, the only resources the permission is probed on (`{account}` is the
    /// probe's account): the path needs one of these, not any resource of the type (Run
    /// Command runs arbitrary commands only through the shell documents).
    pub only: &'static [&'static str],
}

/// One escalation path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EscalationPath {
    /// pathfinding.cloud's id, or `guardrail-…` for a path of ours.
    pub id: &'static str,
    /// Short description of the move, ours.
    pub name: &'static str,
    pub category: Category,
    /// Every permission must be allowed.
    pub permissions: &'static [Permission],
    /// What the attacker gains.
    pub gains: &'static str,
    /// What must already exist for the path to work that a policy cannot show, if anything.
    pub prerequisite: Option<&'static str>,
    /// A path only against arbitrary targets: on named resources the grant is the delegation
    /// it was written for (assuming one named role is what `sts:AssumeRole` is for; whether
    /// that role is more privileged is the principal analysis's question, not the policy's).
    pub broad_only: bool,
}

impl EscalationPath {
    pub fn actions(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.permissions.iter().map(|p| p.action)
    }
}

/// The catalogue.
pub fn paths() -> &'static [EscalationPath] {
    PATHS
}

const ADMIN_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
];
const POLICY_ARN: &[(&str, &[&str])] = &[("iam:PolicyARN", ADMIN_POLICIES)];

/// A target permission.
/// The SSM documents that run any command or code they are given (AWS-owned: no account in
/// the ARN): a shell, a script fetched from S3 or GitHub, an Ansible playbook.
const SHELL_DOCUMENTS: &[&str] = &[
    "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
    "arn:aws:ssm:us-east-1::document/AWS-RunPowerShellScript",
    "arn:aws:ssm:us-east-1::document/AWS-RunRemoteScript",
    "arn:aws:ssm:us-east-1::document/AWS-RunAnsiblePlaybook",
    "arn:aws:ssm:us-east-1::document/AWS-ApplyAnsiblePlaybooks",
];

const fn t(action: &'static str, resource: &'static str) -> Permission {
    Permission {
        action,
        resource,
        conditions: &[],
        target: true,
        only: &[],
    }
}

/// A permission that is not the target (creating or starting something new).
const fn n(action: &'static str, resource: &'static str) -> Permission {
    Permission {
        action,
        resource,
        conditions: &[],
        target: false,
        only: &[],
    }
}

/// A target permission with attacker-chosen condition keys.
const fn tc(
    action: &'static str,
    resource: &'static str,
    conditions: &'static [(&'static str, &'static [&'static str])],
) -> Permission {
    Permission {
        action,
        resource,
        conditions,
        target: true,
        only: &[],
    }
}

macro_rules! pass_to {
    ($svc:literal) => {
        tc("iam:PassRole", "role", &[("iam:PassedToService", &[$svc])])
    };
}

const fn path(
    id: &'static str,
    name: &'static str,
    category: Category,
    permissions: &'static [Permission],
    gains: &'static str,
    prerequisite: Option<&'static str>,
) -> EscalationPath {
    EscalationPath {
        id,
        name,
        category,
        permissions,
        gains,
        prerequisite,
        broad_only: false,
    }
}

use Category::{ExistingPassrole as Existing, NewPassrole as New, PrincipalAccess, SelfEscalation};

const ROLE_OF_SERVICE: Option<&str> =
    Some("a role that trusts the service (its permissions are what is gained)");
const GAINS_ROLE: &str = "the permissions of the role passed";
const GAINS_RESOURCE_ROLE: &str = "the permissions of the role the resource runs with";

/// The paths, ordered by id.
const PATHS: &[EscalationPath] = &[
    path(
        "apprunner-001",
        "pass a role to a new App Runner service",
        New,
        &[
            pass_to!("tasks.apprunner.amazonaws.com"),
            n("apprunner:CreateService", "service"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "apprunner-002",
        "redeploy an App Runner service with own code",
        Existing,
        &[t("apprunner:UpdateService", "service")],
        GAINS_RESOURCE_ROLE,
        Some("an App Runner service with an instance role"),
    ),
    path(
        "bedrock-001",
        "pass a role to a new Bedrock AgentCore code interpreter and run code in it",
        New,
        &[
            pass_to!("bedrock-agentcore.amazonaws.com"),
            n("bedrock-agentcore:CreateCodeInterpreter", ""),
            n(
                "bedrock-agentcore:StartCodeInterpreterSession",
                "code-interpreter-custom",
            ),
            n(
                "bedrock-agentcore:InvokeCodeInterpreter",
                "code-interpreter-custom",
            ),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "bedrock-002",
        "run code in an existing Bedrock AgentCore code interpreter",
        Existing,
        &[
            t(
                "bedrock-agentcore:StartCodeInterpreterSession",
                "code-interpreter-custom",
            ),
            t(
                "bedrock-agentcore:InvokeCodeInterpreter",
                "code-interpreter-custom",
            ),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a code interpreter with an execution role"),
    ),
    path(
        "cloudformation-001",
        "pass a role to a new CloudFormation stack",
        New,
        &[
            pass_to!("cloudformation.amazonaws.com"),
            n("cloudformation:CreateStack", "stack"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "cloudformation-002",
        "update a stack that runs with a service role",
        Existing,
        &[t("cloudformation:UpdateStack", "stack")],
        GAINS_RESOURCE_ROLE,
        Some("a stack with a service role"),
    ),
    path(
        "cloudformation-003",
        "pass an execution role to a new StackSet and deploy it",
        New,
        &[
            pass_to!("cloudformation.amazonaws.com"),
            n("cloudformation:CreateStackSet", ""),
            n("cloudformation:CreateStackInstances", "stackset"),
        ],
        GAINS_ROLE,
        Some("StackSet administration and execution roles"),
    ),
    path(
        "cloudformation-004",
        "update a StackSet and pass it a role",
        New,
        &[
            pass_to!("cloudformation.amazonaws.com"),
            t("cloudformation:UpdateStackSet", "stackset"),
        ],
        GAINS_ROLE,
        Some("a StackSet with a privileged execution role"),
    ),
    path(
        "cloudformation-005",
        "change a stack that has a service role through a change set",
        Existing,
        &[
            t("cloudformation:CreateChangeSet", "stack"),
            t("cloudformation:ExecuteChangeSet", "stack"),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a stack with a service role"),
    ),
    path(
        "codebuild-001",
        "pass a role to a new CodeBuild project and build it",
        New,
        &[
            pass_to!("codebuild.amazonaws.com"),
            n("codebuild:CreateProject", "project"),
            n("codebuild:StartBuild", "project"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "codebuild-002",
        "start a build of an existing project with an overridden buildspec",
        Existing,
        &[t("codebuild:StartBuild", "project")],
        GAINS_RESOURCE_ROLE,
        Some("a CodeBuild project with a service role that allows buildspec overrides"),
    ),
    path(
        "codebuild-003",
        "start a batch build of an existing project with an overridden buildspec",
        Existing,
        &[t("codebuild:StartBuildBatch", "project")],
        GAINS_RESOURCE_ROLE,
        Some("a CodeBuild project configured for batch builds, with a service role"),
    ),
    path(
        "codebuild-004",
        "pass a role to a new CodeBuild project and batch-build it",
        New,
        &[
            pass_to!("codebuild.amazonaws.com"),
            n("codebuild:CreateProject", "project"),
            n("codebuild:StartBuildBatch", "project"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "datapipeline-001",
        "pass a role to a new Data Pipeline and activate it",
        New,
        &[
            pass_to!("datapipeline.amazonaws.com"),
            n("datapipeline:CreatePipeline", ""),
            n("datapipeline:PutPipelineDefinition", "pipeline"),
            n("datapipeline:ActivatePipeline", "pipeline"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "ec2-001",
        "pass a role to a new EC2 instance",
        New,
        &[
            pass_to!("ec2.amazonaws.com"),
            n("ec2:RunInstances", "instance"),
        ],
        GAINS_ROLE,
        Some("a role with an instance profile that trusts EC2"),
    ),
    path(
        "ec2-002",
        "replace an instance's user data and restart it",
        Existing,
        &[
            t("ec2:ModifyInstanceAttribute", "instance"),
            t("ec2:StopInstances", "instance"),
            t("ec2:StartInstances", "instance"),
        ],
        GAINS_RESOURCE_ROLE,
        Some("an instance with an instance profile"),
    ),
    path(
        "ec2-003",
        "pass a role to a new Spot instance",
        New,
        &[
            pass_to!("ec2.amazonaws.com"),
            n("ec2:RequestSpotInstances", "spot-instances-request"),
        ],
        GAINS_ROLE,
        Some("a role with an instance profile that trusts EC2"),
    ),
    path(
        "ec2-004",
        "make a launch template's new version the default",
        Existing,
        &[
            t("ec2:CreateLaunchTemplateVersion", "launch-template"),
            t("ec2:ModifyLaunchTemplate", "launch-template"),
        ],
        "the permissions of the instance profile instances launched from the template get",
        Some("a launch template with an instance profile that something launches from"),
    ),
    path(
        "ec2instanceconnect-003",
        "push an SSH key to a running instance",
        Existing,
        &[
            t("ec2-instance-connect:SendSSHPublicKey", "instance"),
            n("ec2:DescribeInstances", ""),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a running instance with EC2 Instance Connect, an instance profile and SSH reachable"),
    ),
    path(
        "ecs-001",
        "pass a role to a task of a new ECS cluster's service",
        New,
        &[
            pass_to!("ecs-tasks.amazonaws.com"),
            n("ecs:CreateCluster", "cluster"),
            n("ecs:RegisterTaskDefinition", "task-definition"),
            n("ecs:CreateService", "service"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "ecs-002",
        "pass a role to a task run on a new ECS cluster",
        New,
        &[
            pass_to!("ecs-tasks.amazonaws.com"),
            n("ecs:CreateCluster", "cluster"),
            n("ecs:RegisterTaskDefinition", "task-definition"),
            n("ecs:RunTask", "task-definition"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "ecs-003",
        "pass a role to a task of a new ECS service",
        New,
        &[
            pass_to!("ecs-tasks.amazonaws.com"),
            n("ecs:RegisterTaskDefinition", "task-definition"),
            n("ecs:CreateService", "service"),
        ],
        GAINS_ROLE,
        Some("an ECS cluster, and a role that trusts ECS tasks"),
    ),
    path(
        "ecs-004",
        "pass a role to a new ECS task and run it",
        New,
        &[
            pass_to!("ecs-tasks.amazonaws.com"),
            n("ecs:RegisterTaskDefinition", "task-definition"),
            n("ecs:RunTask", "task-definition"),
        ],
        GAINS_ROLE,
        Some("an ECS cluster, and a role that trusts ECS tasks"),
    ),
    path(
        "ecs-005",
        "pass a role to a new ECS task and start it on a container instance",
        New,
        &[
            pass_to!("ecs-tasks.amazonaws.com"),
            n("ecs:RegisterTaskDefinition", "task-definition"),
            n("ecs:StartTask", "task-definition"),
        ],
        GAINS_ROLE,
        Some("an ECS cluster with a container instance, and a role that trusts ECS tasks"),
    ),
    path(
        "glue-001",
        "pass a role to a new Glue development endpoint",
        New,
        &[
            pass_to!("glue.amazonaws.com"),
            n("glue:CreateDevEndpoint", ""),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "glue-002",
        "put own SSH key on a Glue development endpoint",
        Existing,
        &[t("glue:UpdateDevEndpoint", "devendpoint")],
        GAINS_RESOURCE_ROLE,
        Some("a Glue development endpoint with a role"),
    ),
    path(
        "glue-003",
        "pass a role to a new Glue job and run it",
        New,
        &[
            pass_to!("glue.amazonaws.com"),
            n("glue:CreateJob", "job"),
            n("glue:StartJobRun", "job"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "glue-004",
        "pass a role to a new Glue job started by a trigger",
        New,
        &[
            pass_to!("glue.amazonaws.com"),
            n("glue:CreateJob", "job"),
            n("glue:CreateTrigger", "trigger"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "glue-005",
        "give an existing Glue job a role and own script, and run it",
        New,
        &[
            pass_to!("glue.amazonaws.com"),
            t("glue:UpdateJob", "job"),
            n("glue:StartJobRun", "job"),
        ],
        GAINS_ROLE,
        Some("a Glue job, and a role that trusts Glue"),
    ),
    path(
        "glue-006",
        "give an existing Glue job a role and own script, started by a trigger",
        New,
        &[
            pass_to!("glue.amazonaws.com"),
            t("glue:UpdateJob", "job"),
            n("glue:CreateTrigger", "trigger"),
        ],
        GAINS_ROLE,
        Some("a Glue job, and a role that trusts Glue"),
    ),
    path(
        "iam-001",
        "create a new default version of a managed policy",
        SelfEscalation,
        &[t("iam:CreatePolicyVersion", "policy")],
        "any permission, through a customer managed policy attached to the principal",
        Some("a customer managed policy attached to the principal"),
    ),
    path(
        "iam-002",
        "create an access key for another user",
        PrincipalAccess,
        &[t("iam:CreateAccessKey", "user")],
        "the permissions of the user",
        Some("a user with fewer than two access keys"),
    ),
    path(
        "iam-003",
        "replace one of another user's access keys",
        PrincipalAccess,
        &[
            t("iam:CreateAccessKey", "user"),
            t("iam:DeleteAccessKey", "user"),
        ],
        "the permissions of the user",
        None,
    ),
    path(
        "iam-004",
        "give a user a console password",
        PrincipalAccess,
        &[t("iam:CreateLoginProfile", "user")],
        "the permissions of the user, in the console",
        Some("a user without a console password"),
    ),
    path(
        "iam-005",
        "write an inline policy on a role",
        SelfEscalation,
        &[t("iam:PutRolePolicy", "role")],
        "any permission, for the principal's own role",
        None,
    ),
    path(
        "iam-006",
        "reset a user's console password",
        PrincipalAccess,
        &[t("iam:UpdateLoginProfile", "user")],
        "the permissions of the user, in the console",
        Some("a user with a console password"),
    ),
    path(
        "iam-007",
        "write an inline policy on a user",
        SelfEscalation,
        &[t("iam:PutUserPolicy", "user")],
        "any permission, for the principal's own user",
        None,
    ),
    path(
        "iam-008",
        "attach a managed policy to a user",
        SelfEscalation,
        &[tc("iam:AttachUserPolicy", "user", POLICY_ARN)],
        "the permissions of AdministratorAccess, for the principal's own user",
        None,
    ),
    path(
        "iam-009",
        "attach a managed policy to a role",
        SelfEscalation,
        &[tc("iam:AttachRolePolicy", "role", POLICY_ARN)],
        "the permissions of AdministratorAccess, for the principal's own role",
        None,
    ),
    path(
        "iam-010",
        "attach a managed policy to a group",
        SelfEscalation,
        &[tc("iam:AttachGroupPolicy", "group", POLICY_ARN)],
        "the permissions of AdministratorAccess, for a group the principal is in",
        Some("membership of the group"),
    ),
    path(
        "iam-011",
        "write an inline policy on a group",
        SelfEscalation,
        &[t("iam:PutGroupPolicy", "group")],
        "any permission, for a group the principal is in",
        Some("membership of the group"),
    ),
    path(
        "iam-012",
        "rewrite a role's trust policy to trust oneself",
        PrincipalAccess,
        &[t("iam:UpdateAssumeRolePolicy", "role")],
        "the permissions of the role (a trust policy naming the caller needs no sts:AssumeRole grant)",
        None,
    ),
    path(
        "iam-013",
        "join a group",
        SelfEscalation,
        &[t("iam:AddUserToGroup", "group")],
        "the permissions of the group",
        Some("a privileged group"),
    ),
    path(
        "iam-014",
        "attach a managed policy to a role and assume it",
        PrincipalAccess,
        &[
            tc("iam:AttachRolePolicy", "role", POLICY_ARN),
            t("sts:AssumeRole", "role"),
        ],
        "the permissions of AdministratorAccess, through the role",
        Some("a role whose trust policy lets the principal assume it"),
    ),
    path(
        "iam-015",
        "attach a managed policy to a user and create its access key",
        PrincipalAccess,
        &[
            tc("iam:AttachUserPolicy", "user", POLICY_ARN),
            t("iam:CreateAccessKey", "user"),
        ],
        "the permissions of AdministratorAccess, through the user",
        Some("a user with fewer than two access keys"),
    ),
    path(
        "iam-016",
        "rewrite a role's managed policy and assume the role",
        PrincipalAccess,
        &[
            t("iam:CreatePolicyVersion", "policy"),
            t("sts:AssumeRole", "role"),
        ],
        "any permission, through the role",
        Some("a customer managed policy attached to a role the principal may assume"),
    ),
    path(
        "iam-017",
        "write an inline policy on a role and assume it",
        PrincipalAccess,
        &[t("iam:PutRolePolicy", "role"), t("sts:AssumeRole", "role")],
        "any permission, through the role",
        Some("a role whose trust policy lets the principal assume it"),
    ),
    path(
        "iam-018",
        "write an inline policy on a user and create its access key",
        PrincipalAccess,
        &[
            t("iam:PutUserPolicy", "user"),
            t("iam:CreateAccessKey", "user"),
        ],
        "any permission, through the user",
        Some("a user with fewer than two access keys"),
    ),
    path(
        "iam-019",
        "attach a managed policy to a role and make it trust oneself",
        PrincipalAccess,
        &[
            tc("iam:AttachRolePolicy", "role", POLICY_ARN),
            t("iam:UpdateAssumeRolePolicy", "role"),
        ],
        "the permissions of AdministratorAccess, through the role",
        None,
    ),
    path(
        "iam-020",
        "rewrite a role's managed policy and make it trust oneself",
        PrincipalAccess,
        &[
            t("iam:CreatePolicyVersion", "policy"),
            t("iam:UpdateAssumeRolePolicy", "role"),
        ],
        "any permission, through the role",
        Some("a customer managed policy attached to the role"),
    ),
    path(
        "iam-021",
        "write an inline policy on a role and make it trust oneself",
        PrincipalAccess,
        &[
            t("iam:PutRolePolicy", "role"),
            t("iam:UpdateAssumeRolePolicy", "role"),
        ],
        "any permission, through the role",
        None,
    ),
    path(
        "guardrail-iam-set-default-policy-version",
        "switch a managed policy's default version",
        SelfEscalation,
        &[t("iam:SetDefaultPolicyVersion", "policy")],
        "the permissions of an older, broader version of a policy attached to the principal",
        Some("a customer managed policy with a broader non-default version"),
    ),
    path(
        "lambda-001",
        "pass a role to a new Lambda function and invoke it",
        New,
        &[
            pass_to!("lambda.amazonaws.com"),
            n("lambda:CreateFunction", "function"),
            n("lambda:InvokeFunction", "function"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "lambda-002",
        "pass a role to a new Lambda function run by an event source",
        New,
        &[
            pass_to!("lambda.amazonaws.com"),
            n("lambda:CreateFunction", "function"),
            n("lambda:CreateEventSourceMapping", ""),
        ],
        GAINS_ROLE,
        Some("a role that trusts Lambda, and a stream or queue to map"),
    ),
    path(
        "lambda-003",
        "replace an existing Lambda function's code",
        Existing,
        &[t("lambda:UpdateFunctionCode", "function")],
        GAINS_RESOURCE_ROLE,
        Some("a function with a privileged execution role that something invokes"),
    ),
    path(
        "lambda-004",
        "replace an existing Lambda function's code and invoke it",
        Existing,
        &[
            t("lambda:UpdateFunctionCode", "function"),
            t("lambda:InvokeFunction", "function"),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a function with a privileged execution role"),
    ),
    path(
        "lambda-005",
        "replace an existing Lambda function's code and let oneself invoke it",
        Existing,
        &[
            t("lambda:UpdateFunctionCode", "function"),
            t("lambda:AddPermission", "function"),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a function with a privileged execution role"),
    ),
    path(
        "lambda-006",
        "pass a role to a new Lambda function and let oneself invoke it",
        New,
        &[
            pass_to!("lambda.amazonaws.com"),
            n("lambda:CreateFunction", "function"),
            n("lambda:AddPermission", "function"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "sagemaker-001",
        "pass a role to a new SageMaker notebook instance",
        New,
        &[
            pass_to!("sagemaker.amazonaws.com"),
            n("sagemaker:CreateNotebookInstance", "notebook-instance"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "sagemaker-002",
        "pass a role to a new SageMaker training job",
        New,
        &[
            pass_to!("sagemaker.amazonaws.com"),
            n("sagemaker:CreateTrainingJob", "training-job"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "sagemaker-003",
        "pass a role to a new SageMaker processing job",
        New,
        &[
            pass_to!("sagemaker.amazonaws.com"),
            n("sagemaker:CreateProcessingJob", "processing-job"),
        ],
        GAINS_ROLE,
        ROLE_OF_SERVICE,
    ),
    path(
        "sagemaker-004",
        "open an existing SageMaker notebook through a presigned URL",
        Existing,
        &[t(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "notebook-instance",
        )],
        GAINS_RESOURCE_ROLE,
        Some("a notebook instance in service with an execution role"),
    ),
    path(
        "sagemaker-005",
        "give an existing SageMaker notebook a lifecycle script and restart it",
        Existing,
        &[
            n(
                "sagemaker:CreateNotebookInstanceLifecycleConfig",
                "notebook-instance-lifecycle-config",
            ),
            t("sagemaker:StopNotebookInstance", "notebook-instance"),
            t("sagemaker:UpdateNotebookInstance", "notebook-instance"),
            t("sagemaker:StartNotebookInstance", "notebook-instance"),
        ],
        GAINS_RESOURCE_ROLE,
        Some("a notebook instance with an execution role"),
    ),
    path(
        "ssm-001",
        "open a Session Manager shell on an instance",
        Existing,
        &[t("ssm:StartSession", "instance")],
        GAINS_RESOURCE_ROLE,
        Some("a running instance with the SSM agent and an instance profile"),
    ),
    path(
        "ssm-002",
        "run a command on an instance through Run Command",
        Existing,
        &[
            t("ssm:SendCommand", "instance"),
            // The command runs through a document: arbitrary commands only through AWS's
            // shell documents (a fixed document such as AWS-CreateVSSSnapshot runs what it
            // says, nothing else).
            Permission {
                target: false,
                only: SHELL_DOCUMENTS,
                ..t("ssm:SendCommand", "document")
            },
        ],
        GAINS_RESOURCE_ROLE,
        Some("a running instance with the SSM agent and an instance profile"),
    ),
    EscalationPath {
        broad_only: true,
        ..path(
            "sts-001",
            "assume any role",
            PrincipalAccess,
            &[t("sts:AssumeRole", "role")],
            "the permissions of every role whose trust policy lets the principal (or its account) in",
            Some("a role whose trust policy lets the principal (or its account) assume it"),
        )
    },
];
