//! The `masakari-instancemonitor` command line: argument definitions and the subcommands, which
//! mirror `masakari-hostmonitor`'s. `main.rs` parses, calls [`run`], and maps the result to an
//! exit code ([`CliError::exit_code`]).

mod check;
mod daemon;
mod events;
mod status;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::control::client::ControlError;
use crate::settings::{DEFAULT_PATH, Override, SettingsError};

const DEFAULT_URI: &str = "qemu:///system";

/// Command-line arguments of `masakari-instancemonitor`.
#[derive(Debug, Parser)]
#[command(
    name = "masakari-instancemonitor",
    version,
    about = "Masakari instance monitor: VM failures from libvirt's own events, for Masakari"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the monitor in the foreground until SIGTERM or SIGINT (systemd or the OCF agent start
    /// it so). It keeps running, and reconnecting, while libvirt or the API is down.
    Run(ConfigArgs),
    /// Check the configuration and everything the monitor needs (libvirt reachable read-only,
    /// the Masakari endpoint found, the credentials valid, this host in a segment), saying
    /// exactly what is wrong: 0 all usable, 1 something fails, 2 invalid configuration.
    Check(ConfigArgs),
    /// Check the configuration (file and overrides) only: 0 valid, 2 invalid.
    CheckConfig(ConfigArgs),
    /// Ask the running monitor what it sees (libvirt, domains, pending notifications, the API):
    /// 0 it answered, 3 nothing answers.
    Status(StatusArgs),
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
    /// Print the man page (roff).
    #[command(hide = true)]
    Manpage,
}

/// Where the configuration comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The configuration file: instancemonitor TOML, or an existing masakarimonitors.conf (told
    /// apart by its sections).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_PATH)]
    pub config: PathBuf,
    /// Override one setting of the file, e.g. `--set libvirt.uri=qemu:///system` (repeatable;
    /// never put secrets here: they would show in the process list).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub overrides: Vec<Override>,
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Where the configuration comes from (it names the control socket).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print the daemon's answer as JSON (for scripts and the OCF agent) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Why a command failed; printed to stderr by `main`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The configuration is not usable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The libvirt URI is not one this monitor can use.
    #[error(transparent)]
    Uri(#[from] crate::uri::UriError),
    /// libvirt could not be reached or misbehaved (`events`).
    #[error(transparent)]
    Driver(#[from] crate::driver::DriverError),
    /// The daemon could not start.
    #[error(transparent)]
    Daemon(#[from] crate::daemon::DaemonError),
    /// The running daemon did not answer (well).
    #[error(transparent)]
    Control(#[from] ControlError),
    /// `check` found problems (already printed).
    #[error("{0} of the checks failed")]
    ChecksFailed(usize),
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The process exit status: 2 for a bad configuration or command line, 3 when no monitor
    /// runs (LSB "not running"), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) | Self::Uri(_) => 2,
            Self::Control(ControlError::NotRunning { .. }) => 3,
            _ => 1,
        }
    }
}

/// Runs a parsed command line; results go to `out`, `events`' connection news to `log`.
pub fn run(cli: Cli, out: &mut impl Write, log: &mut impl Write) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => daemon::run(&args),
        Command::Check(args) => check::run(&args, out),
        Command::CheckConfig(args) => daemon::check_config(&args, out),
        Command::Status(args) => daemon::status(&args, out),
        Command::Events { uri, json } => events::run(&uri, json, out, log),
        Command::Manpage => {
            clap_mangen::Man::new(Cli::command())
                .section("8")
                .render(out)?;
            Ok(())
        }
    }
}
