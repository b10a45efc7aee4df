//! CloudFormation / SAM templates: find every IAM policy a template defines, so the policy
//! engine can judge a deployment before it exists (`guardrail check-template`).
//!
//! Works on the template as JSON (the CLI turns YAML short-form tags such as `!Sub` into their
//! long `Fn::Sub` form first). Intrinsic functions are resolved to *specific* placeholders,
//! never to wildcards: `!GetAtt Topic.Arn` stands for one ARN, and treating it as `*` would
//! invent findings the deployed policy cannot have.

mod intrinsics;
mod policies;

pub use intrinsics::{resolve, PSEUDO_ACCOUNT};
pub use policies::{policies, Suppression, TemplatePolicy};
