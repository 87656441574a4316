//! Where the `X-Auth-Token` comes from: noauth2's `user:project`, a token file, or a Keystone v3
//! login (password or application credential) whose token is cached until shortly before it
//! expires, or until the API refuses it ([`TokenSource::invalidate`] on a 401).
//!
//! One login at a time: requests that find no fresh token wait for the login under way and take
//! its token, so a storm of notifications costs Keystone one token, not one per notification
//! (masakari-monitors built a client, and so a login, per notification until it was fixed).
//!
//! With Keystone and no configured endpoint, the endpoint is the token catalog's `instance-ha`
//! service for the configured interface and region, with `/v1` added when its path names no version.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use secret::Secret;
use serde_json::json;

use crate::settings::{Auth, Credential, Keystone, Masakari};
use crate::time::Timestamp;

/// Why no token could be had. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token file cannot be read.
    #[error("token file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The token holds bytes a header cannot carry.
    #[error("the token is not a valid header value")]
    NotAHeader,
    /// Keystone did not answer.
    #[error("Keystone unreachable at {url}: {reason}")]
    Unreachable {
        /// The tokens URL.
        url: String,
        /// What went wrong, with its causes.
        reason: String,
    },
    /// TLS with Keystone failed: its certificate is not trusted by what the settings trust.
    #[error(
        "TLS failure with Keystone {url}: its certificate is not trusted by {trusted}: {reason}"
    )]
    Tls {
        /// The tokens URL.
        url: String,
        /// What is trusted (`masakari.ca_file`, or the built-in roots).
        trusted: String,
        /// The TLS stack's words.
        reason: String,
    },
    /// Keystone refused the password login even without a scope.
    #[error(
        "Keystone {url} refused the login of {who}: wrong password, or unknown user or user domain"
    )]
    WrongPassword {
        /// The tokens URL.
        url: String,
        /// Who logged in.
        who: String,
    },
    /// Keystone took the password but refused the project scope.
    #[error(
        "Keystone {url} accepted the password of {who} but refused its scope: unknown project \
         {project} (or project domain), or no role on it"
    )]
    UnknownProject {
        /// The tokens URL.
        url: String,
        /// Who logged in.
        who: String,
        /// The configured project (name or id).
        project: String,
    },
    /// Keystone refused the login.
    #[error("Keystone {url} refused the login of {who}: {status}{}", said(message))]
    Refused {
        /// The tokens URL.
        url: String,
        /// Who logged in (a name or id, never a secret).
        who: String,
        /// Keystone's HTTP status.
        status: reqwest::StatusCode,
        /// Keystone's `error.message`, if any.
        message: String,
    },
    /// Keystone's answer lacks the token header.
    #[error("Keystone {url} sent no X-Subject-Token")]
    NoToken {
        /// The tokens URL.
        url: String,
    },
    /// Keystone's answer is not the token document.
    #[error("Keystone {url}: {reason}")]
    BadAnswer {
        /// The tokens URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The catalog has no Masakari endpoint for the interface and region.
    #[error(
        "no instance-ha endpoint (interface {interface}, region {region}) in the Keystone catalog"
    )]
    NoEndpoint {
        /// The configured interface.
        interface: String,
        /// The configured region, or `any`.
        region: String,
    },
}

fn said(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" {message}")
    }
}

/// The wall clock, as tokens are timed.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// Renew a Keystone token this long before it expires, or at half its lifetime when that is
/// shorter (a Keystone with 2-minute tokens would otherwise cost a login per request).
const RENEW_BEFORE: Duration = Duration::from_secs(120);

/// When a token that expires at `expires`, issued at `now`, is renewed.
fn renew_at(now: Timestamp, expires: Timestamp) -> Timestamp {
    let lifetime = expires.saturating_duration_since(now);
    expires.saturating_sub(RENEW_BEFORE.min(lifetime / 2))
}

/// The source of tokens (and, with Keystone, of the endpoint).
pub struct TokenSource {
    endpoint: String,
    trusted: String,
    kind: Kind,
}

enum Kind {
    Fixed(String),
    File(PathBuf),
    Keystone {
        config: Box<Keystone>,
        cached: Mutex<Option<Cached>>,
        /// Held for the length of a login, so that only one runs.
        login: tokio::sync::Mutex<()>,
    },
}

#[derive(Clone)]
struct Cached {
    token: Secret,
    renew_at: Timestamp,
    endpoint: String,
}

