//! How the monitor authenticates to the Masakari API: noauth2 (test clouds), a static token, or
//! Keystone v3 password authentication (production).

use std::path::PathBuf;

use fence_agent::secret::Secret;
use serde::{Deserialize, Deserializer};

use super::SettingsError;

/// `[masakari.auth]`, chosen by its `method` key.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method")]
pub enum Auth {
    /// `method = "noauth2"`: the API runs with `auth_strategy = noauth2`; sends `X-Auth-Token: user:project`.
    #[serde(rename = "noauth2")]
    Noauth2(Noauth2),
    /// `method = "token"`: a token read from a file (root-readable) at each request.
    #[serde(rename = "token")]
    Token(TokenFile),
    /// `method = "keystone"`: a Keystone v3 password login; the token is renewed when it expires.
    #[serde(rename = "keystone")]
    Keystone(Keystone),
}

/// noauth2's identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Noauth2 {
    /// The user name.
    pub user: String,
    /// The project name.
    pub project: String,
}

/// A static token kept in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    /// The file holding the token (its first line).
    pub token_file: PathBuf,
}

/// Keystone v3 password authentication, as masakari-monitors' `[api]` section configures it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keystone {
    /// Keystone's endpoint, e.g. `https://keystone:5000/v3`.
    pub auth_url: String,
    /// The user.
    pub username: String,
    /// Its password (keep the file mode 0640 root:haclient).
    #[serde(deserialize_with = "secret")]
    pub password: Secret,
    /// The user's domain.
    #[serde(default = "default_domain")]
    pub user_domain_name: String,
    /// The project to scope the token to.
    pub project_name: String,
    /// The project's domain.
    #[serde(default = "default_domain")]
    pub project_domain_name: String,
    /// The region of the `instance-ha` endpoint in the catalog (any when empty).
    #[serde(default)]
    pub region_name: String,
    /// Which catalog interface to use: public, internal or admin.
    #[serde(default = "default_interface")]
    pub interface: String,
}

impl Default for Auth {
    fn default() -> Self {
        Self::Noauth2(Noauth2::default())
    }
}

impl Default for Noauth2 {
    fn default() -> Self {
        Self {
            user: "admin".to_owned(),
            project: "admin".to_owned(),
        }
    }
}

impl Auth {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        match self {
            Auth::Noauth2(n) if n.user.is_empty() || n.project.is_empty() => Err(
                SettingsError::invalid("masakari.auth", "noauth2 needs a user and a project"),
            ),
            Auth::Keystone(k) if !k.auth_url.starts_with("http") => Err(SettingsError::invalid(
                "masakari.auth.auth_url",
                "must be an http:// or https:// URL",
            )),
            Auth::Keystone(k)
                if !["public", "internal", "admin"].contains(&k.interface.as_str()) =>
            {
                Err(SettingsError::invalid(
                    "masakari.auth.interface",
                    "must be public, internal or admin",
                ))
            }
            _ => Ok(()),
        }
    }
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::from_string)
}

fn default_domain() -> String {
    "Default".to_owned()
}

fn default_interface() -> String {
    "internal".to_owned()
}
