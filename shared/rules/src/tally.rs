//! Counting events in a window, for the rules that alert on a burst rather than on one event
//! (CIS 4.1's denied calls, 4.6's failed sign-ins): a single denied call is not a page, ten in
//! five minutes are.
//!
//! The core has no clock and keeps no state: it names the counter (rule, subject, window) and
//! the event, the adapter adds the event to that counter in the incident ledger and answers
//! how many distinct events it holds. Counting distinct event ids, not increments, keeps a
//! redelivered event from counting twice. Windows are fixed (tumbling), as CloudWatch alarm
//! periods are: a burst across a window boundary counts in two windows.

use crate::sweep::time::parse_iso8601;

/// The most distinct events one counter holds: past it the count stays here (a threshold
/// can be no higher), so a flood cannot grow the ledger item without bound.
pub const CAP: u32 = 1_000;

/// The longest subject kept in a counter's key (the ledger's key limit is 2 KiB); a longer
/// one is cut at a character boundary.
const MAX_SUBJECT: usize = 512;

/// One counter to add an event to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The ledger key: `tally#<rule>#<subject>#<window start>`.
    pub key: String,
    /// The event counted (CloudTrail's `eventID`).
    pub event_id: String,
    /// When the ledger may forget the counter (seconds since the epoch): the window's end
    /// and one more window, so a late delivery still finds it.
    pub expires_at: u64,
}

/// A fixed window of `seconds` (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub seconds: u32,
    /// Events in one window that make a finding (at least one, at most [`CAP`]).
    pub threshold: u32,
}

impl Window {
    /// The counter of `subject` for the window holding `time` (CloudTrail's `eventTime`);
    /// `None` when the time cannot be read (a call placed in no window is said, not counted).
    pub fn tally(&self, rule: &str, subject: &str, time: &str, event_id: &str) -> Option<Tally> {
        let at = parse_iso8601(time)?;
        let seconds = i64::from(self.seconds.max(1));
        let start = at.div_euclid(seconds) * seconds;
        let end = start.saturating_add(seconds);
        Some(Tally {
            key: format!("tally#{rule}#{}#{start}", cut(subject)),
            event_id: event_id.to_string(),
            expires_at: u64::try_from(end.saturating_add(seconds)).unwrap_or(0),
        })
    }

    /// Whether `count` events in one window reach the threshold.
    pub fn reached(&self, count: u32) -> bool {
        count >= self.threshold.clamp(1, CAP)
    }

    /// "5 minutes", "90 seconds", "1 hour": the window in words, for alerts.
    pub fn words(&self) -> String {
        let s = self.seconds.max(1);
        match s {
            _ if s.is_multiple_of(3600) => plural(s / 3600, "hour"),
            _ if s.is_multiple_of(60) => plural(s / 60, "minute"),
            _ => plural(s, "second"),
        }
    }
}

fn plural(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn cut(subject: &str) -> &str {
    if subject.len() <= MAX_SUBJECT {
        return subject;
    }
    let mut end = MAX_SUBJECT;
    while !subject.is_char_boundary(end) {
        end -= 1;
    }
    &subject[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_of_one_window_share_a_counter_the_next_window_another() {
        let w = Window {
            seconds: 300,
            threshold: 3,
        };
        let a = w.tally("r", "alice", "2025-03-10T06:01:53Z", "e1").unwrap();
        let b = w.tally("r", "alice", "2025-03-10T06:04:59Z", "e2").unwrap();
        let c = w.tally("r", "alice", "2025-03-10T06:05:00Z", "e3").unwrap();
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, c.key);
        assert!(a.key.starts_with("tally#r#alice#"));
        assert_eq!(c.expires_at, a.expires_at + 300);
        assert!(w.tally("r", "alice", "yesterday", "e4").is_none());
        assert!(!w.reached(2) && w.reached(3) && w.reached(CAP));
        assert_eq!(w.words(), "5 minutes");
        let odd = Window {
            seconds: 0,
            threshold: 0,
        };
        assert!(odd.reached(1), "a zero threshold is one");
        assert!(odd.tally("r", "s", "2025-03-10T06:01:53Z", "e").is_some());
        let long = "é".repeat(1000);
        let t = w.tally("r", &long, "2025-03-10T06:01:53Z", "e").unwrap();
        assert!(t.key.len() < 600);
    }
}
