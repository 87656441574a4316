//! The conversation against a scripted service: each answer is given in order, each request
//! the client sends is recorded (with how it authenticated).

use std::collections::VecDeque;

use super::*;

const ROOT: &[u8] = include_bytes!("../../../tests/data/redfish/sushy-root.json");
const SYSTEMS: &[u8] = include_bytes!("../../../tests/data/redfish/sushy-systems.json");
const SYSTEM: &[u8] = include_bytes!("../../../tests/data/redfish/sushy-system.json");
const SYSTEM_PATH: &str = "/redfish/v1/Systems/11111111-2222-3333-4444-555555555555";

/// A request as sent: method, path, how it authenticated, body.
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    method: Method,
    path: String,
    auth: &'static str,
    body: Option<serde_json::Value>,
}

#[derive(Default)]
struct Script {
    answers: VecDeque<Result<Response, RedfishError>>,
    sent: Vec<Sent>,
}

impl Transport for &mut Script {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, RedfishError> {
        let auth = match request.auth {
            Auth::None => "none",
            Auth::Basic { username, password } => {
                assert_eq!((username, password.expose()), ("admin", &b"pw"[..]));
                "basic"
            }
            Auth::Token(token) => {
                assert_eq!(token.expose(), b"tok");
                "token"
            }
        };
        self.sent.push(Sent {
            method: request.method,
            path: request.path.clone(),
            auth,
            body: request.body.clone(),
        });
        self.answers.pop_front().unwrap_or_else(|| Ok(ok(b"{}")))
    }
}

fn ok(body: &[u8]) -> Response {
    answer(200, body)
}

fn answer(status: u16, body: &[u8]) -> Response {
    Response {
        status,
        body: body.to_vec(),
        ..Response::default()
    }
}

fn target(systems_uri: Option<&str>) -> Target {
    Target {
        username: "admin".into(),
        password: Secret::from_string("pw".into()),
        redfish_uri: "/redfish/v1".into(),
        systems_uri: systems_uri.map(str::to_owned),
        sessions: true,
    }
}

fn query(systems_uri: Option<&str>) -> Target {
    Target {
        sessions: false,
        ..target(systems_uri)
    }
}

fn script(answers: Vec<Response>) -> Script {
    Script {
        answers: answers.into_iter().map(Ok).collect(),
        sent: Vec::new(),
    }
}

fn paths(script: &Script) -> Vec<(Method, &str, &str)> {
    script
        .sent
        .iter()
        .map(|s| (s.method, s.path.as_str(), s.auth))
        .collect()
}

fn system_with(power: &str) -> Vec<u8> {
    String::from_utf8_lossy(SYSTEM)
        .replace(
            "\"PowerState\": \"On\"",
            &format!("\"PowerState\": \"{power}\""),
        )
        .into_bytes()
}

#[test]
fn discovers_the_one_system_and_reads_its_power_with_basic_auth() {
    let mut s = script(vec![ok(ROOT), ok(SYSTEMS), ok(SYSTEM)]);
    let mut client = Client::new(&mut s, target(None));
    assert_eq!(client.power_is_on(), Ok(true));
    client.close();
    assert_eq!(
        paths(&s),
        [
            (Method::Get, "/redfish/v1", "basic"),
            (Method::Get, "/redfish/v1/Systems", "basic"),
            (Method::Get, SYSTEM_PATH, "basic"),
        ]
    );
}

#[test]
fn a_query_with_systems_uri_is_one_basic_auth_request_even_where_sessions_are_offered() {
    let mut s = script(vec![ok(SYSTEM)]);
    let mut client = Client::new(&mut s, query(Some(SYSTEM_PATH)));
    assert_eq!(client.power_is_on(), Ok(true));
    client.close();
    assert_eq!(paths(&s), [(Method::Get, SYSTEM_PATH, "basic")]);
    let mut s = script(vec![ok(SESSION_ROOT), ok(SYSTEMS), ok(SYSTEM)]);
    assert_eq!(Client::new(&mut s, query(None)).power_is_on(), Ok(true));
    assert!(s.sent.iter().all(|r| r.auth == "basic"), "{:?}", s.sent);
}

