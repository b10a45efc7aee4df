//! Reading and parsing policy files.

use crate::error::CliError;
use guardrail_rules::policy::{PolicyDocument, MAX_DOCUMENT_BYTES};
use std::io::Read;
use std::path::Path;

/// Read a policy file (capped at the engine's size limit plus one byte so the engine reports
/// the precise TooLarge error) and parse it.
pub fn load(path: &Path) -> Result<PolicyDocument, CliError> {
    let text = read_capped(path, MAX_DOCUMENT_BYTES as u64 + 1)?;
    PolicyDocument::parse(&text).map_err(|source| CliError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// A file's text, at most `max` bytes of it (the parsers report what is too large).
pub fn read_capped(path: &Path, max: u64) -> Result<String, CliError> {
    let read_err = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).map_err(read_err)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
