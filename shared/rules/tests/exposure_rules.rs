//! `vpc-security-group-admin-port-open` on the `events/exposure/` files (and, when present, the
//! real records of `../shared/data/cloudtrail-samples/`): the gate, then exposure-guard's
//! judges through the registry, with the group's rules "re-read" as each test sets them.

use guardrail_rules::finding::ActionStatus;
use guardrail_rules::finding::EventContext;
use guardrail_rules::gate;
use guardrail_rules::plan::RemediationStep;
use guardrail_rules::rules::registry::{call_judges, Judged, Need, Read};
use guardrail_rules::rules::vpc_security_group_admin_port_open::{GroupRule, GroupRules};
use guardrail_rules::rules::Function;
use guardrail_rules::severity::Severity;
use guardrail_rules::trigger::{decode, decode_str, ApiCall, Trigger};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const SG: &str = "sg-0a1b2c3d4e5f60718";
const SGR: &str = "sgr-0aaaaaaaaaaaaaaa1";
const RULE: &str = "vpc-security-group-admin-port-open";

fn text(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    std::fs::read_to_string(path).unwrap()
}

fn call_of(v: &Value) -> Box<ApiCall> {
    match decode(v).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn call(rel: &str) -> Box<ApiCall> {
    match decode_str(&text(rel)).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn settings(env: &[(&str, &str)]) -> Settings {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
}

/// A re-read ingress rule from a CIDR.
fn rule(id: &str, protocol: &str, from: i32, to: i32, cidr: &str) -> GroupRule {
    let v6 = cidr.contains(':');
    GroupRule {
        rule_id: id.to_string(),
        protocol: protocol.to_string(),
        from_port: Some(from),
        to_port: Some(to),
        cidr_ipv4: (!v6).then(|| cidr.to_string()),
        cidr_ipv6: v6.then(|| cidr.to_string()),
        ..GroupRule::default()
    }
}

fn group(rules: Vec<GroupRule>) -> GroupRules {
    GroupRules {
        group_id: SG.to_string(),
        tags: BTreeMap::new(),
        rules,
    }
}

/// What exposure-guard would judge: the gate, then each of its judges with `read` for the
/// security group it needs (`None`: the group is gone).
fn judged(call: &ApiCall, read: Option<&GroupRules>, settings: &Settings) -> Judged {
    let mut out = Judged::default();
    if gate::screen(call, settings).is_err() {
        return out;
    }
    let ctx = EventContext::of(call);
    for judge in call_judges(Function::ExposureGuard) {
        let Some(need) = (judge.needs)(call, settings) else {
            continue;
        };
        let read = match need {
            Need::SecurityGroupRules {
                ref group_id,
                ref region,
            } => {
                assert_eq!(group_id, SG);
                assert_eq!(region, "ap-northeast-2");
                Read::SecurityGroupRules(read.cloned())
            }
            other => panic!("{}: {other:?}", judge.rules[0].id),
        };
        let j = (judge.judge)(call, &read, &ctx, settings);
        out.findings.extend(j.findings);
        out.notes.extend(j.notes);
    }
    out
}

fn revoked(f: &guardrail_rules::Finding) -> (&str, ActionStatus, String) {
    assert_eq!(f.actions.len(), 1, "{f:?}");
    let a = &f.actions[0];
    let RemediationStep::RevokeSecurityGroupIngress { rule_id, .. } = &a.step else {
        panic!("{f:?}")
    };
    (rule_id.as_str(), a.status.clone(), a.step.describe())
}

#[test]
fn ssh_from_everywhere_alerts_with_the_rule_id_and_the_undo() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    let harmless = rule("sgr-0bbbbbbbbbbbbbbb2", "tcp", 443, 443, "0.0.0.0/0");
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0"), harmless]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.rule, RULE);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.resource.id, SGR);
    assert_eq!(
        f.resource.arn,
        format!("arn:aws:ec2:ap-northeast-2:123456789012:security-group-rule/{SGR}")
    );
    assert!(
        f.reason.contains(SGR) && f.reason.contains("port 22"),
        "{}",
        f.reason
    );
    let (id, status, text) = revoked(f);
    assert_eq!(id, SGR);
    // Alert only by default.
    assert_eq!(status, ActionStatus::Recommended);
    assert!(
        text.contains(
            "aws ec2 authorize-security-group-ingress --region ap-northeast-2 --group-id \
             sg-0a1b2c3d4e5f60718 --ip-permissions \
             'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'"
        ),
        "{text}"
    );
}

#[test]
fn remediate_mode_plans_in_dry_run_and_revokes_only_without_it() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    let modes = [(
        "GUARDRAIL_RULE_MODES",
        "vpc-security-group-admin-port-open=remediate",
    )];
    let out = judged(&c, Some(&g), &settings(&modes));
    assert_eq!(revoked(&out.findings[0]).1, ActionStatus::Planned);
    let live = [modes[0], ("GUARDRAIL_DRY_RUN", "false")];
    let out = judged(&c, Some(&g), &settings(&live));
    assert_eq!(revoked(&out.findings[0]).1, ActionStatus::Pending);
    let off = [(
        "GUARDRAIL_RULE_MODES",
        "vpc-security-group-admin-port-open=off",
    )];
    assert!(judged(&c, Some(&g), &settings(&off)).findings.is_empty());
}

