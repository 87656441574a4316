//! An existing `masakarimonitors.conf` as a configuration source: its `[api]` and `[host]`
//! sections become the equivalent settings, so operators can switch without rewriting theirs.
//!
//! | masakarimonitors.conf | here | note |
//! |---|---|---|
//! | `[api] auth_type` | `masakari.auth.method` | `password`/`v3password`: Keystone password; `v3applicationcredential`: application credential; others refused |
//! | `[api] auth_url` | `masakari.auth.auth_url` | `/v3` is added when the URL has no version, as keystoneauth discovers it |
//! | `[api] username`, `user_id`, `password` | same names | |
//! | `[api] user_domain_name`, `user_domain_id`, `project_domain_name`, `project_domain_id` | same names | |
//! | `[api] project_name`, `project_id` | same names | dropped with an application credential (already scoped) |
//! | `[api] application_credential_id`, `_name`, `_secret` | same names | |
//! | `[api] region` | `masakari.auth.region_name` | masakari-monitors' default `RegionOne` applies when absent |
//! | `[api] api_interface` | `masakari.auth.interface` | masakari-monitors' default `public` applies when absent |
//! | `[api] api_version` | — | must be `v1` |
//! | `[api] cafile`, `insecure` | `masakari.ca_file`, `masakari.insecure` | used for Keystone and Masakari alike |
//! | `[api] timeout` | `masakari.request_timeout` | |
//! | `[api] certfile`, `keyfile`, `auth_section`, `system_scope`, `trust_id`, `domain_id`, `domain_name` | — | refused: not supported |
//! | `[host] monitoring_interval` | `monitor.reconcile_interval` | alerts do the detecting here; this is the safety net |
//! | `[host] restrict_to_remotes` | `monitor.watch_members` (negated) | remotes and guests always; masakari-monitors' default `false` means members too, which `run`, `check` and `check-config` say ([`super::Loaded::notices`]) |
//! | `[host] api_retry_max`, `api_retry_interval` | `monitor.retry_alert_after`, `monitor.retry_interval` | also read from `[api]`; past `api_retry_max` we keep retrying and alert (masakari-monitors gives up) |
//! | `[host] monitoring_driver` | — | must be `default` |
//! | other `[host]`/`[api]` keys (IPMI, tcpdump, samples, stonith_wait, ...) | — | ignored and listed by `check-config` |
//!
//! Other sections (`[DEFAULT]`, `[process]`, `[callback]`, ...) belong to other monitors and are
//! skipped; an empty credential or id (`user_id =`) counts as absent, as keystoneauth takes it. The endpoint always comes from the Keystone catalog (`instance-ha`), as in
//! masakari-monitors; `--set masakari.endpoint=...` overrides it. Values are never echoed in errors.

use std::collections::BTreeMap;

use toml::{Table, Value};

use super::SettingsError;
use super::ini::{self, Sections};

/// Keys passed through to `[masakari.auth]` under the same name.
const AUTH_KEYS: &[&str] = &[
    "auth_url",
    "username",
    "user_id",
    "password",
    "user_domain_name",
    "user_domain_id",
    "project_name",
    "project_id",
    "project_domain_name",
    "project_domain_id",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
];

/// `[api]` keys we cannot honour; a file using them is refused rather than half-followed.
const REFUSED: &[&str] = &[
    "certfile",
    "keyfile",
    "auth_section",
    "system_scope",
    "trust_id",
    "domain_id",
    "domain_name",
];

/// The settings tree a `masakarimonitors.conf` stands for, and the keys it ignored.
pub fn to_table(text: &str) -> Result<(Table, Vec<String>), SettingsError> {
    let sections = ini::parse(text)?;
    let empty = BTreeMap::new();
    let api = sections.get("api").unwrap_or(&empty);
    let host = sections.get("host").unwrap_or(&empty);
    let mut ignored = Vec::new();
    if !api.contains_key("auth_url") {
        return Err(invalid("api.auth_url", "is required"));
    }
    let mut masakari = Table::new();
    masakari.insert("endpoint".into(), "".into());
    let auth = auth(api, &mut masakari, &mut ignored)?;
    masakari.insert("auth".into(), auth.into());
    let monitor = monitor(&sections, host, &mut ignored)?;
    let mut table = Table::new();
    table.insert("masakari".into(), masakari.into());
    table.insert("monitor".into(), monitor.into());
    Ok((table, ignored))
}

fn auth(
    api: &BTreeMap<String, ini::Value>,
    masakari: &mut Table,
    ignored: &mut Vec<String>,
) -> Result<Table, SettingsError> {
    let mut auth = Table::new();
    auth.insert("method".into(), "keystone".into());
    auth.insert("region_name".into(), "RegionOne".into());
    auth.insert("interface".into(), "public".into());
    let app_credential = match api.get("auth_type").map(|v| v.text.as_str()) {
        None | Some("password" | "v3password") => false,
        Some("v3applicationcredential") => true,
        Some(other) => {
            return Err(invalid(
                "api.auth_type",
                &format!(
                    "{other} is not supported (password, v3password, v3applicationcredential)"
                ),
            ));
        }
    };
    for (key, value) in api {
        let text = value.text.clone();
        match key.as_str() {
            "auth_type" => {}
            "project_name" | "project_id" | "project_domain_name" | "project_domain_id"
                if app_credential =>
            {
                ignored.push(format!("api.{key}"));
            }
            k if AUTH_KEYS.contains(&k) => {
                if !text.is_empty() {
                    auth.insert(key.clone(), text.into());
                }
            }
            "region" => {
                auth.insert("region_name".into(), text.into());
            }
            "api_interface" => {
                auth.insert("interface".into(), text.into());
            }
            "api_version" if text == "v1" => {}
            "api_version" => return Err(invalid("api.api_version", "must be v1")),
            "cafile" => {
                masakari.insert("ca_file".into(), text.into());
            }
            "insecure" => {
                masakari.insert("insecure".into(), boolean("api.insecure", value)?.into());
            }
            "timeout" => {
                masakari.insert(
                    "request_timeout".into(),
                    integer("api.timeout", value)?.into(),
                );
            }
            "api_retry_max" | "api_retry_interval" => {}
            k if REFUSED.contains(&k) => {
                return Err(invalid(
                    &format!("api.{k}"),
                    "is not supported by this monitor",
                ));
            }
            other => ignored.push(format!("api.{other}")),
        }
    }
    Ok(auth)
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

/// oslo.config's booleans.
fn boolean(key: &str, value: &ini::Value) -> Result<bool, SettingsError> {
    match value.text.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err(at_line(key, value, "must be true or false")),
    }
}

fn integer(key: &str, value: &ini::Value) -> Result<i64, SettingsError> {
    value
        .text
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| at_line(key, value, "must be a whole number of at least 0"))
}

fn at_line(key: &str, value: &ini::Value, problem: &str) -> SettingsError {
    SettingsError::Syntax {
        message: format!("{key} {problem}"),
        line: value.line,
    }
}

fn invalid(key: &str, problem: &str) -> SettingsError {
    SettingsError::invalid(key, problem)
}

#[cfg(test)]
mod tests;
