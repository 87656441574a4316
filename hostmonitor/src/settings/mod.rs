//! The daemon's configuration file, `/etc/masakari-pcmk/hostmonitor.toml`, or an existing
//! `masakarimonitors.conf` (see [`masakari_monitors`] for how its keys map onto these).
//!
//! Every key has a default, so an empty file is a working configuration for a noauth2 Masakari API on
//! the local host. Unknown keys are errors: a misspelt safety setting must not silently fall back.
//! The OCF agent lays its instance attributes over this file as [`Override`]s (`--set section.key=value`),
//! whichever format the file is in.
//!
//! The format is told by the section headers: `[api]`, `[host]` or `[DEFAULT]` mean
//! masakarimonitors.conf, `[masakari]`, `[monitor]`, `[paths]`, `[metrics]` or `[processes]` mean TOML; a file
//! with neither (empty, comments only) is read by its extension (`.conf`, `.ini`: masakarimonitors.conf).

mod error;
mod format;
mod host_names;
pub mod masakari_monitors;
mod processes;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::engine::{self, FailurePolicy};
pub use error::SettingsError;
pub use format::Format;
pub use host_names::HostNames;
use masakari_client::settings;
pub use masakari_client::settings::{
    Auth, Credential, Keystone, Masakari, Noauth2, Override, TokenFile,
};
pub use processes::Processes;

/// Where the configuration file is looked for when none is named.
pub const DEFAULT_PATH: &str = "/etc/masakari-pcmk/hostmonitor.toml";

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How to reach the Masakari API.
    pub masakari: Masakari,
    /// What to watch and how to decide.
    pub monitor: Monitor,
    /// Where the daemon keeps its state and sockets.
    pub paths: Paths,
    /// The Prometheus metrics endpoint.
    pub metrics: Metrics,
    /// Masakari's names for nodes whose hypervisor is named differently.
    pub host_names: HostNames,
    /// The compute services watched for PROCESS notifications.
    pub processes: Processes,
}

/// A configuration as read from a file, with what the file held that does not apply here.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The settings.
    pub settings: Settings,
    /// The file's format.
    pub format: Format,
    /// Keys of a masakarimonitors.conf that have no meaning here (`section.key`, never values).
    pub ignored: Vec<String>,
}

impl Loaded {
    /// What the operator should hear about how the file was read (logged by `run`, printed by
    /// `check` and `check-config`): a masakarimonitors.conf without `restrict_to_remotes = True`
    /// watches full cluster members, as masakari-monitors does, although this monitor
    /// usually runs on those members (the controllers); its `domain_name` beside a project is
    /// ignored.
    pub fn notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        if self.format == Format::MasakariMonitors && self.settings.monitor.watch_members {
            notices.push(
                "host.restrict_to_remotes is False or absent (masakari-monitors' default): full \
                 cluster members are watched too; set it to True (or --set \
                 monitor.watch_members=false) to watch only pacemaker-remote and guest nodes"
                    .to_owned(),
            );
        }
        notices.extend(masakari_client::settings::masakari_monitors::notices(
            &self.ignored,
        ));
        notices
    }
}

/// The Prometheus metrics endpoint (`GET /metrics`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metrics {
    /// `address:port` to listen on (plain HTTP); empty disables the endpoint.
    pub listen: String,
}

/// What to watch and how to decide.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Monitor {
    /// Report pacemaker-remote nodes.
    pub watch_remotes: bool,
    /// Report guest nodes.
    pub watch_guests: bool,
    /// Report full cluster members too (off by default, like masakari-monitors' restrict_to_remotes).
    pub watch_members: bool,
    /// This node's name in the cluster; found with `crm_node -n` when empty.
    pub local_node: String,
    /// Seconds between CIB reconciles (the safety net under alerts).
    pub reconcile_interval: u64,
    /// Seconds a lost host may wait for a successful fence before `on_fence_failure` applies.
    pub fence_timeout: u64,
    /// `unknown` (send host_status UNKNOWN, which the engine ignores) or `wait` (keep waiting).
    pub on_fence_failure: OnFenceFailure,
    /// Accept our own IPMI check of the chassis (off) as confirmation, besides Pacemaker's fencing.
    pub power_off_confirms: bool,
    /// Hold notifications when more than this share (percent) of watched hosts is lost in the window.
    pub mass_failure_percent: u8,
    /// The mass-failure window, in seconds.
    pub mass_failure_window: u64,
    /// Fewer lost hosts than this never trigger the mass-failure guard.
    pub mass_failure_min_hosts: usize,
    /// Failed retries of one notification after which it is overdue: logged at error level on
    /// every further retry, counted by the overdue gauge and flagged in `status`. It is never
    /// given up while what it reports is true. Also read as `retry_max`, the older name, which
    /// used to drop the notification there.
    #[serde(alias = "retry_max")]
    pub retry_alert_after: u32,
    /// First retry delay in seconds; doubles up to `retry_max_interval`.
    pub retry_interval: u64,
    /// Longest retry delay, in seconds.
    pub retry_max_interval: u64,
}

/// Behaviour when fencing of a lost host failed or took too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFenceFailure {
    /// Send host_status UNKNOWN (recorded by Masakari, never evacuated).
    Unknown,
    /// Send nothing and keep waiting for a successful fence.
    Wait,
}

