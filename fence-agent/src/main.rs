//! `fence_ipmilan_rs` (and its aliases, chosen by `argv[0]`): see the `fence_agent` crate.

use std::process::ExitCode;

use fence_agent::run::{Io, run};

fn main() -> ExitCode {
    let stdin = &mut std::io::stdin().lock();
    let stdout = &mut std::io::stdout().lock();
    let io = Io {
        args: std::env::args().collect(),
        stdin,
        stdout,
        stderr: Box::new(std::io::stderr()),
        pcmk_service: std::env::var("PCMK_service").ok(),
    };
    ExitCode::from(run(io).code())
}
