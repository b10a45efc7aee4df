//! AWS Security Finding Format (ASFF): findings as Security Hub imports them.
//!
//! Pure data, like the rest of the core: the adapter (`guardrail_aws::securityhub`) sends what
//! this module builds. The finding `Id` is stable per rule and resource (the incident key without
//! its event part), so a repeat of the same problem *updates* the Security Hub finding instead
//! of adding another, and a problem a later sweep no longer sees is re-imported as
//! `ARCHIVED`/`PASSED` ([`archived`], chosen by [`resolved`]).

use crate::finding::{ActionStatus, Finding};
use crate::rules::region_not_allowed;
use crate::rules::{self, iam_access_key_for_other_user, iam_change_audit, iam_root_activity};
use crate::severity::Severity;
use crate::sweep::SweepReport;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The ASFF schema version Security Hub expects.
pub const SCHEMA_VERSION: &str = "2018-10-08";
/// Every finding id the guardrail imports starts with this, so its own are told apart.
pub const ID_PREFIX: &str = "guardrail/";
/// Where the per-rule pages (`docs/rules/<id>.md`) are published: a placeholder until the
/// project has a public home; override with `GUARDRAIL_DOCS_BASE_URL`.
pub const DEFAULT_DOCS_BASE_URL: &str =
    "https://github.com/example/aws-security-guardrail/blob/main/docs/rules/";
/// Security Hub's limits: `Id` 512 characters, `Title` 256, `Description` 1024, and at most
/// 50 `ProductFields`.
pub const MAX_ID: usize = 512;
pub const MAX_TITLE: usize = 256;
pub const MAX_DESCRIPTION: usize = 1024;
const MAX_PRODUCT_FIELDS: usize = 50;
const MAX_FIELD_VALUE: usize = 2048;

/// Rules about events rather than conditions: no sweep can see them resolved, so a sweep never
/// archives their findings.
pub const EVENT_ONLY_RULES: &[&str] = &[
    iam_root_activity::META.id,
    iam_change_audit::META.id,
    iam_access_key_for_other_user::META.id,
    region_not_allowed::META.id,
];

/// What an import needs besides the finding: the Security Hub region (the hub the adapter calls;
/// a finding about another region is still imported there), the time (RFC 3339; the core has no
/// clock) and where the rule pages live.
#[derive(Debug, Clone, Copy)]
pub struct AsffContext<'a> {
    pub hub_region: &'a str,
    pub now: &'a str,
    pub docs_base_url: &'a str,
}

/// The default product of an account: what a custom integration imports as.
pub fn product_arn(hub_region: &str, account: &str) -> String {
    format!("arn:aws:securityhub:{hub_region}:{account}:product/{account}/default")
}

/// The stable finding id: `guardrail/<rule>/<resource ARN>[/<resource id>]` (the id is added
/// when the ARN does not end with it, as in [`Finding::incident_key`]); never the event id.
pub fn finding_id(f: &Finding) -> String {
    let id = if f.resource.arn.ends_with(&f.resource.id) {
        format!("{ID_PREFIX}{}/{}", f.rule, f.resource.arn)
    } else {
        format!("{ID_PREFIX}{}/{}/{}", f.rule, f.resource.arn, f.resource.id)
    };
    if id.chars().count() <= MAX_ID {
        return id;
    }
    // Too long for Security Hub: keep a prefix and make it unique with a hash of the whole.
    let suffix = format!("#{:016x}", fnv1a(&id));
    let keep: String = id.chars().take(MAX_ID - suffix.len()).collect();
    keep + &suffix
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// ASFF `Severity.Label`.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// ASFF resource type of a CloudFormation type (`Other` when ASFF has none).
pub fn resource_type(cfn_type: &str) -> &'static str {
    match cfn_type {
        "AWS::EC2::Volume" => "AwsEc2Volume",
        "AWS::EC2::Instance" => "AwsEc2Instance",
        "AWS::IAM::User" => "AwsIamUser",
        "AWS::IAM::Role" => "AwsIamRole",
        "AWS::IAM::Group" => "AwsIamGroup",
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => "AwsIamPolicy",
        "AWS::IAM::AccessKey" => "AwsIamAccessKey",
        "AWS::KMS::Key" => "AwsKmsKey",
        "AWS::::Account" => "AwsAccount",
        _ => "Other",
    }
}

