//! ARN operators. `ArnEquals` and `ArnLike` behave the same in IAM: part-by-part matching with
//! wildcards allowed in each part.

use super::super::variables::{substitute_to_string, Substituted};
use super::super::wildcard::arn_matches;
use super::EvalEnv;

pub(super) fn like(policy: &str, value: &str, env: &EvalEnv<'_>, vars: bool) -> bool {
    if vars {
        // Substituted values are inserted as text; a literal `*` in a username is rare enough
        // in ARNs that treating it as a wildcard here is acceptable (documented).
        match super::super::variables::substitute(policy, env.ctx, true) {
            Substituted::Plain => arn_matches(policy, value),
            Substituted::Unresolved => false,
            Substituted::Tokens(_) => match substitute_to_string(policy, env.ctx) {
                Some(p) => arn_matches(&p, value),
                None => false,
            },
        }
    } else {
        arn_matches(policy, value)
    }
}
