//! `POST {endpoint}/notifications`, and what its answer means: 202 stored, 409 already there
//! (delivered), other 4xx permanent, anything else (5xx, timeouts, refused connections, a token
//! that cannot be had) transient, to be retried. A 401 also drops the cached Keystone token, so
//! the retry logs in afresh. [`Client::keep_logged_in`] takes the Keystone token when a monitor
//! starts and renews it ahead of its expiry, so that no notification waits for a login.

use reqwest::StatusCode;

use crate::http::{HttpError, client, error_chain};
use crate::notification::{Notification, Payload};
use crate::outcome::DeliveryOutcome;
use crate::settings::Masakari;
use crate::token::{TokenError, TokenSource};

/// The longest API message kept for logs.
const MAX_MESSAGE: usize = 300;

/// The Masakari API client: one HTTP client and one token source.
pub struct Client {
    http: reqwest::Client,
    token: TokenSource,
}

/// Why a notification could not be handed to the API this time (retried).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No token: the token file or the Keystone login failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The request did not get an answer (connection, TLS, timeout).
    #[error("POST {url}: {reason}")]
    Unanswered {
        /// The notifications URL.
        url: String,
        /// What went wrong, with its causes.
        reason: String,
    },
    /// The API refused the token; it is renewed before the next try.
    #[error("401 from {url}: token refused, renewing")]
    TokenRefused {
        /// The notifications URL.
        url: String,
    },
    /// The API failed (5xx, or an answer that is neither success nor a client error).
    #[error("{status} from {url}: {message}")]
    Server {
        /// The notifications URL.
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// The API's message, shortened.
        message: String,
    },
}

impl Client {
    /// A client for the configured API; `agent` names the monitor in `User-Agent`.
    pub fn new(settings: &Masakari, agent: &str) -> Result<Self, HttpError> {
        Ok(Self {
            http: client(settings, agent)?,
            token: TokenSource::new(settings),
        })
    }

    /// Sends one notification and says what came of it.
    pub async fn send<P: Payload>(&self, n: &Notification<P>) -> DeliveryOutcome {
        match self.post(n).await {
            Ok(outcome) => outcome,
            Err(e) => DeliveryOutcome::Transient {
                reason: e.to_string(),
            },
        }
    }

    async fn post<P: Payload>(&self, n: &Notification<P>) -> Result<DeliveryOutcome, SendError> {
        let (token, endpoint) = self.token.get(&self.http).await?;
        let url = format!("{}/notifications", endpoint.trim_end_matches('/'));
        let response = self
            .http
            .post(&url)
            .header("X-Auth-Token", token.clone())
            .json(&n.request())
            .send()
            .await
            .map_err(|e| SendError::Unanswered {
                url: url.clone(),
                reason: error_chain(&e),
            })?;
        let status = response.status();
        let message = response.text().await.unwrap_or_default();
        let message: String = message.chars().take(MAX_MESSAGE).collect();
        match status {
            s if s.is_success() => Ok(DeliveryOutcome::Accepted),
            StatusCode::CONFLICT => Ok(DeliveryOutcome::Duplicate { message }),
            StatusCode::UNAUTHORIZED => {
                self.token.invalidate(&token);
                Err(SendError::TokenRefused { url })
            }
            s if s.is_client_error() => Ok(DeliveryOutcome::Rejected {
                status: s.as_u16(),
                message,
            }),
            status => Err(SendError::Server {
                url,
                status,
                message,
            }),
        }
    }
}

mod ahead;
#[cfg(test)]
mod tests;
