//! CLI errors. All map to exit code 2.

use guardrail_rules::policy::PolicyParseError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: PolicyParseError,
    },
    /// `suggest-policy`: the last-accessed report cannot be used.
    #[error("{path}: {reason}")]
    Usage { path: PathBuf, reason: String },
    #[error("--compare {0}")]
    Compare(String),
    #[error("invalid --context {0:?}: expected key=value")]
    BadContext(String),
    #[error("{path}: {reason}")]
    Account { path: PathBuf, reason: String },
    #[error("{path}: not a YAML/JSON template: {reason}")]
    Template { path: PathBuf, reason: String },
    /// `scan --last-accessed-dir`: a report or policy file could not be written.
    #[error("cannot write {path}: {source}")]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `scan`: bad GUARDRAIL_* settings, or AWS could not be read.
    #[error("scan failed: {0}")]
    Scan(String),
    #[error("cannot write output: {0}")]
    Output(#[from] serde_json::Error),
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
}
