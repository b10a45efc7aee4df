//! IAM's service last-accessed data for the principals a sweep names
//! (`iam-permissions-unused`), and the sweep's two-step judgement around it.
//!
//! Each principal costs IAM one GenerateServiceLastAccessedDetails (a report job, action
//! level) and GetServiceLastAccessedDetails calls: polls until the job completes, then one per
//! page. IAM's request rate is per account and cannot be raised, and the sweep shares it with
//! everything else in the account, so the reading is bounded (docs/deploy.md, "IAM calls per
//! sweep"): at most GUARDRAIL_USAGE_PRINCIPALS principals (the core picks them), two jobs
//! started and two polled at a time, polls backing off from 2 s to 10 s, every job given
//! [`USAGE_WAIT`] in all, and the SDK's own retries (with backoff) for throttling. A failure
//! that is not about one principal (access denied, throttled after retries, an unsupported
//! call) stops the reading: the remaining principals are noted as not read, never dropped.

use crate::account::AccountReader;
use crate::error::{classify, AwsError, ErrorKind};
use aws_config::retry::RetryConfig;
use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType};
use futures::stream::{self, StreamExt};
use guardrail_rules::rules::iam_permissions_unused::{UsageLookup, UsageReads};
use guardrail_rules::settings::Settings;
use guardrail_rules::sweep::{self, SweepFacts, Swept};
use guardrail_rules::usage::last_accessed::{ActionUse, ServiceUse};
use guardrail_rules::usage::LastAccessed;
use std::time::Duration;

/// Jobs started, and jobs polled, at the same time.
pub const USAGE_CONCURRENCY: usize = 2;

/// How long one sweep waits for its report jobs, all together (IAM finishes most in seconds;
/// the sweep's Lambda timeout is 300 s).
pub const USAGE_WAIT: Duration = Duration::from_secs(90);

/// The first poll of a job, and the longest pause between polls.
const FIRST_POLL: Duration = Duration::from_secs(2);
const MAX_POLL: Duration = Duration::from_secs(10);

/// Attempts at starting a job (the SDK's default, not the sweep's five for IAM): the first
/// start is where an account or emulator that serves no last-accessed data says so, and each
/// retry of it delays the whole sweep.
const START_ATTEMPTS: u32 = 3;

/// GetServiceLastAccessedDetails' page (its maximum).
const PAGE: i32 = 1000;

/// Pages read of one report at most (IAM has about 450 services: one page in practice).
const MAX_PAGES: usize = 10;

impl AccountReader {
    /// Judge a sweep with the reads it asks for: [`sweep::run`], then the last-accessed data of
    /// the principals it named, then `iam-permissions-unused` on those ([`sweep::judge_usage`]).
    /// The reports are left in `facts.last_accessed` (`guardrail scan --last-accessed-dir`
    /// saves them).
    pub async fn judge(&self, facts: &mut SweepFacts, settings: &Settings) -> Swept {
        let mut swept = sweep::run(facts, settings);
        if !swept.usage_lookups.is_empty() {
            facts.last_accessed = Some(self.last_accessed(&swept.usage_lookups).await);
            sweep::judge_usage(facts, settings, &mut swept);
        }
        swept
    }

    /// The last-accessed report of each principal, or why there is none.
    pub async fn last_accessed(&self, lookups: &[UsageLookup]) -> UsageReads {
        let deadline = tokio::time::Instant::now() + USAGE_WAIT;
        let mut out = UsageReads::new();
        let mut jobs: Vec<(String, String)> = Vec::new();
        let mut stopped: Option<AwsError> = None;
        let arns: Vec<String> = lookups.iter().map(|l| l.arn.clone()).collect();
        let mut started = stream::iter(arns)
            .map(|arn| self.start_job(arn))
            .buffered(USAGE_CONCURRENCY);
        while let Some((arn, result)) = started.next().await {
            if let Some(err) = &stopped {
                out.insert(
                    arn,
                    Err(format!("not read after an earlier failure: {err}")),
                );
                continue;
            }
            match result {
                Ok(job) => jobs.push((arn, job)),
                // Deleted since GetAccountAuthorizationDetails, or not a principal IAM reports
                // on: this principal only.
                Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Rejected) => {
                    out.insert(arn, Err(e.to_string()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "last-accessed data not readable: the remaining principals are not read");
                    out.insert(arn, Err(e.to_string()));
                    stopped = Some(e);
                }
            }
        }
        drop(started);
        let reports: Vec<(String, Result<LastAccessed, String>)> = stream::iter(jobs)
            .map(|(arn, job)| self.job_report(arn, job, deadline))
            .buffer_unordered(USAGE_CONCURRENCY)
            .collect()
            .await;
        out.extend(reports);
        out
    }

    /// Start a report job (action level, so the tracked actions are in it): the principal,
    /// and the job id.
    async fn start_job(&self, arn: String) -> (String, Result<String, AwsError>) {
        let job = self.start(&arn).await;
        (arn, job)
    }

    async fn start(&self, arn: &str) -> Result<String, AwsError> {
        let out = self
            .iam
            .generate_service_last_accessed_details()
            .arn(arn)
            .granularity(AccessAdvisorUsageGranularityType::ActionLevel)
            .customize()
            .config_override(
                aws_sdk_iam::config::Builder::default()
                    .retry_config(RetryConfig::standard().with_max_attempts(START_ATTEMPTS)),
            )
            .send()
            .await
            .map_err(|e| classify("iam", "GenerateServiceLastAccessedDetails", e))?;
        out.job_id.filter(|j| !j.is_empty()).ok_or_else(|| {
            AwsError::new(
                "iam",
                "GenerateServiceLastAccessedDetails",
                ErrorKind::Rejected,
                "the answer has no JobId".to_string(),
            )
        })
    }

