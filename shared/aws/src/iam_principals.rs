//! Reading the principals an IAM call affected, with everything their effective access
//! depends on, into the same model the sweep fills from GetAccountAuthorizationDetails.
//!
//! Targeted reads (GetUser, ListUserPolicies, ...) rather than GetAccountAuthorizationDetails:
//! an event concerns a handful of principals, and IAM is throttled hard. Every list asks for
//! the most items IAM returns (1,000); a longer list is said in a note, never silently cut.

use crate::error::found;
use crate::error::{classify, AwsError};
use crate::iam::Iam;
use crate::ports::IamFacts;
use guardrail_rules::iam::principals::{self, Affected};
use guardrail_rules::plan::{IamTarget, IamTargetKind};
use guardrail_rules::rules::registry::PrincipalsRead;
use guardrail_rules::sweep::{
    AccountFacts, GroupDetail, InlinePolicy, ManagedPolicy, RoleDetail, UserDetail,
};
use std::collections::{BTreeMap, BTreeSet};

const MAX_ITEMS: i32 = 1000;

/// At most this many roles are read besides the affected principals, to follow chains.
const MAX_CONTEXT_ROLES: usize = 50;
/// Hops followed from an affected principal through roles it may assume.
const MAX_CONTEXT_HOPS: usize = 3;

/// The principals a change concerns, by name, and for a changed trust the role itself (read
/// once: its trust names the targets, and chains lead to it).
#[derive(Default)]
struct Targets {
    users: BTreeSet<String>,
    roles: BTreeSet<String>,
    trusting: Option<RoleDetail>,
}

impl Iam {
    /// The affected users and roles (a group's members; a managed policy's holders), their
    /// groups, and the managed policies they use, each with its default document.
    pub async fn read_principals(&self, affected: &Affected) -> Result<PrincipalsRead, AwsError> {
        let mut notes = Vec::new();
        let Targets {
            users,
            roles,
            trusting,
        } = self.targets(affected, &mut notes).await?;
        let mut facts = AccountFacts::default();
        let mut groups: BTreeSet<String> = BTreeSet::new();
        let mut affected_arns = BTreeSet::new();
        for name in users {
            if let Some(u) = self.user(&name, &mut notes).await? {
                groups.extend(u.groups.iter().cloned());
                affected_arns.insert(u.arn.clone());
                facts.users.push(u);
            }
        }
        let mut read_roles: BTreeSet<String> = BTreeSet::new();
        for name in roles {
            if let Some(r) = self.role(&name, &mut notes).await? {
                affected_arns.insert(r.arn.clone());
                facts.roles.push(r);
            }
            read_roles.insert(name);
        }
        // A changed trust: the role itself is where the new chains lead.
        if let Some(r) = trusting {
            if read_roles.insert(r.name.clone()) {
                facts.roles.push(r);
            }
        }
        for name in &groups {
            if let Some(g) = self.group(name, &mut notes).await? {
                facts.groups.push(g);
            }
        }
        self.fetch_policies(&mut facts).await?;
        // The roles they may assume, a few hops deep, so a chain to an administrator is seen.
        let account = affected_arns
            .iter()
            .find_map(|a| a.split(':').nth(4).map(str::to_string))
            .unwrap_or_default();
        for _hop in 0..MAX_CONTEXT_HOPS {
            let next: Vec<String> = principals::assumable_roles(&facts, &account)
                .into_iter()
                .filter(|r| !read_roles.contains(r))
                .collect();
            if next.is_empty() {
                break;
            }
            for name in next {
                if read_roles.len() >= MAX_CONTEXT_ROLES {
                    notes.push(format!(
                        "more than {MAX_CONTEXT_ROLES} roles to follow; chains beyond them are \
                         left to the sweep"
                    ));
                    break;
                }
                if let Some(r) = self.role(&name, &mut notes).await? {
                    facts.roles.push(r);
                }
                read_roles.insert(name);
            }
            self.fetch_policies(&mut facts).await?;
        }
        Ok(PrincipalsRead {
            facts,
            affected: affected_arns,
            notes,
        })
    }

