//! The instance attributes of `ocf:masakari:hostmonitor`: one table, each entry a parameter and
//! where its value goes ([`crate::service::table`]). Secrets have no attribute: passwords and
//! tokens stay in the configuration file (mode 0640), never in the CIB or the daemon's argv.

use crate::ocf::{Kind, Param};
use crate::service::common;
use crate::service::table::{Entry, agent, dir, setting};

/// The daemon's configuration file when the `config` attribute is unset.
pub const DEFAULT_CONFIG: &str = "/etc/masakari-pcmk/hostmonitor.toml";
/// The daemon when the `binary` attribute is unset.
pub const DEFAULT_BINARY: &str = "/usr/bin/masakari-hostmonitor";
/// Where the daemon's stdout and stderr go when `log_file` is unset.
pub const DEFAULT_LOG_FILE: &str = "/var/log/masakari-pcmk/hostmonitor.log";

/// `on_fence_failure` values (the daemon's `monitor.on_fence_failure`).
pub const ON_FENCE_FAILURE_CHOICES: &[&str] = &["unknown", "wait"];

/// Every parameter, in the order `pcs resource describe` shows them.
pub const PARAMS: &[Entry] = &[
    agent(
        Param::text(
            "config",
            "Configuration file",
            "The host monitor's TOML configuration file. It holds everything the attributes below \
             do not, in particular the Masakari credentials ([masakari.auth]); attributes that are \
             set override the file's values.",
        )
        .default(DEFAULT_CONFIG),
    ),
    common::binary(DEFAULT_BINARY, "The masakari-hostmonitor program."),
    common::MASAKARI_ENDPOINT,
    common::REQUEST_TIMEOUT,
    setting(
        "monitor.watch_remotes",
        Param::text(
            "watch_remotes",
            "Watch pacemaker-remote nodes",
            "Notify Masakari of lost pacemaker-remote nodes (monitor.watch_remotes).",
        )
        .kind(Kind::Boolean),
    ),
    setting(
        "monitor.watch_guests",
        Param::text(
            "watch_guests",
            "Watch guest nodes",
            "Notify Masakari of lost guest nodes (monitor.watch_guests).",
        )
        .kind(Kind::Boolean),
    ),
    setting(
        "monitor.watch_members",
        Param::text(
            "watch_members",
            "Watch full cluster members",
            "Notify Masakari of lost full cluster members too, for computes that run corosync \
             (monitor.watch_members).",
        )
        .kind(Kind::Boolean),
    ),
    setting(
        "monitor.fence_timeout",
        Param::text(
            "fence_timeout",
            "Fencing wait (s)",
            "Seconds a lost host may wait for a successful fence before on_fence_failure applies \
             (monitor.fence_timeout).",
        )
        .kind(Kind::Integer),
    ),
    setting(
        "monitor.on_fence_failure",
        Param::text(
            "on_fence_failure",
            "When fencing fails",
            "What to do when fencing of a lost host failed or took longer than fence_timeout: \
             unknown sends host_status UNKNOWN (recorded, never evacuated), wait keeps waiting \
             (monitor.on_fence_failure).",
        )
        .kind(Kind::Choice(ON_FENCE_FAILURE_CHOICES)),
    ),
    setting(
        "monitor.reconcile_interval",
        Param::text(
            "reconcile_interval",
            "CIB reconcile interval (s)",
            "Seconds between full reads of the CIB, the safety net under Pacemaker's alerts \
             (monitor.reconcile_interval).",
        )
        .kind(Kind::Integer),
    ),
    common::METRICS_LISTEN,
    dir(
        &[("paths.state_file", "hostmonitor.json")],
        Param::text(
            "state_dir",
            "State directory",
            "Directory of the daemon's durable record (hostmonitor.json). Two resources of this \
             agent must not share it. The configuration file's paths.state_file when unset.",
        )
        .unique_group("state"),
    ),
    dir(
        &[
            ("paths.alert_socket", "alerts.sock"),
            ("paths.control_socket", "control.sock"),
        ],
        Param::text(
            "run_dir",
            "Socket directory",
            "Directory of the daemon's sockets (alerts.sock for the alert agent, control.sock for \
             status). Two resources of this agent must not share it. The configuration file's \
             paths.alert_socket and paths.control_socket when unset.",
        )
        .unique_group("run"),
    ),
    common::log_file(DEFAULT_LOG_FILE),
    common::api_check(
        "What a monitor with OCF_CHECK_LEVEL=20 reports when the daemon's last contact with \
             the Masakari API failed: degraded (OCF_DEGRADED, a warning; moving the monitor \
             would not help), fail (OCF_ERR_GENERIC, recover the resource) or ignore.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::table::{Target, assert_sound};

    #[test]
    fn the_table_is_sound() {
        assert_sound(PARAMS);
    }

    #[test]
    fn settings_name_real_daemon_keys() {
        for e in PARAMS {
            if let Target::Setting(key) = e.target {
                let o: hostmonitor::settings::Override =
                    format!("{key}={}", sample(key, e.param.kind))
                        .parse()
                        .unwrap();
                hostmonitor::settings::Settings::parse("", &[o])
                    .unwrap_or_else(|err| panic!("{key}: {err}"));
            }
        }
    }

    fn sample(key: &str, kind: Kind) -> &'static str {
        match kind {
            Kind::String if key == "metrics.listen" => "127.0.0.1:9808",
            Kind::String => "http://127.0.0.1:1/v1",
            Kind::Integer => "7",
            Kind::Boolean => "true",
            Kind::Choice(c) => c[0],
        }
    }
}
