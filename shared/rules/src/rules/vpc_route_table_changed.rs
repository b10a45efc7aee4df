//! `vpc-route-table-changed`: a route table changed (CIS AWS Foundations 4.13).

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
    id: "vpc-route-table-changed",
    title: "Route table changed",
    severity: Severity::Low,
    default_mode: Mode::Alert,
    checks: "CreateRoute, CreateRouteTable, ReplaceRoute, ReplaceRouteTableAssociation, DeleteRouteTable, DeleteRoute, DisassociateRouteTable, by a non-exempt principal.",
    rationale: "Routes decide where traffic goes: a changed route can send it past an inspection point or out of the network. CIS 4.13 asks for an alarm on each change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.13"],
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
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["routeTableId"],
        "AWS::EC2::RouteTable",
        "EC2",
        |region, account, id| format!("arn:aws:ec2:{region}:{account}:route-table/{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "where the network's traffic goes",
        ctx,
        settings,
    )
}
