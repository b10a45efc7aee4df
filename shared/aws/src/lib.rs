//! AWS adapters: the only place the guardrail talks to AWS.
//!
//! Each adapter implements a small trait from [`ports`]; functions are generic over nothing
//! more. Errors are classified ([`error::AwsError`]) so handlers make the right retry decision.

pub mod account;
pub mod api_counter;
pub mod cloudtrail;
pub mod config_recorder;
pub mod config_rule;
pub mod ec2;
pub mod error;
pub mod eventbridge;
pub mod executor;
pub mod iam;
pub mod iam_principals;
pub mod judges;
pub mod kms;
pub mod last_accessed;
pub mod ledger;
pub mod member;
pub mod monitoring;
pub mod needs;
pub mod pipeline;
pub mod ports;
pub mod runtime;
pub mod s3;
pub mod securityhub;
pub mod sns;
pub mod tagging;
pub mod telemetry;
pub mod wiring;

pub use error::{AwsError, ErrorKind};
pub use pipeline::InvocationError;
pub use ports::Scope;
pub use runtime::Guardrail;
pub use wiring::{Plumbing, Wiring};