impl TokenSource {
    /// The source the settings describe.
    pub fn new(settings: &Masakari) -> Self {
        let kind = match &settings.auth {
            Auth::Noauth2(n) => Kind::Fixed(format!("{}:{}", n.user, n.project)),
            Auth::Token(t) => Kind::File(t.token_file.clone()),
            Auth::Keystone(k) => Kind::Keystone {
                config: k.clone(),
                cached: Mutex::new(None),
                login: tokio::sync::Mutex::new(()),
            },
        };
        let trusted = if settings.ca_file.as_os_str().is_empty() {
            "the built-in Mozilla roots and the system's CA bundle".to_owned()
        } else {
            format!("the CA file {}", settings.ca_file.display())
        };
        Self {
            endpoint: settings.endpoint.clone(),
            trusted,
            kind,
        }
    }

    /// A token (as a sensitive header value) and the endpoint to use it on.
    pub async fn get(&self, client: &reqwest::Client) -> Result<(HeaderValue, String), TokenError> {
        let (token, endpoint) = match &self.kind {
            Kind::Fixed(t) => (Secret::new(t.as_bytes().to_vec()), self.endpoint.clone()),
            Kind::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| TokenError::File {
                    path: path.clone(),
                    source,
                })?;
                let first = text.lines().next().unwrap_or("").trim().to_owned();
                (Secret::from_string(first), self.endpoint.clone())
            }
            Kind::Keystone {
                config,
                cached,
                login,
            } => {
                let c = self.keystone(client, config, cached, login).await?;
                (c.token, c.endpoint)
            }
        };
        let mut value =
            HeaderValue::from_bytes(token.expose()).map_err(|_| TokenError::NotAHeader)?;
        value.set_sensitive(true);
        Ok((value, endpoint))
    }

    /// Whether tokens come from a Keystone login (noauth2 and a token file have nothing to log in to).
    pub fn logs_in(&self) -> bool {
        matches!(self.kind, Kind::Keystone { .. })
    }

    /// When the cached Keystone token is due for renewal; `None` when none is cached.
    pub fn renew_at(&self) -> Option<Timestamp> {
        let Kind::Keystone { cached, .. } = &self.kind else {
            return None;
        };
        cached.lock().ok()?.as_ref().map(|c| c.renew_at)
    }

    /// Forgets the cached token if it is `refused` (one the API answered 401 to); a token logged
    /// in since, by another request that was refused too, stays.
    pub fn invalidate(&self, refused: &HeaderValue) {
        if let Kind::Keystone { cached, .. } = &self.kind
            && let Ok(mut slot) = cached.lock()
            && slot
                .as_ref()
                .is_some_and(|c| c.token.expose() == refused.as_bytes())
        {
            *slot = None;
        }
    }

    /// The cached Keystone token while it is fresh; otherwise a new one, from a login of our own
    /// or, when another request was logging in already, from that one.
    async fn keystone(
        &self,
        client: &reqwest::Client,
        config: &Keystone,
        cached: &Mutex<Option<Cached>>,
        login_gate: &tokio::sync::Mutex<()>,
    ) -> Result<Cached, TokenError> {
        if let Some(c) = fresh(cached) {
            return Ok(c);
        }
        let _turn = login_gate.lock().await;
        if let Some(c) = fresh(cached) {
            return Ok(c);
        }
        let c = login(client, config, &self.endpoint, &self.trusted).await?;
        if let Ok(mut slot) = cached.lock() {
            *slot = Some(c.clone());
        }
        Ok(c)
    }
}

/// The cached token, unless it is due for renewal.
fn fresh(cached: &Mutex<Option<Cached>>) -> Option<Cached> {
    let current = cached.lock().ok().and_then(|c| c.clone());
    current.filter(|c| now() < c.renew_at)
}