#[test]
fn all_traffic_from_every_ipv6_address_is_open() {
    let c = call("exposure/authorize-ingress-all-traffic-ipv6.json");
    let g = group(vec![rule("sgr-0ccccccccccccccc3", "-1", -1, -1, "::/0")]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert!(out.findings[0].reason.contains("all traffic"));
    let (_, _, text) = revoked(&out.findings[0]);
    assert!(
        text.contains("'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]'"),
        "{text}"
    );
}

#[test]
fn a_port_range_containing_an_admin_port_is_open() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    let g = group(vec![rule(SGR, "tcp", 0, 65535, "0.0.0.0/0")]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert!(f.reason.contains("ports 0-65535"), "{}", f.reason);
    assert!(f.reason.contains("22, 3389"), "{}", f.reason);
    // A range beside the admin ports is not.
    let g = group(vec![rule(SGR, "tcp", 23, 3388, "0.0.0.0/0")]);
    assert!(judged(&c, Some(&g), &settings(&[])).findings.is_empty());
    // UDP 3389 (RDP's UDP transport) is; ICMP has no ports.
    let g = group(vec![rule(SGR, "udp", 3389, 3389, "0.0.0.0/0")]);
    assert_eq!(judged(&c, Some(&g), &settings(&[])).findings.len(), 1);
    let g = group(vec![rule(SGR, "icmp", -1, -1, "0.0.0.0/0")]);
    assert!(judged(&c, Some(&g), &settings(&[])).findings.is_empty());
}

#[test]
fn a_port_not_in_the_list_a_private_cidr_and_a_referenced_group_are_not_judged() {
    let https = call("exposure/authorize-ingress-https-world.json");
    let g = group(vec![rule(
        "sgr-0bbbbbbbbbbbbbbb2",
        "tcp",
        443,
        443,
        "0.0.0.0/0",
    )]);
    let out = judged(&https, Some(&g), &settings(&[]));
    assert!(out.findings.is_empty() && out.notes.is_empty(), "{out:?}");

    let ssh = call("exposure/authorize-ingress-ssh-world.json");
    for cidr in [
        "10.0.0.0/8",
        "203.0.113.24/32",
        "0.0.0.0/1",
        "2001:db8::/32",
    ] {
        let g = group(vec![rule(SGR, "tcp", 22, 22, cidr)]);
        assert!(
            judged(&ssh, Some(&g), &settings(&[])).findings.is_empty(),
            "{cidr}"
        );
    }
    let referenced = GroupRule {
        rule_id: SGR.to_string(),
        protocol: "tcp".to_string(),
        from_port: Some(22),
        to_port: Some(22),
        referenced_group: Some("sg-0fffffffffffffff0".to_string()),
        ..GroupRule::default()
    };
    assert!(judged(&ssh, Some(&group(vec![referenced])), &settings(&[]))
        .findings
        .is_empty());
}

#[test]
fn guardrail_admin_ports_replaces_the_default_list() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    let s = settings(&[("GUARDRAIL_ADMIN_PORTS", "5432, 6379,5432")]);
    assert_eq!(s.admin_ports, vec![5432, 6379]);
    let ssh = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    assert!(judged(&c, Some(&ssh), &s).findings.is_empty());
    let pg = group(vec![rule(SGR, "tcp", 5432, 5432, "0.0.0.0/0")]);
    assert_eq!(judged(&c, Some(&pg), &s).findings.len(), 1);
    // The default, and a value that is not a port.
    assert_eq!(settings(&[]).admin_ports, vec![22, 3389]);
    assert_eq!(
        settings(&[("GUARDRAIL_ADMIN_PORTS", " ")]).admin_ports,
        vec![22, 3389]
    );
    for bad in ["ssh", "70000", "-1", "22-25"] {
        assert!(
            Settings::from_lookup(|k| (k == "GUARDRAIL_ADMIN_PORTS").then(|| bad.to_string()))
                .is_err(),
            "{bad}"
        );
    }
}

