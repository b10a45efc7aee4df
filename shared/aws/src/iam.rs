//! IAM: reading policies, attachments and users; executing IAM remediation steps.
//!
//! IAM is global and throttled hard (its rates cannot be raised), so every read here is a
//! single targeted call; nothing lists the whole account.

use crate::error::{classify, found, AwsError, ErrorKind};
use crate::ports::{IamFacts, PolicyVersion};
use aws_sdk_iam::types::StatusType;
use aws_sdk_iam::Client;
use guardrail_rules::plan::{IamTarget, IamTargetKind, RemediationStep};
use guardrail_rules::rules::iam_permissions_boundary_missing::BoundaryState;
use guardrail_rules::rules::iam_user_console_without_mfa::ConsoleUser;

/// IAM adapter.
#[derive(Clone)]
pub struct Iam {
    pub(crate) client: Client,
}

impl Iam {
    pub fn new(client: Client) -> Iam {
        Iam { client }
    }

    pub(crate) async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        let c = &self.client;
        match step {
            RemediationStep::DetachManagedPolicy { target, policy_arn } => match target.kind {
                IamTargetKind::User => c
                    .detach_user_policy()
                    .user_name(&target.name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DetachUserPolicy", e)),
                IamTargetKind::Group => c
                    .detach_group_policy()
                    .group_name(&target.name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DetachGroupPolicy", e)),
                IamTargetKind::Role => c
                    .detach_role_policy()
                    .role_name(&target.name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DetachRolePolicy", e)),
            },
            RemediationStep::DeleteInlinePolicy {
                target,
                policy_name,
            } => match target.kind {
                IamTargetKind::User => c
                    .delete_user_policy()
                    .user_name(&target.name)
                    .policy_name(policy_name)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DeleteUserPolicy", e)),
                IamTargetKind::Group => c
                    .delete_group_policy()
                    .group_name(&target.name)
                    .policy_name(policy_name)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DeleteGroupPolicy", e)),
                IamTargetKind::Role => c
                    .delete_role_policy()
                    .role_name(&target.name)
                    .policy_name(policy_name)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "DeleteRolePolicy", e)),
            },
            RemediationStep::RevertPolicyVersion {
                policy_arn,
                to_version,
                ..
            } => c
                .set_default_policy_version()
                .policy_arn(policy_arn)
                .version_id(to_version)
                .send()
                .await
                .map(drop)
                .map_err(|e| classify("iam", "SetDefaultPolicyVersion", e)),
            RemediationStep::AttachMfaDenyPolicy {
                user_name,
                policy_arn,
            } => c
                .attach_user_policy()
                .user_name(user_name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| classify("iam", "AttachUserPolicy", e)),
            // AttachUserPolicy/AttachRolePolicy of a policy already attached changes nothing:
            // the step is idempotent on top of the AlreadyDone the sweep's read decided.
            RemediationStep::AttachQuarantinePolicy { target, policy_arn } => match target.kind {
                IamTargetKind::User => c
                    .attach_user_policy()
                    .user_name(&target.name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "AttachUserPolicy", e)),
                IamTargetKind::Role => c
                    .attach_role_policy()
                    .role_name(&target.name)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "AttachRolePolicy", e)),
                IamTargetKind::Group => Err(AwsError::new(
                    "iam",
                    "AttachQuarantinePolicy",
                    ErrorKind::Rejected,
                    "groups are not quarantined: their members are",
                )),
            },
            RemediationStep::PutPermissionsBoundary {
                target,
                boundary_arn,
                ..
            } => match target.kind {
                IamTargetKind::User => c
                    .put_user_permissions_boundary()
                    .user_name(&target.name)
                    .permissions_boundary(boundary_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "PutUserPermissionsBoundary", e)),
                IamTargetKind::Role => c
                    .put_role_permissions_boundary()
                    .role_name(&target.name)
                    .permissions_boundary(boundary_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify("iam", "PutRolePermissionsBoundary", e)),
                IamTargetKind::Group => Err(AwsError::new(
                    "iam",
                    "PutPermissionsBoundary",
                    ErrorKind::Rejected,
                    "a group cannot have a permissions boundary",
                )),
            },
            RemediationStep::DeactivateAccessKey {
                user_name,
                access_key_id,
            } => c
                .update_access_key()
                .user_name(user_name)
                .access_key_id(access_key_id)
                .status(StatusType::Inactive)
                .send()
                .await
                .map(drop)
                .map_err(|e| classify("iam", "UpdateAccessKey", e)),
            RemediationStep::UpdatePasswordPolicy {
                minimum_length,
                require_uppercase,
                require_lowercase,
                require_numbers,
                require_symbols,
                max_age_days,
                reuse_prevention,
                allow_users_to_change_password,
                hard_expiry,
            } => c
                .update_account_password_policy()
                .minimum_password_length(i32::try_from(*minimum_length).unwrap_or(128))
                .require_uppercase_characters(*require_uppercase)
                .require_lowercase_characters(*require_lowercase)
                .require_numbers(*require_numbers)
                .require_symbols(*require_symbols)
                .max_password_age(i32::try_from(*max_age_days).unwrap_or(1095))
                .password_reuse_prevention(i32::try_from(*reuse_prevention).unwrap_or(24))
                .allow_users_to_change_password(*allow_users_to_change_password)
                .hard_expiry(*hard_expiry)
                .send()
                .await
                .map(drop)
                .map_err(|e| classify("iam", "UpdateAccountPasswordPolicy", e)),
            RemediationStep::DeleteLoginProfile { user_name } => c
                .delete_login_profile()
                .user_name(user_name)
                .send()
                .await
                .map(drop)
                .map_err(|e| classify("iam", "DeleteLoginProfile", e)),
            other => Err(AwsError::new(
                "iam",
                "execute",
                ErrorKind::Rejected,
                format!("not an IAM step: {}", other.describe()),
            )),
        }
    }
}

