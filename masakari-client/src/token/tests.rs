use super::*;
use crate::fake::{Fake, Reply, Seen};
use crate::settings::tests::masakari;

fn keystone_settings(auth: &str, endpoint: &str) -> Masakari {
    masakari(&format!(
        "endpoint = \"{endpoint}\"\n[auth]\nmethod = \"keystone\"\n{auth}"
    ))
}

fn keystone(auth: &str) -> Box<Keystone> {
    match keystone_settings(auth, "").auth {
        Auth::Keystone(k) => k,
        other => panic!("{other:?}"),
    }
}

const PASSWORD: &str = "auth_url = \"http://k:5000/v3\"\nusername = \"u\"\npassword = \"pw\"\n\
                        project_name = \"service\"\n";

#[test]
fn password_login_body_is_scoped_to_the_project() {
    let body = auth_request(&keystone(PASSWORD));
    let expected = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "u", "domain": {"name": "Default"}, "password": "pw"}}},
        "scope": {"project": {"name": "service", "domain": {"name": "Default"}}}}});
    assert_eq!(body, expected);
    let ids = keystone(
        "auth_url = \"http://k/v3\"\nuser_id = \"uid\"\npassword = \"pw\"\nproject_id = \"pid\"\n",
    );
    assert_eq!(
        auth_request(&ids),
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"id": "uid", "password": "pw"}}},
            "scope": {"project": {"id": "pid"}}}})
    );
    let domain_ids = keystone(&format!(
        "{PASSWORD}user_domain_id = \"default\"\nproject_domain_id = \"d2\"\n"
    ));
    let body = auth_request(&domain_ids);
    assert_eq!(
        body.pointer("/auth/identity/password/user/domain"),
        Some(&json!({"id": "default"}))
    );
    assert_eq!(
        body.pointer("/auth/scope/project/domain"),
        Some(&json!({"id": "d2"}))
    );
}

#[test]
fn application_credential_body_has_no_scope() {
    let by_id = keystone(
        "auth_url = \"http://k/v3\"\napplication_credential_id = \"ac1\"\n\
         application_credential_secret = \"s\"\n",
    );
    assert_eq!(
        auth_request(&by_id),
        json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": "ac1", "secret": "s"}}}})
    );
    let by_name = keystone(
        "auth_url = \"http://k/v3\"\napplication_credential_name = \"monitor\"\nusername = \"u\"\n\
         application_credential_secret = \"s\"\n",
    );
    assert_eq!(
        auth_request(&by_name),
        json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"name": "monitor", "secret": "s",
                "user": {"name": "u", "domain": {"name": "Default"}}}}}})
    );
}

#[test]
fn invalid_keystone_settings_are_refused() {
    let bad = |auth: &str| {
        let text = format!("[auth]\nmethod = \"keystone\"\nauth_url = \"http://k\"\n{auth}");
        crate::settings::tests::invalid(&text).to_string()
    };
    assert!(bad("username = \"u\"\nproject_name = \"p\"\n").contains("exactly one"));
    assert!(
        bad("password = \"x\"\napplication_credential_secret = \"y\"\n").contains("exactly one")
    );
    assert!(bad("password = \"x\"\nproject_name = \"p\"\n").contains("username"));
    assert!(bad("password = \"x\"\nusername = \"u\"\n").contains("project_name"));
    assert!(bad("application_credential_secret = \"y\"\n").contains("application_credential_id"));
    assert!(
        bad("application_credential_id = \"a\"\napplication_credential_secret = \"y\"\nproject_name = \"p\"\n")
            .contains("scoped already")
    );
}

#[test]
fn the_tokens_url_gets_v3_when_unversioned() {
    assert_eq!(tokens_url("http://k:5000"), "http://k:5000/v3/auth/tokens");
    assert_eq!(
        tokens_url("http://k:5000/v3/"),
        "http://k:5000/v3/auth/tokens"
    );
    assert_eq!(
        tokens_url("https://k/identity/v3"),
        "https://k/identity/v3/auth/tokens"
    );
}

#[test]
fn catalog_endpoints_get_v1_when_unversioned() {
    assert_eq!(versioned("http://m:15868"), "http://m:15868/v1");
    assert_eq!(versioned("http://m:15868/v1/"), "http://m:15868/v1");
    assert_eq!(
        versioned("http://m:15868/v1/abc123"),
        "http://m:15868/v1/abc123"
    );
    assert_eq!(versioned("http://v1/"), "http://v1/v1");
}

