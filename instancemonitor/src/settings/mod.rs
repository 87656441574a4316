//! The daemon's configuration file, `/etc/masakari-pcmk/instancemonitor.toml`, or an existing
//! `masakarimonitors.conf` as it is (see [`masakari_monitors`] for how its keys map onto these).
//!
//! Every key has a default, so an empty file is a working configuration for a noauth2 Masakari
//! API on the local host and the system libvirt. Unknown keys are errors. `--set section.key=value`
//! ([`Override`]) lays one setting over the file, whichever format it is in. The two formats are
//! told apart by their section headers (`[api]`, `[callback]`, `[DEFAULT]`: masakarimonitors.conf;
//! `[masakari]`, `[monitor]`, `[paths]`, `[metrics]`: TOML; `[libvirt]` is in both), or by the
//! extension when there are none. The shared parts (the INI reader, `[api]`, `[masakari]`,
//! overrides) are masakari-client's ([`masakari_client::settings`]), as the host monitor's are.

pub mod masakari_monitors;

use std::path::{Path, PathBuf};
use std::time::Duration;

use masakari_client::Retry;
use masakari_client::settings::{ConfError, Format, Headers, layered};
pub use masakari_client::settings::{Masakari, Override};
use serde::Deserialize;

use crate::control::client::DEFAULT_SOCKET;
use crate::uri;

/// Where the configuration file is looked for when none is named.
pub const DEFAULT_PATH: &str = "/etc/masakari-pcmk/instancemonitor.toml";

/// The headers that tell the two formats apart.
const HEADERS: Headers = Headers {
    ini: &[
        "[api]",
        "[callback]",
        "[DEFAULT]",
        "[host]",
        "[process]",
        "[introspectiveinstancemonitor]",
    ],
    toml: &[
        "[masakari]",
        "[masakari.auth]",
        "[monitor]",
        "[paths]",
        "[metrics]",
    ],
};

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How to reach the Masakari API (the host monitor's section, the same type).
    pub masakari: Masakari,
    /// Which libvirt to watch.
    pub libvirt: Libvirt,
    /// What to send notifications as, and how to retry them.
    pub monitor: Monitor,
    /// Where the daemon keeps its outbox and its control socket.
    pub paths: Paths,
    /// The Prometheus metrics endpoint.
    pub metrics: Metrics,
}

/// Which libvirt to watch.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Libvirt {
    /// The libvirt URI (masakari-monitors' `[libvirt] connection_uri`): `qemu:///system`,
    /// `qemu+unix:///system`, optionally with `?socket=PATH`.
    pub uri: String,
}

/// What to send notifications as, and how to retry them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Monitor {
    /// The name Masakari knows this compute by; the kernel's host name when empty (as
    /// masakari-monitors' `[DEFAULT] hostname`, falling back to `socket.gethostname()`).
    pub hostname: String,
    /// Failed retries of one notification after which it is overdue: logged at error level,
    /// counted by the overdue gauge and flagged in `status`, and still retried (masakari-monitors'
    /// `[callback] retry_max`, where it gave up). Also read as `retry_max`.
    #[serde(alias = "retry_max")]
    pub retry_alert_after: u32,
    /// First retry delay in seconds (`[callback] retry_interval`); doubles up to
    /// `retry_max_interval`.
    pub retry_interval: u64,
    /// Longest retry delay, in seconds.
    pub retry_max_interval: u64,
}

/// Where the daemon keeps its outbox and its control socket.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Paths {
    /// The durable outbox: notifications decided and not yet answered by the API (a local file;
    /// a compute has no cluster to keep it in).
    pub state_file: PathBuf,
    /// The socket of `masakari-instancemonitor status` and the OCF agent's monitor.
    pub control_socket: PathBuf,
}

/// The Prometheus metrics endpoint (`GET /metrics`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metrics {
    /// `address:port` to listen on (plain HTTP); empty disables the endpoint.
    pub listen: String,
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
    /// What the operator should hear about the file beyond the ignored keys: a `domain_name`
    /// beside a project does not scope the login (the host monitor says the same).
    pub fn notices(&self) -> Vec<String> {
        masakari_client::settings::masakari_monitors::notices(&self.ignored)
    }
}

