//! The keepalive program (`virkeepaliveprotocol.x`) and its timer, time injected.
//!
//! Either side may send `PING` (procedure 1) as an asynchronous message with no payload;
//! the other answers `PONG` (procedure 2). We answer the daemon's pings, and when nothing
//! at all has arrived for `interval` we send ours; after `count` pings with nothing heard
//! back the link is declared dead (libvirt's own client does the same with 5 s x 5).

use std::time::{Duration, Instant};

use super::message::{Header, Message, MessageType, Program, Status};

/// `KEEPALIVE_PROC_PING`.
pub const PING: i32 = 1;
/// `KEEPALIVE_PROC_PONG`.
pub const PONG: i32 = 2;

/// A keepalive message (`PING` or `PONG`).
pub fn message(procedure: i32) -> Message {
    Message {
        header: Header {
            program: Program::KEEPALIVE,
            version: 1,
            procedure,
            kind: MessageType::MESSAGE,
            serial: 0,
            status: Status::OK,
        },
        payload: Vec::new(),
    }
}

/// How often to ping an idle daemon and how many silent pings mean it is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepaliveConfig {
    /// Silence before a ping, and between pings.
    pub interval: Duration,
    /// Unanswered pings after which the link is dead.
    pub count: u32,
}

impl Default for KeepaliveConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            count: 3,
        }
    }
}

/// What the timer wants when it comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Send a ping now.
    Ping,
    /// `count` pings went unanswered: the daemon is gone.
    Dead {
        /// Pings sent without anything heard back.
        unanswered: u32,
    },
}

/// The keepalive timer of one connection.
#[derive(Debug, Clone)]
pub struct Keepalive {
    config: KeepaliveConfig,
    deadline: Instant,
    last_receive: Instant,
    unanswered: u32,
}

impl Keepalive {
    /// A timer started at `now`.
    pub fn new(config: KeepaliveConfig, now: Instant) -> Self {
        Self {
            config,
            deadline: now + config.interval,
            last_receive: now,
            unanswered: 0,
        }
    }

    /// Anything received proves the daemon alive.
    pub fn on_receive(&mut self, now: Instant) {
        self.unanswered = 0;
        self.last_receive = now;
        self.deadline = now + self.config.interval;
    }

    /// How long nothing has been received.
    pub fn silence(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.last_receive)
    }

    /// When [`Keepalive::on_timeout`] wants to run.
    pub fn poll_timeout(&self) -> Instant {
        self.deadline
    }

    /// Runs the timer; `None` before the deadline.
    pub fn on_timeout(&mut self, now: Instant) -> Option<Due> {
        if now < self.deadline {
            return None;
        }
        if self.unanswered >= self.config.count {
            return Some(Due::Dead {
                unanswered: self.unanswered,
            });
        }
        self.unanswered += 1;
        self.deadline = now + self.config.interval;
        Some(Due::Ping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn an_idle_link_is_pinged_then_declared_dead_after_count_pings() {
        let t0 = Instant::now();
        let mut timer = Keepalive::new(
            KeepaliveConfig {
                interval: 5 * S,
                count: 2,
            },
            t0,
        );
        assert_eq!(timer.on_timeout(t0 + 4 * S), None);
        assert_eq!(timer.on_timeout(t0 + 5 * S), Some(Due::Ping));
        assert_eq!(timer.poll_timeout(), t0 + 10 * S);
        assert_eq!(timer.on_timeout(t0 + 10 * S), Some(Due::Ping));
        assert_eq!(
            timer.on_timeout(t0 + 15 * S),
            Some(Due::Dead { unanswered: 2 })
        );
    }

    #[test]
    fn anything_received_resets_the_count() {
        let t0 = Instant::now();
        let mut timer = Keepalive::new(
            KeepaliveConfig {
                interval: 5 * S,
                count: 1,
            },
            t0,
        );
        assert_eq!(timer.on_timeout(t0 + 5 * S), Some(Due::Ping));
        timer.on_receive(t0 + 6 * S);
        assert_eq!(timer.on_timeout(t0 + 10 * S), None);
        assert_eq!(timer.on_timeout(t0 + 11 * S), Some(Due::Ping));
    }

    #[test]
    fn ping_and_pong_are_empty_keepalive_messages() {
        let wire = message(PING).to_wire();
        assert_eq!(
            wire,
            [
                0, 0, 0, 28, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
                0, 0, 0, 0, 0
            ]
        );
    }
}
