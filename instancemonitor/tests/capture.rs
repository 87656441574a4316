//! Captures the byte vectors in `tests/data/` from a real libvirtd (run by hand):
//! `cargo test -p instancemonitor --test capture -- --ignored`.
//!
//! Each file is one whole message as the daemon sent it, length word first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers: a failure should stop the test

mod support;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use instancemonitor::connection::{Connection, ConnectionError, ConnectionEvent};
use instancemonitor::rpc::keepalive::KeepaliveConfig;
use instancemonitor::rpc::message::{Framer, Message, MessageType, Program, Status};
use support::{GUEST, Libvirt};

/// Talks to the daemon through `connection`, keeping every received message.
struct Recorder {
    stream: UnixStream,
    connection: Connection,
    framer: Framer,
    received: Vec<Message>,
}

impl Recorder {
    fn open(libvirt: &Libvirt, uri: &str) -> Self {
        let stream = UnixStream::connect(libvirt.ro_socket()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let connection = Connection::new(uri, KeepaliveConfig::default(), Instant::now());
        Self {
            stream,
            connection,
            framer: Framer::default(),
            received: Vec::new(),
        }
    }

    /// Runs until `done` says so (true) or `within` passes (false).
    fn until(
        &mut self,
        within: Duration,
        mut done: impl FnMut(&ConnectionEvent) -> bool,
    ) -> Result<bool, ConnectionError> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            while let Some(bytes) = self.connection.poll_transmit() {
                self.stream.write_all(&bytes).unwrap();
            }
            let mut buffer = [0u8; 65536];
            if let Ok(n) = self.stream.read(&mut buffer) {
                self.framer.push(&buffer[..n]);
                while let Some(message) = self.framer.next_message().unwrap() {
                    self.received.push(message);
                }
                self.connection.handle_bytes(Instant::now(), &buffer[..n])?;
            }
            while let Some(event) = self.connection.poll_event() {
                if done(&event) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    fn save(&self, name: &str, pick: impl Fn(&Message) -> bool) {
        let message = self
            .received
            .iter()
            .find(|m| pick(m))
            .unwrap_or_else(|| panic!("no {name}"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        std::fs::write(dir.join(name), message.to_wire()).unwrap();
    }
}

fn reply(procedure: i32) -> impl Fn(&Message) -> bool {
    move |m| m.header.kind == MessageType::REPLY && m.header.procedure == procedure
}

#[test]
#[ignore = "captures tests/data from a real libvirtd; run by hand"]
fn capture_byte_vectors() {
    assert!(support::available());
    let libvirt = Libvirt::start("capture");
    libvirt.define_guest();
    libvirt.virsh(&["start", GUEST]);
    let mut recorder = Recorder::open(&libvirt, "qemu:///system");
    let ready = |e: &ConnectionEvent| matches!(e, ConnectionEvent::Ready { .. });
    assert_eq!(recorder.until(Duration::from_secs(10), ready), Ok(true));
    libvirt.kill_guest();
    let event = |e: &ConnectionEvent| matches!(e, ConnectionEvent::Domain(_));
    assert_eq!(recorder.until(Duration::from_secs(10), event), Ok(true));
    let ping = |m: &Message| m.header.program == Program::KEEPALIVE;
    // libvirtd pings a client that said it speaks keepalive after 5 s of silence.
    recorder.until(Duration::from_secs(7), |_| false).unwrap();
    recorder.save("auth-list.reply", reply(66));
    recorder.save("supports-feature.reply", reply(60));
    recorder.save("open.reply", reply(1));
    recorder.save("register-any.reply", reply(316));
    recorder.save("list-all-domains.reply", |m| {
        reply(273)(m) && m.payload.len() > 8
    });
    recorder.save("get-state.reply", reply(212));
    recorder.save("lifecycle-stopped-failed.event", |m| {
        m.header.procedure == 318
    });
    recorder.save("ping.keepalive", ping);

    let mut refused = Recorder::open(&libvirt, "bogus:///nowhere");
    let error = refused
        .until(Duration::from_secs(10), |_| false)
        .unwrap_err();
    assert!(matches!(error, ConnectionError::Remote { .. }), "{error}");
    refused.save("open-error.reply", |m| m.header.status == Status::ERROR);
}
