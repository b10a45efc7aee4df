//! ISO-8601 timestamps to seconds since the epoch, and back.
//!
//! The core has no clock and no date library of its own: the caller passes `now`, and the
//! timestamps IAM writes into the credential report (`2024-05-01T10:20:30+00:00`) are parsed
//! here. Only the shapes AWS produces are accepted; anything else is `None` (treated as "no
//! information", never as a date that could trigger a finding).

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Parse `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM)` (a date alone, `YYYY-MM-DD`, is midnight
/// UTC) into seconds since 1970-01-01T00:00:00Z.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let s = text.trim();
    let date = s.get(..10)?;
    let days = parse_date(date)?;
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(days * DAY);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (h, m, sec) = (
        num(rest.get(0..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut zone = rest.get(8..)?;
    if let Some(frac) = zone.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = frac.get(digits..)?;
    }
    let offset = match zone {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let z = zone.get(1..)?;
            let (oh, om) = match z.len() {
                5 if z.get(2..3)? == ":" => (num(z.get(..2)?)?, num(z.get(3..)?)?),
                4 => (num(z.get(..2)?)?, num(z.get(2..)?)?),
                2 => (num(z)?, 0),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days * DAY + h * 3600 + m * 60 + sec - offset)
}

/// Whole days from `then` to `now` (0 when `then` is in the future).
pub fn days_between(then: i64, now: i64) -> i64 {
    (now - then).max(0) / DAY
}

/// Seconds since the epoch to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_iso8601(secs: i64) -> String {
    let days = secs.div_euclid(DAY);
    let rem = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` to days since the epoch.
fn parse_date(s: &str) -> Option<i64> {
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" {
        return None;
    }
    let (y, m, d) = (num(s.get(..4)?)?, num(s.get(5..7)?)?, num(s.get(8..10)?)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil: proleptic Gregorian date to days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_aws_writes() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso8601("2024-03-01T00:00:00+00:00"),
            Some(1_709_251_200)
        );
        assert_eq!(
            parse_iso8601("2024-03-01T09:00:00+09:00"),
            Some(1_709_251_200)
        );
        assert_eq!(
            parse_iso8601("2024-03-01T00:00:00.123Z"),
            Some(1_709_251_200)
        );
        assert_eq!(parse_iso8601("2024-03-01"), Some(1_709_251_200));
        assert_eq!(parse_iso8601("2024-02-29T12:00:00Z"), Some(1_709_208_000));
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "N/A",
            "no_information",
            "not_supported",
            "2023-02-29T00:00:00Z",
            "2024-13-01",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00:00+0",
            "２０２４-01-01",
            "2024-01-01Tx",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_and_counts_days() {
        for t in [0, 1_709_251_200, 951_782_400, 4_102_444_800] {
            assert_eq!(parse_iso8601(&format_iso8601(t)), Some(t));
        }
        assert_eq!(days_between(0, 91 * DAY + 5), 91);
        assert_eq!(days_between(10, 0), 0);
    }
}
