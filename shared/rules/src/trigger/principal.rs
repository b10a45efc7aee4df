//! Who made a call, as CloudTrail's `userIdentity` tells it.

use serde::{Deserialize, Serialize};

/// The kinds of identity CloudTrail records. Unknown kinds are kept, not rejected: AWS adds
/// new ones (e.g. `IdentityCenterUser`) and a guardrail must not fail on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Root,
    IamUser,
    AssumedRole,
    FederatedUser,
    AwsService,
    AwsAccount,
    Other(String),
}

impl PrincipalKind {
    fn from_type(t: &str) -> PrincipalKind {
        match t {
            "Root" => PrincipalKind::Root,
            "IAMUser" => PrincipalKind::IamUser,
            "AssumedRole" => PrincipalKind::AssumedRole,
            "FederatedUser" => PrincipalKind::FederatedUser,
            "AWSService" => PrincipalKind::AwsService,
            "AWSAccount" => PrincipalKind::AwsAccount,
            other => PrincipalKind::Other(other.to_string()),
        }
    }
}

/// The caller of an API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The caller's own ARN (for a role session: the `assumed-role` STS ARN).
    pub arn: Option<String>,
    /// For role sessions, the IAM role behind the session (`sessionIssuer.arn`). Exemptions and
    /// loop protection match on this, because session names are chosen by the caller.
    pub role_arn: Option<String>,
    pub account: Option<String>,
    pub user_name: Option<String>,
    /// `sessionContext.attributes.mfaAuthenticated` (for API calls made with MFA).
    pub mfa_authenticated: Option<bool>,
    /// Set when an AWS service called on the principal's behalf.
    pub invoked_by: Option<String>,
}

impl Principal {
    /// The ARN to match exemptions against: the role for sessions, else the caller's ARN.
    pub fn identity_arn(&self) -> Option<&str> {
        self.role_arn.as_deref().or(self.arn.as_deref())
    }

    /// Every ARN that names this principal, for pattern matching.
    pub fn arns(&self) -> impl Iterator<Item = &str> {
        self.role_arn
            .iter()
            .chain(self.arn.iter())
            .map(String::as_str)
    }

    /// A display name for alerts.
    pub fn display(&self) -> String {
        match (&self.kind, self.identity_arn()) {
            (PrincipalKind::Root, _) => "root user".to_string(),
            (_, Some(arn)) => arn.to_string(),
            (kind, None) => format!("{kind:?}"),
        }
    }

    pub(crate) fn from_wire(w: &UserIdentityWire) -> Principal {
        let issuer = w
            .session_context
            .as_ref()
            .and_then(|s| s.session_issuer.as_ref());
        let mfa = w
            .session_context
            .as_ref()
            .and_then(|s| s.attributes.as_ref())
            .and_then(|a| a.mfa_authenticated.as_deref())
            .map(|v| v.eq_ignore_ascii_case("true"));
        Principal {
            kind: PrincipalKind::from_type(w.kind.as_deref().unwrap_or("Unknown")),
            arn: w.arn.clone(),
            role_arn: issuer
                .filter(|i| i.kind.as_deref() == Some("Role"))
                .and_then(|i| i.arn.clone()),
            account: w.account_id.clone(),
            user_name: w
                .user_name
                .clone()
                .or_else(|| issuer.and_then(|i| i.user_name.clone())),
            mfa_authenticated: mfa,
            invoked_by: w.invoked_by.clone(),
        }
    }
}

/// `userIdentity` as CloudTrail writes it. Every field optional: CloudTrail omits freely.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserIdentityWire {
    #[serde(rename = "type")]
    kind: Option<String>,
    arn: Option<String>,
    #[serde(rename = "accountId")]
    account_id: Option<String>,
    #[serde(rename = "userName")]
    user_name: Option<String>,
    #[serde(rename = "invokedBy")]
    invoked_by: Option<String>,
    #[serde(rename = "sessionContext")]
    session_context: Option<SessionContextWire>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SessionContextWire {
    #[serde(rename = "sessionIssuer")]
    session_issuer: Option<SessionIssuerWire>,
    attributes: Option<SessionAttributesWire>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SessionIssuerWire {
    #[serde(rename = "type")]
    kind: Option<String>,
    arn: Option<String>,
    #[serde(rename = "userName")]
    user_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SessionAttributesWire {
    #[serde(rename = "mfaAuthenticated")]
    mfa_authenticated: Option<String>,
}
