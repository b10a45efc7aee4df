//! A least-privilege policy from usage: the Allow statements of a principal's policies, each
//! keeping only the actions IAM's last-accessed data shows used within the window (or cannot
//! tell about), with their resources and conditions unchanged; Deny statements kept as they
//! are. Then proved with the engine: the narrowed policy allows no request the originals do
//! not ([`new_access`]), and every kept action is still allowed in the request the originals
//! allow it in.
//!
//! What counts as used, per action the originals allow:
//! - the service is missing from the report, or was not authenticated to since the cut-off:
//!   dropped;
//! - the report has action-level data for the service: the action is kept when it was
//!   accessed since the cut-off, dropped when IAM tracked it and it was not; an action IAM
//!   does not track (most data-plane actions) is kept, since nothing says it is unused;
//! - service-level data only: every action of a used service is kept.

use super::last_accessed::LastAccessed;
use crate::policy::analysis::new_access::{new_access, statement_actions, Comparison};
use crate::policy::analysis::probe::Probe;
use crate::policy::analysis::AnalysisOptions;
use crate::policy::catalog::catalog;
use crate::policy::document::{Effect, PolicyDocument, Statement};
use crate::policy::wildcard::has_wildcard;
use crate::policy::PolicySet;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Why an action was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    /// Accessed since the cut-off (action-level data).
    Used,
    /// Its service was used; the report has no action-level data for it.
    ServiceUsed,
    /// Its service was used and IAM does not track this action.
    Untracked,
    /// A wildcard the action catalogue does not know (kept as written).
    UnknownPattern,
}

/// Why an action was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dropped {
    /// The service is not in the report.
    ServiceNotInReport,
    /// The service was not authenticated to since the cut-off.
    ServiceNotUsed,
    /// IAM tracked the action and it was not accessed since the cut-off.
    ActionNotUsed,
}

/// The narrowed policy and what happened to each action.
#[derive(Debug, Clone, Serialize)]
pub struct Narrowing {
    /// The narrowed policy document.
    pub policy: Value,
    pub kept: Vec<(String, Kept)>,
    pub dropped: Vec<(String, Dropped)>,
    /// Statements removed whole, NotAction rewritten, Sids renamed, in words.
    pub notes: Vec<String>,
}

/// What the engine proved about a narrowed policy.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Requests the narrowed policy allows and the originals do not (must be none).
    pub new_access: Comparison,
    /// Kept actions the narrowed policy no longer allows where the originals did (must be
    /// none).
    pub lost: Vec<String>,
}

impl Proof {
    pub fn holds(&self) -> bool {
        self.new_access.no_new_access() && self.lost.is_empty()
    }
}

/// One original policy: its parsed document and its JSON (for rewriting statements without
/// losing the spelling of their elements).
pub struct Original<'a> {
    pub doc: &'a PolicyDocument,
    pub json: &'a Value,
}

