//! Delivery of notifications to the Masakari API (`POST {endpoint}/notifications`), and what its
//! answer means to the engine: 202 stored, 409 already there (delivered), other 4xx permanent,
//! anything else (5xx, timeouts, refused connections) transient and retried by the engine.

use std::sync::Arc;

use reqwest::StatusCode;

use super::error::DaemonError;
use super::health::Health;
use super::http::error_chain;
use super::token::TokenSource;
use crate::engine::{DeliveryOutcome, Notification};
use crate::settings::Masakari;

/// The longest API message kept for logs.
const MAX_MESSAGE: usize = 300;

/// The Masakari API client.
pub struct Delivery {
    client: reqwest::Client,
    token: TokenSource,
    health: Arc<Health>,
}

impl Delivery {
    /// A client for the configured API.
    pub fn new(settings: &Masakari, health: Arc<Health>) -> Result<Self, DaemonError> {
        Ok(Self {
            client: super::http::client(settings)?,
            token: TokenSource::new(settings),
            health,
        })
    }

    /// Sends one notification and says what came of it.
    pub async fn send(&self, n: &Notification) -> DeliveryOutcome {
        let outcome = self.try_send(n).await;
        self.health.metrics().request(&outcome);
        self.health.update(|h| match &outcome {
            DeliveryOutcome::Transient { reason } => {
                h.api_ok = Some(false);
                h.api_error = Some(reason.clone());
            }
            _ => {
                h.api_ok = Some(true);
                h.api_error = None;
            }
        });
        match &outcome {
            DeliveryOutcome::Accepted => {
                tracing::info!(id = n.id.as_str(), "notification stored by Masakari")
            }
            other => {
                tracing::warn!(id = n.id.as_str(), outcome = ?other, "notification not stored")
            }
        }
        outcome
    }

    async fn try_send(&self, n: &Notification) -> DeliveryOutcome {
        let transient = |reason: String| DeliveryOutcome::Transient { reason };
        let (token, endpoint) = match self.token.get(&self.client).await {
            Ok(pair) => pair,
            Err(reason) => return transient(reason),
        };
        let url = format!("{}/notifications", endpoint.trim_end_matches('/'));
        let response = self
            .client
            .post(&url)
            .header("X-Auth-Token", token)
            .json(&n.request())
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return transient(format!("POST {url}: {}", error_chain(&e))),
        };
        let status = response.status();
        let message = response.text().await.unwrap_or_default();
        let message: String = message.chars().take(MAX_MESSAGE).collect();
        match status {
            s if s.is_success() => DeliveryOutcome::Accepted,
            StatusCode::CONFLICT => DeliveryOutcome::Duplicate { message },
            StatusCode::UNAUTHORIZED => {
                self.token.invalidate();
                transient(format!("401 from {url}: token refused, renewing"))
            }
            s if s.is_client_error() => DeliveryOutcome::Rejected {
                status: s.as_u16(),
                message,
            },
            s => transient(format!("{s} from {url}: {message}")),
        }
    }
}
