//! AWS Config periodic evaluations of IAM users: console MFA, unused credentials, old keys,
//! answered from one credential report instead of three calls per user.

use super::account::UserDetail;
use super::credential_report::CredentialReport;
use crate::evaluation::{Compliance, Evaluation};
use crate::mode::Mode;
use crate::rules::{iam_access_key_old, iam_credentials_unused, iam_user_console_without_mfa};
use crate::settings::Settings;

/// Config's resource type for IAM users.
pub const USER_TYPE: &str = "AWS::IAM::User";

/// One evaluation per user (Config names users by their unique id, which only
/// GetAccountAuthorizationDetails/ListUsers give; the report gives names). A user missing
/// from the report (created since it was generated) is left for the next run.
pub fn user_evaluations(
    users: &[UserDetail],
    report: &CredentialReport,
    now: i64,
    settings: &Settings,
    ordering_timestamp: Option<String>,
) -> Vec<Evaluation> {
    let on = |id: &str| settings.mode(id) != Mode::Off;
    users
        .iter()
        .filter_map(|u| {
            let row = report.users().find(|r| r.user == u.name)?;
            if u.tags.contains_key(&settings.exempt_tag) {
                return Some(Evaluation::new(
                    USER_TYPE,
                    &u.id,
                    Compliance::NotApplicable,
                    Some("exempt by tag".to_string()),
                    ordering_timestamp.clone(),
                ));
            }
            let mut problems = Vec::new();
            if on(iam_user_console_without_mfa::META.id) && row.password_enabled && !row.mfa_active
            {
                problems.push(format!(
                    "{}: console password without MFA",
                    iam_user_console_without_mfa::META.id
                ));
            }
            let unused = iam_credentials_unused::judge(row, now, settings.unused_days);
            if on(iam_credentials_unused::META.id) && !unused.is_empty() {
                problems.push(format!(
                    "{}: {} credential(s) unused > {} days",
                    iam_credentials_unused::META.id,
                    unused.len(),
                    settings.unused_days
                ));
            }
            let old = iam_access_key_old::judge(row, now, settings.key_max_age_days);
            if on(iam_access_key_old::META.id) && !old.is_empty() {
                problems.push(format!(
                    "{}: {} key(s) older than {} days",
                    iam_access_key_old::META.id,
                    old.len(),
                    settings.key_max_age_days
                ));
            }
            let (compliance, note) = if problems.is_empty() {
                (
                    Compliance::Compliant,
                    "MFA, credential use and key age are fine".to_string(),
                )
            } else {
                (Compliance::NonCompliant, problems.join("; "))
            };
            Some(Evaluation::new(
                USER_TYPE,
                &u.id,
                compliance,
                Some(note),
                ordering_timestamp.clone(),
            ))
        })
        .collect()
}
