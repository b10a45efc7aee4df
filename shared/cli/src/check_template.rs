//! `guardrail check-template TEMPLATE...`: the policy engine on a CloudFormation/SAM template.
//!
//! Trust and resource policies are judged as written ([`cfn::policies`]); identity policies
//! with the principal that holds them ([`cfn::principals`]): inline documents, policies of the
//! template attached to it, expanded SAM policy templates, and the AWS managed policies it
//! names (their documents from the bundle in [`managed_policies`]). Each document is judged on
//! its own for now; a finding names the principal and the policy
//! (`Resources.Fn (AWS managed policy AdministratorAccess)`). What cannot be judged (a managed
//! policy outside the bundle, a SAM policy template that does not expand) is a note on stderr.

use crate::check_policy::ReportArgs;
use crate::error::CliError;
use crate::managed_policies;
use crate::output::FileFinding;
use guardrail_rules::cfn::{self, Suppression, TemplateNote, PSEUDO_ACCOUNT};
use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyKind};
use serde_json::{Map, Value};
use std::collections::HashSet;
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
        let (principals, notes) = cfn::principals(&template);
        // Shown on stderr, so JSON and SARIF on stdout stay machine-readable.
        let mut unattached = HashSet::new();
        for note in &notes {
            match note {
                TemplateNote::Unattached { logical_id } => {
                    unattached.insert(logical_id.as_str());
                }
                other => eprintln!("note: {}: {other}", file.display()),
            }
        }
        // Trust and resource policies as written; identity policies are judged with the
        // principal that holds them, except those of policy resources no principal of this
        // template holds.
        for tp in cfn::policies(&template) {
            if tp.kind == PolicyKind::Identity && !unattached.contains(tp.logical_id.as_str()) {
                continue;
            }
            count += 1;
            let location = format!("{}#{}", file.display(), tp.path);
            judge(
                &location,
                &tp.document,
                tp.kind,
                tp.service_role,
                &tp.suppressions,
                &mut findings,
            )?;
        }
        for principal in &principals {
            let (held, unknown) = principal.held_policies(bundled_document);
            for arn in unknown {
                eprintln!(
                    "note: {}: Resources.{}: {}: not judged",
                    file.display(),
                    principal.logical_id,
                    unknown_policy(arn)
                );
            }
            for policy in held {
                count += 1;
                let location = format!("{}#{}", file.display(), policy.location);
                judge(
                    &location,
                    &policy.document,
                    PolicyKind::Identity,
                    principal.machine_only(),
                    &principal.suppressions,
                    &mut findings,
                )?;
            }
        }
    }
    args.report.emit(&findings, count, "policy")
}

/// The document of an AWS managed policy, from the bundle embedded in this binary.
fn bundled_document(arn: &str) -> Option<Value> {
    managed_policies::managed_policy(arn).and_then(|p| serde_json::from_str(&p.document).ok())
}

/// Why a managed policy a principal names has no document here.
fn unknown_policy(arn: &str) -> String {
    match cfn::aws_managed_policy_name(arn) {
        Some(name) => format!(
            "AWS managed policy {name} is not in the bundled documents ({} policies)",
            managed_policies::count()
        ),
        None => format!("managed policy {arn} is not defined in this template"),
    }
}

/// Judge one document and add its findings, less the accepted ones.
fn judge(
    location: &str,
    document: &Value,
    kind: PolicyKind,
    machine_only: bool,
    suppressions: &[Suppression],
    findings: &mut Vec<FileFinding>,
) -> Result<(), CliError> {
    let doc = PolicyDocument::from_value(document).map_err(|source| CliError::Parse {
        path: PathBuf::from(location),
        source,
    })?;
    let options = AnalysisOptions {
        kind,
        own_account: Some(PSEUDO_ACCOUNT.to_string()),
        allowed_regions: None,
    };
    for f in analyze(&doc, &options) {
        // A machine role has no human holder, hence no MFA to ask for.
        if machine_only && f.rule == "iam-policy-allows-without-mfa" {
            continue;
        }
        let sid = f.statement.as_ref().and_then(|s| s.sid.as_deref());
        if let Some(s) = suppressions.iter().find(|s| s.covers(f.rule, sid)) {
            let Some(reason) = &s.reason else {
                return Err(CliError::Template {
                    path: PathBuf::from(location),
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
            file: location.to_string(),
            kind,
            finding: f,
        });
    }
    Ok(())
}
