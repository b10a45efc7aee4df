//! The IAM side of an account as GetAccountAuthorizationDetails describes it: one paginated
//! call instead of a List/Get per user, group, role and policy (IAM is throttled hard).
//!
//! The same model is filled from the SDK (`guardrail_aws::account`) and from the JSON file the
//! AWS CLI writes ([`super::parse_account_file`]), so a sweep and an offline analysis of an
//! exported account see the same facts. Dates stay the ISO-8601 text AWS gave: the core has no
//! clock, and the rules that need a date parse it with [`super::time::parse_iso8601`].

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An inline policy: its name and its document as given (URL-encoded JSON from the IAM API,
/// plain JSON from an exported file; the policy parser accepts either as is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: String,
}

/// A user, with what is given to it directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserDetail {
    pub name: String,
    /// The unique id (`AIDA...`): AWS Config names users by it.
    pub id: String,
    pub arn: String,
    pub inline: Vec<InlinePolicy>,
    /// ARNs of the managed policies attached to the user.
    pub attached: Vec<String>,
    pub groups: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// The IAM path (`/`, `/engineering/`): exemptions and reports name principals by it.
    pub path: String,
    /// The ARN of the permissions boundary policy (`PermissionsBoundary.PermissionsBoundaryArn`):
    /// it caps what the user's own and group policies can grant.
    pub permissions_boundary: Option<String>,
    /// When the user was created (ISO-8601 as IAM gave it).
    pub create_date: Option<String>,
}

/// A group and its permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupDetail {
    pub name: String,
    pub arn: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub path: String,
}

/// A role, its trust policy and its permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleDetail {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The assume-role policy (URL-encoded or plain JSON, as for inline policies); `None` when
    /// IAM did not return one.
    pub trust_policy: Option<String>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// The ARN of the permissions boundary policy, as for users.
    pub permissions_boundary: Option<String>,
    /// When the role was created (ISO-8601 as IAM gave it).
    pub create_date: Option<String>,
    /// When the role was last assumed (`RoleLastUsed.LastUsedDate`); `None` when IAM has no
    /// record (never used, or not within IAM's 400-day tracking period).
    pub last_used: Option<String>,
}

/// A managed policy (customer or AWS managed) and its default version's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version_id: String,
    /// The default version's document; `None` when the answer did not carry it.
    pub document: Option<String>,
    pub attachment_count: i64,
}

impl ManagedPolicy {
    /// Whether AWS owns the policy (`arn:aws:iam::aws:policy/...`, in any partition:
    /// `arn:aws-cn:`, `arn:aws-us-gov:`, ...). AWS managed documents are AWS's to write: the
    /// per-document rules judge only customer managed ones, and the principals that use an AWS
    /// managed policy are judged through what it grants them.
    pub fn is_aws_managed(&self) -> bool {
        is_aws_managed_policy_arn(&self.arn)
    }
}

/// Whether a policy ARN names an AWS managed policy (the account field of the ARN is `aws`).
pub fn is_aws_managed_policy_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    (partition == "aws" || partition.starts_with("aws-")) && rest.starts_with("iam::aws:policy/")
}

/// The IAM side of an account: users, groups, roles, and the managed policies they use.
///
/// `policies` holds the customer managed policies and the AWS managed policies that a principal
/// has attached or uses as its permissions boundary, each with its default version's document
/// (the sweep reads it so; an exported file holds whatever the export wrote).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountFacts {
    pub users: Vec<UserDetail>,
    pub groups: Vec<GroupDetail>,
    pub roles: Vec<RoleDetail>,
    pub policies: Vec<ManagedPolicy>,
}

impl AccountFacts {
    /// The account id, read from the ARNs IAM returned (the CLI has no event to take it from).
    pub fn account_id(&self) -> Option<String> {
        self.users
            .iter()
            .map(|u| &u.arn)
            .chain(self.roles.iter().map(|r| &r.arn))
            .chain(self.groups.iter().map(|g| &g.arn))
            .chain(self.policies.iter().map(|p| &p.arn))
            .find_map(|arn| {
                arn.split(':')
                    .nth(4)
                    .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
                    .map(str::to_string)
            })
    }

    pub fn user(&self, name: &str) -> Option<&UserDetail> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The managed policies by ARN, for callers that look policies up per principal: a large
    /// account has thousands of principals and policies, and a linear search per lookup would
    /// make that quadratic. A duplicated ARN keeps its first entry.
    pub fn policy_index(&self) -> BTreeMap<&str, &ManagedPolicy> {
        let mut index = BTreeMap::new();
        for p in &self.policies {
            index.entry(p.arn.as_str()).or_insert(p);
        }
        index
    }

