//! `vpc-security-group-admin-port-open`: a security group ingress rule that lets the whole
//! internet (`0.0.0.0/0`, `::/0`) reach an administrative port (SSH 22, RDP 3389, or
//! GUARDRAIL_ADMIN_PORTS), directly, through a port range that contains it, or through
//! protocol `-1` (all traffic).
//!
//! Judged on the rules as re-read (DescribeSecurityGroupRules), never on the event alone: a
//! rule already revoked, or changed since, is a note. Remediation revokes exactly the offending
//! rule by its security group rule id; the group and its other rules stay.
//!
//! The sweep judges every ingress rule of every group in every swept region the same way
//! ([`SWEEP`]), so a rule opened before the guardrail was deployed, or while it was down, is
//! found too.
//!
//! `CreateSecurityGroup` is not judged: its request has no rules (a new group holds only the
//! default allow-all egress rule); the ingress rules come with `AuthorizeSecurityGroupIngress`.

use super::registry::{CallJudge, Judged, Need, Read, Round, SweepJudge};
use super::runs::{Function, Runs, Subscription};
use super::{enabled, RuleMeta};
use crate::finding::{EventContext, Finding, ResourceRef};
use crate::mode::Mode;
use crate::permission::{Permission, StepKind};
use crate::plan::RemediationStep;
use crate::settings::Settings;
use crate::severity::Severity;
use crate::trigger::ApiCall;
use serde_json::Value;
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    id: "vpc-security-group-admin-port-open",
    title: "Security group open to the internet on an administrative port",
    severity: Severity::High,
    default_mode: Mode::Alert,
    checks: "AuthorizeSecurityGroupIngress and ModifySecurityGroupRules leaving an ingress rule \
             that allows 0.0.0.0/0 or ::/0 on TCP or UDP port 22, 3389 or one of \
             GUARDRAIL_ADMIN_PORTS (a port range containing one, or protocol -1, all traffic, \
             counts), judged on the group's rules as re-read. Rules from a CIDR narrower than \
             the whole internet, a security group or a prefix list are not judged; a group or \
             rule with the exempt tag is left alone.",
    rationale: "SSH and RDP open to the world are brute-forced within minutes of being \
                exposed and are among the commonest ways into an instance; CIS AWS Foundations \
                5.2/5.3 and Security Hub EC2.13/EC2.14 ask that no security group allow them \
                from everywhere.",
    remediation: "Revoke exactly the offending rule, by its security group rule id \
                  (RevokeSecurityGroupIngress --security-group-rule-ids); the group and its \
                  other rules stay. Undo: the alert gives the `aws ec2 \
                  authorize-security-group-ingress` command that puts the rule back.",
    anchors: &[
        "CIS AWS Foundations 5.2, 5.3",
        "Security Hub EC2.13, EC2.14",
        "AWS Config: restricted-ssh, restricted-common-ports",
    ],
    runs: &[
        Runs {
            function: Function::ExposureGuard,
            triggers: &[Subscription::ApiCalls {
                source: "ec2.amazonaws.com",
                names: EVENTS,
            }],
            reads: &[
                Permission::any("ec2:DescribeSecurityGroups"),
                Permission::any("ec2:DescribeSecurityGroupRules"),
            ],
            steps: &[StepKind::RevokeSecurityGroupIngress],
        },
        Runs {
            function: Function::AccountSweep,
            triggers: &[Subscription::Schedule],
            reads: &[
                Permission::any("ec2:DescribeSecurityGroups"),
                Permission::any("ec2:DescribeSecurityGroupRules"),
            ],
            steps: &[StepKind::RevokeSecurityGroupIngress],
        },
    ],
    per_event: false,
};

/// The calls that add or change ingress rules.
pub const EVENTS: &[&str] = &["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"];

/// The administrative ports judged when GUARDRAIL_ADMIN_PORTS is not set: SSH and RDP.
pub const DEFAULT_ADMIN_PORTS: &[u16] = &[22, 3389];

/// A security group as re-read: its tags and its rules (DescribeSecurityGroups,
/// DescribeSecurityGroupRules).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupRules {
    pub group_id: String,
    pub tags: BTreeMap<String, String>,
    pub rules: Vec<GroupRule>,
}

