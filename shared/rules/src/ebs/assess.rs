//! Judging re-read volume and region state, and planning the remediation.

use super::facts::{RegionFacts, VolumeFacts};
use super::subjects::{launched_instances, volume_ids};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::gate::Skip;
use crate::mode::Mode;
use crate::plan::RemediationStep;
use crate::rules::registry::{CallJudge, Judged, Need, Read, Round, SweepJudge};
use crate::rules::{ebs_encryption_by_default_off as ebd_rule, ebs_unencrypted_volume as vol_rule};
use crate::settings::Settings;
use crate::trigger::ApiCall;

/// Tag written on a remediated volume: the rule id. Its presence makes the tagging step a no-op.
pub const TAG_FINDING: &str = "guardrail:finding";
/// Tag written on a remediated volume: the event that led to it.
pub const TAG_EVENT: &str = "guardrail:event-id";
/// Tag recording the encrypted copy made of a volume, so it is made once.
pub const TAG_COPY: &str = "guardrail:encrypted-copy";

/// The two EBS rules on volume calls, one registry line: the region's default is judged only
/// beside a volume that shows its gap, from the same read.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&vol_rule::META, &ebd_rule::META],
    round: Round::Change,
    needs,
    judge: judge_call,
};

fn needs(call: &ApiCall, settings: &Settings) -> Option<Need> {
    if call.event_name == "DisableEbsEncryptionByDefault" && ebd_rule::META.declares_call(call) {
        return (settings.mode(ebd_rule::META.id) != Mode::Off).then(|| Need::EbsDefault {
            region: call.region.trim().to_string(),
        });
    }
    if !vol_rule::META.declares_call(call) {
        return None;
    }
    let region_default = settings.mode(ebd_rule::META.id) != Mode::Off;
    if call.event_name == "RunInstances" {
        let instance_ids = launched_instances(call);
        if instance_ids.is_empty() {
            return Some(Need::Nothing);
        }
        return Some(Need::InstanceVolumes {
            region: call.region.trim().to_string(),
            instance_ids,
            region_default,
        });
    }
    let ids = volume_ids(call);
    if ids.is_empty() {
        return Some(Need::Nothing); // said by the judge: the call names no volume
    }
    Some(Need::Volumes {
        region: call.region.trim().to_string(),
        ids,
        region_default,
    })
}

/// Whether the region's default is worth reading beside these volumes: only an unencrypted,
/// non-exempt one makes it part of a finding (the adapters ask, so they decide nothing).
pub fn default_matters(volumes: &[(String, Option<VolumeFacts>)], settings: &Settings) -> bool {
    volumes.iter().any(|(_, v)| {
        v.as_ref().is_some_and(|v| {
            vol_rule::judge(v).is_some() && !v.tags.contains_key(&settings.exempt_tag)
        })
    })
}

fn judge_call(call: &ApiCall, read: &Read, ctx: &EventContext, settings: &Settings) -> Judged {
    let (volumes, region) = match read {
        Read::Volumes { volumes, region } => (volumes, region),
        // Re-read after the switch-off: still off is judged (and turned on in remediate
        // mode); on again since is nothing.
        Read::EbsDefault(region) => return Judged::findings(region_default(region, ctx, settings)),
        Read::Nothing => {
            let event = call.action();
            return Judged::cleared(Skip::NotRelevant { event }.to_string());
        }
        _ => return Judged::mismatched(JUDGE.rules),
    };
    let mut judged = Judged::default();
    if volumes.is_empty() && call.event_name == "RunInstances" {
        // Said, never silence: instance-store only, or not attached yet when re-read (AWS
        // Config's volume changes and the sweep judge them when they are).
        judged.notes.push(format!(
            "{}: no EBS volume was attached to {} when re-read",
            vol_rule::META.id,
            launched_instances(call).join(", ")
        ));
    }
    for (id, volume) in volumes {
        let Some(volume) = volume else {
            let id = id.clone();
            judged.notes.push(Skip::ResourceGone { id }.to_string());
            continue;
        };
        // The default is part of the finding only beside a volume that shows its gap.
        let region = region
            .as_ref()
            .filter(|_| vol_rule::judge(volume).is_some());
        match assess(volume, region, ctx, settings) {
            Ok(f) => judged.findings.extend(f),
            Err(skip) => judged.notes.push(format!("{id}: {skip}")),
        }
    }
    judged
}

