//! Where a rule runs: the function, the events that invoke it there ([`Subscription`]), what
//! its judgement re-reads and which remediation steps it may plan. Declared in each rule's
//! metadata ([`super::RuleMeta::runs`]); the templates' EventBridge patterns, Config rules,
//! schedules and role policies are tested against the union of the declarations, and the
//! README's function table is generated from them.

use crate::permission::{Permission, Resource, StepKind};
use crate::trigger::{ApiCall, CallKind};
use serde::Serialize;

/// The Lambda functions of `template.yaml`, one crate each under `functions/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Function {
    EbsEncryption,
    IamGuard,
    RegionGuard,
    AccountSweep,
    TamperGuard,
    ExposureGuard,
}

impl Function {
    pub const ALL: [Function; 6] = [
        Function::EbsEncryption,
        Function::IamGuard,
        Function::RegionGuard,
        Function::AccountSweep,
        Function::TamperGuard,
        Function::ExposureGuard,
    ];

    /// The crate (and binary) name.
    pub fn name(self) -> &'static str {
        match self {
            Function::EbsEncryption => "ebs-encryption",
            Function::IamGuard => "iam-guard",
            Function::RegionGuard => "region-guard",
            Function::AccountSweep => "account-sweep",
            Function::TamperGuard => "tamper-guard",
            Function::ExposureGuard => "exposure-guard",
        }
    }

    /// Its logical id in `template.yaml` (its role is `<Prefix>Role`, its log group
    /// `<Prefix>LogGroup`).
    pub fn logical_id(self) -> &'static str {
        match self {
            Function::EbsEncryption => "EbsEncryptionFunction",
            Function::IamGuard => "IamGuardFunction",
            Function::RegionGuard => "RegionGuardFunction",
            Function::AccountSweep => "AccountSweepFunction",
            Function::TamperGuard => "TamperGuardFunction",
            Function::ExposureGuard => "ExposureGuardFunction",
        }
    }

    /// Deployed only in us-east-1 (the template's `IsUsEast1`): IAM calls and console
    /// sign-ins reach EventBridge only there, and the account is swept once. So a root call
    /// in another region reaches iam-guard only when that region forwards it
    /// (`templates/member.yaml`).
    pub fn us_east_1_only(self) -> bool {
        matches!(self, Function::IamGuard | Function::AccountSweep)
    }

    pub fn by_logical_id(id: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.logical_id() == id)
    }

    /// What every invocation of the function uses, whatever rules it runs: its logs, the alert
    /// topic, the ledger, the dead-letter queue, Security Hub and the member accounts' role;
    /// the sweep also reads Security Hub's active findings, to archive those it no longer sees.
    pub fn plumbing(self) -> Vec<Permission> {
        use Permission as P;
        const COMMON: [Permission; 9] = [
            P::on("logs:CreateLogStream", Resource::OwnLogGroup),
            P::on("logs:PutLogEvents", Resource::OwnLogGroup),
            P::on("sns:Publish", Resource::AlertTopic),
            P::on("dynamodb:PutItem", Resource::Ledger),
            P::on("dynamodb:UpdateItem", Resource::Ledger),
            P::on("dynamodb:DeleteItem", Resource::Ledger),
            P::on("sqs:SendMessage", Resource::DeadLetterQueue),
            P::on(
                "securityhub:BatchImportFindings",
                Resource::SecurityHubProduct,
            ),
            // Only roles of the organization (aws:ResourceOrgID).
            P::on("sts:AssumeRole", Resource::MemberRole).when("aws:ResourceOrgID"),
        ];
        let mut all = COMMON.to_vec();
        if self == Function::AccountSweep {
            all.push(P::on("securityhub:GetFindings", Resource::SecurityHubHub));
        }
        all
    }

    /// Every permission the function's role needs: its plumbing, and for each rule that runs
    /// in it, what the rule reads, what its triggers need and what its steps call. Sorted,
    /// without repeats.
    pub fn permissions(self) -> Vec<Permission> {
        let mut all = self.plumbing();
        for runs in super::ALL
            .iter()
            .flat_map(|m| m.runs)
            .filter(|r| r.function == self)
        {
            all.extend(runs.reads);
            all.extend(runs.triggers.iter().flat_map(|t| t.permissions()));
            all.extend(runs.steps.iter().flat_map(|s| s.permissions()));
        }
        all.sort();
        all.dedup();
        all
    }

    /// The rules that run in the function.
    pub fn rules(self) -> impl Iterator<Item = &'static super::RuleMeta> {
        super::ALL
            .iter()
            .copied()
            .filter(move |m| m.runs.iter().any(|r| r.function == self))
    }

    /// The union of what invokes the function, in declaration order without repeats.
    pub fn subscriptions(self) -> Vec<Subscription> {
        let mut out: Vec<Subscription> = Vec::new();
        for runs in super::ALL
            .iter()
            .flat_map(|m| m.runs)
            .filter(|r| r.function == self)
        {
            for t in runs.triggers {
                if !out.contains(t) {
                    out.push(*t);
                }
            }
        }
        out
    }
}

