//! The guardrail's configuration, read from environment variables by a pure function.
//!
//! Taking a lookup closure instead of reading `std::env` keeps this module I/O-free and lets
//! tests pass any environment. Defaults are the safe ones: dry-run on, rules in alert mode.

use crate::glob;
use crate::mode::Mode;
use crate::policy::condition::{parse_cidr, Cidr};
use crate::region::InstanceAction;
use crate::rules;
use crate::tally::{self, Window};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// Configuration every rule and action respects.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Plan and report, change nothing.
    pub dry_run: bool,
    /// Mode for rules not named in `rule_modes`.
    pub default_mode: Mode,
    pub rule_modes: BTreeMap<String, Mode>,
    /// ARN patterns (`*`, `?`) of principals whose actions are never judged (break-glass roles).
    pub exempt_principals: Vec<String>,
    /// Resources carrying this tag key are never judged nor touched.
    pub exempt_tag: String,
    pub exempt_accounts: Vec<String>,
    /// The guardrail's own role: its calls are ignored, so a remediation never triggers itself.
    pub own_role_arn: Option<String>,
    /// The account this deployment runs in. Events from any other account are refused unless
    /// member accounts are configured (`member_role`), so event content cannot steer the
    /// guardrail into an account it was not given.
    pub home_account: Option<String>,
    /// Name of the role every member account provides for the central functions
    /// (`GuardrailRemediationRole` in templates/member.yaml). Set: events from other accounts
    /// are judged, and read and remediated through that role; unset: single-account.
    pub member_role: Option<String>,
    /// Member accounts this deployment guards; empty: every account whose events reach it (the
    /// central bus's policy, limited to the organization, decides which can send).
    pub member_accounts: Vec<String>,
    /// Name of the MFA-enforcement deny policy in member accounts (templates/member.yaml gives
    /// it a fixed name so the ARN can be derived for any account).
    pub member_mfa_policy_name: String,
    /// Snapshot an unattached unencrypted volume and create an encrypted copy.
    pub encrypted_copy: bool,
    /// How long an incident is remembered for deduplication.
    pub dedupe_seconds: u64,
    /// ARN of the guardrail's MFA-enforcement deny policy (created by the template). The only
    /// policy the guardrail may attach; without it, that remediation is not planned.
    pub mfa_policy_arn: Option<String>,
    /// ARN of the guardrail's deny-all quarantine policy (created by the template), attached
    /// to unused users and roles in remediate mode (`iam-user-unused`, `iam-role-unused`); the
    /// only policy the sweep may attach. Unset: that remediation is not planned.
    pub quarantine_policy_arn: Option<String>,
    /// The permissions boundary every user and role must have (`iam-permissions-boundary-
    /// missing`); unset: that rule is inactive. The only boundary the function may put.
    pub required_boundary_arn: Option<String>,
    /// Whether a bad new default policy version may be reverted. Off by default because the
    /// permission it needs (iam:SetDefaultPolicyVersion) is itself an escalation path; the
    /// template grants it only with AllowPolicyVersionRevert=true and sets this to match, so
    /// the guardrail never plans a step its role cannot perform.
    pub revert_policy_versions: bool,
    /// Regions where API calls are allowed (`region-not-allowed`). Empty: that rule is inactive,
    /// since without a list every region would count as not allowed.
    pub allowed_regions: Vec<String>,
    /// Action patterns exempt from `region-not-allowed`, added to the built-in global-service
    /// list (AWS Control Tower's region-deny NotAction list).
    pub region_exempt_actions: Vec<String>,
    /// Judge read-only calls (Describe*, List*, Get*) in other regions too. Off by default:
    /// consoles and tools probe every region, and a read creates nothing.
    pub region_include_read_only: bool,
    /// What remediation does to instances launched in a region that is not allowed.
    pub region_instance_action: InstanceAction,
    /// Delete volumes created in a region that is not allowed (irreversible, so off by default).
    pub region_delete_volumes: bool,
    /// `iam-password-policy-weak` floor: minimum password length (IAM accepts 6 to 128).
    pub password_min_length: u32,
    /// `iam-password-policy-weak` floor: passwords expire after at most this many days.
    pub password_max_age_days: u32,
    /// `iam-password-policy-weak` floor: this many previous passwords cannot be reused (IAM
    /// remembers at most 24).
    pub password_reuse_prevention: u32,
    /// `iam-credentials-unused`: a password or key unused for more days than this is unused.
    pub unused_days: u32,
    /// `iam-access-key-old`: an active key older than this many days is due for rotation.
    pub key_max_age_days: u32,
    /// `iam-permissions-unused`: the principals whose last-accessed data one sweep reads at
    /// most (each costs IAM a report job and a few reads; the rest rotate into later sweeps).
    /// 0 reads none: the rule is then not judged.
    pub usage_principals: u32,
    /// `api-calls-unauthorized`: denied calls of one principal in one window that make a
    /// finding (GUARDRAIL_DENIED_CALLS_THRESHOLD, GUARDRAIL_DENIED_CALLS_WINDOW_SECONDS).
    pub denied_calls: Window,
    /// `console-sign-in-failures`: failed console sign-ins of one user, or from one address,
    /// in one window (GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD, `_WINDOW_SECONDS`).
    pub sign_in_failures: Window,
    /// Regions the account sweep covers; empty: every region enabled for the account.
    pub sweep_regions: Vec<String>,
    /// Publish one alert per sweep finding besides the summary. Off by default: a large
    /// account's first sweep would flood the topic; findings still go through the ledger and
    /// remediation either way.
    pub sweep_alert_each: bool,
    /// The guardrail's own CloudFormation stack (`AWS::StackName`): its resources are named
    /// `{stack}-...`, which is how `guardrail-stack-changed` knows them. `None`: not judged.
    pub stack_name: Option<String>,
    /// ARN patterns of the principals that deploy the stack (a CI role, CloudFormation's
    /// service role): their changes to it are deployments, not tampering.
    pub deployer_principals: Vec<String>,
    /// Accounts besides this one and the member accounts that snapshots and images may be
    /// shared with (`ebs-snapshot-shared`).
    pub share_accounts: Vec<String>,
    /// The ports `vpc-security-group-admin-port-open` protects from the whole internet
    /// (GUARDRAIL_ADMIN_PORTS, comma-separated; it replaces the default SSH 22 and RDP 3389).
    pub admin_ports: Vec<u16>,
    /// The networks people call AWS from (`network-source-ip-not-allowed`;
    /// GUARDRAIL_ALLOWED_CIDRS, comma-separated IPv4 and IPv6 blocks, a bare address being a
    /// /32 or /128, as in IAM's `aws:SourceIp`). Empty: that rule is inactive.
    pub allowed_cidrs: Vec<Cidr>,
    /// The S3 Block Public Access settings every bucket and the account must keep on, and
    /// that `s3-public-access-block-off` turns back on (GUARDRAIL_PUBLIC_ACCESS_BLOCK, the
    /// names of [`rules::s3_public_access_block_off::SETTINGS`], comma-separated; default all
    /// four). A setting left out is neither alerted nor restored.
    pub public_access_block: [bool; 4],
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dry_run: true,
            default_mode: Mode::Alert,
            rule_modes: BTreeMap::new(),
            exempt_principals: Vec::new(),
            exempt_tag: "guardrail:exempt".to_string(),
            exempt_accounts: Vec::new(),
            own_role_arn: None,
            home_account: None,
            member_role: None,
            member_accounts: Vec::new(),
            member_mfa_policy_name: "GuardrailMfaEnforcement".to_string(),
            encrypted_copy: false,
            dedupe_seconds: 86_400,
            mfa_policy_arn: None,
            quarantine_policy_arn: None,
            required_boundary_arn: None,
            revert_policy_versions: false,
            allowed_regions: Vec::new(),
            region_exempt_actions: Vec::new(),
            region_include_read_only: false,
            region_instance_action: InstanceAction::Stop,
            region_delete_volumes: false,
            password_min_length: 14,
            password_max_age_days: 90,
            password_reuse_prevention: 24,
            unused_days: 90,
            usage_principals: 20,
            denied_calls: Window {
                seconds: 300,
                threshold: 10,
            },
            sign_in_failures: Window {
                seconds: 900,
                threshold: 5,
            },
            key_max_age_days: 90,
            sweep_regions: Vec::new(),
            sweep_alert_each: false,
            stack_name: None,
            deployer_principals: Vec::new(),
            share_accounts: Vec::new(),
            admin_ports: rules::vpc_security_group_admin_port_open::DEFAULT_ADMIN_PORTS.to_vec(),
            allowed_cidrs: Vec::new(),
            public_access_block: [true; 4],
        }
    }
}

