//! Counting the AWS API calls a sweep makes, per operation.
//!
//! An SDK interceptor rather than a counter at each call site: every operation of every client
//! it is attached to is counted once (retries are attempts of the same call, not new calls),
//! including the pages of paginated reads, and no call can be forgotten.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Calls per `service:Operation` (service lower-cased: `iam:GetAccountAuthorizationDetails`).
/// Cheap to clone: clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct ApiCounter {
    counts: Arc<RwLock<BTreeMap<String, AtomicU64>>>,
}

impl ApiCounter {
    pub fn new() -> ApiCounter {
        ApiCounter::default()
    }

    /// Count one call.
    pub fn add(&self, service: &str, operation: &str) {
        let key = format!("{}:{operation}", service.to_ascii_lowercase());
        // Fast path: the operation was seen before; a read lock and an atomic add.
        if let Ok(map) = self.counts.read() {
            if let Some(n) = map.get(&key) {
                n.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        if let Ok(mut map) = self.counts.write() {
            map.entry(key)
                .or_insert_with(|| AtomicU64::new(0))
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts
            .read()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The counts so far, and start again from zero (one sweep per invocation).
    pub fn take(&self) -> BTreeMap<String, u64> {
        self.counts
            .write()
            .map(|mut m| {
                std::mem::take(&mut *m)
                    .into_iter()
                    .map(|(k, v)| (k, v.into_inner()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Intercept for ApiCounter {
    fn name(&self) -> &'static str {
        "guardrail-api-counter"
    }

    // Not `read_before_execution`: for a client-level interceptor that hook runs before the
    // operation's configuration (and so its name) is in the bag. Serialization happens once
    // per operation, whatever the number of retry attempts.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            self.add(meta.service(), meta.name());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_operation_and_resets() {
        let c = ApiCounter::new();
        let shared = c.clone();
        c.add("IAM", "GetAccountAuthorizationDetails");
        shared.add("IAM", "GetAccountAuthorizationDetails");
        c.add("EC2", "DescribeVolumes");
        assert_eq!(c.snapshot()["iam:GetAccountAuthorizationDetails"], 2);
        assert_eq!(c.take()["ec2:DescribeVolumes"], 1);
        assert!(c.snapshot().is_empty());
    }
}
