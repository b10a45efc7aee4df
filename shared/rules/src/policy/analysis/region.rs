//! Region enforcement (issue 5): does a region-deny policy (SCP or identity Deny) really
//! enforce an allow-list? Simulated, so a `StringNotEquals aws:RequestedRegion` written with the
//! wrong list, a missing global-service exemption or a typo in the key all show up.
//!
//! Checks: a regional action (ec2:RunInstances) in a region outside the list must be explicitly
//! denied (high if not); the same action in each allowed region must not be denied by this
//! policy (medium); a global action (iam:CreateUser, served from us-east-1) must not be denied
//! (medium). All pass → one info finding saying so.

use super::super::document::PolicyDocument;
use super::super::evaluate::Verdict;
use super::probe::Probe;
use super::rules::REGION_ENFORCEMENT;
use super::{AnalysisOptions, PolicyFinding};
use crate::severity::Severity;

const REGIONAL_ACTION: &str = "ec2:RunInstances";
const GLOBAL_ACTION: &str = "iam:CreateUser";
const PROBE_REGIONS: [&str; 6] = [
    "us-east-1",
    "sa-east-1",
    "af-south-1",
    "ap-southeast-3",
    "us-west-1",
    "eu-north-1",
];

/// Run the region-enforcement simulation.
pub fn check_region_enforcement(
    doc: &PolicyDocument,
    allowed: &[String],
    options: &AnalysisOptions,
) -> Vec<PolicyFinding> {
    let probe = Probe::new(doc, options);
    let acct = probe.account.clone();
    let run = |action: &str, region: &str| {
        let resource = if action == REGIONAL_ACTION {
            format!("arn:aws:ec2:{region}:{acct}:instance/i-0123456789abcdef0")
        } else {
            format!("arn:aws:iam::{acct}:user/probe-new-user")
        };
        let mut ctx = probe.baseline(action, &resource);
        ctx.set("aws:RequestedRegion", vec![region.to_string()]);
        probe.eval(&ctx)
    };
    let is_allowed = |r: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(r));
    let mut out = Vec::new();
    let f = |sev, stmt, msg: String, action: &str| {
        PolicyFinding::new(REGION_ENFORCEMENT, sev, stmt, msg, vec![action.to_string()])
    };
    for region in PROBE_REGIONS.iter().filter(|r| !is_allowed(r)).take(3) {
        let d = run(REGIONAL_ACTION, region);
        if d.verdict != Verdict::ExplicitDeny {
            out.push(f(
                Severity::High,
                None,
                format!("does not deny {REGIONAL_ACTION} in {region}, which is outside the allowed regions ({})", allowed.join(", ")),
                REGIONAL_ACTION,
            ));
        }
    }
    for region in allowed {
        let d = run(REGIONAL_ACTION, region);
        if d.verdict == Verdict::ExplicitDeny {
            out.push(f(
                Severity::Medium,
                d.deciding.map(|m| m.statement),
                format!("denies {REGIONAL_ACTION} in allowed region {region}"),
                REGIONAL_ACTION,
            ));
        }
    }
    let d = run(GLOBAL_ACTION, "us-east-1");
    if d.verdict == Verdict::ExplicitDeny {
        out.push(f(
            Severity::Medium,
            d.deciding.map(|m| m.statement),
            format!("denies the global action {GLOBAL_ACTION} (served from us-east-1): exempt global services (NotAction iam:*, sts:*, organizations:*, route53:*, cloudfront:*, support:*, ...)"),
            GLOBAL_ACTION,
        ));
    }
    if out.is_empty() {
        out.push(f(
            Severity::Info,
            None,
            format!("enforces the allowed regions ({}): denies other regions, leaves allowed regions and global services alone", allowed.join(", ")),
            REGIONAL_ACTION,
        ));
    }
    out
}