    /// Every managed policy ARN a principal uses: attached to a user, group or role, or set as
    /// a user's or role's permissions boundary.
    pub fn referenced_policy_arns(&self) -> BTreeSet<&str> {
        let users = self.users.iter().flat_map(|u| {
            u.attached
                .iter()
                .chain(u.permissions_boundary.as_ref())
                .map(String::as_str)
        });
        let groups = self
            .groups
            .iter()
            .flat_map(|g| g.attached.iter().map(String::as_str));
        let roles = self.roles.iter().flat_map(|r| {
            r.attached
                .iter()
                .chain(r.permissions_boundary.as_ref())
                .map(String::as_str)
        });
        users.chain(groups).chain(roles).collect()
    }

    /// Referenced policy ARNs (see [`Self::referenced_policy_arns`]) that `policies` has no
    /// entry for: the documents a reader still has to fetch.
    pub fn missing_policy_arns(&self) -> Vec<String> {
        let index = self.policy_index();
        self.referenced_policy_arns()
            .into_iter()
            .filter(|arn| !index.contains_key(arn))
            .map(str::to_string)
            .collect()
    }

    /// Drop the AWS managed policies no principal uses. GetAccountAuthorizationDetails with
    /// `AWSManagedPolicy` may return every AWS managed policy (moto does: about 1,500 documents
    /// the rules never need); customer managed policies are all kept, used or not, because an
    /// unused customer policy can still be judged and attached later.
    pub fn retain_referenced_aws_policies(&mut self) {
        let referenced: BTreeSet<String> = self
            .referenced_policy_arns()
            .into_iter()
            .map(str::to_string)
            .collect();
        self.policies
            .retain(|p| !p.is_aws_managed() || referenced.contains(&p.arn));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_id_comes_from_any_arn() {
        let facts = AccountFacts {
            roles: vec![RoleDetail {
                name: "r".into(),
                arn: "arn:aws:iam::123456789012:role/r".into(),
                ..RoleDetail::default()
            }],
            ..AccountFacts::default()
        };
        assert_eq!(facts.account_id().as_deref(), Some("123456789012"));
        assert_eq!(AccountFacts::default().account_id(), None);
    }

    #[test]
    fn aws_managed_is_the_aws_account_in_any_partition() {
        for arn in [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
            "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess",
            "arn:aws-iso-b:iam::aws:policy/ReadOnlyAccess",
        ] {
            assert!(is_aws_managed_policy_arn(arn), "{arn}");
        }
        for arn in [
            "arn:aws:iam::123456789012:policy/AdministratorAccess",
            "arn:aws:iam::aws:role/x",
            "arn:awsx:iam::aws:policy/x",
            "arn:aws:iam:us-east-1:aws:policy/x",
            "arn:aws:s3::aws:policy/x",
            "AdministratorAccess",
            "",
            "arn:",
        ] {
            assert!(!is_aws_managed_policy_arn(arn), "{arn}");
        }
        let p = ManagedPolicy {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            ..ManagedPolicy::default()
        };
        assert!(p.is_aws_managed());
    }

    fn policy(arn: &str, name: &str) -> ManagedPolicy {
        ManagedPolicy {
            name: name.into(),
            arn: arn.into(),
            ..ManagedPolicy::default()
        }
    }

    const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
    const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const POWER_USER: &str = "arn:aws:iam::aws:policy/PowerUserAccess";
    const BOUNDARY: &str = "arn:aws:iam::123456789012:policy/Boundary";

    fn account() -> AccountFacts {
        AccountFacts {
            users: vec![UserDetail {
                name: "alice".into(),
                attached: vec![ADMIN.into()],
                permissions_boundary: Some(BOUNDARY.into()),
                ..UserDetail::default()
            }],
            groups: vec![GroupDetail {
                name: "devs".into(),
                attached: vec![POWER_USER.into()],
                ..GroupDetail::default()
            }],
            roles: vec![RoleDetail {
                name: "ci".into(),
                permissions_boundary: Some(READ_ONLY.into()),
                ..RoleDetail::default()
            }],
            policies: vec![
                policy(ADMIN, "first"),
                policy(ADMIN, "second"),
                policy("arn:aws:iam::aws:policy/Unused", "Unused"),
                policy(
                    "arn:aws:iam::123456789012:policy/UnusedCustomer",
                    "UnusedCustomer",
                ),
                policy(BOUNDARY, "Boundary"),
            ],
        }
    }

    #[test]
    fn policy_index_finds_by_arn_and_keeps_the_first_duplicate() {
        let facts = account();
        let index = facts.policy_index();
        assert_eq!(index.len(), 4);
        assert_eq!(index.get(ADMIN).map(|p| p.name.as_str()), Some("first"));
        assert!(!index.contains_key(READ_ONLY));
    }

    #[test]
    fn references_are_attachments_and_boundaries() {
        let mut facts = account();
        let referenced: Vec<&str> = facts.referenced_policy_arns().into_iter().collect();
        assert_eq!(referenced, vec![BOUNDARY, ADMIN, POWER_USER, READ_ONLY]);
        assert_eq!(facts.missing_policy_arns(), vec![POWER_USER, READ_ONLY]);
        facts.retain_referenced_aws_policies();
        let kept: Vec<&str> = facts.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(kept, vec!["first", "second", "UnusedCustomer", "Boundary"]);
    }
}
