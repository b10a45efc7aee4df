//! Reading what a rule needs ([`Need`]) in the call's account: facts only, the judges decide.
//! One arm per kind of need, so a new rule that needs new facts adds a variant and its read
//! here, and nothing in the functions.

use crate::error::AwsError;
use crate::iam::Iam;
use crate::ports::{Ec2Facts, IamFacts, Ledger, Scope};
use crate::wiring::Wiring;
use guardrail_rules::ebs;
use guardrail_rules::iam::IamChange;
use guardrail_rules::region::{Current, Subjects};
use guardrail_rules::rules::registry::{ChangeRead, Need, Read};

impl Wiring {
    /// Read what `need` asks for in `account` (this wiring's). `Err` only for AWS-side
    /// failures (the invocation is retried).
    pub async fn read(&self, account: &str, need: &Need) -> Result<Read, AwsError> {
        let scope = |region: &str| Scope {
            account: account.to_string(),
            region: region.to_string(),
        };
        let iam = &self.iam;
        Ok(match need {
            Need::Nothing => Read::Nothing,
            Need::Tallies(tallies) => {
                let mut counts = Vec::with_capacity(tallies.len());
                for t in tallies {
                    match self.ledger.tally(t, guardrail_rules::tally::CAP).await? {
                        Some(n) => counts.push(n),
                        None => return Ok(Read::Tallies(None)),
                    }
                }
                Read::Tallies(Some(counts))
            }
            Need::Change(change) => match iam.read_change(change).await? {
                Some(read) => Read::Change(read),
                None => Read::Nothing,
            },
            Need::Boundary(target) => Read::Boundary(iam.permissions_boundary(target).await?),
            Need::Principals(affected) => Read::Principals(iam.read_principals(affected).await?),
            Need::Volumes {
                region,
                ids,
                region_default,
            } => {
                let scope = scope(region);
                let mut volumes = Vec::with_capacity(ids.len());
                for id in ids {
                    volumes.push((id.clone(), self.ec2.volume(&scope, id).await?));
                }
                let region = match *region_default && ebs::default_matters(&volumes, &self.settings)
                {
                    true => Some(self.ec2.region(&scope).await?),
                    false => None,
                };
                Read::Volumes { volumes, region }
            }
            Need::InstanceVolumes {
                region,
                instance_ids,
                region_default,
            } => {
                let scope = scope(region);
                let volumes: Vec<_> = self
                    .ec2
                    .instance_volumes(&scope, instance_ids)
                    .await?
                    .into_iter()
                    .map(|v| (v.id.clone(), Some(v)))
                    .collect();
                let region = match *region_default && ebs::default_matters(&volumes, &self.settings)
                {
                    true => Some(self.ec2.region(&scope).await?),
                    false => None,
                };
                Read::Volumes { volumes, region }
            }
            Need::SnapshotShares {
                region,
                snapshot_id,
            } => Read::SnapshotShares(
                self.ec2
                    .snapshot_shares(&scope(region), snapshot_id)
                    .await?,
            ),
            Need::ImageShares { region, image_id } => {
                Read::ImageShares(self.ec2.image_shares(&scope(region), image_id).await?)
            }
            Need::SecurityGroupRules { region, group_id } => Read::SecurityGroupRules(
                self.ec2
                    .security_group_rules(&scope(region), group_id)
                    .await?,
            ),
            Need::EbsDefault { region } => Read::EbsDefault(self.ec2.region(&scope(region)).await?),
            Need::Recorder { region, name } => Read::Recorder(
                self.executor
                    .recorders
                    .recording(&scope(region), name)
                    .await?,
            ),
            Need::Trail { region, name } => {
                Read::Trail(self.executor.trails.logging(&scope(region), name).await?)
            }
            Need::TrailBuckets { region } => {
                Read::TrailBuckets(self.executor.trails.buckets(&scope(region)).await?)
            }
            Need::EventRule { region, name } => {
                Read::EventRule(self.executor.rules.enabled(&scope(region), name).await?)
            }
            Need::Ec2BlockPublicAccess { region, images } => Read::Ec2BlockPublicAccess(
                self.ec2
                    .block_public_access(&scope(region), *images)
                    .await?,
            ),
            Need::PublicAccessBlock { region, bucket } => {
                let blocks = &self.executor.public_access;
                Read::PublicAccessBlock(match bucket {
                    Some(b) => blocks.bucket(&scope(region), b).await?,
                    None => Some(
                        guardrail_rules::rules::s3_public_access_block_off::BlockState {
                            on: blocks.account(&scope(region)).await?,
                            tags: Default::default(),
                        },
                    ),
                })
            }
            // A bucket's tags from S3 itself, as s3-public-access-block-off reads them (the
            // Tagging API can lag a tag change); every other resource's by ARN.
            Need::ResourceTags { region, arn } => {
                Read::ResourceTags(match arn.strip_prefix("arn:aws:s3:::") {
                    Some(bucket) => {
                        let blocks = &self.executor.public_access;
                        blocks.bucket_tags(&scope(region), bucket).await?
                    }
                    None => self.executor.tags.tags(&scope(region), arn).await?,
                })
            }
            Need::Key { region, key_id } => {
                Read::Key(self.executor.keys.state(&scope(region), key_id).await?)
            }
            Need::Created { region, subjects } => {
                let scope = scope(region);
                Read::Created(match subjects {
                    Subjects::None => Current::default(),
                    Subjects::Instances(ids) => Current {
                        instances: self.ec2.instances(&scope, ids).await?,
                        volume: None,
                    },
                    Subjects::Volume(id) => Current {
                        instances: Vec::new(),
                        volume: self.ec2.volume(&scope, id).await?,
                    },
                })
            }
        })
    }
}

