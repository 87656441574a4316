//! The deterministic pair harness: the session state machine against an in-process BMC
//! with a virtual clock, a seeded generator and loss/tamper knobs.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::*;
use crate::ipmi::commands::chassis_control::{self, Control};
use crate::ipmi::commands::chassis_status;
use crate::ipmi::crypto::{SessionKeys, codes_equal, v15_auth_code};
use crate::ipmi::message::{decode_request, encode_response};
use crate::ipmi::packet::{Packet, Protection, encode_v15, encode_v20};
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

#[derive(Default)]
struct V2State {
    suite: Option<CipherSuite>,
    console_id: u32,
    rm: [u8; 16],
    role: u8,
    keys: Option<SessionKeys>,
    active: bool,
}

/// An in-process BMC speaking just enough IPMI 1.5 and RMCP+ for the client.
struct FakeBmc {
    user: Vec<u8>,
    password: Vec<u8>,
    kg: Option<Vec<u8>>,
    suites: Vec<u8>,
    auth_support: u8,
    power_on: bool,
    v2: V2State,
    v15_auth: Option<AuthType>,
    v15_active: bool,
    /// Drop this many incoming datagrams first.
    drop_first: u32,
    /// Answer nothing.
    silent: bool,
    /// Corrupt the ICV of RAKP 4.
    bad_rakp4: bool,
    /// Flip a byte of every session reply (should be dropped by the client).
    tamper: bool,
    control_refusal: Option<CompletionCode>,
    closed: u32,
}

const MANAGED: u32 = 0x0bad_cafe;
const GUID: [u8; 16] = [0x42; 16];
const RC: [u8; 16] = [0x17; 16];

impl FakeBmc {
    fn new() -> Self {
        Self {
            user: b"admin".to_vec(),
            password: b"password".to_vec(),
            kg: None,
            suites: vec![0, 1, 2, 3, 17],
            auth_support: 0x17,
            power_on: true,
            v2: V2State::default(),
            v15_auth: None,
            v15_active: false,
            drop_first: 0,
            silent: false,
            bad_rakp4: false,
            tamper: false,
            control_refusal: None,
            closed: 0,
        }
    }

    fn handle(&mut self, d: &[u8]) -> Option<Vec<u8>> {
        if self.drop_first > 0 {
            self.drop_first -= 1;
            return None;
        }
        if self.silent {
            return None;
        }
        let ilen = self.v2.suite.map_or(0, |s| s.integrity_len());
        let mut reply = match packet::decode(d, ilen).ok()? {
            Packet::V15(p) if p.auth == AuthType::NONE && *p.session_id.as_check_input() == 0 => {
                let msg = self.command(p.message)?;
                encode_v15(AuthType::NONE, 0, 0, None, &msg)
            }
            Packet::V15(p) => {
                let sid = *p.session_id.as_check_input();
                let seq = *p.seq.as_check_input();
                if p.auth != AuthType::NONE {
                    let expect = v15_auth_code(p.auth, &self.password, sid, seq, p.message);
                    p.auth_code?.verify(|c| codes_equal(c, &expect))?;
                }
                let msg = self.command(p.message)?;
                let code = (p.auth != AuthType::NONE).then(|| v15_auth_code(p.auth, &self.password, sid, 9, &msg));
                encode_v15(p.auth, 9, sid, code.as_ref(), &msg)
            }
            Packet::V20(p) if *p.session_id.as_check_input() == 0 => self.handshake(p.payload_type, p.payload)?,
            Packet::V20(p) => {
                let suite = self.v2.suite?;
                let keys = self.v2.keys.as_ref()?;
                if let Some((covered, code)) = &p.integrity {
                    let expect = suite.integrity_code_of(&keys.k1, covered);
                    code.verify(|c| codes_equal(c, &expect))?;
                }
                let plain = if p.encrypted {
                    let (iv, body) = p.payload.split_at(16);
                    crate::ipmi::crypto::aes_decrypt(&keys.aes_key, iv.try_into().ok()?, body)?
                } else {
                    p.payload.to_vec()
                };
                let msg = self.command(&plain)?;
                let keys = self.v2.keys.as_ref()?;
                let aes = (suite.conf_code() != 0).then_some((&*keys.aes_key, [3u8; 16]));
                let prot = Protection { suite, k1: &keys.k1, aes };
                encode_v20(PayloadType::IPMI, self.v2.console_id, 5, &msg, Some(&prot))
            }
        };
        if self.tamper {
            let last = reply.len() - 1;
            reply[last] ^= 0x01;
        }
        Some(reply)
    }

