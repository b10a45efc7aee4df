//! `vpc-gateway-changed`: a network gateway changed (CIS AWS Foundations 4.12).

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
    id: "vpc-gateway-changed",
    title: "Network gateway changed",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "CreateCustomerGateway, DeleteCustomerGateway, AttachInternetGateway, CreateInternetGateway, DeleteInternetGateway, DetachInternetGateway, by a non-exempt principal.",
    rationale: "Gateways are the way in and out of a VPC: a new internet gateway can expose a private network. CIS 4.12 asks for an alarm on each change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.12"],
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
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["internetGatewayId", "customerGatewayId"],
        "AWS::EC2::InternetGateway",
        "EC2",
        |region, account, id| format!("arn:aws:ec2:{region}:{account}:internet-gateway/{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "a way in or out of the network",
        ctx,
        settings,
    )
}
