//! The instance attributes of `ocf:masakari:hostmonitor`: one table, each entry a parameter and
//! where its value goes. Secrets have no attribute: passwords and tokens stay in the
//! configuration file (mode 0640), never in the CIB or the daemon's argv.

use crate::ocf::{Kind, Param};

/// Where a parameter's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Used by the agent itself.
    Agent,
    /// Laid over the configuration file as `--set <key>=<value>`.
    Setting(&'static str),
    /// A directory: `paths.state_file` becomes `<dir>/hostmonitor.json`.
    StateDir,
    /// A directory: `paths.alert_socket` and `paths.control_socket` go into it.
    RunDir,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The parameter as metadata and validation see it.
    pub param: Param,
    /// Where its value goes.
    pub target: Target,
}

impl AsRef<Param> for Entry {
    fn as_ref(&self) -> &Param {
        &self.param
    }
}

const fn agent(param: Param) -> Entry {
    Entry {
        param,
        target: Target::Agent,
    }
}

const fn setting(key: &'static str, param: Param) -> Entry {
    Entry {
        param,
        target: Target::Setting(key),
    }
}

/// The daemon's configuration file when the `config` attribute is unset.
pub const DEFAULT_CONFIG: &str = "/etc/masakari-pcmk/hostmonitor.toml";
/// The daemon when the `binary` attribute is unset.
pub const DEFAULT_BINARY: &str = "/usr/bin/masakari-hostmonitor";
/// Where the daemon's stdout and stderr go when `log_file` is unset.
pub const DEFAULT_LOG_FILE: &str = "/var/log/masakari-pcmk/hostmonitor.log";

/// What a deep monitor (`OCF_CHECK_LEVEL` 20) reports when the Masakari API was unreachable.
pub const API_CHECK_CHOICES: &[&str] = &["degraded", "fail", "ignore"];
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
    agent(
        Param::text(
            "binary",
            "Daemon binary",
            "The masakari-hostmonitor program.",
        )
        .default(DEFAULT_BINARY),
    ),
    setting(
        "masakari.endpoint",
        Param::text(
            "masakari_endpoint",
            "Masakari API endpoint",
            "The Masakari API endpoint including /v1, for example http://masakari:15868/v1 \
             (masakari.endpoint; the configuration file's value when unset).",
        ),
    ),
    setting(
        "masakari.request_timeout",
        Param::text(
            "request_timeout",
            "HTTP request timeout (s)",
            "Timeout of one request to the Masakari API, in seconds (masakari.request_timeout).",
        )
        .kind(Kind::Integer),
    ),
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
    setting(
        "metrics.listen",
        Param::text(
            "metrics_listen",
            "Metrics address",
            "address:port of the daemon's Prometheus endpoint (metrics.listen). Two instances \
             on one node need different ones. The configuration file's value when unset.",
        )
        .unique_group("metrics"),
    ),
    Entry {
        param: Param::text(
            "state_dir",
            "State directory",
            "Directory of the daemon's durable record (hostmonitor.json). Two resources of this \
             agent must not share it. The configuration file's paths.state_file when unset.",
        )
        .unique_group("state"),
        target: Target::StateDir,
    },
    Entry {
        param: Param::text(
            "run_dir",
            "Socket directory",
            "Directory of the daemon's sockets (alerts.sock for the alert agent, control.sock for \
             status). Two resources of this agent must not share it. The configuration file's \
             paths.alert_socket and paths.control_socket when unset.",
        )
        .unique_group("run"),
        target: Target::RunDir,
    },
    agent(
        Param::text(
            "log_file",
            "Daemon log file",
            "File the daemon's standard output and error are appended to.",
        )
        .default(DEFAULT_LOG_FILE),
    ),
    agent(
        Param::text(
            "api_check",
            "Deep monitor on API trouble",
            "What a monitor with OCF_CHECK_LEVEL=20 reports when the daemon's last contact with \
             the Masakari API failed: degraded (OCF_DEGRADED, a warning; moving the monitor \
             would not help), fail (OCF_ERR_GENERIC, recover the resource) or ignore.",
        )
        .kind(Kind::Choice(API_CHECK_CHOICES))
        .default("degraded")
        .reloadable(),
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_attribute_safe() {
        let mut seen = HashSet::new();
        for e in PARAMS {
            let name = e.param.name;
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
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

    #[test]
    fn defaults_pass_their_own_checks() {
        for e in PARAMS {
            if let Some(d) = e.param.default {
                e.param.parse(d).unwrap();
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
