//! `network-source-ip-not-allowed`: a person called AWS from an address outside every allowed
//! network. The detective twin of the preventive deny on `aws:SourceIp` (seed 004's
//! DenyIPAddress policy): it sees what that policy would have refused, and what gets through
//! where the policy is missing or has a gap.

use super::registry::{CallJudge, Judged, Need, Round};
use super::runs::{Function, Runs, Subscription};
use super::RuleMeta;
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::policy::condition::Cidr;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::{ApiCall, CallKind, PrincipalKind};
use std::fmt;
use std::net::IpAddr;

pub const META: RuleMeta = RuleMeta {
    id: "network-source-ip-not-allowed",
    title: "API call from outside the allowed networks",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "A successful API call by a person (an IAM user, root, an IAM Identity Center \
             session, any console session) whose sourceIPAddress is outside every block of \
             GUARDRAIL_ALLOWED_CIDRS (IPv4 and IPv6, read as IAM reads aws:SourceIp). Calls \
             AWS services make (a service name or `AWS Internal` as the address, invokedBy set) \
             and calls through a VPC endpoint (vpcEndpointId) are not judged, nor are other \
             roles' sessions. Write calls always; successful read calls too with the \
             stack's opt-in NetworkReadCalls=true (EventBridge then invokes the function for \
             every read a person makes from an address: see docs/deploy.md for the cost). \
             Inactive without GUARDRAIL_ALLOWED_CIDRS.",
    rationale: "Seed 004 limits AWS to the company's NAT and VPN ranges with a deny on \
                aws:SourceIp outside them (unless aws:ViaAWSService). That policy must be \
                attached to every user and role to work, and stolen keys are used from \
                somewhere else: this rule reports, within seconds, the calls the policy exists \
                to stop, whether or not it was attached. One alert per person and address \
                (GUARDRAIL_DEDUPE_SECONDS).",
    remediation: "Alert only: a new office, a traveller or stolen credentials is a human's \
                  call. The alert says how to cut the credentials off (deactivate the user's \
                  keys, revoke the role's sessions) and how to add the address if it is \
                  legitimate (GUARDRAIL_ALLOWED_CIDRS, the stack's AllowedCidrs).",
    anchors: &[],
    runs: &[Runs {
        function: Function::RegionGuard,
        triggers: &[
            Subscription::PeopleWriteCallsFromIpAddresses,
            Subscription::PeopleReadCallsFromIpAddresses,
        ],
        reads: &[],
        steps: &[],
    }],
    per_event: false,
};

/// Judged from the call alone, and only for calls a person made: the region rule's other
/// calls (roles, services) are not this rule's and get no word from it.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| Person::of(call).map(|_| Need::Nothing),
    judge: |call, _, ctx, settings| match judge(call, settings) {
        Ok(outside) => Judged::findings(finding(call, &outside, ctx, settings)),
        Err(clear) => Judged::cleared(clear.to_string()),
    },
};

/// The role name prefix IAM Identity Center gives the roles of its permission sets.
const IDENTITY_CENTER_ROLE: &str = "AWSReservedSSO_";

/// Who made the call, when a person did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    Root,
    IamUser {
        name: String,
    },
    /// A session of an IAM Identity Center permission set's role.
    IdentityCenter {
        user: String,
        permission_set: String,
    },
    /// Another role's session whose credentials came from a console sign-in (a SAML or
    /// custom federation into the console, a switch-role).
    ConsoleSession {
        session: String,
        role: String,
    },
}

impl Person {
    /// The person behind `call`, or `None` for AWS services, accounts and roles used by code.
    pub fn of(call: &ApiCall) -> Option<Person> {
        if call.kind != CallKind::ApiCall {
            return None;
        }
        let p = &call.principal;
        let last = |arn: Option<&str>| {
            arn.and_then(|a| a.rsplit('/').next())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match p.kind {
            PrincipalKind::Root => Some(Person::Root),
            PrincipalKind::IamUser => Some(Person::IamUser {
                name: p
                    .user_name
                    .clone()
                    .or_else(|| last(p.arn.as_deref()))
                    .unwrap_or_else(|| "(unnamed)".to_string()),
            }),
            PrincipalKind::AssumedRole => {
                let role = last(p.role_arn.as_deref()).or_else(|| p.user_name.clone())?;
                let session = last(p.arn.as_deref()).unwrap_or_else(|| "(unnamed)".to_string());
                match role.strip_prefix(IDENTITY_CENTER_ROLE) {
                    // AWSReservedSSO_<permission set>_<suffix>
                    Some(rest) => Some(Person::IdentityCenter {
                        user: session,
                        permission_set: rest
                            .rsplit_once('_')
                            .map_or(rest, |(set, _)| set)
                            .to_string(),
                    }),
                    None if call.console_session => Some(Person::ConsoleSession { session, role }),
                    None => None,
                }
            }
            _ => None,
        }
    }

    /// A short name: the subject line and the incident.
    fn short(&self) -> &str {
        match self {
            Person::Root => "root",
            Person::IamUser { name } => name,
            Person::IdentityCenter { user, .. } => user,
            Person::ConsoleSession { session, .. } => session,
        }
    }

    /// How to cut the credentials off, if they are stolen.
    fn cut_off(&self, call: &ApiCall) -> String {
        match self {
            Person::Root => "change the root password and delete any root access key".to_string(),
            Person::IamUser { name } => format!(
                "deactivate {name}'s access keys (aws iam list-access-keys --user-name {name}; \
                 aws iam update-access-key --user-name {name} --access-key-id KEY --status \
                 Inactive) and reset their console password"
            ),
            Person::IdentityCenter { user, .. } => format!(
                "revoke the role's active sessions (IAM console: the role, Revoke active \
                 sessions) and suspend {user} in IAM Identity Center"
            ),
            Person::ConsoleSession { role, .. } => format!(
                "revoke the active sessions of role {role} (IAM console: the role, Revoke active \
                 sessions){}",
                call.principal
                    .role_arn
                    .as_deref()
                    .map(|arn| format!(", {arn}"))
                    .unwrap_or_default()
            ),
        }
    }
}

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Person::Root => write!(f, "the root user"),
            Person::IamUser { name } => write!(f, "IAM user {name}"),
            Person::IdentityCenter {
                user,
                permission_set,
            } => write!(
                f,
                "IAM Identity Center user {user} (permission set {permission_set})"
            ),
            Person::ConsoleSession { session, role } => {
                write!(f, "console session {session} of role {role}")
            }
        }
    }
}

