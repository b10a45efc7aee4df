//! `network-source-ip-not-allowed` on the `events/network/` files and on calls built from them:
//! the gate, then region-guard's judges through the registry (the rule needs nothing re-read),
//! with `GUARDRAIL_ALLOWED_CIDRS` set as seed 004's DenyIPAddress policy sets its blocks.

use guardrail_rules::alert;
use guardrail_rules::finding::{EventContext, Finding};
use guardrail_rules::gate;
use guardrail_rules::rules::network_source_ip_not_allowed::{self as network, Clear, Person};
use guardrail_rules::rules::registry::{call_judges, Judged, Need, Read};
use guardrail_rules::rules::Function;
use guardrail_rules::settings::SettingsError;
use guardrail_rules::severity::Severity;
use guardrail_rules::trigger::{decode, ApiCall, Trigger};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const RULE: &str = "network-source-ip-not-allowed";
/// The seed's office NAT and VPN blocks, and an IPv6 office block.
const CIDRS: &str = "192.0.2.0/24, 203.0.113.0/24, 2001:db8:100::/48";

fn event(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn call_of(v: &Value) -> Box<ApiCall> {
    match decode(v).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn call(rel: &str) -> Box<ApiCall> {
    call_of(&event(rel))
}

/// `rel` with `edit` applied to its detail.
fn edited(rel: &str, edit: impl FnOnce(&mut Value)) -> Box<ApiCall> {
    let mut e = event(rel);
    edit(&mut e["detail"]);
    call_of(&e)
}

fn settings(env: &[(&str, &str)]) -> Settings {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
}

fn allowed() -> Settings {
    settings(&[
        ("GUARDRAIL_ALLOWED_CIDRS", CIDRS),
        ("GUARDRAIL_ALLOWED_REGIONS", "ap-northeast-2,us-east-1"),
    ])
}

/// What region-guard would judge: the gate, then each of its judges (none re-reads for this
/// rule; region-not-allowed's needs nothing for calls in an allowed region).
fn judged(call: &ApiCall, settings: &Settings) -> Judged {
    let mut out = Judged::default();
    if gate::screen(call, settings).is_err() {
        return out;
    }
    let ctx = EventContext::of(call);
    for judge in call_judges(Function::RegionGuard) {
        let Some(need) = (judge.needs)(call, settings) else {
            continue;
        };
        assert_eq!(need, Need::Nothing, "{}", judge.rules[0].id);
        let j = (judge.judge)(call, &Read::Nothing, &ctx, settings);
        out.findings.extend(j.findings);
        out.notes.extend(j.notes);
        // Every judge's reason, as region-guard's answer joins them.
        out.cleared = match (out.cleared, j.cleared) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
    }
    out
}

fn network_findings(call: &ApiCall, settings: &Settings) -> Vec<Finding> {
    judged(call, settings)
        .findings
        .into_iter()
        .filter(|f| f.rule == RULE)
        .collect()
}

fn one(call: &ApiCall, settings: &Settings) -> Finding {
    let mut found = network_findings(call, settings);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[test]
fn an_iam_users_call_from_outside_alerts_with_the_person_the_address_and_the_call() {
    let c = call("network/iam-user-outside-allowed-cidrs.json");
    let f = one(&c, &allowed());
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.resource.kind, "AWS::IAM::User");
    assert_eq!(f.resource.arn, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(f.resource.id, "alice from 198.51.100.23");
    assert_eq!(f.region, "ap-northeast-2");
    assert!(f.actions.is_empty(), "alert only");
    for words in [
        "IAM user alice called ec2:CreateKeyPair from 198.51.100.23",
        "outside every allowed network (192.0.2.0/24, 203.0.113.0/24, 2001:db8:100::/48)",
        "aws iam update-access-key --user-name alice",
        "GUARDRAIL_ALLOWED_CIDRS",
    ] {
        assert!(f.reason.contains(words), "{words}: {}", f.reason);
    }
    let a = alert::render(&f);
    assert!(
        a.subject.starts_with(
            "[HIGH] API call from outside the allowed networks: alice from 198.51.100.23"
        ),
        "{}",
        a.subject
    );
    // The address is the person's (alice's key from a new place is a new incident).
    assert!(f.incident_key().contains("alice from 198.51.100.23"));
}

#[test]
fn an_identity_center_session_from_outside_in_ipv6_alerts_with_its_permission_set() {
    let c = call("network/sso-session-outside-allowed-cidrs-ipv6.json");
    let f = one(&c, &allowed());
    assert_eq!(f.resource.kind, "AWS::IAM::Role");
    assert!(f.resource.arn.ends_with(
        ":role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_PowerUserAccess_4f2c9d1e7a6b3c85"
    ));
    assert_eq!(f.resource.id, "mina.kim from 2001:db8:4a2:7::17");
    for words in [
        "IAM Identity Center user mina.kim (permission set PowerUserAccess) called \
         ssm:PutParameter from 2001:db8:4a2:7::17, without MFA",
        "Session: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_4f2c9d1e7a6b3c85/mina.kim.",
        "Revoke active sessions",
    ] {
        assert!(f.reason.contains(words), "{words}: {}", f.reason);
    }
}

#[test]
fn addresses_inside_an_allowed_block_are_cleared_in_v4_and_v6() {
    let c = call("network/console-session-inside-allowed-cidrs.json");
    assert_eq!(
        network::judge(&c, &allowed()),
        Err(Clear::Allowed {
            ip: "192.0.2.61".parse().unwrap(),
            block: "192.0.2.0/24".to_string()
        })
    );
    let j = judged(&c, &allowed());
    assert!(j.findings.is_empty(), "{:?}", j.findings);
    let v6 = edited("network/sso-session-outside-allowed-cidrs-ipv6.json", |d| {
        d["sourceIPAddress"] = json!("2001:db8:100:9::4")
    });
    assert!(network_findings(&v6, &allowed()).is_empty());
    // A bare address is one address, as in aws:SourceIp.
    let one_host = settings(&[("GUARDRAIL_ALLOWED_CIDRS", "198.51.100.23")]);
    let c = call("network/iam-user-outside-allowed-cidrs.json");
    assert!(network_findings(&c, &one_host).is_empty());
    let next_door = edited("network/iam-user-outside-allowed-cidrs.json", |d| {
        d["sourceIPAddress"] = json!("198.51.100.24")
    });
    assert_eq!(network_findings(&next_door, &one_host).len(), 1);
    // An IPv4 address is never inside an IPv6 block, nor the other way round.
    let v6_only = settings(&[("GUARDRAIL_ALLOWED_CIDRS", "::/0")]);
    assert_eq!(network_findings(&c, &v6_only).len(), 1);
}

#[test]
fn a_console_session_of_a_federated_role_from_outside_alerts() {
    let c = edited("network/console-session-inside-allowed-cidrs.json", |d| {
        d["sourceIPAddress"] = json!("45.33.32.156")
    });
    let f = one(&c, &allowed());
    assert_eq!(f.resource.arn, "arn:aws:iam::123456789012:role/Admin");
    assert_eq!(f.resource.id, "jun.park@example.com from 45.33.32.156");
    assert!(
        f.reason
            .contains("console session jun.park@example.com of role Admin"),
        "{}",
        f.reason
    );
}

#[test]
fn root_is_a_person_too() {
    let c = edited("network/iam-user-outside-allowed-cidrs.json", |d| {
        d["userIdentity"] = json!({"type": "Root", "arn": "arn:aws:iam::123456789012:root",
            "accountId": "123456789012", "principalId": "123456789012"})
    });
    let f = one(&c, &allowed());
    assert_eq!(f.resource.kind, "AWS::::Account");
    assert_eq!(f.resource.id, "root from 198.51.100.23");
    assert!(f.reason.starts_with("the root user called"), "{}", f.reason);
}

#[test]
fn services_aws_internal_and_vpc_endpoints_are_not_judged() {
    let s = allowed();
    let cfn = call("network/service-call-via-cloudformation.json");
    assert_eq!(
        network::judge(&cfn, &s),
        Err(Clear::ViaService {
            service: "cloudformation.amazonaws.com".to_string()
        })
    );
    // The address alone says so too, invokedBy or not.
    let named = edited("network/service-call-via-cloudformation.json", |d| {
        d["userIdentity"]
            .as_object_mut()
            .unwrap()
            .remove("invokedBy");
    });
    assert!(matches!(
        network::judge(&named, &s),
        Err(Clear::NotAnAddress { .. })
    ));
    let internal = call("network/sso-console-aws-internal.json");
    assert_eq!(
        network::judge(&internal, &s),
        Err(Clear::NotAnAddress {
            source: "AWS Internal".to_string()
        })
    );
    let vpce = call("network/vpc-endpoint-call.json");
    assert_eq!(
        network::judge(&vpce, &s),
        Err(Clear::ViaVpcEndpoint {
            endpoint: "vpce-0a1b2c3d4e5f60721".to_string()
        })
    );
    // Even from a public address: the endpoint's network is the VPC's.
    let vpce_public = edited("network/vpc-endpoint-call.json", |d| {
        d["sourceIPAddress"] = json!("198.51.100.23")
    });
    assert!(network_findings(&vpce_public, &s).is_empty());
    // No address at all, or nonsense: not judged, never a panic.
    for source in [
        json!(null),
        json!(""),
        json!("06.237.252.245"),
        json!("::g"),
    ] {
        let c = edited("network/iam-user-outside-allowed-cidrs.json", |d| {
            d["sourceIPAddress"] = source.clone()
        });
        assert!(network_findings(&c, &s).is_empty(), "{source}");
    }
    for c in [&cfn, &internal, &vpce] {
        assert!(judged(c, &s).findings.is_empty());
    }
}

#[test]
fn roles_used_by_code_and_services_are_not_people() {
    let s = allowed();
    let code = edited("network/console-session-inside-allowed-cidrs.json", |d| {
        d.as_object_mut()
            .unwrap()
            .remove("sessionCredentialFromConsole");
        d["sourceIPAddress"] = json!("45.33.32.156");
    });
    assert_eq!(Person::of(&code), None);
    assert_eq!(network::judge(&code, &s), Err(Clear::NotAPerson));
    // Not this rule's call: it is not even asked (no word in region-guard's answer).
    let j = judged(&code, &s);
    assert!(j.findings.is_empty(), "{j:?}");
    assert_eq!(
        j.cleared.as_deref(),
        Some("ap-northeast-2 is an allowed region")
    );
    for kind in ["AWSService", "AWSAccount", "FederatedUser", "Unknown"] {
        let c = edited("network/iam-user-outside-allowed-cidrs.json", |d| {
            d["userIdentity"]["type"] = json!(kind)
        });
        assert_eq!(Person::of(&c), None, "{kind}");
        assert!(network_findings(&c, &s).is_empty(), "{kind}");
    }
}

#[test]
fn failed_calls_exempt_principals_and_the_guardrails_own_role_are_screened_out() {
    let s = allowed();
    // The preventive deny worked: nothing happened, nothing to report.
    let denied = call("network/iam-user-outside-denied.json");
    assert!(denied.failed());
    assert!(judged(&denied, &s).findings.is_empty());
    let c = call("network/iam-user-outside-allowed-cidrs.json");
    let exempt = settings(&[
        ("GUARDRAIL_ALLOWED_CIDRS", CIDRS),
        (
            "GUARDRAIL_EXEMPT_PRINCIPALS",
            "arn:aws:iam::123456789012:user/ali*",
        ),
    ]);
    assert!(matches!(
        gate::screen(&c, &exempt),
        Err(gate::Skip::ExemptPrincipal { .. })
    ));
    assert!(judged(&c, &exempt).findings.is_empty());
    let own = settings(&[
        ("GUARDRAIL_ALLOWED_CIDRS", CIDRS),
        (
            "GUARDRAIL_OWN_ROLE_ARN",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*",
        ),
    ]);
    let sso = call("network/sso-session-outside-allowed-cidrs-ipv6.json");
    assert!(judged(&sso, &own).findings.is_empty());
}

#[test]
fn without_allowed_cidrs_the_rule_is_inactive_and_says_so() {
    let c = call("network/iam-user-outside-allowed-cidrs.json");
    for env in [&[][..], &[("GUARDRAIL_ALLOWED_CIDRS", " , ")][..]] {
        let s = settings(env);
        assert_eq!(network::judge(&c, &s), Err(Clear::Inactive));
        let j = judged(&c, &s);
        assert!(network_findings(&c, &s).is_empty());
        assert!(
            j.cleared.as_deref().unwrap_or_default().contains(
                "rule network-source-ip-not-allowed is inactive: GUARDRAIL_ALLOWED_CIDRS is not set"
            ),
            "{j:?}"
        );
    }
    let off = settings(&[
        ("GUARDRAIL_ALLOWED_CIDRS", CIDRS),
        ("GUARDRAIL_RULE_MODES", "network-source-ip-not-allowed=off"),
    ]);
    assert!(network_findings(&c, &off).is_empty());
}

#[test]
fn a_malformed_block_is_a_settings_error_naming_the_variable() {
    for bad in [
        "10.0.0/8",
        "192.0.2.0/33",
        "2001:db8::/129",
        "office",
        "192.0.2.0/24;203.0.113.0/24",
        "10.0.0.0/-1",
        "10.0.0.0/",
    ] {
        let env = BTreeMap::from([("GUARDRAIL_ALLOWED_CIDRS".to_string(), bad.to_string())]);
        let err = Settings::from_lookup(|k| env.get(k).cloned()).unwrap_err();
        assert!(
            matches!(
                &err,
                SettingsError::Invalid {
                    var: "GUARDRAIL_ALLOWED_CIDRS",
                    ..
                }
            ),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains("CIDR block"), "{err}");
    }
    let s = settings(&[("GUARDRAIL_ALLOWED_CIDRS", CIDRS)]);
    let blocks: Vec<String> = s.allowed_cidrs.iter().map(network::block_text).collect();
    assert_eq!(
        blocks,
        ["192.0.2.0/24", "203.0.113.0/24", "2001:db8:100::/48"]
    );
}

#[test]
fn the_same_person_from_the_same_address_is_one_incident_a_new_address_another() {
    let s = allowed();
    let first = one(&call("network/iam-user-outside-allowed-cidrs.json"), &s);
    let again = one(
        &edited("network/iam-user-outside-allowed-cidrs.json", |d| {
            d["eventID"] = json!("another-event");
            d["eventName"] = json!("DeleteKeyPair");
        }),
        &s,
    );
    assert_eq!(first.incident_key(), again.incident_key());
    let elsewhere = one(
        &edited("network/iam-user-outside-allowed-cidrs.json", |d| {
            d["sourceIPAddress"] = json!("198.51.100.99")
        }),
        &s,
    );
    assert_ne!(first.incident_key(), elsewhere.incident_key());
}

#[test]
fn a_call_outside_the_allowed_regions_and_networks_is_two_findings() {
    let c = edited("network/iam-user-outside-allowed-cidrs.json", |d| {
        d["awsRegion"] = json!("sa-east-1")
    });
    let j = judged(&c, &allowed());
    let rules: Vec<&str> = j.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["region-not-allowed", RULE]);
}

/// Hostile shapes of the fields the rule reads: decoded or refused, never a panic.
#[test]
fn odd_field_values_do_not_break_the_judgement() {
    let s = allowed();
    for (field, value) in [
        ("vpcEndpointId", json!(17)),
        ("vpcEndpointId", json!({"id": "vpce-1"})),
        ("vpcEndpointId", json!(null)),
        ("sessionCredentialFromConsole", json!(true)),
        ("sessionCredentialFromConsole", json!("yes")),
        ("sessionCredentialFromConsole", json!([1])),
    ] {
        let mut e = event("network/console-session-inside-allowed-cidrs.json");
        e["detail"][field] = value.clone();
        e["detail"]["sourceIPAddress"] = json!("45.33.32.156");
        let c = call_of(&e);
        let found = network_findings(&c, &s);
        let via_vpce = field == "vpcEndpointId" && !value.is_null();
        let console = field != "sessionCredentialFromConsole" || value == json!(true);
        assert_eq!(
            found.len(),
            usize::from(!via_vpce && console),
            "{field}={value}"
        );
    }
}
