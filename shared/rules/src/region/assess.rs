//! Judging a call and the re-read state of what it created, and planning the remediation.

use super::facts::{instance_arn, Current, InstanceFacts};
use super::instance_action::InstanceAction;
use super::subjects::{subjects, Subjects};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::gate::Skip;
use crate::mode::Mode;
use crate::plan::RemediationStep;
use crate::rules::region_not_allowed::{self as rule, Clear};
use crate::settings::Settings;
use crate::trigger::ApiCall;

/// A call that violates `region-not-allowed`, with what it created (to be re-read next).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub account: String,
    pub region: String,
    /// e.g. `ec2:RunInstances`.
    pub action: String,
    pub mode: Mode,
    pub reason: String,
    pub subjects: Subjects,
}

/// Whether the call violates the rule (in its current mode), and what it created.
pub fn violation(call: &ApiCall, settings: &Settings) -> Result<Violation, Clear> {
    let mode = settings.mode(rule::META.id);
    if mode == Mode::Off {
        return Err(Clear::Off);
    }
    let reason = rule::judge(call, settings)?;
    Ok(Violation {
        account: call.account.clone(),
        region: call.region.trim().to_string(),
        action: call.action(),
        mode,
        reason,
        subjects: subjects(call),
    })
}

/// Turn a violation and the re-read state of its subjects into one finding (one alert per
/// call: the instances of one RunInstances share their fate), or the reason to leave it alone
/// (every subject carries the exemption tag).
pub fn assess(
    v: &Violation,
    current: &Current,
    ctx: &EventContext,
    settings: &Settings,
) -> Result<Finding, Skip> {
    let (resource, reason, steps) = match &v.subjects {
        Subjects::None => (api_call_resource(v), v.reason.clone(), Vec::new()),
        Subjects::Instances(ids) => instances(v, ids, current, settings)?,
        Subjects::Volume(id) => volume(v, id, current, settings)?,
    };
    Ok(Finding::build(
        &rule::META,
        v.mode,
        resource,
        &v.region,
        &v.account,
        reason,
        steps,
        ctx,
        settings,
    ))
}

type Judged = (ResourceRef, String, Vec<(RemediationStep, bool)>);

/// A call that created nothing to act on is named by a pseudo-ARN for "this action in this
/// region of this account", so repeats of it alert once per dedupe window, not on every call.
fn api_call_resource(v: &Violation) -> ResourceRef {
    let (service, name) = v.action.split_once(':').unwrap_or(("unknown", &v.action));
    ResourceRef {
        kind: "AWS::::Account",
        id: v.action.clone(),
        arn: format!(
            "arn:aws:{service}:{}:{}:api-call/{name}",
            v.region, v.account
        ),
    }
}

fn instances(
    v: &Violation,
    ids: &[String],
    current: &Current,
    settings: &Settings,
) -> Result<Judged, Skip> {
    let find = |id: &str| current.instances.iter().find(|i| i.id == id);
    let exempt = |id: &str| find(id).is_some_and(|i| i.tags.contains_key(&settings.exempt_tag));
    let judged: Vec<&String> = ids.iter().filter(|id| !exempt(id)).collect();
    let Some(first) = judged.first() else {
        return Err(Skip::ExemptResource {
            tag: settings.exempt_tag.clone(),
        });
    };
    let described: Vec<String> = ids
        .iter()
        .map(|id| match find(id) {
            Some(i) if exempt(id) => format!("{id} ({}, exempt by tag)", i.state),
            Some(i) => format!("{id} ({})", i.state),
            None => format!("{id} (no longer exists)"),
        })
        .collect();
    let reason = format!("{}; it launched {}", v.reason, described.join(", "));
    // An instance that no longer exists needs nothing done to it.
    let done = |id: &str, test: fn(&InstanceFacts) -> bool| find(id).is_none_or(test);
    let step = |make: fn(String, Vec<String>) -> RemediationStep,
                test: fn(&InstanceFacts) -> bool| {
        let todo: Vec<String> = judged
            .iter()
            .filter(|id| !done(id, test))
            .map(|id| id.to_string())
            .collect();
        if todo.is_empty() {
            let all = judged.iter().map(|id| id.to_string()).collect();
            vec![(make(v.region.clone(), all), true)]
        } else {
            vec![(make(v.region.clone(), todo), false)]
        }
    };
    let steps = match settings.region_instance_action {
        InstanceAction::None => Vec::new(),
        InstanceAction::Stop => step(
            |region, instance_ids| RemediationStep::StopInstances {
                region,
                instance_ids,
            },
            InstanceFacts::is_stopped_or_gone,
        ),
        InstanceAction::Terminate => step(
            |region, instance_ids| RemediationStep::TerminateInstances {
                region,
                instance_ids,
            },
            InstanceFacts::is_terminated,
        ),
    };
    let resource = ResourceRef {
        kind: "AWS::EC2::Instance",
        id: first.to_string(),
        arn: instance_arn(&v.region, &v.account, first),
    };
    Ok((resource, reason, steps))
}

