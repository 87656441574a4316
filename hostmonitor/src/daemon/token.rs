//! Where the `X-Auth-Token` comes from: noauth2's `user:project`, a token file, or a Keystone v3
//! password login whose token is cached until shortly before it expires.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use fence_agent::secret::Secret;
use reqwest::header::HeaderValue;
use serde_json::json;

use super::now;
use super::snapshot::parse_completed;
use crate::engine::Timestamp;
use crate::settings::{Auth, Keystone, Masakari};

/// Renew a Keystone token this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(120);

/// The source of tokens (and, with Keystone, of the endpoint).
pub struct TokenSource {
    endpoint: String,
    kind: Kind,
}

enum Kind {
    Fixed(String),
    File(PathBuf),
    Keystone {
        config: Box<Keystone>,
        cached: Mutex<Option<Cached>>,
    },
}

#[derive(Clone)]
struct Cached {
    token: Secret,
    expires: Timestamp,
    endpoint: String,
}

impl TokenSource {
    /// The source the settings describe.
    pub fn new(settings: &Masakari) -> Self {
        let kind = match &settings.auth {
            Auth::Noauth2(n) => Kind::Fixed(format!("{}:{}", n.user, n.project)),
            Auth::Token(t) => Kind::File(t.token_file.clone()),
            Auth::Keystone(k) => Kind::Keystone {
                config: Box::new(k.clone()),
                cached: Mutex::new(None),
            },
        };
        Self {
            endpoint: settings.endpoint.clone(),
            kind,
        }
    }

    /// A token (as a sensitive header value) and the endpoint to use it on.
    pub async fn get(&self, client: &reqwest::Client) -> Result<(HeaderValue, String), String> {
        let (token, endpoint) = match &self.kind {
            Kind::Fixed(t) => (Secret::new(t.as_bytes().to_vec()), self.endpoint.clone()),
            Kind::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("token file {}: {e}", path.display()))?;
                let first = text.lines().next().unwrap_or("").trim().to_owned();
                (Secret::from_string(first), self.endpoint.clone())
            }
            Kind::Keystone { config, cached } => {
                let current = cached.lock().ok().and_then(|c| c.clone());
                let fresh =
                    current.filter(|c| c.expires.saturating_duration_since(now()) > RENEW_BEFORE);
                let c = match fresh {
                    Some(c) => c,
                    None => {
                        let c = login(client, config, &self.endpoint).await?;
                        if let Ok(mut slot) = cached.lock() {
                            *slot = Some(c.clone());
                        }
                        c
                    }
                };
                (c.token, c.endpoint)
            }
        };
        let mut value = HeaderValue::from_bytes(token.expose())
            .map_err(|_| "the token is not a valid header value".to_owned())?;
        value.set_sensitive(true);
        Ok((value, endpoint))
    }

    /// Forgets a cached token the API refused.
    pub fn invalidate(&self) {
        if let Kind::Keystone { cached, .. } = &self.kind {
            if let Ok(mut slot) = cached.lock() {
                *slot = None;
            }
        }
    }
}

async fn login(client: &reqwest::Client, k: &Keystone, configured: &str) -> Result<Cached, String> {
    let password = String::from_utf8_lossy(k.password.expose()).into_owned();
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": k.username, "domain": {"name": k.user_domain_name}, "password": password}}},
        "scope": {"project": {"name": k.project_name, "domain": {"name": k.project_domain_name}}}}});
    let url = format!("{}/auth/tokens", k.auth_url.trim_end_matches('/'));
    let response = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("Keystone {url}: {e}"))?;
    drop(body);
    let status = response.status();
    if !status.is_success() {
        return Err(format!(
            "Keystone {url} refused the login of {}: {status}",
            k.username
        ));
    }
    let token = response
        .headers()
        .get("X-Subject-Token")
        .map(|v| Secret::new(v.as_bytes().to_vec()))
        .ok_or_else(|| format!("Keystone {url} sent no X-Subject-Token"))?;
    let doc: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("Keystone {url}: {e}"))?;
    let expires = doc
        .pointer("/token/expires_at")
        .and_then(|v| v.as_str())
        .and_then(parse_completed)
        .ok_or_else(|| format!("Keystone {url}: token without a readable expires_at"))?;
    let endpoint = if configured.is_empty() {
        catalog_endpoint(&doc, k).ok_or_else(|| {
            format!(
                "no instance-ha endpoint ({} interface) in the Keystone catalog",
                k.interface
            )
        })?
    } else {
        configured.to_owned()
    };
    Ok(Cached {
        token,
        expires,
        endpoint,
    })
}

/// The Masakari (`instance-ha`) endpoint of the token's catalog for the configured interface and region.
fn catalog_endpoint(doc: &serde_json::Value, k: &Keystone) -> Option<String> {
    let services = doc.pointer("/token/catalog")?.as_array()?;
    let service = services
        .iter()
        .find(|s| s.get("type").and_then(|t| t.as_str()) == Some("instance-ha"))?;
    service
        .get("endpoints")?
        .as_array()?
        .iter()
        .filter(|e| e.get("interface").and_then(|i| i.as_str()) == Some(k.interface.as_str()))
        .find(|e| {
            k.region_name.is_empty()
                || e.get("region_id").and_then(|r| r.as_str()) == Some(k.region_name.as_str())
                || e.get("region").and_then(|r| r.as_str()) == Some(k.region_name.as_str())
        })
        .and_then(|e| e.get("url")?.as_str().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keystone(region: &str) -> Keystone {
        let text = format!(
            "[masakari]\nendpoint = \"\"\n[masakari.auth]\nmethod = \"keystone\"\nauth_url = \"http://k:5000/v3\"\n\
             username = \"u\"\npassword = \"p\"\nproject_name = \"service\"\nregion_name = \"{region}\"\n"
        );
        match crate::settings::Settings::parse(&text, &[])
            .unwrap()
            .masakari
            .auth
        {
            Auth::Keystone(k) => k,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn finds_the_instance_ha_endpoint_for_interface_and_region() {
        let doc = json!({"token": {"catalog": [
            {"type": "compute", "endpoints": [{"interface": "internal", "url": "http://nova"}]},
            {"type": "instance-ha", "endpoints": [
                {"interface": "public", "region_id": "r1", "url": "https://public"},
                {"interface": "internal", "region_id": "r2", "url": "http://r2:15868/v1"},
                {"interface": "internal", "region_id": "r1", "url": "http://r1:15868/v1"}]}]}});
        assert_eq!(
            catalog_endpoint(&doc, &keystone("r1")).as_deref(),
            Some("http://r1:15868/v1")
        );
        assert_eq!(
            catalog_endpoint(&doc, &keystone("")).as_deref(),
            Some("http://r2:15868/v1")
        );
        assert_eq!(catalog_endpoint(&doc, &keystone("r9")), None);
    }
}
