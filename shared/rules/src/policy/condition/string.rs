//! String operators. `StringEquals` is exact and case-sensitive; `StringLike` takes `*`/`?`.

use super::super::variables::{substitute, Substituted};
use super::super::wildcard::{glob, matches};
use super::EvalEnv;

pub(super) fn equals(policy: &str, value: &str, env: &EvalEnv<'_>, vars: bool, fold: bool) -> bool {
    let resolved;
    let policy = if vars {
        match substitute(policy, env.ctx, false) {
            Substituted::Plain => policy,
            Substituted::Unresolved => return false,
            Substituted::Tokens(t) => {
                resolved = t
                    .into_iter()
                    .map(|t| match t {
                        super::super::wildcard::Tok::Lit(b) => b,
                        super::super::wildcard::Tok::Star => b'*',
                        super::super::wildcard::Tok::One => b'?',
                    })
                    .collect::<Vec<u8>>();
                match std::str::from_utf8(&resolved) {
                    Ok(s) => s,
                    Err(_) => return false,
                }
            }
        }
    } else {
        policy
    };
    if fold {
        policy.to_lowercase() == value.to_lowercase()
    } else {
        policy == value
    }
}

pub(super) fn like(policy: &str, value: &str, env: &EvalEnv<'_>, vars: bool) -> bool {
    if vars {
        match substitute(policy, env.ctx, true) {
            Substituted::Plain => glob(policy, value, false),
            Substituted::Unresolved => false,
            Substituted::Tokens(t) => matches(&t[..], value, false),
        }
    } else {
        glob(policy, value, false)
    }
}