/// One security group rule, as DescribeSecurityGroupRules returns it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupRule {
    pub rule_id: String,
    pub is_egress: bool,
    /// `tcp`, `udp`, `icmp`, `-1` (all), or a protocol number.
    pub protocol: String,
    /// `-1` or absent for all ports (protocol `-1`, ICMP types).
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidr_ipv4: Option<String>,
    pub cidr_ipv6: Option<String>,
    /// The security group the rule admits (no CIDR then).
    pub referenced_group: Option<String>,
    pub prefix_list: Option<String>,
    pub description: Option<String>,
    pub tags: BTreeMap<String, String>,
}

impl GroupRule {
    /// The CIDR that means "the whole internet", when the rule has one.
    pub fn world(&self) -> Option<&str> {
        let v4 = self.cidr_ipv4.as_deref().map(str::trim);
        let v6 = self.cidr_ipv6.as_deref().map(str::trim);
        match (v4, v6) {
            (Some(c @ "0.0.0.0/0"), _) => Some(c),
            (_, Some(c)) if c == "::/0" || c == "::0/0" => Some(c),
            _ => None,
        }
    }

    /// Whether the rule admits traffic to `port`: protocol `-1` admits everything, TCP and
    /// UDP their port range (absent or `-1` bounds are open), anything else (ICMP) no port.
    pub fn admits_port(&self, port: u16) -> bool {
        let protocol = self.protocol.trim().to_ascii_lowercase();
        match protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "udp" | "6" | "17" => {
                let from = self.from_port.filter(|p| *p >= 0).unwrap_or(0);
                let to = self.to_port.filter(|p| *p >= 0).unwrap_or(65_535);
                from <= i32::from(port) && i32::from(port) <= to
            }
            _ => false,
        }
    }

    /// The administrative ports among `ports` it opens to the whole internet (empty: none).
    pub fn open_admin_ports(&self, ports: &[u16]) -> Vec<u16> {
        if self.is_egress || self.world().is_none() {
            return Vec::new();
        }
        ports
            .iter()
            .copied()
            .filter(|p| self.admits_port(*p))
            .collect()
    }
}

/// The group a call changed: `groupId` (AuthorizeSecurityGroupIngress),
/// `ModifySecurityGroupRulesRequest.GroupId`, or, for a call that named the group by name,
/// the group id of the rules it returned.
pub fn group_id(call: &ApiCall) -> Option<&str> {
    let id = call
        .request_str("groupId")
        .or_else(|| {
            call.request
                .get("ModifySecurityGroupRulesRequest")
                .and_then(|r| r.get("GroupId"))
                .and_then(Value::as_str)
        })
        .or_else(|| {
            returned_rules(call)
                .find_map(|r| r.get("groupId"))
                .and_then(Value::as_str)
        })?
        .trim();
    is_group_id(id).then_some(id)
}

