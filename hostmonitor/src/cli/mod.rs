//! The `masakari-hostmonitor` command line: argument definitions and the subcommands.
//!
//! `main.rs` parses, calls [`run`], and maps the result to an exit code.

mod nodes;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Command-line arguments of `masakari-hostmonitor`.
#[derive(Debug, Parser)]
#[command(
    name = "masakari-hostmonitor",
    version,
    about = "Masakari host monitor for Pacemaker clusters"
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
}

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    match cli.command {
        Command::Nodes(args) => nodes::run(&args, out),
    }
}
