//! `*` / `?` wildcard matching for the guardrail's own lists (exempt principals, own role,
//! exempt actions), with exactly the semantics IAM uses: it is the policy engine's matcher
//! (linear time, no recursion: see `policy::wildcard`).

use crate::policy::wildcard;

/// Whether `text` matches `pattern` (`*` any run, `?` any one character), case-sensitive.
pub fn matches(pattern: &str, text: &str) -> bool {
    wildcard::glob(pattern, text, false)
}

/// Case-insensitive (ASCII) variant, for IAM action names.
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    wildcard::glob(pattern, text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches(
            "arn:aws:iam::*:role/break-glass-*",
            "arn:aws:iam::1:role/break-glass-x"
        ));
        assert!(!matches(
            "arn:aws:iam::*:role/break-glass-*",
            "arn:aws:iam::1:role/app"
        ));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*", ""));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches_ignore_case("IAM:put*", "iam:PutUserPolicy"));
        assert!(!matches("*a*a*a*a*a*a*a*a*b", &"a".repeat(200)));
    }
}