/// Where the daemon keeps its state and sockets.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Paths {
    /// The durable record of what was seen and sent (survives restarts).
    pub state_file: PathBuf,
    /// The socket the alert agent hands Pacemaker's alerts to.
    pub alert_socket: PathBuf,
    /// The socket of `masakari-hostmonitor status`, `release` and `dismiss`.
    pub control_socket: PathBuf,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9808".to_owned(),
        }
    }
}

impl Metrics {
    /// The address to listen on, or `None` when the endpoint is disabled.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.listen.parse().ok()
    }
}

impl Default for Monitor {
    fn default() -> Self {
        let engine = engine::Config::default();
        Self {
            watch_remotes: engine.watch.remotes,
            watch_guests: engine.watch.guests,
            watch_members: engine.watch.members,
            local_node: String::new(),
            reconcile_interval: 5,
            fence_timeout: engine.fence_timeout.as_secs(),
            on_fence_failure: OnFenceFailure::Unknown,
            power_off_confirms: engine.power_off_confirms,
            mass_failure_percent: engine.mass_failure.percent,
            mass_failure_window: engine.mass_failure.window.as_secs(),
            mass_failure_min_hosts: engine.mass_failure.min_hosts,
            retry_alert_after: engine.retry.alert_after,
            retry_interval: engine.retry.interval.as_secs(),
            retry_max_interval: engine.retry.max_interval.as_secs(),
        }
    }
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            state_file: PathBuf::from("/var/lib/masakari-pcmk/hostmonitor.json"),
            alert_socket: PathBuf::from("/run/masakari-pcmk/alerts.sock"),
            control_socket: PathBuf::from("/run/masakari-pcmk/control.sock"),
        }
    }
}

impl Settings {
    /// Reads and checks a configuration file, with `section.key=value` overrides laid over it.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Self, SettingsError> {
        Self::read(path, overrides).map(|loaded| loaded.settings)
    }

    /// Like [`Settings::load`], also saying the format and what the file held that does not apply.
    pub fn read(path: &Path, overrides: &[Override]) -> Result<Loaded, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let format = Format::detect(&text, path).map_err(|e| e.in_file(path))?;
        Self::parse_as(format, &text, overrides).map_err(|e| e.in_file(path))
    }

    /// Parses and checks TOML configuration text, with overrides laid over it.
    pub fn parse(text: &str, overrides: &[Override]) -> Result<Self, SettingsError> {
        Self::parse_as(Format::Toml, text, overrides).map(|loaded| loaded.settings)
    }

    /// Parses and checks configuration text of a known format, with overrides laid over it.
    pub fn parse_as(
        format: Format,
        text: &str,
        overrides: &[Override],
    ) -> Result<Loaded, SettingsError> {
        let inner = match format {
            Format::Toml => settings::Format::Toml,
            Format::MasakariMonitors => settings::Format::MasakariMonitors,
        };
        let (settings, ignored): (Self, _) =
            settings::layered(inner, text, overrides, masakari_monitors::to_table)?;
        settings.validate()?;
        Ok(Loaded {
            settings,
            format,
            ignored,
        })
    }

    /// The engine's configuration.
    pub fn engine_config(&self) -> engine::Config {
        let m = &self.monitor;
        engine::Config {
            local_node: (!m.local_node.is_empty()).then(|| m.local_node.clone()),
            watch: engine::Watch {
                remotes: m.watch_remotes,
                guests: m.watch_guests,
                members: m.watch_members,
            },
            fence_timeout: Duration::from_secs(m.fence_timeout),
            on_fence_failure: match m.on_fence_failure {
                OnFenceFailure::Unknown => FailurePolicy::SendUnknown,
                OnFenceFailure::Wait => FailurePolicy::KeepWaiting,
            },
            power_off_confirms: m.power_off_confirms,
            mass_failure: engine::MassFailure {
                percent: m.mass_failure_percent,
                window: Duration::from_secs(m.mass_failure_window),
                min_hosts: m.mass_failure_min_hosts,
            },
            retry: engine::Retry {
                alert_after: m.retry_alert_after,
                interval: Duration::from_secs(m.retry_interval),
                max_interval: Duration::from_secs(m.retry_max_interval),
            },
            host_names: self.host_names.to_map(),
            ..engine::Config::default()
        }
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let m = &self.monitor;
        self.masakari.validate()?;
        if !(1..=100).contains(&m.mass_failure_percent) {
            return Err(SettingsError::invalid(
                "monitor.mass_failure_percent",
                "must be 1 to 100",
            ));
        }
        let positive = [
            ("monitor.reconcile_interval", m.reconcile_interval),
            ("monitor.fence_timeout", m.fence_timeout),
            ("monitor.retry_interval", m.retry_interval),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(SettingsError::invalid(key, "must be at least 1 (seconds)"));
        }
        if !(self.metrics.listen.is_empty() || self.metrics.address().is_some()) {
            return Err(SettingsError::invalid(
                "metrics.listen",
                "must be address:port (e.g. 127.0.0.1:9808), or empty to disable",
            ));
        }
        if !(m.watch_remotes || m.watch_guests || m.watch_members) {
            return Err(SettingsError::invalid(
                "monitor.watch_remotes",
                "at least one kind of node (remotes, guests, members) must be watched",
            ));
        }
        self.host_names.validate()?;
        self.processes.validate()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