/// `sg-` and 8 or 17 hex digits.
fn is_group_id(id: &str) -> bool {
    id.strip_prefix("sg-").is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `sgr-` and 8 or 17 hex digits.
fn is_rule_id(id: &str) -> bool {
    id.strip_prefix("sgr-").is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The `items` of a CloudTrail list, or the value itself when CloudTrail recorded one object
/// (ModifySecurityGroupRules records one rule as an object, several as an array).
fn items(v: Option<&Value>) -> impl Iterator<Item = &Value> {
    let v = v.map(|v| v.get("items").unwrap_or(v));
    let list: Vec<&Value> = match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    list.into_iter()
}

/// The rules AuthorizeSecurityGroupIngress reports it added (`securityGroupRuleSet`).
fn returned_rules(call: &ApiCall) -> impl Iterator<Item = &Value> {
    items(call.response.get("securityGroupRuleSet"))
}

/// The ingress rule ids the call names: the rules AuthorizeSecurityGroupIngress added
/// (`responseElements.securityGroupRuleSet`), or those ModifySecurityGroupRules changed.
/// Empty when the record does not say (records before rule ids existed): the group's rules
/// that match the request are judged then ([`requested`]).
pub fn rule_ids(call: &ApiCall) -> Vec<String> {
    let ids: Vec<&Value> = match call.event_name.as_str() {
        "AuthorizeSecurityGroupIngress" => returned_rules(call)
            .filter(|r| r.get("isEgress").and_then(Value::as_bool) != Some(true))
            .filter_map(|r| r.get("securityGroupRuleId"))
            .collect(),
        "ModifySecurityGroupRules" => items(
            call.request
                .get("ModifySecurityGroupRulesRequest")
                .and_then(|r| r.get("SecurityGroupRule")),
        )
        .filter_map(|r| r.get("SecurityGroupRuleId"))
        .collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = ids
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|id| is_rule_id(id))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A port as CloudTrail records it: a number or a string of one.
fn port(v: Option<&Value>) -> Option<i32> {
    match v? {
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The world-open rules an AuthorizeSecurityGroupIngress request asked for
/// (`ipPermissions`), as rules without ids: what a group's re-read rules are matched against
/// when the record names no rule ids.
fn requested(call: &ApiCall) -> Vec<GroupRule> {
    let mut out = Vec::new();
    for p in items(call.request.get("ipPermissions")) {
        let protocol = p
            .get("ipProtocol")
            .map(|v| match v {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            })
            .unwrap_or_default();
        let base = GroupRule {
            protocol,
            from_port: port(p.get("fromPort")),
            to_port: port(p.get("toPort")),
            ..GroupRule::default()
        };
        for r in items(p.get("ipRanges")) {
            if let Some(c) = r.get("cidrIp").and_then(Value::as_str) {
                out.push(GroupRule {
                    cidr_ipv4: Some(c.trim().to_string()),
                    ..base.clone()
                });
            }
        }
        for r in items(p.get("ipv6Ranges")) {
            if let Some(c) = r.get("cidrIpv6").and_then(Value::as_str) {
                out.push(GroupRule {
                    cidr_ipv6: Some(c.trim().to_string()),
                    ..base.clone()
                });
            }
        }
    }
    out
}

/// Whether a re-read rule is the one a request asked for (same protocol, ports and CIDR;
/// protocol names and numbers compared as EC2 stores them).
fn same_rule(have: &GroupRule, asked: &GroupRule) -> bool {
    let proto = |p: &str| match p.trim().to_ascii_lowercase().as_str() {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "all" => "-1".to_string(),
        other => other.to_string(),
    };
    let all = proto(&asked.protocol) == "-1";
    proto(&have.protocol) == proto(&asked.protocol)
        && (all || (have.from_port == asked.from_port && have.to_port == asked.to_port))
        && have.world() == asked.world()
}

/// Judged on the group's rules as re-read.
pub const JUDGE: CallJudge = CallJudge {
    rules: &[&META],
    round: Round::Change,
    needs: |call, _| {
        if !META.declares_call(call) {
            return None;
        }
        Some(Need::SecurityGroupRules {
            region: call.region.trim().to_string(),
            group_id: group_id(call)?.to_string(),
        })
    },
    judge: |call, read, ctx, settings| match read {
        Read::SecurityGroupRules(Some(group)) => judge(call, group, ctx, settings),
        Read::SecurityGroupRules(None) => Judged::note(format!(
            "{}: security group {} no longer exists",
            META.id,
            group_id(call).unwrap_or("?")
        )),
        _ => Judged::mismatched(&[&META]),
    },
};

/// One finding per ingress rule the call left open to the world on an administrative port,
/// each with the step that revokes exactly that rule; notes for the rules already gone and
/// the exempt ones.
pub fn judge(
    call: &ApiCall,
    group: &GroupRules,
    ctx: &EventContext,
    settings: &Settings,
) -> Judged {
    let Some((meta, mode)) = enabled(&META, settings) else {
        return Judged::default();
    };
    let mut out = Judged::default();
    if group.tags.contains_key(&settings.exempt_tag) {
        out.notes.push(format!(
            "{}: security group {} carries the exempt tag {}",
            meta.id, group.group_id, settings.exempt_tag
        ));
        return out;
    }
    let ids = rule_ids(call);
    let concerned: Vec<&GroupRule> = if ids.is_empty() {
        let asked = requested(call);
        group
            .rules
            .iter()
            .filter(|r| !r.is_egress && asked.iter().any(|a| same_rule(r, a)))
            .collect()
    } else {
        for id in &ids {
            if !group.rules.iter().any(|r| &r.rule_id == id) {
                out.notes.push(format!(
                    "{}: rule {id} of {} is no longer there (already revoked)",
                    meta.id, group.group_id
                ));
            }
        }
        group
            .rules
            .iter()
            .filter(|r| ids.contains(&r.rule_id))
            .collect()
    };
    let region = call.region.trim();
    for rule in concerned {
        let ports = rule.open_admin_ports(&settings.admin_ports);
        let Some(world) = rule.world() else { continue };
        if ports.is_empty() {
            continue;
        }
        if rule.tags.contains_key(&settings.exempt_tag) {
            out.notes.push(format!(
                "{}: rule {} carries the exempt tag {}",
                meta.id, rule.rule_id, settings.exempt_tag
            ));
            continue;
        }
        let who = format!("{} let", call.principal.display());
        out.findings.push(finding(
            meta,
            mode,
            &who,
            group,
            rule,
            world,
            &ports,
            region,
            &call.account,
            ctx,
            settings,
        ));
    }
    out
}

/// Every ingress rule of every group in every swept region: the same judgement as on a call,
/// without one to name (exempt groups and rules are noted).
pub const SWEEP: SweepJudge = SweepJudge {
    rules: &[&META],
    judge: |facts, settings, out| {
        let Some((meta, mode)) = enabled(&META, settings) else {
            return;
        };
        let ctx = EventContext::default();
        for r in &facts.regions {
            let region = r.facts.region.as_str();
            for group in &r.security_groups {
                let open: Vec<(&GroupRule, &str, Vec<u16>)> = group
                    .rules
                    .iter()
                    .filter_map(|rule| {
                        let ports = rule.open_admin_ports(&settings.admin_ports);
                        let world = rule.world()?;
                        (!ports.is_empty()).then_some((rule, world, ports))
                    })
                    .collect();
                if open.is_empty() {
                    continue;
                }
                if group.tags.contains_key(&settings.exempt_tag) {
                    out.notes.push(format!(
                        "{}: security group {} ({region}) carries the exempt tag {}",
                        meta.id, group.group_id, settings.exempt_tag
                    ));
                    continue;
                }
                for (rule, world, ports) in open {
                    if rule.tags.contains_key(&settings.exempt_tag) {
                        out.notes.push(format!(
                            "{}: rule {} ({region}) carries the exempt tag {}",
                            meta.id, rule.rule_id, settings.exempt_tag
                        ));
                        continue;
                    }
                    out.findings.push(finding(
                        meta,
                        mode,
                        "a rule lets",
                        group,
                        rule,
                        world,
                        &ports,
                        region,
                        &r.facts.account,
                        &ctx,
                        settings,
                    ));
                }
            }
        }
    },
};

/// The finding for one open rule, with its revoke step.
#[allow(clippy::too_many_arguments)]
fn finding(
    meta: &'static RuleMeta,
    mode: Mode,
    who: &str,
    group: &GroupRules,
    rule: &GroupRule,
    world: &str,
    ports: &[u16],
    region: &str,
    account: &str,
    ctx: &EventContext,
    settings: &Settings,
) -> Finding {
    let ports_text: Vec<String> = ports.iter().map(u16::to_string).collect();
    let what = match rule.protocol.trim() {
        "-1" | "all" => "all traffic (protocol -1)".to_string(),
        p => match (rule.from_port, rule.to_port) {
            (Some(f), Some(t)) if f == t => format!("{p} port {f}"),
            (Some(f), Some(t)) => format!("{p} ports {f}-{t}"),
            _ => format!("{p}, every port"),
        },
    };
    let reason = format!(
        "{who} {world} (the whole internet) reach security group {} in {region} on {what}: \
         administrative port(s) {} open to anyone (rule {})",
        group.group_id,
        ports_text.join(", "),
        rule.rule_id
    );
    let step = RemediationStep::RevokeSecurityGroupIngress {
        region: region.to_string(),
        group_id: group.group_id.clone(),
        rule_id: rule.rule_id.clone(),
        protocol: rule.protocol.trim().to_string(),
        from_port: rule.from_port.unwrap_or(-1),
        to_port: rule.to_port.unwrap_or(-1),
        cidr: world.to_string(),
    };
    Finding::build(
        meta,
        mode,
        ResourceRef {
            kind: "AWS::EC2::SecurityGroupIngress",
            id: rule.rule_id.clone(),
            arn: format!(
                "arn:aws:ec2:{region}:{account}:security-group-rule/{}",
                rule.rule_id
            ),
        },
        region,
        account,
        reason,
        vec![(step, false)],
        ctx,
        settings,
    )
}
