//! Human output: one line per finding. Findings an admin finding subsumes are not lines of
//! their own: the line names their rules (JSON and SARIF carry them in full).

use super::FileFinding;
use std::fmt::Write;

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
    }
    let plural = match (inputs, noun) {
        (1, _) => noun.to_string(),
        (_, "policy") => "policies".to_string(),
        _ => format!("{noun}s"),
    };
    let _ = writeln!(out, "{} finding(s) in {inputs} {plural}", findings.len());
    out
}
