//! The IAM guardrail, on CloudTrail IAM events and console sign-ins (both delivered by
//! EventBridge only in us-east-1): policy rules through the policy engine, console users
//! without MFA, access keys created for others, users and roles without the required
//! permissions boundary, the effective access of the users and roles a change affects
//! (`iam-principal-*`), root activity, and the IAM change audit.
//!
//! Thin by design: the rules core decides, the adapters read and act, this file routes.

use guardrail_aws::pipeline::InvocationError;
use guardrail_aws::ports::IamFacts;
use guardrail_aws::runtime::decode_and_route;
use guardrail_aws::{AwsError, Wiring};
use guardrail_rules::access;
use guardrail_rules::finding::EventContext;
use guardrail_rules::iam::{self, principals, IamChange, PolicySubject};
use guardrail_rules::rules::iam_permissions_boundary_missing::{
    self as boundary_rule, BoundaryEvent,
};
use guardrail_rules::trigger::{ApiCall, Trigger};
use guardrail_rules::{Finding, Outcome};
use serde_json::Value;

/// The function's state, built once per execution environment.
pub struct IamGuardrail {
    wiring: Wiring,
}

/// What re-reading the changed object found.
enum Judged {
    Findings(Vec<Finding>),
    /// Left alone, with the reason (gone, no longer attached, unreadable, ...).
    Skipped(String),
}

impl IamGuardrail {
    pub fn new(wiring: Wiring) -> IamGuardrail {
        IamGuardrail { wiring }
    }

    /// Handle one invocation. `Err` only for AWS-side failures worth a Lambda retry.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        decode_and_route(event, |trigger| async move {
            match &trigger {
                Trigger::ApiCall(call) => self.on_call(call).await,
                _ => Ok(Outcome::not_relevant(&trigger)),
            }
        })
        .await
    }

    async fn on_call(&self, call: &ApiCall) -> Result<Outcome, InvocationError> {
        let settings = &self.wiring.settings;
        let mut out = match Outcome::screen(call, settings) {
            Ok(out) => out,
            Err(skipped) => return Ok(*skipped),
        };
        let ctx = EventContext::of(call);
        let mut findings: Vec<Finding> = iam::root_activity(call, &ctx, settings)
            .into_iter()
            .collect();
        // The event's account: this one, or a member account through its remediation role.
        let wiring = self.wiring.in_account(&call.account).await?;
        match judge_change(&wiring, call, &ctx).await? {
            Judged::Findings(f) => findings.extend(f),
            Judged::Skipped(reason) => out.skipped_resources.push(reason),
        }
        match judge_boundary(&wiring, call, &ctx).await? {
            Judged::Findings(f) => findings.extend(f),
            Judged::Skipped(reason) => out.skipped_resources.push(reason),
        }
        findings.extend(iam::change_audit(call, &ctx, settings));
        wiring.report(findings, &call.event_id, &mut out).await?;
        // Then the principals the call affected, re-read after the remediation above: a
        // policy the guardrail just detached no longer makes its holder an administrator.
        let (principal_findings, notes) = judge_principals(&wiring, call, &ctx).await?;
        out.skipped_resources.extend(notes);
        if !principal_findings.is_empty() {
            wiring
                .report(principal_findings, &call.event_id, &mut out)
                .await?;
        }
        Ok(out)
    }
}

