//! The instance attributes of `ocf:masakari:instancemonitor`: one table
//! ([`crate::service::table`]), each entry a parameter and where its value goes. The state and
//! socket directories have defaults (the daemon's own), so the agent always tells the daemon
//! where they are and finds its control socket without reading the configuration file. Secrets
//! have no attribute: they stay in the configuration file.

use crate::ocf::Param;
use crate::service::common;
use crate::service::table::{Entry, agent, dir, setting};

/// The daemon's configuration file when the `config` attribute is unset.
pub const DEFAULT_CONFIG: &str = "/etc/masakari-pcmk/instancemonitor.toml";
/// The daemon when the `binary` attribute is unset.
pub const DEFAULT_BINARY: &str = "/usr/bin/masakari-instancemonitor";
/// Where the daemon's stdout and stderr go when `log_file` is unset.
pub const DEFAULT_LOG_FILE: &str = "/var/log/masakari-pcmk/instancemonitor.log";
/// The directory of the durable outbox when `state_dir` is unset (the daemon's default).
pub const DEFAULT_STATE_DIR: &str = "/var/lib/masakari-pcmk";
/// The directory of the control socket when `run_dir` is unset (the daemon's default).
pub const DEFAULT_RUN_DIR: &str = "/run/masakari-pcmk";
/// The daemon key of the control socket, which `run_dir` always sets.
pub const CONTROL_SOCKET_KEY: &str = "paths.control_socket";
/// The daemon key of the outbox, which `state_dir` always sets.
pub const STATE_FILE_KEY: &str = "paths.state_file";

/// Every parameter, in the order `pcs resource describe` shows them.
pub const PARAMS: &[Entry] = &[
    agent(
        Param::text(
            "config",
            "Configuration file",
            "The instance monitor's configuration: its TOML file, or an existing \
             masakarimonitors.conf as it is (told apart by its sections). It holds everything the \
             attributes below do not, in particular the Masakari credentials; attributes that \
             are set override the file's values.",
        )
        .default(DEFAULT_CONFIG),
    ),
    common::binary(DEFAULT_BINARY, "The masakari-instancemonitor program."),
    setting(
        "libvirt.uri",
        Param::text(
            "libvirt_uri",
            "libvirt URI",
            "The local libvirt to watch, read-only: qemu:///system or qemu+unix:///system, \
             optionally with ?socket=PATH (libvirt.uri; the configuration file's value when \
             unset).",
        ),
    ),
    setting(
        "monitor.hostname",
        Param::text(
            "hostname",
            "Masakari host name",
            "The name Masakari knows this compute by (monitor.hostname). Unset: the \
             configuration file's, else the kernel's host name.",
        ),
    ),
    common::MASAKARI_ENDPOINT,
    common::REQUEST_TIMEOUT,
    common::METRICS_LISTEN,
    dir(
        &[(STATE_FILE_KEY, "instancemonitor.json")],
        Param::text(
            "state_dir",
            "State directory",
            "Directory of the daemon's durable outbox (instancemonitor.json): notifications not \
             yet answered by the API, sent after a restart. Two instances on one node must not \
             share it; the systemd unit uses the default.",
        )
        .default(DEFAULT_STATE_DIR)
        .unique_group("state"),
    ),
    dir(
        &[(CONTROL_SOCKET_KEY, "instancemonitor.sock")],
        Param::text(
            "run_dir",
            "Socket directory",
            "Directory of the daemon's control socket (instancemonitor.sock), which monitor \
             asks. Two instances on one node must not share it; the systemd unit uses the \
             default.",
        )
        .default(DEFAULT_RUN_DIR)
        .unique_group("run"),
    ),
    common::log_file(DEFAULT_LOG_FILE),
    common::api_check(
        "What a monitor with OCF_CHECK_LEVEL=20 reports when the daemon's last contact with \
             the Masakari API failed: degraded (OCF_DEGRADED, a warning; restarting the monitor \
             would not help, and its notifications wait in the outbox), fail (OCF_ERR_GENERIC, \
             recover the resource) or ignore.",
    ),
];

#[cfg(test)]
mod tests {
    use instancemonitor::settings::{Override, Settings};
    use masakari_client::settings::Format;

    use super::*;
    use crate::ocf::Kind;
    use crate::service::table::{Target, assert_sound};

    #[test]
    fn the_table_is_sound() {
        assert_sound(PARAMS);
    }

    #[test]
    fn settings_name_real_daemon_keys() {
        let keys = PARAMS.iter().flat_map(|e| match e.target {
            Target::Setting(key) => vec![(key, sample(key, e.param.kind).to_owned())],
            Target::Dir(files) => files
                .iter()
                .map(|(key, file)| (*key, format!("/tmp/{file}")))
                .collect(),
            Target::Agent => Vec::new(),
        });
        for (key, value) in keys {
            let o: Override = format!("{key}={value}").parse().unwrap();
            Settings::parse_as(Format::Toml, "", &[o]).unwrap_or_else(|err| panic!("{key}: {err}"));
        }
    }

    fn sample(key: &str, kind: Kind) -> &'static str {
        match kind {
            Kind::String if key == "metrics.listen" => "127.0.0.1:9809",
            Kind::String if key == "libvirt.uri" => "qemu:///system",
            Kind::String if key == "monitor.hostname" => "compute-1",
            Kind::String => "http://127.0.0.1:1/v1",
            Kind::Integer => "7",
            Kind::Boolean => "true",
            Kind::Choice(c) => c[0],
        }
    }
}
