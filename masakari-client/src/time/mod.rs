//! Injected time: the engine never reads a clock, the daemon passes [`Timestamp`]s in.
//!
//! One wall-clock type serves both timers and records: deadlines and the facts the
//! engine compares (when a node was last seen online, when Pacemaker fenced it) must
//! survive a restart on another controller, which a monotonic instant cannot.
//!
//! Calendar text from outside (crm_mon, Keystone) is read by [`Timestamp::parse_utc`], which
//! bounds every field before computing (see `calendar.rs`).

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

mod calendar;

use calendar::civil_from_days;
pub use calendar::{CalendarError, YEARS};

/// A point in wall-clock time: microseconds since 1970-01-01T00:00:00 UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The timestamp `micros` microseconds after the Unix epoch.
    pub const fn from_unix_micros(micros: u64) -> Self {
        Self(micros)
    }

    /// The timestamp `secs` seconds and `micros` microseconds after the Unix epoch, as
    /// Pacemaker's `CRM_alert_timestamp_epoch` and `CRM_alert_timestamp_usec` give it.
    pub const fn from_unix(secs: u64, micros: u32) -> Self {
        Self(secs.saturating_mul(1_000_000).saturating_add(micros as u64))
    }

    /// Converts a system time; times before the epoch become the epoch.
    pub fn from_system_time(time: SystemTime) -> Self {
        let since = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Self(u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
    }

    /// Microseconds since the Unix epoch.
    pub const fn unix_micros(self) -> u64 {
        self.0
    }

    /// This timestamp moved `duration` later, saturating at the far future.
    pub fn saturating_add(self, duration: Duration) -> Self {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(micros))
    }

    /// This timestamp moved `duration` earlier, saturating at the epoch.
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        Self(self.0.saturating_sub(micros))
    }

    /// How long after `earlier` this is; zero if it is not later.
    pub fn saturating_duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// This time in UTC as `YYYY-MM-DDTHH:MM:SS.ffffff`, the form masakari-monitors
    /// sends as `generated_time` (Python's `isoformat()` of a naive UTC datetime).
    pub fn iso8601(self) -> Iso8601 {
        Iso8601(self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Z", self.iso8601())
    }
}

/// A [`Timestamp`] displayed as `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, no zone suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iso8601(Timestamp);

impl fmt::Display for Iso8601 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.0 % 1_000_000;
        let secs = self.0.0 / 1_000_000;
        let (year, month, day) = civil_from_days(secs / 86_400);
        let of_day = secs % 86_400;
        let (hour, minute, second) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{micros:06}"
        )
    }
}

impl Serialize for Iso8601 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(micros: u64) -> String {
        Timestamp::from_unix_micros(micros).iso8601().to_string()
    }

    #[test]
    fn formats_the_epoch() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000000");
    }

    #[test]
    fn formats_known_dates() {
        // `date -u -d @1700000000` and friends.
        assert_eq!(iso(1_700_000_000_123_456), "2023-11-14T22:13:20.123456");
        assert_eq!(iso(951_782_400_000_000), "2000-02-29T00:00:00.000000");
        assert_eq!(iso(4_107_542_399_999_999), "2100-02-28T23:59:59.999999");
        assert_eq!(iso(4_107_542_400_000_000), "2100-03-01T00:00:00.000000");
        assert_eq!(iso(1_735_689_599_000_001), "2024-12-31T23:59:59.000001");
    }

    #[test]
    fn every_day_boundary_of_a_leap_cycle_is_consistent() {
        let mut last = String::new();
        for day in 0..(366 * 401) {
            let text = iso(day * 86_400_000_000);
            assert!(text > last, "{text} after {last}");
            assert!(text.ends_with("T00:00:00.000000"));
            last = text;
        }
    }

    #[test]
    fn the_far_future_does_not_overflow() {
        assert!(!iso(u64::MAX).is_empty());
        let late = Timestamp::from_unix_micros(u64::MAX).saturating_add(Duration::from_secs(9));
        assert_eq!(late.unix_micros(), u64::MAX);
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_unix(10, 5);
        assert_eq!(t.unix_micros(), 10_000_005);
        assert_eq!(
            t.saturating_sub(Duration::from_secs(60)),
            Timestamp::default()
        );
        assert_eq!(
            t.saturating_duration_since(t.saturating_add(Duration::from_secs(1))),
            Duration::ZERO
        );
        assert_eq!(
            t.saturating_add(Duration::from_millis(1500))
                .saturating_duration_since(t),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn converts_system_time() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_micros(42);
        assert_eq!(Timestamp::from_system_time(t).unix_micros(), 42);
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(Timestamp::from_system_time(before), Timestamp::default());
    }
}