/// What invokes a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Subscription {
    /// Successful or failed CloudTrail management calls of one service, by name (EventBridge
    /// `AWS API Call via CloudTrail`; `source` is the event source, `iam.amazonaws.com`).
    ApiCalls {
        source: &'static str,
        names: &'static [&'static str],
    },
    /// Every API call by the root user, of any service, read or write.
    RootCalls,
    /// Every write API call (`readOnly: false`) in a region outside `AllowedRegions`.
    WriteCallsOutsideAllowedRegions,
    /// Every write API call by a person (an IAM user, root, an IAM Identity Center session, a
    /// console session) whose `sourceIPAddress` is an IP address and that did not come through
    /// a VPC endpoint, when `AllowedCidrs` is set. EventBridge cannot test an address against
    /// a list of blocks it is *outside* of, so the function does.
    PeopleWriteCallsFromIpAddresses,
    /// The same people's successful read-only calls (in every region), when `AllowedCidrs` is
    /// set and the stack's opt-in `NetworkReadCalls` is `true`: stolen keys are usually tried
    /// with reads first, but every read a person makes (console browsing is thousands a day)
    /// then invokes the function, since EventBridge delivers read-only calls only to a rule
    /// in state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` and cannot test the address.
    PeopleReadCallsFromIpAddresses,
    /// Every API call, read or write, of any service, refused for want of permission (CIS
    /// 4.1's filter: an `errorCode` starting `AccessDenied` or ending `UnauthorizedOperation`,
    /// not S3's `HeadBucket`, not S3 log delivery's own calls).
    DeniedCalls,
    /// Console sign-ins (`AWS Console Sign In via CloudTrail`).
    ConsoleSignIn,
    /// AWS Config change notifications (normal and oversized) for these resource types.
    ConfigChanges {
        resource_types: &'static [&'static str],
    },
    /// AWS Config periodic (scheduled) notifications.
    ConfigPeriodic,
    /// The EventBridge schedule (`SweepSchedule`).
    Schedule,
}

/// The IAM action a CloudTrail event name records. Mostly the same name; Lambda's names carry
/// the API version (`UpdateFunctionCode20150331v2`) and a few S3 bucket calls are recorded
/// under their older REST names.
pub fn iam_action(service: &str, event_name: &str) -> String {
    let name = match service {
        "lambda" => event_name.trim_end_matches(|c: char| c.is_ascii_digit() || c == 'v'),
        "s3" => match event_name {
            "PutBucketLifecycle" | "DeleteBucketLifecycle" => "PutLifecycleConfiguration",
            "PutBucketReplication" | "DeleteBucketReplication" => "PutReplicationConfiguration",
            "PutBucketCors" | "DeleteBucketCors" => "PutBucketCORS",
            // Removing a Block Public Access setting is authorized as putting one.
            "DeleteBucketPublicAccessBlock" => "PutBucketPublicAccessBlock",
            "DeleteAccountPublicAccessBlock" => "PutAccountPublicAccessBlock",
            other => other,
        },
        _ => event_name,
    };
    format!("{service}:{name}")
}

impl Subscription {
    /// Whether it delivers API calls (CloudTrail, sign-ins), the registry's judges' input.
    pub fn is_call(&self) -> bool {
        matches!(
            self,
            Subscription::ApiCalls { .. }
                | Subscription::RootCalls
                | Subscription::WriteCallsOutsideAllowedRegions
                | Subscription::PeopleWriteCallsFromIpAddresses
                | Subscription::PeopleReadCallsFromIpAddresses
                | Subscription::DeniedCalls
                | Subscription::ConsoleSignIn
        )
    }

    /// Whether `call` is one this subscription names by event source and name (the
    /// subscriptions a function can tell from the call alone; the region one also needs the
    /// allowed regions, and the others are not calls).
    pub fn names_call(&self, call: &ApiCall) -> bool {
        match self {
            Subscription::ApiCalls { source, names } => {
                call.kind == CallKind::ApiCall
                    && call.event_source == *source
                    && names.contains(&call.event_name.as_str())
            }
            _ => false,
        }
    }

    /// What being invoked this way needs: an AWS Config rule answers with PutEvaluations.
    pub fn permissions(&self) -> &'static [Permission] {
        match self {
            Subscription::ConfigChanges { .. } | Subscription::ConfigPeriodic => {
                const CONFIG: [Permission; 1] = [Permission::any("config:PutEvaluations")];
                &CONFIG
            }
            _ => &[],
        }
    }

    /// One line for people (the README's function table, `docs/rules`).
    pub fn describe(&self) -> String {
        match self {
            Subscription::ApiCalls { source, names } => {
                let service = source.split('.').next().unwrap_or(source);
                format!(
                    "CloudTrail {service} calls {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Subscription::RootCalls => "every API call by the root user".to_string(),
            Subscription::WriteCallsOutsideAllowedRegions => {
                "every write API call outside `AllowedRegions`".to_string()
            }
            Subscription::PeopleWriteCallsFromIpAddresses => {
                "every write API call by a person (IAM user, root, IAM Identity Center or \
                 console session) from an IP address, with `AllowedCidrs` set"
                    .to_string()
            }
            Subscription::PeopleReadCallsFromIpAddresses => {
                "every successful read-only API call by such a person from an IP address, with \
                 `AllowedCidrs` set and `NetworkReadCalls=true` (opt-in)"
                    .to_string()
            }
            Subscription::DeniedCalls => {
                "every API call refused for want of permission (`AccessDenied*`, \
                 `*UnauthorizedOperation`), read or write"
                    .to_string()
            }
            Subscription::ConsoleSignIn => "console sign-ins".to_string(),
            Subscription::ConfigChanges { resource_types } => format!(
                "AWS Config changes of {}",
                resource_types
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Subscription::ConfigPeriodic => "AWS Config periodic evaluation".to_string(),
            Subscription::Schedule => "the sweep schedule (`SweepSchedule`)".to_string(),
        }
    }
}

/// A rule in one function: what invokes it there, what its judgement re-reads, which steps it
/// may plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Runs {
    pub function: Function,
    pub triggers: &'static [Subscription],
    /// The reads its judgement needs in this function (the sweep reads the account once, so
    /// its rules declare the account-wide reads).
    pub reads: &'static [Permission],
    pub steps: &'static [StepKind],
}
