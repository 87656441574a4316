//! An existing `masakarimonitors.conf` as a configuration source: its `[api]` and `[host]`
//! sections become the equivalent settings, so operators can switch without rewriting theirs.
//!
//! Its `[api]` section is read by the shared reader, [`masakari_client::settings::masakari_monitors`]
//! (the table of its keys is there); this module maps the host monitor's own keys:
//!
//! | masakarimonitors.conf | here | note |
//! |---|---|---|
//! | `[host] monitoring_interval` | `monitor.reconcile_interval` | alerts do the detecting here; this is the safety net |
//! | `[host] restrict_to_remotes` | `monitor.watch_members` (negated) | remotes and guests always; masakari-monitors' default `false` means members too, which `run`, `check` and `check-config` say ([`super::Loaded::notices`]) |
//! | `[host] api_retry_max`, `api_retry_interval` | `monitor.retry_alert_after`, `monitor.retry_interval` | also read from `[api]`; past `api_retry_max` we keep retrying and alert (masakari-monitors gives up) |
//! | `[host] monitoring_driver` | — | must be `default` |
//! | other `[host]` keys (IPMI, tcpdump, samples, stonith_wait, ...) | — | ignored and listed by `check-config` |
//!
//! Other sections (`[DEFAULT]`, `[process]`, `[callback]`, ...) belong to other monitors and are
//! skipped. Values are never echoed in errors.

use std::collections::BTreeMap;

use masakari_client::settings::ini::{self, Sections};
use masakari_client::settings::masakari_monitors::{self as shared, boolean, integer};
use toml::{Table, Value};

use super::SettingsError;

/// The settings tree a `masakarimonitors.conf` stands for, and the keys it ignored.
pub fn to_table(text: &str) -> Result<(Table, Vec<String>), SettingsError> {
    let sections = ini::parse(text)?;
    let host = shared::section(&sections, "host");
    let mut ignored = Vec::new();
    let masakari = shared::masakari(&sections, &mut ignored)?;
    let monitor = monitor(&sections, host, &mut ignored)?;
    let mut table = Table::new();
    table.insert("masakari".into(), masakari.into());
    table.insert("monitor".into(), monitor.into());
    Ok((table, ignored))
}

fn monitor(
    sections: &Sections,
    host: &BTreeMap<String, ini::Value>,
    ignored: &mut Vec<String>,
) -> Result<Table, SettingsError> {
    let mut monitor = Table::new();
    // masakari-monitors: restrict_to_remotes = True reads crm_mon's nodes of type `remote`
    // (pacemaker-remote and guest nodes alike); False, its default, every node_state of the
    // CIB, full members included.
    monitor.insert("watch_remotes".into(), true.into());
    monitor.insert("watch_guests".into(), true.into());
    monitor.insert("watch_members".into(), true.into());
    for section in ["api", "host"] {
        let Some(keys) = sections.get(section) else {
            continue;
        };
        for (key, name) in [
            ("api_retry_max", "retry_alert_after"),
            ("api_retry_interval", "retry_interval"),
        ] {
            if let Some(value) = keys.get(key) {
                let n = integer(&format!("{section}.{key}"), value)?;
                monitor.insert(name.into(), n.into());
            }
        }
    }
    if let Some(Value::Integer(interval)) = monitor.get("retry_interval") {
        let longest = (*interval).max(60);
        monitor.insert("retry_max_interval".into(), longest.into());
    }
    for (key, value) in host {
        match key.as_str() {
            "monitoring_interval" => {
                let n = integer("host.monitoring_interval", value)?;
                monitor.insert("reconcile_interval".into(), n.into());
            }
            "restrict_to_remotes" => {
                let only_remotes = boolean("host.restrict_to_remotes", value)?;
                monitor.insert("watch_members".into(), (!only_remotes).into());
            }
            "monitoring_driver" if value.text == "default" => {}
            "monitoring_driver" => {
                return Err(invalid("host.monitoring_driver", "must be default"));
            }
            "api_retry_max" | "api_retry_interval" => {}
            other => ignored.push(format!("host.{other}")),
        }
    }
    Ok(monitor)
}

fn invalid(key: &str, problem: &str) -> SettingsError {
    SettingsError::invalid(key, problem)
}

#[cfg(test)]
mod tests;