impl IamFacts for Iam {
    async fn policy_version(
        &self,
        policy_arn: &str,
        version: Option<&str>,
    ) -> Result<Option<PolicyVersion>, AwsError> {
        let default = found(
            self.client
                .get_policy()
                .policy_arn(policy_arn)
                .send()
                .await
                .map_err(|e| classify("iam", "GetPolicy", e)),
        )?;
        let Some(default) = default.and_then(|p| p.policy.and_then(|p| p.default_version_id))
        else {
            return Ok(None);
        };
        let wanted = version.unwrap_or(&default).to_string();
        let v = found(
            self.client
                .get_policy_version()
                .policy_arn(policy_arn)
                .version_id(&wanted)
                .send()
                .await
                .map_err(|e| classify("iam", "GetPolicyVersion", e)),
        )?;
        Ok(v.and_then(|v| v.policy_version).map(|pv| PolicyVersion {
            is_default: wanted == default,
            version_id: wanted,
            document: pv.document.unwrap_or_default(),
        }))
    }

    async fn previous_version(
        &self,
        policy_arn: &str,
        current: &str,
    ) -> Result<Option<String>, AwsError> {
        let out = found(
            self.client
                .list_policy_versions()
                .policy_arn(policy_arn)
                .send()
                .await
                .map_err(|e| classify("iam", "ListPolicyVersions", e)),
        )?;
        let mut versions: Vec<_> = out
            .map(|o| o.versions.unwrap_or_default())
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.version_id() != Some(current))
            .collect();
        versions.sort_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
        Ok(versions
            .last()
            .and_then(|v| v.version_id().map(str::to_string)))
    }

    async fn attached(&self, target: &IamTarget) -> Result<Option<Vec<String>>, AwsError> {
        let c = &self.client;
        let arns = |v: &[aws_sdk_iam::types::AttachedPolicy]| {
            v.iter()
                .filter_map(|p| p.policy_arn().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let r = match target.kind {
            IamTargetKind::User => c
                .list_attached_user_policies()
                .user_name(&target.name)
                .send()
                .await
                .map(|o| arns(o.attached_policies()))
                .map_err(|e| classify("iam", "ListAttachedUserPolicies", e)),
            IamTargetKind::Group => c
                .list_attached_group_policies()
                .group_name(&target.name)
                .send()
                .await
                .map(|o| arns(o.attached_policies()))
                .map_err(|e| classify("iam", "ListAttachedGroupPolicies", e)),
            IamTargetKind::Role => c
                .list_attached_role_policies()
                .role_name(&target.name)
                .send()
                .await
                .map(|o| arns(o.attached_policies()))
                .map_err(|e| classify("iam", "ListAttachedRolePolicies", e)),
        };
        found(r)
    }

    async fn inline_policy(
        &self,
        target: &IamTarget,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        let c = &self.client;
        let r = match target.kind {
            IamTargetKind::User => c
                .get_user_policy()
                .user_name(&target.name)
                .policy_name(name)
                .send()
                .await
                .map(|o| o.policy_document)
                .map_err(|e| classify("iam", "GetUserPolicy", e)),
            IamTargetKind::Group => c
                .get_group_policy()
                .group_name(&target.name)
                .policy_name(name)
                .send()
                .await
                .map(|o| o.policy_document)
                .map_err(|e| classify("iam", "GetGroupPolicy", e)),
            IamTargetKind::Role => c
                .get_role_policy()
                .role_name(&target.name)
                .policy_name(name)
                .send()
                .await
                .map(|o| o.policy_document)
                .map_err(|e| classify("iam", "GetRolePolicy", e)),
        };
        found(r)
    }

    async fn trust_policy(&self, role_name: &str) -> Result<Option<String>, AwsError> {
        let r = self
            .client
            .get_role()
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| classify("iam", "GetRole", e));
        Ok(found(r)?
            .and_then(|o| o.role)
            .and_then(|r| r.assume_role_policy_document))
    }

    async fn permissions_boundary(
        &self,
        target: &IamTarget,
    ) -> Result<Option<BoundaryState>, AwsError> {
        let tags = |t: Option<&[aws_sdk_iam::types::Tag]>| {
            t.unwrap_or_default()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect()
        };
        match target.kind {
            IamTargetKind::User => {
                let r = self
                    .client
                    .get_user()
                    .user_name(&target.name)
                    .send()
                    .await
                    .map_err(|e| classify("iam", "GetUser", e));
                Ok(found(r)?.and_then(|o| o.user).map(|u| BoundaryState {
                    boundary: u
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string),
                    tags: tags(u.tags.as_deref()),
                }))
            }
            IamTargetKind::Role => {
                let r = self
                    .client
                    .get_role()
                    .role_name(&target.name)
                    .send()
                    .await
                    .map_err(|e| classify("iam", "GetRole", e));
                Ok(found(r)?.and_then(|o| o.role).map(|role| BoundaryState {
                    boundary: role
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string),
                    tags: tags(role.tags.as_deref()),
                }))
            }
            IamTargetKind::Group => Ok(None),
        }
    }

    async fn console_user(&self, user_name: &str) -> Result<Option<ConsoleUser>, AwsError> {
        let exists = found(
            self.client
                .get_user()
                .user_name(user_name)
                .send()
                .await
                .map_err(|e| classify("iam", "GetUser", e)),
        )?;
        if exists.is_none() {
            return Ok(None);
        }
        let profile = found(
            self.client
                .get_login_profile()
                .user_name(user_name)
                .send()
                .await
                .map_err(|e| classify("iam", "GetLoginProfile", e)),
        )?;
        let mfa = self
            .client
            .list_mfa_devices()
            .user_name(user_name)
            .send()
            .await
            .map_err(|e| classify("iam", "ListMFADevices", e))?;
        let attached = self
            .attached(&IamTarget {
                kind: IamTargetKind::User,
                name: user_name.to_string(),
            })
            .await?;
        Ok(Some(ConsoleUser {
            user_name: user_name.to_string(),
            has_password: profile.is_some(),
            mfa_devices: mfa.mfa_devices().len(),
            attached_policies: attached.unwrap_or_default(),
        }))
    }

    async fn access_key_active(
        &self,
        user_name: &str,
        key_id: &str,
    ) -> Result<Option<bool>, AwsError> {
        let out = found(
            self.client
                .list_access_keys()
                .user_name(user_name)
                .send()
                .await
                .map_err(|e| classify("iam", "ListAccessKeys", e)),
        )?;
        Ok(out.and_then(|o| {
            o.access_key_metadata()
                .iter()
                .find(|k| k.access_key_id() == Some(key_id))
                .map(|k| k.status() == Some(&StatusType::Active))
        }))
    }
}