/// A call from outside the allowed networks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub person: Person,
    pub ip: IpAddr,
}

/// Why a call does not violate the rule: normal outcomes, said in the handler's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clear {
    /// No allowed networks are configured: without them every address would be outside.
    Inactive,
    /// Not a person's call (a role used by code, a service, an account).
    NotAPerson,
    /// An AWS service made the call on the principal's behalf (`invokedBy`).
    ViaService { service: String },
    /// The call came through a VPC endpoint: its address is one of the VPC's.
    ViaVpcEndpoint { endpoint: String },
    /// The source is no IP address: a service name, `AWS Internal`, or missing.
    NotAnAddress { source: String },
    /// The address is in an allowed network.
    Allowed { ip: IpAddr, block: String },
}

impl fmt::Display for Clear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = META.id;
        match self {
            Clear::Inactive => write!(
                f,
                "rule {id} is inactive: GUARDRAIL_ALLOWED_CIDRS is not set"
            ),
            Clear::NotAPerson => write!(f, "{id} judges people's calls only"),
            Clear::ViaService { service } => {
                write!(f, "{service} made the call on the caller's behalf")
            }
            Clear::ViaVpcEndpoint { endpoint } => {
                write!(f, "the call came through VPC endpoint {endpoint}")
            }
            Clear::NotAnAddress { source } => {
                write!(f, "the call's source {source:?} is not an IP address")
            }
            Clear::Allowed { ip, block } => write!(f, "{ip} is in the allowed network {block}"),
        }
    }
}

/// Whether the call breaks the rule (its mode is not looked at here).
pub fn judge(call: &ApiCall, settings: &Settings) -> Result<Outside, Clear> {
    if settings.allowed_cidrs.is_empty() {
        return Err(Clear::Inactive);
    }
    let person = Person::of(call).ok_or(Clear::NotAPerson)?;
    if let Some(service) = &call.principal.invoked_by {
        return Err(Clear::ViaService {
            service: service.clone(),
        });
    }
    if let Some(endpoint) = &call.vpc_endpoint_id {
        return Err(Clear::ViaVpcEndpoint {
            endpoint: endpoint.clone(),
        });
    }
    let source = call.source_ip.as_deref().unwrap_or_default().trim();
    let ip: IpAddr = source.parse().map_err(|_| Clear::NotAnAddress {
        source: source.to_string(),
    })?;
    if let Some(block) = settings.allowed_cidrs.iter().find(|c| c.contains(ip)) {
        return Err(Clear::Allowed {
            ip,
            block: block_text(block),
        });
    }
    Ok(Outside { person, ip })
}

/// The finding of a call from outside (`None`: the rule is off). Its incident is the person
/// and the address: the same person from the same address alerts once per dedupe period, a
/// new address alerts again.
pub fn finding(
    call: &ApiCall,
    outside: &Outside,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let (meta, mode) = super::enabled(&META, settings)?;
    let p = &call.principal;
    let resource = match &outside.person {
        Person::Root => ResourceRef {
            kind: "AWS::::Account",
            id: format!("root from {}", outside.ip),
            arn: format!("arn:aws:iam::{}:root", call.account),
        },
        Person::IamUser { name } => ResourceRef {
            kind: "AWS::IAM::User",
            id: format!("{name} from {}", outside.ip),
            arn: p
                .arn
                .clone()
                .unwrap_or_else(|| format!("arn:aws:iam::{}:user/{name}", call.account)),
        },
        person => ResourceRef {
            kind: "AWS::IAM::Role",
            id: format!("{} from {}", person.short(), outside.ip),
            arn: p
                .role_arn
                .clone()
                .or_else(|| p.arn.clone())
                .unwrap_or_default(),
        },
    };
    let session = match (&outside.person, p.arn.as_deref()) {
        (Person::IdentityCenter { .. } | Person::ConsoleSession { .. }, Some(arn)) => {
            format!(" Session: {arn}.")
        }
        _ => String::new(),
    };
    let mfa = match p.mfa_authenticated {
        Some(true) => ", signed in with MFA",
        Some(false) => ", without MFA",
        None => "",
    };
    let blocks: Vec<String> = settings.allowed_cidrs.iter().map(block_text).collect();
    let reason = format!(
        "{} called {} from {}{mfa}, outside every allowed network ({}).{session} If nobody \
         expects calls from this address, treat the credentials as stolen: {}. If it is a \
         new office or VPN range, add it to GUARDRAIL_ALLOWED_CIDRS (the stack's AllowedCidrs).",
        outside.person,
        call.action(),
        outside.ip,
        blocks.join(", "),
        outside.person.cut_off(call),
    );
    Some(Finding::build(
        meta,
        mode,
        resource,
        &call.region,
        &call.account,
        reason,
        Vec::new(),
        ctx,
        settings,
    ))
}

/// A block as people write it: `192.0.2.0/24`, `2001:db8::/32`.
pub fn block_text(block: &Cidr) -> String {
    format!("{}/{}", block.network(), block.prefix)
}
