//! How to reach the Masakari API: the `[masakari]` section of a monitor's configuration, which the
//! monitor's own settings embed (the host monitor's `hostmonitor.toml`, the instance monitor's).
//!
//! Keys are named as in that section (`masakari.endpoint`, `masakari.auth.*`); errors name them so.
//!
//! Beside it, what every monitor's configuration reading shares: [`Format`] (its TOML or an
//! existing `masakarimonitors.conf`), [`ini`] (oslo.config's INI dialect), [`masakari_monitors`]
//! (that file's `[api]` as the `[masakari]` section) and [`Override`] (`--set section.key=value`).

mod auth;
mod error;
mod format;
pub mod ini;
pub mod masakari_monitors;
mod overrides;

use std::path::PathBuf;

use serde::Deserialize;

pub use auth::{Auth, Credential, Keystone, Noauth2, TokenFile};
pub use error::ConfError;
pub use format::{Format, Headers};
pub use overrides::{Override, layered};

/// How to reach the Masakari API.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Masakari {
    /// The API endpoint, including `/v1` (used as is with noauth2 and token; with keystone, the
    /// catalog's `instance-ha` endpoint is used when this is empty).
    pub endpoint: String,
    /// How to authenticate.
    pub auth: Auth,
    /// Timeout of one HTTP request, in seconds.
    pub request_timeout: u64,
    /// PEM file of the CA certificates trusted for the API and Keystone (empty: the Mozilla roots
    /// built in and the system's bundle, `crate::http::SYSTEM_BUNDLES`). When set, only these are trusted.
    pub ca_file: PathBuf,
    /// Skip TLS certificate verification (never in production: anyone on the path could read the
    /// credentials).
    pub insecure: bool,
}

/// A value of the `[masakari]` section that is out of range or contradicts another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key} {problem}")]
pub struct InvalidSetting {
    /// The key, as `masakari.key` or `masakari.auth.key`.
    pub key: String,
    /// What is wrong with it.
    pub problem: String,
}

impl InvalidSetting {
    /// The problem with `key`.
    pub fn new(key: &str, problem: &str) -> Self {
        Self {
            key: key.to_owned(),
            problem: problem.to_owned(),
        }
    }
}

impl Default for Masakari {
    fn default() -> Self {
        Self {
            endpoint: "http://127.0.0.1:15868/v1".to_owned(),
            auth: Auth::default(),
            request_timeout: 10,
            ca_file: PathBuf::new(),
            insecure: false,
        }
    }
}

impl Masakari {
    /// Checks the section: an http(s) endpoint (or the Keystone catalog's), a request timeout,
    /// and a complete authentication.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        let endpoint = &self.endpoint;
        let keystone_catalog = endpoint.is_empty() && matches!(self.auth, Auth::Keystone(_));
        if !(endpoint.starts_with("http://")
            || endpoint.starts_with("https://")
            || keystone_catalog)
        {
            return Err(InvalidSetting::new(
                "masakari.endpoint",
                "must be an http:// or https:// URL",
            ));
        }
        if self.request_timeout == 0 {
            return Err(InvalidSetting::new(
                "masakari.request_timeout",
                "must be at least 1 (seconds)",
            ));
        }
        self.auth.validate()
    }
}

#[cfg(test)]
pub(crate) mod tests;
