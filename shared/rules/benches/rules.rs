//! Rules throughput: what a function does with one event besides waiting for AWS. Every file
//! of `events/` (as text) is decoded, screened by the gate, routed to its function's rules and
//! judged against synthetic facts standing in for the re-read state (the unencrypted volume,
//! the policy document, the console user, the running instances; IAM and tamper events go
//! through the registry's judges as the functions run them), and each finding is
//! rendered into its alert. Run: `cargo bench -p guardrail-rules --bench rules`
//! (quick: `-- --warm-up-time 1 --measurement-time 3`). Criterion reports the time for the
//! whole set and, from the element throughput, events per second on one core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use guardrail_rules::alert;
use guardrail_rules::ebs::{self, EventContext, RegionFacts, VolumeFacts};
use guardrail_rules::gate;
use guardrail_rules::iam::{self, IamChange, PolicySubject};
use guardrail_rules::region::{self, Current, InstanceFacts, Subjects};
use guardrail_rules::rules::iam_permissions_boundary_missing::BoundaryState;
use guardrail_rules::rules::iam_user_console_without_mfa::ConsoleUser;
use guardrail_rules::rules::registry::{
    call_judges, ChangeRead, Need, PrincipalsRead, Read, SnapshotShares,
};
use guardrail_rules::rules::Function as Func;
use guardrail_rules::trigger::{decode_str, ApiCall, ConfigMessage, Trigger};
use guardrail_rules::{Finding, Settings};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};

const ADMIN_DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Which function handles a file.
#[derive(Clone, Copy, PartialEq)]
enum Function {
    Ebs,
    Iam,
    Region,
    Tamper,
}

fn events() -> Vec<(Function, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut out = Vec::new();
    for (dir, function) in [
        ("ebs", Function::Ebs),
        ("iam", Function::Iam),
        ("signin", Function::Iam),
        ("region", Function::Region),
        ("tamper", Function::Tamper),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("events dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        out.extend(
            files
                .iter()
                .map(|p| (function, std::fs::read_to_string(p).expect("read"))),
        );
    }
    out
}

fn settings() -> Settings {
    let env: BTreeMap<&str, &str> = [
        ("GUARDRAIL_DRY_RUN", "false"),
        ("GUARDRAIL_DEFAULT_MODE", "remediate"),
        ("GUARDRAIL_ALLOWED_REGIONS", "ap-northeast-2"),
        ("GUARDRAIL_ACCOUNT_ID", "123456789012"),
        (
            "GUARDRAIL_OWN_ROLE_ARN",
            "arn:aws:iam::123456789012:role/guardrail-ebs-encryption",
        ),
        (
            "GUARDRAIL_EXEMPT_PRINCIPALS",
            "arn:aws:iam::123456789012:role/break-glass-*",
        ),
        (
            "GUARDRAIL_MFA_POLICY_ARN",
            "arn:aws:iam::123456789012:policy/GuardrailMfaEnforcement",
        ),
    ]
    .into_iter()
    .collect();
    Settings::from_lookup(|k| env.get(k).map(|v| v.to_string())).expect("settings")
}

fn ebs_call(call: &ApiCall, settings: &Settings, out: &mut Vec<Finding>) {
    let ctx = EventContext::of(call);
    for id in ebs::volume_ids(call) {
        let volume = VolumeFacts {
            id,
            region: call.region.clone(),
            account: call.account.clone(),
            encrypted: false,
            state: "available".to_string(),
            attached_to: Vec::new(),
            availability_zone: "ap-northeast-2a".to_string(),
            size_gib: Some(8),
            kms_key_id: None,
            tags: BTreeMap::new(),
        };
        let region = RegionFacts {
            region: call.region.clone(),
            account: call.account.clone(),
            encryption_by_default: false,
        };
        if let Ok(f) = ebs::assess(&volume, Some(&region), &ctx, settings) {
            out.extend(f);
        }
    }
}

