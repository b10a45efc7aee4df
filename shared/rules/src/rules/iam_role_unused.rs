//! `iam-role-unused`: a role nobody has assumed for more than N days (sweep, from
//! `RoleLastUsed` in GetAccountAuthorizationDetails: no call of its own).

use super::reads;
use super::registry::SweepJudge;
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::mode::Mode;
use crate::permission::StepKind;
use crate::plan::{IamTarget, IamTargetKind};
use crate::severity::Severity;
use crate::sweep;
use crate::sweep::time::{days_between, parse_iso8601};
use crate::sweep::RoleDetail;

pub const META: RuleMeta = RuleMeta {
    id: "iam-role-unused",
    title: "Unused IAM role",
    severity: Severity::Medium,
    default_mode: Mode::Alert,
    checks: "Sweep: a role not used (assumed) for more than GUARDRAIL_UNUSED_DAYS days \
             (default 90), from `RoleLastUsed` in GetAccountAuthorizationDetails; a role never \
             used counts from its creation. Service-linked roles (path `/aws-service-role/`), \
             roles younger than the threshold and the guardrail's own roles are not judged.",
    rationale: "Seeds 001 (§5) and 003: regularly review and remove unused roles. A role nobody \
                assumes still holds its permissions and its trust policy: whoever it trusts \
                can start using it unnoticed.",
    remediation: "Attach the guardrail's deny-all quarantine policy \
                  (GUARDRAIL_QUARANTINE_POLICY_ARN, the stack's QuarantinePolicy) to the role: \
                  reversible, one detach-role-policy undoes it. Never deletes; alert only by \
                  default.",
    anchors: &["IAM Access Analyzer unused access: UnusedIAMRole"],
    runs: &[Runs {
        function: Function::AccountSweep,
        triggers: &[Subscription::Schedule],
        reads: reads::ACCOUNT_IAM,
        steps: &[StepKind::AttachQuarantinePolicy],
    }],
    per_event: false,
};

/// The path IAM gives service-linked roles: AWS services own them (they cannot be changed, and
/// are deleted through the service), so their use is the service's business.
pub const SERVICE_LINKED_PATH: &str = "/aws-service-role/";

/// What the rule makes of one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Used within the threshold.
    Used,
    /// Not used for `days` days: since its last use, or (`never_used`) since its creation.
    Unused { days: i64, never_used: bool },
    /// A service-linked role: not judged.
    ServiceLinked,
    /// Created within the threshold: too young to call unused.
    Young,
    /// No creation date, or a date that does not parse: unknown is not unused.
    Undated,
}

/// Judge one role at `now` (seconds since the epoch). IAM records `RoleLastUsed` only within
/// its tracking period (400 days): no record on a role older than that reads as never used,
/// which is what it is for this rule's purpose (unused for longer than any threshold).
pub fn judge(role: &RoleDetail, now: i64, max_days: u32) -> Verdict {
    if role.path.starts_with(SERVICE_LINKED_PATH) {
        return Verdict::ServiceLinked;
    }
    let limit = i64::from(max_days);
    let Some(created) = role.create_date.as_deref().and_then(parse_iso8601) else {
        return Verdict::Undated;
    };
    let age = days_between(created, now);
    if age <= limit {
        return Verdict::Young;
    }
    match role.last_used.as_deref() {
        None => Verdict::Unused {
            days: age,
            never_used: true,
        },
        Some(text) => match parse_iso8601(text).map(|t| days_between(t, now)) {
            None => Verdict::Undated,
            Some(days) if days <= limit => Verdict::Used,
            Some(days) => Verdict::Unused {
                days,
                never_used: false,
            },
        },
    }
}

/// The finding's reason.
pub fn reason(role: &str, days: i64, never_used: bool, max_days: u32) -> String {
    if never_used {
        format!(
            "IAM role {role} has never been used (no RoleLastUsed record) since it was created \
             {days} days ago (threshold {max_days} days)"
        )
    } else {
        format!("IAM role {role} has not been used for {days} days (threshold {max_days} days)")
    }
}

/// Swept over the roles of GetAccountAuthorizationDetails. Exempt roles are judged but not
/// reported (a note says they would have been); the guardrail's own roles are not judged: a
/// guardrail function that had nothing to do for months is idle, not unused.
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = super::enabled(&META, settings) else {
            return;
        };
        for role in &facts.iam.roles {
            if sweep::is_guardrail_role(settings, role) {
                continue;
            }
            let Verdict::Unused { days, never_used } = judge(role, facts.now, settings.unused_days)
            else {
                continue;
            };
            if settings.exempts_principal(&role.tags, &role.arn) {
                out.notes.push(format!(
                    "{}: role {} unused for {days} days, exempt: not reported",
                    META.id, role.name
                ));
                continue;
            }
            let mut why = reason(&role.name, days, never_used, settings.unused_days);
            let target = IamTarget {
                kind: IamTargetKind::Role,
                name: role.name.clone(),
            };
            let steps = match sweep::quarantine(facts, settings, target, &role.attached) {
                Ok(step) => vec![step],
                Err(not) if mode == Mode::Remediate => {
                    why.push_str(&format!(" (not quarantined: {not})"));
                    Vec::new()
                }
                Err(_) => Vec::new(),
            };
            out.findings.push(sweep::sweep_finding(
                facts,
                meta,
                mode,
                sweep::role_ref(role),
                why,
                steps,
                settings,
            ));
        }
    },
};
