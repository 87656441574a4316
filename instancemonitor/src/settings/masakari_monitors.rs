//! An existing `masakarimonitors.conf` as the instance monitor's configuration. `[api]` is read
//! by the shared reader ([`masakari_client::settings::masakari_monitors`], where its table is),
//! as the host monitor reads it; the instance monitor's own keys map so:
//!
//! | masakarimonitors.conf | here | note |
//! |---|---|---|
//! | `[libvirt] connection_uri` | `libvirt.uri` | the local daemon's socket only (see `uri`) |
//! | `[DEFAULT] hostname` (or its old name `host`) | `monitor.hostname` | the kernel's host name when absent, as masakari-monitors |
//! | `[callback] retry_max` | `monitor.retry_alert_after` | masakari-monitors gives up there; we keep retrying and alert (overdue) |
//! | `[callback] retry_interval` | `monitor.retry_interval` | the first delay; doubling to `retry_max_interval` = the larger of it and 60 s |
//! | other `[libvirt]`, `[callback]` keys | — | ignored and listed by `check-config` |
//!
//! Other sections (`[host]`, `[process]`, `[introspectiveinstancemonitor]`, ...) belong to other
//! monitors and are skipped, as are `[DEFAULT]`'s logging keys. masakari-monitors' retries
//! (`retry_max` times `retry_interval` s, then the notification is lost) become the outbox's
//! policy: the same first delay, then capped doubling, never given up while the daemon runs or
//! after a restart (the outbox is a file).

use std::collections::BTreeMap;

use masakari_client::settings::ConfError;
use masakari_client::settings::ini::{self, Sections};
use masakari_client::settings::masakari_monitors::{self as shared, integer};
use toml::{Table, Value};

/// The settings tree a `masakarimonitors.conf` stands for, and the keys it ignored.
pub fn to_table(text: &str) -> Result<(Table, Vec<String>), ConfError> {
    let sections = ini::parse(text)?;
    let mut ignored = Vec::new();
    let masakari = shared::masakari(&sections, &mut ignored)?;
    let mut table = Table::new();
    table.insert("masakari".into(), masakari.into());
    table.insert("libvirt".into(), libvirt(&sections, &mut ignored).into());
    table.insert("monitor".into(), monitor(&sections, &mut ignored)?.into());
    Ok((table, ignored))
}

fn libvirt(sections: &Sections, ignored: &mut Vec<String>) -> Table {
    let mut libvirt = Table::new();
    for (key, value) in shared::section(sections, "libvirt") {
        match key.as_str() {
            "connection_uri" => {
                libvirt.insert("uri".into(), value.text.clone().into());
            }
            other => ignored.push(format!("libvirt.{other}")),
        }
    }
    libvirt
}

fn monitor(sections: &Sections, ignored: &mut Vec<String>) -> Result<Table, ConfError> {
    let mut monitor = Table::new();
    if let Some(name) = hostname(shared::section(sections, "DEFAULT")) {
        monitor.insert("hostname".into(), name.into());
    }
    for (key, value) in shared::section(sections, "callback") {
        let name = match key.as_str() {
            "retry_max" => "retry_alert_after",
            "retry_interval" => "retry_interval",
            other => {
                ignored.push(format!("callback.{other}"));
                continue;
            }
        };
        let n = integer(&format!("callback.{key}"), value)?;
        monitor.insert(name.into(), n.into());
    }
    if let Some(Value::Integer(interval)) = monitor.get("retry_interval") {
        let longest = (*interval).max(60);
        monitor.insert("retry_max_interval".into(), longest.into());
    }
    Ok(monitor)
}

/// `[DEFAULT] hostname`, or its deprecated name `host`; empty counts as absent.
fn hostname(default: &BTreeMap<String, ini::Value>) -> Option<String> {
    ["hostname", "host"]
        .into_iter()
        .filter_map(|key| default.get(key))
        .map(|v| v.text.trim().to_owned())
        .find(|name| !name.is_empty())
}
