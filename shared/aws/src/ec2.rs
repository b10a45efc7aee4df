//! EC2: reading volumes and encryption defaults, executing EBS remediation steps.

use crate::api_counter::ApiCounter;
use crate::error::{classify, found, AwsError, ErrorKind};
use crate::ports::{Ec2Facts, Scope};
use aws_config::SdkConfig;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification, Volume};
use aws_sdk_ec2::Client;
use guardrail_rules::ebs::{RegionFacts, VolumeFacts};
use guardrail_rules::plan::RemediationStep;
use guardrail_rules::region::InstanceFacts;
use guardrail_rules::rules::registry::SnapshotShares;
use guardrail_rules::rules::vpc_security_group_admin_port_open::{GroupRule, GroupRules};
use std::collections::BTreeMap;
use std::time::Duration;

/// DescribeInstances accepts at most 200 values per filter; larger launches are read in chunks.
const IDS_PER_CALL: usize = 200;

/// EC2 adapter. EBS is regional: one client per call, built from the shared config (cheap:
/// clients share the HTTP connector and credentials cache).
#[derive(Clone)]
pub struct Ec2 {
    sdk: SdkConfig,
    /// How long to wait for a snapshot before giving up on the encrypted copy.
    snapshot_wait: Duration,
    /// Counts the calls made through this adapter (the sweep reports them).
    counter: Option<ApiCounter>,
}

impl Ec2 {
    pub fn new(sdk: &SdkConfig) -> Ec2 {
        Ec2 {
            sdk: sdk.clone(),
            snapshot_wait: Duration::from_secs(20),
            counter: None,
        }
    }

    /// The same adapter, counting its calls in `counter`.
    pub fn counted(&self, counter: &ApiCounter) -> Ec2 {
        Ec2 {
            counter: Some(counter.clone()),
            ..self.clone()
        }
    }

    /// The region's block public access state for AMIs (`images`) or for snapshots, as EC2
    /// names it (`unblocked`, `block-all-sharing`, `block-new-sharing`).
    pub async fn block_public_access(
        &self,
        scope: &Scope,
        images: bool,
    ) -> Result<String, AwsError> {
        let client = self.client(&scope.region);
        Ok(match images {
            true => client
                .get_image_block_public_access_state()
                .send()
                .await
                .map_err(|e| classify("ec2", "GetImageBlockPublicAccessState", e))?
                .image_block_public_access_state()
                .unwrap_or("unblocked")
                .to_string(),
            false => client
                .get_snapshot_block_public_access_state()
                .send()
                .await
                .map_err(|e| classify("ec2", "GetSnapshotBlockPublicAccessState", e))?
                .state()
                .map_or("unblocked", |s| s.as_str())
                .to_string(),
        })
    }

