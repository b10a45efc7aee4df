//! `access-analyzer-deleted`: an IAM Access Analyzer was deleted, or, swept, a region has
//! no active analyzer.

use super::call_finding::{account, finding, named};
use super::registry::{from_the_call, CallJudge, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::permission::Permission;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::sweep::{per_region, RegionGap};
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "access-analyzer-deleted",
    title: "IAM Access Analyzer deleted",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "DeleteAnalyzer, by a non-exempt principal. Swept: every swept region has an \
             active analyzer of the account or of its organization (IAM.28).",
    rationale: "Access Analyzer reports resources shared outside the account or organization; \
                deleting it hides new external access, the step before data leaves.",
    remediation: "Alert only: `aws accessanalyzer create-analyzer` recreates it.",
    anchors: &["Security Hub IAM.28"],
    runs: &[
        Runs {
            function: Function::TamperGuard,
            triggers: &[Subscription::ApiCalls {
                source: "access-analyzer.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[],
            steps: &[],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[Permission::any("access-analyzer:ListAnalyzers")],
            steps: &[],
        },
    ],
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

/// An analyzer as ListAnalyzers reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzerStatus {
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, ...
    pub kind: String,
    /// Its status is `ACTIVE`.
    pub active: bool,
}

impl AnalyzerStatus {
    /// Whether it reports external access (the unused-access analyzers do not: IAM.28 asks
    /// for an external access analyzer).
    fn reports_external_access(&self) -> bool {
        matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    }
}

/// Every swept region has an active external access analyzer (Security Hub IAM.28); alert
/// only.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        per_region(
            facts,
            settings,
            out,
            &META,
            |r| &r.analyzers,
            |analyzers, region, account| {
                if analyzers
                    .iter()
                    .any(|a| a.active && a.reports_external_access())
                {
                    return None;
                }
                Some(RegionGap {
                    reason: format!(
                        "IAM Access Analyzer has no active external access analyzer in {region}: \
                     resources shared outside the account there are not reported (aws \
                     accessanalyzer create-analyzer --analyzer-name external-access --type \
                     ACCOUNT --region {region})"
                    ),
                    kind: "AWS::AccessAnalyzer::Analyzer",
                    arn: format!("arn:aws:access-analyzer:{region}:{account}:analyzer/*"),
                })
            },
        )
    },
};
