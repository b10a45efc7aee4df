//! `*` / `?` wildcard matching, as IAM uses it for ARNs and as our exemption lists use it.
//!
//! Iterative with one backtrack point: linear-ish time and no recursion, so a hostile pattern
//! like `*a*a*a*a*b` cannot blow the stack or take exponential time.

/// Whether `text` matches `pattern` (`*` any run, `?` any one character).
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, |a, b| a == b)
}

/// Case-insensitive (ASCII) variant, for IAM action names.
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, |a, b| a.eq_ignore_ascii_case(&b))
}

fn matches_with(pattern: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || t.get(ti).is_some_and(|&tc| eq(c, tc)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
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
