//! The session against the in-process BMC with the fuzzer as the network: every input byte
//! delivers, drops, corrupts or duplicates a datagram, or lets time pass. This reaches the
//! authenticated and encrypted paths (valid keys, damaged packets) that random bytes cannot.
#![no_main]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use fence_agent::fake_bmc::FakeBmc;
use fence_agent::ipmi::commands::{chassis_control, chassis_status};
use fence_agent::ipmi::{CipherSuite, Privilege};
use fence_agent::session::{Event, Flavour, Random, Session, SessionConfig};
use libfuzzer_sys::fuzz_target;
use secret::Secret;

struct Counter(u8);

impl Random for Counter {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *b = self.0;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, script)) = data.split_first() else { return };
    let suite = [0u8, 1, 2, 3, 17][usize::from(first % 5)];
    let flavour = match first % 7 {
        5 => Flavour::V15 { auth: None },
        _ => Flavour::V20 { suites: CipherSuite::from_id(suite).into_iter().collect(), kg: None },
    };
    let config = SessionConfig {
        username: b"admin".to_vec(),
        password: Secret::new(b"password".to_vec()),
        privilege: Privilege::ADMINISTRATOR,
        flavour,
        login_timeout: Duration::from_secs(5),
        retransmit: Duration::from_secs(1),
    };
    let mut now = Instant::now();
    let mut session = Session::new(config, Box::new(Counter(first)), now);
    let mut bmc = FakeBmc::default();
    let mut to_bmc: VecDeque<Vec<u8>> = VecDeque::new();
    let mut to_client: VecDeque<Vec<u8>> = VecDeque::new();
    let mut commands = 0u8;
    for &op in script {
        while let Some(d) = session.poll_transmit() {
            to_bmc.push_back(d);
        }
        while let Some(event) = session.poll_event() {
            if matches!(event, Event::Established | Event::Response(_) | Event::Failed(_)) && commands < 4 {
                commands += 1;
                let req = if commands % 2 == 0 { chassis_control::request(chassis_control::Control::PowerDown) } else { chassis_status::request() };
                let _ = session.send(now, "fuzz", req, Duration::from_secs(3));
            }
        }
        match op % 6 {
            0 => {
                if let Some(d) = to_bmc.pop_front() {
                    to_client.extend(bmc.handle(&d));
                }
            }
            1 => {
                if let Some(d) = to_client.pop_front() {
                    session.handle_datagram(now, &d);
                }
            }
            2 => {
                if let Some(mut d) = to_client.pop_front() {
                    let at = usize::from(op) % d.len().max(1);
                    if let Some(b) = d.get_mut(at) {
                        *b ^= 1 << (op % 8);
                    }
                    session.handle_datagram(now, &d);
                }
            }
            3 => {
                if let Some(d) = to_client.front().cloned() {
                    session.handle_datagram(now, &d);
                }
            }
            4 => {
                to_bmc.pop_front();
            }
            _ => {
                now += Duration::from_millis(400);
                session.handle_timeout(now);
            }
        }
    }
    session.close(now);
});
