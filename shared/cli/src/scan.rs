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
use guardrail_rules::sweep::{self, SweepReport};
use guardrail_rules::Severity;
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
    let facts = reader
        .sweep_facts(None, &home_region, settings, now)
        .await
        .map_err(|e| CliError::Scan(e.to_string()))?;
    let swept = sweep::run(&facts, settings);
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
