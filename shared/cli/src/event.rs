//! `guardrail event FILE... [--template FILE]... [--format text|json]`: "why did this not
//! alert?". Per event: what was decoded, what the gate decided and why, which template rules
//! and functions receive it, and the findings of the rules that judge from the event alone.
//! Exit 0 when every file decoded, 2 when one did not. JSON: one object per file, one per line,
//! in input order. The deployment's settings come from the environment, as the functions read
//! them (`GUARDRAIL_OWN_ROLE_ARN`, `GUARDRAIL_EXEMPT_PRINCIPALS`, `GUARDRAIL_ALLOWED_REGIONS`,
//! ...); the templates' patterns are matched with `guardrail_rules::eventbridge`.

use crate::error::CliError;
use crate::output::emit;
use guardrail_rules::cfn::{event_rules, from_yaml, EventRule};
use guardrail_rules::eventbridge;
use guardrail_rules::finding::EventContext;
use guardrail_rules::gate;
use guardrail_rules::region;
use guardrail_rules::rules::registry::CALL_JUDGES;
use guardrail_rules::rules::{region_not_allowed, Function};
use guardrail_rules::trigger::{decode, ApiCall, CallKind, Trigger, MAX_EVENT_BYTES};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum EventFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Event files (EventBridge envelopes, AWS Config invocations, schedules).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Templates whose EventBridge rules are matched (repeatable; default `template.yaml` and
    /// `templates/member.yaml`, where they exist).
    #[arg(long = "template", value_name = "FILE")]
    pub templates: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: EventFormat,
}

/// A template's rules, or why it could not be read (said in every answer, not fatal).
struct Template {
    path: String,
    rules: Vec<EventRule>,
}

fn templates(args: &Args) -> Result<Vec<Template>, CliError> {
    let (paths, given) = if args.templates.is_empty() {
        let defaults = [
            PathBuf::from("template.yaml"),
            PathBuf::from("templates/member.yaml"),
        ];
        (defaults.into_iter().filter(|p| p.exists()).collect(), false)
    } else {
        (args.templates.clone(), true)
    };
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        let template = from_yaml(&text).map_err(|reason| CliError::Template {
            path: path.clone(),
            reason,
        })?;
        out.push(Template {
            path: path.display().to_string(),
            rules: event_rules(&template, &deployed_parameter),
        });
    }
    if out.is_empty() && !given {
        eprintln!("guardrail: note: no template.yaml here; receivers not matched (use --template)");
    }
    Ok(out)
}

