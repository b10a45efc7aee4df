//! The templates follow from the rules: every function's role grants exactly what the rules it
//! runs declare (their reads, their triggers' needs, their steps' calls) plus its plumbing,
//! nothing more; the member accounts' role grants what the central functions do there; the
//! AWS Config rules and the schedule invoke the functions whose rules subscribe to them.
//! (The EventBridge patterns are matched by a real pattern engine: `tests/wiring.rs`.)

#[path = "support/template.rs"]
mod template;

use guardrail_rules::permission::{Permission, Resource};
use guardrail_rules::policy::catalog::catalog;
use guardrail_rules::rules::{Function, Subscription, ALL};
use serde_json::json;
use std::collections::BTreeSet;
use template::{grants, load, resource, Grants};

fn role_id(f: Function) -> String {
    f.logical_id().replace("Function", "Role")
}

fn log_group(f: Function) -> String {
    f.logical_id().replace("Function", "LogGroup")
}

/// Compare what a role grants with what is declared: every difference, in words.
fn compare(
    what: &str,
    granted: &Grants,
    unknown: &[String],
    declared: &[Permission],
) -> Vec<String> {
    let mut problems: Vec<String> = unknown
        .iter()
        .map(|u| format!("{what}: resource the declarations cannot name: {u}"))
        .collect();
    let want: BTreeSet<(String, Resource)> = declared
        .iter()
        .map(|p| (p.action.to_string(), p.resource))
        .collect();
    for (pair, statements) in granted {
        if !want.contains(pair) {
            problems.push(format!(
                "{what} grants {} on {:?}, which no rule it runs declares",
                pair.0, pair.1
            ));
        }
        // Every statement granting it carries one of the declared guards (when every
        // declaration of the pair has one): two statements may guard it differently.
        let guards: Vec<Option<&str>> = declared
            .iter()
            .filter(|p| p.action == pair.0 && p.resource == pair.1)
            .map(|p| p.condition)
            .collect();
        if !guards.is_empty() && guards.iter().all(Option::is_some) {
            for keys in statements {
                if !guards.iter().flatten().any(|k| keys.contains(*k)) {
                    problems.push(format!(
                        "{what} grants {} on {:?} without a condition on {}",
                        pair.0,
                        pair.1,
                        guards
                            .iter()
                            .flatten()
                            .copied()
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                }
            }
        }
    }
    for pair in &want {
        if !granted.contains_key(pair) {
            problems.push(format!(
                "{what} does not grant {} on {:?}, which its rules need",
                pair.0, pair.1
            ));
        }
    }
    problems
}

#[test]
fn every_function_role_grants_exactly_what_its_rules_declare() {
    let t = load("template.yaml");
    let mut problems = Vec::new();
    for f in Function::ALL {
        let (granted, unknown) = grants(resource(&t, &role_id(f)), &log_group(f));
        problems.extend(compare(&role_id(f), &granted, &unknown, &f.permissions()));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_member_role_grants_what_the_central_functions_do_in_a_member_account() {
    let t = load("templates/member.yaml");
    let (granted, unknown) = grants(resource(&t, "GuardrailRemediationRole"), "");
    // In a member account the functions read and act; logs, alerts, the ledger and Security
    // Hub stay central. Steps that cannot run there (the boundary is the home account's) are
    // not granted, nor is anything on the home stack's own resources (`{stack}`): a member
    // account has none.
    let mut declared: Vec<Permission> = Vec::new();
    for f in Function::ALL {
        let plumbing = f.plumbing();
        let withheld: Vec<Permission> = ALL
            .iter()
            .flat_map(|m| m.runs)
            .filter(|r| r.function == f)
            .flat_map(|r| r.steps)
            .filter(|s| !s.in_member_accounts())
            .flat_map(|s| s.permissions())
            .copied()
            .collect();
        declared.extend(
            f.permissions()
                .into_iter()
                .filter(|p| !plumbing.contains(p) && !withheld.contains(p))
                .filter(|p| !matches!(p.resource, Resource::Arn(arn) if arn.contains("{stack}"))),
        );
    }
    declared.sort();
    declared.dedup();
    let problems = compare("GuardrailRemediationRole", &granted, &unknown, &declared);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn config_rules_and_the_schedule_invoke_the_functions_that_subscribe_to_them() {
    let t = load("template.yaml");
    let resources = t["Resources"].as_object().expect("Resources");
    // (function, subscription) pairs the template wires outside EventBridge patterns.
    let mut wired: Vec<(Function, Subscription)> = Vec::new();
    for (id, r) in resources {
        let target = |v: &serde_json::Value| {
            v.pointer("/Fn::GetAtt/0")
                .and_then(|s| s.as_str())
                .and_then(Function::by_logical_id)
        };
        match r["Type"].as_str() {
            Some("AWS::Config::ConfigRule") => {
                let f = target(&r["Properties"]["Source"]["SourceIdentifier"])
                    .unwrap_or_else(|| panic!("{id}: not one of our functions"));
                let details = r["Properties"]["Source"]["SourceDetails"]
                    .as_array()
                    .expect("SourceDetails");
                let types: Vec<String> = r
                    .pointer("/Properties/Scope/ComplianceResourceTypes")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                for d in details {
                    match d["MessageType"].as_str() {
                        Some("ScheduledNotification") => {
                            wired.push((f, Subscription::ConfigPeriodic))
                        }
                        Some("ConfigurationItemChangeNotification") => {
                            let declared = f.subscriptions().into_iter().find_map(|s| match s {
                                Subscription::ConfigChanges { resource_types } => {
                                    Some(resource_types)
                                }
                                _ => None,
                            });
                            let declared = declared.unwrap_or_else(|| {
                                panic!("{id}: {} declares no Config changes", f.name())
                            });
                            assert_eq!(types, declared, "{id}: resource types");
                            wired.push((
                                f,
                                Subscription::ConfigChanges {
                                    resource_types: declared,
                                },
                            ));
                        }
                        Some("OversizedConfigurationItemChangeNotification") => {}
                        other => panic!("{id}: message type {other:?}"),
                    }
                }
            }
            Some("AWS::Events::Rule") if r["Properties"].get("ScheduleExpression").is_some() => {
                for t in r["Properties"]["Targets"].as_array().expect("Targets") {
                    let f = target(&t["Arn"]).unwrap_or_else(|| panic!("{id}: target"));
                    wired.push((f, Subscription::Schedule));
                }
            }
            _ => {}
        }
    }
    let outside_patterns = |s: &Subscription| {
        matches!(
            s,
            Subscription::ConfigChanges { .. }
                | Subscription::ConfigPeriodic
                | Subscription::Schedule
        )
    };
    for f in Function::ALL {
        let want: Vec<Subscription> = f
            .subscriptions()
            .into_iter()
            .filter(outside_patterns)
            .collect();
        let mut got: Vec<Subscription> = wired
            .iter()
            .filter(|(g, _)| *g == f)
            .map(|(_, s)| *s)
            .collect();
        got.dedup();
        for s in &want {
            assert!(
                got.contains(s),
                "{}: {s:?} is declared but not wired",
                f.name()
            );
        }
        for s in &got {
            assert!(
                want.contains(s),
                "{}: {s:?} is wired but no rule subscribes",
                f.name()
            );
        }
    }
}

#[test]
fn functions_are_deployed_where_their_events_arrive() {
    let t = load("template.yaml");
    for f in Function::ALL {
        let condition = resource(&t, f.logical_id())["Condition"].as_str();
        assert_eq!(
            condition == Some("IsUsEast1"),
            f.us_east_1_only(),
            "{}: Condition {condition:?}",
            f.name()
        );
    }
}

#[test]
fn declarations_name_real_calls_and_every_rule_runs_somewhere() {
    for meta in ALL {
        // Only a policy-engine rule may run nowhere but in the `guardrail` command
        // (check-policy, check-template), which judges every rule of the engine.
        let command_only = guardrail_rules::policy::analysis::rules::ALL
            .iter()
            .any(|(id, _)| *id == meta.id);
        assert!(
            !meta.runs.is_empty() || command_only,
            "{} runs nowhere",
            meta.id
        );
        for runs in meta.runs {
            for t in runs.triggers {
                if let Subscription::ApiCalls { source, names } = t {
                    let service = source.strip_suffix(".amazonaws.com").expect(source);
                    for name in *names {
                        let action = guardrail_rules::rules::runs::iam_action(service, name);
                        assert!(
                            catalog().access_level(&action).is_some(),
                            "{}: {service}:{name} is not an action",
                            meta.id
                        );
                    }
                }
            }
            for p in runs.reads {
                assert!(
                    catalog().access_level(p.action).is_some(),
                    "{}: {}",
                    meta.id,
                    p.action
                );
            }
        }
    }
    for f in Function::ALL {
        assert!(f.rules().next().is_some(), "{} runs no rule", f.name());
    }
}

#[test]
fn every_rule_of_a_judging_function_has_exactly_one_judge() {
    use guardrail_rules::rules::registry::{CALL_JUDGES, FAILED_CALL_JUDGES};
    // Every function that judges API calls runs only registry judges
    // (guardrail_aws::judges): each rule it runs on calls is judged once, by one registry line.
    let judging = [
        Function::IamGuard,
        Function::TamperGuard,
        Function::ExposureGuard,
        Function::EbsEncryption,
        Function::RegionGuard,
    ];
    for meta in ALL {
        let on_calls = |r: &&guardrail_rules::rules::Runs| {
            judging.contains(&r.function) && r.triggers.iter().any(|t| t.is_call())
        };
        if !meta.runs.iter().any(|r| on_calls(&r)) {
            continue;
        }
        // Judges of successful calls and judges of failed calls (the refusal counters).
        let judges = CALL_JUDGES
            .iter()
            .chain(FAILED_CALL_JUDGES)
            .filter(|j| j.rules.iter().any(|m| m.id == meta.id))
            .count();
        assert_eq!(judges, 1, "{} has {judges} judges", meta.id);
    }
    for judge in CALL_JUDGES.iter().chain(FAILED_CALL_JUDGES) {
        assert!(
            judging.iter().any(|f| judge.runs_in(*f)),
            "{}",
            judge.rules[0].id
        );
    }
}

#[test]
fn a_judge_given_the_wrong_facts_says_so() {
    use guardrail_rules::finding::EventContext;
    use guardrail_rules::rules::registry::{Need, Read, CALL_JUDGES};
    use guardrail_rules::Settings;
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../events/iam/create-access-key.json"),
    )
    .unwrap();
    let event: serde_json::Value = serde_json::from_str(&text).unwrap();
    let Ok(guardrail_rules::trigger::Trigger::ApiCall(call)) =
        guardrail_rules::trigger::decode(&event)
    else {
        panic!("an API call")
    };
    let settings = Settings::default();
    let ctx = EventContext::of(&call);
    let mut judged_some = false;
    for judge in CALL_JUDGES {
        let Some(need) = (judge.needs)(&call, &settings) else {
            continue;
        };
        if need == Need::Nothing {
            continue; // judged from the event, whatever was read
        }
        judged_some = true;
        let judged = (judge.judge)(&call, &Read::Boundary(None), &ctx, &settings);
        assert!(judged.findings.is_empty(), "{}", judge.rules[0].id);
        assert!(
            judged.notes.iter().any(|n| n.contains("not judged")),
            "{}: {:?}",
            judge.rules[0].id,
            judged.notes
        );
    }
    assert!(judged_some);
}

#[test]
fn every_rule_the_sweep_runs_has_exactly_one_sweep_judge() {
    use guardrail_rules::rules::registry::SWEEP_JUDGES;
    let sweeps = |meta: &guardrail_rules::rules::RuleMeta| {
        meta.runs
            .iter()
            .any(|r| r.function == Function::AccountSweep)
    };
    for meta in ALL.iter().filter(|m| sweeps(m)) {
        let judges = SWEEP_JUDGES
            .iter()
            .filter(|j| j.rules.iter().any(|m| m.id == meta.id))
            .count();
        assert_eq!(judges, 1, "{} has {judges} sweep judges", meta.id);
    }
    for judge in SWEEP_JUDGES {
        for meta in judge.rules {
            assert!(sweeps(meta), "{} is swept but does not say so", meta.id);
        }
    }
}

/// Every EventBridge rule that sends failed deliveries to the dead-letter queue may send to it:
/// the queue policy names each one (a rule missing there loses the events it cannot deliver).
#[test]
fn every_rule_with_a_dead_letter_queue_may_send_to_it() {
    let t = load("template.yaml");
    let resources = t["Resources"].as_object().expect("Resources");
    let policy = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::SQS::QueuePolicy"
                && r["Properties"]["Queues"]
                    .to_string()
                    .contains("DeadLetterQueue")
        })
        .expect("the dead-letter queue's policy");
    let allowed = policy["Properties"]["PolicyDocument"].to_string();
    for (id, r) in resources {
        if r["Type"] != "AWS::Events::Rule" {
            continue;
        }
        let to_dlq = r["Properties"]["Targets"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|target| {
                target["DeadLetterConfig"]
                    .to_string()
                    .contains("DeadLetterQueue")
            });
        if to_dlq {
            assert!(
                allowed.contains(&format!("\"{id}.Arn\""))
                    || allowed.contains(&format!("\"{id}\"")),
                "{id} sends to the dead-letter queue, whose policy does not name it"
            );
        }
    }
}

/// The settings that belong to particular rules, and those rules: a function that runs one of
/// them must be given the variable, or there the rule silently runs on the default (a partner
/// account's share removed as foreign, a custom admin port never checked).
const RULE_SETTINGS: &[(&str, &[&str])] = &[
    (
        "GUARDRAIL_SHARE_ACCOUNTS",
        &["ebs-snapshot-shared", "ec2-image-shared"],
    ),
    (
        "GUARDRAIL_ADMIN_PORTS",
        &["vpc-security-group-admin-port-open"],
    ),
    (
        "GUARDRAIL_ALLOWED_CIDRS",
        &["network-source-ip-not-allowed"],
    ),
    ("GUARDRAIL_ALLOWED_REGIONS", &["region-not-allowed"]),
    (
        "GUARDRAIL_REQUIRED_BOUNDARY_ARN",
        &["iam-permissions-boundary-missing"],
    ),
    ("GUARDRAIL_KEY_MAX_AGE_DAYS", &["iam-access-key-old"]),
    (
        "GUARDRAIL_DENIED_CALLS_THRESHOLD",
        &["api-calls-unauthorized"],
    ),
    (
        "GUARDRAIL_SIGN_IN_FAILURES_THRESHOLD",
        &["console-sign-in-failures"],
    ),
    ("GUARDRAIL_STACK_NAME", &["guardrail-stack-changed"]),
    (
        "GUARDRAIL_DEPLOYER_PRINCIPALS",
        &["guardrail-stack-changed"],
    ),
];

#[test]
fn every_function_is_given_the_settings_of_the_rules_it_runs() {
    let t = load("template.yaml");
    let mut problems = Vec::new();
    for (var, rules) in RULE_SETTINGS {
        for rule in *rules {
            assert!(
                ALL.iter().any(|m| m.id == *rule),
                "{var}: no rule {rule} (the table is stale)"
            );
        }
        for f in Function::ALL {
            let Some(rule) = f.rules().find(|m| rules.contains(&m.id)) else {
                continue;
            };
            let vars = &resource(&t, f.logical_id())["Properties"]["Environment"]["Variables"];
            if vars.get(var).is_none() {
                problems.push(format!(
                    "{} runs {} but is not given {var}",
                    f.logical_id(),
                    rule.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// People's reads are opt-in: in both templates every rule that asks for read-only calls of
/// any principal other than root's and the refused ones (`readOnly: [true]`) exists only under
/// a condition that needs `NetworkReadCalls=true`, whose default is `"false"`. By default, no
/// read a person makes invokes or is forwarded to anything.
#[test]
fn peoples_reads_are_delivered_only_when_opted_in() {
    for file in ["template.yaml", "templates/member.yaml"] {
        let t = load(file);
        assert_eq!(
            t["Parameters"]["NetworkReadCalls"]["Default"], "false",
            "{file}"
        );
        let mut readers = 0;
        for (id, r) in t["Resources"].as_object().expect("Resources") {
            let pattern = &r["Properties"]["EventPattern"];
            if r["Type"] != "AWS::Events::Rule" || pattern["detail"]["readOnly"] != json!([true]) {
                continue;
            }
            readers += 1;
            let condition = r["Condition"]
                .as_str()
                .unwrap_or_else(|| panic!("{file} {id}"));
            let definition = t["Conditions"][condition].to_string();
            assert!(
                definition.contains(r#""Ref":"NetworkReadCalls""#)
                    && definition.contains(r#""true""#),
                "{file} {id}: condition {condition} is {definition}"
            );
        }
        assert_eq!(readers, 1, "{file}: one rule of people's reads");
    }
}
