//! IAM's service last-accessed data, as `GetServiceLastAccessedDetails` returns it (the JSON
//! the AWS CLI prints for `aws iam get-service-last-accessed-details --job-id ID`), decoded
//! into facts. Pages of one job may be given as a JSON array of responses.
//!
//! Shape (IAM API Reference, GetServiceLastAccessedDetails): `JobStatus`, `JobType`
//! (`SERVICE_LEVEL` or `ACTION_LEVEL`), `JobCompletionDate`, `IsTruncated`, and
//! `ServicesLastAccessed[]` with `ServiceNamespace`, `LastAuthenticated` (absent when never
//! used in the tracking period) and, for an action-level job and the services IAM tracks
//! actions for, `TrackedActionsLastAccessed[]` with `ActionName` and `LastAccessedTime`.

use crate::policy::condition::parse_date;
use crate::sweep::time::format_iso8601;
use serde_json::Value;

/// Services a report may hold (IAM has about 450; the cap keeps a hostile file bounded).
const MAX_SERVICES: usize = 2_000;
/// Tracked actions per service.
const MAX_ACTIONS: usize = 2_000;

/// Why a report cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LastAccessedError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("{path}: {reason}")]
    Field { path: String, reason: String },
    /// The job has not finished (`IN_PROGRESS`) or `FAILED`: its data is partial or absent.
    #[error("JobStatus is {0}, not COMPLETED: the report is not finished")]
    NotCompleted(String),
    #[error("{what} exceeds {max} entries")]
    TooLarge { what: &'static str, max: usize },
}

/// One service's use.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceUse {
    /// `s3`, `iam`: the action prefix.
    pub namespace: String,
    /// When the principal last authenticated against it (seconds since the epoch); `None`:
    /// not in the tracking period.
    pub last_authenticated: Option<f64>,
    /// Action-level data, when the job asked for it and IAM tracks this service's actions.
    pub tracked_actions: Option<Vec<ActionUse>>,
}

/// One tracked action's use.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionUse {
    /// `GetObject` (without the prefix), as IAM reports it.
    pub name: String,
    pub last_accessed: Option<f64>,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LastAccessed {
    /// `JobCompletionDate`: the day "unused for N days" counts back from.
    pub completed: Option<f64>,
    pub action_level: bool,
    pub services: Vec<ServiceUse>,
    /// `IsTruncated` on the last page given: services are missing.
    pub truncated: bool,
}

