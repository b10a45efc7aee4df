//! `iam-user-direct-policy`: a policy attached straight to a user.

use super::reads;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-user-direct-policy",
    title: "Policy attached directly to a user",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "AttachUserPolicy or PutUserPolicy: permissions given to a user instead of a group.",
    rationale: "Seeds 000/004: manage permissions through groups so that they are reviewed and \
                removed as people change jobs.",
    remediation: "Alert only: moving the grant to a group needs a human decision.",
    anchors: &["CIS AWS Foundations 1.15"],
    runs: &[
        Runs {
            function: Function::IamGuard,
            triggers: &[Subscription::ApiCalls {
                source: "iam.amazonaws.com",
                names: &["AttachUserPolicy", "PutUserPolicy"],
            }],
            reads: reads::CHANGED_POLICY,
            steps: &[],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: reads::ACCOUNT_IAM,
            steps: &[],
        },
    ],
    per_event: false,
};
