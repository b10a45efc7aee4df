//! `guardrail suggest-policy --last-accessed REPORT POLICY...`: a least-privilege identity
//! policy from IAM's last-accessed data, proved by the engine to allow every kept action and
//! nothing the originals did not.

use crate::error::CliError;
use crate::input::read_capped as read;
use crate::output;
use guardrail_rules::policy::{AnalysisOptions, PolicyDocument, PolicyKind};
use guardrail_rules::usage::{narrow, prove, LastAccessed, Narrowing, Original, Proof};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The principal's policies (identity policies, raw or URL-encoded JSON): one narrowed
    /// policy replaces them all.
    #[arg(required = true)]
    pub policies: Vec<PathBuf>,
    /// The JSON of `aws iam get-service-last-accessed-details --job-id ID` for the principal
    /// (an ACTION_LEVEL job narrows to actions; a JSON array holds the pages of one job).
    #[arg(long, value_name = "REPORT")]
    pub last_accessed: PathBuf,
    /// Unused means not used for this many days before the job completed.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub unused_days: u32,
    /// `policy`: the narrowed policy on stdout, a summary on stderr; `json`: the policy, every
    /// action kept or dropped with the reason, and the proof.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Policy)]
    pub format: SuggestFormat,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestFormat {
    Policy,
    Json,
}

/// Bigger than any real report (IAM has ~450 services) and still bounded.
const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let report_text = read(&args.last_accessed, MAX_REPORT_BYTES)?;
    let report = LastAccessed::parse(&report_text).map_err(|e| CliError::Usage {
        path: args.last_accessed.clone(),
        reason: e.to_string(),
    })?;
    let mut docs = Vec::new();
    for path in &args.policies {
        let text = read(path, guardrail_rules::policy::MAX_DOCUMENT_BYTES as u64 + 1)?;
        let parse_err = |source| CliError::Parse {
            path: path.clone(),
            source,
        };
        let doc = PolicyDocument::parse(&text).map_err(parse_err)?;
        let json = PolicyDocument::json(&text).map_err(parse_err)?;
        docs.push((doc, json));
    }
    let end = report.completed.unwrap_or_else(now);
    let cutoff = end - f64::from(args.unused_days) * 86_400.0;
    let originals: Vec<Original<'_>> = docs
        .iter()
        .map(|(doc, json)| Original { doc, json })
        .collect();
    let narrowing = narrow(&originals, &report, cutoff);
    let narrowed =
        PolicyDocument::from_value(&narrowing.policy).map_err(|source| CliError::Parse {
            path: PathBuf::from("(narrowed policy)"),
            source,
        })?;
    let kept: Vec<String> = narrowing.kept.iter().map(|(a, _)| a.clone()).collect();
    let options = AnalysisOptions {
        kind: PolicyKind::Identity,
        own_account: None,
        allowed_regions: None,
    };
    let old: Vec<&PolicyDocument> = docs.iter().map(|(d, _)| d).collect();
    let proof = prove(&old, &narrowed, &kept, &options);
    let mut warnings = Vec::new();
    if report.completed.is_none() {
        warnings.push("the report has no JobCompletionDate: the window ends now".to_string());
    }
    if report.truncated {
        warnings.push(
            "the report is truncated (IsTruncated): services on later pages count as unused; \
             give every page as a JSON array"
                .to_string(),
        );
    }
    if !report.action_level {
        warnings.push("a SERVICE_LEVEL report: actions of a used service are all kept".to_string());
    }
    match args.format {
        SuggestFormat::Policy => {
            let text = serde_json::to_string_pretty(&Ordered(&narrowing.policy))? + "\n";
            output::emit(&text)?;
            eprint!(
                "{}",
                summary(&narrowing, &proof, args.unused_days, &warnings)
            );
        }
        SuggestFormat::Json => {
            let v = json!({
                "policy": narrowing.policy,
                "kept": narrowing.kept.iter().map(|(a, why)| json!({"action": a, "why": why})).collect::<Vec<_>>(),
                "dropped": narrowing.dropped.iter().map(|(a, why)| json!({"action": a, "why": why})).collect::<Vec<_>>(),
                "notes": narrowing.notes,
                "warnings": warnings,
                "proof": {
                    "holds": proof.holds(),
                    "no_new_access": proof.new_access.no_new_access(),
                    "actions_probed": proof.new_access.actions_probed,
                    "new_access": proof.new_access.added,
                    "lost": proof.lost,
                },
            });
            output::emit(&(serde_json::to_string_pretty(&v)? + "\n"))?;
        }
    }
    Ok(if proof.holds() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The stderr summary of the default format.
fn summary(n: &Narrowing, proof: &Proof, days: u32, warnings: &[String]) -> String {
    let mut out = format!(
        "suggest-policy: kept {} action(s), dropped {} not used in {days} days\n",
        n.kept.len(),
        n.dropped.len()
    );
    for note in &n.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    for w in warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    if proof.holds() {
        out.push_str(&format!(
            "  proof: no new access over the originals ({} actions probed); every kept action \
             is still allowed\n",
            proof.new_access.actions_probed
        ));
    } else {
        for e in proof.new_access.added.iter().take(5) {
            out.push_str(&format!(
                "  proof FAILED: new access {} on {}\n",
                e.action, e.resource
            ));
        }
        for a in &proof.lost {
            out.push_str(&format!("  proof FAILED: {a} is no longer allowed\n"));
        }
    }
    out
}

/// A policy document with its elements in the order people write them (Version, then
/// Statement; Sid, Effect, Action, Resource, Condition), whatever the JSON map's own order.
struct Ordered<'a>(&'a serde_json::Value);

/// The order of a policy's elements: the document's, then a statement's.
const ELEMENT_ORDER: &[&str] = &[
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            serde_json::Value::Object(map)
                if map.keys().any(|k| ELEMENT_ORDER.contains(&k.as_str())) =>
            {
                let rank = |k: &str| {
                    ELEMENT_ORDER
                        .iter()
                        .position(|e| *e == k)
                        .unwrap_or(usize::MAX)
                };
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by_key(|k| rank(k));
                let mut m = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    match k.as_str() {
                        // Condition blocks keep their own (operator, key) spelling and order.
                        "Condition" => m.serialize_entry(k, &map[k])?,
                        _ => m.serialize_entry(k, &Ordered(&map[k]))?,
                    }
                }
                m.end()
            }
            serde_json::Value::Array(list) => {
                let mut seq = s.serialize_seq(Some(list.len()))?;
                for v in list {
                    seq.serialize_element(&Ordered(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