impl LastAccessed {
    /// Decode a response, or an array of the pages of one job.
    pub fn parse(text: &str) -> Result<LastAccessed, LastAccessedError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| LastAccessedError::NotJson(e.to_string()))?;
        let pages: Vec<(String, &Value)> = match &value {
            Value::Array(pages) => pages
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("$[{i}]"), p))
                .collect(),
            page => vec![("$".to_string(), page)],
        };
        let mut out = LastAccessed::default();
        for (path, page) in pages {
            let obj = page
                .as_object()
                .ok_or_else(|| field(&path, "not an object"))?;
            match obj.get("JobStatus").and_then(Value::as_str) {
                Some("COMPLETED") => {}
                Some(other) => return Err(LastAccessedError::NotCompleted(other.to_string())),
                None => return Err(field(&format!("{path}.JobStatus"), "missing")),
            }
            out.action_level |= obj.get("JobType").and_then(Value::as_str) == Some("ACTION_LEVEL");
            if let Some(d) = obj.get("JobCompletionDate") {
                out.completed = Some(date(d, &format!("{path}.JobCompletionDate"))?);
            }
            out.truncated = obj.get("IsTruncated").and_then(Value::as_bool) == Some(true);
            let services = obj
                .get("ServicesLastAccessed")
                .and_then(Value::as_array)
                .ok_or_else(|| field(&format!("{path}.ServicesLastAccessed"), "missing"))?;
            for (i, s) in services.iter().enumerate() {
                if out.services.len() >= MAX_SERVICES {
                    return Err(LastAccessedError::TooLarge {
                        what: "ServicesLastAccessed",
                        max: MAX_SERVICES,
                    });
                }
                out.services
                    .push(service(s, &format!("{path}.ServicesLastAccessed[{i}]"))?);
            }
        }
        Ok(out)
    }

    /// The report as `aws iam get-service-last-accessed-details` prints it (one page, the
    /// fields [`LastAccessed::parse`] reads), so a report the sweep fetched (`guardrail scan
    /// --last-accessed-dir`) is a file `guardrail suggest-policy` reads. Dates are written in
    /// whole seconds.
    pub fn to_json(&self) -> Value {
        let date = |t: f64| Value::String(format_iso8601(t as i64));
        let services: Vec<Value> = self
            .services
            .iter()
            .map(|s| {
                let mut o = serde_json::Map::new();
                o.insert("ServiceNamespace".into(), s.namespace.clone().into());
                if let Some(t) = s.last_authenticated {
                    o.insert("LastAuthenticated".into(), date(t));
                }
                if let Some(actions) = &s.tracked_actions {
                    let list = actions
                        .iter()
                        .map(|a| {
                            let mut o = serde_json::Map::new();
                            o.insert("ActionName".into(), a.name.clone().into());
                            if let Some(t) = a.last_accessed {
                                o.insert("LastAccessedTime".into(), date(t));
                            }
                            Value::Object(o)
                        })
                        .collect();
                    o.insert("TrackedActionsLastAccessed".into(), Value::Array(list));
                }
                Value::Object(o)
            })
            .collect();
        let mut o = serde_json::Map::new();
        o.insert("JobStatus".into(), "COMPLETED".into());
        let job_type = if self.action_level {
            "ACTION_LEVEL"
        } else {
            "SERVICE_LEVEL"
        };
        o.insert("JobType".into(), job_type.into());
        if let Some(t) = self.completed {
            o.insert("JobCompletionDate".into(), date(t));
        }
        o.insert("ServicesLastAccessed".into(), Value::Array(services));
        o.insert("IsTruncated".into(), self.truncated.into());
        Value::Object(o)
    }

    /// Add a service, within the cap a parsed report has.
    pub fn push_service(&mut self, service: ServiceUse) -> Result<(), LastAccessedError> {
        if self.services.len() >= MAX_SERVICES {
            return Err(LastAccessedError::TooLarge {
                what: "ServicesLastAccessed",
                max: MAX_SERVICES,
            });
        }
        if service
            .tracked_actions
            .as_ref()
            .is_some_and(|a| a.len() > MAX_ACTIONS)
        {
            return Err(LastAccessedError::TooLarge {
                what: "TrackedActionsLastAccessed",
                max: MAX_ACTIONS,
            });
        }
        self.services.push(service);
        Ok(())
    }

    /// The entry for a service prefix (case-insensitive).
    pub fn service(&self, namespace: &str) -> Option<&ServiceUse> {
        self.services
            .iter()
            .find(|s| s.namespace.eq_ignore_ascii_case(namespace))
    }
}

fn field(path: &str, reason: &str) -> LastAccessedError {
    LastAccessedError::Field {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

/// An ISO 8601 date as the CLI prints it (`2026-11-30T10:00:00+00:00`), or epoch seconds as
/// some SDKs serialise it.
fn date(v: &Value, path: &str) -> Result<f64, LastAccessedError> {
    match v {
        Value::String(s) => parse_date(s).ok_or_else(|| field(path, "not a date")),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| field(path, "not a date")),
        _ => Err(field(path, "not a date")),
    }
}

fn optional_date(v: Option<&Value>, path: &str) -> Result<Option<f64>, LastAccessedError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => date(v, path).map(Some),
    }
}

fn service(v: &Value, path: &str) -> Result<ServiceUse, LastAccessedError> {
    let obj = v.as_object().ok_or_else(|| field(path, "not an object"))?;
    let namespace = obj
        .get("ServiceNamespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| field(&format!("{path}.ServiceNamespace"), "missing"))?
        .to_string();
    let last_authenticated = optional_date(
        obj.get("LastAuthenticated"),
        &format!("{path}.LastAuthenticated"),
    )?;
    let tracked_actions = match obj.get("TrackedActionsLastAccessed") {
        None | Some(Value::Null) => None,
        Some(Value::Array(actions)) => {
            if actions.len() > MAX_ACTIONS {
                return Err(LastAccessedError::TooLarge {
                    what: "TrackedActionsLastAccessed",
                    max: MAX_ACTIONS,
                });
            }
            let mut out = Vec::with_capacity(actions.len());
            for (i, a) in actions.iter().enumerate() {
                let p = format!("{path}.TrackedActionsLastAccessed[{i}]");
                let name = a
                    .get("ActionName")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| field(&format!("{p}.ActionName"), "missing"))?;
                out.push(ActionUse {
                    name: name.to_string(),
                    last_accessed: optional_date(
                        a.get("LastAccessedTime"),
                        &format!("{p}.LastAccessedTime"),
                    )?,
                });
            }
            Some(out)
        }
        Some(_) => {
            return Err(field(
                &format!("{path}.TrackedActionsLastAccessed"),
                "not an array",
            ))
        }
    };
    Ok(ServiceUse {
        namespace,
        last_authenticated,
        tracked_actions,
    })
}
