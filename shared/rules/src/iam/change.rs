//! Which IAM object a call changed. The event only points at it: the object is re-read
//! before it is judged, so a change undone in the meantime is not acted on.

use crate::plan::{IamTarget, IamTargetKind};
use crate::trigger::{ApiCall, CallKind, PrincipalKind};
use serde_json::Value;

/// What an IAM call (or a console sign-in) changed that a rule must look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamChange {
    /// A managed policy version that became (or may have become) the default.
    PolicyVersion {
        policy_arn: String,
        /// `None` for SetDefaultPolicyVersion without a readable version id.
        version_id: Option<String>,
    },
    /// A managed policy attached to a user, group or role.
    Attached {
        target: IamTarget,
        policy_arn: String,
    },
    /// An inline policy written on a user, group or role.
    Inline {
        target: IamTarget,
        policy_name: String,
    },
    /// A role's trust policy created or replaced.
    Trust { role_name: String },
    /// A user's console access or MFA changed (or a user signed in without MFA).
    ConsoleAccess { user_name: String },
    /// An access key created.
    AccessKey {
        user_name: String,
        access_key_id: String,
    },
    /// Nothing a rule judges.
    Nothing,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn target(call: &ApiCall, kind: IamTargetKind) -> Option<IamTarget> {
    let key = match kind {
        IamTargetKind::User => "userName",
        IamTargetKind::Group => "groupName",
        IamTargetKind::Role => "roleName",
    };
    call.request_str(key).map(|name| IamTarget {
        kind,
        name: name.to_string(),
    })
}

/// What the call changed.
pub fn change(call: &ApiCall) -> IamChange {
    if call.kind == CallKind::ConsoleSignIn {
        let without_mfa = str_at(&call.additional, &["MFAUsed"]) == Some("No");
        return match (&call.principal.kind, &call.principal.user_name) {
            (PrincipalKind::IamUser, Some(user)) if without_mfa => IamChange::ConsoleAccess {
                user_name: user.clone(),
            },
            _ => IamChange::Nothing,
        };
    }
    if call.service() != "iam" {
        return IamChange::Nothing;
    }
    let kind_of = |name: &str| {
        if name.contains("User") {
            IamTargetKind::User
        } else if name.contains("Group") {
            IamTargetKind::Group
        } else {
            IamTargetKind::Role
        }
    };
    let name = call.event_name.as_str();
    let caller_user = || call.principal.user_name.clone();
    let found = match name {
        "CreatePolicy" => {
            str_at(&call.response, &["policy", "arn"]).map(|arn| IamChange::PolicyVersion {
                policy_arn: arn.to_string(),
                version_id: str_at(&call.response, &["policy", "defaultVersionId"])
                    .map(str::to_string),
            })
        }
        "CreatePolicyVersion" => {
            let set_as_default = match call.request.get("setAsDefault") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            };
            // A non-default version changes nobody's permissions (until made default, which
            // is its own event).
            call.request_str("policyArn")
                .filter(|_| set_as_default)
                .map(|arn| IamChange::PolicyVersion {
                    policy_arn: arn.to_string(),
                    version_id: str_at(&call.response, &["policyVersion", "versionId"])
                        .map(str::to_string),
                })
        }
        "SetDefaultPolicyVersion" => {
            call.request_str("policyArn")
                .map(|arn| IamChange::PolicyVersion {
                    policy_arn: arn.to_string(),
                    version_id: call.request_str("versionId").map(str::to_string),
                })
        }
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => {
            match (target(call, kind_of(name)), call.request_str("policyArn")) {
                (Some(target), Some(arn)) => Some(IamChange::Attached {
                    target,
                    policy_arn: arn.to_string(),
                }),
                _ => None,
            }
        }
        "PutUserPolicy" | "PutGroupPolicy" | "PutRolePolicy" => {
            match (target(call, kind_of(name)), call.request_str("policyName")) {
                (Some(target), Some(policy)) => Some(IamChange::Inline {
                    target,
                    policy_name: policy.to_string(),
                }),
                _ => None,
            }
        }
        "CreateRole" | "UpdateAssumeRolePolicy" => {
            call.request_str("roleName").map(|r| IamChange::Trust {
                role_name: r.to_string(),
            })
        }
        "CreateLoginProfile" | "UpdateLoginProfile" | "DeactivateMFADevice" => call
            .request_str("userName")
            .map(str::to_string)
            .or_else(caller_user)
            .map(|user_name| IamChange::ConsoleAccess { user_name }),
        // DeleteVirtualMFADevice changes nobody's MFA: IAM deletes only a device no user holds
        // (DeleteConflict otherwise), so its user lost MFA at DeactivateMFADevice, which names
        // the user and is judged. The request names only the device; guessing its user from
        // the device's name would judge the wrong user. (iam-change-audit still records it.)
        "CreateAccessKey" => match (
            str_at(&call.response, &["accessKey", "userName"]),
            str_at(&call.response, &["accessKey", "accessKeyId"]),
        ) {
            (Some(user), Some(key)) => Some(IamChange::AccessKey {
                user_name: user.to_string(),
                access_key_id: key.to_string(),
            }),
            _ => None,
        },
        _ => None,
    };
    found.unwrap_or(IamChange::Nothing)
}
