//! The deterministic pair harness: the session state machine against an in-process BMC
//! with a virtual clock, a seeded generator and loss/tamper knobs.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::*;
use crate::fake_bmc::FakeBmc;
use crate::ipmi::commands::chassis_control::{self, Control};
use crate::ipmi::commands::chassis_status;
use crate::ipmi::{CompletionCode, RmcpStatus};

/// xorshift64*: deterministic randomness for tests.
struct Seeded(u64);

impl Random for Seeded {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
    }
}

/// Client and BMC wired together with a virtual clock.
struct Pair {
    now: Instant,
    start: Instant,
    session: Session,
    bmc: FakeBmc,
    in_flight: VecDeque<Vec<u8>>,
    /// Deliver every reply twice.
    duplicate: bool,
    /// Every reply the BMC sent, for replaying stale ones.
    seen: Vec<Vec<u8>>,
}

fn config(flavour: Flavour, password: &str) -> SessionConfig {
    SessionConfig {
        username: b"admin".to_vec(),
        password: Secret::from_string(password.to_owned()),
        privilege: Privilege::ADMINISTRATOR,
        flavour,
        login_timeout: Duration::from_secs(5),
        retransmit: Duration::from_secs(1),
    }
}

fn v2(suites: &[u8]) -> Flavour {
    Flavour::V20 {
        suites: suites
            .iter()
            .map(|id| CipherSuite::from_id(*id).unwrap())
            .collect(),
        kg: None,
    }
}

impl Pair {
    fn new(config: SessionConfig, bmc: FakeBmc) -> Self {
        let now = Instant::now();
        Self {
            now,
            start: now,
            session: Session::new(config, Box::new(Seeded(0x9e37_79b9_7f4a_7c15)), now),
            bmc,
            in_flight: VecDeque::new(),
            duplicate: false,
            seen: Vec::new(),
        }
    }

    fn next_event(&mut self) -> Event {
        for _ in 0..1000 {
            while let Some(d) = self.session.poll_transmit() {
                if let Some(reply) = self.bmc.handle(&d) {
                    if self.duplicate {
                        self.in_flight.push_back(reply.clone());
                    }
                    self.seen.push(reply.clone());
                    self.in_flight.push_back(reply);
                }
            }
            if let Some(d) = self.in_flight.pop_front() {
                self.session.handle_datagram(self.now, &d);
            } else if let Some(e) = self.session.poll_event() {
                return e;
            } else {
                let Some(t) = self.session.poll_timeout() else {
                    return Event::Closed {
                        acknowledged: false,
                    };
                };
                self.now = t.max(self.now);
                self.session.handle_timeout(self.now);
            }
        }
        panic!("no event after 1000 steps");
    }

    fn command(&mut self, req: Request) -> Event {
        self.session
            .send(self.now, "test command", req, Duration::from_secs(3))
            .unwrap();
        self.next_event()
    }

    fn close(&mut self) -> Event {
        self.session.close(self.now);
        self.next_event()
    }

    fn elapsed(&self) -> Duration {
        self.now - self.start
    }
}

fn full_cycle(flavour: Flavour, bmc: FakeBmc) -> Pair {
    let mut pair = Pair::new(config(flavour, "password"), bmc);
    assert_eq!(pair.next_event(), Event::Established);
    let Event::Response(r) = pair.command(chassis_status::request()) else {
        panic!()
    };
    assert_eq!(r.data, vec![1, 0, 0]);
    let Event::Response(r) = pair.command(chassis_control::request(Control::PowerDown)) else {
        panic!()
    };
    assert_eq!(r.completion, CompletionCode::OK);
    assert!(!pair.bmc.power_on);
    assert_eq!(pair.close(), Event::Closed { acknowledged: true });
    assert_eq!(pair.bmc.closed, 1);
    assert!(pair.session.is_done());
    pair
}

#[test]
fn every_rmcp_plus_suite_logs_in_commands_and_closes() {
    for id in [0, 1, 2, 3, 17] {
        full_cycle(v2(&[id]), FakeBmc::default());
    }
}