/// ASFF `Types` (namespace/category) of a rule.
fn types(rule: &str) -> Vec<&'static str> {
    match rule {
        r if r == iam_root_activity::META.id => vec!["Unusual Behaviors/User"],
        r if r == iam_change_audit::META.id => {
            vec!["Software and Configuration Checks/AWS Security Best Practices"]
        }
        r if r.starts_with("ebs-") => vec![
            "Software and Configuration Checks/AWS Security Best Practices",
            "Effects/Data Exposure",
        ],
        _ => vec!["Software and Configuration Checks/AWS Security Best Practices"],
    }
}

/// Cut to at most `max` characters (on a character boundary), marking the cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `status: what` for one action, as `ProductFields` carry it.
fn action_field(status: &ActionStatus, what: &str) -> String {
    match status {
        ActionStatus::Recommended => format!("recommended: {what}"),
        ActionStatus::Planned => format!("planned (dry-run): {what}"),
        ActionStatus::Pending => format!("not executed: {what}"),
        ActionStatus::Done => format!("done: {what}"),
        ActionStatus::AlreadyDone => format!("already done: {what}"),
        ActionStatus::Failed { error } => format!("FAILED: {what}: {error}"),
    }
}

/// The finding as ASFF: `RecordState` ACTIVE, `Compliance.Status` FAILED, `Workflow.Status` NEW.
pub fn to_asff(f: &Finding, ctx: &AsffContext<'_>) -> Value {
    let meta = rules::meta(f.rule);
    let title = meta.map(|m| m.title).unwrap_or(f.rule);
    let remediation = meta.map(|m| m.remediation).unwrap_or("");
    let mut fields = Map::new();
    fields.insert("guardrail/Rule".into(), f.rule.into());
    fields.insert("guardrail/Mode".into(), f.mode.as_str().into());
    fields.insert("guardrail/DryRun".into(), f.dry_run.to_string().into());
    fields.insert(
        "guardrail/ResourceId".into(),
        clip(&f.resource.id, MAX_FIELD_VALUE).into(),
    );
    if let Some(p) = &f.principal {
        fields.insert(
            "guardrail/Principal".into(),
            clip(p, MAX_FIELD_VALUE).into(),
        );
    }
    if let Some(e) = &f.event_id {
        fields.insert("guardrail/EventId".into(), clip(e, MAX_FIELD_VALUE).into());
    }
    let room = MAX_PRODUCT_FIELDS.saturating_sub(fields.len());
    for (i, a) in f.actions.iter().take(room).enumerate() {
        let value = action_field(&a.status, &a.step.describe());
        fields.insert(
            format!("guardrail/Action/{}", i + 1),
            clip(&value, MAX_FIELD_VALUE).into(),
        );
    }
    json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(f),
        "ProductArn": product_arn(ctx.hub_region, &f.account),
        "GeneratorId": f.rule,
        "AwsAccountId": f.account,
        "Region": f.region,
        "Types": types(f.rule),
        "CreatedAt": ctx.now,
        "UpdatedAt": ctx.now,
        "Severity": {"Label": severity_label(f.severity)},
        "Title": clip(title, MAX_TITLE),
        "Description": clip(&f.reason, MAX_DESCRIPTION),
        "Compliance": {"Status": "FAILED"},
        "Resources": [{
            "Type": resource_type(f.resource.kind),
            "Id": f.resource.arn,
            "Region": f.region,
            "Partition": "aws",
        }],
        "Remediation": {"Recommendation": {
            "Text": clip(remediation, 512),
            "Url": format!("{}{}.md", ctx.docs_base_url, f.rule),
        }},
        "ProductFields": fields,
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "NEW"},
    })
}

/// The update that closes a finding imported earlier (`previous`, as read back from Security
/// Hub): the same finding with `RecordState` ARCHIVED, `Compliance.Status` PASSED and
/// `UpdatedAt` now. Security Hub keeps the customer's workflow; only the provider's fields move.
pub fn archived(previous: &Value, now: &str) -> Value {
    let mut out = previous.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.insert("RecordState".into(), "ARCHIVED".into());
        obj.insert("Compliance".into(), json!({"Status": "PASSED"}));
        obj.insert("UpdatedAt".into(), now.into());
        obj.remove("Workflow");
    }
    out
}