/// A template parameter as this deployment sets it, where the environment says: the allowed
/// regions are `GUARDRAIL_ALLOWED_REGIONS` (the functions' own setting). Others: the default.
fn deployed_parameter(name: &str) -> Option<Value> {
    let regions = std::env::var("GUARDRAIL_ALLOWED_REGIONS").ok()?;
    (name == "AllowedRegions").then(|| {
        Value::Array(
            regions
                .split(',')
                .map(|r| Value::String(r.trim().to_string()))
                .filter(|r| r != "")
                .collect(),
        )
    })
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let settings = Settings::from_lookup(|k| std::env::var(k).ok())
        .map_err(|e| CliError::BadContext(e.to_string()))?;
    let templates = templates(args)?;
    let mut all_decoded = true;
    for file in &args.files {
        let answer = explain(file, &templates, &settings);
        all_decoded &= answer["decoded"] == true;
        match args.format {
            EventFormat::Json => emit(&format!("{answer}\n"))?,
            EventFormat::Text => emit(&text(&answer))?,
        }
    }
    Ok(if all_decoded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Everything said about one file, as JSON (the text form is rendered from it).
fn explain(file: &PathBuf, templates: &[Template], settings: &Settings) -> Value {
    let name = file.display().to_string();
    let failed = |error: String| json!({"file": name, "decoded": false, "error": error});
    // The size first: an oversized file is refused before it is read.
    match std::fs::metadata(file) {
        Ok(m) if m.len() > MAX_EVENT_BYTES as u64 => {
            return failed(format!("larger than {MAX_EVENT_BYTES} bytes"))
        }
        Ok(_) => {}
        Err(e) => return failed(e.to_string()),
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return failed(e.to_string()),
    };
    let event: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return failed(format!("not JSON: {e}")),
    };
    let trigger = match decode(&event) {
        Ok(t) => t,
        Err(e) => return failed(e.to_string()),
    };
    let mut out = json!({"file": name, "decoded": true});
    match &trigger {
        Trigger::ApiCall(call) => {
            out["kind"] = json!(match call.kind {
                CallKind::ApiCall => "api_call",
                CallKind::ConsoleSignIn => "sign_in",
            });
            out["source"] = json!(call.event_source);
            out["name"] = json!(call.event_name);
            out["principal"] = json!(call.principal.display());
            out["principal_type"] = json!(call.principal.kind);
            out["account"] = json!(call.account);
            out["region"] = json!(call.region);
            out["failed"] = json!(call.failed());
            out["read_only"] = json!(call.read_only);
            match gate::screen(call, settings) {
                Ok(()) => {
                    out["gate"] = json!({"decision": "judge"});
                }
                Err(skip) => {
                    out["gate"] = json!({"decision": "skip", "reason": skip.to_string()});
                }
            }
        }
        Trigger::Config(inv) => {
            out["kind"] = json!("config");
            out["name"] = json!(inv.message.label());
            out["account"] = json!(inv.account);
            out["gate"] = json!({"decision": "judge",
                "reason": "AWS Config invokes its rule's function directly (no EventBridge pattern)"});
        }
        Trigger::Schedule(s) => {
            out["kind"] = json!("schedule");
            out["account"] = json!(s.account);
            out["region"] = json!(s.region);
            out["gate"] = json!({"decision": "judge"});
        }
    }
    let receivers = receivers(&event, &trigger, templates, settings);
    if let (Trigger::ApiCall(call), true) = (&trigger, out["gate"]["decision"] == "judge") {
        // The rules of the functions that receive it; all of them when no template was read.
        let functions: Vec<Function> = Function::ALL
            .into_iter()
            .filter(|f| {
                templates.is_empty()
                    || receivers.iter().any(|r| {
                        r["targets"]
                            .as_array()
                            .is_some_and(|t| t.iter().any(|x| x == f.name()))
                    })
            })
            .collect();
        out["findings"] = Value::Array(from_event_alone(call, settings, &functions));
    } else {
        out["findings"] = json!([]);
    }
    out["receivers"] = Value::Array(receivers);
    out
}

/// The findings of the rules that judge from the event alone (no state to re-read): the
/// registry's judges that need nothing or only optional facts (an exemption's tags, not read
/// offline: the finding stands, as the function reports it when it cannot read them), and the
/// region rule's verdict on a call whose created resources it would re-read (its finding's
/// words depend on them; the verdict not).
fn from_event_alone(call: &ApiCall, settings: &Settings, functions: &[Function]) -> Vec<Value> {
    let ctx = EventContext::of(call);
    let mut out = Vec::new();
    for judge in CALL_JUDGES
        .iter()
        .filter(|j| functions.iter().any(|f| j.runs_in(*f)))
    {
        let Some(read) =
            (judge.needs)(call, settings).and_then(|n| n.without_aws("not read offline"))
        else {
            continue;
        };
        for f in (judge.judge)(call, &read, &ctx, settings).findings {
            out.push(
                json!({"rule": f.rule, "severity": f.severity, "mode": f.mode,
                "reason": f.reason}),
            );
        }
    }
    let region_rule = functions.contains(&Function::RegionGuard)
        && !out.iter().any(|f| f["rule"] == region_not_allowed::META.id);
    if let (true, Ok(v)) = (region_rule, region::violation(call, settings)) {
        out.push(json!({"rule": region_not_allowed::META.id,
            "severity": region_not_allowed::META.severity, "mode": v.mode, "reason": v.reason}));
    }
    out
}

/// Which template rules deliver the event, and to what.
fn receivers(
    event: &Value,
    trigger: &Trigger,
    templates: &[Template],
    settings: &Settings,
) -> Vec<Value> {
    let mut out = Vec::new();
    for t in templates {
        for rule in t
            .rules
            .iter()
            .filter(|r| r.enabled && created(r.condition.as_deref(), settings))
        {
            let reached = match (&rule.pattern, &rule.schedule, trigger) {
                (Some(pattern), _, Trigger::ApiCall(call)) => {
                    match eventbridge::matches(pattern, event) {
                        // Read-only CloudTrail calls reach only rules that ask for them.
                        Ok(true) => rule.all_management_events || call.read_only != Some(true),
                        Ok(false) => false,
                        Err(e) => {
                            out.push(json!({"template": t.path, "rule": rule.id,
                                "error": format!("pattern not matched: {e}")}));
                            false
                        }
                    }
                }
                (None, Some(_), Trigger::Schedule(_)) => true,
                _ => false,
            };
            if !reached {
                continue;
            }
            let targets: Vec<String> = rule
                .targets
                .iter()
                .map(|t| match Function::by_logical_id(t) {
                    Some(f) => f.name().to_string(),
                    None if t.contains("CentralEventBusArn") => "central event bus".to_string(),
                    None => t.clone(),
                })
                .collect();
            let mut r = json!({"template": t.path, "rule": rule.id, "targets": targets});
            if let Some(c) = &rule.condition {
                r["condition"] = json!(c);
                if c == "IsUsEast1" && event["region"] != "us-east-1" {
                    r["note"] = json!(
                        "deployed in us-east-1 only: this region's event \
                        reaches it only when the region forwards it (templates/member.yaml)"
                    );
                }
                if c.ends_with("NetworkReadCalls") {
                    r["note"] = json!("created only with NetworkReadCalls=true, an opt-in");
                }
            }
            out.push(r);
        }
    }
    out
}

/// Whether the deployment the environment describes creates a rule made under `condition`:
/// `HasAllowedCidrs` (NetworkApiCallRule) and `HasNetworkReadCalls` (NetworkReadCallRule)
/// only with GUARDRAIL_ALLOWED_CIDRS set, as the function's own setting; the template's other
/// conditions (region, options such as NetworkReadCalls) are kept, and named in the answer.
fn created(condition: Option<&str>, settings: &Settings) -> bool {
    match condition {
        Some("HasAllowedCidrs" | "HasNetworkReadCalls") => !settings.allowed_cidrs.is_empty(),
        _ => true,
    }
}

fn text(a: &Value) -> String {
    let s = |k: &str| a[k].as_str().unwrap_or("").to_string();
    let mut out = format!("{}\n", s("file"));
    if a["decoded"] != true {
        out.push_str(&format!("  not decoded: {}\n", s("error")));
        return out;
    }
    let what = match s("kind").as_str() {
        "api_call" | "sign_in" => format!(
            "{} {} {} by {} in {} {}{}",
            s("kind"),
            s("source"),
            s("name"),
            s("principal"),
            s("account"),
            s("region"),
            if a["failed"] == true { ", failed" } else { "" }
        ),
        kind => format!("{kind} {} {}", s("account"), s("name")),
    };
    out.push_str(&format!("  decoded:  {}\n", what.trim_end()));
    let gate = &a["gate"];
    out.push_str(&format!(
        "  gate:     {}{}\n",
        gate["decision"].as_str().unwrap_or(""),
        gate["reason"]
            .as_str()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    ));
    let receivers = a["receivers"].as_array().cloned().unwrap_or_default();
    if receivers.is_empty() {
        out.push_str("  received: by no template rule\n");
    }
    for r in receivers {
        let targets: Vec<&str> = r["targets"]
            .as_array()
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match r["error"].as_str() {
            Some(e) => out.push_str(&format!(
                "  received: {} {}: {e}\n",
                r["template"].as_str().unwrap_or(""),
                r["rule"].as_str().unwrap_or("")
            )),
            None => out.push_str(&format!(
                "  received: {} {} -> {}{}\n",
                r["template"].as_str().unwrap_or(""),
                r["rule"].as_str().unwrap_or(""),
                targets.join(", "),
                r["note"]
                    .as_str()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )),
        }
    }
    for f in a["findings"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  finding:  {} ({}): {}\n",
            f["rule"].as_str().unwrap_or(""),
            f["severity"].as_str().unwrap_or(""),
            f["reason"].as_str().unwrap_or("")
        ));
    }
    out
}
