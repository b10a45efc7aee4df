//! `Bool` and `Null`.

/// `Bool`: case-insensitive `true`/`false` on both sides; anything else never matches.
pub(super) fn bool_equals(policy: &str, value: &str) -> bool {
    match (parse(policy), parse(value)) {
        (Some(p), Some(v)) => p == v,
        _ => false,
    }
}

fn parse(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `Null: {key: true}` holds when the key is absent; `false` when present. Values are OR'ed.
pub(super) fn null_matches(policy_values: &[String], present: bool) -> bool {
    policy_values
        .iter()
        .any(|p| matches!(parse(p), Some(want_absent) if want_absent != present))
}