#[test]
fn a_failed_call_is_not_judged() {
    let c = call("exposure/authorize-ingress-failed.json");
    assert!(c.failed());
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    assert!(gate::screen(&c, &settings(&[])).is_err());
    let out = judged(&c, Some(&g), &settings(&[]));
    assert!(out.findings.is_empty() && out.notes.is_empty(), "{out:?}");
}

#[test]
fn a_rule_already_revoked_or_a_group_gone_is_a_note() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    // Another rule still there, the one the call added gone.
    let g = group(vec![rule(
        "sgr-0bbbbbbbbbbbbbbb2",
        "tcp",
        22,
        22,
        "0.0.0.0/0",
    )]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert!(out.findings.is_empty(), "{out:?}");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains(SGR) && n.contains("already revoked")),
        "{:?}",
        out.notes
    );
    let out = judged(&c, None, &settings(&[]));
    assert!(out.findings.is_empty());
    assert!(out.notes.iter().any(|n| n.contains("no longer exists")));
    // Narrowed since: judged as it is now.
    let g = group(vec![rule(SGR, "tcp", 22, 22, "198.51.100.0/24")]);
    assert!(judged(&c, Some(&g), &settings(&[])).findings.is_empty());
}

#[test]
fn modify_security_group_rules_is_judged_on_the_rule_it_changed() {
    let c = call("exposure/modify-security-group-rules-ssh-world.json");
    let other = rule("sgr-0bbbbbbbbbbbbbbb2", "tcp", 3389, 3389, "0.0.0.0/0");
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0"), other]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    assert_eq!(revoked(&out.findings[0]).0, SGR);
    // Several rules in one call (recorded as a list).
    let mut v: Value =
        serde_json::from_str(&text("exposure/modify-security-group-rules-ssh-world.json")).unwrap();
    v["detail"]["requestParameters"]["ModifySecurityGroupRulesRequest"]["SecurityGroupRule"] = json!([
        {"SecurityGroupRuleId": SGR, "SecurityGroupRule": {"CidrIpv4": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}},
        {"SecurityGroupRuleId": "sgr-0bbbbbbbbbbbbbbb2", "SecurityGroupRule": {"CidrIpv4": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389}}
    ]);
    assert_eq!(
        judged(&call_of(&v), Some(&g), &settings(&[]))
            .findings
            .len(),
        2
    );
    // An egress rule modified to anything is not an ingress exposure.
    let egress = GroupRule {
        is_egress: true,
        ..rule(SGR, "-1", -1, -1, "0.0.0.0/0")
    };
    assert!(judged(&c, Some(&group(vec![egress])), &settings(&[]))
        .findings
        .is_empty());
}

