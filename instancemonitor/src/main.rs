//! `masakari-instancemonitor`: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use instancemonitor::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(
        cli,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("masakari-instancemonitor: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