    fn command(&mut self, msg: &[u8]) -> Option<Vec<u8>> {
        let (req, seq) = decode_request(msg).ok()?;
        let ok = |data: Vec<u8>| (CompletionCode::OK, data);
        let (completion, data) = match (req.netfn, req.cmd) {
            (0x06, 0x38) => ok(vec![1, self.auth_support | 0x80, 0x04, 0x02, 0, 0, 0, 0]),
            (0x06, 0x39) if req.data.get(1..6) != Some(&self.user[..]) => (CompletionCode(0x81), vec![]),
            (0x06, 0x39) => {
                self.v15_auth = Some(AuthType(req.data[0]));
                let mut d = 0x1234u32.to_le_bytes().to_vec();
                d.extend([0x5a; 16]);
                ok(d)
            }
            (0x06, 0x3a) => {
                self.v15_active = true;
                let mut d = vec![req.data[0]];
                d.extend(0x5555u32.to_le_bytes());
                d.extend(0x100u32.to_le_bytes());
                d.push(4);
                ok(d)
            }
            (0x06, 0x3b) => ok(vec![req.data[0]]),
            (0x06, 0x3c) => {
                self.closed += 1;
                self.v2.active = false;
                self.v15_active = false;
                ok(vec![])
            }
            (0x00, 0x01) => ok(vec![u8::from(self.power_on), 0, 0]),
            (0x00, 0x02) => match self.control_refusal {
                Some(code) => (code, vec![]),
                None => {
                    self.power_on = req.data[0] == 1;
                    ok(vec![])
                }
            },
            _ => (CompletionCode::INVALID_COMMAND, vec![]),
        };
        let resp = message::Response { netfn: req.netfn | 1, cmd: req.cmd, rq_seq: seq, completion, data };
        Some(encode_response(&resp))
    }

    fn handshake(&mut self, kind: PayloadType, p: &[u8]) -> Option<Vec<u8>> {
        let (kind, payload) = match kind {
            PayloadType::OPEN_SESSION_REQUEST => {
                let codes = [p[12], p[20], p[28]];
                let suite = self.suites.iter().filter_map(|id| CipherSuite::from_id(*id)).find(|s| {
                    [s.auth_code(), s.integrity_code(), s.conf_code()] == codes
                });
                let Some(suite) = suite else {
                    return Some(encode_v20(PayloadType::OPEN_SESSION_RESPONSE, 0, 0, &[p[0], 0x04], None));
                };
                self.v2 = V2State { suite: Some(suite), console_id: u32::from_le_bytes(p[4..8].try_into().ok()?), ..V2State::default() };
                let mut r = vec![p[0], 0, 4, 0];
                r.extend(&p[4..8]);
                r.extend(MANAGED.to_le_bytes());
                r.extend(&p[8..32]);
                (PayloadType::OPEN_SESSION_RESPONSE, r)
            }
            PayloadType::RAKP1 => {
                let suite = self.v2.suite?;
                self.v2.rm.copy_from_slice(&p[8..24]);
                self.v2.role = p[24];
                let name = &p[28..];
                let mut r = vec![p[0], 0, 0, 0];
                r.extend(self.v2.console_id.to_le_bytes());
                if name != self.user.as_slice() {
                    r[1] = RmcpStatus::UNAUTHORIZED_NAME.0;
                    return Some(encode_v20(PayloadType::RAKP2, 0, 0, &r, None));
                }
                r.extend(RC);
                r.extend(GUID);
                let tail = self.user_tail();
                let code = suite.rakp_hmac(&self.password, &[&self.v2.console_id.to_le_bytes(), &MANAGED.to_le_bytes(), &self.v2.rm, &RC, &GUID, &tail]);
                r.extend(code.iter());
                (PayloadType::RAKP2, r)
            }
            PayloadType::RAKP3 => {
                let suite = self.v2.suite?;
                let tail = self.user_tail();
                let expect = suite.rakp_hmac(&self.password, &[&RC, &self.v2.console_id.to_le_bytes(), &tail]);
                let mut r = vec![p[0], 0, 0, 0];
                r.extend(self.v2.console_id.to_le_bytes());
                if !codes_equal(&p[8..], &expect) {
                    r[1] = RmcpStatus::INVALID_INTEGRITY_VALUE.0;
                    return Some(encode_v20(PayloadType::RAKP4, 0, 0, &r, None));
                }
                let kg = self.kg.clone().unwrap_or_else(|| self.password.clone());
                let sik = suite.rakp_hmac(&kg, &[&self.v2.rm, &RC, &tail]);
                let icv = suite.rakp_hmac(&sik, &[&self.v2.rm, &MANAGED.to_le_bytes(), &GUID]);
                r.extend(&icv[..suite.rakp4_len()]);
                if self.bad_rakp4 && suite.rakp4_len() > 0 {
                    r[8] ^= 0xff;
                }
                self.v2.keys = Some(SessionKeys::derive(suite, &sik));
                self.v2.active = true;
                (PayloadType::RAKP4, r)
            }
            _ => return None,
        };
        Some(encode_v20(kind, 0, 0, &payload, None))
    }