/// The two EBS rules over every swept region: each volume, and each region's default once
/// (with or without volumes).
pub const SWEEP: SweepJudge = SweepJudge {
    rules: JUDGE.rules,
    judge: |facts, settings, out| {
        let ctx = EventContext::default();
        for r in &facts.regions {
            for v in &r.volumes {
                match assess(v, None, &ctx, settings) {
                    Ok(f) => out.findings.extend(f),
                    Err(skip) => out.notes.push(format!("{} ({}): {skip}", v.id, v.region)),
                }
            }
            out.findings
                .extend(region_default(&r.facts, &ctx, settings));
        }
    },
};

/// Judge one volume and, when given, its region's default. Returns the findings (with their
/// planned actions) or the reason the volume was left alone.
pub fn assess(
    volume: &VolumeFacts,
    region: Option<&RegionFacts>,
    ctx: &EventContext,
    settings: &Settings,
) -> Result<Vec<Finding>, Skip> {
    if volume.tags.contains_key(&settings.exempt_tag) {
        return Err(Skip::ExemptResource {
            tag: settings.exempt_tag.clone(),
        });
    }
    let mut findings = Vec::new();
    let vol_mode = settings.mode(vol_rule::META.id);
    if vol_mode != Mode::Off {
        if let Some(reason) = vol_rule::judge(volume) {
            let steps = volume_steps(volume, ctx, settings);
            findings.push(Finding::build(
                &vol_rule::META,
                vol_mode,
                ResourceRef {
                    kind: "AWS::EC2::Volume",
                    id: volume.id.clone(),
                    arn: volume.arn(),
                },
                &volume.region,
                &volume.account,
                reason,
                steps,
                ctx,
                settings,
            ));
        }
    }
    findings.extend(region.and_then(|region| region_default(region, ctx, settings)));
    Ok(findings)
}

/// `ebs-encryption-by-default-off` for one region. The event path and the sweep both build it
/// here, so they name the same resource and step and deduplicate as one incident.
pub fn region_default(
    region: &RegionFacts,
    ctx: &EventContext,
    settings: &Settings,
) -> Option<Finding> {
    let mode = settings.mode(ebd_rule::META.id);
    if mode == Mode::Off {
        return None;
    }
    let reason = ebd_rule::judge(region)?;
    let step = RemediationStep::EnableEbsEncryptionByDefault {
        region: region.region.clone(),
    };
    Some(Finding::build(
        &ebd_rule::META,
        mode,
        ResourceRef {
            kind: "AWS::::Account",
            id: format!("{}/{}", region.account, region.region),
            arn: region.setting_arn(),
        },
        &region.region,
        &region.account,
        reason,
        vec![(step, false)],
        ctx,
        settings,
    ))
}

/// The steps for an unencrypted volume, each with whether re-read state shows it already done.
fn volume_steps(
    volume: &VolumeFacts,
    ctx: &EventContext,
    settings: &Settings,
) -> Vec<(RemediationStep, bool)> {
    let mut tags = vec![(TAG_FINDING.to_string(), vol_rule::META.id.to_string())];
    if let Some(event) = &ctx.event_id {
        tags.push((TAG_EVENT.to_string(), event.clone()));
    }
    let tagged = volume.tags.get(TAG_FINDING).map(String::as_str) == Some(vol_rule::META.id);
    let mut steps = vec![(
        RemediationStep::TagVolume {
            region: volume.region.clone(),
            volume_id: volume.id.clone(),
            tags,
        },
        tagged,
    )];
    if settings.encrypted_copy && !volume.is_attached() && volume.state == "available" {
        steps.push((
            RemediationStep::EncryptedCopy {
                region: volume.region.clone(),
                volume_id: volume.id.clone(),
                availability_zone: volume.availability_zone.clone(),
            },
            volume.tags.contains_key(TAG_COPY),
        ));
    }
    steps
}
