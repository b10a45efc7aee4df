//! AWS Security Hub: findings imported in the AWS Security Finding Format, and closed again
//! when a sweep no longer sees them.
//!
//! The ASFF documents are built in the core (`guardrail_rules::asff`); this adapter converts them
//! to the SDK's types and sends them with BatchImportFindings, 100 per call (the API's limit).
//! Security Hub is a secondary channel: the SNS alert is the one that must not be lost, so
//! callers log a failed import (and count it as a metric) instead of failing the invocation.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::FindingsSink;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, Partition,
    Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel, StringFilter,
    StringFilterComparison, Workflow, WorkflowStatus,
};
use aws_sdk_securityhub::Client;
use guardrail_rules::asff::{self, AsffContext, DEFAULT_DOCS_BASE_URL, ID_PREFIX};
use guardrail_rules::sweep::SweepReport;
use guardrail_rules::Finding;
use serde_json::{json, Map, Value};

/// BatchImportFindings takes at most 100 findings per call.
pub const BATCH: usize = 100;
/// GetFindings pages read at most (100 findings each) when looking for findings to archive.
const MAX_PAGES: usize = 100;

/// Imports findings into the Security Hub of the client's region.
#[derive(Clone)]
pub struct SecurityHub {
    client: Client,
    hub_region: String,
    docs_base_url: String,
}

impl SecurityHub {
    pub fn new(client: Client, hub_region: impl Into<String>) -> SecurityHub {
        SecurityHub {
            client,
            hub_region: hub_region.into(),
            docs_base_url: DEFAULT_DOCS_BASE_URL.to_string(),
        }
    }

    /// Link the rule pages from somewhere else (`GUARDRAIL_DOCS_BASE_URL`).
    pub fn with_docs_base_url(mut self, url: impl Into<String>) -> SecurityHub {
        self.docs_base_url = url.into();
        self
    }

    /// The finding as ASFF, with this hub's region and the current time.
    pub fn asff(&self, finding: &Finding, now: &str) -> Value {
        asff::to_asff(
            finding,
            &AsffContext {
                hub_region: &self.hub_region,
                now,
                docs_base_url: &self.docs_base_url,
            },
        )
    }

    /// Send ASFF documents, 100 per call. Every finding Security Hub refused is an error.
    pub async fn import_asff(&self, docs: &[Value]) -> Result<usize, AwsError> {
        let mut imported = 0;
        for chunk in docs.chunks(BATCH) {
            let findings: Vec<AwsSecurityFinding> = chunk.iter().map(to_sdk).collect();
            let out = self
                .client
                .batch_import_findings()
                .set_findings(Some(findings))
                .send()
                .await
                .map_err(|e| classify("securityhub", "BatchImportFindings", e))?;
            let failed = out.failed_count().unwrap_or(0);
            if failed > 0 || !out.failed_findings().is_empty() {
                let detail: Vec<String> = out
                    .failed_findings()
                    .iter()
                    .take(5)
                    .map(|f| {
                        format!(
                            "{}: {} {}",
                            f.id().unwrap_or("?"),
                            f.error_code().unwrap_or("?"),
                            f.error_message().unwrap_or("")
                        )
                    })
                    .collect();
                return Err(AwsError::new(
                    "securityhub",
                    "BatchImportFindings",
                    ErrorKind::Rejected,
                    format!(
                        "{} of {} finding(s) refused: {}",
                        failed.max(out.failed_findings().len() as i32),
                        chunk.len(),
                        detail.join("; ")
                    ),
                ));
            }
            imported += chunk.len();
        }
        Ok(imported)
    }

    /// The guardrail's ACTIVE findings about `account` in this hub (GetFindings, every page).
    /// The filters are also applied here: an emulator may ignore them.
    pub async fn active(&self, account: &str) -> Result<Vec<Value>, AwsError> {
        let product = asff::product_arn(&self.hub_region, account);
        let eq = |v: &str| {
            StringFilter::builder()
                .comparison(StringFilterComparison::Equals)
                .value(v)
                .build()
        };
        let filters = AwsSecurityFindingFilters::builder()
            .product_arn(eq(&product))
            .aws_account_id(eq(account))
            .record_state(eq("ACTIVE"))
            .id(StringFilter::builder()
                .comparison(StringFilterComparison::Prefix)
                .value(ID_PREFIX)
                .build())
            .build();
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .get_findings()
                .filters(filters.clone())
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify("securityhub", "GetFindings", e))?;
            out.extend(
                page.findings()
                    .iter()
                    .filter(|f| f.product_arn() == Some(product.as_str()))
                    .map(from_sdk),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }
}

