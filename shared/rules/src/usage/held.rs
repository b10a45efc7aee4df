//! The identity policies a principal holds, as the account facts carry them, so a report the
//! sweep read can be saved beside the policies it narrows (`guardrail scan
//! --last-accessed-dir`, read back by `guardrail suggest-policy`).

use crate::sweep::AccountFacts;

/// One identity policy of a principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDocument {
    /// `inline-Name`, `managed-Name`, `group-devs-inline-Name`: file-name safe.
    pub label: String,
    /// The document as IAM gave it (URL-encoded or plain JSON); `None` when the facts lack
    /// it (a managed policy whose default version was not returned).
    pub document: Option<String>,
}

/// The identity policies of the user or role `arn`: its inline and attached policies, then
/// (a user's) its groups'. Empty when the facts have no such principal.
pub fn identity_policies(facts: &AccountFacts, arn: &str) -> Vec<HeldDocument> {
    let index = facts.policy_index();
    let mut out = Vec::new();
    let mut hold = |from: &str, inline: &[crate::sweep::InlinePolicy], attached: &[String]| {
        for p in inline {
            out.push(HeldDocument {
                label: safe(&format!("{from}inline-{}", p.name)),
                document: Some(p.document.clone()),
            });
        }
        for a in attached {
            let name = a.rsplit('/').next().unwrap_or(a);
            out.push(HeldDocument {
                label: safe(&format!("{from}managed-{name}")),
                document: index.get(a.as_str()).and_then(|p| p.document.clone()),
            });
        }
    };
    if let Some(u) = facts.users.iter().find(|u| u.arn == arn) {
        hold("", &u.inline, &u.attached);
        for g in &u.groups {
            if let Some(group) = facts.groups.iter().find(|x| &x.name == g) {
                hold(&format!("group-{g}-"), &group.inline, &group.attached);
            }
        }
    } else if let Some(r) = facts.roles.iter().find(|r| r.arn == arn) {
        hold("", &r.inline, &r.attached);
    }
    out
}

/// Letters, digits, `.`, `_` and `-`; anything else becomes `_` (IAM names allow `+=,@`).
pub fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{GroupDetail, InlinePolicy, ManagedPolicy, UserDetail};

    #[test]
    fn a_users_own_and_group_policies_in_order() {
        let facts = AccountFacts {
            users: vec![UserDetail {
                name: "ana".into(),
                arn: "arn:aws:iam::111122223333:user/ana".into(),
                inline: vec![InlinePolicy {
                    name: "Own+1".into(),
                    document: "{}".into(),
                }],
                attached: vec!["arn:aws:iam::111122223333:policy/team/Deploy".into()],
                groups: vec!["devs".into(), "gone".into()],
                ..UserDetail::default()
            }],
            groups: vec![GroupDetail {
                name: "devs".into(),
                attached: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
                ..GroupDetail::default()
            }],
            policies: vec![ManagedPolicy {
                arn: "arn:aws:iam::111122223333:policy/team/Deploy".into(),
                document: Some("{\"Statement\":[]}".into()),
                ..ManagedPolicy::default()
            }],
            ..AccountFacts::default()
        };
        let held = identity_policies(&facts, "arn:aws:iam::111122223333:user/ana");
        let labels: Vec<&str> = held.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "inline-Own_1",
                "managed-Deploy",
                "group-devs-managed-ReadOnlyAccess"
            ]
        );
        assert_eq!(held[1].document.as_deref(), Some("{\"Statement\":[]}"));
        assert_eq!(held[2].document, None, "not in the facts");
        assert!(identity_policies(&facts, "arn:aws:iam::111122223333:role/x").is_empty());
    }
}
