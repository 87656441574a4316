//! `masakari-lab`: bring a lab up or down, inject faults, look at it. See the crate docs and README.md.

use std::process::ExitCode;

use clap::Parser;
use masakari_lab::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("masakari-lab: {e}");
            ExitCode::FAILURE
        }
    }
}