impl FindingsSink for SecurityHub {
    async fn import(&self, findings: &[Finding]) -> Result<usize, AwsError> {
        let now = now_rfc3339();
        let docs: Vec<Value> = findings.iter().map(|f| self.asff(f, &now)).collect();
        self.import_asff(&docs).await
    }

    async fn archive_resolved(&self, report: &SweepReport) -> Result<usize, AwsError> {
        let previous = self.active(&report.account).await?;
        let now = now_rfc3339();
        let closing: Vec<Value> = asff::resolved(&previous, report)
            .into_iter()
            .map(|p| asff::archived(p, &now))
            .collect();
        for c in &closing {
            tracing::info!(finding = %c["Id"].as_str().unwrap_or(""), "Security Hub finding resolved: archiving");
        }
        self.import_asff(&closing).await
    }
}

/// Security Hub on or off, chosen at start-up (`GUARDRAIL_SECURITY_HUB`).
impl FindingsSink for Option<SecurityHub> {
    async fn import(&self, findings: &[Finding]) -> Result<usize, AwsError> {
        match self {
            Some(hub) => hub.import(findings).await,
            None => Ok(0),
        }
    }
    async fn archive_resolved(&self, report: &SweepReport) -> Result<usize, AwsError> {
        match self {
            Some(hub) => hub.archive_resolved(report).await,
            None => Ok(0),
        }
    }
}

/// A failed import, as a log line and an EMF metric (`SecurityHubImportFailures`): Security Hub
/// is a secondary channel, so the invocation goes on.
pub fn report_failure(what: &str, count: usize, err: &AwsError) {
    tracing::error!(error = %err, findings = count, "Security Hub {what} failed (the SNS alert is unaffected)");
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let doc = json!({
        "_aws": {
            "Timestamp": ms,
            "CloudWatchMetrics": [{
                "Namespace": guardrail_rules::metrics::NAMESPACE,
                "Dimensions": [["Operation"]],
                "Metrics": [{"Name": "SecurityHubImportFailures", "Unit": "Count"}]
            }]
        },
        "Operation": what,
        "SecurityHubImportFailures": count,
    });
    println!("{doc}");
}

/// Seconds since the epoch as RFC 3339 (`2026-11-02T10:00:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    guardrail_rules::sweep::time::format_iso8601(secs)
}

fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// An ASFF document (as the core builds it) to the SDK's type. Only the fields the core sets are
/// carried.
pub fn to_sdk(v: &Value) -> AwsSecurityFinding {
    let mut b = AwsSecurityFinding::builder()
        .set_schema_version(s(v, "/SchemaVersion").map(str::to_string))
        .set_id(s(v, "/Id").map(str::to_string))
        .set_product_arn(s(v, "/ProductArn").map(str::to_string))
        .set_generator_id(s(v, "/GeneratorId").map(str::to_string))
        .set_aws_account_id(s(v, "/AwsAccountId").map(str::to_string))
        .set_region(s(v, "/Region").map(str::to_string))
        .set_created_at(s(v, "/CreatedAt").map(str::to_string))
        .set_updated_at(s(v, "/UpdatedAt").map(str::to_string))
        .set_title(s(v, "/Title").map(str::to_string))
        .set_description(s(v, "/Description").map(str::to_string));
    for t in v["Types"].as_array().into_iter().flatten() {
        if let Some(t) = t.as_str() {
            b = b.types(t);
        }
    }
    if let Some(label) = s(v, "/Severity/Label") {
        b = b.severity(
            Severity::builder()
                .label(SeverityLabel::from(label))
                .build(),
        );
    }
    if let Some(status) = s(v, "/Compliance/Status") {
        b = b.compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(status))
                .build(),
        );
    }
    for r in v["Resources"].as_array().into_iter().flatten() {
        let mut rb = Resource::builder()
            .set_type(s(r, "/Type").map(str::to_string))
            .set_id(s(r, "/Id").map(str::to_string))
            .set_region(s(r, "/Region").map(str::to_string));
        if let Some(p) = s(r, "/Partition") {
            rb = rb.partition(Partition::from(p));
        }
        b = b.resources(rb.build());
    }
    if v.pointer("/Remediation/Recommendation").is_some() {
        b = b.remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .set_text(s(v, "/Remediation/Recommendation/Text").map(str::to_string))
                        .set_url(s(v, "/Remediation/Recommendation/Url").map(str::to_string))
                        .build(),
                )
                .build(),
        );
    }
    for (k, val) in v["ProductFields"].as_object().into_iter().flatten() {
        if let Some(val) = val.as_str() {
            b = b.product_fields(k, val);
        }
    }
    if let Some(state) = s(v, "/RecordState") {
        b = b.record_state(RecordState::from(state));
    }
    if let Some(status) = s(v, "/Workflow/Status") {
        b = b.workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(status))
                .build(),
        );
    }
    b.build()
}

