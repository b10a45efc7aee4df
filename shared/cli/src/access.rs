//! `guardrail access FILE [--scp FILE]... [--account ID] [--format text|json|sarif|html]
//! [--fail-on SEVERITY]`: effective access over an exported account, the JSON that
//! `aws iam get-account-authorization-details` writes (pages merged; documents as JSON objects
//! or URL-encoded strings). The same judgement as the sweep's (`guardrail_rules::access`);
//! AWS managed policies the file lacks come from the bundled documents.

use crate::check_policy::ReportArgs;
use crate::error::CliError;
use crate::input::load;
use crate::output::{self, html, Format};
use guardrail_rules::access::{self, AccessOptions, AccessReport, Principals};
use guardrail_rules::policy::PolicyDocument;
use guardrail_rules::sweep::{parse_account_file, MAX_ACCOUNT_FILE_BYTES};
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The account file (`aws iam get-account-authorization-details > account.json`).
    pub file: PathBuf,
    /// A service control policy of the account (repeatable: each action must be allowed by
    /// one and denied by none).
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// The account id (default: read from the file's ARNs).
    #[arg(long = "account")]
    pub account: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let read_err = |source| CliError::Read {
        path: args.file.clone(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&args.file)
        .map_err(read_err)?
        .take(MAX_ACCOUNT_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    let facts =
        parse_account_file(&String::from_utf8_lossy(&bytes)).map_err(|e| CliError::Account {
            path: args.file.clone(),
            reason: e.to_string(),
        })?;
    let scps: Vec<PolicyDocument> = args
        .scps
        .iter()
        .map(|p| load(p))
        .collect::<Result<_, _>>()?;
    let account = args
        .account
        .clone()
        .or_else(|| facts.account_id())
        .unwrap_or_default();
    let lookup =
        |arn: &str| crate::managed_policies::managed_policy(arn).map(|p| p.document.clone());
    let principals = Principals::build(&facts, &account, &lookup);
    let report = access::judge(
        &principals,
        &AccessOptions {
            scps: scps.iter().collect(),
            ..AccessOptions::default()
        },
    );
    for note in &report.notes {
        eprintln!("guardrail: note: {note}");
    }
    let file = args.file.display().to_string();
    let text = match args.report.format {
        Format::Text => text(&report, &file),
        Format::Json => serde_json::to_string_pretty(&values(&report, &file))? + "\n",
        Format::Sarif => sarif(&report, &file)?,
        Format::Html => html::access(&report, &account),
    };
    output::emit(&text)?;
    let failing = report
        .findings
        .iter()
        .any(|f| f.severity >= args.report.fail_on);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn text(report: &AccessReport, file: &str) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out += &format!(
            "{} [{}] {}: {}\n",
            f.severity.as_str().to_uppercase(),
            f.rule,
            f.resource.arn,
            f.message
        );
    }
    let count = |pred: fn(&access::PrincipalSummary) -> bool| {
        report.principals.iter().filter(|p| pred(p)).count()
    };
    out += &format!(
        "\n{file}: {} principal(s): {} administrator(s), {} can become one, {} user(s) act without MFA; {} finding(s); {} note(s)\n",
        report.principals.len(),
        count(|p| p.admin),
        count(|p| p.admin_reachable),
        count(|p| p.without_mfa),
        report.findings.len(),
        report.notes.len(),
    );
    out
}

/// The finding shape of `check-policy --format json`, with `resource` the principal.
fn values(report: &AccessReport, file: &str) -> Vec<serde_json::Value> {
    report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "file": file,
                "kind": "principal",
                "resource": f.resource,
                "statement": f.statements.first(),
                "statements": f.statements,
                "message": f.message,
                "actions": f.actions,
                "path": f.path,
            })
        })
        .collect()
}

fn sarif(report: &AccessReport, file: &str) -> Result<String, serde_json::Error> {
    let ids = [
        access::ADMIN,
        access::ADMIN_REACHABLE,
        access::SENSITIVE_WITHOUT_MFA,
    ];
    let rules: Vec<_> = ids
        .iter()
        .filter_map(|id| guardrail_rules::rules::meta(id))
        .map(|m| json!({"id": m.id, "shortDescription": {"text": m.title}}))
        .collect();
    let results: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": ids.iter().position(|id| *id == f.rule),
                "level": if f.severity >= guardrail_rules::Severity::High { "error" } else { "warning" },
                "message": {"text": f.message},
                "properties": {"severity": f.severity, "path": f.path},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": file}},
                    "logicalLocations": [{"fullyQualifiedName": f.resource.arn, "kind": "resource"}],
                }],
            })
        })
        .collect();
    output::sarif::document(rules, results)
}
