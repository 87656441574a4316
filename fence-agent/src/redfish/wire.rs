//! The Redfish documents the agent reads, and the requests and answers it exchanges, as data.
//!
//! Every document is outside input: it is read from `serde_json::Value` by lookups that cannot
//! panic, and only URIs that are paths on the same service (`/...`) are followed, so a document
//! cannot send the credentials to another host. Text from the controller that ends up in an
//! error is cut to [`MESSAGE_LIMIT`] characters without control characters.

use secret::Secret;
use serde_json::Value;

/// Longest controller text kept in an error.
pub const MESSAGE_LIMIT: usize = 240;

/// An HTTP method the agent uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads.
    Get,
    /// Session creation and ComputerSystem.Reset.
    Post,
    /// The session's end.
    Delete,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth<'a> {
    /// None (the session login carries the credentials in its body).
    None,
    /// HTTP basic auth.
    Basic {
        /// The user.
        username: &'a str,
        /// The password.
        password: &'a Secret,
    },
    /// A Redfish session's `X-Auth-Token`.
    Token(&'a Secret),
}

/// One request to the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The method.
    pub method: Method,
    /// The path on the service (`/redfish/v1/...`).
    pub path: String,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// Its authentication.
    pub auth: Auth<'a>,
}

/// One answer from the service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Auth-Token` header (session logins).
    pub token: Option<Secret>,
    /// The `Location` header (session logins: the session to delete).
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a document is not what the agent needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// Not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// A member the agent needs is missing or of the wrong type.
    #[error("no {0} in it")]
    Missing(&'static str),
    /// A URI that is not a path on this service.
    #[error("{what} is not a path on this service: {uri}")]
    ForeignUri {
        /// Which link.
        what: &'static str,
        /// The URI (cut).
        uri: String,
    },
}

/// The links of the service root the agent follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRoot {
    /// `Systems` (the collection of computer systems).
    pub systems: Option<String>,
    /// `Links.Sessions` (where sessions are created), when the service has a SessionService.
    pub sessions: Option<String>,
}

/// A computer system, as far as power goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// `PowerState`.
    pub power_state: PowerState,
    /// `Actions.#ComputerSystem.Reset.target`.
    pub reset_target: Option<String>,
    /// `ResetType@Redfish.AllowableValues`, when the service lists them.
    pub reset_types: Option<Vec<String>>,
}

/// A system's `PowerState`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PowerState {
    /// `On`.
    On,
    /// `Off`.
    Off,
    /// `PoweringOn`, `PoweringOff`, `Paused` or a value of a newer schema (cut).
    Other(String),
}

/// Reads the service root.
pub fn service_root(body: &[u8]) -> Result<ServiceRoot, DocError> {
    let doc = json(body)?;
    Ok(ServiceRoot {
        systems: link(doc.get("Systems"), "Systems")?,
        sessions: link(
            doc.get("Links").and_then(|l| l.get("Sessions")),
            "Links.Sessions",
        )?,
    })
}

/// Reads a collection's `Members` (their `@odata.id`).
pub fn members(body: &[u8]) -> Result<Vec<String>, DocError> {
    let doc = json(body)?;
    let list = doc
        .get("Members")
        .and_then(Value::as_array)
        .ok_or(DocError::Missing("Members"))?;
    list.iter()
        .map(|m| link(Some(m), "a member's @odata.id")?.ok_or(DocError::Missing("@odata.id")))
        .collect()
}

/// Reads a computer system.
pub fn system(body: &[u8]) -> Result<System, DocError> {
    let doc = json(body)?;
    let power_state = match doc.get("PowerState").and_then(Value::as_str) {
        Some("On") => PowerState::On,
        Some("Off") => PowerState::Off,
        Some(other) => PowerState::Other(cut(other)),
        None => return Err(DocError::Missing("PowerState")),
    };
    let reset = doc
        .get("Actions")
        .and_then(|a| a.get("#ComputerSystem.Reset"));
    let reset_target = match reset.and_then(|r| r.get("target")) {
        Some(Value::String(uri)) => Some(path(uri, "the Reset target")?),
        _ => None,
    };
    let reset_types = reset
        .and_then(|r| r.get("ResetType@Redfish.AllowableValues"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(cut).collect());
    Ok(System {
        power_state,
        reset_target,
        reset_types,
    })
}

/// What a Redfish error body says (`error.message`, then each `@Message.ExtendedInfo` message),
/// cut; `None` when the body says nothing readable.
pub fn error_message(body: &[u8]) -> Option<String> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    let error = doc.get("error")?;
    let mut parts: Vec<&str> = error
        .get("message")
        .and_then(Value::as_str)
        .into_iter()
        .collect();
    if let Some(info) = error.get("@Message.ExtendedInfo").and_then(Value::as_array) {
        parts.extend(info.iter().filter_map(|i| i.get("Message")?.as_str()));
    }
    (!parts.is_empty()).then(|| cut(&parts.join("; ")))
}

/// A session login's body.
pub fn login_body(username: &str, password: &Secret) -> Value {
    serde_json::json!({
        "UserName": username,
        "Password": String::from_utf8_lossy(password.expose()),
    })
}

/// A ComputerSystem.Reset's body.
pub fn reset_body(reset_type: &str) -> Value {
    serde_json::json!({ "ResetType": reset_type })
}

