//! The power link of a Redfish BMC: what makes the emulated system's power *be* the node's power.
//!
//! sushy-emulator's fake driver keeps each system's power in its own state and, with a system's
//! `external_notifier`, PUTs the whole system as JSON to `EXTERNAL_NOTIFICATION_URL` each time that
//! state is updated. `masakari-lab power-link` runs beside each emulator, in the BMC's namespace on
//! its loopback, and turns each landed power state into the node's power through [`Lab::set_power`],
//! the path that also answers ipmi_sim's chassis control: a power supply is the one stand-in of ours.
//!
//! ```text
//!  fence_redfish(_rs) ──HTTPS──▶ sushy-emulator (bmc-computeN, :443) ──PUT 127.0.0.1:8999──▶ power-link
//!                                                                           │ Lab::set_power
//!                                                                           ▼
//!                                                          computeN's namespace: every process killed / boot
//! ```
//!
//! What the fake driver of sushy-tools 2.2.0 (`fakedriver.py`) PUTs, and when (see [`notice::read`]):
//! - a reset request (`On`, `ForceOff`, `GracefulShutdown`): the old `power_state` and a
//!   `pending_power` 1-11 s ahead. Nothing has happened yet: the link does nothing.
//! - a restart (`ForceRestart`, `GracefulRestart`): `power_state` "Off" at once, the restart
//!   pending: the link powers the node off.
//! - the first read of the system (any GET of it) after the pending time: the new `power_state`,
//!   `pending_power` null. The driver applies a change lazily, when it is read, so the change
//!   lands with the reader's GET, which waits for the link's answer (the PUT is synchronous; an
//!   answer of 400 or more is only logged by the emulator).
//! - boot device, mode or image changes: the system as it is, which the link applies again
//!   (applying a power the node has does nothing).
//!
//! Pressing the lab's power button ([`Lab::set_power`] called directly) does not tell the emulator,
//! whose state it cannot reach: after that the BMC reports the power it last set.

pub mod http;
pub mod notice;

use std::io::{BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::error::{LabError, Result};
use crate::lab::Lab;

/// The port the link listens on, on the loopback of the BMC's namespace.
pub const PORT: u16 = 8999;
/// What the link prints once it listens (the lab waits for it in the link's log).
pub const LISTENING: &str = "power-link: listening";
/// How long one client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The URL a node's emulator notifies (its `EXTERNAL_NOTIFICATION_URL`).
pub fn url(node: &str) -> String {
    format!("http://{}:{PORT}/power/{node}", Ipv4Addr::LOCALHOST)
}

/// Serves the node's power link until the process is killed: one request at a time, each answered
/// only once the node's power is what the notice says.
pub fn serve(lab: &str, node: &str) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, PORT));
    let listener = TcpListener::bind(addr).map_err(|source| LabError::Spawn {
        program: format!("power-link on {addr}"),
        source,
    })?;
    println!("{LISTENING} on {addr} for {node} of lab {lab}");
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => answer(lab, node, stream),
            Err(e) => eprintln!("power-link: accept: {e}"),
        }
    }
    Ok(())
}

/// Reads one request, carries it out and answers it; what happened goes to the log.
fn answer(lab: &str, node: &str, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let (code, reason, text) = match handle(lab, node, &stream) {
        Ok(text) => (200, "OK", text),
        Err(Refusal { code, reason, text }) => (code, reason, text),
    };
    println!("power-link: {code} {text}");
    let reply = http::response(code, reason, &text);
    if let Err(e) = stream.write_all(reply.as_bytes()) {
        eprintln!("power-link: answering: {e}");
    }
}

/// A request the link does not carry out, and how it answers.
struct Refusal {
    code: u16,
    reason: &'static str,
    text: String,
}

impl Refusal {
    fn new(code: u16, reason: &'static str, text: impl ToString) -> Self {
        Self {
            code,
            reason,
            text: text.to_string(),
        }
    }
}

fn handle(lab: &str, node: &str, stream: &TcpStream) -> Result<String, Refusal> {
    let request = http::read_request(&mut BufReader::new(stream)).map_err(|e| {
        let (code, reason) = e.status();
        Refusal::new(code, reason, e)
    })?;
    let expected = format!("/power/{node}");
    if request.method != "PUT" || request.path != expected {
        return Err(Refusal::new(
            404,
            "Not Found",
            format!("{} {}: only PUT {expected}", request.method, request.path),
        ));
    }
    let notice = notice::read(&request.body).map_err(|e| Refusal::new(400, "Bad Request", e))?;
    if notice.system != node {
        return Err(Refusal::new(
            400,
            "Bad Request",
            format!("system {:?} is not {node}", notice.system),
        ));
    }
    let Some(on) = notice.landed else {
        return Ok(format!("{node}: a reset is pending, power unchanged"));
    };
    Lab::open(lab)
        .and_then(|lab| lab.set_power(node, on))
        .map_err(|e| Refusal::new(500, "Internal Server Error", e))?;
    Ok(format!("{node}: power {}", if on { "on" } else { "off" }))
}
