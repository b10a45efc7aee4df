//! `*` / `?` glob matching as IAM does it, without recursion or allocation on the hot path.
//!
//! Patterns are sequences of [`Tok`]; a plain pattern string is read through [`Plain`] so the
//! common case (no policy variables) allocates nothing. Matching is the classic greedy
//! algorithm with one backtrack point: O(pattern × text) worst case, never exponential,
//! so hostile patterns like `*a*a*a*a*b` cannot hang a Lambda.

/// One pattern token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A literal byte (UTF-8 bytes of the pattern; a `${*}` variable yields a literal `*`).
    Lit(u8),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Something that can be read as a token sequence.
pub trait Pattern {
    fn tok_len(&self) -> usize;
    fn tok(&self, i: usize) -> Tok;
}

/// A pattern string where `*` and `?` are wildcards and nothing is escaped.
pub struct Plain<'a>(pub &'a str);

impl Pattern for Plain<'_> {
    fn tok_len(&self) -> usize {
        self.0.len()
    }
    fn tok(&self, i: usize) -> Tok {
        match self.0.as_bytes().get(i) {
            Some(b'*') => Tok::Star,
            Some(b'?') => Tok::One,
            Some(b) => Tok::Lit(*b),
            None => Tok::Lit(0),
        }
    }
}

impl Pattern for [Tok] {
    fn tok_len(&self) -> usize {
        self.len()
    }
    fn tok(&self, i: usize) -> Tok {
        self.get(i).copied().unwrap_or(Tok::Lit(0))
    }
}

/// Byte length of the UTF-8 character starting with `b`, so `?` consumes a whole character.
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Does `text` match `pattern` entirely? `ignore_case` folds ASCII only, which is what IAM does
/// for action names (all ASCII).
pub fn matches<P: Pattern + ?Sized>(pattern: &P, text: &str, ignore_case: bool) -> bool {
    let t = text.as_bytes();
    let plen = pattern.tok_len();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < plen {
            match pattern.tok(pi) {
                Tok::Star => {
                    backtrack = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                Tok::One => {
                    ti = (ti + char_len(t[ti])).min(t.len());
                    pi += 1;
                    continue;
                }
                Tok::Lit(c) => {
                    let same = if ignore_case {
                        c.eq_ignore_ascii_case(&t[ti])
                    } else {
                        c == t[ti]
                    };
                    if same {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match backtrack {
            Some((sp, st)) if st < t.len() => {
                let next = (st + char_len(t[st])).min(t.len());
                backtrack = Some((sp, next));
                pi = sp + 1;
                ti = next;
            }
            _ => return false,
        }
    }
    while pi < plen && pattern.tok(pi) == Tok::Star {
        pi += 1;
    }
    pi == plen
}

/// Convenience: plain-string glob.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    matches(&Plain(pattern), text, ignore_case)
}

/// Does the pattern contain a wildcard?
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.bytes().any(|b| b == b'*' || b == b'?')
}

/// Split an ARN (or ARN pattern) into its six parts; the last part (resource) may contain `:`.
pub fn arn_parts(s: &str) -> Option<[&str; 6]> {
    let mut it = s.splitn(6, ':');
    let parts = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    Some(parts)
}

/// ARN matching as IAM does for `Resource` and `ArnLike`: part by part, case-sensitive, so a
/// `*` in the account part cannot swallow the region. A bare `*` matches anything; inputs that
/// are not ARNs fall back to a whole-string match.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match (arn_parts(pattern), arn_parts(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob(p, a, false)),
        _ => glob(pattern, arn, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_table() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("s3:Get*", "s3:GetObject", true),
            ("s3:get*", "S3:GETOBJECT", true),
            ("s3:?et*", "s3:GetObject", true),
            ("s3:Get", "s3:GetObject", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("?", "é", true),
            ("??", "é", false),
            (
                "*a*a*a*a*a*b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob(p, t, true), want, "{p} vs {t}");
        }
        assert!(!glob("S3:get*", "s3:GetObject", false));
    }

    #[test]
    fn arn_parts_do_not_cross() {
        assert!(arn_matches(
            "arn:aws:iam::*:user/bob",
            "arn:aws:iam::123456789012:user/bob"
        ));
        assert!(arn_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b:c"
        ));
        assert!(arn_matches("arn:aws:iam::*:*", "arn:aws:iam::1:user/x"));
        assert!(!arn_matches(
            "arn:aws:iam::1:user/X",
            "arn:aws:iam::1:user/x"
        ));
    }
}
