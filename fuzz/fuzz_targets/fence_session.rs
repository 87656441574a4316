//! The session state machine fed arbitrary datagrams and timeouts, in both flavours.
//! Input: a flavour byte, then chunks of `len byte, bytes`; a zero length means "time passes".
#![no_main]

use std::time::{Duration, Instant};

use fence_agent::ipmi::{AuthType, CipherSuite, Privilege};
use fence_agent::session::{Flavour, Random, Session, SessionConfig};
use libfuzzer_sys::fuzz_target;
use secret::Secret;

struct Counter(u8);

impl Random for Counter {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 = self.0.wrapping_add(37);
            *b = self.0;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else { return };
    let flavour = match first % 4 {
        0 => Flavour::V15 { auth: None },
        1 => Flavour::V15 { auth: Some(AuthType::NONE) },
        2 => Flavour::V20 { suites: vec![CipherSuite::SEVENTEEN, CipherSuite::THREE], kg: None },
        _ => Flavour::V20 { suites: vec![CipherSuite::ZERO_UNAUTHENTICATED_DANGEROUS], kg: None },
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
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (datagram, next) = tail.split_at(n);
        rest = next;
        if n == 0 {
            now += Duration::from_millis(700);
            session.handle_timeout(now);
        } else {
            session.handle_datagram(now, datagram);
        }
        while session.poll_transmit().is_some() {}
        while session.poll_event().is_some() {}
    }
    session.close(now);
});