/// Narrow `originals` to what `usage` shows used since `cutoff` (seconds since the epoch).
pub fn narrow(originals: &[Original<'_>], usage: &LastAccessed, cutoff: f64) -> Narrowing {
    let mut verdicts: HashMap<String, Result<Kept, Dropped>> = HashMap::new();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let mut notes = Vec::new();
    let mut statements: Vec<Value> = Vec::new();
    let mut sids: Vec<String> = Vec::new();
    for (p, original) in originals.iter().enumerate() {
        for stmt in &original.doc.statements {
            let Some(mut out) = statement_json(original.json, stmt.index) else {
                notes.push(format!("policy {p} Statement[{}]: not found", stmt.index));
                continue;
            };
            if stmt.effect == Effect::Allow {
                let (actions, unknown) = statement_actions(stmt);
                let mut keep = |a: &str| {
                    let v = *verdicts.entry(a.to_ascii_lowercase()).or_insert_with(|| {
                        let v = judge(a, usage, cutoff);
                        match v {
                            Ok(k) => kept.push((a.to_string(), k)),
                            Err(d) => dropped.push((a.to_string(), d)),
                        }
                        v
                    });
                    v.is_ok()
                };
                let kept_here: Vec<String> = actions.iter().filter(|a| keep(a)).cloned().collect();
                for u in &unknown {
                    kept.push((u.clone(), Kept::UnknownPattern));
                }
                let Some(list) = action_list(stmt, &kept_here, &unknown, &mut notes, p) else {
                    notes.push(format!(
                        "policy {p} {}: removed, none of its actions was used",
                        stmt.reference()
                    ));
                    continue;
                };
                if let Some(obj) = out.as_object_mut() {
                    obj.remove("NotAction");
                    obj.insert("Action".to_string(), json!(list));
                }
            }
            if let Some(obj) = out.as_object_mut() {
                unique_sid(obj, &mut sids, &mut notes);
            }
            statements.push(out);
        }
    }
    Narrowing {
        policy: json!({"Version": "2012-10-17", "Statement": statements}),
        kept,
        dropped,
        notes,
    }
}

/// Prove a narrowing: no new access over the originals, and each kept action still allowed
/// in the request the originals allow it in.
pub fn prove(
    originals: &[&PolicyDocument],
    narrowed: &PolicyDocument,
    kept: &[String],
    options: &AnalysisOptions,
) -> Proof {
    let new_access = new_access(originals, &[narrowed], options);
    let mut lost = Vec::new();
    if let (Some(old), Some(new)) = (
        Probe::for_set(PolicySet::identity(originals.to_vec()), None, options),
        Probe::for_set(PolicySet::identity(vec![narrowed]), None, options),
    ) {
        for action in kept {
            if let Some((ctx, _)) = old.find_allow(action, &[], None) {
                if !new.eval(&ctx).is_allowed() {
                    lost.push(action.clone());
                }
            }
        }
    }
    Proof { new_access, lost }
}

/// Whether `action` stays, and why.
fn judge(action: &str, usage: &LastAccessed, cutoff: f64) -> Result<Kept, Dropped> {
    let (prefix, name) = action.split_once(':').unwrap_or((action, ""));
    let service = usage.service(prefix).ok_or(Dropped::ServiceNotInReport)?;
    if service.last_authenticated.is_none_or(|t| t < cutoff) {
        return Err(Dropped::ServiceNotUsed);
    }
    let Some(tracked) = &service.tracked_actions else {
        return Ok(Kept::ServiceUsed);
    };
    match tracked.iter().find(|a| a.name.eq_ignore_ascii_case(name)) {
        None => Ok(Kept::Untracked),
        Some(a) if a.last_accessed.is_some_and(|t| t >= cutoff) => Ok(Kept::Used),
        Some(_) => Err(Dropped::ActionNotUsed),
    }
}

/// The statement's new Action list: each original pattern whose every action is kept stays
/// as written (`s3:Get*`), otherwise its kept actions are listed; `None` when nothing is
/// left. A NotAction statement becomes the list of its kept actions when any was dropped.
fn action_list(
    stmt: &Statement,
    kept: &[String],
    unknown: &[String],
    notes: &mut Vec<String>,
    policy: usize,
) -> Option<Vec<String>> {
    let is_kept = |a: &str| kept.iter().any(|k| k.eq_ignore_ascii_case(a));
    let mut out: Vec<String> = Vec::new();
    let push = |a: String, out: &mut Vec<String>| {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&a)) {
            out.push(a);
        }
    };
    if stmt.action.negated {
        notes.push(format!(
            "policy {policy} {}: NotAction rewritten as the Action list of its used actions",
            stmt.reference()
        ));
        for a in kept {
            push(a.clone(), &mut out);
        }
    } else {
        for p in &stmt.action.patterns {
            if unknown.contains(p) {
                push(p.clone(), &mut out);
            } else if has_wildcard(p) {
                let expanded = catalog().expand(p);
                if expanded.iter().all(|a| is_kept(a)) {
                    push(p.clone(), &mut out);
                } else {
                    for a in expanded.into_iter().filter(|a| is_kept(a)) {
                        push(a, &mut out);
                    }
                }
            } else if is_kept(p) {
                push(p.clone(), &mut out);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Statement `index` of a policy's JSON (`Statement` is an array, or one object at index 0).
fn statement_json(doc: &Value, index: usize) -> Option<Value> {
    match doc.get("Statement")? {
        Value::Array(list) => list.get(index).cloned(),
        obj @ Value::Object(_) if index == 0 => Some(obj.clone()),
        _ => None,
    }
}

/// Sids must be unique within one policy: statements from several policies may repeat one.
fn unique_sid(obj: &mut Map<String, Value>, seen: &mut Vec<String>, notes: &mut Vec<String>) {
    let Some(sid) = obj.get("Sid").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    let mut candidate = sid.clone();
    let mut n = 2;
    while seen.contains(&candidate) {
        candidate = format!("{sid}{n}");
        n += 1;
    }
    if candidate != sid {
        notes.push(format!("Sid {sid} repeated: renamed {candidate}"));
        obj.insert("Sid".to_string(), json!(candidate));
    }
    seen.push(candidate);
}
