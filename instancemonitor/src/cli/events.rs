//! `events`: the operator's dry run, printing what the monitor would send.

use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use serde_json::json;

use super::CliError;
use crate::driver::{self, Note, Sink};
use crate::engine::{Cause, VmNotification};
use crate::uri;

/// Watches libvirt at `uri`, printing each notification to `out` and connection news to `log`.
pub fn run(
    uri: &str,
    json: bool,
    out: &mut impl Write,
    log: &mut impl Write,
) -> Result<(), CliError> {
    let target = uri::resolve(uri, Path::exists)?;
    let mut printer = Printer {
        out,
        log,
        json,
        hostname: crate::settings::kernel_hostname(),
    };
    Ok(driver::watch(&target, &mut printer)?)
}

struct Printer<'a, O, L> {
    out: &'a mut O,
    log: &'a mut L,
    json: bool,
    hostname: String,
}

impl<O: Write, L: Write> Sink for Printer<'_, O, L> {
    fn notification(&mut self, n: &VmNotification) -> io::Result<()> {
        if self.json {
            let line = json!({
                "type": "VM",
                "hostname": self.hostname,
                "generated_time": humantime::format_rfc3339_micros(SystemTime::now()).to_string(),
                "payload": n.payload,
            });
            return writeln!(self.out, "{line}");
        }
        let cause = match n.cause {
            Cause::Event => "event",
            Cause::Reconcile => "found at reconnect",
        };
        let p = &n.payload;
        writeln!(
            self.out,
            "VM {}/{} {} ({}, {cause})",
            p.event, p.vir_domain_event, p.instance_uuid, n.domain_name
        )
    }

    fn note(&mut self, note: Note<'_>) -> io::Result<()> {
        match note {
            Note::Connected { socket, domains } => {
                writeln!(
                    self.log,
                    "connected to libvirt at {}: {domains} domains",
                    socket.display()
                )
            }
            Note::Lost(error) => writeln!(self.log, "{error}; reconnecting"),
            Note::Gone { uuid, name } => writeln!(
                self.log,
                "domain {name} ({uuid}) was running and is gone after the reconnect: \
                 not reported (migrated or deleted while disconnected)"
            ),
            Note::Domains { .. } => Ok(()),
        }
    }
}