#[test]
fn exempt_groups_rules_and_principals_are_left_alone() {
    let c = call("exposure/authorize-ingress-ssh-world.json");
    let mut g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    g.tags.insert("guardrail:exempt".into(), "bastion".into());
    let out = judged(&c, Some(&g), &settings(&[]));
    assert!(out.findings.is_empty() && out.notes.iter().any(|n| n.contains("exempt")));
    let mut r = rule(SGR, "tcp", 22, 22, "0.0.0.0/0");
    r.tags.insert("ops:open".into(), "yes".into());
    let s = settings(&[("GUARDRAIL_EXEMPT_TAG", "ops:open")]);
    let out = judged(&c, Some(&group(vec![r])), &s);
    assert!(out.findings.is_empty() && out.notes.iter().any(|n| n.contains("exempt")));
    let s = settings(&[(
        "GUARDRAIL_EXEMPT_PRINCIPALS",
        "arn:aws:iam::123456789012:user/alice",
    )]);
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    assert!(judged(&c, Some(&g), &s).findings.is_empty());
}

#[test]
fn a_record_without_rule_ids_is_matched_on_what_it_asked_for() {
    let mut v: Value =
        serde_json::from_str(&text("exposure/authorize-ingress-ssh-world.json")).unwrap();
    v["detail"]["responseElements"] = json!({"requestId": "x", "_return": true});
    // Ports as strings, as some records carry them.
    v["detail"]["requestParameters"]["ipPermissions"]["items"][0]["fromPort"] = json!("22");
    v["detail"]["requestParameters"]["ipPermissions"]["items"][0]["toPort"] = json!("22");
    let c = call_of(&v);
    let g = group(vec![
        rule(SGR, "tcp", 22, 22, "0.0.0.0/0"),
        rule("sgr-0bbbbbbbbbbbbbbb2", "tcp", 3389, 3389, "0.0.0.0/0"),
    ]);
    let out = judged(&c, Some(&g), &settings(&[]));
    assert_eq!(
        out.findings.len(),
        1,
        "only the rule the call added: {out:?}"
    );
    assert_eq!(revoked(&out.findings[0]).0, SGR);
}

#[test]
fn hostile_shapes_neither_panic_nor_steer_the_read() {
    let base: Value =
        serde_json::from_str(&text("exposure/authorize-ingress-ssh-world.json")).unwrap();
    let g = group(vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")]);
    let odd = [
        json!("sg-0a1b2c3d4e5f60718"),
        json!(null),
        json!({"items": "all"}),
        json!({"items": [1, [], {"ipRanges": 7, "fromPort": 1e300}]}),
        json!([[[]]]),
    ];
    for (i, o) in odd.iter().enumerate() {
        let mut v = base.clone();
        v["detail"]["requestParameters"]["ipPermissions"] = o.clone();
        v["detail"]["responseElements"]["securityGroupRuleSet"] = o.clone();
        let _ = judged(&call_of(&v), Some(&g), &settings(&[]));
        let mut v = base.clone();
        v["detail"]["requestParameters"]["groupId"] = json!(format!("sg-../{i}"));
        v["detail"]["responseElements"] = json!({});
        let c = call_of(&v);
        for j in call_judges(Function::ExposureGuard) {
            assert!((j.needs)(&c, &settings(&[])).is_none(), "not a group id");
        }
    }
}

#[test]
fn the_real_go_script_record_is_judged_on_its_request() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/cloudtrail-samples/panther/AWS.EC2.ManualSecurityGroupChange/04-go-script-authorize-ingress.json",
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present", path.display());
        return;
    };
    let record: Value = serde_json::from_str(&text).unwrap();
    let group_id = record["requestParameters"]["groupId"]
        .as_str()
        .unwrap()
        .to_string();
    let v = json!({
        "version": "0", "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
        "account": record["recipientAccountId"], "time": "2026-01-01T00:00:00Z",
        "region": record["awsRegion"], "resources": [], "detail": record,
    });
    let c = call_of(&v);
    let s = settings(&[]);
    let ctx = EventContext::of(&c);
    let mut found = 0;
    for j in call_judges(Function::ExposureGuard) {
        // Only the security-group judge takes this call (resource-policy-public does not).
        let Some(need) = (j.needs)(&c, &s) else {
            continue;
        };
        let Need::SecurityGroupRules { group_id: g, .. } = need else {
            panic!("needs the group: {need:?}");
        };
        assert_eq!(g, group_id);
        let read = GroupRules {
            group_id: g,
            tags: BTreeMap::new(),
            rules: vec![rule(SGR, "tcp", 22, 22, "0.0.0.0/0")],
        };
        found += (j.judge)(&c, &Read::SecurityGroupRules(Some(read)), &ctx, &s)
            .findings
            .len();
    }
    assert_eq!(found, 1);
}

