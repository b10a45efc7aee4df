//! Output formats for check-policy, check-template and scan.

pub mod audit_matrix;
pub mod findings;
pub mod html;
pub mod json;
pub mod sarif;
pub mod text;

use guardrail_rules::policy::{PolicyFinding, PolicyKind};

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// One self-contained HTML page (inline CSS and SVG charts, no script, no network).
    Html,
}

/// A finding with the file it came from.
pub struct FileFinding {
    pub file: String,
    pub kind: PolicyKind,
    pub finding: PolicyFinding,
}

impl FileFinding {
    /// `Statement[1] (Sid)` or `document`.
    pub fn location(&self) -> String {
        match &self.finding.statement {
            Some(s) => s.to_string(),
            None => "document".to_string(),
        }
    }
}

/// Write `text` to standard output. A closed pipe (`guardrail ... | head -1`) is not an
/// error: the reader has what it wanted, so the command ends quietly instead of panicking as
/// `println!` does.
pub fn emit(text: &str) -> Result<(), std::io::Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