    /// Who may launch instances from an image, with its tags (`None`: no such image; the
    /// tags, for the exempt tag, from DescribeImages by id). Organisation and OU shares stay
    /// inside the organisation and are not listed.
    pub async fn image_shares(
        &self,
        scope: &Scope,
        image_id: &str,
    ) -> Result<Option<SnapshotShares>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_images()
            .image_ids(image_id)
            .send()
            .await
            .map_err(|e| classify("ec2", "DescribeImages", e));
        let Some(out) = found(out)? else {
            return Ok(None);
        };
        let Some(image) = out.images().first() else {
            return Ok(None);
        };
        let tags = tag_map(image.tags());
        let shares = self.image_grants(scope, image_id).await?;
        Ok(shares.map(|s| SnapshotShares { tags, ..s }))
    }

    /// Who may launch instances from an image, without its tags (`None`: no such image).
    async fn image_grants(
        &self,
        scope: &Scope,
        image_id: &str,
    ) -> Result<Option<SnapshotShares>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_image_attribute()
            .image_id(image_id)
            .attribute(aws_sdk_ec2::types::ImageAttributeName::LaunchPermission)
            .send()
            .await
            .map_err(|e| classify("ec2", "DescribeImageAttribute", e));
        Ok(found(out)?.map(|out| {
            let grants = out.launch_permissions().iter();
            shares(image_id, grants.map(|p| (p.group(), p.user_id())))
        }))
    }

    /// Who may create volumes from a snapshot, with its tags (`None`: no such snapshot; the
    /// tags, for the exempt tag, from DescribeSnapshots by id).
    pub async fn snapshot_shares(
        &self,
        scope: &Scope,
        snapshot_id: &str,
    ) -> Result<Option<SnapshotShares>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_snapshots()
            .snapshot_ids(snapshot_id)
            .send()
            .await
            .map_err(|e| classify("ec2", "DescribeSnapshots", e));
        let Some(out) = found(out)? else {
            return Ok(None);
        };
        let Some(snapshot) = out.snapshots().first() else {
            return Ok(None);
        };
        let tags = tag_map(snapshot.tags());
        let shares = self.snapshot_grants(scope, snapshot_id).await?;
        Ok(shares.map(|s| SnapshotShares { tags, ..s }))
    }

    /// Who may create volumes from a snapshot, without its tags (`None`: no such snapshot).
    async fn snapshot_grants(
        &self,
        scope: &Scope,
        snapshot_id: &str,
    ) -> Result<Option<SnapshotShares>, AwsError> {
        let out = self
            .client(&scope.region)
            .describe_snapshot_attribute()
            .snapshot_id(snapshot_id)
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .send()
            .await
            .map_err(|e| classify("ec2", "DescribeSnapshotAttribute", e));
        Ok(found(out)?.map(|out| {
            let grants = out.create_volume_permissions().iter();
            shares(snapshot_id, grants.map(|p| (p.group(), p.user_id())))
        }))
    }

    /// The regions enabled for the account (DescribeRegions without `AllRegions`: opt-in
    /// regions not opted in are left out, as nothing can exist there).
    pub async fn enabled_regions(&self, home_region: &str) -> Result<Vec<String>, AwsError> {
        let out = self
            .client(home_region)
            .describe_regions()
            .send()
            .await
            .map_err(|e| classify("ec2", "DescribeRegions", e))?;
        let mut regions: Vec<String> = out
            .regions()
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .filter_map(|r| r.region_name().map(str::to_string))
            .collect();
        regions.sort();
        Ok(regions)
    }

    /// A security group's tags and every rule it holds (`None`: no such group). The group
    /// first, so a group that is gone is told apart from one without rules.
    pub async fn security_group_rules(
        &self,
        scope: &Scope,
        group_id: &str,
    ) -> Result<Option<GroupRules>, AwsError> {
        let ec2 = self.client(&scope.region);
        let groups = match ec2
            .describe_security_groups()
            .group_ids(group_id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                return match classify("ec2", "DescribeSecurityGroups", e) {
                    err if err.kind == ErrorKind::NotFound => Ok(None),
                    err => Err(err),
                }
            }
        };
        let Some(group) = groups
            .security_groups()
            .iter()
            .find(|g| g.group_id() == Some(group_id))
        else {
            return Ok(None);
        };
        let mut out = GroupRules {
            group_id: group_id.to_string(),
            tags: tag_map(group.tags()),
            rules: Vec::new(),
        };
        let filter = Filter::builder().name("group-id").values(group_id).build();
        out.rules = self
            .rules(&ec2, Some(filter))
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Ok(Some(out))
    }

    /// The account's own images of a region, each with its launch permissions (the sweep):
    /// DescribeImages (owner self, paginated), then DescribeImageAttribute per image, since
    /// only the attribute names the accounts an image is shared with. An image deregistered
    /// between the two reads is left out.
    pub async fn images(&self, scope: &Scope) -> Result<Vec<SnapshotShares>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut ids: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = ec2
                .describe_images()
                .owners("self")
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeImages", e))?;
            ids.extend(
                page.images()
                    .iter()
                    .filter_map(|i| Some((i.image_id()?.to_string(), tag_map(i.tags())))),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut out = Vec::with_capacity(ids.len());
        for (id, tags) in ids {
            if let Some(shares) = self.image_grants(scope, &id).await? {
                out.push(SnapshotShares { tags, ..shares });
            }
        }
        Ok(out)
    }

    /// The account's own snapshots of a region, each with who may create volumes from it
    /// (the sweep): DescribeSnapshots (owner self, paginated), then DescribeSnapshotAttribute
    /// per snapshot. A snapshot deleted between the two reads is left out.
    pub async fn snapshots(&self, scope: &Scope) -> Result<Vec<SnapshotShares>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut ids: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = ec2
                .describe_snapshots()
                .owner_ids("self")
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeSnapshots", e))?;
            // The owner is checked again: an emulator that ignores OwnerIds (moto) would
            // otherwise have every public snapshot it serves read one by one.
            ids.extend(
                page.snapshots()
                    .iter()
                    .filter(|s| s.owner_id().is_none_or(|o| o == scope.account))
                    .filter_map(|s| Some((s.snapshot_id()?.to_string(), tag_map(s.tags())))),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut out = Vec::with_capacity(ids.len());
        for (id, tags) in ids {
            if let Some(shares) = self.snapshot_grants(scope, &id).await? {
                out.push(SnapshotShares { tags, ..shares });
            }
        }
        Ok(out)
    }

    /// Every security group of a region with its rules (the sweep).
    pub async fn security_groups(&self, scope: &Scope) -> Result<Vec<GroupRules>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut groups: Vec<GroupRules> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = ec2
                .describe_security_groups()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeSecurityGroups", e))?;
            groups.extend(page.security_groups().iter().map(|g| GroupRules {
                group_id: g.group_id().unwrap_or_default().to_string(),
                tags: tag_map(g.tags()),
                rules: Vec::new(),
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        for (group_id, rule) in self.rules(&ec2, None).await? {
            if let Some(g) = groups.iter_mut().find(|g| g.group_id == group_id) {
                g.rules.push(rule);
            }
        }
        Ok(groups)
    }

    /// Security group rules (of one group with `filter`), each with its group's id.
    async fn rules(
        &self,
        ec2: &Client,
        filter: Option<Filter>,
    ) -> Result<Vec<(String, GroupRule)>, AwsError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = ec2
                .describe_security_group_rules()
                .set_filters(filter.clone().map(|f| vec![f]))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeSecurityGroupRules", e))?;
            out.extend(page.security_group_rules().iter().map(|r| {
                (
                    r.group_id().unwrap_or_default().to_string(),
                    GroupRule {
                        rule_id: r.security_group_rule_id().unwrap_or_default().to_string(),
                        is_egress: r.is_egress().unwrap_or(false),
                        protocol: r.ip_protocol().unwrap_or_default().to_string(),
                        from_port: r.from_port(),
                        to_port: r.to_port(),
                        cidr_ipv4: r.cidr_ipv4().map(str::to_string),
                        cidr_ipv6: r.cidr_ipv6().map(str::to_string),
                        referenced_group: r
                            .referenced_group_info()
                            .and_then(|g| g.group_id())
                            .map(str::to_string),
                        prefix_list: r.prefix_list_id().map(str::to_string),
                        description: r.description().map(str::to_string),
                        tags: tag_map(r.tags()),
                    },
                )
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    fn client(&self, region: &str) -> Client {
        let mut conf = aws_sdk_ec2::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_string()));
        if let Some(counter) = &self.counter {
            conf = conf.interceptor(counter.clone());
        }
        Client::from_conf(conf.build())
    }

    fn facts(scope: &Scope, v: &Volume) -> VolumeFacts {
        VolumeFacts {
            id: v.volume_id().unwrap_or_default().to_string(),
            region: scope.region.clone(),
            account: scope.account.clone(),
            // AWS always sets it; an absent flag is treated as unencrypted (alert, not ignore).
            encrypted: v.encrypted().unwrap_or(false),
            state: v
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            attached_to: v
                .attachments()
                .iter()
                .filter_map(|a| a.instance_id().map(str::to_string))
                .collect(),
            availability_zone: v.availability_zone().unwrap_or_default().to_string(),
            size_gib: v.size().map(i64::from),
            kms_key_id: v.kms_key_id().map(str::to_string),
            tags: v
                .tags()
                .iter()
                .filter_map(|t| {
                    Some((
                        t.key()?.to_string(),
                        t.value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
        }
    }

    async fn encrypted_copy(
        &self,
        region: &str,
        volume_id: &str,
        az: &str,
    ) -> Result<(), AwsError> {
        let ec2 = self.client(region);
        let snap = ec2
            .create_snapshot()
            .volume_id(volume_id)
            .description(format!(
                "guardrail: source of the encrypted copy of {volume_id}"
            ))
            .tag_specifications(tag_spec(
                ResourceType::Snapshot,
                "guardrail:source-volume",
                volume_id,
            ))
            .send()
            .await
            .map_err(|e| classify("ec2", "CreateSnapshot", e))?;
        let snap_id = snap.snapshot_id().unwrap_or_default().to_string();
        let deadline = tokio::time::Instant::now() + self.snapshot_wait;
        loop {
            let state = ec2
                .describe_snapshots()
                .snapshot_ids(&snap_id)
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeSnapshots", e))?
                .snapshots()
                .first()
                .and_then(|s| s.state().map(|st| st.as_str().to_string()));
            match state.as_deref() {
                Some("completed") => break,
                Some("error") => {
                    return Err(AwsError::new(
                        "ec2",
                        "CreateSnapshot",
                        ErrorKind::Rejected,
                        format!("snapshot {snap_id} failed"),
                    ))
                }
                _ if tokio::time::Instant::now() >= deadline => {
                    return Err(AwsError::new(
                        "ec2",
                        "CreateSnapshot",
                        ErrorKind::Transient,
                        format!("snapshot {snap_id} still pending; encrypted copy not created yet"),
                    ))
                }
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
        let copy = ec2
            .create_volume()
            .snapshot_id(&snap_id)
            .availability_zone(az)
            .encrypted(true)
            .tag_specifications(tag_spec(
                ResourceType::Volume,
                "guardrail:encrypted-copy-of",
                volume_id,
            ))
            .send()
            .await
            .map_err(|e| classify("ec2", "CreateVolume", e))?;
        let copy_id = copy.volume_id().unwrap_or_default();
        ec2.create_tags()
            .resources(volume_id)
            .tags(
                Tag::builder()
                    .key("guardrail:encrypted-copy")
                    .value(copy_id)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify("ec2", "CreateTags", e))?;
        Ok(())
    }
}

fn tag_spec(kind: ResourceType, key: &str, value: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .tags(Tag::builder().key(key).value(value).build())
        .build()
}

impl Ec2Facts for Ec2 {
    async fn volume(&self, scope: &Scope, id: &str) -> Result<Option<VolumeFacts>, AwsError> {
        match self
            .client(&scope.region)
            .describe_volumes()
            .volume_ids(id)
            .send()
            .await
        {
            Ok(out) => Ok(out.volumes().first().map(|v| Self::facts(scope, v))),
            Err(e) => {
                let err = classify("ec2", "DescribeVolumes", e);
                if err.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn volumes(&self, scope: &Scope) -> Result<Vec<VolumeFacts>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = ec2
                .describe_volumes()
                .max_results(500)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("ec2", "DescribeVolumes", e))?;
            out.extend(page.volumes().iter().map(|v| Self::facts(scope, v)));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn instance_volumes(
        &self,
        scope: &Scope,
        instance_ids: &[String],
    ) -> Result<Vec<VolumeFacts>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut out = Vec::new();
        // A filter on the attachment: the launch's volumes, whatever mapping made them (the
        // AMI's, the launch template's, the call's), without a DescribeInstances first.
        for chunk in instance_ids.chunks(IDS_PER_CALL) {
            let filter = Filter::builder()
                .name("attachment.instance-id")
                .set_values(Some(chunk.to_vec()))
                .build();
            let mut token: Option<String> = None;
            loop {
                let page = ec2
                    .describe_volumes()
                    .filters(filter.clone())
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "DescribeVolumes", e))?;
                out.extend(page.volumes().iter().map(|v| Self::facts(scope, v)));
                match page.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
        }
        Ok(out)
    }

    async fn region(&self, scope: &Scope) -> Result<RegionFacts, AwsError> {
        let out = self
            .client(&scope.region)
            .get_ebs_encryption_by_default()
            .send()
            .await
            .map_err(|e| classify("ec2", "GetEbsEncryptionByDefault", e))?;
        Ok(RegionFacts {
            region: scope.region.clone(),
            account: scope.account.clone(),
            encryption_by_default: out.ebs_encryption_by_default().unwrap_or(false),
        })
    }

    async fn instances(
        &self,
        scope: &Scope,
        ids: &[String],
    ) -> Result<Vec<InstanceFacts>, AwsError> {
        let ec2 = self.client(&scope.region);
        let mut out = Vec::new();
        // A filter, not InstanceIds: with InstanceIds one vanished id fails the whole call
        // (InvalidInstanceID.NotFound); a filter simply leaves it out.
        for chunk in ids.chunks(IDS_PER_CALL) {
            let filter = Filter::builder()
                .name("instance-id")
                .set_values(Some(chunk.to_vec()))
                .build();
            let mut token: Option<String> = None;
            loop {
                let page = ec2
                    .describe_instances()
                    .filters(filter.clone())
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "DescribeInstances", e))?;
                let found = page
                    .reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .map(|i| InstanceFacts {
                        id: i.instance_id().unwrap_or_default().to_string(),
                        state: i
                            .state()
                            .and_then(|s| s.name())
                            .map(|n| n.as_str().to_string())
                            .unwrap_or_default(),
                        tags: i
                            .tags()
                            .iter()
                            .filter_map(|t| {
                                Some((
                                    t.key()?.to_string(),
                                    t.value().unwrap_or_default().to_string(),
                                ))
                            })
                            .collect(),
                    });
                out.extend(found);
                match page.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

impl Ec2 {
    pub(crate) async fn execute(&self, step: &RemediationStep) -> Result<(), AwsError> {
        match step {
            RemediationStep::TagVolume {
                region,
                volume_id,
                tags,
            } => {
                let tags = tags
                    .iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build());
                self.client(region)
                    .create_tags()
                    .resources(volume_id)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "CreateTags", e))?;
                Ok(())
            }
            RemediationStep::EnableEc2BlockPublicAccess {
                region,
                images: false,
            } => {
                use aws_sdk_ec2::types::SnapshotBlockPublicAccessState;
                self.client(region)
                    .enable_snapshot_block_public_access()
                    .state(SnapshotBlockPublicAccessState::BlockAllSharing)
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "EnableSnapshotBlockPublicAccess", e))?;
                Ok(())
            }
            RemediationStep::EnableEc2BlockPublicAccess {
                region,
                images: true,
            } => {
                use aws_sdk_ec2::types::ImageBlockPublicAccessEnabledState;
                self.client(region)
                    .enable_image_block_public_access()
                    .image_block_public_access_state(
                        ImageBlockPublicAccessEnabledState::BlockNewSharing,
                    )
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "EnableImageBlockPublicAccess", e))?;
                Ok(())
            }
            RemediationStep::EnableEbsEncryptionByDefault { region } => {
                self.client(region)
                    .enable_ebs_encryption_by_default()
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "EnableEbsEncryptionByDefault", e))?;
                Ok(())
            }
            RemediationStep::EncryptedCopy {
                region,
                volume_id,
                availability_zone,
            } => {
                self.encrypted_copy(region, volume_id, availability_zone)
                    .await
            }
            RemediationStep::StopInstances {
                region,
                instance_ids,
            } => {
                let ec2 = self.client(region);
                for chunk in instance_ids.chunks(IDS_PER_CALL) {
                    ec2.stop_instances()
                        .set_instance_ids(Some(chunk.to_vec()))
                        .send()
                        .await
                        .map_err(|e| classify("ec2", "StopInstances", e))?;
                }
                Ok(())
            }
            RemediationStep::TerminateInstances {
                region,
                instance_ids,
            } => {
                let ec2 = self.client(region);
                for chunk in instance_ids.chunks(IDS_PER_CALL) {
                    ec2.terminate_instances()
                        .set_instance_ids(Some(chunk.to_vec()))
                        .send()
                        .await
                        .map_err(|e| classify("ec2", "TerminateInstances", e))?;
                }
                Ok(())
            }
            RemediationStep::RemoveSnapshotShares {
                region,
                snapshot_id,
                public,
                accounts,
            } => {
                // The flat form (UserId.N, UserGroup.N with OperationType=remove): accepted by
                // EC2 and the one the emulator reads.
                let mut call = self
                    .client(region)
                    .modify_snapshot_attribute()
                    .snapshot_id(snapshot_id)
                    .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
                    .operation_type(aws_sdk_ec2::types::OperationType::Remove)
                    .set_user_ids((!accounts.is_empty()).then(|| accounts.clone()));
                if *public {
                    call = call.group_names("all");
                }
                call.send()
                    .await
                    .map_err(|e| classify("ec2", "ModifySnapshotAttribute", e))?;
                Ok(())
            }
            RemediationStep::RemoveImageShares {
                region,
                image_id,
                public,
                accounts,
            } => {
                // The flat form (UserId.N, UserGroup.N with OperationType=remove), as for
                // snapshots: accepted by EC2 and the one the emulator reads.
                let mut call = self
                    .client(region)
                    .modify_image_attribute()
                    .image_id(image_id)
                    .attribute("launchPermission")
                    .operation_type(aws_sdk_ec2::types::OperationType::Remove)
                    .set_user_ids((!accounts.is_empty()).then(|| accounts.clone()));
                if *public {
                    call = call.user_groups("all");
                }
                call.send()
                    .await
                    .map_err(|e| classify("ec2", "ModifyImageAttribute", e))?;
                Ok(())
            }
            RemediationStep::RevokeSecurityGroupIngress {
                region,
                group_id,
                rule_id,
                ..
            } => {
                // By the rule's id only: exactly that rule goes, never the group or a rule
                // that merely looks the same. A rule revoked since the re-read is the goal
                // reached, not a failure.
                let out = self
                    .client(region)
                    .revoke_security_group_ingress()
                    .group_id(group_id)
                    .security_group_rule_ids(rule_id)
                    .send()
                    .await;
                match out {
                    Ok(_) => Ok(()),
                    Err(e) => match classify("ec2", "RevokeSecurityGroupIngress", e) {
                        err if err.kind == ErrorKind::NotFound => Ok(()),
                        err => Err(err),
                    },
                }
            }
            RemediationStep::DeleteVolume { region, volume_id } => {
                self.client(region)
                    .delete_volume()
                    .volume_id(volume_id)
                    .send()
                    .await
                    .map_err(|e| classify("ec2", "DeleteVolume", e))?;
                Ok(())
            }
            other => Err(AwsError::new(
                "ec2",
                "execute",
                ErrorKind::Rejected,
                format!("not an EC2 step: {}", other.describe()),
            )),
        }
    }
}

/// EC2 tags as a map (keyless tags, which EC2 does not return, are skipped).
fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// Who may use a snapshot or an image, from its grants (group, account): the group `all` is
/// every AWS account; a launch permission and a createVolumePermission grant alike.
fn shares<'a>(
    id: &str,
    grants: impl Iterator<
        Item = (
            Option<&'a aws_sdk_ec2::types::PermissionGroup>,
            Option<&'a str>,
        ),
    >,
) -> SnapshotShares {
    let mut out = SnapshotShares {
        snapshot_id: id.to_string(),
        public: false,
        accounts: Vec::new(),
        tags: BTreeMap::new(),
    };
    for (group, account) in grants {
        out.public |= group == Some(&aws_sdk_ec2::types::PermissionGroup::All);
        out.accounts.extend(account.map(str::to_string));
    }
    out
}