/// Re-read what the call changed (in the call's account) and judge it.
async fn judge_change(
    wiring: &Wiring,
    call: &ApiCall,
    ctx: &EventContext,
) -> Result<Judged, InvocationError> {
    let iam_facts = &wiring.iam;
    let settings = &wiring.settings;
    let (account, region) = (call.account.as_str(), call.region.as_str());
    let judge_policy = |subject: PolicySubject, document: String| {
        match iam::policy(&subject, &document, account, region, ctx, settings) {
            Ok(f) => Judged::Findings(f),
            // IAM validates documents, so this is rare; retrying would not help.
            Err(e) => Judged::Skipped(format!("policy unreadable: {e}")),
        }
    };
    Ok(match iam::change(call) {
        IamChange::PolicyVersion {
            policy_arn,
            version_id,
        } => {
            let Some(current) = facts(iam_facts.policy_version(&policy_arn, None).await)? else {
                return Ok(Judged::Skipped(format!(
                    "policy {policy_arn} no longer exists"
                )));
            };
            if version_id
                .as_ref()
                .is_some_and(|v| *v != current.version_id)
            {
                return Ok(Judged::Skipped(format!(
                    "{policy_arn}: the event's version is no longer the default ({} is)",
                    current.version_id
                )));
            }
            let previous = facts(
                iam_facts
                    .previous_version(&policy_arn, &current.version_id)
                    .await,
            )?;
            let subject = PolicySubject::ManagedVersion {
                policy_arn,
                version_id: current.version_id,
                previous_version: previous,
            };
            judge_policy(subject, current.document)
        }
        IamChange::Attached { target, policy_arn } => {
            let attached = facts(iam_facts.attached(&target).await)?.unwrap_or_default();
            if !attached.contains(&policy_arn) {
                return Ok(Judged::Skipped(format!(
                    "{policy_arn} is no longer attached to {target}"
                )));
            }
            let Some(version) = facts(iam_facts.policy_version(&policy_arn, None).await)? else {
                return Ok(Judged::Skipped(format!(
                    "policy {policy_arn} no longer exists"
                )));
            };
            let direct = iam::direct_policy(&target, &policy_arn, account, region, ctx, settings);
            let mut judged = judge_policy(
                PolicySubject::Attached { target, policy_arn },
                version.document,
            );
            if let Judged::Findings(f) = &mut judged {
                f.extend(direct);
            }
            judged
        }
        IamChange::Inline {
            target,
            policy_name,
        } => {
            let Some(document) = facts(iam_facts.inline_policy(&target, &policy_name).await)?
            else {
                return Ok(Judged::Skipped(format!(
                    "inline policy {policy_name} of {target} no longer exists"
                )));
            };
            let direct = iam::direct_policy(&target, &policy_name, account, region, ctx, settings);
            let mut judged = judge_policy(
                PolicySubject::Inline {
                    target,
                    policy_name,
                },
                document,
            );
            if let Judged::Findings(f) = &mut judged {
                f.extend(direct);
            }
            judged
        }
        IamChange::Trust { role_name } => {
            let Some(document) = facts(iam_facts.trust_policy(&role_name).await)? else {
                return Ok(Judged::Skipped(format!(
                    "role {role_name} no longer exists"
                )));
            };
            judge_policy(PolicySubject::Trust { role_name }, document)
        }
        IamChange::ConsoleAccess { user_name } => {
            match facts(iam_facts.console_user(&user_name).await)? {
                Some(user) => Judged::Findings(
                    iam::console_user(&user, account, region, ctx, settings)
                        .into_iter()
                        .collect(),
                ),
                None => Judged::Skipped(format!("user {user_name} no longer exists")),
            }
        }
        IamChange::AccessKey {
            user_name,
            access_key_id,
        } => {
            let active = facts(
                iam_facts
                    .access_key_active(&user_name, &access_key_id)
                    .await,
            )?;
            Judged::Findings(
                iam::access_key_for_other_user(
                    call,
                    &user_name,
                    &access_key_id,
                    active,
                    ctx,
                    settings,
                )
                .into_iter()
                .collect(),
            )
        }
        IamChange::Nothing => Judged::Findings(Vec::new()),
    })
}

/// `iam-permissions-boundary-missing`: re-read the boundary of the user or role the call
/// created or changed (only when a boundary is required: otherwise nothing is read).
async fn judge_boundary(
    wiring: &Wiring,
    call: &ApiCall,
    ctx: &EventContext,
) -> Result<Judged, InvocationError> {
    let settings = &wiring.settings;
    let Some(event) = BoundaryEvent::of(call) else {
        return Ok(Judged::Findings(Vec::new()));
    };
    if settings.required_boundary_arn.is_none() {
        return Ok(Judged::Findings(Vec::new()));
    }
    let Some(state) = facts(wiring.iam.permissions_boundary(&event.target).await)? else {
        return Ok(Judged::Skipped(format!(
            "{} no longer exists",
            event.target
        )));
    };
    Ok(Judged::Findings(
        boundary_rule::judge(call, &event, Some(&state), ctx, settings)
            .into_iter()
            .collect(),
    ))
}

/// The `iam-principal-*` rules on the users and roles whose effective access the call may have
/// changed, re-read with all their policies. Notes say what could not be judged.
async fn judge_principals(
    wiring: &Wiring,
    call: &ApiCall,
    ctx: &EventContext,
) -> Result<(Vec<Finding>, Vec<String>), InvocationError> {
    let Some(affected) = principals::affected(call) else {
        return Ok((Vec::new(), Vec::new()));
    };
    // All three rules off: nothing to read.
    if access::enabled_rules(&wiring.settings).is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let read = facts(wiring.iam.read_principals(&affected).await)?;
    let (findings, mut notes) =
        principals::judge_principals(&read.facts, &read.affected, call, ctx, &wiring.settings);
    notes.extend(read.notes);
    Ok((findings, notes))
}

/// A failed read fails the invocation (Lambda retries; the DLQ keeps the event).
fn facts<T>(read: Result<T, AwsError>) -> Result<T, InvocationError> {
    read.map_err(InvocationError::Facts)
}

impl guardrail_aws::Guardrail for IamGuardrail {
    async fn handle(&self, event: &Value) -> Result<Outcome, InvocationError> {
        IamGuardrail::handle(self, event).await
    }
}
