//! When to try corosync's quorum service again: a small pure state machine, time passed in.
//!
//! ```text
//!  Starting ──connected──> Connected ──failed──> Reconnecting ──connected──> Connected
//!     └─────────failed──────────────────────────────┘ ▲  └─failed (delay doubles, capped)─┘
//! ```
//!
//! The first retry after a link that stayed up for [`STABLE`] comes after [`FIRST_DELAY`]; each
//! further failure doubles the delay up to [`MAX_DELAY`], so a corosync that is not installed here
//! costs one attempt every half minute, and one that flaps right after connecting is not
//! hammered either.

use std::time::Duration;

use crate::control::CorosyncLink;
use crate::engine::Timestamp;

/// The delay before the first retry.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest delay between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(30);
/// How long a link must have been up for its loss to start the backoff afresh.
pub const STABLE: Duration = Duration::from_secs(60);

/// The link's state and the backoff behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconnect {
    link: CorosyncLink,
    delay: Duration,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            link: CorosyncLink::Starting,
            delay: FIRST_DELAY,
        }
    }
}

impl Reconnect {
    /// The link as `status` shows it.
    pub fn link(&self) -> &CorosyncLink {
        &self.link
    }

    /// A connection was made at `now`.
    pub fn connected(&mut self, now: Timestamp) {
        self.link = CorosyncLink::Connected { since: now };
    }

    /// An attempt failed, or the link ended, at `now`: when to try next.
    pub fn failed(&mut self, now: Timestamp, error: String) -> Timestamp {
        let grown = self.delay.saturating_mul(2).min(MAX_DELAY);
        let (since, delay) = match &self.link {
            CorosyncLink::Starting => (now, FIRST_DELAY),
            CorosyncLink::Connected { since }
                if now.saturating_duration_since(*since) >= STABLE =>
            {
                (now, FIRST_DELAY)
            }
            CorosyncLink::Connected { .. } => (now, grown),
            CorosyncLink::Reconnecting { since, .. } => (*since, grown),
        };
        let next_attempt = now.saturating_add(delay);
        self.delay = delay;
        self.link = CorosyncLink::Reconnecting {
            since,
            last_error: error,
            next_attempt,
        };
        next_attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> Timestamp {
        Timestamp::from_unix(1_700_000_000 + s, 0)
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn absent_at_start_backs_off_to_the_cap() {
        let mut r = Reconnect::default();
        assert_eq!(r.link(), &CorosyncLink::Starting);
        let mut now = t(0);
        let mut waits = Vec::new();
        for _ in 0..8 {
            let next = r.failed(now, "CS_ERR_LIBRARY".into());
            waits.push(next.saturating_duration_since(now).as_secs());
            now = next;
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        let CorosyncLink::Reconnecting {
            since,
            last_error,
            next_attempt,
        } = r.link()
        else {
            panic!("{:?}", r.link());
        };
        assert_eq!(
            (*since, last_error.as_str(), *next_attempt),
            (t(0), "CS_ERR_LIBRARY", now)
        );
    }

    #[test]
    fn a_stable_link_lost_retries_soon_and_connecting_shows() {
        let mut r = Reconnect::default();
        r.failed(t(0), "absent".into());
        r.failed(t(1), "absent".into());
        r.connected(t(3));
        assert_eq!(r.link(), &CorosyncLink::Connected { since: t(3) });
        let next = r.failed(t(3).saturating_add(STABLE), "dispatch ended".into());
        assert_eq!(next, t(3).saturating_add(STABLE + FIRST_DELAY));
        let CorosyncLink::Reconnecting { since, .. } = r.link() else {
            panic!("{:?}", r.link());
        };
        assert_eq!(*since, t(3).saturating_add(STABLE));
    }

    #[test]
    fn a_link_that_flaps_keeps_backing_off() {
        let mut r = Reconnect::default();
        let mut now = t(0);
        let mut waits = Vec::new();
        for _ in 0..4 {
            r.connected(now);
            let next = r.failed(now.saturating_add(secs(1)), "dispatch ended".into());
            waits.push(
                next.saturating_duration_since(now.saturating_add(secs(1)))
                    .as_secs(),
            );
            now = next;
        }
        assert_eq!(waits, [2, 4, 8, 16]);
    }
}
