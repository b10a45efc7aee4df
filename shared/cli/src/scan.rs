//! `guardrail scan`: the account sweep, from a laptop or CI, in dry-run alert mode.
//!
//! The same reading (`guardrail_aws::account`) and judging (`guardrail_rules::sweep`) code as
//! the scheduled Lambda, with the default AWS credential chain (or `--endpoint-url` for an
//! emulator). Every rule is forced to alert mode at most and dry-run is on: a scan reports, it
//! never changes anything, whatever GUARDRAIL_* variables say.

use crate::error::CliError;
use crate::output::{findings, Format};
use guardrail_aws::account::AccountReader;
use guardrail_aws::api_counter::ApiCounter;
use guardrail_aws::ports::AccountFactsReader;
use guardrail_rules::mode::Mode;
use guardrail_rules::settings::Settings;
use guardrail_rules::sweep::{SweepFacts, SweepReport, Swept};
use guardrail_rules::usage::{held::safe, identity_policies};
use guardrail_rules::Severity;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Regions to sweep (repeatable or comma-separated); default: every enabled region.
    #[arg(long = "region", value_delimiter = ',')]
    pub regions: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Send every AWS call to this endpoint (e.g. a moto server) instead of AWS.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Save the service last-accessed report of every principal the sweep read
    /// (`iam-permissions-unused`) to DIR/<user|role>-<name>/last-accessed.json, with the
    /// principal's identity policies beside it (policy-<n>-<label>.json), ready for
    /// `guardrail suggest-policy --last-accessed`.
    #[arg(long, value_name = "DIR")]
    pub last_accessed_dir: Option<PathBuf>,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, default_value = "medium", value_parser = parse_severity)]
    pub fail_on: Severity,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>().map_err(|e| e.to_string())
}

