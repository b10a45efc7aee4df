//! `vpc-nacl-changed`: a network ACL changed (CIS AWS Foundations 4.11).

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
    id: "vpc-nacl-changed",
    title: "Network ACL changed",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "CreateNetworkAcl, CreateNetworkAclEntry, DeleteNetworkAcl, DeleteNetworkAclEntry, ReplaceNetworkAclEntry, ReplaceNetworkAclAssociation, by a non-exempt principal.",
    rationale: "Network ACLs are the subnets' stateless firewall; CIS 4.11 asks for an alarm on each change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.11"],
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
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["networkAclId"],
        "AWS::EC2::NetworkAcl",
        "EC2",
        |region, account, id| format!("arn:aws:ec2:{region}:{account}:network-acl/{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "the subnets' firewall",
        ctx,
        settings,
    )
}
