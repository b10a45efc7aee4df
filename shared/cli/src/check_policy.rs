//! `guardrail check-policy FILE... [--compare OLD]`

use crate::error::CliError;
use crate::input::load;
use crate::output::{self, FileFinding, Format};
use guardrail_rules::parallel;
use guardrail_rules::policy::analysis::new_access::new_access;
use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyKind};
use guardrail_rules::Severity;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy documents (raw or URL-encoded JSON).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Policy kind; by default a document whose statements name a Principal is a trust policy.
    /// `resource`: a bucket, key, topic, queue or function policy (adds `resource-policy-public`).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Own account id, to tell foreign accounts in trust policies apart.
    #[arg(long = "account")]
    pub account: Option<String>,
    /// Allowed regions (comma-separated): checks that the policy enforces them.
    #[arg(long, value_delimiter = ',')]
    pub allowed_regions: Option<Vec<String>>,
    /// The policy before the change: also report, as `iam-policy-new-access`, every request
    /// a FILE allows that OLD does not ("no new access" when there is none). Identity
    /// policies and SCPs.
    #[arg(long, value_name = "OLD")]
    pub compare: Option<PathBuf>,
}

/// Output format and failure threshold, shared by the checking commands.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding is at least this severe. Default medium: low/info findings
    /// (unknown actions from a newer catalogue, a missing Version) should not break a build.
    #[arg(long, default_value = "medium", value_parser = parse_severity)]
    pub fail_on: Severity,
}

impl ReportArgs {
    /// Print the findings in the chosen format; the exit code follows `--fail-on`.
    pub fn emit(
        &self,
        findings: &[FileFinding],
        inputs: usize,
        noun: &str,
    ) -> Result<ExitCode, CliError> {
        let text = match self.format {
            Format::Text => output::text::render(findings, inputs, noun),
            Format::Json => output::json::render(findings)?,
            Format::Sarif => output::sarif::render(findings)?,
            Format::Html => output::html::policies(findings, inputs, noun),
        };
        output::emit(&text)?;
        let failing = findings.iter().any(|f| f.finding.severity >= self.fail_on);
        Ok(if failing {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum KindArg {
    Identity,
    Trust,
    Resource,
    Scp,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>().map_err(|e| e.to_string())
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    // Files are independent: read, parse and judge them on every CPU (the corpus of 1,567 AWS
    // managed policies is one invocation), in input order. Every file is parsed before
    // anything is reported: a broken file is exit 2 even if another has findings.
    let old = match &args.compare {
        Some(path) => Some((path.display().to_string(), load(path)?)),
        None => None,
    };
    if old.is_some() && matches!(args.kind, Some(KindArg::Trust | KindArg::Resource)) {
        return Err(CliError::Compare(
            "compares identity policies and SCPs; a trust or resource policy's new access is \
             about principals, which it does not search"
                .to_string(),
        ));
    }
    let old = old.as_ref().map(|(name, doc)| (name.as_str(), doc));
    let judged = parallel::map(&args.files, 0, |file| judge_file(args, file, old));
    let inputs = judged.len();
    let mut findings = Vec::new();
    for result in judged {
        findings.extend(result?);
    }
    args.report.emit(&findings, inputs, "file")
}

/// One file's findings, or why it could not be read.
fn judge_file(
    args: &Args,
    file: &Path,
    old: Option<(&str, &PolicyDocument)>,
) -> Result<Vec<FileFinding>, CliError> {
    let doc = load(file)?;
    let kind = match args.kind {
        Some(KindArg::Identity) => PolicyKind::Identity,
        Some(KindArg::Trust) => PolicyKind::Trust,
        Some(KindArg::Resource) => PolicyKind::ResourceBased,
        Some(KindArg::Scp) => PolicyKind::Scp,
        None if doc.has_principals() => PolicyKind::Trust,
        None => PolicyKind::Identity,
    };
    let options = AnalysisOptions {
        kind,
        own_account: args.account.clone(),
        allowed_regions: args.allowed_regions.clone(),
    };
    let name = file.display().to_string();
    let mut findings = analyze(&doc, &options);
    if let Some((old_name, old)) = old {
        findings.extend(new_access(&[old], &[&doc], &options).finding(old_name));
    }
    Ok(findings
        .into_iter()
        .map(|finding| FileFinding {
            file: name.clone(),
            kind,
            finding,
        })
        .collect())
}
