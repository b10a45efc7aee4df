//! What to do with instances launched in a region that is not allowed.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// `GUARDRAIL_REGION_INSTANCE_ACTION`. Stop is the default: it ends the cost and the exposure
/// of a running instance but keeps its disks, so a mistaken launch can be recovered; terminate
/// is for accounts where nothing may live outside the allow-list at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceAction {
    /// Alert only.
    None,
    #[default]
    Stop,
    Terminate,
}

impl InstanceAction {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceAction::None => "none",
            InstanceAction::Stop => "stop",
            InstanceAction::Terminate => "terminate",
        }
    }
}

impl fmt::Display for InstanceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InstanceAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(InstanceAction::None),
            "stop" => Ok(InstanceAction::Stop),
            "terminate" => Ok(InstanceAction::Terminate),
            other => Err(format!(
                "unknown instance action {other:?} (expected none, stop or terminate)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words() {
        assert_eq!("STOP ".parse(), Ok(InstanceAction::Stop));
        assert_eq!("terminate".parse(), Ok(InstanceAction::Terminate));
        assert_eq!("none".parse(), Ok(InstanceAction::None));
        assert!("delete".parse::<InstanceAction>().is_err());
        assert_eq!(InstanceAction::default(), InstanceAction::Stop);
    }
}
