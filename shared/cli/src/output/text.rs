//! Human output: one line per finding. Findings an admin finding subsumes are not lines of
//! their own: the line names their rules (JSON and SARIF carry them in full).

use super::FileFinding;
use std::fmt::Write;

/// Example requests printed under a finding (JSON and SARIF carry up to 20).
const MAX_EXAMPLE_LINES: usize = 5;

/// `inputs` counts what was read, named by `noun` ("file", "policy").
pub fn render(findings: &[FileFinding], inputs: usize, noun: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = write!(
            out,
            "{}: {} [{}] {}: {}",
            f.file,
            f.finding.severity.as_str().to_uppercase(),
            f.finding.rule,
            f.location(),
            f.finding.message
        );
        if !f.finding.related.is_empty() {
            let rules: Vec<&str> = f.finding.related.iter().map(|r| r.rule).collect();
            let _ = write!(out, " (includes {})", rules.join(", "));
        }
        out.push('\n');
        for r in f.finding.requests.iter().take(MAX_EXAMPLE_LINES) {
            let _ = write!(out, "    e.g. {} on {}", r.action, r.resource);
            let keys = r.context_words();
            if !keys.is_empty() {
                let _ = write!(out, " with {}", keys.join(", "));
            }
            let by = r
                .allowed_by
                .as_ref()
                .map(|s| format!("allowed by {s}"))
                .unwrap_or_else(|| "allowed".to_string());
            let before = match &r.denied_by {
                Some(s) => format!("denied before by {s}"),
                None => "not allowed before".to_string(),
            };
            let _ = writeln!(out, " ({by}; {before})");
        }
    }
    let plural = match (inputs, noun) {
        (1, _) => noun.to_string(),
        (_, "policy") => "policies".to_string(),
        _ => format!("{noun}s"),
    };
    let _ = writeln!(out, "{} finding(s) in {inputs} {plural}", findings.len());
    out
}