/// A configuration that cannot be used, said so that an operator can fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text cannot be used (a line, a key or a value; never the value itself).
    #[error("{}{source}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Invalid {
        /// The file, when the text came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        source: ConfError,
    },
}

impl From<ConfError> for SettingsError {
    fn from(source: ConfError) -> Self {
        Self::Invalid { path: None, source }
    }
}

impl Default for Libvirt {
    fn default() -> Self {
        Self {
            uri: "qemu:///system".to_owned(),
        }
    }
}

impl Default for Monitor {
    fn default() -> Self {
        let retry = Retry::default();
        Self {
            hostname: String::new(),
            retry_alert_after: retry.alert_after,
            retry_interval: retry.interval.as_secs(),
            retry_max_interval: retry.max_interval.as_secs(),
        }
    }
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            state_file: PathBuf::from("/var/lib/masakari-pcmk/instancemonitor.json"),
            control_socket: PathBuf::from(DEFAULT_SOCKET),
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9809".to_owned(),
        }
    }
}

impl Metrics {
    /// The address to listen on, or `None` when the endpoint is disabled.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.listen.parse().ok()
    }
}

impl Settings {
    /// Reads and checks a configuration file, with `section.key=value` overrides laid over it.
    pub fn read(path: &Path, overrides: &[Override]) -> Result<Loaded, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let in_file = |source| SettingsError::Invalid {
            path: Some(path.to_owned()),
            source,
        };
        let format = Format::detect(&text, path, HEADERS).map_err(in_file)?;
        Self::parse_as(format, &text, overrides).map_err(in_file)
    }

    /// Parses and checks configuration text of a known format, with overrides laid over it.
    pub fn parse_as(
        format: Format,
        text: &str,
        overrides: &[Override],
    ) -> Result<Loaded, ConfError> {
        let (settings, ignored): (Self, _) =
            layered(format, text, overrides, masakari_monitors::to_table)?;
        settings.validate()?;
        Ok(Loaded {
            settings,
            format,
            ignored,
        })
    }

    /// The retry policy of the outbox.
    pub fn retry(&self) -> Retry {
        let m = &self.monitor;
        Retry {
            alert_after: m.retry_alert_after,
            interval: Duration::from_secs(m.retry_interval),
            max_interval: Duration::from_secs(m.retry_max_interval.max(m.retry_interval)),
        }
    }

    /// The name notifications are sent under: `[monitor] hostname`, else the kernel's.
    pub fn hostname(&self) -> String {
        if self.monitor.hostname.is_empty() {
            kernel_hostname()
        } else {
            self.monitor.hostname.clone()
        }
    }

    /// The libvirt socket and the name to open there.
    pub fn target(&self) -> Result<uri::Target, uri::UriError> {
        uri::resolve(&self.libvirt.uri, Path::exists)
    }

    fn validate(&self) -> Result<(), ConfError> {
        self.masakari.validate()?;
        if let Err(e) = uri::resolve(&self.libvirt.uri, |_| false) {
            return Err(ConfError::invalid("libvirt.uri", &e.to_string()));
        }
        if self.monitor.retry_interval == 0 {
            let problem = "must be at least 1 (seconds)";
            return Err(ConfError::invalid("monitor.retry_interval", problem));
        }
        if !(self.metrics.listen.is_empty() || self.metrics.address().is_some()) {
            return Err(ConfError::invalid(
                "metrics.listen",
                "must be address:port (e.g. 127.0.0.1:9809), or empty to disable",
            ));
        }
        let path_keys = [
            ("paths.state_file", &self.paths.state_file),
            ("paths.control_socket", &self.paths.control_socket),
        ];
        match path_keys.iter().find(|(_, p)| p.file_name().is_none()) {
            Some((key, _)) => Err(ConfError::invalid(key, "must name a file")),
            None => Ok(()),
        }
    }
}

/// The kernel's host name, as masakari-monitors' `socket.gethostname()` (empty if unreadable).
pub fn kernel_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
