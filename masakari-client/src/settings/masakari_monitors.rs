//! An existing `masakarimonitors.conf`'s `[api]` section as the `[masakari]` settings, for every
//! monitor that reads such a file (the host monitor, the instance monitor), so operators switch
//! without rewriting theirs. Each monitor maps its own sections (`[host]`, `[libvirt]`, ...) with
//! [`integer`] and [`boolean`], read as oslo.config reads them.
//!
//! | masakarimonitors.conf | here | note |
//! |---|---|---|
//! | `[api] auth_type` | `masakari.auth.method` | `password`/`v3password`: Keystone password; `v3applicationcredential`: application credential; others refused |
//! | `[api] auth_url` | `masakari.auth.auth_url` | required; `/v3` is added when the URL has no version, as keystoneauth discovers it |
//! | `[api] username`, `user_id`, `password` | same names | |
//! | `[api] user_domain_name`, `user_domain_id`, `project_domain_name`, `project_domain_id` | same names | |
//! | `[api] project_name`, `project_id` | same names | dropped with an application credential (already scoped) |
//! | `[api] application_credential_id`, `_name`, `_secret` | same names | |
//! | `[api] region` | `masakari.auth.region_name` | masakari-monitors' default `RegionOne` applies when absent |
//! | `[api] api_interface` | `masakari.auth.interface` | masakari-monitors' default `public` applies when absent |
//! | `[api] api_version` | — | must be `v1` |
//! | `[api] cafile`, `insecure` | `masakari.ca_file`, `masakari.insecure` | used for Keystone and Masakari alike |
//! | `[api] timeout` | `masakari.request_timeout` | |
//! | `[api] api_retry_max`, `api_retry_interval` | — | left to the monitor, which maps its retry settings |
//! | `[api] domain_name`, `domain_id` | — | beside a project (or an application credential): ignored, the login is scoped to the project (the monitors' notices say so); keystoneauth, and with it masakari-monitors, refuses the pair ("cannot be scoped to multiple targets"), though the seed's file has it. Alone: refused, Masakari needs a project |
//! | `[api] certfile`, `keyfile`, `auth_section`, `system_scope`, `trust_id` | — | refused: not supported |
//! | other `[api]` keys | — | ignored and listed by `check-config` |
//!
//! An empty credential or id (`user_id =`) counts as absent, as keystoneauth takes it. The
//! endpoint always comes from the Keystone catalog (`instance-ha`), as in masakari-monitors;
//! `--set masakari.endpoint=...` overrides it. Values are never echoed in errors.

use std::collections::BTreeMap;

use toml::Table;

use super::ConfError;
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
];

/// One section's keys (empty when the file has no such section).
pub fn section<'a>(sections: &'a Sections, name: &str) -> &'a BTreeMap<String, ini::Value> {
    static EMPTY: BTreeMap<String, ini::Value> = BTreeMap::new();
    sections.get(name).unwrap_or(&EMPTY)
}

/// The `[masakari]` table the file's `[api]` section stands for; keys of it that do not apply
/// are added to `ignored` (as `api.key`).
pub fn masakari(sections: &Sections, ignored: &mut Vec<String>) -> Result<Table, ConfError> {
    let api = section(sections, "api");
    if !api.contains_key("auth_url") {
        return Err(ConfError::invalid("api.auth_url", "is required"));
    }
    let mut masakari = Table::new();
    masakari.insert("endpoint".into(), "".into());
    let auth = auth(api, &mut masakari, ignored)?;
    masakari.insert("auth".into(), auth.into());
    Ok(masakari)
}

fn auth(
    api: &BTreeMap<String, ini::Value>,
    masakari: &mut Table,
    ignored: &mut Vec<String>,
) -> Result<Table, ConfError> {
    let mut auth = Table::new();
    auth.insert("method".into(), "keystone".into());
    auth.insert("region_name".into(), "RegionOne".into());
    auth.insert("interface".into(), "public".into());
    let app_credential = application_credential(api)?;
    for (key, value) in api {
        let text = value.text.clone();
        match key.as_str() {
            "auth_type" | "api_retry_max" | "api_retry_interval" => {}
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
            "api_version" => return Err(ConfError::invalid("api.api_version", "must be v1")),
            "cafile" => {
                masakari.insert("ca_file".into(), text.into());
            }
            "insecure" => {
                masakari.insert("insecure".into(), boolean("api.insecure", value)?.into());
            }
            "timeout" => {
                let timeout = integer("api.timeout", value)?;
                masakari.insert("request_timeout".into(), timeout.into());
            }
            "domain_id" | "domain_name" if app_credential || scoped_to_project(api) => {
                ignored.push(format!("api.{key}"));
            }
            "domain_id" | "domain_name" => {
                return Err(ConfError::invalid(
                    &format!("api.{key}"),
                    "scopes the login to a domain, and Masakari takes notifications only under a \
                     project: set project_name (or project_id)",
                ));
            }
            k if REFUSED.contains(&k) => {
                let key = format!("api.{k}");
                return Err(ConfError::invalid(&key, "is not supported by this monitor"));
            }
            other => ignored.push(format!("api.{other}")),
        }
    }
    Ok(auth)
}

/// What the operator should hear about the `[api]` keys [`masakari`] put in `ignored`: a
/// `domain_name` or `domain_id` beside a project does not scope the login.
pub fn notices(ignored: &[String]) -> Vec<String> {
    ["api.domain_name", "api.domain_id"]
        .into_iter()
        .filter(|key| ignored.iter().any(|k| k == key))
        .map(|key| {
            format!(
                "{key} is ignored: the login is scoped to the project alone (keystoneauth, and \
                 with it masakari-monitors, refuses a domain and a project scope together)"
            )
        })
        .collect()
}

/// Whether `[api]` names a project to scope the login to.
fn scoped_to_project(api: &BTreeMap<String, ini::Value>) -> bool {
    ["project_name", "project_id"]
        .iter()
        .any(|k| api.get(*k).is_some_and(|v| !v.text.is_empty()))
}

/// Whether `auth_type` names an application credential (else a password).
fn application_credential(api: &BTreeMap<String, ini::Value>) -> Result<bool, ConfError> {
    match api.get("auth_type").map(|v| v.text.as_str()) {
        None | Some("password" | "v3password") => Ok(false),
        Some("v3applicationcredential") => Ok(true),
        Some(other) => Err(ConfError::invalid(
            "api.auth_type",
            &format!("{other} is not supported (password, v3password, v3applicationcredential)"),
        )),
    }
}

/// oslo.config's booleans; `key` names the value in the error, by line.
pub fn boolean(key: &str, value: &ini::Value) -> Result<bool, ConfError> {
    match value.text.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err(at_line(key, value, "must be true or false")),
    }
}

/// A whole number of at least 0; `key` names the value in the error, by line.
pub fn integer(key: &str, value: &ini::Value) -> Result<i64, ConfError> {
    value
        .text
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| at_line(key, value, "must be a whole number of at least 0"))
}

fn at_line(key: &str, value: &ini::Value, problem: &str) -> ConfError {
    ConfError::Syntax {
        message: format!("{key} {problem}"),
        line: value.line,
    }
}
