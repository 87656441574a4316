//! `run`, `check-config`, `status`, `release` and `dismiss`: the daemon and its control socket.

use std::io::Write;

use super::{CliError, ConfigArgs, DismissArgs, StatusArgs};
use crate::control;
use crate::settings::Settings;

/// Runs the daemon in the foreground, logging to stderr (`MASAKARI_HOSTMONITOR_LOG` sets the filter).
pub fn run(args: &ConfigArgs) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config, &args.overrides)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASAKARI_HOSTMONITOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    tracing::info!(
        config = %args.config.display(),
        format = loaded.format.name(),
        "configuration read"
    );
    if !loaded.ignored.is_empty() {
        tracing::info!(
            keys = loaded.ignored.join(", "),
            "settings with no meaning here, ignored"
        );
    }
    for notice in loaded.notices() {
        tracing::warn!("{notice}");
    }
    crate::daemon::run(loaded.settings, monitor_control::server::termination())
        .map_err(CliError::from)
}

/// Loads the configuration and says whether it is valid (and what of it is ignored).
pub fn check_config(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config, &args.overrides)?;
    writeln!(
        out,
        "{}: valid ({})",
        args.config.display(),
        loaded.format.name()
    )?;
    if !loaded.ignored.is_empty() {
        writeln!(
            out,
            "ignored (no meaning here): {}",
            loaded.ignored.join(", ")
        )?;
    }
    for notice in loaded.notices() {
        writeln!(out, "note: {notice}")?;
    }
    Ok(())
}

/// Asks the running daemon for its status and prints it as text, or as JSON with `--json`.
pub fn status(args: &StatusArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let settings = Settings::load(&args.config.config, &args.config.overrides)?;
    let answer = control::client::status(&settings.paths.control_socket)?;
    if args.json {
        print_json(&answer, out)
    } else {
        Ok(super::status::write(&answer, crate::daemon::now(), out)?)
    }
}

/// Asks the running daemon to release the notifications held by the mass-failure guard, and
/// prints its JSON answer.
pub fn release(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let settings = Settings::load(&args.config, &args.overrides)?;
    let answer = control::client::release(&settings.paths.control_socket)?;
    print_json(&answer, out)
}

/// Asks the running daemon to dismiss a host's pending notifications, and prints its JSON answer.
pub fn dismiss(args: &DismissArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut asked = control::Dismiss::new(&args.host, args.episode)?;
    if let Some(process) = &args.process {
        asked = asked.of_process(process)?;
    }
    let settings = Settings::load(&args.config.config, &args.config.overrides)?;
    let answer = control::client::dismiss(&settings.paths.control_socket, asked)?;
    print_json(&answer, out)
}

fn print_json(answer: &impl serde::Serialize, out: &mut dyn Write) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, answer).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
