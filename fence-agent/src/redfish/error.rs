//! What can go wrong talking to a Redfish service; each error names the service's URL or the
//! path asked for, and what the service said (never a credential).

use super::wire::{DocError, Method};

/// How a request failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Nothing answered (refused, unreachable, name unknown).
    Connect,
    /// No answer within the time limit.
    Timeout,
    /// TLS failed (e.g. a certificate the agent does not trust).
    Tls,
    /// Anything else (the connection broke, a malformed answer).
    Other,
}

/// A Redfish exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedfishError {
    /// The HTTPS client could not be set up (e.g. an unreadable CA file).
    #[error("{0}")]
    Setup(String),
    /// The request got no HTTP answer.
    #[error("{url}: {detail}")]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// The URL.
        url: String,
        /// The client's account of it.
        detail: String,
    },
    /// The service answered with a status that is not success.
    #[error("{method:?} {path} answered {status}{}", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// What the service's error body said.
        message: Option<String>,
    },
    /// A document is not what Redfish promises.
    #[error("{path}: {problem}")]
    Document {
        /// The document's path.
        path: String,
        /// What is wrong with it.
        problem: DocError,
    },
    /// The service has no computer system.
    #[error("{path} lists no system")]
    NoSystem {
        /// The Systems collection.
        path: String,
    },
    /// The service has several systems and `systems_uri` does not say which one to fence
    /// (fence_redfish would take the last one listed).
    #[error("{path} lists {} systems; set systems_uri to one of: {}", .members.len(), .members.join(", "))]
    SeveralSystems {
        /// The Systems collection.
        path: String,
        /// Its members.
        members: Vec<String>,
    },
    /// The service root has no `Systems` link and `systems_uri` is not set.
    #[error("{path} has no Systems link; set systems_uri")]
    NoSystems {
        /// The service root.
        path: String,
    },
    /// The system has no ComputerSystem.Reset action.
    #[error("{path} offers no #ComputerSystem.Reset action")]
    NoReset {
        /// The system.
        path: String,
    },
    /// The system's ComputerSystem.Reset does not offer the reset type needed.
    #[error("{path}'s ComputerSystem.Reset does not allow ResetType {reset_type} (it allows: {})", .allowed.join(", "))]
    ResetTypeNotAllowed {
        /// The system.
        path: String,
        /// The reset type needed.
        reset_type: &'static str,
        /// What the service allows.
        allowed: Vec<String>,
    },
    /// The system is in a `PowerState` that is neither `On` nor `Off`.
    #[error("{path} reports PowerState {state}")]
    PowerState {
        /// The system.
        path: String,
        /// The state it reports.
        state: String,
    },
    /// The session login answered success without an `X-Auth-Token`.
    #[error("the session login at {path} answered {status} without an X-Auth-Token")]
    NoToken {
        /// Where the login was posted.
        path: String,
        /// Its status.
        status: u16,
    },
}

impl RedfishError {
    /// Whether nothing answered at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            RedfishError::Transport {
                kind: TransportKind::Connect | TransportKind::Timeout,
                ..
            }
        )
    }

    /// Whether the service definitively refused (retrying the same request cannot help): bad
    /// credentials, a request it will not do (4xx) or cannot do (501 Not Implemented).
    pub fn is_refusal(&self) -> bool {
        match self {
            RedfishError::Status { status, .. } => (400..500).contains(status) || *status == 501,
            RedfishError::ResetTypeNotAllowed { .. }
            | RedfishError::NoReset { .. }
            | RedfishError::Setup(_)
            | RedfishError::Transport {
                kind: TransportKind::Tls,
                ..
            } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_the_service_said() {
        let e = RedfishError::Status {
            method: Method::Post,
            path: "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset".into(),
            status: 400,
            message: Some("ResetType Nmi not supported".into()),
        };
        assert_eq!(
            e.to_string(),
            "Post /redfish/v1/Systems/1/Actions/ComputerSystem.Reset answered 400: ResetType Nmi not supported"
        );
        assert!(e.is_refusal() && !e.is_unreachable());
        let several = RedfishError::SeveralSystems {
            path: "/redfish/v1/Systems".into(),
            members: vec![
                "/redfish/v1/Systems/a".into(),
                "/redfish/v1/Systems/b".into(),
            ],
        };
        assert_eq!(
            several.to_string(),
            "/redfish/v1/Systems lists 2 systems; set systems_uri to one of: /redfish/v1/Systems/a, /redfish/v1/Systems/b"
        );
    }

    #[test]
    fn server_errors_are_not_refusals() {
        let e = RedfishError::Status {
            method: Method::Get,
            path: "/".into(),
            status: 503,
            message: None,
        };
        assert!(!e.is_refusal());
        assert_eq!(e.to_string(), "Get / answered 503");
    }
}
