//! What the daemon answers: its status, or why it could not answer.

use std::path::PathBuf;

use masakari_client::{NotificationId, Timestamp};
pub use monitor_control::{AnswerError, ErrorAnswer, parse_answer};
use serde::{Deserialize, Serialize};

/// The daemon's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// To `status`.
    Status(Box<StatusAnswer>),
    /// To a request it would not or could not carry out.
    Error(ErrorAnswer),
}

/// The answer to `status`: the link to libvirt, the domains, the notifications waiting for
/// delivery and the last contact with the Masakari API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusAnswer {
    /// The name notifications are sent under (Masakari's host name of this compute).
    pub hostname: String,
    /// The link to libvirt.
    pub libvirt: LibvirtView,
    /// The domains libvirt reported at the last (re)connect and since.
    pub domains: DomainsView,
    /// Notifications not yet answered by the API, oldest first (kept in `[paths] state_file`).
    pub pending: Vec<PendingView>,
    /// The Masakari API as last seen.
    pub api: ApiView,
}

/// The link to libvirt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibvirtView {
    /// Whether the connection is set up (registered for events and reconciled).
    pub connected: bool,
    /// The configured URI (`[libvirt] uri`).
    pub uri: String,
    /// The socket the URI means, once resolved.
    #[serde(default)]
    pub socket: Option<PathBuf>,
    /// Why the last connection failed or ended (`None` before any failure).
    #[serde(default)]
    pub last_error: Option<String>,
    /// Connections set up since the daemon started (1 when it never reconnected).
    #[serde(default)]
    pub connects: u64,
}

/// The domains as the monitor knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DomainsView {
    /// Domains known (defined or running).
    pub seen: usize,
    /// Of which active (running, paused).
    pub active: usize,
}

/// One notification waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    /// Its id (`host/number/vm`), stable across retries and restarts.
    pub id: NotificationId,
    /// The payload's `event` (`LIFECYCLE`, ...).
    pub event: String,
    /// The payload's `vir_domain_event` (`STOPPED_FAILED`, ...).
    pub vir_domain_event: String,
    /// The instance's UUID.
    pub instance_uuid: String,
    /// Attempts made so far (0: not sent yet).
    pub attempts: u32,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it is tried next, after a failure (`None`: now, or in flight).
    #[serde(default)]
    pub next_try: Option<Timestamp>,
    /// More failed retries than the alert threshold: still retried, and alerted on.
    pub overdue: bool,
}

/// The Masakari API as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiView {
    /// Whether the last POST got an answer (`None` before the first contact). A refusal (400)
    /// is an answer: the API works, the notification was not accepted.
    pub last_ok: Option<bool>,
    /// Why the last POST failed, if it did.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Notifications the API took (202, or 409: it had them already) since the daemon started.
    #[serde(default)]
    pub delivered: u64,
}

impl StatusAnswer {
    /// The pending notifications past the alert threshold.
    pub fn overdue(&self) -> usize {
        self.pending.iter().filter(|p| p.overdue).count()
    }
}

impl Answer {
    /// The answer as one JSON line, newline included.
    pub fn to_line(&self) -> String {
        match self {
            Self::Status(status) => monitor_control::to_line(status),
            Self::Error(error) => monitor_control::to_line(error),
        }
    }

    /// An error answer.
    pub fn error(text: impl Into<String>) -> Self {
        Self::Error(ErrorAnswer { error: text.into() })
    }
}
