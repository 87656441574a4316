//! libvirt RPC messages as the daemon could send them: the framer and every decoder on each
//! message, then the connection state machine fed the same bytes in chunks, with timeouts.
//! Input: chunks of `len byte, bytes`; a zero length means "time passes".
#![no_main]

use std::time::{Duration, Instant};

use instancemonitor::connection::Connection;
use instancemonitor::rpc::calls::{AuthListRet, GetStateRet, Int, ListAllDomainsRet};
use instancemonitor::rpc::procedure::Procedure;
use instancemonitor::rpc::events::DomainEvent;
use instancemonitor::rpc::keepalive::KeepaliveConfig;
use instancemonitor::rpc::message::Framer;
use instancemonitor::rpc::remote_error::RemoteError;
use instancemonitor::rpc::xdr::Xdr;
use libfuzzer_sys::fuzz_target;

fn decode_all(data: &[u8]) {
    let mut framer = Framer::default();
    framer.push(data);
    while let Ok(Some(message)) = framer.next_message() {
        let payload = &message.payload;
        let _ = AuthListRet::read(payload);
        let _ = ListAllDomainsRet::read(payload);
        let _ = GetStateRet::read(payload);
        let _ = Int::read(payload);
        let _ = RemoteError::read(payload);
        let _ = DomainEvent::decode(Procedure(message.header.procedure), payload);
    }
}

fuzz_target!(|data: &[u8]| {
    decode_all(data);
    let mut now = Instant::now();
    let config = KeepaliveConfig { interval: Duration::from_secs(5), count: 2 };
    let mut connection = Connection::new("qemu:///system", config, now);
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let (chunk, tail) = tail.split_at(usize::from(len).min(tail.len()));
        rest = tail;
        let result = if chunk.is_empty() {
            now += Duration::from_secs(3);
            connection.handle_timeout(now)
        } else {
            connection.handle_bytes(now, chunk)
        };
        while connection.poll_transmit().is_some() {}
        while connection.poll_event().is_some() {}
        if result.is_err() {
            return;
        }
    }
});
