//! What a function invocation answers: the decoded trigger, what was skipped and why, the
//! findings with their action outcomes, and Config evaluations. Also the log of record.

use crate::evaluation::Evaluation;
use crate::finding::Finding;
use crate::gate::{self, Skip};
use crate::settings::Settings;
use crate::trigger::{ApiCall, ConfigInvocation, DecodeError, Trigger};
use serde::Serialize;

/// The handler's JSON answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// Trigger label, e.g. `ec2:CreateVolume` or `config:item-change`.
    pub trigger: String,
    pub event_id: Option<String>,
    /// Why the whole event was left alone, if it was.
    pub skipped: Option<String>,
    /// Resources left alone, with the reason.
    pub skipped_resources: Vec<String>,
    /// Findings alerted on in this invocation.
    pub findings: Vec<Finding>,
    /// Incident keys already handled by an earlier delivery (not alerted again).
    pub duplicates: Vec<String>,
    pub evaluations: Vec<Evaluation>,
    /// A permanent input error: the event cannot be processed and retrying will not help.
    pub rejected: Option<String>,
}

impl Outcome {
    /// The answer to an event that cannot be decoded: not an error (a retry cannot help).
    pub fn rejected(error: &DecodeError) -> Outcome {
        Outcome {
            trigger: "unknown".to_string(),
            rejected: Some(error.to_string()),
            ..Outcome::default()
        }
    }

    /// The answer skeleton for an API call.
    pub fn for_call(call: &ApiCall) -> Outcome {
        Outcome {
            trigger: format!("{}:{}", call.service(), call.event_name),
            event_id: Some(call.event_id.clone()),
            ..Outcome::default()
        }
    }

    /// The answer to a call left alone, with the reason.
    pub fn skip(call: &ApiCall, why: &Skip) -> Outcome {
        Outcome {
            skipped: Some(why.to_string()),
            ..Outcome::for_call(call)
        }
    }

    /// Screen a call ([`gate::screen`]): the answer skeleton when it is to be judged, or the
    /// finished "skipped" answer when it is not.
    pub fn screen(call: &ApiCall, settings: &Settings) -> Result<Outcome, Box<Outcome>> {
        match gate::screen(call, settings) {
            Ok(()) => Ok(Outcome::for_call(call)),
            Err(skip) => Err(Box::new(Outcome::skip(call, &skip))),
        }
    }

    /// [`Outcome::screen`] for a failed call going to the judges that count refusals
    /// (`gate::screen_failed`: no failure check).
    pub fn screen_failed(call: &ApiCall, settings: &Settings) -> Result<Outcome, Box<Outcome>> {
        match gate::screen_failed(call, settings) {
            Ok(()) => Ok(Outcome::for_call(call)),
            Err(skip) => Err(Box::new(Outcome::skip(call, &skip))),
        }
    }

    /// Screen a Config invocation by account, as [`Outcome::screen`] does API calls: the
    /// answer skeleton when it is to be judged, or the finished "skipped" answer.
    pub fn screen_config(
        invocation: &ConfigInvocation,
        settings: &Settings,
    ) -> Result<Outcome, Box<Outcome>> {
        let out = Outcome {
            trigger: format!("config:{}", invocation.message.label()),
            ..Outcome::default()
        };
        match gate::screen_account(&invocation.account, settings) {
            Ok(()) => Ok(out),
            Err(skip) => Err(Box::new(Outcome {
                skipped: Some(skip.to_string()),
                ..out
            })),
        }
    }

    /// The answer to a trigger this function has no rule for.
    pub fn not_relevant(trigger: &Trigger) -> Outcome {
        Outcome {
            trigger: trigger.label(),
            skipped: Some(format!(
                "no rule of this function applies to {}",
                trigger.label()
            )),
            ..Outcome::default()
        }
    }
}
