//! The sweep's report: the findings, counted per rule and severity, the worst items named, the
//! API calls the sweep made, and the summary alert people read.

use crate::access::AuditMatrix;
use crate::alert::Alert;
use crate::finding::Finding;
use crate::severity::Severity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many findings the summary names.
pub const WORST_ITEMS: usize = 10;

/// The `rule` attribute of the summary alert (for SNS subscription filters).
pub const SUMMARY_RULE: &str = "account-sweep";

/// SNS accepts messages up to 256 KiB; the summary stays well below.
const MAX_SUMMARY_BYTES: usize = 200 * 1024;

/// One of the worst findings, as the summary names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstItem {
    pub rule: &'static str,
    pub severity: Severity,
    pub region: String,
    pub resource_id: String,
    pub resource_arn: String,
    pub reason: String,
}

/// What a sweep found and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepReport {
    pub account: String,
    pub regions: Vec<String>,
    pub findings: Vec<Finding>,
    pub by_rule: BTreeMap<String, usize>,
    pub by_severity: BTreeMap<Severity, usize>,
    /// The worst findings (severity first), at most [`WORST_ITEMS`].
    pub worst: Vec<WorstItem>,
    /// API calls made, by `service:Operation` (counted by the adapters).
    pub api_calls: BTreeMap<String, u64>,
    /// The same, summed per service.
    pub api_calls_per_service: BTreeMap<String, u64>,
    /// What could not be judged, and why (e.g. no root row in the credential report).
    pub notes: Vec<String>,
    /// The rules that could not be judged at all (see [`crate::sweep::Swept`]): Security Hub
    /// keeps their earlier findings open. Set by the function from the sweep's result.
    pub unjudged_rules: Vec<String>,
    /// Findings whose incident an earlier sweep or event already reported within the dedupe
    /// window (not alerted or remediated again); set by the function after the pipeline ran.
    pub repeats: usize,
    /// The audit matrix of the judged users and roles (see [`crate::sweep::Swept::matrix`]);
    /// set by the caller from the sweep's result, as `guardrail scan` does for its HTML page.
    /// Left out of the JSON when unset, so a report without it serialises as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix: Option<AuditMatrix>,
    /// The summary, in words.
    pub summary: String,
}

impl SweepReport {
    pub fn new(
        account: &str,
        regions: Vec<String>,
        findings: Vec<Finding>,
        notes: Vec<String>,
        api_calls: BTreeMap<String, u64>,
    ) -> SweepReport {
        let mut by_rule = BTreeMap::new();
        let mut by_severity = BTreeMap::new();
        for f in &findings {
            *by_rule.entry(f.rule.to_string()).or_insert(0) += 1;
            *by_severity.entry(f.severity).or_insert(0) += 1;
        }
        let mut ranked: Vec<&Finding> = findings.iter().collect();
        ranked.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule.cmp(b.rule))
                .then(a.resource.id.cmp(&b.resource.id))
        });
        let worst = ranked
            .into_iter()
            .take(WORST_ITEMS)
            .map(|f| WorstItem {
                rule: f.rule,
                severity: f.severity,
                region: f.region.clone(),
                resource_id: f.resource.id.clone(),
                resource_arn: f.resource.arn.clone(),
                reason: f.reason.clone(),
            })
            .collect();
        let mut api_calls_per_service = BTreeMap::new();
        for (op, n) in &api_calls {
            let service = op.split_once(':').map(|(s, _)| s).unwrap_or(op);
            *api_calls_per_service
                .entry(service.to_string())
                .or_insert(0) += n;
        }
        let mut report = SweepReport {
            account: account.to_string(),
            regions,
            findings,
            by_rule,
            by_severity,
            worst,
            api_calls,
            api_calls_per_service,
            notes,
            unjudged_rules: Vec::new(),
            repeats: 0,
            matrix: None,
            summary: String::new(),
        };
        report.summary = report.render_summary();
        report
    }

    /// Record how many findings were already reported, and refresh the summary.
    pub fn set_repeats(&mut self, repeats: usize) {
        self.repeats = repeats;
        self.summary = self.render_summary();
    }

    /// The worst severity found; `None` for a clean account.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    fn render_summary(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Account sweep of {} ({}): {} finding(s){}.",
            self.account,
            if self.regions.is_empty() {
                "IAM only".to_string()
            } else {
                format!("IAM and {}", self.regions.join(", "))
            },
            self.findings.len(),
            if self.repeats > 0 {
                format!(
                    ", {} already reported earlier (not alerted or remediated again)",
                    self.repeats
                )
            } else {
                String::new()
            }
        );
        if !self.by_severity.is_empty() {
            let sev: Vec<String> = self
                .by_severity
                .iter()
                .rev()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            let _ = writeln!(t, "\nBy severity: {}", sev.join(", "));
            let _ = writeln!(t, "\nBy rule:");
            for (rule, n) in &self.by_rule {
                let _ = writeln!(t, "  {rule}: {n}");
            }
            let _ = writeln!(t, "\nWorst items:");
            for w in &self.worst {
                let _ = writeln!(
                    t,
                    "  - [{}] {} {} ({}): {}",
                    w.severity.as_str().to_uppercase(),
                    w.rule,
                    w.resource_id,
                    w.region,
                    w.reason
                );
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(t, "\nNot judged:");
            for n in &self.notes {
                let _ = writeln!(t, "  - {n}");
            }
        }
        let calls: u64 = self.api_calls.values().sum();
        let per: Vec<String> = self
            .api_calls_per_service
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let _ = writeln!(t, "\nAPI calls: {calls} ({})", per.join(", "));
        t
    }
}

/// The one summary alert a sweep publishes: counts per rule and severity and the worst items
/// named, with the counts as JSON for machines. The findings themselves are not inlined (a
/// large account's would exceed SNS's message limit); they are in the function's output.
pub fn summary_alert(report: &SweepReport) -> Alert {
    let severity = report.worst_severity().unwrap_or(Severity::Info);
    let subject: String = format!(
        "[{}] Account sweep: {} finding(s) in {}",
        severity.as_str().to_uppercase(),
        report.findings.len(),
        report.account
    )
    .chars()
    .map(|c| {
        if c.is_ascii() && !c.is_ascii_control() {
            c
        } else {
            '?'
        }
    })
    .take(crate::alert::MAX_SUBJECT)
    .collect();
    let counts = serde_json::json!({
        "account": report.account,
        "regions": report.regions,
        "findings": report.findings.len(),
        "repeats": report.repeats,
        "by_rule": report.by_rule,
        "by_severity": report.by_severity,
        "worst": report.worst,
        "api_calls": report.api_calls,
    });
    let mut message = format!(
        "Guardrail account sweep\n\n{}\n--- summary (JSON) ---\n{}\n",
        report.summary,
        serde_json::to_string_pretty(&counts).unwrap_or_default()
    );
    if message.len() > MAX_SUMMARY_BYTES {
        message = crate::evaluation::truncate(&message, MAX_SUMMARY_BYTES);
    }
    let mut attributes = BTreeMap::new();
    attributes.insert("rule".to_string(), SUMMARY_RULE.to_string());
    attributes.insert("severity".to_string(), severity.to_string());
    attributes.insert("account".to_string(), report.account.clone());
    attributes.insert("findings".to_string(), report.findings.len().to_string());
    Alert {
        subject,
        message,
        attributes,
    }
}
