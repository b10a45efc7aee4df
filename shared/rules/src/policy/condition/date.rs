//! Date operators and a small ISO-8601 / epoch parser (no date crate in the rules crate).
//!
//! Accepted: epoch seconds (`1704067200`, also with a fraction), `YYYY-MM-DD`,
//! `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `±HH:MM`, `±HHMM` or nothing (UTC).

use std::cmp::Ordering;

pub(super) fn compare(policy: &str, value: &str, ok: impl Fn(Ordering) -> bool) -> bool {
    match (parse_date(policy), parse_date(value)) {
        (Some(p), Some(v)) => v.partial_cmp(&p).is_some_and(ok),
        _ => false,
    }
}

/// Seconds since the Unix epoch, or `None` if the text is not a date IAM would accept.
pub fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !s[1..].contains('-')
    {
        return s.parse::<f64>().ok().filter(|f| f.is_finite());
    }
    let b = s.as_bytes();
    let year = num(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(b, 5, 2)?;
    let day = num(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) as f64 * 86_400.0;
    if b.len() == 10 {
        return Some(secs);
    }
    if !matches!(b.get(10), Some(b'T') | Some(b't') | Some(b' ')) {
        return None;
    }
    let hour = num(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = num(b, 14, 2)?;
    let mut i = 16;
    let mut second = 0.0;
    if b.get(i) == Some(&b':') {
        second = num(b, i + 1, 2)? as f64;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while b.get(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
            if end == start {
                return None;
            }
            let frac: f64 = s.get(i..end)?.parse().ok()?;
            second += frac;
            i = end;
        }
    }
    if hour > 24 || minute > 59 || second >= 61.0 {
        return None;
    }
    secs += (hour * 3600 + minute * 60) as f64 + second;
    match b.get(i) {
        None => Some(secs),
        Some(b'Z') | Some(b'z') if b.len() == i + 1 => Some(secs),
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(b, i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') if b.len() == i + 6 => num(b, i + 4, 2)?,
                Some(_) if b.len() == i + 5 => num(b, i + 3, 2)?,
                None => 0,
                _ => return None,
            };
            let off = (oh * 3600 + om * 60) as f64;
            Some(if *sign == b'+' {
                secs - off
            } else {
                secs + off
            })
        }
        _ => None,
    }
}

fn num(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let digits = b.get(start..start + len)?;
    let mut n = 0i64;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(n)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil: days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("2024-01-01T00:00:00Z"), Some(1_704_067_200.0));
        assert_eq!(parse_date("1704067200"), Some(1_704_067_200.0));
        assert_eq!(
            parse_date("2024-01-01T09:00:00+09:00"),
            Some(1_704_067_200.0)
        );
        assert_eq!(parse_date("2024-01-01T00:00:00.5Z"), Some(1_704_067_200.5));
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800.0));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2024-01-01T00:00:00Zjunk"), None);
    }
}
