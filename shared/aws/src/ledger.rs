//! The incident ledger: a DynamoDB table that makes alerts and remediation happen once.
//!
//! Lambda delivers asynchronous events at least once and retries failures, and one incident
//! can be reported by several events (CreateVolume, then AttachVolume). A conditional put on
//! the incident key is the standard way (Powertools' idempotency utility does the same) to let
//! exactly one invocation act: the others see the claim and stand down.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::{Claim, Ledger};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use guardrail_rules::tally::Tally;
use std::time::{SystemTime, UNIX_EPOCH};

/// How long an unfinished claim blocks other deliveries before it is presumed dead.
const LEASE_SECONDS: u64 = 300;

/// DynamoDB-backed ledger. Table: partition key `pk` (S); TTL attribute `expires_at`.
#[derive(Clone)]
pub struct DynamoLedger {
    client: Client,
    table: String,
    /// How long a completed incident is remembered.
    ttl_seconds: u64,
}

impl DynamoLedger {
    pub fn new(client: Client, table: impl Into<String>, ttl_seconds: u64) -> DynamoLedger {
        DynamoLedger {
            client,
            table: table.into(),
            ttl_seconds,
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl Ledger for DynamoLedger {
    async fn claim(&self, key: &str, event_id: &str) -> Result<Claim, AwsError> {
        let now = now();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(key.to_string()))
            .item("state", AttributeValue::S("in_progress".to_string()))
            .item("event_id", AttributeValue::S(event_id.to_string()))
            .item("lease_until", n(now + LEASE_SECONDS))
            .item("expires_at", n(now + self.ttl_seconds.max(LEASE_SECONDS)))
            // Free, expired (TTL deletion lags by hours), or a dead in-progress claim.
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at < :now OR (#s = :busy AND lease_until < :now)",
            )
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":busy", AttributeValue::S("in_progress".to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Acquired),
            Err(e) => {
                let err = classify("dynamodb", "PutItem", e);
                if err.kind == ErrorKind::Conflict {
                    Ok(Claim::Duplicate)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn complete(&self, key: &str) -> Result<(), AwsError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_string()))
            .update_expression("SET #s = :done")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":done", AttributeValue::S("done".to_string()))
            .send()
            .await
            .map_err(|e| classify("dynamodb", "UpdateItem", e))?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), AwsError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_string()))
            .send()
            .await
            .map_err(|e| classify("dynamodb", "DeleteItem", e))?;
        Ok(())
    }

    /// One conditional UpdateItem: the event id joins the counter's string set (adding a
    /// member twice is a no-op, so a redelivery counts once) until the set holds `cap`.
    async fn tally(&self, tally: &Tally, cap: u32) -> Result<Option<u32>, AwsError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(tally.key.clone()))
            .update_expression("ADD #ev :e SET expires_at = if_not_exists(expires_at, :exp)")
            .condition_expression("attribute_not_exists(#ev) OR size(#ev) < :cap")
            .expression_attribute_names("#ev", "events")
            .expression_attribute_values(":e", AttributeValue::Ss(vec![tally.event_id.clone()]))
            .expression_attribute_values(":exp", n(tally.expires_at))
            .expression_attribute_values(":cap", n(u64::from(cap)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let held = out
                    .attributes()
                    .and_then(|a| a.get("events"))
                    .and_then(|v| v.as_ss().ok())
                    .map_or(1, Vec::len);
                Ok(Some(u32::try_from(held).unwrap_or(cap).min(cap)))
            }
            Err(e) => {
                let err = classify("dynamodb", "UpdateItem", e);
                // Full: the count is the cap (a threshold is never above it).
                if err.kind == ErrorKind::Conflict {
                    Ok(Some(cap))
                } else {
                    Err(err)
                }
            }
        }
    }
}

/// A ledger that remembers nothing, for local runs without a table. Deduplication is then off;
/// the function says so at start-up.
#[derive(Clone, Copy, Default)]
pub struct NoLedger;

impl Ledger for NoLedger {
    async fn claim(&self, _key: &str, _event_id: &str) -> Result<Claim, AwsError> {
        Ok(Claim::Acquired)
    }
    async fn complete(&self, _key: &str) -> Result<(), AwsError> {
        Ok(())
    }
    async fn release(&self, _key: &str) -> Result<(), AwsError> {
        Ok(())
    }
    async fn tally(&self, _tally: &Tally, _cap: u32) -> Result<Option<u32>, AwsError> {
        Ok(None)
    }
}

/// Either ledger, chosen at start-up.
#[derive(Clone)]
pub enum AnyLedger {
    Dynamo(DynamoLedger),
    None(NoLedger),
}

impl Ledger for AnyLedger {
    async fn claim(&self, key: &str, event_id: &str) -> Result<Claim, AwsError> {
        match self {
            AnyLedger::Dynamo(l) => l.claim(key, event_id).await,
            AnyLedger::None(l) => l.claim(key, event_id).await,
        }
    }
    async fn complete(&self, key: &str) -> Result<(), AwsError> {
        match self {
            AnyLedger::Dynamo(l) => l.complete(key).await,
            AnyLedger::None(l) => l.complete(key).await,
        }
    }
    async fn release(&self, key: &str) -> Result<(), AwsError> {
        match self {
            AnyLedger::Dynamo(l) => l.release(key).await,
            AnyLedger::None(l) => l.release(key).await,
        }
    }
    async fn tally(&self, tally: &Tally, cap: u32) -> Result<Option<u32>, AwsError> {
        match self {
            AnyLedger::Dynamo(l) => l.tally(tally, cap).await,
            AnyLedger::None(l) => l.tally(tally, cap).await,
        }
    }
}
