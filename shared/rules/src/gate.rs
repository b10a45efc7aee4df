//! The gate every API-call event passes before any rule looks at it.
//!
//! Loop protection and exemptions live here, once, so no rule can forget them.

use crate::settings::Settings;
use crate::trigger::ApiCall;
use serde::Serialize;
use std::fmt;

/// Why an event or resource was deliberately left alone. Skips are normal outcomes, not errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "skip", rename_all = "snake_case")]
pub enum Skip {
    /// The call failed (`errorCode`): nothing changed in the account.
    FailedCall {
        error_code: String,
    },
    /// The guardrail's own role made the call: judging it could loop.
    OwnRole {
        arn: String,
    },
    ExemptPrincipal {
        pattern: String,
    },
    ExemptAccount {
        account: String,
    },
    /// The event is from an account this deployment does not guard.
    ForeignAccount {
        account: String,
    },
    /// The resource carries the exemption tag.
    ExemptResource {
        tag: String,
    },
    /// The resource no longer exists: nothing to judge or fix.
    ResourceGone {
        id: String,
    },
    /// No rule of this function applies to the event.
    NotRelevant {
        event: String,
    },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::FailedCall { error_code } => write!(f, "failed call ({error_code})"),
            Skip::OwnRole { arn } => write!(f, "made by the guardrail's own role {arn}"),
            Skip::ExemptPrincipal { pattern } => write!(f, "principal exempt by {pattern}"),
            Skip::ExemptAccount { account } => write!(f, "account {account} is exempt"),
            Skip::ForeignAccount { account } => {
                write!(f, "account {account} is not guarded by this deployment")
            }
            Skip::ExemptResource { tag } => write!(f, "resource carries the exemption tag {tag}"),
            Skip::ResourceGone { id } => write!(f, "resource {id} no longer exists"),
            Skip::NotRelevant { event } => write!(f, "no rule applies to {event}"),
        }
    }
}

/// Decide whether an API call is to be judged at all.
pub fn screen(call: &ApiCall, settings: &Settings) -> Result<(), Skip> {
    if call.failed() {
        return Err(Skip::FailedCall {
            error_code: call
                .error_code
                .clone()
                .unwrap_or_else(|| "Failure".to_string()),
        });
    }
    screen_failed(call, settings)
}

/// The gate without the failure check, for the rules that judge failed calls (denied calls,
/// failed sign-ins): the account, loop protection and exemptions still apply.
pub fn screen_failed(call: &ApiCall, settings: &Settings) -> Result<(), Skip> {
    screen_account(&call.account, settings)?;
    if let Some(arn) = call.principal.arns().find(|a| settings.is_own_role(a)) {
        return Err(Skip::OwnRole {
            arn: arn.to_string(),
        });
    }
    let arns: Vec<&str> = call.principal.arns().collect();
    if let Some(pattern) = settings.exempt_principal(&arns) {
        return Err(Skip::ExemptPrincipal {
            pattern: pattern.to_string(),
        });
    }
    Ok(())
}

/// Account-level exemptions, shared by every trigger type.
pub fn screen_account(account: &str, settings: &Settings) -> Result<(), Skip> {
    if settings.exempt_accounts.iter().any(|a| a == account) {
        return Err(Skip::ExemptAccount {
            account: account.to_string(),
        });
    }
    if !settings.guards_account(account) {
        return Err(Skip::ForeignAccount {
            account: account.to_string(),
        });
    }
    Ok(())
}
