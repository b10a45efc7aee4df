//! `guardrail check-template TEMPLATE...`: the policy engine on a CloudFormation/SAM template.

use crate::check_policy::ReportArgs;
use crate::error::CliError;
use crate::output::FileFinding;
use guardrail_rules::cfn::{self, PSEUDO_ACCOUNT};
use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Templates, YAML (with short-form tags like !Sub) or JSON.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// YAML to JSON, turning CloudFormation short-form tags (`!Sub x`) into long form
/// (`{"Fn::Sub": x}`; `!Ref x` into `{"Ref": x}`, `!GetAtt a.b` into `{"Fn::GetAtt": [a, b]}`).
fn to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value);
            let (key, value) = match name {
                "Ref" | "Condition" => (name.to_string(), value),
                "GetAtt" => {
                    let parts = match value {
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    ("Fn::GetAtt".to_string(), parts)
                }
                other => (format!("Fn::{other}"), value),
            };
            let mut map = Map::new();
            map.insert(key, value);
            Value::Object(map)
        }
    }
}

fn load(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| CliError::Template {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(to_json(yaml))
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut findings = Vec::new();
    let mut count = 0;
    for file in &args.files {
        let template = load(file)?;
        for tp in cfn::policies(&template) {
            count += 1;
            let location = format!("{}#{}", file.display(), tp.path);
            let doc =
                PolicyDocument::from_value(&tp.document).map_err(|source| CliError::Parse {
                    path: PathBuf::from(&location),
                    source,
                })?;
            let options = AnalysisOptions {
                kind: tp.kind,
                own_account: Some(PSEUDO_ACCOUNT.to_string()),
                allowed_regions: None,
            };
            for f in analyze(&doc, &options) {
                // A machine role has no human holder, hence no MFA to ask for.
                if tp.service_role && f.rule == "iam-policy-allows-without-mfa" {
                    continue;
                }
                let sid = f.statement.as_ref().and_then(|s| s.sid.as_deref());
                if let Some(s) = tp.suppressions.iter().find(|s| s.covers(f.rule, sid)) {
                    // Shown on stderr, so JSON and SARIF on stdout stay machine-readable.
                    let Some(reason) = &s.reason else {
                        return Err(CliError::Template {
                            path: PathBuf::from(&location),
                            reason: format!("suppression of {} has no reason", f.rule),
                        });
                    };
                    eprintln!(
                        "suppressed: {location}: [{}] {}: {reason}",
                        f.rule,
                        sid.unwrap_or("document")
                    );
                    continue;
                }
                findings.push(FileFinding {
                    file: location.clone(),
                    kind: tp.kind,
                    finding: f,
                });
            }
        }
    }
    args.report.emit(&findings, count, "policy")
}
