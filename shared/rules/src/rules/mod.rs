//! The rule catalogue: one file per rule, each with its metadata and its judgement.
//!
//! Metadata lives next to the code that implements it, so generated docs cannot drift from it.

pub mod access_analyzer_deleted;
pub mod api_calls_unauthorized;
pub mod call_finding;
pub mod cloudtrail_bucket_weakened;
pub mod cloudtrail_changed;
pub mod cloudtrail_logging_stopped;
pub mod cloudtrail_trail_deleted;
pub mod cloudtrail_trail_weakened;
pub mod config_changed;
pub mod config_recorder_stopped;
pub mod console_sign_in_failures;
pub mod docs;
pub mod ebs_encryption_by_default_off;
pub mod ebs_snapshot_shared;
pub mod ebs_unencrypted_volume;
pub mod ec2_block_public_access_off;
pub mod ec2_image_shared;
pub mod families;
pub mod guardduty_disabled;
pub mod guardrail_stack_changed;
pub mod iam_access_key_for_other_user;
pub mod iam_access_key_old;
pub mod iam_change_audit;
pub mod iam_credentials_unused;
pub mod iam_password_policy_weak;
pub mod iam_permissions_boundary_missing;
pub mod iam_permissions_unused;
pub mod iam_policy_admin_wildcard;
pub mod iam_policy_allows_without_mfa;
pub mod iam_policy_new_access;
pub mod iam_policy_privilege_escalation;
pub mod iam_policy_service_wildcard;
pub mod iam_principal_admin;
pub mod iam_principal_admin_reachable;
pub mod iam_principal_sensitive_without_mfa;
pub mod iam_role_trust_open;
pub mod iam_role_unused;
pub mod iam_root_access_key;
pub mod iam_root_activity;
pub mod iam_root_mfa;
pub mod iam_user_console_without_mfa;
pub mod iam_user_direct_policy;
pub mod iam_user_unused;
pub mod kms_key_disabled;
pub mod network_source_ip_not_allowed;
pub mod organizations_changed;
pub mod reads;
pub mod region_not_allowed;
pub mod registry;
pub mod resource_policy_public;
pub mod runs;
pub mod s3_bucket_policy_changed;
pub mod s3_public_access_block_off;
pub mod securityhub_disabled;
pub mod triggers;
pub mod vpc_changed;
pub mod vpc_gateway_changed;
pub mod vpc_nacl_changed;
pub mod vpc_route_table_changed;
pub mod vpc_security_group_admin_port_open;
pub mod vpc_security_group_changed;

use crate::mode::Mode;
use crate::severity::Severity;
use serde::Serialize;

pub use runs::{Function, Runs, Subscription};

/// What a rule is, for people and for generated documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub default_mode: Mode,
    /// What is checked, in one or two sentences.
    pub checks: &'static str,
    /// Why it matters, and the practice it comes from.
    pub rationale: &'static str,
    /// What remediation does.
    pub remediation: &'static str,
    /// Matching AWS Config managed rule / CIS control / Prowler check, where one exists.
    pub anchors: &'static [&'static str],
    /// Each event is its own incident, rather than each resource: repeats of the same event
    /// still deduplicate, a new event alerts (and remediates) again. True for root sign-ins and
    /// audited changes, and for policy rules: re-attaching or re-defaulting a bad policy after
    /// the guardrail undid it is a new, deliberate act. False where several events report one
    /// ongoing condition (a volume created, then attached, is still the same unencrypted volume).
    pub per_event: bool,
    /// Where it runs: in which functions, invoked by what, reading and planning what. The
    /// templates' patterns and roles are tested against the union of these.
    pub runs: &'static [Runs],
}

impl RuleMeta {
    /// Whether `call` is one of the calls this rule declares it is invoked by (`runs`): the
    /// routing of a rule judged from the call follows from the same declaration the templates
    /// are tested against.
    pub fn declares_call(&self, call: &crate::trigger::ApiCall) -> bool {
        self.runs
            .iter()
            .flat_map(|r| r.triggers)
            .any(|t| t.names_call(call))
    }
}

/// Every rule this crate implements.
pub const ALL: &[&RuleMeta] = &[
    &ebs_unencrypted_volume::META,
    &ebs_encryption_by_default_off::META,
    &ebs_snapshot_shared::META,
    &ec2_image_shared::META,
    &ec2_block_public_access_off::META,
    &iam_policy_allows_without_mfa::META,
    &iam_policy_admin_wildcard::META,
    &iam_policy_service_wildcard::META,
    &iam_policy_privilege_escalation::META,
    &iam_policy_new_access::META,
    &iam_role_trust_open::META,
    &resource_policy_public::META,
    &s3_public_access_block_off::META,
    &iam_principal_admin::META,
    &iam_principal_admin_reachable::META,
    &iam_principal_sensitive_without_mfa::META,
    &iam_permissions_boundary_missing::META,
    &iam_user_console_without_mfa::META,
    &iam_user_direct_policy::META,
    &iam_access_key_for_other_user::META,
    &iam_root_activity::META,
    &console_sign_in_failures::META,
    &iam_change_audit::META,
    &iam_root_mfa::META,
    &iam_root_access_key::META,
    &iam_password_policy_weak::META,
    &iam_credentials_unused::META,
    &iam_access_key_old::META,
    &iam_user_unused::META,
    &iam_role_unused::META,
    &iam_permissions_unused::META,
    &region_not_allowed::META,
    &network_source_ip_not_allowed::META,
    &cloudtrail_logging_stopped::META,
    &cloudtrail_trail_deleted::META,
    &cloudtrail_trail_weakened::META,
    &cloudtrail_bucket_weakened::META,
    &cloudtrail_changed::META,
    &config_recorder_stopped::META,
    &config_changed::META,
    &guardduty_disabled::META,
    &access_analyzer_deleted::META,
    &securityhub_disabled::META,
    &guardrail_stack_changed::META,
    &kms_key_disabled::META,
    &s3_bucket_policy_changed::META,
    &vpc_security_group_changed::META,
    &vpc_security_group_admin_port_open::META,
    &vpc_nacl_changed::META,
    &vpc_gateway_changed::META,
    &vpc_route_table_changed::META,
    &vpc_changed::META,
    &organizations_changed::META,
    &api_calls_unauthorized::META,
];

/// Look a rule up by id.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    ALL.iter().copied().find(|m| m.id == id)
}

/// The rule's metadata and mode when it is switched on.
pub(crate) fn enabled(
    meta: &'static RuleMeta,
    settings: &crate::settings::Settings,
) -> Option<(&'static RuleMeta, Mode)> {
    let mode = settings.mode(meta.id);
    (mode != Mode::Off).then_some((meta, mode))
}
