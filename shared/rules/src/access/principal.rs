//! Principals as IAM sees them: a user with its own and its groups' policies, a role with its
//! trust policy, each with its permissions boundary, built from GetAccountAuthorizationDetails.
//!
//! Every managed policy is parsed once into [`Principals::documents`] and shared by index: a
//! large account has thousands of principals attached to the same few hundred policies. What
//! cannot be read (a policy the account file does not carry, a document that does not parse, a
//! group that is not there) is named in a note and on the principal (`incomplete`), and the
//! principal is still judged with the rest: never silently dropped.

use crate::policy::PolicyDocument;
use crate::sweep::{is_aws_managed_policy_arn, AccountFacts, InlinePolicy};
use serde::Serialize;
use std::collections::BTreeMap;

/// User or role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    User,
    Role,
}

impl PrincipalKind {
    /// CloudFormation resource type, as findings name resources.
    pub fn resource_type(self) -> &'static str {
        match self {
            PrincipalKind::User => "AWS::IAM::User",
            PrincipalKind::Role => "AWS::IAM::Role",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// One policy a principal has, and where it comes from (for the reasons people read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldPolicy {
    /// `inline policy X`, `AWS managed policy AdministratorAccess`, `group admins: inline
    /// policy Y`, ...
    pub label: String,
    /// Index into [`Principals::documents`].
    pub document: usize,
}

/// A user or role and everything that decides what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    /// Identity policies: its own inline and attached policies, then its groups'.
    pub policies: Vec<HeldPolicy>,
    pub boundary: Option<HeldPolicy>,
    /// A role's trust policy (index into the documents).
    pub trust: Option<usize>,
    pub groups: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// What could not be read, so a verdict on this principal may miss something.
    pub incomplete: Vec<String>,
}

/// The principals of an account and the documents they share.
#[derive(Debug, Clone, Default)]
pub struct Principals {
    pub account: String,
    pub documents: Vec<PolicyDocument>,
    pub principals: Vec<Principal>,
    /// What could not be read or judged, in words.
    pub notes: Vec<String>,
}

/// Finds a managed policy's label and document index by ARN, parsing it on first use.
type Resolve<'r> = dyn FnMut(&mut Principals, &str) -> Result<(String, usize), String> + 'r;

