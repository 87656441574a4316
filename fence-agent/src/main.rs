//! `fence_ipmilan_rs` (and its aliases, chosen by `argv[0]`): see the `fence_agent` crate.

use std::process::ExitCode;

use fence_agent::run::{Ipmi, run_process};

fn main() -> ExitCode {
    ExitCode::from(run_process::<Ipmi>())
}
