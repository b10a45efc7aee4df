//! `iam-access-key-for-other-user`: someone created an access key for a different user.

use super::reads;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-access-key-for-other-user",
    title: "Access key created for another user",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "CreateAccessKey where the caller is not the user the key belongs to.",
    rationale: "Creating keys for another identity is the simplest privilege-escalation path \
                (act as that user); people create their own keys.",
    remediation: "Deactivate the new key (reversible; it is not deleted).",
    anchors: &["Rhino Security Labs IAM privilege escalation: CreateAccessKey"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::ApiCalls {
            source: "iam.amazonaws.com",
            names: &["CreateAccessKey"],
        }],
        reads: reads::ACCESS_KEYS,
        steps: &[StepKind::DeactivateAccessKey],
    }],
    per_event: false,
};