#[test]
fn suite_17_with_kg() {
    let mut bmc = FakeBmc::default();
    bmc.kg = Some(b"0123456789abcdefghij".to_vec());
    let kg = Some(Secret::new(b"0123456789abcdefghij".to_vec()));
    full_cycle(
        Flavour::V20 {
            suites: vec![CipherSuite::SEVENTEEN],
            kg,
        },
        bmc,
    );
    let mut bmc = FakeBmc::default();
    bmc.kg = Some(b"other".to_vec());
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    assert_eq!(
        pair.next_event(),
        Event::Failed(SessionError::AuthFailed {
            stage: "checking RAKP Message 4"
        })
    );
    assert_eq!(
        pair.close(),
        Event::Closed {
            acknowledged: false
        }
    );
}

#[test]
fn falls_back_from_17_to_3_when_refused() {
    let mut bmc = FakeBmc::default();
    bmc.suites = vec![3];
    let pair = full_cycle(v2(&[17, 3]), bmc);
    assert_eq!(pair.bmc.suite(), Some(CipherSuite::THREE));
}

#[test]
fn explicit_suite_refused_is_incompatible() {
    let mut bmc = FakeBmc::default();
    bmc.suites = vec![3];
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    let Event::Failed(SessionError::Incompatible { what }) = pair.next_event() else {
        panic!()
    };
    assert!(what.contains("cipher suite 17"), "{what}");
}

#[test]
fn ipmi15_auth_types() {
    for auth in [
        AuthType::MD5,
        AuthType::MD2,
        AuthType::PASSWORD,
        AuthType::NONE,
    ] {
        full_cycle(Flavour::V15 { auth: Some(auth) }, FakeBmc::default());
    }
    let pair = full_cycle(Flavour::V15 { auth: None }, FakeBmc::default());
    assert_eq!(pair.bmc.v15_auth, Some(AuthType::MD5));
}

#[test]
fn ipmi15_never_picks_none_by_itself() {
    let mut bmc = FakeBmc::default();
    bmc.auth_support = 0x01;
    let mut pair = Pair::new(config(Flavour::V15 { auth: None }, "password"), bmc);
    assert!(matches!(
        pair.next_event(),
        Event::Failed(SessionError::Incompatible { .. })
    ));
}

#[test]
fn wrong_password_is_an_auth_failure_in_both_flavours() {
    let mut pair = Pair::new(config(v2(&[3]), "wrong"), FakeBmc::default());
    assert_eq!(
        pair.next_event(),
        Event::Failed(SessionError::AuthFailed {
            stage: "checking RAKP Message 2"
        })
    );
    assert!(!pair.session.is_open());
    let mut pair = Pair::new(
        config(Flavour::V15 { auth: None }, "wrong"),
        FakeBmc::default(),
    );
    assert!(matches!(
        pair.next_event(),
        Event::Failed(SessionError::Timeout { .. })
    ));
    assert_eq!(pair.elapsed(), Duration::from_secs(5));
}

#[test]
fn unknown_user_is_refused() {
    let mut c = config(v2(&[3]), "password");
    c.username = b"nobody".to_vec();
    let mut pair = Pair::new(c, FakeBmc::default());
    let Event::Failed(SessionError::Refused { status, .. }) = pair.next_event() else {
        panic!()
    };
    assert_eq!(status, RmcpStatus::UNAUTHORIZED_NAME);
}

#[test]
fn lost_datagrams_are_retransmitted() {
    let mut bmc = FakeBmc::default();
    bmc.drop_first = 3;
    let pair = full_cycle(v2(&[17]), bmc);
    assert!(pair.elapsed() >= Duration::from_secs(3));
}

#[test]
fn silent_bmc_times_out_at_login_timeout() {
    let mut bmc = FakeBmc::default();
    bmc.drop_first = u32::MAX;
    let mut pair = Pair::new(config(v2(&[3]), "password"), bmc);
    let Event::Failed(SessionError::Timeout { sent, .. }) = pair.next_event() else {
        panic!()
    };
    assert_eq!((sent, pair.elapsed()), (5, Duration::from_secs(5)));
}

