//! The scheduled account sweep: every rule over a whole account, from plain facts.
//!
//! The adapters read the facts in as few calls as IAM and EC2 allow (one paginated
//! GetAccountAuthorizationDetails, one credential report, one password policy, per region one
//! DescribeVolumes and one GetEbsEncryptionByDefault); [`run`] judges them with the same rule
//! code the event-driven functions use, so a sweep and an event agree on what is wrong, and
//! [`SweepReport`] counts and summarises the result. The same code serves the Lambda, the AWS
//! Config periodic rule for IAM users and `guardrail scan`. [`parse_account_file`] reads the
//! IAM facts from an exported `aws iam get-account-authorization-details` file instead.

mod account;
mod account_file;
mod config_users;
mod credential_report;
mod judge;
mod password_policy;
mod report;
pub mod time;

pub use account::{
    is_aws_managed_policy_arn, AccountFacts, GroupDetail, InlinePolicy, ManagedPolicy, RoleDetail,
    UserDetail,
};
pub use account_file::{parse_account_file, AccountFileError, MAX_ACCOUNT_FILE_BYTES};
pub use config_users::{user_evaluations, USER_TYPE};
pub use credential_report::{
    CredentialReport, CredentialReportError, CredentialRow, KeyCredential, MAX_REPORT_ROWS,
    ROOT_ROW,
};
pub(crate) use judge::{
    account_ref, credential_users, is_guardrail_role, key_in_slot, per_region, policies,
    principals, quarantine, reading, region_finding, role_ref, root_rule, sweep_finding, user_ref,
    RegionGap,
};
pub use judge::{
    judge_usage, key_lookups, run, sweep_reads, AccessKeyMeta, Reading, RegionSweep, SweepFacts,
    SweepReads, Swept,
};
pub use password_policy::{PasswordFloor, PasswordPolicy};
pub use report::{summary_alert, SweepReport, WorstItem, SUMMARY_RULE, WORST_ITEMS};

#[cfg(test)]
mod tests;
