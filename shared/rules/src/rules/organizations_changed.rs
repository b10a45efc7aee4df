//! `organizations-changed`: the AWS Organization changed (CIS AWS Foundations 4.15).

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
    id: "organizations-changed",
    title: "AWS Organizations changed",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "AcceptHandshake, AttachPolicy, CreateAccount, CreateOrganizationalUnit, CreatePolicy, DeclineHandshake, DeleteOrganization, DeleteOrganizationalUnit, DeletePolicy, DetachPolicy, DisablePolicyType, EnablePolicyType, InviteAccountToOrganization, LeaveOrganization, MoveAccount, RemoveAccountFromOrganization, UpdatePolicy, UpdateOrganizationalUnit, by a non-exempt principal.",
    rationale: "The organization holds the SCPs that bound every account: a detached SCP or an account leaving the organization removes those bounds. CIS 4.15 asks for an alarm on each change.",
    remediation: AUDITED,
    anchors: &["CIS AWS Foundations 4.15", "Stratus Red Team: aws.defense-evasion.organizations-leave"],
    runs: &[Runs {
        function: Function::TamperGuard,
        triggers: &[Subscription::ApiCalls {
            source: "organizations.amazonaws.com",
            names: EVENTS,
        }],
        reads: &[],
        steps: &[],
    }],
    per_event: true,
};

/// The calls it audits: the CIS metric filter's.
pub const EVENTS: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
];

/// Judged from the call alone.
pub const JUDGE: CallJudge = from_the_call!(META, judge);

/// The change, on the resource the call names.
pub fn judge(call: &ApiCall, ctx: &EventContext, settings: &Settings) -> Option<Finding> {
    let resource = changed(
        call,
        &["policyId", "accountId", "organizationalUnitId"],
        "AWS::Organizations::Organization",
        "Organizations",
        |_, account, id| format!("arn:aws:organizations::{account}:{id}"),
    );
    audited(
        &META,
        call,
        resource,
        "the bounds every account of the organization runs under",
        ctx,
        settings,
    )
}
