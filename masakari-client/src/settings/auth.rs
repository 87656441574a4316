//! How the monitor authenticates to the Masakari API: noauth2 (test clouds), a static token, or
//! Keystone v3 with a password or an application credential (production).

use std::path::PathBuf;

use secret::Secret;
use serde::{Deserialize, Deserializer};

use super::InvalidSetting;

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
    /// `method = "keystone"`: a Keystone v3 login (password or application credential); the token
    /// is renewed before it expires and when the API refuses it.
    #[serde(rename = "keystone")]
    Keystone(Box<Keystone>),
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

/// Keystone v3 authentication, as masakari-monitors' `[api]` section configures it: a user's
/// password (`password`, scoped to a project) or an application credential
/// (`application_credential_secret`, scoped when it was created). Exactly one of the two secrets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keystone {
    /// Keystone's endpoint, e.g. `https://keystone:5000/v3` (`/v3` is added when missing).
    pub auth_url: String,
    /// The user's name (with `user_domain_*`); for a password, or an application credential by name.
    #[serde(default)]
    pub username: String,
    /// The user's id, instead of `username`.
    #[serde(default)]
    pub user_id: String,
    /// The user's password (keep the file mode 0640 root:haclient).
    #[serde(default, deserialize_with = "optional_secret")]
    pub password: Option<Secret>,
    /// The user's domain by name (used when `user_domain_id` is empty).
    #[serde(default = "default_domain")]
    pub user_domain_name: String,
    /// The user's domain by id.
    #[serde(default)]
    pub user_domain_id: String,
    /// The project to scope a password login to.
    #[serde(default)]
    pub project_name: String,
    /// The project by id, instead of `project_name`.
    #[serde(default)]
    pub project_id: String,
    /// The project's domain by name (used when `project_domain_id` is empty).
    #[serde(default = "default_domain")]
    pub project_domain_name: String,
    /// The project's domain by id.
    #[serde(default)]
    pub project_domain_id: String,
    /// An application credential's id.
    #[serde(default)]
    pub application_credential_id: String,
    /// An application credential's name (with `username` or `user_id`), instead of its id.
    #[serde(default)]
    pub application_credential_name: String,
    /// The application credential's secret.
    #[serde(default, deserialize_with = "optional_secret")]
    pub application_credential_secret: Option<Secret>,
    /// The region of the `instance-ha` endpoint in the catalog (any when empty).
    #[serde(default)]
    pub region_name: String,
    /// Which catalog interface to use: public, internal or admin.
    #[serde(default = "default_interface")]
    pub interface: String,
}

/// Which secret a [`Keystone`] configuration logs in with.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A user's password.
    Password(&'a Secret),
    /// An application credential's secret.
    ApplicationCredential(&'a Secret),
}

impl Keystone {
    /// The secret to log in with (validation ensures there is exactly one).
    pub fn credential(&self) -> Option<Credential<'_>> {
        match (&self.password, &self.application_credential_secret) {
            (Some(p), None) => Some(Credential::Password(p)),
            (None, Some(s)) => Some(Credential::ApplicationCredential(s)),
            _ => None,
        }
    }

    /// Who logs in, for messages (never a secret).
    pub fn who(&self) -> &str {
        [
            &self.application_credential_id,
            &self.application_credential_name,
            &self.username,
            &self.user_id,
        ]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or("?", String::as_str)
    }

    fn validate(&self) -> Result<(), InvalidSetting> {
        let key = |k: &str| format!("masakari.auth.{k}");
        if !(self.auth_url.starts_with("http://") || self.auth_url.starts_with("https://")) {
            return Err(InvalidSetting::new(
                &key("auth_url"),
                "must be an http:// or https:// URL",
            ));
        }
        if !["public", "internal", "admin"].contains(&self.interface.as_str()) {
            return Err(InvalidSetting::new(
                &key("interface"),
                "must be public, internal or admin",
            ));
        }
        let user = !(self.username.is_empty() && self.user_id.is_empty());
        let project = !(self.project_name.is_empty() && self.project_id.is_empty());
        match self.credential() {
            None => Err(InvalidSetting::new(
                "masakari.auth",
                "keystone needs exactly one of password and application_credential_secret",
            )),
            Some(Credential::Password(_)) if !user => Err(InvalidSetting::new(
                &key("username"),
                "(or user_id) is needed with a password",
            )),
            Some(Credential::Password(_)) if !project => Err(InvalidSetting::new(
                &key("project_name"),
                "(or project_id) is needed with a password",
            )),
            Some(Credential::ApplicationCredential(_))
                if self.application_credential_id.is_empty()
                    && (self.application_credential_name.is_empty() || !user) =>
            {
                Err(InvalidSetting::new(
                    &key("application_credential_id"),
                    "(or application_credential_name with username or user_id) is needed",
                ))
            }
            Some(Credential::ApplicationCredential(_)) if project => Err(InvalidSetting::new(
                &key("project_name"),
                "must not be set with an application credential (it is scoped already)",
            )),
            Some(_) => Ok(()),
        }
    }
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
    pub(super) fn validate(&self) -> Result<(), InvalidSetting> {
        match self {
            Auth::Noauth2(n) if n.user.is_empty() || n.project.is_empty() => Err(
                InvalidSetting::new("masakari.auth", "noauth2 needs a user and a project"),
            ),
            Auth::Keystone(k) => k.validate(),
            _ => Ok(()),
        }
    }
}

/// A secret; an empty one counts as none (generated files often carry `key =` lines).
fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    String::deserialize(d).map(|s| (!s.is_empty()).then(|| Secret::from_string(s)))
}

fn default_domain() -> String {
    "Default".to_owned()
}

fn default_interface() -> String {
    "internal".to_owned()
}