#[test]
fn finds_the_instance_ha_endpoint_for_interface_and_region() {
    let doc = json!({"token": {"catalog": [
        {"type": "compute", "endpoints": [{"interface": "internal", "url": "http://nova"}]},
        {"type": "instance-ha", "endpoints": [
            {"interface": "public", "region_id": "r1", "url": "https://public"},
            {"interface": "internal", "region_id": "r2", "url": "http://r2:15868/v1"},
            {"interface": "internal", "region_id": "r1", "url": "http://r1:15868"}]}]}});
    let region = |r: &str| keystone(&format!("{PASSWORD}region_name = \"{r}\"\n"));
    assert_eq!(
        catalog_endpoint(&doc, &region("r1")).as_deref(),
        Some("http://r1:15868/v1")
    );
    assert_eq!(
        catalog_endpoint(&doc, &region("")).as_deref(),
        Some("http://r2:15868/v1")
    );
    assert_eq!(catalog_endpoint(&doc, &region("r9")), None);
}

/// Keystone's answer to a good login: the token in a header, its expiry and catalog in the body.
fn keystone_reply(masakari_url: &str, token: &str) -> Reply {
    expiring_reply(masakari_url, token, "2999-01-01T00:00:00.000000Z")
}

fn expiring_reply(masakari_url: &str, token: &str, expires_at: &str) -> Reply {
    let body = json!({"token": {"expires_at": expires_at, "catalog": [
        {"type": "instance-ha", "endpoints": [
            {"interface": "internal", "region_id": "RegionOne", "url": masakari_url}]}]}});
    Reply::new(201, body.to_string()).header("X-Subject-Token", token)
}

/// A Keystone token source logging in as `u` with `password` to project `project` at `auth_url`.
fn password_source(auth_url: &str, password: &str, project: &str) -> TokenSource {
    let auth = format!(
        "auth_url = \"{auth_url}\"\nusername = \"u\"\npassword = \"{password}\"\nproject_name = \"{project}\"\n"
    );
    TokenSource::new(&keystone_settings(&auth, ""))
}

fn logins(seen: &[Seen]) -> usize {
    seen.iter()
        .filter(|r| r.method == "POST" && r.path == "/v3/auth/tokens")
        .count()
}

#[tokio::test]
async fn logs_in_once_caches_and_renews_after_invalidate() {
    let fake = Fake::start(|_| keystone_reply("http://masakari:15868", "tok-1")).await;
    let auth = format!(
        "auth_url = \"{}\"\nusername = \"u\"\npassword = \"pw\"\nproject_name = \"service\"\n",
        fake.url
    );
    let source = TokenSource::new(&keystone_settings(&auth, ""));
    let client = reqwest::Client::new();
    let (token, endpoint) = source.get(&client).await.unwrap();
    assert_eq!(token.as_bytes(), b"tok-1");
    assert!(token.is_sensitive());
    assert_eq!(endpoint, "http://masakari:15868/v1");
    source.get(&client).await.unwrap();
    assert_eq!(logins(&fake.requests()), 1, "the token is cached");
    source.invalidate(&token);
    source.get(&client).await.unwrap();
    let seen = fake.requests();
    assert_eq!(logins(&seen), 2, "a refused token is renewed");
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body, auth_request(&keystone(&auth)));
    assert_eq!(seen[0].headers["content-type"], "application/json");
}

#[tokio::test]
async fn requests_without_a_token_share_one_login() {
    let fake = Fake::start(|_| keystone_reply("http://masakari:15868", "tok")).await;
    let source = std::sync::Arc::new(password_source(&fake.url, "pw", "service"));
    let client = reqwest::Client::new();
    let mut storm = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (source, client) = (std::sync::Arc::clone(&source), client.clone());
        storm.spawn(async move { source.get(&client).await.map(|(t, _)| t) });
    }
    let tokens = storm.join_all().await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap() == "tok"));
    assert_eq!(logins(&fake.requests()), 1, "one login for the storm");
}

#[tokio::test]
async fn a_late_refusal_of_an_old_token_keeps_the_new_one() {
    let issued = std::sync::atomic::AtomicUsize::new(0);
    let fake = Fake::start(move |_| {
        let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        keystone_reply("http://masakari:15868", &format!("tok-{n}"))
    })
    .await;
    let source = password_source(&fake.url, "pw", "service");
    let client = reqwest::Client::new();
    let (old, _) = source.get(&client).await.unwrap();
    source.invalidate(&old);
    let (new, _) = source.get(&client).await.unwrap();
    assert_eq!(new, "tok-1");
    source.invalidate(&old);
    source.get(&client).await.unwrap();
    assert_eq!(logins(&fake.requests()), 2, "the new token survives");
}

#[tokio::test]
async fn a_token_with_an_unreadable_expiry_is_used_once_then_renewed() {
    for expires in [
        "999999999999-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "soon",
    ] {
        let fake = Fake::start(move |_| expiring_reply("http://m/v1", "t", expires)).await;
        let source = password_source(&fake.url, "pw", "p");
        let client = reqwest::Client::new();
        let (token, _) = source.get(&client).await.unwrap();
        assert_eq!(token.as_bytes(), b"t", "{expires}");
        source.get(&client).await.unwrap();
        assert_eq!(logins(&fake.requests()), 2, "{expires}: renewed at once");
    }
}

