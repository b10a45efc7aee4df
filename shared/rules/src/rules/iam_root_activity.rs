//! `iam-root-activity`: the root user signed in or made an API call.

use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: "iam-root-activity",
    title: "Root user activity",
    severity: Severity::Critical,
    default_mode: Mode::Alert,
    checks: "Any successful console sign-in or API call by the root user; a root \
             CreateAccessKey is called out.",
    rationale: "Seeds 000/003: lock the root user away and use it for nothing day to day; \
                every use deserves a human look.",
    remediation: "Alert only: nothing but root can act on root's credentials.",
    anchors: &["CIS AWS Foundations 4.3, 1.4"],
    runs: &[Runs {
        function: Function::IamGuard,
        triggers: &[Subscription::RootCalls, Subscription::ConsoleSignIn],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};
