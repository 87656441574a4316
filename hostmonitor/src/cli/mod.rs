//! The `masakari-hostmonitor` command line: argument definitions and the subcommands.
//!
//! `main.rs` parses, calls [`run`], and maps the result to an exit code.

mod check;
mod cib_text;
mod daemon;
mod manpage;
mod nodes;
mod status;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Command-line arguments of `masakari-hostmonitor`.
#[derive(Debug, Parser)]
#[command(
    name = "masakari-hostmonitor",
    version,
    about = "Masakari host monitor for Pacemaker clusters",
    long_about = "Masakari host monitor for Pacemaker clusters: COMPUTE_HOST notifications when a \
compute is lost and fenced, and PROCESS notifications (STOPPED, then STARTED) when Pacemaker gives \
up on a compute service it runs there ([processes] in the configuration: by default the \
systemd:openstack-nova-compute, systemd:nova-compute and systemd:libvirtd resources) while the \
compute itself is up."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show every cluster node as the monitor sees it: kind, state and fence devices.
    Nodes(NodesArgs),
    /// Run the monitor in the foreground until SIGTERM (Pacemaker's OCF agent or systemd start it so).
    Run(ConfigArgs),
    /// Check the configuration and everything the monitor needs on this node (Pacemaker, corosync,
    /// the Masakari API and credentials), saying what is wrong, and which processes of an existing
    /// masakari-monitors process_list.yaml (processes.process_list) no watched Pacemaker resource
    /// covers: 0 all usable, 1 something fails, 2 invalid configuration.
    Check(ConfigArgs),
    /// Check the configuration (file and overrides) only and exit: 0 valid, 2 invalid.
    CheckConfig(ConfigArgs),
    /// Ask the running monitor what it sees (nodes, episodes, pending notifications, hold, health):
    /// 0 it answered, 3 nothing answers.
    Status(StatusArgs),
    /// Send the notifications held by the mass-failure guard (root only).
    Release(ConfigArgs),
    /// Drop the pending notifications of one host's failure episode and send nothing more for it
    /// (root only): for a failure an operator handles by hand, whose notification cannot or must
    /// not reach Masakari. Loud in the log, shown in `status`; the host's next loss is notified as
    /// usual. 0 dismissed, 1 refused (the answer says why), 3 nothing answers.
    Dismiss(DismissArgs),
    /// Print the man page (roff).
    #[command(hide = true)]
    Manpage,
}

/// Where the configuration comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The configuration file: hostmonitor TOML, or an existing masakarimonitors.conf (told apart
    /// by its sections).
    #[arg(long, value_name = "FILE", default_value = crate::settings::DEFAULT_PATH)]
    pub config: PathBuf,
    /// Override one setting of the file, e.g. `--set monitor.watch_members=true` (repeatable; never
    /// put secrets here: they would show in the process list).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub overrides: Vec<crate::settings::Override>,
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

/// Arguments of `dismiss`.
#[derive(Debug, Args)]
pub struct DismissArgs {
    /// The host's node name, as `status` shows it.
    pub host: String,
    /// Dismiss only if the host is still in this failure episode (the EPISODE column of `status`),
    /// so that a host lost anew since is not silenced by mistake.
    #[arg(long, value_name = "N")]
    pub episode: Option<u64>,
    /// Dismiss this watched service's process episode on the host (the PROCESS column of
    /// `status`; its EPISODE then is the process episode's) instead of the host's own episode.
    #[arg(long, value_name = "NAME")]
    pub process: Option<String>,
    /// Where the configuration comes from (it names the control socket).
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Arguments of `nodes`.
#[derive(Debug, Args)]
pub struct NodesArgs {
    /// Read this saved CIB instead of querying the live cluster with `cibadmin --query`.
    #[arg(long, value_name = "FILE")]
    pub cib_file: Option<PathBuf>,
    /// Print a JSON array (one object per node) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Why a command failed; printed to stderr by `main`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The CIB file could not be read.
    #[error("cannot read CIB file {path}: {source}")]
    ReadCib {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `cibadmin --query` could not be run or failed.
    #[error("`cibadmin --query` failed: {0}")]
    Cibadmin(String),
    /// The CIB could not be parsed.
    #[error("cannot read the CIB from {source_name}: {error}")]
    Parse {
        /// Where the CIB came from.
        source_name: String,
        /// The parse error.
        error: cib::Error,
    },
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// The configuration is not usable.
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    /// The daemon failed.
    #[error(transparent)]
    Daemon(#[from] crate::daemon::DaemonError),
    /// The running daemon did not answer (well).
    #[error(transparent)]
    Control(#[from] crate::control::client::ControlError),
    /// A host name that cannot be put in a control request.
    #[error(transparent)]
    HostName(#[from] crate::control::BadHostName),
    /// `check` found problems (already printed).
    #[error("{0} of the checks failed")]
    ChecksFailed(usize),
}

impl CliError {
    /// The process exit status: 2 for a bad configuration, 3 when no monitor runs (LSB "not running"),
    /// 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Settings(_) => 2,
            CliError::Control(crate::control::client::ControlError::NotRunning { .. }) => 3,
            _ => 1,
        }
    }
}

/// Runs a parsed command line, writing its output to `out`. Once per process: `nodes` leaves
/// the CIB it parsed to the process's exit instead of freeing it.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    match cli.command {
        Command::Nodes(args) => nodes::run(&args, out),
        Command::Run(args) => daemon::run(&args),
        Command::Check(args) => check::run(&args, out),
        Command::CheckConfig(args) => daemon::check_config(&args, out),
        Command::Status(args) => daemon::status(&args, out),
        Command::Release(args) => daemon::release(&args, out),
        Command::Dismiss(args) => daemon::dismiss(&args, out),
        Command::Manpage => manpage::write(out),
    }
}
