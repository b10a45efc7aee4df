//! Numeric operators. IAM accepts integers and decimals; anything unparsable never matches.

use std::cmp::Ordering;

pub(super) fn compare(policy: &str, value: &str, ok: impl Fn(Ordering) -> bool) -> bool {
    match (parse(policy), parse(value)) {
        (Some(p), Some(v)) => v.partial_cmp(&p).is_some_and(ok),
        _ => false,
    }
}

fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}
