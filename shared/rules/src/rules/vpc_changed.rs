//! `vpc-changed`: a VPC or its peering changed (CIS AWS Foundations 4.14).

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
    id: "vpc-changed",
    title: "VPC changed",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "CreateVpc, DeleteVpc, ModifyVpcAttribute, AcceptVpcPeeringConnection, CreateVpcPeeringConnection, DeleteVpcPeeringConnection, RejectVpcPeeringConnection, AttachClassicLinkVpc, DetachClassicLinkVpc, DisableVpcClassicLink, EnableVpcClassicLink, by a non-exempt principal.",
    rationale: "A peering connection joins two networks (another account's included); CIS 4.14 asks for an alarm on each VPC change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.14"],
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
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["vpcId", "vpcPeeringConnectionId"],
        "AWS::EC2::VPC",
        "EC2",
        |region, account, id| format!("arn:aws:ec2:{region}:{account}:vpc/{id}"),
    );
    audited(&META, call, resource, "the network itself", ctx, settings)
}
