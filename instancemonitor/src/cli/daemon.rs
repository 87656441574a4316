//! `run`, `check-config` and `status`: the daemon and its control socket.

use std::io::Write;

use super::{CliError, ConfigArgs, StatusArgs};
use crate::control::client::{self, TIMEOUT};
use crate::settings::{Loaded, Settings};

/// Runs the daemon in the foreground, logging to stderr (`MASAKARI_INSTANCEMONITOR_LOG` sets
/// the filter, `info` by default).
pub fn run(args: &ConfigArgs) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config, &args.overrides)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASAKARI_INSTANCEMONITOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    tracing::info!(
        config = %args.config.display(),
        format = format_name(&loaded),
        "configuration read"
    );
    if !loaded.ignored.is_empty() {
        let keys = loaded.ignored.join(", ");
        tracing::info!(keys, "settings with no meaning here, ignored");
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
        format_name(&loaded)
    )?;
    if !loaded.ignored.is_empty() {
        let keys = loaded.ignored.join(", ");
        writeln!(out, "ignored (no meaning here): {keys}")?;
    }
    Ok(())
}

/// Asks the running daemon for its status and prints it as text, or as JSON with `--json`.
pub fn status(args: &StatusArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = Settings::read(&args.config.config, &args.config.overrides)?;
    let answer = client::status(&loaded.settings.paths.control_socket, TIMEOUT)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &answer).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    Ok(super::status::write(&answer, crate::daemon::now(), out)?)
}

/// The file format's name, for messages.
pub fn format_name(loaded: &Loaded) -> &'static str {
    match loaded.format {
        masakari_client::settings::Format::Toml => "instancemonitor TOML",
        masakari_client::settings::Format::MasakariMonitors => "masakarimonitors.conf",
    }
}
