//! The guardrail's rules core.
//!
//! Invariants (see ARCHITECTURE.md): no I/O, no AWS SDK dependency, no panics on any input.
//! Everything here is a pure function from data to data, so it is tested in milliseconds.
//!
//! The flow every function follows: [`trigger::decode`] an invocation, [`gate::screen`] it,
//! let the adapters read the facts the rules need, judge them (e.g. [`ebs::assess`]) into
//! [`finding::Finding`]s whose actions are a [`plan`], then [`alert::render`] each finding.

pub mod access;
pub mod alert;
pub mod asff;
pub mod cfn;
pub mod ebs;
pub mod evaluation;
pub mod eventbridge;
pub mod finding;
pub mod gate;
pub mod glob;
pub mod iam;
pub mod metrics;
pub mod mode;
pub mod outcome;
pub mod parallel;
pub mod permission;
pub mod plan;
pub mod policy;
pub mod region;
pub mod rules;
pub mod settings;
pub mod severity;
pub mod sweep;
pub mod tally;
pub mod trigger;
pub mod usage;

pub use finding::Finding;
pub use mode::Mode;
pub use outcome::Outcome;
pub use settings::Settings;
pub use severity::Severity;
