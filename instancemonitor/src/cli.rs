//! The command line: `events` (the operator's dry run) and `check`.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand};
use serde_json::json;
use thiserror::Error;

use crate::driver::{self, DriverError, Note, Sink};
use crate::engine::{Cause, VmNotification};
use crate::uri::{self, UriError};

const DEFAULT_URI: &str = "qemu:///system";
const CHECK_LIMIT: Duration = Duration::from_secs(10);

/// `masakari-instancemonitor`: VM failures from libvirt's own events, for Masakari.
#[derive(Debug, Parser)]
#[command(name = "masakari-instancemonitor", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to libvirt and print each VM notification this monitor would send
    /// (a dry run: nothing is sent). Runs until interrupted; reconnects on its own.
    Events {
        /// libvirt URI (masakari-monitors' connection_uri in its libvirt section).
        #[arg(long, default_value = DEFAULT_URI)]
        uri: String,
        /// One JSON object per line, as the notification would be posted.
        #[arg(long)]
        json: bool,
    },
    /// Say whether libvirt is reachable read-only and answers as the monitor needs.
    Check {
        /// libvirt URI (masakari-monitors' connection_uri in its libvirt section).
        #[arg(long, default_value = DEFAULT_URI)]
        uri: String,
    },
}

/// Why a command failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CliError {
    /// The URI is not one this monitor can use.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// libvirt could not be reached or misbehaved.
    #[error(transparent)]
    Driver(#[from] DriverError),
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Output(#[from] io::Error),
}

impl CliError {
    /// The process exit code: 2 for a bad command line, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Uri(_) => 2,
            Self::Driver(_) | Self::Output(_) => 1,
        }
    }
}

/// Runs a parsed command line; results go to `out`, connection news to `log`.
pub fn run(cli: Cli, out: &mut impl Write, log: &mut impl Write) -> Result<(), CliError> {
    match cli.command {
        Command::Events { uri, json } => {
            let target = uri::resolve(&uri, Path::exists)?;
            let mut printer = Printer {
                out,
                log,
                json,
                hostname: crate::settings::kernel_hostname(),
            };
            Ok(driver::watch(&target, &mut printer)?)
        }
        Command::Check { uri } => {
            let target = uri::resolve(&uri, Path::exists)?;
            let report = driver::check(&target, CHECK_LIMIT)?;
            writeln!(
                out,
                "libvirt reachable read-only at {}: {} domains ({} active), events registered",
                report.socket.display(),
                report.domains,
                report.active
            )?;
            Ok(())
        }
    }
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
