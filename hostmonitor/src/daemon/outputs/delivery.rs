//! Delivery of notifications to the Masakari API through [`masakari_client::Client`], which
//! maps the API's answer to a [`DeliveryOutcome`]; here only what the daemon adds: the health
//! view (`api_ok`, the last API error), the request counters and the log line.

use std::sync::Arc;

use masakari_client::{Client, Notification, Payload};

use crate::daemon::error::DaemonError;
use crate::daemon::health::Health;
use crate::engine::{DeliveryOutcome, Retry};
use crate::settings::Masakari;

/// The Masakari API client, with the daemon's bookkeeping.
pub struct Delivery {
    client: Client,
    health: Arc<Health>,
}

impl Delivery {
    /// A client for the configured API.
    pub fn new(settings: &Masakari, health: Arc<Health>) -> Result<Self, DaemonError> {
        Ok(Self {
            client: Client::new(settings, "masakari-hostmonitor")?,
            health,
        })
    }

    /// Takes the Keystone token now and renews it ahead of its expiry (see
    /// [`Client::keep_logged_in`]), so that no notification waits for a login.
    pub async fn keep_logged_in(&self, retry: Retry) {
        self.client.keep_logged_in(retry).await;
    }

    /// Sends one notification (`COMPUTE_HOST` or `PROCESS`) and says what came of it.
    pub async fn send<P: Payload>(&self, n: &Notification<P>) -> DeliveryOutcome {
        let outcome = self.client.send(n).await;
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
}

#[cfg(test)]
mod tests {
    use masakari_client::fake::{Fake, Reply, Seen, notification};

    use super::*;
    use crate::settings::Settings;

    /// A noauth2 API answering by host name: 409 for `dup`, 400 for `bad`, 503 for `busy`,
    /// 202 otherwise.
    async fn api() -> Fake {
        Fake::start(|r: &Seen| {
            let host = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["notification"]
                ["hostname"]
                .as_str()
                .unwrap()
                .to_owned();
            match host.as_str() {
                "dup" => Reply::new(409, "{}"),
                "bad" => Reply::new(400, "{}"),
                "busy" => Reply::new(503, "down"),
                _ => Reply::new(202, "{}"),
            }
        })
        .await
    }

    #[tokio::test]
    async fn outcomes_update_health_and_the_request_counters() {
        let fake = api().await;
        let health = Arc::new(Health::default());
        let text = format!("[masakari]\nendpoint = \"{}/v1\"\n", fake.url);
        let settings = Settings::parse(&text, &[]).unwrap();
        let d = Delivery::new(&settings.masakari, Arc::clone(&health)).unwrap();
        assert_eq!(
            d.send(&notification("cmp1")).await,
            DeliveryOutcome::Accepted
        );
        assert_eq!(health.view().api_ok, Some(true));
        d.send(&notification("dup")).await;
        d.send(&notification("bad")).await;
        let busy = d.send(&notification("busy")).await;
        assert!(
            matches!(busy, DeliveryOutcome::Transient { .. }),
            "{busy:?}"
        );
        assert_eq!(health.view().api_ok, Some(false));
        assert!(
            health.view().api_error.is_some_and(|e| e.contains("503")),
            "the last API error is shown"
        );
        let metrics = health.metrics().render(&health.view(), None);
        for line in [
            "requests_total{result=\"accepted\"} 1",
            "requests_total{result=\"duplicate\"} 1",
            "requests_total{result=\"rejected\"} 1",
            "requests_total{result=\"failed\"} 1",
        ] {
            assert!(metrics.contains(line), "{line}: {metrics}");
        }
    }
}
