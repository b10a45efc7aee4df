//! Human output.

use super::FileFinding;
use std::fmt::Write;

pub fn render(findings: &[FileFinding], files: usize) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}: {} [{}] {}: {}",
            f.file,
            f.finding.severity.as_str().to_uppercase(),
            f.finding.rule,
            f.location(),
            f.finding.message
        );
    }
    let _ = writeln!(out, "{} finding(s) in {files} file(s)", findings.len());
    out
}