/// The synthetic re-read a judge's need stands for: the document the event carries (else an
/// admin policy) as the current default, still attached; a console user with a password and
/// no MFA; an active key; a principal with no boundary.
fn synthetic(call: &ApiCall, need: &Need) -> Read {
    let doc = call
        .request_str("policyDocument")
        .or_else(|| call.request_str("assumeRolePolicyDocument"))
        .unwrap_or(ADMIN_DOC)
        .to_string();
    let change = match need {
        Need::Nothing => return Read::Nothing,
        Need::Boundary(_) => return Read::Boundary(Some(BoundaryState::default())),
        Need::Principals(_) => return Read::Principals(PrincipalsRead::default()),
        // The EC2 and Config needs: still as the event left them.
        Need::Volumes { .. } | Need::InstanceVolumes { .. } | Need::Created { .. } => {
            return Read::Nothing
        }
        // The group as gone: the bench measures the judgement's path, not the revoke.
        Need::SecurityGroupRules { .. } => return Read::SecurityGroupRules(None),
        Need::EbsDefault { region } => {
            return Read::EbsDefault(RegionFacts {
                region: region.clone(),
                account: call.account.clone(),
                encryption_by_default: false,
            })
        }
        Need::SnapshotShares { snapshot_id, .. } => {
            return Read::SnapshotShares(Some(SnapshotShares {
                snapshot_id: snapshot_id.clone(),
                public: true,
                accounts: Vec::new(),
                tags: Default::default(),
            }))
        }
        Need::ImageShares { image_id, .. } => {
            return Read::ImageShares(Some(SnapshotShares {
                snapshot_id: image_id.clone(),
                public: true,
                accounts: Vec::new(),
                tags: Default::default(),
            }))
        }
        Need::Recorder { .. } => return Read::Recorder(Some(false)),
        Need::Trail { .. } => return Read::Trail(Some(false)),
        Need::TrailBuckets { .. } => return Read::TrailBuckets(Vec::new()),
        Need::Key { .. } => return Read::Key(Some("Disabled".to_string())),
        Need::EventRule { .. } => return Read::EventRule(Some(false)),
        Need::Ec2BlockPublicAccess { .. } => {
            return Read::Ec2BlockPublicAccess("unblocked".to_string())
        }
        Need::PublicAccessBlock { .. } => return Read::PublicAccessBlock(Some(Default::default())),
        Need::ResourceTags { .. } => return Read::ResourceTags(Default::default()),
        // Each counter at one: below any threshold, the common case.
        Need::Tallies(t) => return Read::Tallies(Some(vec![1; t.len()])),
        Need::Change(change) => change,
    };
    Read::Change(match change.clone() {
        IamChange::PolicyVersion {
            policy_arn,
            version_id,
        } => ChangeRead::PolicyVersion {
            policy_arn,
            current: Some((version_id.clone().unwrap_or_else(|| "v2".to_string()), doc)),
            event_version: version_id,
            previous: Some("v1".to_string()),
            previous_document: None,
        },
        IamChange::Attached { target, policy_arn } => ChangeRead::Attached {
            target,
            attached: Some(vec![policy_arn.clone()]),
            policy_arn,
            document: Some(doc),
        },
        IamChange::Inline {
            target,
            policy_name,
        } => ChangeRead::Inline {
            target,
            policy_name,
            document: Some(doc),
        },
        IamChange::Trust { role_name } => ChangeRead::Trust {
            role_name,
            document: Some(doc),
        },
        IamChange::ConsoleAccess { user_name } => ChangeRead::ConsoleAccess {
            user: Some(ConsoleUser {
                user_name: user_name.clone(),
                has_password: true,
                mfa_devices: 0,
                attached_policies: Vec::new(),
            }),
            user_name,
        },
        IamChange::AccessKey {
            user_name,
            access_key_id,
        } => ChangeRead::AccessKey {
            user_name,
            access_key_id,
            active: Some(true),
        },
        IamChange::Nothing => return Read::Nothing,
    })
}

/// The registry's judges of `function`, as `guardrail_aws::judges` runs them, on synthetic
/// reads. The principal rules are left out (their facts are a whole account: `access` bench).
fn judged_call(function: Func, call: &ApiCall, settings: &Settings, out: &mut Vec<Finding>) {
    let ctx = EventContext::of(call);
    for judge in call_judges(function) {
        let Some(need) = (judge.needs)(call, settings) else {
            continue;
        };
        if matches!(need, Need::Principals(_)) {
            continue;
        }
        out.extend((judge.judge)(call, &synthetic(call, &need), &ctx, settings).findings);
    }
}

fn region_call(call: &ApiCall, settings: &Settings, out: &mut Vec<Finding>) {
    let Ok(v) = region::violation(call, settings) else {
        return;
    };
    let current = match &v.subjects {
        Subjects::Instances(ids) => Current {
            instances: ids
                .iter()
                .map(|id| InstanceFacts {
                    id: id.clone(),
                    state: "running".to_string(),
                    tags: BTreeMap::new(),
                })
                .collect(),
            volume: None,
        },
        _ => Current::default(),
    };
    if let Ok(f) = region::assess(&v, &current, &EventContext::of(call), settings) {
        out.push(f);
    }
}

/// One event through decode → screen → route → judge → render. Returns the alerts' bytes.
fn handle(function: Function, text: &str, settings: &Settings) -> usize {
    let Ok(trigger) = decode_str(text) else {
        return 0;
    };
    let mut findings = Vec::new();
    match &trigger {
        Trigger::ApiCall(call) => {
            if gate::screen(call, settings).is_err() {
                return 0;
            }
            match function {
                Function::Ebs => ebs_call(call, settings, &mut findings),
                Function::Iam => judged_call(Func::IamGuard, call, settings, &mut findings),
                Function::Tamper => judged_call(Func::TamperGuard, call, settings, &mut findings),
                Function::Region => region_call(call, settings, &mut findings),
            }
        }
        Trigger::Config(inv) => {
            if let ConfigMessage::ItemChange(item) | ConfigMessage::Oversized(item) = &inv.message {
                black_box(ebs::evaluate_config_item(
                    item,
                    inv.event_left_scope,
                    &settings.exempt_tag,
                ));
            }
        }
        Trigger::Schedule(_) => {}
    }
    findings
        .iter()
        .map(|f| {
            let a = alert::render(f);
            black_box(f.incident_key());
            a.message.len() + a.subject.len()
        })
        .sum()
}