/// Documents of AWS managed policies the account facts lack, by ARN (the CLI's bundle; the
/// Lambdas have none).
pub type PolicyLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Principals {
    /// Build every user and role of `facts`. `lookup` supplies AWS managed policy documents
    /// the facts do not carry.
    pub fn build(facts: &AccountFacts, account: &str, lookup: PolicyLookup<'_>) -> Principals {
        let mut out = Principals {
            account: account.to_string(),
            ..Principals::default()
        };
        // Managed policies: parsed once, by ARN.
        let mut managed: BTreeMap<String, Result<usize, String>> = BTreeMap::new();
        for p in &facts.policies {
            if managed.contains_key(&p.arn) {
                continue;
            }
            let parsed = match &p.document {
                Some(text) => out.parse(text),
                None => Err("its default version's document was not returned".to_string()),
            };
            managed.insert(p.arn.clone(), parsed);
        }
        let mut resolve = |out: &mut Principals, arn: &str| -> Result<(String, usize), String> {
            let label = managed_label(arn);
            if let Some(r) = managed.get(arn) {
                return r.clone().map(|i| (label, i));
            }
            let r = match lookup(arn) {
                Some(text) => out.parse(&text),
                None => Err(
                    "its document is not in the account data and not a known AWS managed policy"
                        .into(),
                ),
            };
            managed.insert(arn.to_string(), r.clone());
            r.map(|i| (label, i))
        };
        let groups: BTreeMap<&str, &crate::sweep::GroupDetail> =
            facts.groups.iter().map(|g| (g.name.as_str(), g)).collect();

        for u in &facts.users {
            let mut p = Principal::new(PrincipalKind::User, &u.name, &u.arn, &u.tags);
            p.groups = u.groups.clone();
            out.hold_inline(&mut p, "", &u.inline);
            for arn in &u.attached {
                out.hold_managed(&mut p, "", arn, &mut resolve);
            }
            for g in &u.groups {
                match groups.get(g.as_str()) {
                    Some(group) => {
                        let from = format!("group {g}: ");
                        out.hold_inline(&mut p, &from, &group.inline);
                        for arn in &group.attached {
                            out.hold_managed(&mut p, &from, arn, &mut resolve);
                        }
                    }
                    None => p
                        .incomplete
                        .push(format!("group {g} is not in the account data")),
                }
            }
            out.set_boundary(&mut p, u.permissions_boundary.as_deref(), &mut resolve);
            out.finish(p);
        }
        for r in &facts.roles {
            let mut p = Principal::new(PrincipalKind::Role, &r.name, &r.arn, &r.tags);
            out.hold_inline(&mut p, "", &r.inline);
            for arn in &r.attached {
                out.hold_managed(&mut p, "", arn, &mut resolve);
            }
            out.set_boundary(&mut p, r.permissions_boundary.as_deref(), &mut resolve);
            match &r.trust_policy {
                Some(text) => match out.parse(text) {
                    Ok(i) => p.trust = Some(i),
                    Err(e) => p.incomplete.push(format!("trust policy unreadable: {e}")),
                },
                None => p.incomplete.push("no trust policy returned".to_string()),
            }
            out.finish(p);
        }
        out
    }

    /// The documents of a principal's identity policies.
    pub fn identity_documents(&self, p: &Principal) -> Vec<&PolicyDocument> {
        p.policies
            .iter()
            .filter_map(|h| self.documents.get(h.document))
            .collect()
    }

    pub fn document(&self, index: usize) -> Option<&PolicyDocument> {
        self.documents.get(index)
    }

    fn parse(&mut self, text: &str) -> Result<usize, String> {
        let doc = PolicyDocument::parse(text).map_err(|e| e.to_string())?;
        self.documents.push(doc);
        Ok(self.documents.len() - 1)
    }

    fn hold_inline(&mut self, p: &mut Principal, from: &str, inline: &[InlinePolicy]) {
        for ip in inline {
            let label = format!("{from}inline policy {}", ip.name);
            match self.parse(&ip.document) {
                Ok(document) => p.policies.push(HeldPolicy { label, document }),
                Err(e) => p.incomplete.push(format!("{label} unreadable: {e}")),
            }
        }
    }

    fn hold_managed(
        &mut self,
        p: &mut Principal,
        from: &str,
        arn: &str,
        resolve: &mut Resolve<'_>,
    ) {
        match resolve(self, arn) {
            Ok((label, document)) => p.policies.push(HeldPolicy {
                label: format!("{from}{label}"),
                document,
            }),
            Err(e) => p.incomplete.push(format!("{from}{arn}: {e}")),
        }
    }

    fn set_boundary(&mut self, p: &mut Principal, arn: Option<&str>, resolve: &mut Resolve<'_>) {
        let Some(arn) = arn else {
            return;
        };
        match resolve(self, arn) {
            Ok((label, document)) => {
                p.boundary = Some(HeldPolicy {
                    label: format!("permissions boundary {label}"),
                    document,
                })
            }
            // An unreadable boundary is not "no boundary": the verdict would overstate what
            // the principal may do. It is judged without it, and the note says so.
            Err(e) => p.incomplete.push(format!(
                "permissions boundary {arn}: {e} (judged as if absent)"
            )),
        }
    }

    fn finish(&mut self, p: Principal) {
        for why in &p.incomplete {
            self.notes
                .push(format!("{} {}: {why}", p.kind.as_str(), p.name));
        }
        self.principals.push(p);
    }
}

impl Principal {
    fn new(kind: PrincipalKind, name: &str, arn: &str, tags: &BTreeMap<String, String>) -> Self {
        Principal {
            kind,
            name: name.to_string(),
            arn: arn.to_string(),
            policies: Vec::new(),
            boundary: None,
            trust: None,
            groups: Vec::new(),
            tags: tags.clone(),
            incomplete: Vec::new(),
        }
    }
}

/// `AWS managed policy X` or `customer managed policy X`, from the ARN.
fn managed_label(arn: &str) -> String {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    if is_aws_managed_policy_arn(arn) {
        format!("AWS managed policy {name}")
    } else {
        format!("customer managed policy {name}")
    }
}
