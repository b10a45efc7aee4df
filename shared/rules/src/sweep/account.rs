//! The IAM side of an account as GetAccountAuthorizationDetails describes it: one paginated
//! call instead of a List/Get per user, group, role and policy (IAM is throttled hard).

use serde::Serialize;
use std::collections::BTreeMap;

/// An inline policy: its name and its document as IAM returns it (URL-encoded JSON; the policy
/// parser accepts it as is).
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
}

/// A group and its permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupDetail {
    pub name: String,
    pub arn: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
}

/// A role, its trust policy and its permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleDetail {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The assume-role policy (URL-encoded JSON); `None` when IAM did not return one.
    pub trust_policy: Option<String>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// A customer managed policy and its default version's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version_id: String,
    /// The default version's document; `None` when the answer did not carry it.
    pub document: Option<String>,
    pub attachment_count: i64,
}

/// Everything GetAccountAuthorizationDetails returned (filters User, Group, Role,
/// LocalManagedPolicy: AWS managed policies are AWS's to judge, and there are over a thousand).
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
}