#[test]
fn the_sweep_finds_every_world_open_admin_rule_of_every_group() {
    use guardrail_rules::ebs::RegionFacts;
    use guardrail_rules::rules::registry::SWEEP_JUDGES;
    use guardrail_rules::sweep::{RegionSweep, SweepFacts, Swept};
    let region = |name: &str, groups: Vec<GroupRules>| RegionSweep {
        security_groups: groups,
        ..RegionSweep::new(RegionFacts {
            region: name.to_string(),
            account: "123456789012".to_string(),
            encryption_by_default: true,
        })
    };
    let open = group(vec![
        rule(SGR, "tcp", 22, 22, "0.0.0.0/0"),
        rule("sgr-0bbbbbbbbbbbbbbb2", "tcp", 443, 443, "0.0.0.0/0"),
        rule("sgr-0ddddddddddddddd4", "tcp", 22, 22, "10.0.0.0/8"),
    ]);
    let mut exempt = group(vec![rule("sgr-0eeeeeeeeeeeeeee5", "-1", -1, -1, "::/0")]);
    exempt.group_id = "sg-0eeeeeeeeeeeeeee5".to_string();
    exempt
        .tags
        .insert("guardrail:exempt".into(), "bastion".into());
    let mut other = group(vec![rule("sgr-0ccccccccccccccc3", "-1", -1, -1, "::/0")]);
    other.group_id = "sg-0ccccccccccccccc3".to_string();
    let facts = SweepFacts {
        account: "123456789012".to_string(),
        regions: vec![
            region("ap-northeast-2", vec![open, exempt]),
            region("us-east-1", vec![other]),
        ],
        ..SweepFacts::default()
    };
    let s = settings(&[(
        "GUARDRAIL_RULE_MODES",
        "vpc-security-group-admin-port-open=remediate",
    )]);
    let mut out = Swept::default();
    for j in SWEEP_JUDGES
        .iter()
        .filter(|j| j.rules.iter().any(|m| m.id == RULE))
    {
        (j.judge)(&facts, &s, &mut out);
    }
    let mut found: Vec<(&str, &str)> = out
        .findings
        .iter()
        .filter(|f| f.rule == RULE)
        .map(|f| (f.resource.id.as_str(), f.region.as_str()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("sgr-0aaaaaaaaaaaaaaa1", "ap-northeast-2"),
            ("sgr-0ccccccccccccccc3", "us-east-1")
        ]
    );
    assert!(out
        .findings
        .iter()
        .all(|f| f.actions[0].status == ActionStatus::Planned));
    assert!(out.notes.iter().any(|n| n.contains("sg-0eeeeeeeeeeeeeee5")));
}
