//! CloudFormation / SAM templates: find every IAM policy a template defines, so the policy
//! engine can judge a deployment before it exists (`guardrail check-template`).
//!
//! Works on the template as JSON (the CLI turns YAML short-form tags such as `!Sub` into their
//! long `Fn::Sub` form first). Intrinsic functions are resolved to *specific* placeholders,
//! never to wildcards: `!GetAtt Topic.Arn` stands for one ARN, and treating it as `*` would
//! invent findings the deployed policy cannot have.
//!
//! [`policies`] lists the documents as written (trust and resource policies included, a Lambda
//! permission as the statement Lambda adds for it);
//! [`principals`] lists who will hold which identity policies once deployed, SAM's managed
//! policy names and policy templates included.

mod event_rules;
mod intrinsics;
pub mod lambda_permission;
mod policies;
mod principals;
pub mod sam_policy_templates;
mod yaml;

pub use event_rules::{event_rules, EventRule};
pub use intrinsics::{resolve, EXPANSION_FACTOR, EXPANSION_FLOOR, PSEUDO_ACCOUNT, TOO_LARGE};
pub use policies::{policies, Suppression, TemplatePolicy};
pub use principals::{
    aws_managed_policy_name, principals, HeldPolicy, TemplateNote, TemplatePrincipal,
    TemplatePrincipalKind,
};
pub use sam_policy_templates::SamTemplateError;
pub use yaml::{from_yaml, EXTRA_NODES, MAX_TEMPLATE_BYTES};
