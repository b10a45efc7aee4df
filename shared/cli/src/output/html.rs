//! One self-contained HTML report (inline CSS, inline SVG charts, no script, no network) for
//! `scan`, `access`, `check-policy` and `check-template`: counts per severity and per rule,
//! then the findings grouped by rule, each rule linked to its documentation page; `scan` and
//! `access` add the audit matrix (users × groups, roles, paths), drawn by one function.
//!
//! Stable hooks for tests and tooling: `#total-findings`, `[data-count-severity=...]`,
//! `[data-count-rule=...]`, and one `tr.finding[data-rule][data-severity]` per finding; the
//! matrix's are listed in [`super::audit_matrix`].

use super::audit_matrix;
use super::FileFinding;
use guardrail_rules::access::{AccessReport, AuditMatrix};
use guardrail_rules::finding::ActionStatus;
use guardrail_rules::sweep::SweepReport;
use guardrail_rules::Severity;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One finding, whatever command produced it.
pub struct Row {
    pub rule: String,
    pub severity: Severity,
    /// The resource ARN, or the file (and statement) of a policy.
    pub resource: String,
    pub reason: String,
    /// What was done or would be done.
    pub action: String,
}

/// Where the rule pages live (`GUARDRAIL_DOCS_BASE_URL`, else the project's placeholder).
fn docs_base() -> String {
    std::env::var("GUARDRAIL_DOCS_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| guardrail_rules::asff::DEFAULT_DOCS_BASE_URL.to_string())
}

fn doc_link(rule: &str, base: &str) -> String {
    if guardrail_rules::rules::meta(rule).is_some() {
        format!("{base}{rule}.md")
    } else {
        // Policy-engine checks without a rule page of their own.
        format!("{}policy-engine.md", base.trim_end_matches("rules/"))
    }
}

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#7f1d1d",
        Severity::High => "#dc2626",
        Severity::Medium => "#f59e0b",
        Severity::Low => "#2563eb",
        Severity::Info => "#6b7280",
    }
}

