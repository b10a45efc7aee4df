//! Where the rules judged together run: one declaration per family, shared by its rules'
//! metadata (the policy rules share one analysis of a document, the principal rules one
//! judgement of the principals a call affected).

use super::runs::{Function, Runs, Subscription};
use super::{reads, triggers};
use crate::permission::StepKind;

/// The policy rules whose remediation takes the grant away (admin, MFA, escalation): live on
/// the changed policy, and in the sweep (which can only delete inline policies: it does not
/// know which earlier version was good, nor who attached what when).
pub const POLICY_REMEDIATED: &[Runs] = &[
    Runs {
        function: Function::IamGuard,
        triggers: &[triggers::POLICY_CHANGES],
        reads: reads::CHANGED_POLICY,
        steps: &[
            StepKind::DetachManagedPolicy,
            StepKind::RevertPolicyVersion,
            StepKind::DeleteInlinePolicy,
        ],
    },
    Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::ACCOUNT_IAM,
        steps: &[StepKind::DeleteInlinePolicy],
    },
];

/// The `iam-principal-*` rules: live on the principals a call affected, and in the sweep.
pub const PRINCIPALS: &[Runs] = &[
    Runs {
        function: Function::IamGuard,
        triggers: &[triggers::ACCESS_CHANGES],
        reads: reads::PRINCIPALS,
        steps: &[],
    },
    Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::ACCOUNT_IAM,
        steps: &[],
    },
];