fn volume(v: &Violation, id: &str, current: &Current, settings: &Settings) -> Result<Judged, Skip> {
    let vol = current.volume.as_ref().filter(|vol| vol.id == id);
    if vol.is_some_and(|vol| vol.tags.contains_key(&settings.exempt_tag)) {
        return Err(Skip::ExemptResource {
            tag: settings.exempt_tag.clone(),
        });
    }
    let state = match vol {
        Some(vol) => vol.state.clone(),
        None => "no longer exists".to_string(),
    };
    let reason = format!("{}; it created volume {id} ({state})", v.reason);
    let steps = if settings.region_delete_volumes {
        vec![(
            RemediationStep::DeleteVolume {
                region: v.region.clone(),
                volume_id: id.to_string(),
            },
            vol.is_none(),
        )]
    } else {
        Vec::new()
    };
    let resource = ResourceRef {
        kind: "AWS::EC2::Volume",
        id: id.to_string(),
        arn: format!("arn:aws:ec2:{}:{}:volume/{id}", v.region, v.account),
    };
    Ok((resource, reason, steps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ebs::VolumeFacts;
    use crate::finding::ActionStatus;
    use crate::trigger::{decode, Trigger};
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let mut all = vec![("GUARDRAIL_ALLOWED_REGIONS", "ap-northeast-2, eu-west-1")];
        all.extend_from_slice(pairs);
        let map: BTreeMap<String, String> = all
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(move |k| map.get(k).cloned()).unwrap()
    }

    fn call(source: &str, name: &str, region: &str, read_only: bool, response: Value) -> ApiCall {
        let event = json!({
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ec2",
            "account": "123456789012",
            "region": region,
            "detail": {
                "eventID": "e-1",
                "eventName": name,
                "eventSource": source,
                "awsRegion": region,
                "readOnly": read_only,
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
                "requestParameters": {},
                "responseElements": response,
            }
        });
        match decode(&event) {
            Ok(Trigger::ApiCall(c)) => *c,
            other => panic!("{other:?}"),
        }
    }

    fn run_instances(region: &str) -> ApiCall {
        call(
            "ec2.amazonaws.com",
            "RunInstances",
            region,
            false,
            json!({"instancesSet": {"items": [{"instanceId": "i-0e5"}, {"instanceId": "i-0e6"}]}}),
        )
    }

    fn instance(id: &str, state: &str, tags: &[(&str, &str)]) -> InstanceFacts {
        InstanceFacts {
            id: id.to_string(),
            state: state.to_string(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn ctx() -> EventContext {
        EventContext {
            principal: Some("arn:aws:iam::123456789012:user/alice".into()),
            event_id: Some("e-1".into()),
        }
    }

    fn remediating(extra: &[(&str, &str)]) -> Settings {
        let mut pairs = vec![
            ("GUARDRAIL_DRY_RUN", "false"),
            ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ];
        pairs.extend_from_slice(extra);
        settings(&pairs)
    }

    #[test]
    fn disallowed_region_is_a_violation() {
        let v = violation(&run_instances("sa-east-1"), &settings(&[])).unwrap();
        assert_eq!(v.action, "ec2:RunInstances");
        assert_eq!(v.region, "sa-east-1");
        assert_eq!(
            v.subjects,
            Subjects::Instances(vec!["i-0e5".into(), "i-0e6".into()])
        );
        assert!(
            v.reason.contains(
                "sa-east-1, which is not an allowed region (allowed: ap-northeast-2, eu-west-1)"
            ),
            "{}",
            v.reason
        );
    }

    #[test]
    fn clear_calls() {
        let s = settings(&[]);
        assert_eq!(
            violation(&run_instances("AP-NORTHEAST-2"), &s),
            Err(Clear::AllowedRegion {
                region: "AP-NORTHEAST-2".into()
            })
        );
        let global = call(
            "iam.amazonaws.com",
            "CreateUser",
            "us-east-1",
            false,
            Value::Null,
        );
        assert_eq!(
            violation(&global, &s),
            Err(Clear::ExemptAction {
                action: "iam:CreateUser".into(),
                pattern: "iam:*".into()
            })
        );
        let read = call(
            "ec2.amazonaws.com",
            "DescribeInstances",
            "sa-east-1",
            true,
            Value::Null,
        );
        assert_eq!(
            violation(&read, &s),
            Err(Clear::ReadOnly {
                action: "ec2:DescribeInstances".into()
            })
        );
        let with_reads = settings(&[("GUARDRAIL_REGION_INCLUDE_READ_ONLY", "true")]);
        assert!(violation(&read, &with_reads).is_ok());
        let extra = settings(&[("GUARDRAIL_REGION_EXEMPT_ACTIONS", "ec2:Run*")]);
        assert!(matches!(
            violation(&run_instances("sa-east-1"), &extra),
            Err(Clear::ExemptAction { .. })
        ));
        let off = settings(&[("GUARDRAIL_RULE_MODES", "region-not-allowed=off")]);
        assert_eq!(
            violation(&run_instances("sa-east-1"), &off),
            Err(Clear::Off)
        );
    }

    #[test]
    fn no_allow_list_means_inactive_and_says_so() {
        let s = Settings::default();
        let err = violation(&run_instances("sa-east-1"), &s).unwrap_err();
        assert_eq!(err, Clear::Inactive);
        assert!(err.to_string().contains("GUARDRAIL_ALLOWED_REGIONS"));
    }

    #[test]
    fn console_sign_in_is_not_judged() {
        let mut c = run_instances("sa-east-1");
        c.kind = crate::trigger::CallKind::ConsoleSignIn;
        assert_eq!(violation(&c, &settings(&[])), Err(Clear::SignIn));
    }

    #[test]
    fn running_instances_are_stopped_in_one_step() {
        let s = remediating(&[]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let current = Current {
            instances: vec![
                instance("i-0e5", "running", &[]),
                instance("i-0e6", "pending", &[]),
            ],
            volume: None,
        };
        let f = assess(&v, &current, &ctx(), &s).unwrap();
        assert_eq!(f.rule, "region-not-allowed");
        assert_eq!(f.severity, crate::severity::Severity::High);
        assert_eq!(f.region, "sa-east-1");
        assert_eq!(
            f.resource.arn,
            "arn:aws:ec2:sa-east-1:123456789012:instance/i-0e5"
        );
        assert!(
            f.reason
                .contains("it launched i-0e5 (running), i-0e6 (pending)"),
            "{}",
            f.reason
        );
        assert_eq!(f.actions.len(), 1);
        assert_eq!(
            f.actions[0].step,
            RemediationStep::StopInstances {
                region: "sa-east-1".into(),
                instance_ids: vec!["i-0e5".into(), "i-0e6".into()]
            }
        );
        assert_eq!(f.actions[0].status, ActionStatus::Pending);
    }

    #[test]
    fn only_instances_still_running_are_stopped() {
        let s = remediating(&[]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let current = Current {
            instances: vec![instance("i-0e6", "running", &[])],
            volume: None,
        };
        let f = assess(&v, &current, &ctx(), &s).unwrap();
        assert!(
            f.reason.contains("i-0e5 (no longer exists)"),
            "{}",
            f.reason
        );
        assert_eq!(
            f.actions[0].step,
            RemediationStep::StopInstances {
                region: "sa-east-1".into(),
                instance_ids: vec!["i-0e6".into()]
            }
        );
    }

    #[test]
    fn stopped_instances_are_already_done() {
        let s = remediating(&[]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let current = Current {
            instances: vec![
                instance("i-0e5", "stopped", &[]),
                instance("i-0e6", "stopping", &[]),
            ],
            volume: None,
        };
        let f = assess(&v, &current, &ctx(), &s).unwrap();
        assert_eq!(f.actions[0].status, ActionStatus::AlreadyDone);
        // Stopped is not terminated: terminate still has work to do.
        let t = remediating(&[("GUARDRAIL_REGION_INSTANCE_ACTION", "terminate")]);
        let f = assess(&v, &current, &ctx(), &t).unwrap();
        assert!(matches!(
            f.actions[0].step,
            RemediationStep::TerminateInstances { .. }
        ));
        assert_eq!(f.actions[0].status, ActionStatus::Pending);
        let gone = Current {
            instances: vec![instance("i-0e5", "terminated", &[])],
            volume: None,
        };
        let f = assess(&v, &gone, &ctx(), &t).unwrap();
        assert_eq!(f.actions[0].status, ActionStatus::AlreadyDone);
    }

    #[test]
    fn instance_action_none_alerts_only() {
        let s = remediating(&[("GUARDRAIL_REGION_INSTANCE_ACTION", "none")]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let f = assess(&v, &Current::default(), &ctx(), &s).unwrap();
        assert!(f.actions.is_empty());
    }

    #[test]
    fn dry_run_and_alert_mode_plan_only() {
        let current = Current {
            instances: vec![instance("i-0e5", "running", &[])],
            volume: None,
        };
        let dry = settings(&[("GUARDRAIL_DEFAULT_MODE", "remediate")]);
        let v = violation(&run_instances("sa-east-1"), &dry).unwrap();
        let f = assess(&v, &current, &ctx(), &dry).unwrap();
        assert_eq!(f.actions[0].status, ActionStatus::Planned);
        let alert = settings(&[("GUARDRAIL_DRY_RUN", "false")]);
        let v = violation(&run_instances("sa-east-1"), &alert).unwrap();
        let f = assess(&v, &current, &ctx(), &alert).unwrap();
        assert_eq!(f.actions[0].status, ActionStatus::Recommended);
    }

    #[test]
    fn exempt_tag_spares_instances() {
        let s = remediating(&[]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let tag = [("guardrail:exempt", "lab")];
        let partly = Current {
            instances: vec![
                instance("i-0e5", "running", &tag),
                instance("i-0e6", "running", &[]),
            ],
            volume: None,
        };
        let f = assess(&v, &partly, &ctx(), &s).unwrap();
        assert_eq!(f.resource.id, "i-0e6");
        assert!(
            f.reason.contains("i-0e5 (running, exempt by tag)"),
            "{}",
            f.reason
        );
        assert_eq!(
            f.actions[0].step,
            RemediationStep::StopInstances {
                region: "sa-east-1".into(),
                instance_ids: vec!["i-0e6".into()]
            }
        );
        let all = Current {
            instances: vec![
                instance("i-0e5", "running", &tag),
                instance("i-0e6", "running", &tag),
            ],
            volume: None,
        };
        assert!(matches!(
            assess(&v, &all, &ctx(), &s),
            Err(Skip::ExemptResource { .. })
        ));
    }

    fn create_volume() -> ApiCall {
        call(
            "ec2.amazonaws.com",
            "CreateVolume",
            "sa-east-1",
            false,
            json!({"volumeId": "vol-0ccc"}),
        )
    }

    fn volume_facts(tags: &[(&str, &str)]) -> VolumeFacts {
        VolumeFacts {
            id: "vol-0ccc".into(),
            region: "sa-east-1".into(),
            account: "123456789012".into(),
            encrypted: true,
            state: "available".into(),
            attached_to: Vec::new(),
            availability_zone: "sa-east-1a".into(),
            size_gib: Some(8),
            kms_key_id: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn volumes_are_deleted_only_when_configured() {
        let keep = remediating(&[]);
        let v = violation(&create_volume(), &keep).unwrap();
        let current = Current {
            instances: Vec::new(),
            volume: Some(volume_facts(&[])),
        };
        let f = assess(&v, &current, &ctx(), &keep).unwrap();
        assert_eq!(
            f.resource.arn,
            "arn:aws:ec2:sa-east-1:123456789012:volume/vol-0ccc"
        );
        assert!(f.actions.is_empty());
        assert!(
            f.reason.contains("it created volume vol-0ccc (available)"),
            "{}",
            f.reason
        );

        let delete = remediating(&[("GUARDRAIL_REGION_DELETE_VOLUMES", "true")]);
        let f = assess(&v, &current, &ctx(), &delete).unwrap();
        assert_eq!(
            f.actions[0].step,
            RemediationStep::DeleteVolume {
                region: "sa-east-1".into(),
                volume_id: "vol-0ccc".into()
            }
        );
        assert_eq!(f.actions[0].status, ActionStatus::Pending);
        let f = assess(&v, &Current::default(), &ctx(), &delete).unwrap();
        assert_eq!(f.actions[0].status, ActionStatus::AlreadyDone);
        let tagged = Current {
            instances: Vec::new(),
            volume: Some(volume_facts(&[("guardrail:exempt", "")])),
        };
        assert!(assess(&v, &tagged, &ctx(), &delete).is_err());
    }

    #[test]
    fn other_calls_are_alerted_once_per_action_and_region() {
        let s = remediating(&[]);
        let c = call(
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            "sa-east-1",
            false,
            Value::Null,
        );
        let v = violation(&c, &s).unwrap();
        let f = assess(&v, &Current::default(), &ctx(), &s).unwrap();
        assert!(f.actions.is_empty());
        assert_eq!(f.resource.id, "lambda:CreateFunction20150331");
        assert_eq!(
            f.incident_key(),
            "region-not-allowed|arn:aws:lambda:sa-east-1:123456789012:api-call/CreateFunction20150331|lambda:CreateFunction20150331"
        );
    }

    #[test]
    fn incident_is_per_launch_not_per_event() {
        let s = remediating(&[]);
        let v = violation(&run_instances("sa-east-1"), &s).unwrap();
        let f = assess(&v, &Current::default(), &ctx(), &s).unwrap();
        assert_eq!(
            f.incident_key(),
            "region-not-allowed|arn:aws:ec2:sa-east-1:123456789012:instance/i-0e5"
        );
    }
}