/// A URI of a header or document, if it is a path on this service.
pub fn path(uri: &str, what: &'static str) -> Result<String, DocError> {
    if uri.starts_with('/') && !uri.starts_with("//") && !uri.chars().any(char::is_control) {
        return Ok(uri.to_owned());
    }
    Err(DocError::ForeignUri {
        what,
        uri: cut(uri),
    })
}

/// Text from the controller, fit for an error line.
pub fn cut(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MESSAGE_LIMIT)
        .collect()
}

fn json(body: &[u8]) -> Result<Value, DocError> {
    serde_json::from_slice(body).map_err(|e| DocError::NotJson(e.to_string()))
}

/// `{"@odata.id": "/..."}` as a path; `None` when absent.
fn link(value: Option<&Value>, what: &'static str) -> Result<Option<String>, DocError> {
    match value.and_then(|v| v.get("@odata.id")) {
        None => Ok(None),
        Some(Value::String(uri)) => path(uri, what).map(Some),
        Some(_) => Err(DocError::Missing(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUSHY_ROOT: &[u8] = include_bytes!("../../tests/data/redfish/sushy-root.json");
    const SUSHY_SYSTEM: &[u8] = include_bytes!("../../tests/data/redfish/sushy-system.json");

    #[test]
    fn sushys_root_has_systems_and_no_sessions() {
        let root = service_root(SUSHY_ROOT).unwrap();
        assert_eq!(root.systems.as_deref(), Some("/redfish/v1/Systems"));
        assert_eq!(root.sessions, None);
    }

    #[test]
    fn a_root_with_a_session_service_names_where_to_log_in() {
        let body = br#"{"Systems":{"@odata.id":"/redfish/v1/Systems"},
            "Links":{"Sessions":{"@odata.id":"/redfish/v1/SessionService/Sessions"}}}"#;
        let root = service_root(body).unwrap();
        assert_eq!(
            root.sessions.as_deref(),
            Some("/redfish/v1/SessionService/Sessions")
        );
    }

    #[test]
    fn sushys_system_has_power_and_the_reset_action() {
        let system = system(SUSHY_SYSTEM).unwrap();
        assert_eq!(system.power_state, PowerState::On);
        assert!(
            system
                .reset_target
                .as_deref()
                .is_some_and(|t| t.ends_with("/Actions/ComputerSystem.Reset"))
        );
        let types = system.reset_types.unwrap();
        for wanted in ["On", "ForceOff", "ForceRestart", "Nmi"] {
            assert!(types.iter().any(|t| t == wanted), "{wanted}: {types:?}");
        }
    }

    #[test]
    fn links_to_other_hosts_are_refused() {
        let body = br#"{"Systems":{"@odata.id":"https://evil.example/redfish/v1/Systems"}}"#;
        assert!(matches!(
            service_root(body),
            Err(DocError::ForeignUri { .. })
        ));
        assert!(path("//evil.example/x", "x").is_err());
        assert!(path("/redfish/v1\n", "x").is_err());
        let body =
            br##"{"PowerState":"On","Actions":{"#ComputerSystem.Reset":{"target":"http://x/"}}}"##;
        assert!(system(body).is_err());
    }

    #[test]
    fn members_are_their_paths() {
        let body = br#"{"Members":[{"@odata.id":"/redfish/v1/Systems/a"},{"@odata.id":"/redfish/v1/Systems/b"}]}"#;
        assert_eq!(
            members(body).unwrap(),
            ["/redfish/v1/Systems/a", "/redfish/v1/Systems/b"]
        );
        assert_eq!(members(br#"{"Members":[]}"#).unwrap(), Vec::<String>::new());
        assert_eq!(
            members(br#"{"Members":[{}]}"#),
            Err(DocError::Missing("@odata.id"))
        );
        assert_eq!(members(b"{}"), Err(DocError::Missing("Members")));
    }

    #[test]
    fn other_power_states_and_odd_documents() {
        let s = system(br#"{"PowerState":"PoweringOn"}"#).unwrap();
        assert_eq!(s.power_state, PowerState::Other("PoweringOn".into()));
        assert_eq!(s.reset_target, None);
        assert_eq!(
            system(br#"{"PowerState":1}"#),
            Err(DocError::Missing("PowerState"))
        );
        assert!(matches!(system(b"<html>"), Err(DocError::NotJson(_))));
        assert!(matches!(
            service_root(b"[]"),
            Ok(ServiceRoot { systems: None, .. })
        ));
    }

    #[test]
    fn error_bodies_say_what_the_controller_said() {
        let body =
            br#"{"error":{"code":"Base.1.0.GeneralError","message":"A general error has occurred.",
            "@Message.ExtendedInfo":[{"Message":"The action ForceOff is not allowed\nnow."}]}}"#;
        assert_eq!(
            error_message(body).as_deref(),
            Some("A general error has occurred.; The action ForceOff is not allowed now.")
        );
        assert_eq!(error_message(b"Unauthorized"), None);
        assert_eq!(error_message(&[b'x'; 10]), None);
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "a".repeat(1000));
        assert_eq!(
            error_message(long.as_bytes()).map(|m| m.len()),
            Some(MESSAGE_LIMIT)
        );
    }
}
