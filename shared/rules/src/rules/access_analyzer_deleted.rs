//! `access-analyzer-deleted`: an IAM Access Analyzer was deleted.

use super::call_finding::{account, finding, named};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "access-analyzer-deleted",
    title: "IAM Access Analyzer deleted",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DeleteAnalyzer, by a non-exempt principal.",
    rationale: "Access Analyzer reports resources shared outside the account or organization; \
                deleting it hides new external access, the step before data leaves.",
    remediation: "Alert only: `aws accessanalyzer create-analyzer` recreates it.",
    anchors: &["Security Hub IAM.28"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "access-analyzer.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it judges.
pub const EVENTS: &[&str] = &["DeleteAnalyzer"];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The deleted analyzer.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let analyzer = named(
        call,
        "analyzerName",
        "AWS::AccessAnalyzer::Analyzer",
        |r, a, n| format!("arn:aws:access-analyzer:{r}:{a}:analyzer/{n}"),
    )
    .unwrap_or_else(|| account(call, "IAM Access Analyzer"));
    let reason = format!(
        "{} deleted IAM Access Analyzer {} in {}",
        call.principal.display(),
        analyzer.id,
        call.region
    );
    finding(&META, call, analyzer, reason, ctx, settings)
}
