//! `run`, `check-config`, `status` and `release`: the daemon and its control socket.

use std::io::Write;

use super::{CliError, ConfigArgs};
use crate::settings::Settings;

/// Runs the daemon in the foreground, logging to stderr (`MASAKARI_HOSTMONITOR_LOG` sets the filter).
pub fn run(args: &ConfigArgs) -> Result<(), CliError> {
    let settings = Settings::load(&args.config, &args.overrides)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASAKARI_HOSTMONITOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    crate::daemon::run(settings).map_err(CliError::from)
}

/// Loads the configuration and says whether it is valid.
pub fn check(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    Settings::load(&args.config, &args.overrides)?;
    writeln!(out, "{}: valid", args.config.display())?;
    Ok(())
}

/// Sends one request to the running daemon and prints its JSON answer.
pub fn control(args: &ConfigArgs, request: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let settings = Settings::load(&args.config, &args.overrides)?;
    let answer = crate::daemon::request(&settings.paths.control_socket, request)?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&answer).unwrap_or_default()
    )?;
    match answer.get("error").and_then(|e| e.as_str()) {
        Some(error) => Err(CliError::Control(crate::daemon::ControlError::BadAnswer {
            path: settings.paths.control_socket.display().to_string(),
            reason: error.to_owned(),
        })),
        None => Ok(()),
    }
}
