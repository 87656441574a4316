//! How delivery is retried after a transient failure (timeout, connection error, 5xx):
//! `interval`, doubling up to `max_interval`, for as long as the notification is still true.
//!
//! A safety notification never expires on its own: a host whose `STOPPED` is given up is a host
//! whose instances are never evacuated. After [`Retry::alert_after`] retries it is still retried,
//! and its owner alerts loudly (error-level logs, the overdue gauge, `status`).

use std::time::Duration;

/// The retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Retries after which an undelivered notification is overdue: alerted on at error level and
    /// counted as overdue (masakari-monitors' `api_retry_max`, which gave up there). Default: 12.
    pub alert_after: u32,
    /// The first delay (masakari-monitors' `api_retry_interval`). Default: 10 s.
    pub interval: Duration,
    /// The longest delay. Default: 60 s.
    pub max_interval: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            alert_after: 12,
            interval: Duration::from_secs(10),
            max_interval: Duration::from_secs(60),
        }
    }
}

impl Retry {
    /// The delay before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.interval
            .saturating_mul(1 << doublings)
            .min(self.max_interval)
    }

    /// Whether a notification whose `attempts` attempts all failed is overdue: the first attempt
    /// and `alert_after` retries failed.
    pub fn overdue(&self, attempts: u32) -> bool {
        attempts > self.alert_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_up_to_the_cap() {
        let retry = Retry::default();
        let secs: Vec<u64> = (1..=6).map(|n| retry.delay(n).as_secs()).collect();
        assert_eq!(secs, [10, 20, 40, 60, 60, 60]);
        assert_eq!(retry.delay(u32::MAX), Duration::from_secs(60));
        assert_eq!(retry.delay(0), Duration::from_secs(10));
    }

    #[test]
    fn overdue_after_the_alert_threshold_of_retries() {
        let retry = Retry {
            alert_after: 2,
            ..Retry::default()
        };
        assert!(!retry.overdue(2), "the first attempt and one retry");
        assert!(retry.overdue(3), "the first attempt and two retries");
        let never = Retry {
            alert_after: u32::MAX,
            ..retry
        };
        assert!(!never.overdue(u32::MAX));
    }
}