    /// The default documents of the managed policies `facts` references and lacks.
    async fn fetch_policies(&self, facts: &mut AccountFacts) -> Result<(), AwsError> {
        for arn in facts.missing_policy_arns() {
            if let Some(version) = self.policy_version(&arn, None).await? {
                facts.policies.push(ManagedPolicy {
                    name: arn.rsplit('/').next().unwrap_or(&arn).to_string(),
                    arn: arn.clone(),
                    default_version_id: version.version_id,
                    document: Some(version.document),
                    attachment_count: 0,
                });
            }
        }
        Ok(())
    }

    /// User and role names the change concerns.
    async fn targets(
        &self,
        affected: &Affected,
        notes: &mut Vec<String>,
    ) -> Result<Targets, AwsError> {
        let (mut users, mut roles) = (BTreeSet::new(), BTreeSet::new());
        let mut trusting = None;
        match affected {
            Affected::Principal(IamTarget { kind, name }) => match kind {
                IamTargetKind::User => {
                    users.insert(name.clone());
                }
                IamTargetKind::Role => {
                    roles.insert(name.clone());
                }
                IamTargetKind::Group => users.extend(self.members(name, notes).await?),
            },
            Affected::GroupMembers(group) => users.extend(self.members(group, notes).await?),
            Affected::TrustedBy(role) => {
                // One read of the role: its trust names the targets, and it is read anyway.
                let Some(r) = self.role(role, notes).await? else {
                    return Ok(Targets::default());
                };
                let account = r.arn.split(':').nth(4).unwrap_or_default();
                let trust = r.trust_policy.as_deref().unwrap_or_default();
                let (named, everyone) = principals::trusted_principals(trust, account);
                if everyone {
                    notes.push(format!(
                        "the trust policy of role {role} lets in the whole account (or anyone): \
                         the sweep judges everyone it admits"
                    ));
                }
                for t in named {
                    match t.kind {
                        IamTargetKind::User => users.insert(t.name),
                        _ => roles.insert(t.name),
                    };
                }
                trusting = Some(r);
            }
            Affected::PolicyHolders(arn) => {
                let out = found(
                    self.client
                        .list_entities_for_policy()
                        .policy_arn(arn)
                        .max_items(MAX_ITEMS)
                        .send()
                        .await
                        .map_err(|e| classify("iam", "ListEntitiesForPolicy", e)),
                )?;
                if let Some(out) = out {
                    truncated(out.is_truncated, "ListEntitiesForPolicy", arn, notes);
                    users.extend(
                        out.policy_users()
                            .iter()
                            .filter_map(|u| u.user_name().map(str::to_string)),
                    );
                    roles.extend(
                        out.policy_roles()
                            .iter()
                            .filter_map(|r| r.role_name().map(str::to_string)),
                    );
                    for g in out.policy_groups() {
                        if let Some(name) = g.group_name() {
                            users.extend(self.members(name, notes).await?);
                        }
                    }
                }
            }
        }
        Ok(Targets {
            users,
            roles,
            trusting,
        })
    }

    async fn members(&self, group: &str, notes: &mut Vec<String>) -> Result<Vec<String>, AwsError> {
        let out = found(
            self.client
                .get_group()
                .group_name(group)
                .max_items(MAX_ITEMS)
                .send()
                .await
                .map_err(|e| classify("iam", "GetGroup", e)),
        )?;
        Ok(match out {
            Some(out) => {
                truncated(out.is_truncated, "GetGroup", group, notes);
                out.users()
                    .iter()
                    .map(|u| u.user_name().to_string())
                    .collect()
            }
            None => Vec::new(),
        })
    }

