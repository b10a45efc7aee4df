//! The audit matrix: what each judged principal amounts to (groups, admin, reachable admin,
//! MFA, boundary) and the paths found, as one value. `guardrail access FILE` builds it from
//! an exported account, the sweep (`guardrail scan`) from the account it read; both HTML
//! reports draw it with the same code, so the two answers look the same.

use super::judge::{AccessReport, PrincipalRef, PrincipalSummary};
use serde::Serialize;

/// One principal's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    #[serde(flatten)]
    pub principal: PrincipalSummary,
    /// Exempt by the caller's settings (tag or ARN pattern). An exempt principal is still
    /// judged, because others may become admin through it, and its row stays so the matrix
    /// shows the whole account; only its findings are not reported.
    pub exempt: bool,
}

/// A path a finding found: to an administrator (`iam-principal-admin-reachable`), or to
/// sensitive actions without MFA through a role (`iam-principal-sensitive-without-mfa`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixPath {
    pub rule: &'static str,
    pub principal: PrincipalRef,
    /// Each hop, in words, from the principal on.
    pub hops: Vec<String>,
}

/// The matrix of one judgement: every principal (in the judgement's order) and every path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditMatrix {
    pub principals: Vec<MatrixRow>,
    pub paths: Vec<MatrixPath>,
}

impl AuditMatrix {
    /// The matrix of `report`; `exempt` says, by ARN, which principals the caller exempts.
    /// Every path is kept, an exempt principal's too: the row says it is exempt.
    pub fn new(report: &AccessReport, exempt: impl Fn(&str) -> bool) -> AuditMatrix {
        AuditMatrix {
            principals: report
                .principals
                .iter()
                .map(|p| MatrixRow {
                    exempt: exempt(&p.arn),
                    principal: p.clone(),
                })
                .collect(),
            paths: report
                .findings
                .iter()
                .filter(|f| !f.path.is_empty())
                .map(|f| MatrixPath {
                    rule: f.rule,
                    principal: f.resource.clone(),
                    hops: f.path.clone(),
                })
                .collect(),
        }
    }
}
