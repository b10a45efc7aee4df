//! Reading a whole account for the sweep in as few calls as IAM and EC2 allow.
//!
//! IAM is global, throttled hard, and its rates cannot be raised: one paginated
//! GetAccountAuthorizationDetails replaces a List and a Get per user, group, role and policy
//! (thousands of calls in a large account), and one credential report replaces three calls per
//! user. The only per-user call is ListAccessKeys, for users whose unused key is to be
//! deactivated; the only per-policy calls are GetPolicy and GetPolicyVersion, for a policy a
//! principal uses that the answer lacked (see [`SWEEP_FILTER`]). EC2 is regional: per region one paginated DescribeVolumes and one
//! GetEbsEncryptionByDefault, a few regions at a time.

use crate::api_counter::ApiCounter;
use crate::ec2::Ec2;
use crate::error::{classify, AwsError, ErrorKind};
use crate::monitoring::Monitoring;
use crate::ports::{AccountFactsReader, Ec2Facts, Scope};
use crate::s3::PublicAccessBlocks;
use crate::wiring::iam_retry_config;
use aws_config::SdkConfig;
use aws_sdk_iam::primitives::{DateTime, DateTimeFormat as DateFormat};
use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, EntityType, PolicyDetail, ReportStateType,
    StatusType, Tag,
};
use aws_sdk_iam::Client;
use futures::stream::{self, StreamExt, TryStreamExt};
use guardrail_rules::settings::Settings;
use guardrail_rules::sweep::{
    self, AccessKeyMeta, AccountFacts, CredentialReport, GroupDetail, InlinePolicy, ManagedPolicy,
    PasswordPolicy, RegionSweep, RoleDetail, SweepFacts, SweepReads, UserDetail,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Regions read at the same time: enough to finish a 17-region sweep in a few round trips,
/// few enough to stay clear of EC2's per-account request rate.
pub const REGION_CONCURRENCY: usize = 4;

/// GetAccountAuthorizationDetails' largest page.
const PAGE: i32 = 1000;

/// Referenced managed policies the GetAccountAuthorizationDetails answer lacked, fetched at the
/// same time (GetPolicy then GetPolicyVersion each): in practice none or a few, and IAM's
/// request rate is per account and cannot be raised.
pub const POLICY_CONCURRENCY: usize = 4;

/// What the sweep asks GetAccountAuthorizationDetails for.
///
/// `AWSManagedPolicy` is in the filter because the principals' effective access needs the
/// documents of the AWS managed policies they use (AdministratorAccess attached to a group
/// makes its members admins). Real IAM answers that filter with the AWS managed policies in
/// use in the account (attachment count above zero: typically tens, not the ~1,300 AWS
/// publishes; the AWS CLI's own example output shows only attached ones), so they come in the
/// same pages as the principals: no call per policy. IAM's reference does not promise it,
/// though, and moto 5.2 (with MOTO_IAM_LOAD_MANAGED_POLICIES) returns every AWS managed policy
/// it knows (about 1,580, in one unpaginated answer). So the answer is pruned to what a
/// principal references ([`AccountFacts::retain_referenced_aws_policies`]); should IAM ever
/// return them all, that costs two or three more pages of 1,000 items, still far fewer calls
/// than ListPolicies `Scope=AWS` plus a GetPolicyVersion per policy. A referenced policy the
/// answer lacks (one used only as a permissions boundary, whose attachment count is zero; or
/// one created between pages) is fetched with GetPolicy + GetPolicyVersion
/// ([`AccountReader::missing_policies`]).
pub const SWEEP_FILTER: [EntityType; 5] = [
    EntityType::User,
    EntityType::Group,
    EntityType::Role,
    EntityType::LocalManagedPolicy,
    EntityType::AwsManagedPolicy,
];

/// Reads the facts of a whole account, counting every call.
#[derive(Clone)]
pub struct AccountReader {
    pub(crate) iam: Client,
    ec2: Ec2,
    monitoring: Monitoring,
    public_access: PublicAccessBlocks,
    counter: ApiCounter,
    /// How long to wait for IAM to generate the credential report.
    report_wait: Duration,
}

impl AccountReader {
    pub fn new(sdk: &SdkConfig, counter: ApiCounter) -> AccountReader {
        let iam = aws_sdk_iam::config::Builder::from(sdk)
            .retry_config(iam_retry_config())
            .interceptor(counter.clone())
            .build();
        AccountReader {
            iam: Client::from_conf(iam),
            ec2: Ec2::new(sdk).counted(&counter),
            monitoring: Monitoring::new(sdk, &counter),
            public_access: PublicAccessBlocks::new(sdk).counted(&counter),
            counter,
            report_wait: Duration::from_secs(60),
        }
    }

    /// The calls counted so far.
    pub fn counter(&self) -> &ApiCounter {
        &self.counter
    }

    /// GetAccountAuthorizationDetails, every page, for the given entity types.
    pub async fn authorization_details(
        &self,
        filter: &[EntityType],
    ) -> Result<AccountFacts, AwsError> {
        let mut facts = AccountFacts::default();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .iam
                .get_account_authorization_details()
                .set_filter(Some(filter.to_vec()))
                .max_items(PAGE)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| classify("iam", "GetAccountAuthorizationDetails", e))?;
            facts
                .users
                .extend(page.user_detail_list().iter().map(|u| UserDetail {
                    name: s(u.user_name()),
                    id: s(u.user_id()),
                    arn: s(u.arn()),
                    inline: inline(u.user_policy_list()),
                    attached: attached(u.attached_managed_policies()),
                    groups: u.group_list().to_vec(),
                    tags: tags(u.tags()),
                    path: s(u.path()),
                    permissions_boundary: boundary(u.permissions_boundary()),
                    create_date: date(u.create_date()),
                }));
            facts
                .groups
                .extend(page.group_detail_list().iter().map(|g| GroupDetail {
                    name: s(g.group_name()),
                    arn: s(g.arn()),
                    inline: inline(g.group_policy_list()),
                    attached: attached(g.attached_managed_policies()),
                    path: s(g.path()),
                }));
            facts
                .roles
                .extend(page.role_detail_list().iter().map(|r| RoleDetail {
                    name: s(r.role_name()),
                    arn: s(r.arn()),
                    path: s(r.path()),
                    trust_policy: r.assume_role_policy_document().map(str::to_string),
                    inline: inline(r.role_policy_list()),
                    attached: attached(r.attached_managed_policies()),
                    tags: tags(r.tags()),
                    permissions_boundary: boundary(r.permissions_boundary()),
                    create_date: date(r.create_date()),
                    last_used: date(r.role_last_used().and_then(|u| u.last_used_date())),
                }));
            facts.policies.extend(page.policies().iter().map(|p| {
                let default = s(p.default_version_id());
                let arn = s(p.arn());
                ManagedPolicy {
                    name: policy_name(p.policy_name(), &arn),
                    arn,
                    document: p
                        .policy_version_list()
                        .iter()
                        .find(|v| v.is_default_version() || v.version_id() == Some(&default))
                        .and_then(|v| v.document().map(str::to_string)),
                    default_version_id: default,
                    attachment_count: p.attachment_count().map(i64::from).unwrap_or(0),
                }
            }));
            match page.marker() {
                Some(m) if page.is_truncated() && !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(facts),
            }
        }
    }

    /// The IAM facts a sweep judges: users, groups, roles, every customer managed policy and
    /// the AWS managed policies a principal uses, each with its default version's document
    /// (see [`SWEEP_FILTER`] for how they are read).
    pub async fn iam_facts(&self) -> Result<AccountFacts, AwsError> {
        let mut facts = self.authorization_details(&SWEEP_FILTER).await?;
        facts.retain_referenced_aws_policies();
        let missing = facts.missing_policy_arns();
        let mut fetched = self.missing_policies(missing).await?;
        fetched.sort_by(|a, b| a.arn.cmp(&b.arn));
        facts.policies.extend(fetched);
        Ok(facts)
    }

    /// Managed policies by ARN (GetPolicy, then GetPolicyVersion of the default version), a few
    /// at a time. A policy IAM does not know (deleted since it was referenced) is left out; one
    /// this role may not read is kept without its document, so the rules can say what they
    /// could not judge instead of the whole sweep failing on a missing permission.
    pub async fn missing_policies(
        &self,
        arns: Vec<String>,
    ) -> Result<Vec<ManagedPolicy>, AwsError> {
        let fetched: Vec<Option<ManagedPolicy>> = stream::iter(arns)
            .map(|arn| self.managed_policy(arn))
            .buffer_unordered(POLICY_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(fetched.into_iter().flatten().collect())
    }

    async fn managed_policy(&self, arn: String) -> Result<Option<ManagedPolicy>, AwsError> {
        let unreadable = |arn: String, err: &AwsError| {
            tracing::warn!(policy = %arn, error = %err, "managed policy not readable: kept without its document");
            ManagedPolicy {
                name: policy_name(None, &arn),
                arn,
                ..ManagedPolicy::default()
            }
        };
        let policy = match self.iam.get_policy().policy_arn(&arn).send().await {
            Ok(out) => out.policy,
            Err(e) => {
                let err = classify("iam", "GetPolicy", e);
                return match err.kind {
                    ErrorKind::NotFound => {
                        tracing::warn!(policy = %arn, "referenced managed policy not found: skipped");
                        Ok(None)
                    }
                    ErrorKind::AccessDenied => Ok(Some(unreadable(arn, &err))),
                    _ => Err(err),
                };
            }
        };
        let Some(policy) = policy else {
            return Ok(None);
        };
        let default = s(policy.default_version_id());
        let mut out = ManagedPolicy {
            name: policy_name(policy.policy_name(), &arn),
            arn,
            default_version_id: default.clone(),
            document: None,
            attachment_count: policy.attachment_count().map(i64::from).unwrap_or(0),
        };
        if default.is_empty() {
            return Ok(Some(out));
        }
        match self
            .iam
            .get_policy_version()
            .policy_arn(&out.arn)
            .version_id(&default)
            .send()
            .await
        {
            Ok(v) => {
                out.document = v
                    .policy_version()
                    .and_then(|v| v.document())
                    .map(str::to_string);
            }
            Err(e) => {
                let err = classify("iam", "GetPolicyVersion", e);
                match err.kind {
                    ErrorKind::NotFound | ErrorKind::AccessDenied => {
                        tracing::warn!(policy = %out.arn, error = %err, "default version not readable: kept without its document");
                    }
                    _ => return Err(err),
                }
            }
        }
        Ok(Some(out))
    }

    /// Generate the credential report (polling until IAM says COMPLETE, within
    /// `report_wait`) and read it. IAM regenerates at most every four hours; a fresh enough
    /// report is COMPLETE on the first call.
    pub async fn credential_report(&self) -> Result<CredentialReport, AwsError> {
        let deadline = tokio::time::Instant::now() + self.report_wait;
        let mut pause = Duration::from_millis(500);
        loop {
            let out = self
                .iam
                .generate_credential_report()
                .send()
                .await
                .map_err(|e| classify("iam", "GenerateCredentialReport", e))?;
            if out.state() == Some(&ReportStateType::Complete) {
                break;
            }
            if tokio::time::Instant::now() + pause > deadline {
                return Err(AwsError::new(
                    "iam",
                    "GenerateCredentialReport",
                    ErrorKind::Transient,
                    format!(
                        "the credential report was not ready within {} s",
                        self.report_wait.as_secs()
                    ),
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
        let out = self
            .iam
            .get_credential_report()
            .send()
            .await
            .map_err(|e| classify("iam", "GetCredentialReport", e))?;
        let bytes = out.content().map(|b| b.as_ref()).unwrap_or_default();
        CredentialReport::parse(&String::from_utf8_lossy(bytes)).map_err(|e| {
            AwsError::new(
                "iam",
                "GetCredentialReport",
                ErrorKind::Rejected,
                e.to_string(),
            )
        })
    }

    /// The account password policy; `None` when none is set (NoSuchEntity).
    pub async fn password_policy(&self) -> Result<Option<PasswordPolicy>, AwsError> {
        let out = match self.iam.get_account_password_policy().send().await {
            Ok(out) => out,
            Err(e) => {
                let err = classify("iam", "GetAccountPasswordPolicy", e);
                return match err.kind {
                    ErrorKind::NotFound => Ok(None),
                    _ => Err(err),
                };
            }
        };
        let num = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
        Ok(out.password_policy().map(|p| PasswordPolicy {
            minimum_length: num(p.minimum_password_length()),
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            require_numbers: p.require_numbers(),
            require_symbols: p.require_symbols(),
            max_age_days: num(p.max_password_age()).filter(|d| *d > 0),
            reuse_prevention: num(p.password_reuse_prevention()).filter(|n| *n > 0),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            hard_expiry: p.hard_expiry().unwrap_or(false),
        }))
    }

    /// A user's access keys (ListAccessKeys), to deactivate one by id.
    pub async fn access_keys(&self, user_name: &str) -> Result<Vec<AccessKeyMeta>, AwsError> {
        let out = self
            .iam
            .list_access_keys()
            .user_name(user_name)
            .send()
            .await
            .map_err(|e| classify("iam", "ListAccessKeys", e))?;
        Ok(out
            .access_key_metadata()
            .iter()
            .map(|k| AccessKeyMeta {
                id: s(k.access_key_id()),
                active: k.status() == Some(&StatusType::Active),
                created: k.create_date().map(|d| d.secs()),
            })
            .collect())
    }

    /// The regions to sweep: the enabled ones, restricted to GUARDRAIL_SWEEP_REGIONS when set.
    pub async fn regions(
        &self,
        home_region: &str,
        settings: &Settings,
    ) -> Result<Vec<String>, AwsError> {
        let enabled = self.ec2.enabled_regions(home_region).await?;
        if settings.sweep_regions.is_empty() {
            return Ok(enabled);
        }
        for r in settings
            .sweep_regions
            .iter()
            .filter(|r| !enabled.contains(r))
        {
            tracing::warn!(region = %r, "GUARDRAIL_SWEEP_REGIONS names a region not enabled for the account; skipped");
        }
        Ok(enabled
            .into_iter()
            .filter(|r| settings.sweep_regions.contains(r))
            .collect())
    }

    async fn region(
        &self,
        account: &str,
        region: String,
        reads: SweepReads,
    ) -> Result<RegionSweep, AwsError> {
        let scope = Scope {
            account: account.to_string(),
            region,
        };
        // One call per own image or snapshot: read only for a rule that is on.
        let images = async {
            match reads.images {
                true => self.ec2.images(&scope).await,
                false => Ok(Vec::new()),
            }
        };
        let snapshots = async {
            match reads.snapshots {
                true => self.ec2.snapshots(&scope).await,
                false => Ok(Vec::new()),
            }
        };
        // The region's own monitoring: a failed read is its rule unjudged, not an error.
        let m = &self.monitoring;
        let monitoring = async {
            futures::join!(
                when(reads.recorders, m.recorders(&scope)),
                when(reads.analyzers, m.analyzers(&scope)),
                when(reads.detectors, m.detectors(&scope)),
            )
        };
        let (read, (recorders, analyzers, detectors)) = futures::join!(
            async {
                futures::try_join!(
                    self.ec2.region(&scope),
                    self.ec2.volumes(&scope),
                    self.ec2.security_groups(&scope),
                    images,
                    snapshots
                )
            },
            monitoring
        );
        let (facts, volumes, security_groups, images, snapshots) = read?;
        Ok(RegionSweep {
            volumes,
            security_groups,
            images,
            snapshots,
            recorders: recorders.flatten(),
            analyzers: analyzers.flatten(),
            detectors: detectors.flatten(),
            ..RegionSweep::new(facts)
        })
    }
}

impl AccountFactsReader for AccountReader {
    async fn sweep_facts(
        &self,
        account: Option<&str>,
        home_region: &str,
        settings: &Settings,
        now: i64,
    ) -> Result<SweepFacts, AwsError> {
        let (iam, report, password_policy, regions) = futures::try_join!(
            self.iam_facts(),
            self.credential_report(),
            self.password_policy(),
            self.regions(home_region, settings),
        )?;
        let account = account
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .or_else(|| settings.home_account.clone())
            .or_else(|| iam.account_id())
            .unwrap_or_else(|| "unknown".to_string());
        let reads = sweep::sweep_reads(settings);
        let trails = when(reads.trails, self.monitoring.trails(home_region));
        let home = Scope {
            account: account.clone(),
            region: home_region.to_string(),
        };
        let blocks = when(reads.public_access_blocks, self.public_access.sweep(&home));
        let regions = stream::iter(regions)
            .map(|r| self.region(&account, r, reads))
            .buffer_unordered(REGION_CONCURRENCY)
            .try_collect::<Vec<RegionSweep>>();
        let (regions, trails, blocks) = futures::join!(regions, trails, blocks);
        let mut regions = regions?;
        regions.sort_by(|a, b| a.facts.region.cmp(&b.facts.region));
        let mut access_keys = BTreeMap::new();
        for user in sweep::key_lookups(&report, now, settings) {
            let keys = self.access_keys(&user).await?;
            access_keys.insert(user, keys);
        }
        Ok(SweepFacts {
            account,
            iam_region: home_region.to_string(),
            now,
            iam,
            credential_report: Some(report),
            password_policy,
            access_keys,
            regions,
            trails: trails.flatten(),
            public_access_blocks: blocks.flatten(),
            last_accessed: None,
        })
    }

    async fn user_facts(&self) -> Result<(Vec<UserDetail>, CredentialReport), AwsError> {
        let (facts, report) = futures::try_join!(
            self.authorization_details(&[EntityType::User]),
            self.credential_report(),
        )?;
        Ok((facts.users, report))
    }
}

/// `read` when `on` (its rule is on), `None` (not read) otherwise.
async fn when<T>(on: bool, read: impl std::future::Future<Output = T>) -> Option<T> {
    match on {
        true => Some(read.await),
        false => None,
    }
}

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn inline(list: &[PolicyDetail]) -> Vec<InlinePolicy> {
    list.iter()
        .map(|p| InlinePolicy {
            name: s(p.policy_name()),
            document: s(p.policy_document()),
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<String> {
    list.iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

fn boundary(b: Option<&AttachedPermissionsBoundary>) -> Option<String> {
    b.and_then(|b| b.permissions_boundary_arn())
        .filter(|arn| !arn.is_empty())
        .map(str::to_string)
}

/// ISO-8601 (`2024-01-01T00:00:00Z`), as the AWS CLI writes dates.
fn date(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(DateFormat::DateTime).ok())
}

/// The policy's name; from its ARN when the answer has none (moto's GetAccountAuthorizationDetails
/// omits `PolicyName`).
fn policy_name(name: Option<&str>, arn: &str) -> String {
    match name {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => arn.rsplit('/').next().unwrap_or_default().to_string(),
    }
}

fn tags(list: &[Tag]) -> BTreeMap<String, String> {
    list.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}