    fn user_tail(&self) -> Vec<u8> {
        let mut t = vec![self.v2.role, self.user.len() as u8];
        t.extend(&self.user);
        t
    }
}

/// Client and BMC wired together with a virtual clock.
struct Pair {
    now: Instant,
    start: Instant,
    session: Session,
    bmc: FakeBmc,
    in_flight: VecDeque<Vec<u8>>,
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
    Flavour::V20 { suites: suites.iter().map(|id| CipherSuite::from_id(*id).unwrap()).collect(), kg: None }
}

impl Pair {
    fn new(config: SessionConfig, bmc: FakeBmc) -> Self {
        let now = Instant::now();
        Self { now, start: now, session: Session::new(config, Box::new(Seeded(0x9e37_79b9_7f4a_7c15)), now), bmc, in_flight: VecDeque::new() }
    }

    fn next_event(&mut self) -> Event {
        for _ in 0..1000 {
            while let Some(d) = self.session.poll_transmit() {
                if let Some(reply) = self.bmc.handle(&d) {
                    self.in_flight.push_back(reply);
                }
            }
            if let Some(d) = self.in_flight.pop_front() {
                self.session.handle_datagram(self.now, &d);
            } else if let Some(e) = self.session.poll_event() {
                return e;
            } else {
                let Some(t) = self.session.poll_timeout() else { return Event::Closed { acknowledged: false } };
                self.now = t.max(self.now);
                self.session.handle_timeout(self.now);
            }
        }
        panic!("no event after 1000 steps");
    }

    fn command(&mut self, req: Request) -> Event {
        self.session.send(self.now, "test command", req, Duration::from_secs(3)).unwrap();
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
    let Event::Response(r) = pair.command(chassis_status::request()) else { panic!() };
    assert_eq!(r.data, vec![1, 0, 0]);
    let Event::Response(r) = pair.command(chassis_control::request(Control::PowerDown)) else { panic!() };
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
        full_cycle(v2(&[id]), FakeBmc::new());
    }
}

#[test]
fn suite_17_with_kg() {
    let mut bmc = FakeBmc::new();
    bmc.kg = Some(b"0123456789abcdefghij".to_vec());
    let kg = Some(Secret::new(b"0123456789abcdefghij".to_vec()));
    full_cycle(Flavour::V20 { suites: vec![CipherSuite::SEVENTEEN], kg }, bmc);
    let mut bmc = FakeBmc::new();
    bmc.kg = Some(b"other".to_vec());
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    assert_eq!(pair.next_event(), Event::Failed(SessionError::AuthFailed { stage: "checking RAKP Message 4" }));
    assert_eq!(pair.close(), Event::Closed { acknowledged: false });
}

#[test]
fn falls_back_from_17_to_3_when_refused() {
    let mut bmc = FakeBmc::new();
    bmc.suites = vec![3];
    let pair = full_cycle(v2(&[17, 3]), bmc);
    assert_eq!(pair.bmc.v2.suite, Some(CipherSuite::THREE));
}

#[test]
fn explicit_suite_refused_is_incompatible() {
    let mut bmc = FakeBmc::new();
    bmc.suites = vec![3];
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    let Event::Failed(SessionError::Incompatible { what }) = pair.next_event() else { panic!() };
    assert!(what.contains("cipher suite 17"), "{what}");
}

#[test]
fn ipmi15_auth_types() {
    for auth in [AuthType::MD5, AuthType::MD2, AuthType::PASSWORD, AuthType::NONE] {
        full_cycle(Flavour::V15 { auth: Some(auth) }, FakeBmc::new());
    }
    let pair = full_cycle(Flavour::V15 { auth: None }, FakeBmc::new());
    assert_eq!(pair.bmc.v15_auth, Some(AuthType::MD5));
}

#[test]
fn ipmi15_never_picks_none_by_itself() {
    let mut bmc = FakeBmc::new();
    bmc.auth_support = 0x01;
    let mut pair = Pair::new(config(Flavour::V15 { auth: None }, "password"), bmc);
    assert!(matches!(pair.next_event(), Event::Failed(SessionError::Incompatible { .. })));
}