/// Settings from GUARDRAIL_* (thresholds, exemptions, rules switched off), made read-only.
fn scan_settings(args: &Args) -> Result<Settings, CliError> {
    let mut settings = Settings::from_lookup(|k| std::env::var(k).ok())
        .map_err(|e| CliError::Scan(e.to_string()))?;
    settings.dry_run = true;
    settings.default_mode = settings.default_mode.min(Mode::Alert);
    for mode in settings.rule_modes.values_mut() {
        *mode = (*mode).min(Mode::Alert);
    }
    if !args.regions.is_empty() {
        settings.sweep_regions = args.regions.clone();
    }
    Ok(settings)
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let settings = scan_settings(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Scan(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(scan(args, &settings))?;
    let text = match args.format {
        Format::Text => findings::text(&report),
        Format::Json => findings::json(&report.findings)?,
        Format::Sarif => findings::sarif(&report.findings)?,
        Format::Html => crate::output::html::scan(&report),
    };
    crate::output::emit(&text)?;
    let failing = report.findings.iter().any(|f| f.severity >= args.fail_on);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn scan(args: &Args, settings: &Settings) -> Result<SweepReport, CliError> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = loader.load().await;
    // IAM answers in us-east-1; the home region only decides where DescribeRegions is asked.
    let home_region = sdk
        .region()
        .map(|r| r.to_string())
        .or_else(|| args.regions.first().cloned())
        .unwrap_or_else(|| "us-east-1".to_string());
    let sdk = sdk
        .into_builder()
        .region(aws_config::Region::new(home_region.clone()))
        .build();
    let reader = AccountReader::new(&sdk, ApiCounter::new());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let mut facts = reader
        .sweep_facts(None, &home_region, settings, now)
        .await
        .map_err(|e| CliError::Scan(e.to_string()))?;
    let swept = reader.judge(&mut facts, settings).await;
    if let Some(dir) = &args.last_accessed_dir {
        save_last_accessed(dir, &facts, &swept)?;
    }
    let regions = facts
        .regions
        .iter()
        .map(|r| r.facts.region.clone())
        .collect();
    let mut report = SweepReport::new(
        &facts.account,
        regions,
        swept.findings,
        swept.notes,
        reader.counter().take(),
    );
    // For the HTML page; the JSON and SARIF outputs are the findings alone.
    report.matrix = swept.matrix;
    Ok(report)
}

/// Each read report and the principal's identity policies, one directory per principal; a
/// principal whose report could not be read is named on stderr, with why.
fn save_last_accessed(dir: &Path, facts: &SweepFacts, swept: &Swept) -> Result<(), CliError> {
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text).map_err(|source| CliError::WriteFile { path, source })
    };
    let reads = facts.last_accessed.as_ref();
    let mut saved = 0;
    for lookup in &swept.usage_lookups {
        let report = match reads.and_then(|r| r.get(&lookup.arn)) {
            Some(Ok(report)) => report,
            Some(Err(why)) => {
                eprintln!("{} {}: not saved: {why}", lookup.kind.as_str(), lookup.name);
                continue;
            }
            None => {
                eprintln!(
                    "{} {}: not saved: not read",
                    lookup.kind.as_str(),
                    lookup.name
                );
                continue;
            }
        };
        let sub = dir.join(format!("{}-{}", lookup.kind.as_str(), safe(&lookup.name)));
        std::fs::create_dir_all(&sub).map_err(|source| CliError::WriteFile {
            path: sub.clone(),
            source,
        })?;
        write(
            sub.join("last-accessed.json"),
            serde_json::to_string_pretty(&report.to_json())?,
        )?;
        for (n, held) in identity_policies(&facts.iam, &lookup.arn)
            .iter()
            .enumerate()
        {
            let Some(text) = &held.document else {
                eprintln!(
                    "{} {}: policy {}: not saved: the account data lacks its document",
                    lookup.kind.as_str(),
                    lookup.name,
                    held.label
                );
                continue;
            };
            // IAM's API gives documents URL-encoded; suggest-policy reads either, people JSON.
            let pretty = guardrail_rules::policy::PolicyDocument::json(text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| text.clone());
            write(
                sub.join(format!("policy-{}-{}.json", n + 1, held.label)),
                pretty,
            )?;
        }
        saved += 1;
    }
    eprintln!(
        "last-accessed reports of {saved} principals saved to {}",
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Saving what a sweep read (moto serves no last-accessed data: `shared/cli/tests/scan.rs`
    //! covers the scan around its absence).
    use super::*;
    use guardrail_rules::access::PrincipalKind;
    use guardrail_rules::policy::PolicyDocument;
    use guardrail_rules::rules::iam_permissions_unused::{Breadth, UsageLookup, UsageReads};
    use guardrail_rules::sweep::{AccountFacts, InlinePolicy, RoleDetail};
    use guardrail_rules::usage::LastAccessed;

    const REPORT: &str = r#"{"JobStatus":"COMPLETED","JobType":"ACTION_LEVEL",
        "JobCompletionDate":"2026-12-01T10:00:00Z","IsTruncated":false,
        "ServicesLastAccessed":[{"ServiceNamespace":"s3","LastAuthenticated":"2026-11-30T10:00:00Z",
        "TrackedActionsLastAccessed":[{"ActionName":"GetObject","LastAccessedTime":"2026-11-30T10:00:00Z"}]}]}"#;

    #[test]
    fn each_read_report_is_saved_with_the_principals_policies() {
        let arn = "arn:aws:iam::123456789012:role/app+1";
        let gone = "arn:aws:iam::123456789012:role/gone";
        let facts = SweepFacts {
            iam: AccountFacts {
                roles: vec![RoleDetail {
                    name: "app+1".into(),
                    arn: arn.into(),
                    // URL-encoded, as IAM's API gives inline documents.
                    inline: vec![InlinePolicy {
                        name: "S3".into(),
                        document: "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D".into(),
                    }],
                    ..RoleDetail::default()
                }],
                ..AccountFacts::default()
            },
            last_accessed: Some(UsageReads::from([
                (arn.to_string(), Ok(LastAccessed::parse(REPORT).unwrap())),
                (gone.to_string(), Err("NoSuchEntity".to_string())),
            ])),
            ..SweepFacts::default()
        };
        let lookup = |name: &str, arn: &str| UsageLookup {
            kind: PrincipalKind::Role,
            name: name.into(),
            arn: arn.into(),
            breadth: Breadth::ServiceWildcard(vec!["s3".into()]),
        };
        let swept = Swept {
            usage_lookups: vec![lookup("app+1", arn), lookup("gone", gone)],
            ..Swept::default()
        };
        let dir = std::env::temp_dir().join(format!("guardrail-scan-test-{}", std::process::id()));
        save_last_accessed(&dir, &facts, &swept).unwrap();
        let sub = dir.join("role-app_1");
        let report = std::fs::read_to_string(sub.join("last-accessed.json")).unwrap();
        assert_eq!(
            LastAccessed::parse(&report).unwrap(),
            LastAccessed::parse(REPORT).unwrap(),
            "suggest-policy reads back what was read"
        );
        let policy = std::fs::read_to_string(sub.join("policy-1-inline-S3.json")).unwrap();
        assert!(policy.contains("\"s3:*\""), "decoded for people: {policy}");
        PolicyDocument::parse(&policy).unwrap();
        assert!(
            !dir.join("role-gone").exists(),
            "nothing read, nothing saved"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