    async fn user(
        &self,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<UserDetail>, AwsError> {
        let target = IamTarget {
            kind: IamTargetKind::User,
            name: name.to_string(),
        };
        let got = found(
            self.client
                .get_user()
                .user_name(name)
                .send()
                .await
                .map_err(|e| classify("iam", "GetUser", e)),
        )?;
        let Some(u) = got.and_then(|o| o.user) else {
            return Ok(None);
        };
        let groups = found(
            self.client
                .list_groups_for_user()
                .user_name(name)
                .max_items(MAX_ITEMS)
                .send()
                .await
                .map_err(|e| classify("iam", "ListGroupsForUser", e)),
        )?
        .map(|o| {
            truncated(o.is_truncated, "ListGroupsForUser", name, notes);
            o.groups()
                .iter()
                .map(|g| g.group_name().to_string())
                .collect()
        })
        .unwrap_or_default();
        Ok(Some(UserDetail {
            name: u.user_name().to_string(),
            id: u.user_id().to_string(),
            arn: u.arn().to_string(),
            inline: self.inline(&target, notes).await?,
            attached: self.attached(&target).await?.unwrap_or_default(),
            groups,
            tags: tags(u.tags()),
            path: u.path().to_string(),
            permissions_boundary: u
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
            create_date: None,
        }))
    }

    async fn role(
        &self,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<RoleDetail>, AwsError> {
        let target = IamTarget {
            kind: IamTargetKind::Role,
            name: name.to_string(),
        };
        let got = found(
            self.client
                .get_role()
                .role_name(name)
                .send()
                .await
                .map_err(|e| classify("iam", "GetRole", e)),
        )?;
        let Some(r) = got.and_then(|o| o.role) else {
            return Ok(None);
        };
        Ok(Some(RoleDetail {
            name: r.role_name().to_string(),
            arn: r.arn().to_string(),
            path: r.path().to_string(),
            trust_policy: r.assume_role_policy_document().map(str::to_string),
            inline: self.inline(&target, notes).await?,
            attached: self.attached(&target).await?.unwrap_or_default(),
            tags: tags(r.tags()),
            permissions_boundary: r
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
            create_date: None,
            last_used: None,
        }))
    }

    async fn group(
        &self,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<GroupDetail>, AwsError> {
        let target = IamTarget {
            kind: IamTargetKind::Group,
            name: name.to_string(),
        };
        let got = found(
            self.client
                .get_group()
                .group_name(name)
                .max_items(1)
                .send()
                .await
                .map_err(|e| classify("iam", "GetGroup", e)),
        )?;
        let Some(g) = got.and_then(|o| o.group) else {
            return Ok(None);
        };
        Ok(Some(GroupDetail {
            name: g.group_name().to_string(),
            arn: g.arn().to_string(),
            inline: self.inline(&target, notes).await?,
            attached: self.attached(&target).await?.unwrap_or_default(),
            path: g.path().to_string(),
        }))
    }

    /// Every inline policy of a user, group or role, with its document.
    async fn inline(
        &self,
        target: &IamTarget,
        notes: &mut Vec<String>,
    ) -> Result<Vec<InlinePolicy>, AwsError> {
        let c = &self.client;
        let listed = match target.kind {
            IamTargetKind::User => c
                .list_user_policies()
                .user_name(&target.name)
                .max_items(MAX_ITEMS)
                .send()
                .await
                .map(|o| (o.policy_names, o.is_truncated))
                .map_err(|e| classify("iam", "ListUserPolicies", e)),
            IamTargetKind::Group => c
                .list_group_policies()
                .group_name(&target.name)
                .max_items(MAX_ITEMS)
                .send()
                .await
                .map(|o| (o.policy_names, o.is_truncated))
                .map_err(|e| classify("iam", "ListGroupPolicies", e)),
            IamTargetKind::Role => c
                .list_role_policies()
                .role_name(&target.name)
                .max_items(MAX_ITEMS)
                .send()
                .await
                .map(|o| (o.policy_names, o.is_truncated))
                .map_err(|e| classify("iam", "ListRolePolicies", e)),
        };
        let Some((names, more)) = found(listed)? else {
            return Ok(Vec::new());
        };
        truncated(more, "List*Policies", &target.to_string(), notes);
        let mut out = Vec::new();
        for name in names {
            if let Some(document) = self.inline_policy(target, &name).await? {
                out.push(InlinePolicy { name, document });
            }
        }
        Ok(out)
    }
}

fn tags(t: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    t.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// A list IAM cut short: say so (its principals are judged on what was read).
fn truncated(is_truncated: bool, call: &str, of: &str, notes: &mut Vec<String>) {
    if is_truncated {
        notes.push(format!(
            "{call} for {of} returned more than {MAX_ITEMS} items; only the first were judged"
        ));
    }
}
