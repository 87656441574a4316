//! The HTTPS edge: a blocking reqwest client (rustls, TLS 1.2 or 1.3, no redirects, HTTPS
//! only) that carries [`Request`]s. Certificates are verified against the CA file when one is
//! set, else against the system's bundle and rustls' built-in roots; `ssl_insecure` turns
//! verification off. Every request sends `Accept: application/json` and `OData-Version: 4.0`,
//! as fence_redfish does.

use std::path::Path;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, LOCATION};

use super::client::Transport;
use super::error::{RedfishError, TransportKind};
use super::settings::RedfishSettings;
use super::wire::{Auth, Method, Request, Response};
use secret::Secret;

/// The system CA bundles, first found wins (Debian, RHEL, SUSE).
const SYSTEM_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
];

/// Answers larger than this are cut off (a system document is a few KiB).
const BODY_LIMIT: u64 = 1 << 20;

/// HTTPS to one Redfish service.
pub struct Https {
    client: Client,
    base: String,
}

impl Https {
    /// A client for the service `settings` name; connecting within `login`, each exchange
    /// within `command` (the login and shell timeouts).
    pub fn new(settings: &RedfishSettings) -> Result<Self, RedfishError> {
        let timeouts = settings.fencing.timeouts;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert("OData-Version", HeaderValue::from_static("4.0"));
        let mut builder = Client::builder()
            .use_rustls_tls()
            .https_only(true)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeouts.login)
            .timeout(timeouts.login + timeouts.command)
            .pool_idle_timeout(Duration::from_secs(90))
            .default_headers(headers)
            .user_agent(concat!("fence_redfish_rs/", env!("CARGO_PKG_VERSION")));
        builder = match &settings.ca_file {
            Some(path) => trust_only(builder, path)?,
            None => trust_system(builder),
        };
        if settings.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| RedfishError::Setup(format!("HTTPS client: {}", chain(&e))))?;
        Ok(Self {
            client,
            base: settings.base_url(),
        })
    }
}

impl Transport for Https {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, RedfishError> {
        let url = format!("{}{}", self.base, request.path);
        let mut builder = match request.method {
            Method::Get => self.client.get(&url),
            Method::Post => self.client.post(&url),
            Method::Delete => self.client.delete(&url),
        };
        builder = authenticate(builder, request.auth);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let failed = |e: reqwest::Error| transport_error(&url, &e);
        let response = builder.send().map_err(failed)?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let token = header("X-Auth-Token").map(Secret::from_string);
        let location = header(LOCATION.as_str());
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(response, BODY_LIMIT), &mut body)
            .map_err(|e| RedfishError::Transport {
                kind: TransportKind::Other,
                url: url.clone(),
                detail: format!("reading the answer: {e}"),
            })?;
        Ok(Response {
            status,
            token,
            location,
            body,
        })
    }
}

fn authenticate(builder: RequestBuilder, auth: Auth<'_>) -> RequestBuilder {
    match auth {
        Auth::None => builder,
        Auth::Basic { username, password } => {
            let password = String::from_utf8_lossy(password.expose());
            builder.basic_auth(username, Some(password))
        }
        Auth::Token(token) => match HeaderValue::from_bytes(token.expose()) {
            Ok(mut value) => {
                value.set_sensitive(true);
                builder.header("X-Auth-Token", value)
            }
            Err(_) => builder,
        },
    }
}

/// Only the CA file's certificates are trusted.
fn trust_only(
    builder: reqwest::blocking::ClientBuilder,
    path: &Path,
) -> Result<reqwest::blocking::ClientBuilder, RedfishError> {
    let setup =
        |problem: String| RedfishError::Setup(format!("ssl_ca_file {}: {problem}", path.display()));
    let pem = std::fs::read(path).map_err(|e| setup(e.to_string()))?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| setup(e.to_string()))?;
    if certificates.is_empty() {
        return Err(setup("no PEM certificate in it".to_owned()));
    }
    Ok(certificates
        .into_iter()
        .fold(builder.tls_built_in_root_certs(false), |b, c| {
            b.add_root_certificate(c)
        }))
}

/// The system's bundle (where one is readable) besides the built-in roots, as fence_redfish
/// trusts the system's.
fn trust_system(builder: reqwest::blocking::ClientBuilder) -> reqwest::blocking::ClientBuilder {
    let pem = SYSTEM_BUNDLES.iter().find_map(|p| std::fs::read(p).ok());
    let certificates = pem
        .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .unwrap_or_default();
    certificates
        .into_iter()
        .fold(builder, |b, c| b.add_root_certificate(c))
}

fn transport_error(url: &str, e: &reqwest::Error) -> RedfishError {
    let detail = chain(e);
    let lower = detail.to_ascii_lowercase();
    let kind =
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            TransportKind::Tls
        } else if e.is_timeout() {
            TransportKind::Timeout
        } else if e.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
    RedfishError::Transport {
        kind,
        url: url.to_owned(),
        detail,
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
