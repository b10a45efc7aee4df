//! Policy variables (`${aws:username}`, `${*}`, `${?}`, `${$}`, `${key, 'default'}`).
//!
//! Substitution produces *tokens*, not a string, because a substituted value is literal: a user
//! named `a*` must not turn into a wildcard, and `${*}` means a literal asterisk.
//! Variables exist only in Version 2012-10-17; older documents treat `${...}` as text.

use super::context::RequestContext;
use super::wildcard::Tok;

/// Outcome of substituting variables into a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Substituted {
    /// The pattern had no variables: match it as a plain glob.
    Plain,
    /// Substituted tokens.
    Tokens(Vec<Tok>),
    /// A referenced key is absent (or multi-valued) and has no default: the element does not
    /// match, as IAM documents.
    Unresolved,
}

/// Does the text contain something that looks like a policy variable?
pub fn has_variable(s: &str) -> bool {
    s.contains("${")
}

/// Substitute variables from `ctx` into `pattern`. Wildcards outside variables stay wildcards
/// when `wildcards` is true (Resource, StringLike, ArnLike); otherwise `*` and `?` are literal
/// (StringEquals).
pub fn substitute(pattern: &str, ctx: &RequestContext, wildcards: bool) -> Substituted {
    if !has_variable(pattern) {
        return Substituted::Plain;
    }
    let mut out = Vec::with_capacity(pattern.len());
    let bytes = pattern.as_bytes();
    let mut i = 0;
    // Once a `${` finds no `}` after it, no later one can: the rest is literal. Without this,
    // `${${${…` searched to the end once per `${` (quadratic).
    let mut closed = true;
    while let Some(&b) = bytes.get(i) {
        if closed && b == b'$' && bytes.get(i + 1) == Some(&b'{') {
            let body = pattern.get(i + 2..).unwrap_or_default();
            match body.find('}') {
                Some(rel_end) => {
                    let inner = body.get(..rel_end).unwrap_or_default();
                    match resolve(inner, ctx) {
                        Some(value) => out.extend(value.bytes().map(Tok::Lit)),
                        None => return Substituted::Unresolved,
                    }
                    i += 2 + rel_end + 1;
                    continue;
                }
                None => closed = false,
            }
        }
        out.push(literal_or_wildcard(b, wildcards));
        i += 1;
    }
    Substituted::Tokens(out)
}

fn literal_or_wildcard(b: u8, wildcards: bool) -> Tok {
    match b {
        b'*' if wildcards => Tok::Star,
        b'?' if wildcards => Tok::One,
        other => Tok::Lit(other),
    }
}

/// Value of one `${...}` body.
fn resolve(inner: &str, ctx: &RequestContext) -> Option<String> {
    match inner.trim() {
        "*" => return Some("*".to_string()),
        "?" => return Some("?".to_string()),
        "$" => return Some("$".to_string()),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (k.trim(), Some(d.to_string()))
        }
        None => (inner.trim(), None),
    };
    match ctx.values(key) {
        Some([single]) => Some(single.clone()),
        _ => default,
    }
}

/// Expand variables to a plain string for display or probing (wildcards kept as text).
pub fn substitute_to_string(pattern: &str, ctx: &RequestContext) -> Option<String> {
    match substitute(pattern, ctx, false) {
        Substituted::Plain => Some(pattern.to_string()),
        Substituted::Unresolved => None,
        Substituted::Tokens(t) => {
            let bytes: Vec<u8> = t
                .into_iter()
                .map(|t| match t {
                    Tok::Lit(b) => b,
                    Tok::Star => b'*',
                    Tok::One => b'?',
                })
                .collect();
            String::from_utf8(bytes).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::wildcard::matches;
    use super::*;

    #[test]
    fn variables_are_literal() {
        let ctx = RequestContext::new("s3:GetObject", "x").with("aws:username", "a*");
        let Substituted::Tokens(t) = substitute("home/${aws:username}/*", &ctx, true) else {
            panic!()
        };
        assert!(matches(&t[..], "home/a*/file", false));
        assert!(!matches(&t[..], "home/ab/file", false));
        let Substituted::Tokens(t) = substitute("${*}${?}${$}", &ctx, true) else {
            panic!()
        };
        assert!(matches(&t[..], "*?$", false));
        assert!(!matches(&t[..], "abc", false));
        assert_eq!(
            substitute("${aws:nothere}", &ctx, true),
            Substituted::Unresolved
        );
        assert_eq!(
            substitute_to_string("${aws:nothere, 'dflt'}", &ctx).as_deref(),
            Some("dflt")
        );
    }

    #[test]
    fn unterminated_variables_are_literal_and_linear() {
        let ctx = RequestContext::new("s3:GetObject", "x").with("aws:username", "bob");
        let Substituted::Tokens(t) = substitute("a/${aws:username}/${x*", &ctx, true) else {
            panic!()
        };
        assert!(matches(&t[..], "a/bob/${xyz", false));
        assert!(!matches(&t[..], "a/bob/$", false));
        // 1 MB of `${` (the parser's document cap): one pass, not one search per `${`.
        let hostile = "${".repeat(512 * 1024);
        let Substituted::Tokens(t) = substitute(&hostile, &ctx, true) else {
            panic!()
        };
        assert_eq!(t.len(), hostile.len());
        // No clock is asserted (a quadratic version would take minutes here); the time and
        // its growth are measured by `benches/growth.rs` (bench/RESULTS.md).
    }
}
