//! `iam-principal-admin-reachable`: a principal that is not an administrator but can become
//! one. Judged by `crate::access` (escalation paths on its own permissions, and the graph of
//! who can assume or pass whom).

use super::{families, RuleMeta};
use crate::mode::Mode;
use crate::severity::Severity;

pub const META: RuleMeta = RuleMeta {
    id: crate::access::ADMIN_REACHABLE,
    title: "Principal can become an administrator",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "An escalation path on the union of the principal's own permissions, or a chain of \
             hops to an administrator: assuming a role (its trust policy and the principal's own \
             policies both allow it, conditions honoured; a trust naming the principal needs no \
             identity permission) or passing a role to a service it can drive (the role must \
             trust that service). The reason gives the path. Judged in the sweep, by `guardrail \
             access`, and live by the IAM guardrail on the users and roles a change affects \
             (chains through other principals' roles are the sweep's to find).",
    rationale: "Escalation is what turns a modest grant into the whole account, and it is \
                rarely in one document: a PassRole in a group policy and a Lambda grant in a \
                user policy, or a role anyone in the account may assume.",
    remediation: "Alert only: which hop to cut needs a human decision.",
    anchors: &[
        "PMapper (no conditions)",
        "pathfinding.cloud",
        "Cloudsplaining (per document)",
    ],
    runs: families::PRINCIPALS,
    per_event: false,
};