/// A horizontal bar chart: one labelled bar per (label, count, colour).
fn bar_chart(id: &str, title: &str, bars: &[(String, usize, &str)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (300usize, 400usize, 24usize);
    let height = bars.len().max(1) * row_h + 10;
    let mut svg = format!(
        "<svg id=\"{id}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        t = esc(title),
        w = label_w + bar_w + 60
    );
    for (i, (label, n, fill)) in bars.iter().enumerate() {
        let y = i * row_h + 5;
        let len = if *n == 0 { 0 } else { (n * bar_w / max).max(2) };
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{l}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{len}\" height=\"{bh}\" fill=\"{fill}\">\
             <title>{l}: {n}</title></rect>\
             <text x=\"{nx}\" y=\"{ty}\" font-size=\"13\">{n}</text>",
            lx = label_w - 8,
            ty = y + 15,
            l = esc(label),
            bh = row_h - 6,
            nx = label_w + len + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

const STYLE: &str =
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;\
color:#111827;background:#fff}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;\
margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}.meta{color:#4b5563}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #e5e7eb;\
padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}th{background:#f9fafb}\
.sev{display:inline-block;padding:0 .45rem;border-radius:.6rem;color:#fff;font-size:.8rem;\
font-weight:600;text-transform:uppercase}.charts{display:flex;flex-wrap:wrap;gap:2rem}\
.counts{width:auto;min-width:22rem}.counts td:last-child{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.85rem;\
word-break:break-all}.total{font-size:2rem;font-weight:700}";

/// The whole report. `title` names what was checked; `subtitle` says where/what was read.
pub fn render(title: &str, subtitle: &str, rows: &[Row]) -> String {
    let base = docs_base();
    let mut by_severity: BTreeMap<Severity, usize> =
        Severity::ALL.iter().map(|s| (*s, 0)).collect();
    let mut by_rule: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        *by_severity.entry(r.severity).or_insert(0) += 1;
        by_rule.entry(r.rule.as_str()).or_default().push(r);
    }
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\n\
         <h1>{t}</h1><p class=\"meta\">{s}</p>\n\
         <p><span class=\"total\" id=\"total-findings\">{n}</span> finding(s)</p>\n",
        t = esc(title),
        s = esc(subtitle),
        n = rows.len()
    );

    // Counts: tables (the numbers) and charts (the picture).
    h.push_str("<h2>Counts</h2><div class=\"charts\"><div><table class=\"counts\" id=\"counts-by-severity\"><tr><th>severity</th><th>findings</th></tr>");
    for s in Severity::ALL.iter().rev() {
        let _ = write!(
            h,
            "<tr><td><span class=\"sev\" style=\"background:{c}\">{s}</span></td>\
             <td data-count-severity=\"{s}\">{n}</td></tr>",
            c = colour(*s),
            n = by_severity.get(s).copied().unwrap_or(0)
        );
    }
    h.push_str("</table>");
    let sev_bars: Vec<(String, usize, &str)> = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            (
                s.as_str().to_string(),
                by_severity.get(s).copied().unwrap_or(0),
                colour(*s),
            )
        })
        .collect();
    h.push_str(&bar_chart(
        "chart-severity",
        "Findings per severity",
        &sev_bars,
    ));
    h.push_str("</div><div><table class=\"counts\" id=\"counts-by-rule\"><tr><th>rule</th><th>findings</th></tr>");
    for (rule, items) in &by_rule {
        let _ = write!(
            h,
            "<tr><td><a href=\"{href}\">{r}</a></td><td data-count-rule=\"{r}\">{n}</td></tr>",
            href = esc(&doc_link(rule, &base)),
            r = esc(rule),
            n = items.len()
        );
    }
    h.push_str("</table>");
    let rule_bars: Vec<(String, usize, &str)> = by_rule
        .iter()
        .map(|(rule, items)| {
            let worst = items
                .iter()
                .map(|r| r.severity)
                .max()
                .unwrap_or(Severity::Info);
            (rule.to_string(), items.len(), colour(worst))
        })
        .collect();
    h.push_str(&bar_chart("chart-rule", "Findings per rule", &rule_bars));
    h.push_str("</div></div>\n");

    // Findings, grouped by rule (worst rule first).
    let mut groups: Vec<(&str, Vec<&Row>)> = by_rule.into_iter().collect();
    groups.sort_by(|a, b| {
        let worst = |g: &[&Row]| g.iter().map(|r| r.severity).max();
        worst(&b.1).cmp(&worst(&a.1)).then(a.0.cmp(b.0))
    });
    if groups.is_empty() {
        h.push_str("<h2>Findings</h2><p id=\"no-findings\">No findings.</p>\n");
    }
    for (rule, items) in groups {
        let title = guardrail_rules::rules::meta(rule)
            .map(|m| m.title)
            .unwrap_or("");
        let _ = write!(
            h,
            "<section class=\"rule\" data-rule=\"{r}\"><h2><code>{r}</code> {t} \
             (<a href=\"{href}\">documentation</a>)</h2>\
             <table><tr><th>severity</th><th>resource</th><th>reason</th><th>action</th></tr>",
            r = esc(rule),
            t = esc(title),
            href = esc(&doc_link(rule, &base)),
        );
        for r in items {
            let _ = write!(
                h,
                "<tr class=\"finding\" data-rule=\"{rule}\" data-severity=\"{s}\">\
                 <td><span class=\"sev\" style=\"background:{c}\">{s}</span></td>\
                 <td><code>{res}</code></td><td>{reason}</td><td>{action}</td></tr>",
                rule = esc(rule),
                s = r.severity,
                c = colour(r.severity),
                res = esc(&r.resource),
                reason = esc(&r.reason),
                action = esc(&r.action),
            );
        }
        h.push_str("</table></section>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">Generated by guardrail {}.</p></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// The report of `check-policy` / `check-template`.
pub fn policies(findings: &[FileFinding], inputs: usize, noun: &str) -> String {
    let rows: Vec<Row> = findings
        .iter()
        .map(|f| Row {
            rule: f.finding.rule.to_string(),
            severity: f.finding.severity,
            resource: format!("{} {}", f.file, f.location()),
            // The message names the actions already; subsumed findings are named, not rows.
            reason: if f.finding.related.is_empty() {
                f.finding.message.clone()
            } else {
                let rules: Vec<&str> = f.finding.related.iter().map(|r| r.rule).collect();
                format!("{} (includes {})", f.finding.message, rules.join(", "))
            },
            action: "none (static check)".to_string(),
        })
        .collect();
    let plural = if inputs == 1 {
        noun.to_string()
    } else if noun == "policy" {
        "policies".to_string()
    } else {
        format!("{noun}s")
    };
    render(
        "Guardrail policy report",
        &format!("{inputs} {plural} checked"),
        &rows,
    )
}

/// The report of `scan`.
pub fn scan(report: &SweepReport) -> String {
    let rows: Vec<Row> = report
        .findings
        .iter()
        .map(|f| Row {
            rule: f.rule.to_string(),
            severity: f.severity,
            resource: f.resource.arn.clone(),
            reason: f.reason.clone(),
            action: if f.actions.is_empty() {
                "none".to_string()
            } else {
                f.actions
                    .iter()
                    .map(|a| {
                        let what = a.step.describe();
                        match &a.status {
                            ActionStatus::Recommended => format!("recommended: {what}"),
                            ActionStatus::Planned => format!("planned (dry-run): {what}"),
                            ActionStatus::Pending => format!("not executed: {what}"),
                            ActionStatus::Done => format!("done: {what}"),
                            ActionStatus::AlreadyDone => format!("already done: {what}"),
                            ActionStatus::Failed { error } => format!("FAILED: {what}: {error}"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        })
        .collect();
    let page = render(
        &format!("Guardrail account scan: {}", report.account),
        &format!("regions: {}", report.regions.join(", ")),
        &rows,
    );
    let section = match &report.matrix {
        Some(m) => audit_matrix::section(m),
        None => "<h2 id=\"audit-matrix\">Audit matrix: users × groups</h2>\
                 <p id=\"matrix-empty\">Not drawn: the iam-principal-* rules are all switched \
                 off, so no user or role was judged.</p>"
            .to_string(),
    };
    append(page, &section)
}

/// The report of `access`: the findings, then the seed's audit matrix (users × groups, with
/// admin, reachable admin, MFA and boundary per user), the roles' verdicts and the paths.
pub fn access(report: &AccessReport, account: &str) -> String {
    let rows: Vec<Row> = report
        .findings
        .iter()
        .map(|f| Row {
            rule: f.rule.to_string(),
            severity: f.severity,
            resource: f.resource.arn.clone(),
            reason: f.message.clone(),
            action: if f.path.is_empty() {
                "alert only".to_string()
            } else {
                format!("path: {}", f.path.join(" → "))
            },
        })
        .collect();
    let page = render(
        &format!("Guardrail effective access: {account}"),
        &format!("{} principal(s)", report.principals.len()),
        &rows,
    );
    // A file has no exemptions: they are the deployed guardrail's settings.
    append(
        page,
        &audit_matrix::section(&AuditMatrix::new(report, |_| false)),
    )
}

/// `section` at the end of `page`'s body.
fn append(page: String, section: &str) -> String {
    match page.rfind("</body>") {
        Some(i) => format!("{}{section}{}", &page[..i], &page[i..]),
        None => page + section,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rule: &str, severity: Severity, reason: &str) -> Row {
        Row {
            rule: rule.into(),
            severity,
            resource: "arn:aws:iam::1:user/a".into(),
            reason: reason.into(),
            action: "none".into(),
        }
    }

    #[test]
    fn counts_hooks_and_escaping() {
        let rows = vec![
            row(
                "iam-user-direct-policy",
                Severity::Medium,
                "<script>x</script>",
            ),
            row("iam-user-direct-policy", Severity::Medium, "b"),
            row("iam-policy-validation", Severity::Low, "c"),
        ];
        let h = render("t", "s", &rows);
        assert!(h.contains("<span class=\"total\" id=\"total-findings\">3</span>"));
        assert!(h.contains("data-count-rule=\"iam-user-direct-policy\">2<"));
        assert!(h.contains("data-count-severity=\"medium\">2<"));
        assert!(h.contains("data-count-severity=\"critical\">0<"));
        assert!(h.contains("&lt;script&gt;"));
        assert!(!h.contains("<script"));
        assert!(h.contains("docs/rules/iam-user-direct-policy.md"));
        assert!(h.contains("docs/policy-engine.md"));
        assert!(!h.contains("http://") || h.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    }

    #[test]
    fn empty_report_says_so() {
        let h = render("t", "s", &[]);
        assert!(h.contains("id=\"no-findings\""));
        assert!(h.contains(">0</span>"));
    }
}