/// Which of the guardrail's earlier, still ACTIVE findings (`previous`) a sweep resolved: ours
/// (id prefix, account), about a condition a sweep judges (not an event-only rule) and judged
/// this time (not in `report.unjudged_rules`), in scope (IAM is global; anything else only in a
/// region the sweep covered), and not found again (`report.findings`).
pub fn resolved<'a>(previous: &'a [Value], report: &SweepReport) -> Vec<&'a Value> {
    let current: BTreeSet<String> = report.findings.iter().map(finding_id).collect();
    previous
        .iter()
        .filter(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
            let id = s("Id");
            let rule = s("GeneratorId");
            let arn = p
                .pointer("/Resources/0/Id")
                .and_then(Value::as_str)
                .unwrap_or("");
            // arn:<partition>:iam::...: any partition.
            let global = arn.split(':').nth(2) == Some("iam");
            id.starts_with(ID_PREFIX)
                && s("RecordState") == "ACTIVE"
                && s("AwsAccountId") == report.account
                && rules::meta(rule).is_some()
                && !EVENT_ONLY_RULES.contains(&rule)
                && !report.unjudged_rules.iter().any(|r| r == rule)
                && (global || report.regions.iter().any(|r| r == s("Region")))
                && !current.contains(id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ActionReport, ResourceRef};
    use crate::mode::Mode;
    use crate::plan::RemediationStep;

    const NOW: &str = "2026-11-02T10:00:00Z";

    fn ctx() -> AsffContext<'static> {
        AsffContext {
            hub_region: "us-east-1",
            now: NOW,
            docs_base_url: "https://docs.example/rules/",
        }
    }

    fn volume_finding(event: Option<&str>) -> Finding {
        Finding {
            rule: "ebs-unencrypted-volume",
            severity: Severity::High,
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            resource: ResourceRef {
                kind: "AWS::EC2::Volume",
                id: "vol-1".into(),
                arn: "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1".into(),
            },
            principal: Some("arn:aws:iam::123456789012:user/bob".into()),
            event_id: event.map(str::to_string),
            reason: "EBS volume vol-1 is not encrypted".into(),
            mode: Mode::Remediate,
            dry_run: false,
            actions: vec![ActionReport {
                step: RemediationStep::TagVolume {
                    region: "eu-west-1".into(),
                    volume_id: "vol-1".into(),
                    tags: vec![("guardrail:finding".into(), "ebs-unencrypted-volume".into())],
                },
                status: ActionStatus::Done,
            }],
        }
    }

    #[test]
    fn maps_every_required_field() {
        let v = to_asff(&volume_finding(Some("ev-1")), &ctx());
        for k in [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Types",
            "CreatedAt",
            "UpdatedAt",
            "Severity",
            "Title",
            "Description",
            "Resources",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["SchemaVersion"], "2018-10-08");
        assert_eq!(
            v["Id"],
            "guardrail/ebs-unencrypted-volume/arn:aws:ec2:eu-west-1:123456789012:volume/vol-1"
        );
        assert_eq!(
            v["ProductArn"],
            "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
        );
        assert_eq!(v["GeneratorId"], "ebs-unencrypted-volume");
        assert_eq!(v["Region"], "eu-west-1");
        assert_eq!(v["Severity"]["Label"], "HIGH");
        assert_eq!(v["Title"], "Unencrypted EBS volume");
        assert_eq!(v["Compliance"]["Status"], "FAILED");
        assert_eq!(v["RecordState"], "ACTIVE");
        assert_eq!(v["Workflow"]["Status"], "NEW");
        assert_eq!(v["CreatedAt"], NOW);
        assert_eq!(v["Resources"][0]["Type"], "AwsEc2Volume");
        assert_eq!(v["Resources"][0]["Partition"], "aws");
        assert_eq!(
            v["Remediation"]["Recommendation"]["Url"],
            "https://docs.example/rules/ebs-unencrypted-volume.md"
        );
        assert_eq!(v["ProductFields"]["guardrail/Mode"], "remediate");
        assert_eq!(v["ProductFields"]["guardrail/EventId"], "ev-1");
        assert!(v["ProductFields"]["guardrail/Action/1"]
            .as_str()
            .unwrap()
            .starts_with("done: tag volume vol-1"));
    }

    #[test]
    fn id_is_stable_across_events_and_distinguishes_resources() {
        let a = to_asff(&volume_finding(Some("ev-1")), &ctx());
        let b = to_asff(&volume_finding(Some("ev-2")), &ctx());
        assert_eq!(a["Id"], b["Id"]);
        // A per-event rule too: still one Security Hub finding per rule and resource.
        let mut f = volume_finding(Some("ev-3"));
        f.rule = "iam-policy-admin-wildcard";
        f.resource.id = "AdminAll@v2".into();
        f.resource.arn = "arn:aws:iam::123456789012:policy/AdminAll".into();
        assert_eq!(
            finding_id(&f),
            "guardrail/iam-policy-admin-wildcard/arn:aws:iam::123456789012:policy/AdminAll/AdminAll@v2"
        );
        assert!(f.incident_key().ends_with("ev-3"));
    }

    #[test]
    fn long_values_are_clipped_to_the_limits() {
        let mut f = volume_finding(None);
        f.reason = "é".repeat(5000);
        f.resource.id = "x".repeat(900);
        let v = to_asff(&f, &ctx());
        assert_eq!(v["Description"].as_str().unwrap().chars().count(), 1024);
        let id = v["Id"].as_str().unwrap();
        assert_eq!(id.chars().count(), MAX_ID);
        let mut g = f.clone();
        g.resource.id = format!("{}y", "x".repeat(899));
        assert_ne!(finding_id(&g), id);
    }

    #[test]
    fn severity_and_type_mapping() {
        assert_eq!(severity_label(Severity::Info), "INFORMATIONAL");
        assert_eq!(severity_label(Severity::Critical), "CRITICAL");
        assert_eq!(resource_type("AWS::IAM::User"), "AwsIamUser");
        assert_eq!(resource_type("AWS::IAM::ManagedPolicy"), "AwsIamPolicy");
        assert_eq!(resource_type("AWS::::Account"), "AwsAccount");
        assert_eq!(resource_type("AWS::Whatever"), "Other");
    }

    #[test]
    fn archived_keeps_the_finding_and_closes_it() {
        let v = to_asff(&volume_finding(None), &ctx());
        let a = archived(&v, "2026-11-03T00:00:00Z");
        assert_eq!(a["Id"], v["Id"]);
        assert_eq!(a["RecordState"], "ARCHIVED");
        assert_eq!(a["Compliance"]["Status"], "PASSED");
        assert_eq!(a["UpdatedAt"], "2026-11-03T00:00:00Z");
        assert_eq!(a["CreatedAt"], NOW);
    }

    #[test]
    fn resolved_picks_only_our_active_in_scope_findings_not_seen_again() {
        let regions = vec!["eu-west-1".to_string()];
        let still = to_asff(&volume_finding(None), &ctx());
        let mut gone = volume_finding(None);
        gone.resource.id = "vol-2".into();
        gone.resource.arn = "arn:aws:ec2:eu-west-1:123456789012:volume/vol-2".into();
        let gone = to_asff(&gone, &ctx());
        let mut elsewhere = volume_finding(None);
        elsewhere.region = "ap-south-1".into();
        elsewhere.resource.id = "vol-3".into();
        elsewhere.resource.arn = "arn:aws:ec2:ap-south-1:123456789012:volume/vol-3".into();
        let elsewhere = to_asff(&elsewhere, &ctx());
        let mut root = volume_finding(None);
        root.rule = "iam-root-activity";
        root.region = "us-east-1".into();
        root.resource.arn = "arn:aws:iam::123456789012:root".into();
        let root = to_asff(&root, &ctx());
        let mut user = volume_finding(None);
        user.rule = "iam-user-console-without-mfa";
        user.region = "us-east-1".into();
        user.resource.id = "carol".into();
        user.resource.arn = "arn:aws:iam::123456789012:user/carol".into();
        let user = to_asff(&user, &ctx());
        let already = archived(&gone, NOW);
        let foreign = json!({"Id": "other/x", "RecordState": "ACTIVE"});
        let previous = vec![
            still.clone(),
            gone.clone(),
            elsewhere,
            root,
            user.clone(),
            already,
            foreign,
        ];
        let mut report = SweepReport::new(
            "123456789012",
            regions,
            vec![volume_finding(None)],
            Vec::new(),
            Default::default(),
        );
        let ids = |report: &SweepReport| -> Vec<Value> {
            resolved(&previous, report)
                .into_iter()
                .map(|v| v["Id"].clone())
                .collect()
        };
        assert_eq!(ids(&report), vec![gone["Id"].clone(), user["Id"].clone()]);
        // A rule the sweep could not judge keeps its findings open.
        report.unjudged_rules = vec!["iam-user-console-without-mfa".to_string()];
        assert_eq!(ids(&report), vec![gone["Id"].clone()]);
        report.account = "999999999999".to_string();
        assert!(ids(&report).is_empty());
    }
}
