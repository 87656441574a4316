//! The Keystone login ahead of the notifications: taken when the monitor starts and renewed before
//! the token is due, so the first notification after start (or after a renewal time) goes out with
//! a cached token instead of waiting for Keystone. Keystone being down does not stop the monitor:
//! the login is retried with the delivery's backoff and each failure is logged; meanwhile a
//! notification logs in itself, as it always could.

use std::time::Duration;

use super::Client;
use crate::retry::Retry;
use crate::token::now;

impl Client {
    /// Logs in to Keystone now and again before each token is due, until the runtime ends; with
    /// noauth2 or a token file it returns at once. Failed logins are retried after
    /// `retry.delay(n)`; a renewal never comes sooner than `retry.interval` after a login.
    pub async fn keep_logged_in(&self, retry: Retry) {
        if !self.token.logs_in() {
            return;
        }
        let mut failures = 0u32;
        let mut renewal = false;
        loop {
            let wait = match self.token.get(&self.http).await {
                Ok(_) => {
                    logged_in(failures, renewal);
                    (failures, renewal) = (0, true);
                    self.until_renewal().max(retry.interval)
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let delay = retry.delay(failures);
                    tracing::warn!(
                        %error,
                        attempt = failures,
                        in_secs = delay.as_secs(),
                        "Keystone login ahead of the notifications failed; retrying (a \
                         notification meanwhile logs in itself)"
                    );
                    delay
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// How long until the cached token is due for renewal (zero when none is cached).
    fn until_renewal(&self) -> Duration {
        self.token
            .renew_at()
            .map_or(Duration::ZERO, |at| at.saturating_duration_since(now()))
    }
}

fn logged_in(failures: u32, renewal: bool) {
    if renewal && failures == 0 {
        tracing::info!("Keystone token renewed ahead of its expiry");
    } else {
        tracing::info!(
            failed_attempts = failures,
            "logged in to Keystone: notifications go out with a cached token"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::DeliveryOutcome;
    use crate::fake::{Fake, Reply, Seen, notification};
    use crate::settings::tests::masakari;

    /// Keystone refuses the first `down` logins with 503, then hands out tok-1, tok-2, ... valid
    /// for `lifetime`; the API takes every notification.
    async fn cloud(down: u32, lifetime: &'static str) -> Fake {
        let calls = AtomicU32::new(0);
        Fake::start(move |r: &Seen| {
            if r.path != "/v3/auth/tokens" {
                return Reply::new(202, "{}");
            }
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n <= down {
                return Reply::new(503, "down");
            }
            let body = format!(r#"{{"token": {{"expires_at": "{lifetime}", "catalog": []}}}}"#);
            Reply::new(201, body).header("X-Subject-Token", format!("tok-{}", n - down))
        })
        .await
    }

    fn client_of(fake: &Fake) -> Arc<Client> {
        let settings = masakari(&format!(
            "endpoint = \"{0}/v1\"\n[auth]\nmethod = \"keystone\"\n\
             auth_url = \"{0}/v3\"\nusername = \"u\"\npassword = \"p\"\nproject_name = \"s\"\n",
            fake.url
        ));
        Arc::new(Client::new(&settings, "test").unwrap())
    }

    const QUICK: Retry = Retry {
        alert_after: 12,
        interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(20),
    };

    fn logins(fake: &Fake) -> Vec<Seen> {
        let mut seen = fake.requests();
        seen.retain(|r| r.path == "/v3/auth/tokens");
        seen
    }

    /// Waits (up to 10 s) until Keystone was asked `n` times.
    async fn until_logins(fake: &Fake, n: usize) {
        for _ in 0..1000 {
            if logins(fake).len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn keep(client: &Arc<Client>) {
        let client = Arc::clone(client);
        tokio::spawn(async move { client.keep_logged_in(QUICK).await });
    }

    #[tokio::test]
    async fn the_first_notification_goes_out_with_the_token_taken_at_start() {
        let fake = cloud(0, "2999-01-01T00:00:00Z").await;
        let client = client_of(&fake);
        keep(&client);
        until_logins(&fake, 1).await;
        assert_eq!(logins(&fake).len(), 1, "logged in before any notification");
        let sent = client.send(&notification("cmp1")).await;
        assert_eq!(sent, DeliveryOutcome::Accepted);
        assert_eq!(
            logins(&fake).len(),
            1,
            "the notification used the cached token"
        );
        let post = fake
            .requests()
            .into_iter()
            .find(|r| r.path == "/v1/notifications");
        assert_eq!(
            post.and_then(|p| p.headers.get("x-auth-token").cloned()),
            Some("tok-1".to_owned())
        );
    }

    #[tokio::test]
    async fn keystone_down_at_start_is_retried_until_it_answers() {
        let fake = cloud(2, "2999-01-01T00:00:00Z").await;
        let client = client_of(&fake);
        keep(&client);
        until_logins(&fake, 3).await;
        assert_eq!(logins(&fake).len(), 3, "two refused, then the token");
        assert_eq!(
            client.send(&notification("cmp1")).await,
            DeliveryOutcome::Accepted
        );
        assert_eq!(
            logins(&fake).len(),
            3,
            "the notification used the cached token"
        );
    }

    #[tokio::test]
    async fn a_token_is_renewed_before_it_is_due_and_noauth2_logs_in_to_nothing() {
        let fake = cloud(0, "1970-01-01T00:00:00Z").await;
        let client = client_of(&fake);
        keep(&client);
        until_logins(&fake, 3).await;
        assert!(logins(&fake).len() >= 3, "an expired token is renewed");
        let settings = masakari(&format!("endpoint = \"{}/v1\"\n", fake.url));
        let noauth = Client::new(&settings, "test").unwrap();
        let returned = tokio::time::timeout(Duration::from_secs(10), noauth.keep_logged_in(QUICK));
        assert!(returned.await.is_ok(), "nothing to log in to: it returns");
    }
}
