use super::*;
use crate::fake::{Fake, Reply};

#[test]
fn api_answers_are_judged() {
    let url = "http://m/v1/segments";
    let judge = |status: u16, body: &str| {
        judge_segments(StatusCode::from_u16(status).unwrap(), body, url, "x")
    };
    let ok = judge(200, r#"{"segments": [{}, {}]}"#);
    assert_eq!(ok.verdict, Verdict::Ok);
    assert!(
        ok.detail.ends_with("200 OK, 2 failover segments"),
        "{}",
        ok.detail
    );
    let cases = [
        (200, "<html>", "not with Masakari's segment list"),
        (401, "{}", "refused the credentials"),
        (403, "{}", "needs the admin role"),
        (404, "", "should end in /v1"),
        (300, "{}", "300 Multiple Choices: the endpoint is not"),
        (503, "down", "503 Service Unavailable down"),
    ];
    for (status, body, expected) in cases {
        let f = judge(status, body);
        assert_eq!(f.verdict, Verdict::Fail, "{status}");
        assert!(f.detail.contains(expected), "{status}: {}", f.detail);
    }
}

/// The `[masakari]` section of a monitor's file, from its TOML text.
fn settings(text: &str) -> Masakari {
    let file: toml::Table = toml::from_str(text).unwrap();
    let section = file["masakari"].clone();
    let m: Masakari = section.try_into().unwrap();
    m.validate().unwrap();
    m
}

#[tokio::test]
async fn noauth2_gets_the_segments_with_its_token() {
    let fake = Fake::start(|_| Reply::new(200, r#"{"segments": []}"#)).await;
    let s = settings(&format!("[masakari]\nendpoint = \"{}/v1\"\n", fake.url));
    let f = masakari(&s, "test").await.0;
    assert_eq!(f.verdict, Verdict::Ok, "{}", f.detail);
    assert!(
        f.detail.contains("with noauth2 as admin:admin"),
        "{}",
        f.detail
    );
    let seen = fake.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/segments")
    );
    assert_eq!(seen[0].headers["x-auth-token"], "admin:admin");
}

#[tokio::test]
async fn keystone_failures_are_told_apart_from_api_failures() {
    let fake = Fake::start(|r| {
        if r.path == "/v3/auth/tokens" {
            Reply::new(401, r#"{"error": {"message": "bad password"}}"#)
        } else {
            Reply::new(200, r#"{"segments": []}"#)
        }
    })
    .await;
    let s = settings(&format!(
        "[masakari]\nendpoint = \"{0}/v1\"\n[masakari.auth]\nmethod = \"keystone\"\n\
         auth_url = \"{0}\"\nusername = \"mon\"\npassword = \"topsecret\"\nproject_name = \"p\"\n",
        fake.url
    ));
    let f = masakari(&s, "test").await.0;
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.detail.starts_with("a Keystone login as mon: Keystone"),
        "{}",
        f.detail
    );
    assert!(
        f.detail
            .contains("refused the login of mon: wrong password"),
        "{}",
        f.detail
    );
    assert!(!f.detail.contains("topsecret"));
}

#[tokio::test]
async fn an_unreachable_api_is_a_failure_naming_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let s = settings(&format!("[masakari]\nendpoint = \"{url}\"\n"));
    let f = masakari(&s, "test").await.0;
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.detail.starts_with(&format!("GET {url}/segments: ")),
        "{}",
        f.detail
    );
}
