//! What a rule is allowed to do.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Per-rule mode. Ordered: `Remediate` implies everything `Alert` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The rule is not evaluated.
    Off,
    /// Findings are reported; the remediation plan is only recommended.
    Alert,
    /// Findings are reported and the plan is executed (unless the global dry-run is on).
    Remediate,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Alert => "alert",
            Mode::Remediate => "remediate",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Mode::Off),
            "alert" => Ok(Mode::Alert),
            "remediate" => Ok(Mode::Remediate),
            other => Err(format!(
                "unknown mode {other:?} (expected off, alert or remediate)"
            )),
        }
    }
}
