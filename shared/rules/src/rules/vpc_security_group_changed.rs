//! `vpc-security-group-changed`: a security group changed (CIS AWS Foundations 4.10).

use super::call_finding::{audited, changed, AUDITED};
use super::registry::{from_the_call, CallJudge};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding};
use crate::mode::Mode;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;

pub const META: RuleMeta = RuleMeta {
    id: "vpc-security-group-changed",
    title: "Security group changed",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "AuthorizeSecurityGroupIngress/Egress, RevokeSecurityGroupIngress/Egress, CreateSecurityGroup, DeleteSecurityGroup, by a non-exempt principal.",
    rationale: "Security groups are the instances' firewall; CIS 4.10 asks for an alarm on each change so an opening is seen when it is made.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.10"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "ec2.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it audits: the CIS metric filter's.
pub const EVENTS: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["groupId", "groupName"],
        "AWS::EC2::SecurityGroup",
        "EC2",
        |region, account, id| format!("arn:aws:ec2:{region}:{account}:security-group/{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "the network's firewall",
        ctx,
        settings,
    )
}
