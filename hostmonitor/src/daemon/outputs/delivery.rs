//! Delivery of notifications to the Masakari API (`POST {endpoint}/notifications`), and what its
//! answer means to the engine: 202 stored, 409 already there (delivered), other 4xx permanent,
//! anything else (5xx, timeouts, refused connections) transient and retried by the engine.

use std::sync::Arc;

use reqwest::StatusCode;

use crate::daemon::error::DaemonError;
use crate::daemon::health::Health;
use crate::daemon::http::error_chain;
use crate::daemon::token::TokenSource;
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
            client: crate::daemon::http::client(settings)?,
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::daemon::http::fake::{Fake, Reply, Seen};
    use crate::engine::{HostPayload, NotificationId, Timestamp};
    use crate::settings::Settings;

    fn notification(host: &str) -> Notification {
        Notification {
            id: NotificationId::new(host, 1, "stopped-normal"),
            hostname: host.into(),
            generated_time: Timestamp::from_unix(1_700_000_000, 0),
            payload: HostPayload::STOPPED_FENCED,
        }
    }

    /// Keystone hands out tok-1, tok-2, ...; the API refuses tok-1 (as after a Keystone restart)
    /// and answers by host name: 409 for `dup`, 400 for `bad`, 503 for `busy`, 202 otherwise.
    async fn cloud() -> Fake {
        let issued = AtomicU32::new(0);
        Fake::start(move |r: &Seen| {
            if r.path == "/v3/auth/tokens" {
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                let body = r#"{"token": {"expires_at": "2999-01-01T00:00:00Z", "catalog": []}}"#;
                return Reply::new(201, body).header("X-Subject-Token", format!("tok-{n}"));
            }
            if r.headers.get("x-auth-token").map(String::as_str) == Some("tok-1") {
                return Reply::new(401, "{}");
            }
            let host = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["notification"]
                ["hostname"]
                .as_str()
                .unwrap()
                .to_owned();
            match host.as_str() {
                "dup" => Reply::new(409, r#"{"conflictingRequest": {"message": "already"}}"#),
                "bad" => Reply::new(400, r#"{"badRequest": {"message": "Host bad not found"}}"#),
                "busy" => Reply::new(503, "down"),
                _ => Reply::new(202, "{}"),
            }
        })
        .await
    }

    fn delivery(fake: &Fake, health: &Arc<Health>) -> Delivery {
        let text = format!(
            "[masakari]\nendpoint = \"{0}/v1\"\n[masakari.auth]\nmethod = \"keystone\"\n\
             auth_url = \"{0}/v3\"\nusername = \"u\"\npassword = \"p\"\nproject_name = \"s\"\n",
            fake.url
        );
        let settings = Settings::parse(&text, &[]).unwrap();
        Delivery::new(&settings.masakari, Arc::clone(health)).unwrap()
    }

    #[tokio::test]
    async fn a_refused_token_is_renewed_and_answers_map_to_outcomes() {
        let fake = cloud().await;
        let health = Arc::new(Health::default());
        let d = delivery(&fake, &health);
        let first = d.send(&notification("cmp1")).await;
        let DeliveryOutcome::Transient { reason } = &first else {
            panic!("{first:?}")
        };
        assert!(
            reason.contains("401") && reason.contains("renewing"),
            "{reason}"
        );
        assert_eq!(
            d.send(&notification("cmp1")).await,
            DeliveryOutcome::Accepted
        );
        assert_eq!(health.view().api_ok, Some(true));
        assert!(matches!(
            d.send(&notification("dup")).await,
            DeliveryOutcome::Duplicate { .. }
        ));
        let rejected = d.send(&notification("bad")).await;
        assert_eq!(
            rejected,
            DeliveryOutcome::Rejected {
                status: 400,
                message: r#"{"badRequest": {"message": "Host bad not found"}}"#.into()
            }
        );
        let busy = d.send(&notification("busy")).await;
        assert!(
            matches!(busy, DeliveryOutcome::Transient { .. }),
            "{busy:?}"
        );
        assert_eq!(health.view().api_ok, Some(false));
        let logins = fake
            .requests()
            .iter()
            .filter(|r| r.path == "/v3/auth/tokens")
            .count();
        assert_eq!(logins, 2, "one login, one renewal after the 401");
        let posts: Vec<Seen> = fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v1/notifications")
            .collect();
        assert_eq!(posts.len(), 5);
        let body: serde_json::Value = serde_json::from_str(&posts[1].body).unwrap();
        assert_eq!(
            body,
            serde_json::to_value(notification("cmp1").request()).unwrap()
        );
        let metrics = health.metrics().render(&health.view(), None);
        for line in [
            "requests_total{result=\"accepted\"} 1",
            "requests_total{result=\"duplicate\"} 1",
            "requests_total{result=\"rejected\"} 1",
            "requests_total{result=\"failed\"} 2",
        ] {
            assert!(metrics.contains(line), "{line}: {metrics}");
        }
    }
}