fn benches(c: &mut Criterion) {
    let all = events();
    let settings = settings();
    // Warm the lazily built action catalogue outside the measurement.
    let _ = guardrail_rules::policy::catalog();
    let alerted = all
        .iter()
        .filter(|(f, t)| handle(*f, t, &settings) > 0)
        .count();
    eprintln!(
        "{} events ({} alert), {} bytes of JSON",
        all.len(),
        alerted,
        all.iter().map(|(_, t)| t.len()).sum::<usize>()
    );

    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function(
        format!("all_{}_events_decode_screen_judge_render", all.len()),
        |b| {
            b.iter(|| {
                all.iter()
                    .map(|(f, t)| handle(*f, black_box(t), &settings))
                    .sum::<usize>()
            })
        },
    );
    g.bench_function(format!("all_{}_events_decode_only", all.len()), |b| {
        b.iter(|| {
            all.iter()
                .filter(|(_, t)| decode_str(black_box(t)).is_ok())
                .count()
        })
    });
    g.finish();

    // Attribution: the policy analyses alone (the documents the IAM events carry, else the admin
    // document, as `iam_call` judges them), and the rendering of every alert alone.
    let docs: Vec<(String, &str)> = all
        .iter()
        .filter(|(f, _)| *f == Function::Iam)
        .filter_map(|(_, t)| match decode_str(t) {
            Ok(Trigger::ApiCall(call)) if gate::screen(&call, &settings).is_ok() => {
                let doc = call
                    .request_str("policyDocument")
                    .or_else(|| call.request_str("assumeRolePolicyDocument"))
                    .unwrap_or(ADMIN_DOC)
                    .to_string();
                match iam::change(&call) {
                    IamChange::Nothing
                    | IamChange::ConsoleAccess { .. }
                    | IamChange::AccessKey { .. } => None,
                    _ => Some((doc, "")),
                }
            }
            _ => None,
        })
        .collect();
    let subject = PolicySubject::Inline {
        target: guardrail_rules::plan::IamTarget {
            kind: guardrail_rules::plan::IamTargetKind::Role,
            name: "r".to_string(),
        },
        policy_name: "p".to_string(),
    };
    let ctx = EventContext {
        principal: None,
        event_id: Some("e".to_string()),
    };
    let mut g = c.benchmark_group("attribution");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function(format!("iam_policy_judgements_{}", docs.len()), |b| {
        b.iter(|| {
            docs.iter()
                .map(|(d, _)| {
                    iam::policy(
                        &subject,
                        black_box(d),
                        "123456789012",
                        "us-east-1",
                        &ctx,
                        &settings,
                    )
                    .map(|f| f.len())
                    .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
    let mut findings = Vec::new();
    for (f, t) in &all {
        if let Ok(Trigger::ApiCall(call)) = decode_str(t) {
            if gate::screen(&call, &settings).is_ok() {
                match f {
                    Function::Ebs => ebs_call(&call, &settings, &mut findings),
                    Function::Iam => judged_call(Func::IamGuard, &call, &settings, &mut findings),
                    Function::Region => region_call(&call, &settings, &mut findings),
                    Function::Tamper => {
                        judged_call(Func::TamperGuard, &call, &settings, &mut findings)
                    }
                }
            }
        }
    }
    g.throughput(Throughput::Elements(findings.len() as u64));
    g.bench_function(format!("render_{}_alerts", findings.len()), |b| {
        b.iter(|| {
            findings
                .iter()
                .map(|f| alert::render(black_box(f)).message.len())
                .sum::<usize>()
        })
    });
    g.finish();

    for (name, function) in [
        ("ebs", Function::Ebs),
        ("iam_signin", Function::Iam),
        ("region", Function::Region),
        ("tamper", Function::Tamper),
    ] {
        let subset: Vec<&String> = all
            .iter()
            .filter(|(f, _)| *f == function)
            .map(|(_, t)| t)
            .collect();
        let mut g = c.benchmark_group(format!("rules_{name}"));
        g.throughput(Throughput::Elements(subset.len() as u64));
        g.bench_function(format!("{}_events", subset.len()), |b| {
            b.iter(|| {
                subset
                    .iter()
                    .map(|t| handle(function, black_box(t), &settings))
                    .sum::<usize>()
            })
        });
        g.finish();
    }
}

criterion_group!(rules, benches);
criterion_main!(rules);
