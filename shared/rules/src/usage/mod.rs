//! Least privilege from usage: what a principal really used (IAM's last-accessed data) and
//! the narrowed policy that keeps only that, proved by the policy engine.

pub mod held;
pub mod last_accessed;
pub mod narrow;

pub use held::{identity_policies, HeldDocument};
pub use last_accessed::{LastAccessed, LastAccessedError};
pub use narrow::{narrow, prove, Dropped, Kept, Narrowing, Original, Proof};