/// A configuration value that cannot be used. Functions refuse to start on these: a guardrail
/// silently running with a misread mode is worse than one that does not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("GUARDRAIL_RULE_MODES names unknown rule {0:?}")]
    UnknownRule(String),
}

impl Settings {
    /// Build settings from an environment lookup (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        if let Some(v) = get("GUARDRAIL_DRY_RUN") {
            s.dry_run = parse_bool("GUARDRAIL_DRY_RUN", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_DEFAULT_MODE") {
            s.default_mode = v.parse().map_err(|reason| SettingsError::Invalid {
                var: "GUARDRAIL_DEFAULT_MODE",
                reason,
            })?;
        }
        if let Some(v) = get("GUARDRAIL_RULE_MODES") {
            for item in split_list(&v) {
                let (rule, mode) = item.split_once('=').ok_or(SettingsError::Invalid {
                    var: "GUARDRAIL_RULE_MODES",
                    reason: format!("{item:?} is not rule=mode"),
                })?;
                let rule = rule.trim();
                if rules::meta(rule).is_none() {
                    return Err(SettingsError::UnknownRule(rule.to_string()));
                }
                let mode = mode.parse().map_err(|reason| SettingsError::Invalid {
                    var: "GUARDRAIL_RULE_MODES",
                    reason,
                })?;
                s.rule_modes.insert(rule.to_string(), mode);
            }
        }
        if let Some(v) = get("GUARDRAIL_EXEMPT_PRINCIPALS") {
            s.exempt_principals = split_list(&v);
        }
        if let Some(v) = get("GUARDRAIL_EXEMPT_TAG").filter(|v| !v.trim().is_empty()) {
            s.exempt_tag = v.trim().to_string();
        }
        if let Some(v) = get("GUARDRAIL_EXEMPT_ACCOUNTS") {
            s.exempt_accounts = split_list(&v);
        }
        s.own_role_arn = get("GUARDRAIL_OWN_ROLE_ARN").filter(|v| !v.trim().is_empty());
        s.home_account = get("GUARDRAIL_ACCOUNT_ID").filter(|v| !v.trim().is_empty());
        if let Some(v) = get("GUARDRAIL_MEMBER_ROLE_NAME").filter(|v| !v.trim().is_empty()) {
            s.member_role = Some(iam_name("GUARDRAIL_MEMBER_ROLE_NAME", &v)?);
        }
        if let Some(v) = get("GUARDRAIL_MEMBER_ACCOUNTS") {
            s.member_accounts = split_list(&v);
            if let Some(bad) = s.member_accounts.iter().find(|a| !is_account_id(a)) {
                return Err(SettingsError::Invalid {
                    var: "GUARDRAIL_MEMBER_ACCOUNTS",
                    reason: format!("{bad:?} is not a 12-digit account id"),
                });
            }
        }
        if let Some(v) = get("GUARDRAIL_MEMBER_MFA_POLICY_NAME").filter(|v| !v.trim().is_empty()) {
            s.member_mfa_policy_name = iam_name("GUARDRAIL_MEMBER_MFA_POLICY_NAME", &v)?;
        }
        s.mfa_policy_arn = get("GUARDRAIL_MFA_POLICY_ARN").filter(|v| !v.trim().is_empty());
        if let Some(v) = get("GUARDRAIL_QUARANTINE_POLICY_ARN").filter(|v| !v.trim().is_empty()) {
            s.quarantine_policy_arn = Some(policy_arn("GUARDRAIL_QUARANTINE_POLICY_ARN", &v)?);
        }
        if let Some(v) = get("GUARDRAIL_REQUIRED_BOUNDARY_ARN").filter(|v| !v.trim().is_empty()) {
            s.required_boundary_arn = Some(policy_arn("GUARDRAIL_REQUIRED_BOUNDARY_ARN", &v)?);
        }
        if let Some(v) = get("GUARDRAIL_REVERT_POLICY_VERSIONS") {
            s.revert_policy_versions = parse_bool("GUARDRAIL_REVERT_POLICY_VERSIONS", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_ENCRYPTED_COPY") {
            s.encrypted_copy = parse_bool("GUARDRAIL_ENCRYPTED_COPY", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_DEDUPE_SECONDS") {
            s.dedupe_seconds = v.trim().parse().map_err(|_| SettingsError::Invalid {
                var: "GUARDRAIL_DEDUPE_SECONDS",
                reason: format!("{v:?} is not a whole number of seconds"),
            })?;
        }
        if let Some(v) = get("GUARDRAIL_ALLOWED_REGIONS") {
            s.allowed_regions = split_list(&v);
        }
        if let Some(v) = get("GUARDRAIL_REGION_EXEMPT_ACTIONS") {
            s.region_exempt_actions = split_list(&v);
        }
        if let Some(v) = get("GUARDRAIL_REGION_INCLUDE_READ_ONLY") {
            s.region_include_read_only = parse_bool("GUARDRAIL_REGION_INCLUDE_READ_ONLY", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_REGION_INSTANCE_ACTION").filter(|v| !v.trim().is_empty()) {
            s.region_instance_action = v.parse().map_err(|reason| SettingsError::Invalid {
                var: "GUARDRAIL_REGION_INSTANCE_ACTION",
                reason,
            })?;
        }
        if let Some(v) = get("GUARDRAIL_REGION_DELETE_VOLUMES") {
            s.region_delete_volumes = parse_bool("GUARDRAIL_REGION_DELETE_VOLUMES", &v)?;
        }
        let number = |var: &'static str, default: u32, range: RangeInclusive<u32>| {
            get(var)
                .filter(|v| !v.trim().is_empty())
                .map_or(Ok(default), |v| parse_number(var, &v, range))
        };
        s.password_min_length = number("GUARDRAIL_PASSWORD_MIN_LENGTH", 14, 6..=128)?;
        s.password_max_age_days = number("GUARDRAIL_PASSWORD_MAX_AGE_DAYS", 90, 1..=1095)?;
        s.password_reuse_prevention = number("GUARDRAIL_PASSWORD_REUSE_PREVENTION", 24, 1..=24)?;
        s.unused_days = number("GUARDRAIL_UNUSED_DAYS", 90, 1..=36_500)?;
        s.usage_principals = number("GUARDRAIL_USAGE_PRINCIPALS", 20, 0..=1_000)?;
        s.denied_calls = Window {
            threshold: number("GUARDRAIL_DENIED_CALLS_THRESHOLD", 10, 1..=tally::CAP)?,
            seconds: number("GUARDRAIL_DENIED_CALLS_WINDOW_SECONDS", 300, 60..=86_400)?,
        };
        s.sign_in_failures = Window {
            threshold: number("GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD", 5, 1..=tally::CAP)?,
            seconds: number(
                "GUARDRAIL_SIGN_IN_FAILURES_WINDOW_SECONDS",
                900,
                60..=86_400,
            )?,
        };
        s.key_max_age_days = number("GUARDRAIL_KEY_MAX_AGE_DAYS", 90, 1..=36_500)?;
        if let Some(v) = get("GUARDRAIL_SWEEP_REGIONS") {
            s.sweep_regions = split_list(&v);
        }
        s.stack_name = get("GUARDRAIL_STACK_NAME")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(v) = get("GUARDRAIL_DEPLOYER_PRINCIPALS") {
            s.deployer_principals = split_list(&v);
        }
        if let Some(v) = get("GUARDRAIL_SHARE_ACCOUNTS") {
            s.share_accounts = split_list(&v);
        }
        if let Some(v) = get("GUARDRAIL_ADMIN_PORTS").filter(|v| !v.trim().is_empty()) {
            s.admin_ports = ports("GUARDRAIL_ADMIN_PORTS", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_ALLOWED_CIDRS") {
            s.allowed_cidrs = cidrs("GUARDRAIL_ALLOWED_CIDRS", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_PUBLIC_ACCESS_BLOCK").filter(|v| !v.trim().is_empty()) {
            s.public_access_block = block_settings("GUARDRAIL_PUBLIC_ACCESS_BLOCK", &v)?;
        }
        if let Some(v) = get("GUARDRAIL_SWEEP_ALERT_EACH") {
            s.sweep_alert_each = parse_bool("GUARDRAIL_SWEEP_ALERT_EACH", &v)?;
        }
        Ok(s)
    }

    /// The effective mode of a rule.
    pub fn mode(&self, rule: &str) -> Mode {
        self.rule_modes
            .get(rule)
            .copied()
            .unwrap_or(self.default_mode)
    }

    /// The first exemption pattern matching any of the given ARNs.
    pub fn exempt_principal(&self, arns: &[&str]) -> Option<&str> {
        self.exempt_principals
            .iter()
            .find(|p| arns.iter().any(|arn| glob::matches(p, arn)))
            .map(String::as_str)
    }

    /// The deployer pattern one of `arns` matches, if any.
    pub fn deployer(&self, arns: &[&str]) -> Option<&str> {
        self.deployer_principals
            .iter()
            .find(|p| arns.iter().any(|arn| glob::matches(p, arn)))
            .map(String::as_str)
    }

    /// Whether a user or role is exempt: it carries the exempt tag, or its ARN matches an
    /// exemption pattern. One answer for the sweep, the live path and the boundary rule.
    pub fn exempts_principal(&self, tags: &BTreeMap<String, String>, arn: &str) -> bool {
        tags.contains_key(&self.exempt_tag) || self.exempt_principal(&[arn]).is_some()
    }

    /// Whether the ARN is the guardrail's own role (or a session of it): the function's role,
    /// or, with member accounts, the member role it assumes there (its changes in a member
    /// account come back as events too).
    pub fn is_own_role(&self, arn: &str) -> bool {
        self.own_role_arn
            .as_deref()
            .is_some_and(|own| glob::matches(own, arn))
            || self.member_role.as_deref().is_some_and(|role| {
                glob::matches(&format!("arn:*:sts::*:assumed-role/{role}/*"), arn)
                    || glob::matches(&format!("arn:*:iam::*:role/{role}"), arn)
            })
    }

    /// Whether events of `account` are this deployment's to judge: its own account, or (with
    /// member accounts configured) a member account. Without a home account (local runs),
    /// every account is.
    pub fn guards_account(&self, account: &str) -> bool {
        match &self.home_account {
            None => true,
            Some(home) if home == account => true,
            Some(_) => {
                self.member_role.is_some()
                    && (self.member_accounts.is_empty()
                        || self.member_accounts.iter().any(|a| a == account))
            }
        }
    }

    /// Whether `account` is a member account (reached through the member role), not the home
    /// account.
    pub fn is_member_account(&self, account: &str) -> bool {
        self.home_account
            .as_deref()
            .is_some_and(|home| home != account)
            && self.guards_account(account)
    }

    /// The MFA-enforcement policy to attach in `account`: the deployment's own in its account,
    /// the member template's (fixed name, same partition) in a member account.
    pub fn mfa_policy_arn_in(&self, account: &str) -> Option<String> {
        let home = self.mfa_policy_arn.as_ref()?;
        if !self.is_member_account(account) {
            return Some(home.clone());
        }
        let partition = home.split(':').nth(1).filter(|p| !p.is_empty())?;
        Some(format!(
            "arn:{partition}:iam::{account}:policy/{}",
            self.member_mfa_policy_name
        ))
    }
}

/// A managed policy ARN (`arn:aws:iam::123456789012:policy/Name`, or an AWS managed one):
/// the only values IAM accepts as a permissions boundary.
fn policy_arn(var: &'static str, v: &str) -> Result<String, SettingsError> {
    let v = v.trim();
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let valid = matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if !partition.is_empty()
                && (is_account_id(account) || *account == "aws")
                && resource.strip_prefix("policy/").is_some_and(|n| !n.is_empty())
    );
    if valid {
        Ok(v.to_string())
    } else {
        Err(SettingsError::Invalid {
            var,
            reason: format!("{v:?} is not an IAM managed policy ARN"),
        })
    }
}

fn is_account_id(v: &str) -> bool {
    v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM role or policy name as IAM accepts it (1 to 64 of `[A-Za-z0-9+=,.@_-]`): it becomes
/// part of an ARN, so anything else would only fail later, at AssumeRole or attach time.
fn iam_name(var: &'static str, v: &str) -> Result<String, SettingsError> {
    let v = v.trim();
    let ok = (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(v.to_string())
    } else {
        Err(SettingsError::Invalid {
            var,
            reason: format!("{v:?} is not an IAM name (1-64 of A-Z a-z 0-9 +=,.@_-)"),
        })
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A comma-separated list of TCP/UDP ports (0 to 65535), sorted, without repeats.
fn ports(var: &'static str, v: &str) -> Result<Vec<u16>, SettingsError> {
    let mut out = Vec::new();
    for p in split_list(v) {
        out.push(p.parse::<u16>().map_err(|_| SettingsError::Invalid {
            var,
            reason: format!("{p:?} is not a port (0 to 65535)"),
        })?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// S3 Block Public Access setting names (any case), each one of the four.
fn block_settings(var: &'static str, v: &str) -> Result<[bool; 4], SettingsError> {
    use rules::s3_public_access_block_off::SETTINGS;
    let mut on = [false; 4];
    for name in split_list(v) {
        let i = SETTINGS
            .iter()
            .position(|s| s.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| SettingsError::Invalid {
                var,
                reason: format!("{name:?} is not one of {}", SETTINGS.join(", ")),
            })?;
        on[i] = true;
    }
    Ok(on)
}

/// A comma-separated list of CIDR blocks (IPv4 or IPv6; a bare address is one address), read
/// as IAM reads `aws:SourceIp` blocks. One that does not parse is an error: a guardrail that
/// silently dropped a network would alert on every call from it.
fn cidrs(var: &'static str, v: &str) -> Result<Vec<Cidr>, SettingsError> {
    split_list(v)
        .into_iter()
        .map(|c| {
            parse_cidr(&c).ok_or_else(|| SettingsError::Invalid {
                var,
                reason: format!(
                    "{c:?} is not an IPv4 or IPv6 CIDR block (e.g. 192.0.2.0/24, 2001:db8::/32)"
                ),
            })
        })
        .collect()
}

/// A whole number within the range AWS accepts for it (IAM's password policy limits).
fn parse_number(
    var: &'static str,
    v: &str,
    range: RangeInclusive<u32>,
) -> Result<u32, SettingsError> {
    match v.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(SettingsError::Invalid {
            var,
            reason: format!(
                "{v:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

fn parse_bool(var: &'static str, v: &str) -> Result<bool, SettingsError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(SettingsError::Invalid {
            var,
            reason: format!("{other:?} is not a boolean"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn member_accounts_are_guarded_only_with_a_member_role() {
        let single =
            Settings::from_lookup(env(&[("GUARDRAIL_ACCOUNT_ID", "111111111111")])).unwrap();
        assert!(single.guards_account("111111111111"));
        assert!(!single.guards_account("222222222222"));

        let org = Settings::from_lookup(env(&[
            ("GUARDRAIL_ACCOUNT_ID", "111111111111"),
            ("GUARDRAIL_MEMBER_ROLE_NAME", "GuardrailRemediationRole"),
            (
                "GUARDRAIL_MFA_POLICY_ARN",
                "arn:aws:iam::111111111111:policy/stack-Mfa-ABC",
            ),
        ]))
        .unwrap();
        assert!(org.guards_account("222222222222"));
        assert!(org.is_member_account("222222222222"));
        assert!(!org.is_member_account("111111111111"));
        assert_eq!(
            org.mfa_policy_arn_in("222222222222").as_deref(),
            Some("arn:aws:iam::222222222222:policy/GuardrailMfaEnforcement")
        );
        assert_eq!(
            org.mfa_policy_arn_in("111111111111").as_deref(),
            Some("arn:aws:iam::111111111111:policy/stack-Mfa-ABC")
        );
        // Its own sessions in member accounts are its own role: loop protection.
        assert!(org.is_own_role(
            "arn:aws:sts::222222222222:assumed-role/GuardrailRemediationRole/guardrail"
        ));
        assert!(!org.is_own_role("arn:aws:sts::222222222222:assumed-role/Admin/alice"));

        let listed = Settings::from_lookup(env(&[
            ("GUARDRAIL_ACCOUNT_ID", "111111111111"),
            ("GUARDRAIL_MEMBER_ROLE_NAME", "GuardrailRemediationRole"),
            ("GUARDRAIL_MEMBER_ACCOUNTS", "222222222222, 333333333333"),
        ]))
        .unwrap();
        assert!(listed.guards_account("333333333333"));
        assert!(!listed.guards_account("444444444444"));
    }

    #[test]
    fn member_settings_are_validated() {
        for (var, value) in [
            ("GUARDRAIL_MEMBER_ROLE_NAME", "role/with/slash"),
            ("GUARDRAIL_MEMBER_ACCOUNTS", "12345"),
            ("GUARDRAIL_MEMBER_MFA_POLICY_NAME", "a b"),
        ] {
            assert!(
                Settings::from_lookup(env(&[(var, value)])).is_err(),
                "{var}={value} must be refused"
            );
        }
    }

    #[test]
    fn defaults_are_safe() {
        let s = Settings::from_lookup(env(&[])).unwrap();
        assert!(s.dry_run);
        assert_eq!(s.mode("ebs-unencrypted-volume"), Mode::Alert);
    }

    #[test]
    fn parses_modes_and_lists() {
        let s = Settings::from_lookup(env(&[
            ("GUARDRAIL_DRY_RUN", "false"),
            (
                "GUARDRAIL_RULE_MODES",
                "ebs-unencrypted-volume=remediate, ebs-encryption-by-default-off=off",
            ),
            (
                "GUARDRAIL_EXEMPT_PRINCIPALS",
                "arn:aws:iam::*:role/break-glass-*,",
            ),
        ]))
        .unwrap();
        assert!(!s.dry_run);
        assert_eq!(s.mode("ebs-unencrypted-volume"), Mode::Remediate);
        assert_eq!(s.mode("ebs-encryption-by-default-off"), Mode::Off);
        assert_eq!(
            s.exempt_principal(&["arn:aws:iam::1:role/break-glass-admin"]),
            Some("arn:aws:iam::*:role/break-glass-*")
        );
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Settings::from_lookup(env(&[("GUARDRAIL_DRY_RUN", "maybe")])).is_err());
        assert!(Settings::from_lookup(env(&[("GUARDRAIL_RULE_MODES", "nope=alert")])).is_err());
        assert!(Settings::from_lookup(env(&[(
            "GUARDRAIL_RULE_MODES",
            "ebs-unencrypted-volume=loud"
        )]))
        .is_err());
    }

    #[test]
    fn region_settings_default_to_inactive_and_stop() {
        let s = Settings::from_lookup(env(&[])).unwrap();
        assert!(s.allowed_regions.is_empty());
        assert!(s.region_exempt_actions.is_empty());
        assert!(!s.region_include_read_only);
        assert_eq!(s.region_instance_action, InstanceAction::Stop);
        assert!(!s.region_delete_volumes);
    }

    #[test]
    fn parses_region_settings() {
        let s = Settings::from_lookup(env(&[
            ("GUARDRAIL_ALLOWED_REGIONS", " ap-northeast-2 ,eu-west-1,"),
            ("GUARDRAIL_REGION_EXEMPT_ACTIONS", "ec2:Describe*, logs:*"),
            ("GUARDRAIL_REGION_INCLUDE_READ_ONLY", "yes"),
            ("GUARDRAIL_REGION_INSTANCE_ACTION", "Terminate"),
            ("GUARDRAIL_REGION_DELETE_VOLUMES", "true"),
        ]))
        .unwrap();
        assert_eq!(s.allowed_regions, ["ap-northeast-2", "eu-west-1"]);
        assert_eq!(s.region_exempt_actions, ["ec2:Describe*", "logs:*"]);
        assert!(s.region_include_read_only);
        assert_eq!(s.region_instance_action, InstanceAction::Terminate);
        assert!(s.region_delete_volumes);
        assert_eq!(
            Settings::from_lookup(env(&[("GUARDRAIL_REGION_INSTANCE_ACTION", "none")]))
                .unwrap()
                .region_instance_action,
            InstanceAction::None
        );
    }

    #[test]
    fn rejects_bad_region_settings() {
        for (var, value) in [
            ("GUARDRAIL_REGION_INSTANCE_ACTION", "hibernate"),
            ("GUARDRAIL_REGION_INCLUDE_READ_ONLY", "sometimes"),
            ("GUARDRAIL_REGION_DELETE_VOLUMES", "2"),
        ] {
            let err = Settings::from_lookup(env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }

    #[test]
    fn sweep_settings_default_to_cis_floors() {
        let s = Settings::from_lookup(env(&[])).unwrap();
        assert_eq!(
            (
                s.password_min_length,
                s.password_max_age_days,
                s.password_reuse_prevention
            ),
            (14, 90, 24)
        );
        assert_eq!((s.unused_days, s.key_max_age_days), (90, 90));
        assert!(s.sweep_regions.is_empty());
        assert!(!s.sweep_alert_each);
    }

    #[test]
    fn parses_sweep_settings() {
        let s = Settings::from_lookup(env(&[
            ("GUARDRAIL_PASSWORD_MIN_LENGTH", "16"),
            ("GUARDRAIL_PASSWORD_MAX_AGE_DAYS", " 60 "),
            ("GUARDRAIL_PASSWORD_REUSE_PREVENTION", "12"),
            ("GUARDRAIL_UNUSED_DAYS", "45"),
            ("GUARDRAIL_KEY_MAX_AGE_DAYS", "180"),
            ("GUARDRAIL_SWEEP_REGIONS", "us-east-1, eu-west-1"),
            ("GUARDRAIL_SWEEP_ALERT_EACH", "true"),
        ]))
        .unwrap();
        assert_eq!(
            (
                s.password_min_length,
                s.password_max_age_days,
                s.password_reuse_prevention
            ),
            (16, 60, 12)
        );
        assert_eq!((s.unused_days, s.key_max_age_days), (45, 180));
        assert_eq!(s.sweep_regions, ["us-east-1", "eu-west-1"]);
        assert!(s.sweep_alert_each);
    }

    #[test]
    fn rejects_bad_sweep_settings() {
        for (var, value) in [
            ("GUARDRAIL_PASSWORD_MIN_LENGTH", "4"),
            ("GUARDRAIL_PASSWORD_MIN_LENGTH", "fourteen"),
            ("GUARDRAIL_PASSWORD_REUSE_PREVENTION", "25"),
            ("GUARDRAIL_PASSWORD_MAX_AGE_DAYS", "0"),
            ("GUARDRAIL_UNUSED_DAYS", "-1"),
            ("GUARDRAIL_KEY_MAX_AGE_DAYS", "1.5"),
            ("GUARDRAIL_SWEEP_ALERT_EACH", "often"),
        ] {
            let err = Settings::from_lookup(env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }
}
