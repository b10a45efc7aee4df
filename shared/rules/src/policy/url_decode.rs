//! Percent-decoding of policy documents as the IAM API returns them (`%7B%22Version%22...`).
//!
//! Hand-rolled because the rules crate takes no dependency for 30 lines. IAM encodes with
//! RFC 3986 rules, so `+` is a literal plus, not a space (unlike form encoding).

use super::parse_error::PolicyParseError;

/// Decode `%XX` escapes. Errors on a truncated or non-hex escape and on invalid UTF-8.
pub fn percent_decode(input: &str) -> Result<String, PolicyParseError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|c| hex(*c));
            let lo = bytes.get(i + 2).and_then(|c| hex(*c));
            match (hi, lo) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                _ => {
                    return Err(PolicyParseError::InvalidUrlEncoding {
                        offset: i,
                        reason: "truncated or non-hex %-escape",
                    })
                }
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| PolicyParseError::InvalidUrlEncoding {
        offset: e.utf8_error().valid_up_to(),
        reason: "decoded bytes are not UTF-8",
    })
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_iam_api_output() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D").unwrap(),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decode("a+b").unwrap(), "a+b");
        assert!(percent_decode("%7").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%ff").is_err());
    }
}
