//! `fence_redfish_rs`: see the `fence_agent` crate's `redfish` module.

use std::process::ExitCode;

use fence_agent::redfish::Redfish;
use fence_agent::run::run_process;

fn main() -> ExitCode {
    ExitCode::from(run_process::<Redfish>())
}
