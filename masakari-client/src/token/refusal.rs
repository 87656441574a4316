//! Why a Keystone login failed, in words an operator can act on. Keystone answers 401 alike for a
//! wrong password and for a project it does not know (it will not say which exists), so a refused
//! password login is tried once more without a scope: if that one passes, the password is right
//! and the scope is what Keystone refused.

use reqwest::StatusCode;

use super::{TokenError, auth_request};
use crate::http::error_chain;
use crate::settings::{Credential, Keystone};

/// The error for a login that got no answer: a TLS failure names what was trusted.
pub(super) fn unanswered(url: &str, trusted: &str, e: &reqwest::Error) -> TokenError {
    let reason = error_chain(e);
    if is_tls_failure(&reason) {
        TokenError::Tls {
            url: url.to_owned(),
            trusted: trusted.to_owned(),
            reason,
        }
    } else {
        TokenError::Unreachable {
            url: url.to_owned(),
            reason,
        }
    }
}

/// rustls' words for a certificate it does not accept, as reqwest's error chain carries them.
fn is_tls_failure(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    reason.contains("certificate") || reason.contains("tls handshake")
}

/// The error for a login Keystone answered with `response`, a failure.
pub(super) async fn explain(
    client: &reqwest::Client,
    url: &str,
    k: &Keystone,
    response: reqwest::Response,
) -> TokenError {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|d| d.pointer("/error/message")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    let who = k.who().to_owned();
    let password = matches!(k.credential(), Some(Credential::Password(_)));
    if status != StatusCode::UNAUTHORIZED || !password {
        return TokenError::Refused {
            url: url.to_owned(),
            who,
            status,
            message,
        };
    }
    let url = url.to_owned();
    match unscoped_login_passes(client, &url, k).await {
        Some(true) => TokenError::UnknownProject {
            url,
            who,
            project: project(k),
        },
        Some(false) => TokenError::WrongPassword { url, who },
        None => TokenError::Refused {
            url,
            who,
            status,
            message,
        },
    }
}

/// Whether the same password login without its scope passes (`None`: no clear answer).
async fn unscoped_login_passes(client: &reqwest::Client, url: &str, k: &Keystone) -> Option<bool> {
    let mut body = auth_request(k);
    body.get_mut("auth")?.as_object_mut()?.remove("scope");
    let response = client.post(url).json(&body).send().await;
    drop(body);
    match response.ok()?.status() {
        s if s.is_success() => Some(true),
        StatusCode::UNAUTHORIZED => Some(false),
        _ => None,
    }
}

fn project(k: &Keystone) -> String {
    if k.project_id.is_empty() {
        k.project_name.clone()
    } else {
        k.project_id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_failures_are_told_from_unreachable_hosts() {
        assert!(is_tls_failure(
            "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer"
        ));
        assert!(!is_tls_failure(
            "error sending request: client error (Connect): tcp connect error: Connection refused"
        ));
    }
}