/// A finding read back from Security Hub, as ASFF JSON with the fields [`to_sdk`] carries (what
/// the core needs to decide on it and to archive it).
pub fn from_sdk(f: &AwsSecurityFinding) -> Value {
    let mut o = Map::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            o.insert(k.to_string(), Value::String(v.to_string()));
        }
    };
    put("SchemaVersion", f.schema_version());
    put("Id", f.id());
    put("ProductArn", f.product_arn());
    put("GeneratorId", f.generator_id());
    put("AwsAccountId", f.aws_account_id());
    put("Region", f.region());
    put("CreatedAt", f.created_at());
    put("UpdatedAt", f.updated_at());
    put("Title", f.title());
    put("Description", f.description());
    put("RecordState", f.record_state().map(|r| r.as_str()));
    o.insert("Types".into(), json!(f.types()));
    if let Some(label) = f.severity().and_then(|s| s.label()) {
        o.insert("Severity".into(), json!({"Label": label.as_str()}));
    }
    if let Some(status) = f.compliance().and_then(|c| c.status()) {
        o.insert("Compliance".into(), json!({"Status": status.as_str()}));
    }
    let resources: Vec<Value> = f
        .resources()
        .iter()
        .map(|r| {
            json!({
                "Type": r.r#type(),
                "Id": r.id(),
                "Region": r.region(),
                "Partition": r.partition().map(|p| p.as_str()),
            })
        })
        .collect();
    o.insert("Resources".into(), Value::Array(resources));
    if let Some(rec) = f.remediation().and_then(|r| r.recommendation()) {
        o.insert(
            "Remediation".into(),
            json!({"Recommendation": {"Text": rec.text(), "Url": rec.url()}}),
        );
    }
    if let Some(fields) = f.product_fields() {
        let m: Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        o.insert("ProductFields".into(), Value::Object(m));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asff_round_trips_through_the_sdk_type() {
        let doc = json!({
            "SchemaVersion": "2018-10-08",
            "Id": "guardrail/r/arn:aws:iam::1:user/a",
            "ProductArn": "arn:aws:securityhub:us-east-1:1:product/1/default",
            "GeneratorId": "r",
            "AwsAccountId": "1",
            "Region": "us-east-1",
            "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
            "CreatedAt": "2026-11-02T10:00:00Z",
            "UpdatedAt": "2026-11-02T10:00:00Z",
            "Severity": {"Label": "HIGH"},
            "Title": "t",
            "Description": "d",
            "Compliance": {"Status": "FAILED"},
            "Resources": [{"Type": "AwsIamUser", "Id": "arn:aws:iam::1:user/a", "Region": "us-east-1", "Partition": "aws"}],
            "Remediation": {"Recommendation": {"Text": "fix", "Url": "https://x/r.md"}},
            "ProductFields": {"guardrail/Mode": "alert"},
            "RecordState": "ACTIVE",
        });
        assert_eq!(from_sdk(&to_sdk(&doc)), doc);
    }
}