#[test]
fn bmc_silent_mid_session_fails_the_command_and_close_still_ends() {
    let mut pair = Pair::new(config(v2(&[3]), "password"), FakeBmc::default());
    assert_eq!(pair.next_event(), Event::Established);
    pair.bmc.silent = true;
    assert!(matches!(
        pair.command(chassis_status::request()),
        Event::Failed(SessionError::Timeout { .. })
    ));
    assert!(pair.session.is_open());
    assert_eq!(
        pair.close(),
        Event::Closed {
            acknowledged: false
        }
    );
    assert!(pair.session.is_done());
}

#[test]
fn tampered_replies_are_dropped_not_believed() {
    for flavour in [
        v2(&[3]),
        v2(&[17]),
        Flavour::V15 {
            auth: Some(AuthType::MD5),
        },
    ] {
        let mut pair = Pair::new(config(flavour, "password"), FakeBmc::default());
        assert_eq!(pair.next_event(), Event::Established);
        pair.bmc.tamper = true;
        let Event::Failed(SessionError::Timeout { dropped, .. }) =
            pair.command(chassis_status::request())
        else {
            panic!()
        };
        assert!(dropped >= 3);
    }
}

#[test]
fn bad_rakp4_fails_but_leaves_the_session_to_close() {
    let mut bmc = FakeBmc::default();
    bmc.bad_rakp4 = true;
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    assert_eq!(
        pair.next_event(),
        Event::Failed(SessionError::AuthFailed {
            stage: "checking RAKP Message 4"
        })
    );
    assert!(pair.session.is_open());
    pair.close();
    assert!(pair.session.is_done());
}

#[test]
fn refused_control_reaches_the_caller_with_its_code() {
    let mut bmc = FakeBmc::default();
    bmc.control_refusal = Some(CompletionCode::INSUFFICIENT_PRIVILEGE);
    let mut pair = Pair::new(config(v2(&[3]), "password"), bmc);
    assert_eq!(pair.next_event(), Event::Established);
    let Event::Response(r) = pair.command(chassis_control::request(Control::PowerDown)) else {
        panic!()
    };
    assert_eq!(r.completion, CompletionCode::INSUFFICIENT_PRIVILEGE);
    assert!(pair.bmc.power_on);
}

#[test]
fn commands_before_login_are_refused() {
    let mut pair = Pair::new(config(v2(&[3]), "password"), FakeBmc::default());
    let r = pair.session.send(
        pair.now,
        "early",
        chassis_status::request(),
        Duration::from_secs(1),
    );
    assert_eq!(r, Err(SessionError::NotReady));
}

#[test]
fn garbage_datagrams_never_panic_in_any_state() {
    let mut pair = Pair::new(config(v2(&[17]), "password"), FakeBmc::default());
    let mut rng = Seeded(7);
    for len in 0..200 {
        let mut junk = vec![0u8; len % 80];
        rng.fill(&mut junk);
        if len % 3 == 0 && junk.len() > 5 {
            junk[..5].copy_from_slice(&[0x06, 0, 0xff, 0x07, 0x06]);
        }
        pair.session.handle_datagram(pair.now, &junk);
    }
    assert_eq!(pair.next_event(), Event::Established);
}

#[test]
fn duplicated_and_stale_replies_are_ignored() {
    for flavour in [
        v2(&[17]),
        v2(&[3]),
        Flavour::V15 {
            auth: Some(AuthType::MD5),
        },
    ] {
        let mut pair = Pair::new(config(flavour, "password"), FakeBmc::default());
        pair.duplicate = true;
        assert_eq!(pair.next_event(), Event::Established);
        let Event::Response(r) = pair.command(chassis_status::request()) else {
            panic!()
        };
        assert_eq!(r.data, vec![1, 0, 0]);
        let stale = pair.seen.clone();
        let control = chassis_control::request(Control::PowerDown);
        pair.session
            .send(pair.now, "control", control, Duration::from_secs(3))
            .unwrap();
        for d in &stale {
            pair.session.handle_datagram(pair.now, d);
        }
        assert_eq!(
            pair.session.poll_event(),
            None,
            "no stale reply answers the new command"
        );
        let Event::Response(r) = pair.next_event() else {
            panic!()
        };
        assert_eq!((r.cmd, r.completion), (0x02, CompletionCode::OK));
        assert_eq!(pair.close(), Event::Closed { acknowledged: true });
    }
}
