//! `/usr/lib/ocf/resource.d/masakari/hostmonitor`: read the environment, run the action, exit
//! with its OCF code (printing the exit reason Pacemaker shows when it failed).

use std::process::ExitCode;

use ocf_agent::agent::{self, AGENT};
use ocf_agent::ocf::{Environment, Logger};

fn main() -> ExitCode {
    let env = Environment::from_process();
    let log = Logger::from_env(AGENT, &env);
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let status = match agent::run(&args, &env, &log, &mut std::io::stdout().lock()) {
        Ok(status) => status,
        Err(failure) => {
            log.error(&failure.reason);
            eprintln!("{}", failure.exit_reason_line());
            failure.status
        }
    };
    ExitCode::from(status.code())
}