async fn login(
    client: &reqwest::Client,
    k: &Keystone,
    configured: &str,
    trusted: &str,
) -> Result<Cached, TokenError> {
    let url = tokens_url(&k.auth_url);
    let body = auth_request(k);
    let response = client.post(&url).json(&body).send().await;
    drop(body);
    let response = response.map_err(|e| refusal::unanswered(&url, trusted, &e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(refusal::explain(client, &url, k, response).await);
    }
    let token = response
        .headers()
        .get("X-Subject-Token")
        .map(|v| Secret::new(v.as_bytes().to_vec()))
        .ok_or_else(|| TokenError::NoToken { url: url.clone() })?;
    let bad = |reason: String| TokenError::BadAnswer {
        url: url.clone(),
        reason,
    };
    let doc: serde_json::Value = response.json().await.map_err(|e| bad(e.to_string()))?;
    let expires = expiry(&doc, &url);
    let endpoint = if configured.is_empty() {
        catalog_endpoint(&doc, k).ok_or_else(|| TokenError::NoEndpoint {
            interface: k.interface.clone(),
            region: if k.region_name.is_empty() {
                "any".to_owned()
            } else {
                k.region_name.clone()
            },
        })?
    } else {
        configured.to_owned()
    };
    Ok(Cached {
        token,
        renew_at: renew_at(now(), expires),
        endpoint,
    })
}

/// The token's `expires_at`; an unreadable one (missing, malformed, a year outside
/// 1970..=9999) counts as expiring now: the token serves this request and is renewed before
/// the next, so no Keystone answer can make a token live longer than it says.
fn expiry(doc: &serde_json::Value, url: &str) -> Timestamp {
    let text = doc.pointer("/token/expires_at").and_then(|v| v.as_str());
    match text.map(Timestamp::parse_utc) {
        Some(Ok(at)) => at,
        Some(Err(e)) => {
            tracing::warn!("Keystone {url}: token expiry unreadable ({e}): renewed on next use");
            now()
        }
        None => {
            tracing::warn!("Keystone {url}: token without expires_at: renewed on next use");
            now()
        }
    }
}

/// `POST /v3/auth/tokens` under `auth_url`; like keystoneauth, an unversioned URL gets `/v3`.
fn tokens_url(auth_url: &str) -> String {
    let base = auth_url.trim_end_matches('/');
    if base.ends_with("/v3") {
        format!("{base}/auth/tokens")
    } else {
        format!("{base}/v3/auth/tokens")
    }
}

/// The body of `POST /v3/auth/tokens`: a password login scoped to the project, or an application
/// credential login (unscoped in the request: the credential carries its scope).
pub(super) fn auth_request(k: &Keystone) -> serde_json::Value {
    let domain = |id: &str, name: &str| {
        if id.is_empty() {
            json!({"name": name})
        } else {
            json!({"id": id})
        }
    };
    let mut user = serde_json::Map::new();
    if !k.user_id.is_empty() {
        user.insert("id".into(), k.user_id.clone().into());
    } else if !k.username.is_empty() {
        user.insert("name".into(), k.username.clone().into());
        user.insert(
            "domain".into(),
            domain(&k.user_domain_id, &k.user_domain_name),
        );
    }
    let password = match k.credential() {
        Some(Credential::ApplicationCredential(secret)) => {
            return application_credential_request(k, user, secret);
        }
        Some(Credential::Password(password)) => plain(password),
        None => String::new(),
    };
    user.insert("password".into(), password.into());
    let project = if k.project_id.is_empty() {
        json!({"name": k.project_name,
               "domain": domain(&k.project_domain_id, &k.project_domain_name)})
    } else {
        json!({"id": k.project_id})
    };
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": user}},
        "scope": {"project": project}}})
}

fn application_credential_request(
    k: &Keystone,
    user: serde_json::Map<String, serde_json::Value>,
    secret: &Secret,
) -> serde_json::Value {
    let mut credential = serde_json::Map::new();
    if k.application_credential_id.is_empty() {
        credential.insert("name".into(), k.application_credential_name.clone().into());
        credential.insert("user".into(), user.into());
    } else {
        credential.insert("id".into(), k.application_credential_id.clone().into());
    }
    credential.insert("secret".into(), plain(secret).into());
    json!({"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": credential}}})
}

fn plain(secret: &Secret) -> String {
    String::from_utf8_lossy(secret.expose()).into_owned()
}

/// The Masakari (`instance-ha`) endpoint of the token's catalog for the configured interface and region.
fn catalog_endpoint(doc: &serde_json::Value, k: &Keystone) -> Option<String> {
    let services = doc.pointer("/token/catalog")?.as_array()?;
    let service = services
        .iter()
        .find(|s| s.get("type").and_then(|t| t.as_str()) == Some("instance-ha"))?;
    let url = service
        .get("endpoints")?
        .as_array()?
        .iter()
        .filter(|e| e.get("interface").and_then(|i| i.as_str()) == Some(k.interface.as_str()))
        .find(|e| {
            k.region_name.is_empty()
                || e.get("region_id").and_then(|r| r.as_str()) == Some(k.region_name.as_str())
                || e.get("region").and_then(|r| r.as_str()) == Some(k.region_name.as_str())
        })?
        .get("url")?
        .as_str()?;
    Some(versioned(url))
}

/// The endpoint with `/v1` added when no path segment names a version (deployments register
/// Masakari both ways; openstacksdk discovers the version, we assume the only one there is).
fn versioned(url: &str) -> String {
    let url = url.trim_end_matches('/');
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let has_version = path.split('/').skip(1).any(|segment| segment == "v1");
    if has_version {
        url.to_owned()
    } else {
        format!("{url}/v1")
    }
}

mod refusal;
#[cfg(test)]
mod tests;
