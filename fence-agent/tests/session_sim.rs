//! The session state machine and UDP transport, used as a library, against OpenIPMI's
//! ipmi_sim: every IPMI 1.5 auth type (MD2 included, which the agent only picks by itself and
//! Debian's ipmitool cannot check) and every RMCP+ suite ipmi_sim has (0-3), each logging in,
//! reading the chassis status and closing with the BMC's acknowledgement.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::time::{Duration, Instant};

use fence_agent::ipmi::commands::chassis_status;
use fence_agent::ipmi::{AuthType, CipherSuite, CompletionCode, Privilege};
use fence_agent::session::{Event, Flavour, Session, SessionConfig};
use fence_agent::transport::{OsRandom, UdpTransport};
use secret::Secret;
use support::{Sim, peers_installed};

fn round_trip(port: u16, flavour: Flavour) -> Result<(), String> {
    let config = SessionConfig {
        username: b"admin".to_vec(),
        password: Secret::new(b"password".to_vec()),
        privilege: Privilege::ADMINISTRATOR,
        flavour: flavour.clone(),
        login_timeout: Duration::from_secs(5),
        retransmit: Duration::from_secs(1),
    };
    let mut transport = UdpTransport::connect("127.0.0.1", port).unwrap();
    let mut session = Session::new(config, Box::new(OsRandom::open().unwrap()), Instant::now());
    let ctx = |what: &str, e: &dyn std::fmt::Debug| format!("{flavour:?}: {what}: {e:?}");
    match transport.drive(&mut session) {
        Ok(Event::Established) => {}
        other => return Err(ctx("login", &other)),
    }
    session
        .send(
            Instant::now(),
            "Get Chassis Status",
            chassis_status::request(),
            Duration::from_secs(3),
        )
        .unwrap();
    match transport.drive(&mut session) {
        Ok(Event::Response(r)) if r.completion == CompletionCode::OK => {}
        other => return Err(ctx("status", &other)),
    }
    session.close(Instant::now());
    match transport.drive(&mut session) {
        Ok(Event::Closed { acknowledged: true }) => Ok(()),
        other => Err(ctx("close", &other)),
    }
}

#[test]
fn every_auth_type_and_suite_against_ipmi_sim() {
    if !peers_installed() {
        return;
    }
    let sim = Sim::start("session");
    let mut flavours: Vec<Flavour> = [
        AuthType::MD5,
        AuthType::MD2,
        AuthType::PASSWORD,
        AuthType::NONE,
    ]
    .into_iter()
    .map(|auth| Flavour::V15 { auth: Some(auth) })
    .collect();
    flavours.push(Flavour::V15 { auth: None });
    for id in [0, 1, 2, 3] {
        flavours.push(Flavour::V20 {
            suites: vec![CipherSuite::from_id(id).unwrap()],
            kg: None,
        });
    }
    flavours.push(Flavour::V20 {
        suites: vec![CipherSuite::SEVENTEEN, CipherSuite::THREE],
        kg: None,
    });
    let failures: Vec<String> = flavours
        .into_iter()
        .filter_map(|f| round_trip(sim.port, f).err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(sim.power(), "reading the status changed nothing");
}