#[test]
fn wrong_password_is_an_auth_failure_in_both_flavours() {
    let mut pair = Pair::new(config(v2(&[3]), "wrong"), FakeBmc::new());
    assert_eq!(pair.next_event(), Event::Failed(SessionError::AuthFailed { stage: "checking RAKP Message 2" }));
    assert!(!pair.session.is_open());
    let mut pair = Pair::new(config(Flavour::V15 { auth: None }, "wrong"), FakeBmc::new());
    assert!(matches!(pair.next_event(), Event::Failed(SessionError::Timeout { .. })));
    assert_eq!(pair.elapsed(), Duration::from_secs(5));
}

#[test]
fn unknown_user_is_refused() {
    let mut c = config(v2(&[3]), "password");
    c.username = b"nobody".to_vec();
    let mut pair = Pair::new(c, FakeBmc::new());
    let Event::Failed(SessionError::Refused { status, .. }) = pair.next_event() else { panic!() };
    assert_eq!(status, RmcpStatus::UNAUTHORIZED_NAME);
}

#[test]
fn lost_datagrams_are_retransmitted() {
    let mut bmc = FakeBmc::new();
    bmc.drop_first = 3;
    let pair = full_cycle(v2(&[17]), bmc);
    assert!(pair.elapsed() >= Duration::from_secs(3));
}

#[test]
fn silent_bmc_times_out_at_login_timeout() {
    let mut bmc = FakeBmc::new();
    bmc.drop_first = u32::MAX;
    let mut pair = Pair::new(config(v2(&[3]), "password"), bmc);
    let Event::Failed(SessionError::Timeout { sent, .. }) = pair.next_event() else { panic!() };
    assert_eq!((sent, pair.elapsed()), (5, Duration::from_secs(5)));
}

#[test]
fn bmc_silent_mid_session_fails_the_command_and_close_still_ends() {
    let mut pair = Pair::new(config(v2(&[3]), "password"), FakeBmc::new());
    assert_eq!(pair.next_event(), Event::Established);
    pair.bmc.silent = true;
    assert!(matches!(pair.command(chassis_status::request()), Event::Failed(SessionError::Timeout { .. })));
    assert!(pair.session.is_open());
    assert_eq!(pair.close(), Event::Closed { acknowledged: false });
    assert!(pair.session.is_done());
}

#[test]
fn tampered_replies_are_dropped_not_believed() {
    for flavour in [v2(&[3]), v2(&[17]), Flavour::V15 { auth: Some(AuthType::MD5) }] {
        let mut pair = Pair::new(config(flavour, "password"), FakeBmc::new());
        assert_eq!(pair.next_event(), Event::Established);
        pair.bmc.tamper = true;
        let Event::Failed(SessionError::Timeout { dropped, .. }) = pair.command(chassis_status::request()) else { panic!() };
        assert!(dropped >= 3);
    }
}

#[test]
fn bad_rakp4_fails_but_leaves_the_session_to_close() {
    let mut bmc = FakeBmc::new();
    bmc.bad_rakp4 = true;
    let mut pair = Pair::new(config(v2(&[17]), "password"), bmc);
    assert_eq!(pair.next_event(), Event::Failed(SessionError::AuthFailed { stage: "checking RAKP Message 4" }));
    assert!(pair.session.is_open());
    pair.close();
    assert!(pair.session.is_done());
}

#[test]
fn refused_control_reaches_the_caller_with_its_code() {
    let mut bmc = FakeBmc::new();
    bmc.control_refusal = Some(CompletionCode::INSUFFICIENT_PRIVILEGE);
    let mut pair = Pair::new(config(v2(&[3]), "password"), bmc);
    assert_eq!(pair.next_event(), Event::Established);
    let Event::Response(r) = pair.command(chassis_control::request(Control::PowerDown)) else { panic!() };
    assert_eq!(r.completion, CompletionCode::INSUFFICIENT_PRIVILEGE);
    assert!(pair.bmc.power_on);
}

#[test]
fn commands_before_login_are_refused() {
    let mut pair = Pair::new(config(v2(&[3]), "password"), FakeBmc::new());
    let r = pair.session.send(pair.now, "early", chassis_status::request(), Duration::from_secs(1));
    assert_eq!(r, Err(SessionError::NotReady));
}

#[test]
fn garbage_datagrams_never_panic_in_any_state() {
    let mut pair = Pair::new(config(v2(&[17]), "password"), FakeBmc::new());
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