    /// The principal, and its job's report.
    async fn job_report(
        &self,
        arn: String,
        job: String,
        deadline: tokio::time::Instant,
    ) -> (String, Result<LastAccessed, String>) {
        let report = self.poll(&job, deadline).await;
        (arn, report)
    }

    /// Poll a job until it completes (or the deadline), then read every page.
    async fn poll(
        &self,
        job: &str,
        deadline: tokio::time::Instant,
    ) -> Result<LastAccessed, String> {
        let mut pause = FIRST_POLL;
        let mut report = LastAccessed::default();
        let mut marker: Option<String> = None;
        let mut pages = 0;
        loop {
            if marker.is_none() {
                if tokio::time::Instant::now() + pause > deadline {
                    return Err(format!(
                        "the report job did not complete within the sweep's {} s",
                        USAGE_WAIT.as_secs()
                    ));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_POLL);
            }
            let page = self
                .iam
                .get_service_last_accessed_details()
                .job_id(job)
                .max_items(PAGE)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| classify("iam", "GetServiceLastAccessedDetails", e).to_string())?;
            match page.job_status() {
                JobStatusType::InProgress => continue,
                JobStatusType::Completed => {}
                other => {
                    let why = page
                        .error()
                        .map(|e| format!("{}: {}", e.code(), e.message()))
                        .unwrap_or_default();
                    return Err(format!("the report job ended {}: {why}", other.as_str()));
                }
            }
            add_page(&mut report, &page).map_err(|e| e.to_string())?;
            pages += 1;
            match page.marker() {
                Some(m) if page.is_truncated() && !m.is_empty() && pages < MAX_PAGES => {
                    marker = Some(m.to_string());
                }
                _ => return Ok(report),
            }
        }
    }
}

/// One completed page into the report, as [`LastAccessed::parse`] reads the CLI's JSON.
pub fn add_page(
    report: &mut LastAccessed,
    page: &GetServiceLastAccessedDetailsOutput,
) -> Result<(), guardrail_rules::usage::LastAccessedError> {
    let secs = |d: &aws_sdk_iam::primitives::DateTime| d.as_secs_f64();
    report.action_level |= page.job_type() == Some(&AccessAdvisorUsageGranularityType::ActionLevel);
    report.completed = Some(secs(page.job_completion_date()));
    report.truncated = page.is_truncated();
    for s in page.services_last_accessed() {
        let tracked_actions = s.tracked_actions_last_accessed.as_ref().map(|actions| {
            actions
                .iter()
                .filter_map(|a| {
                    Some(ActionUse {
                        name: a.action_name()?.to_string(),
                        last_accessed: a.last_accessed_time().map(secs),
                    })
                })
                .collect()
        });
        report.push_service(ServiceUse {
            namespace: s.service_namespace().to_string(),
            last_authenticated: s.last_authenticated().map(secs),
            tracked_actions,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The conversion alone, on answers built with the SDK's own types (the emulator serves no
    //! last-accessed calls: `tests/sweep.rs` covers the sweep around their absence).
    use super::*;
    use aws_sdk_iam::primitives::DateTime;
    use aws_sdk_iam::types::{ServiceLastAccessed, TrackedActionLastAccessed};

    fn service(
        ns: &str,
        last: Option<i64>,
        actions: Option<&[(&str, Option<i64>)]>,
    ) -> ServiceLastAccessed {
        let mut b = ServiceLastAccessed::builder()
            .service_name(ns.to_uppercase())
            .service_namespace(ns)
            .set_last_authenticated(last.map(DateTime::from_secs));
        if let Some(actions) = actions {
            b = b.set_tracked_actions_last_accessed(Some(
                actions
                    .iter()
                    .map(|(name, t)| {
                        TrackedActionLastAccessed::builder()
                            .action_name(*name)
                            .set_last_accessed_time(t.map(DateTime::from_secs))
                            .build()
                    })
                    .collect(),
            ));
        }
        b.build().expect("service_name and namespace are set")
    }

    #[test]
    fn a_page_becomes_the_report_the_cli_json_would_give() {
        let page = GetServiceLastAccessedDetailsOutput::builder()
            .job_status(JobStatusType::Completed)
            .job_type(AccessAdvisorUsageGranularityType::ActionLevel)
            .job_creation_date(DateTime::from_secs(1_764_500_000))
            .job_completion_date(DateTime::from_secs(1_764_500_010))
            .services_last_accessed(service(
                "s3",
                Some(1_764_400_000),
                Some(&[("GetObject", Some(1_764_400_000)), ("DeleteBucket", None)]),
            ))
            .services_last_accessed(service("ec2", None, None))
            .is_truncated(false)
            .build()
            .expect("required fields are set");
        let mut report = LastAccessed::default();
        add_page(&mut report, &page).expect("small page");
        assert!(report.action_level);
        assert_eq!(report.completed, Some(1_764_500_010.0));
        assert_eq!(report.services.len(), 2);
        let s3 = report.service("s3").expect("s3");
        assert_eq!(s3.last_authenticated, Some(1_764_400_000.0));
        let actions = s3.tracked_actions.as_ref().expect("action level");
        assert_eq!(actions[1].name, "DeleteBucket");
        assert_eq!(actions[1].last_accessed, None);
        assert_eq!(
            report.service("ec2").map(|s| s.tracked_actions.is_none()),
            Some(true)
        );
        // The same report through the CLI's JSON shape, as `scan --last-accessed-dir` saves it.
        let again = LastAccessed::parse(&report.to_json().to_string()).expect("own JSON");
        assert_eq!(again, report);
    }
}
