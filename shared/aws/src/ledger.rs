//! The incident ledger: a DynamoDB table that makes alerts and remediation happen once.
//!
//! Lambda delivers asynchronous events at least once and retries failures, and one incident
//! can be reported by several events (CreateVolume, then AttachVolume). A conditional put on
//! the incident key is the standard way (Powertools' idempotency utility does the same) to let
//! exactly one invocation act: the others see the claim and stand down.

use crate::error::{classify, AwsError, ErrorKind};
use crate::ports::{Claim, Ledger};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
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
}
