//! The IAM guardrail: what an IAM call changed, and the judgement of the re-read IAM state by
//! the policy engine and the IAM rules.

mod assess;
mod change;
pub mod principals;

pub use assess::{policy, PolicySubject, DOCUMENT_RULES, POLICY_JUDGE};
// The single-rule judgements live in their rule files; named here for the sweep and benches.
pub use crate::rules::iam_access_key_for_other_user::access_key_for_other_user;
pub use crate::rules::iam_change_audit::change_audit;
pub use crate::rules::iam_root_activity::root_activity;
pub use crate::rules::iam_user_console_without_mfa::console_user;
pub use crate::rules::iam_user_direct_policy::direct_policy;
pub use change::{change, IamChange};
