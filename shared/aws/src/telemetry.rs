//! JSON logs, one object per line, as CloudWatch Logs Insights likes them.

use tracing_subscriber::EnvFilter;

/// Install the global subscriber. `RUST_LOG` filters (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        // The event span (trigger and event id) on every line, so one grep finds an event.
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(filter)
        .try_init();
}

/// Print the finding's CloudWatch EMF metrics to stdout (Lambda ships stdout to CloudWatch
/// Logs, which turns these lines into metrics).
pub fn emit_metrics(finding: &guardrail_rules::Finding) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    for doc in guardrail_rules::metrics::for_finding(finding, now) {
        println!("{doc}");
    }
}
