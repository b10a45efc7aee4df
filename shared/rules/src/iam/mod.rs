//! The IAM guardrail: what an IAM call changed, and the judgement of the re-read IAM state by
//! the policy engine and the IAM rules.

mod assess;
mod change;
pub mod principals;

pub use assess::{
    access_key_for_other_user, change_audit, console_user, direct_policy, policy, root_activity,
    PolicySubject,
};
pub use change::{change, IamChange};
