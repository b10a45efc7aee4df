//! The account password policy (GetAccountPasswordPolicy) and the floor it is held to.

use crate::settings::Settings;
use serde::Serialize;

/// The account's password policy as IAM reports it. The sweep takes an
/// `Option<PasswordPolicy>`: `None` means no policy was ever set (IAM answers NoSuchEntity),
/// in which case AWS applies its default (8 characters, nothing else), which is weak.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PasswordPolicy {
    pub minimum_length: Option<u32>,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    /// Days before a password expires; `None`: never.
    pub max_age_days: Option<u32>,
    /// How many previous passwords cannot be reused; `None`: any.
    pub reuse_prevention: Option<u32>,
    pub allow_users_to_change_password: bool,
    pub hard_expiry: bool,
}

/// The minimum the policy must meet (GUARDRAIL_PASSWORD_*; CIS 1.8/1.9 defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PasswordFloor {
    pub min_length: u32,
    pub max_age_days: u32,
    pub reuse_prevention: u32,
}

impl PasswordFloor {
    pub fn from_settings(settings: &Settings) -> PasswordFloor {
        PasswordFloor {
            min_length: settings.password_min_length,
            max_age_days: settings.password_max_age_days,
            reuse_prevention: settings.password_reuse_prevention,
        }
    }
}