impl Iam {
    /// The object `change` points at, as it is now (`None` for [`IamChange::Nothing`]).
    async fn read_change(&self, change: &IamChange) -> Result<Option<ChangeRead>, AwsError> {
        Ok(Some(match change {
            IamChange::PolicyVersion {
                policy_arn,
                version_id,
            } => {
                let current = self.policy_version(policy_arn, None).await?;
                let previous = match &current {
                    Some(v) => self.previous_version(policy_arn, &v.version_id).await?,
                    None => None,
                };
                let previous_document = match &previous {
                    Some(p) => self
                        .policy_version(policy_arn, Some(p))
                        .await?
                        .map(|v| v.document),
                    None => None,
                };
                ChangeRead::PolicyVersion {
                    policy_arn: policy_arn.clone(),
                    event_version: version_id.clone(),
                    current: current.map(|v| (v.version_id, v.document)),
                    previous,
                    previous_document,
                }
            }
            IamChange::Attached { target, policy_arn } => {
                let attached = self.attached(target).await?;
                // The document only while it is still attached: nothing else is judged.
                let document = match &attached {
                    Some(a) if a.contains(policy_arn) => self
                        .policy_version(policy_arn, None)
                        .await?
                        .map(|v| v.document),
                    _ => None,
                };
                ChangeRead::Attached {
                    target: target.clone(),
                    policy_arn: policy_arn.clone(),
                    attached,
                    document,
                }
            }
            IamChange::Inline {
                target,
                policy_name,
            } => ChangeRead::Inline {
                target: target.clone(),
                policy_name: policy_name.clone(),
                document: self.inline_policy(target, policy_name).await?,
            },
            IamChange::Trust { role_name } => ChangeRead::Trust {
                role_name: role_name.clone(),
                document: self.trust_policy(role_name).await?,
            },
            IamChange::ConsoleAccess { user_name } => ChangeRead::ConsoleAccess {
                user_name: user_name.clone(),
                user: self.console_user(user_name).await?,
            },
            IamChange::AccessKey {
                user_name,
                access_key_id,
            } => ChangeRead::AccessKey {
                user_name: user_name.clone(),
                access_key_id: access_key_id.clone(),
                active: self.access_key_active(user_name, access_key_id).await?,
            },
            IamChange::Nothing => return Ok(None),
        }))
    }
}
