//! AWS Config evaluations, as data.

use serde::Serialize;

/// Config's compliance verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Compliance {
    Compliant,
    NonCompliant,
    NotApplicable,
}

impl Compliance {
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Compliant => "COMPLIANT",
            Compliance::NonCompliant => "NON_COMPLIANT",
            Compliance::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

/// Config's limit on an annotation.
pub const MAX_ANNOTATION: usize = 256;

/// One evaluation for PutEvaluations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub resource_type: String,
    pub resource_id: String,
    pub compliance: Compliance,
    pub annotation: Option<String>,
    /// RFC 3339; the adapter falls back to "now" when absent or unparsable.
    pub ordering_timestamp: Option<String>,
}

impl Evaluation {
    pub fn new(
        resource_type: &str,
        resource_id: &str,
        compliance: Compliance,
        annotation: Option<String>,
        ordering_timestamp: Option<String>,
    ) -> Evaluation {
        Evaluation {
            resource_type: resource_type.to_string(),
            resource_id: resource_id.to_string(),
            compliance,
            annotation: annotation.map(|a| truncate(&a, MAX_ANNOTATION)),
            ordering_timestamp,
        }
    }
}

/// Truncate to at most `max` bytes on a character boundary.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().to_string()
}