#[tokio::test]
async fn a_configured_endpoint_wins_over_the_catalog() {
    let fake = Fake::start(|_| keystone_reply("http://catalog:15868/v1", "t")).await;
    let auth = format!(
        "auth_url = \"{}/v3\"\napplication_credential_id = \"a\"\napplication_credential_secret = \"s\"\n",
        fake.url
    );
    let source = TokenSource::new(&keystone_settings(&auth, "https://fixed:15868/v1"));
    let (_, endpoint) = source.get(&reqwest::Client::new()).await.unwrap();
    assert_eq!(endpoint, "https://fixed:15868/v1");
}

#[tokio::test]
async fn refused_logins_and_missing_endpoints_say_why_without_the_secret() {
    let refused = Fake::start(|_| {
        Reply::new(
            401,
            r#"{"error": {"code": 401, "message": "The request you have made requires authentication."}}"#,
        )
    })
    .await;
    let auth = |url: &str| {
        format!(
            "auth_url = \"{url}\"\nusername = \"u\"\npassword = \"hunter2\"\nproject_name = \"p\"\n\
             region_name = \"r7\"\n"
        )
    };
    let client = reqwest::Client::new();
    let err = TokenSource::new(&keystone_settings(&auth(&refused.url), ""))
        .get(&client)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("refused the login of u: wrong password"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let no_catalog = Fake::start(|_| keystone_reply("http://m", "t")).await;
    let err = TokenSource::new(&keystone_settings(&auth(&no_catalog.url), ""))
        .get(&client)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no instance-ha endpoint (interface internal, region r7)"),
        "{err}"
    );
}

#[test]
fn a_token_is_renewed_two_minutes_before_expiry_or_at_half_a_short_lifetime() {
    let t = |s: u64| Timestamp::from_unix(1_700_000_000 + s, 0);
    assert_eq!(renew_at(t(0), t(3600)), t(3480));
    assert_eq!(renew_at(t(0), t(240)), t(120));
    assert_eq!(renew_at(t(0), t(120)), t(60));
    assert_eq!(renew_at(t(0), t(0)), t(0));
    assert_eq!(
        renew_at(t(10), t(0)),
        t(0),
        "expired already: renewed at once"
    );
}

#[tokio::test]
async fn a_short_lived_token_serves_more_than_one_request() {
    let soon = now()
        .saturating_add(Duration::from_secs(100))
        .iso8601()
        .to_string();
    let expires: &'static str = Box::leak(soon.into_boxed_str());
    let fake = Fake::start(move |_| expiring_reply("http://m/v1", "t", expires)).await;
    let source = password_source(&fake.url, "pw", "p");
    let client = reqwest::Client::new();
    for _ in 0..3 {
        source.get(&client).await.unwrap();
    }
    assert_eq!(
        logins(&fake.requests()),
        1,
        "a 100 s token is renewed at 50 s"
    );
}

/// Keystone as it answers a password login: 401 unless `password_ok`; with it, 401 for a
/// scoped login when `project_ok` is false, and 201 otherwise.
fn judging_keystone(password_ok: bool, project_ok: bool) -> impl Fn(&Seen) -> Reply {
    move |seen: &Seen| {
        let scoped = seen.body.contains("\"scope\"");
        if !password_ok || (scoped && !project_ok) {
            let body = json!({"error": {"code": 401, "message": "The request you have made requires authentication."}});
            Reply::new(401, body.to_string())
        } else {
            keystone_reply("http://masakari:15868", "tok")
        }
    }
}

#[tokio::test]
async fn a_refused_login_says_whether_the_password_or_the_project_is_wrong() {
    for (password_ok, project_ok, said) in [
        (
            false,
            false,
            "wrong password, or unknown user or user domain",
        ),
        (
            true,
            false,
            "unknown project service (or project domain), or no role on it",
        ),
    ] {
        let fake = Fake::start(judging_keystone(password_ok, project_ok)).await;
        let source = password_source(&fake.url, "pw-secret", "service");
        let error = source
            .get(&reqwest::Client::new())
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(said), "{error}");
        assert!(!error.contains("pw-secret"), "{error}");
    }
}

#[tokio::test]
async fn an_unreachable_keystone_is_said_in_words() {
    let source = password_source("http://127.0.0.1:9", "pw", "p");
    let error = source
        .get(&reqwest::Client::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("Keystone unreachable at http://127.0.0.1:9/v3/auth/tokens"),
        "{error}"
    );
}