#[test]
fn off_is_off_and_other_states_are_not_an_answer() {
    let mut s = script(vec![
        ok(ROOT),
        ok(&system_with("Off")),
        ok(&system_with("PoweringOn")),
    ]);
    let mut client = Client::new(&mut s, target(Some(SYSTEM_PATH)));
    assert_eq!(client.power_is_on(), Ok(false));
    assert!(matches!(
        client.power_is_on(),
        Err(RedfishError::PowerState { state, .. }) if state == "PoweringOn"
    ));
}

#[test]
fn a_reset_posts_fence_redfishs_type_to_the_systems_target_and_checks_the_status() {
    let mut s = script(vec![
        ok(ROOT),
        ok(SYSTEM),
        answer(204, b""),
        answer(400, br#"{"error":{"message":"no, not now"}}"#),
    ]);
    let mut client = Client::new(&mut s, target(Some(SYSTEM_PATH)));
    assert_eq!(client.control(Control::PowerDown), Ok(()));
    let refused = client.control(Control::PowerUp).unwrap_err();
    assert!(refused.is_refusal());
    assert!(
        refused.to_string().ends_with("answered 400: no, not now"),
        "{refused}"
    );
    let reset = format!("{SYSTEM_PATH}/Actions/ComputerSystem.Reset");
    assert_eq!(
        paths(&s)[2..],
        [
            (Method::Post, reset.as_str(), "basic"),
            (Method::Post, reset.as_str(), "basic")
        ]
    );
    let types: Vec<_> = s.sent[2..].iter().map(|r| r.body.clone()).collect();
    assert_eq!(
        types,
        [
            Some(serde_json::json!({"ResetType": "ForceOff"})),
            Some(serde_json::json!({"ResetType": "On"}))
        ]
    );
}

#[test]
fn every_command_has_fence_redfishs_reset_type() {
    assert_eq!(reset_type(Control::PowerUp), "On");
    assert_eq!(reset_type(Control::PowerDown), "ForceOff");
    assert_eq!(reset_type(Control::PowerCycle), "ForceRestart");
    assert_eq!(reset_type(Control::DiagnosticInterrupt), "Nmi");
}

#[test]
fn a_reset_type_the_system_does_not_allow_is_refused_before_posting() {
    let only_on = String::from_utf8_lossy(SYSTEM)
        .replace("\"Nmi\",", "")
        .into_bytes();
    let mut s = script(vec![ok(ROOT), ok(&only_on)]);
    let mut client = Client::new(&mut s, target(Some(SYSTEM_PATH)));
    let e = client.control(Control::DiagnosticInterrupt).unwrap_err();
    assert!(
        matches!(
            e,
            RedfishError::ResetTypeNotAllowed {
                reset_type: "Nmi",
                ..
            }
        ),
        "{e}"
    );
    assert!(s.sent.iter().all(|r| r.method == Method::Get));
}

#[test]
fn several_systems_without_systems_uri_is_an_error_not_a_guess() {
    let two = br#"{"Members":[{"@odata.id":"/redfish/v1/Systems/a"},{"@odata.id":"/redfish/v1/Systems/b"}]}"#;
    let mut s = script(vec![ok(ROOT), ok(two)]);
    let e = Client::new(&mut s, target(None)).power_is_on().unwrap_err();
    assert!(matches!(&e, RedfishError::SeveralSystems { members, .. } if members.len() == 2));
    assert!(e.to_string().contains("set systems_uri"), "{e}");
    let mut s = script(vec![ok(ROOT), ok(br#"{"Members":[]}"#)]);
    let e = Client::new(&mut s, target(None)).power_is_on().unwrap_err();
    assert!(matches!(e, RedfishError::NoSystem { .. }));
}

#[test]
fn bad_credentials_and_a_wrong_systems_uri_say_what_the_service_said() {
    let denied = br#"{"error":{"message":"Incorrect username or password"}}"#;
    let mut s = script(vec![ok(ROOT), answer(401, denied)]);
    let e = Client::new(&mut s, target(Some(SYSTEM_PATH)))
        .power_is_on()
        .unwrap_err();
    assert!(e.is_refusal());
    assert!(
        e.to_string()
            .contains("401: Incorrect username or password"),
        "{e}"
    );
    let missing = br#"{"error":{"message":"Fake system nope was not found"}}"#;
    let mut s = script(vec![ok(ROOT), answer(404, missing)]);
    let e = Client::new(&mut s, target(Some("/redfish/v1/Systems/nope"))).power_is_on();
    assert!(
        e.unwrap_err()
            .to_string()
            .contains("404: Fake system nope was not found")
    );
}

const SESSION_ROOT: &[u8] = br#"{"Systems":{"@odata.id":"/redfish/v1/Systems"},
    "Links":{"Sessions":{"@odata.id":"/redfish/v1/SessionService/Sessions"}}}"#;

fn logged_in(location: &str) -> Response {
    Response {
        status: 201,
        token: Some(Secret::from_string("tok".into())),
        location: Some(location.into()),
        body: b"{}".to_vec(),
    }
}

#[test]
fn a_session_service_means_a_token_and_the_session_deleted_at_the_end() {
    let mut s = script(vec![
        ok(SESSION_ROOT),
        logged_in("https://bmc:443/redfish/v1/SessionService/Sessions/7"),
        ok(SYSTEM),
        answer(204, b""),
    ]);
    let mut client = Client::new(&mut s, target(Some(SYSTEM_PATH)));
    assert_eq!(client.power_is_on(), Ok(true));
    client.close();
    client.close();
    assert_eq!(
        paths(&s),
        [
            (Method::Get, "/redfish/v1", "basic"),
            (Method::Post, "/redfish/v1/SessionService/Sessions", "none"),
            (Method::Get, SYSTEM_PATH, "token"),
            (
                Method::Delete,
                "/redfish/v1/SessionService/Sessions/7",
                "token"
            ),
        ]
    );
    assert_eq!(
        s.sent[1].body,
        Some(serde_json::json!({"UserName": "admin", "Password": "pw"}))
    );
}

#[test]
fn without_sessions_on_offer_it_falls_back_to_basic_auth_and_a_refused_login_is_an_error() {
    let mut s = script(vec![ok(SESSION_ROOT), answer(405, b""), ok(SYSTEM)]);
    let mut client = Client::new(&mut s, target(Some(SYSTEM_PATH)));
    assert_eq!(client.power_is_on(), Ok(true));
    assert!(
        client
            .take_notes()
            .iter()
            .any(|n| n.contains("using basic auth"))
    );
    assert_eq!(paths(&s)[2], (Method::Get, SYSTEM_PATH, "basic"));
    let mut s = script(vec![ok(SESSION_ROOT), answer(401, b"")]);
    let e = Client::new(&mut s, target(Some(SYSTEM_PATH)))
        .power_is_on()
        .unwrap_err();
    assert!(e.is_refusal(), "{e}");
    let no_token = Response {
        token: None,
        ..logged_in("/s/1")
    };
    let mut s = script(vec![ok(SESSION_ROOT), no_token]);
    let e = Client::new(&mut s, target(Some(SYSTEM_PATH)))
        .power_is_on()
        .unwrap_err();
    assert!(matches!(e, RedfishError::NoToken { .. }));
}

#[test]
fn a_session_location_on_another_host_is_not_followed() {
    assert_eq!(session_path("https://other:443/s/1").as_deref(), Ok("/s/1"));
    assert_eq!(session_path("/s/1").as_deref(), Ok("/s/1"));
    assert!(session_path("s/1").is_err());
}

#[test]
fn an_unreachable_service_is_said_so() {
    let mut s = Script::default();
    s.answers.push_back(Err(RedfishError::Transport {
        kind: crate::redfish::error::TransportKind::Connect,
        url: "https://127.0.0.1:1/redfish/v1".into(),
        detail: "connection refused".into(),
    }));
    let e = Client::new(&mut s, target(None)).power_is_on().unwrap_err();
    assert!(e.is_unreachable());
}
