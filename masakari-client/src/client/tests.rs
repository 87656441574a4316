use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::fake::{Fake, Reply, Seen, notification};
use crate::settings::tests::masakari;

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
        let host =
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["notification"]["hostname"]
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

fn client_of(fake: &Fake) -> Client {
    let settings = masakari(&format!(
        "endpoint = \"{0}/v1\"\n[auth]\nmethod = \"keystone\"\n\
         auth_url = \"{0}/v3\"\nusername = \"u\"\npassword = \"p\"\nproject_name = \"s\"\n",
        fake.url
    ));
    Client::new(&settings, "test").unwrap()
}

#[tokio::test]
async fn a_refused_token_is_renewed_and_answers_map_to_outcomes() {
    let fake = cloud().await;
    let c = client_of(&fake);
    let first = c.send(&notification("cmp1")).await;
    let DeliveryOutcome::Transient { reason } = &first else {
        panic!("{first:?}")
    };
    assert!(
        reason.contains("401") && reason.contains("renewing"),
        "{reason}"
    );
    assert_eq!(
        c.send(&notification("cmp1")).await,
        DeliveryOutcome::Accepted
    );
    assert!(matches!(
        c.send(&notification("dup")).await,
        DeliveryOutcome::Duplicate { .. }
    ));
    let rejected = c.send(&notification("bad")).await;
    assert_eq!(
        rejected,
        DeliveryOutcome::Rejected {
            status: 400,
            message: r#"{"badRequest": {"message": "Host bad not found"}}"#.into()
        }
    );
    let busy = c.send(&notification("busy")).await;
    assert!(
        matches!(busy, DeliveryOutcome::Transient { .. }),
        "{busy:?}"
    );
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
}
