//! What the daemon answers: the status, a release's or a dismissal's confirmation, or why it could
//! not answer.

pub use monitor_control::{AnswerError, ErrorAnswer, parse_answer};
use serde::{Deserialize, Serialize};

use super::health::HealthView;
use super::record::StoreView;
use crate::engine::{NotificationId, Status};

/// The daemon's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// To `status`.
    Status(Box<StatusAnswer>),
    /// To `release`.
    Released(Released),
    /// To `dismiss`.
    Dismissed(Dismissed),
    /// To a request it would not or could not carry out.
    Error(ErrorAnswer),
}

/// The answer to `status`: the engine's view and the daemon's health.
///
/// On the wire the health fields sit at the top level beside `engine`, and quorum appears twice,
/// as `engine.quorate` (the engine's own status) and as a top-level `quorate` (documented in
/// OPERATING.md for `status --json` and read by operators' scripts). Both are written from the
/// one [`Status::quorate`]; the top-level copy is ignored when read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusAnswer {
    /// The engine's view of the cluster and its pending notifications.
    pub engine: Status,
    /// The daemon's health.
    #[serde(flatten)]
    pub health: HealthView,
    /// Where the durable record stands (`None` from a daemon that predates it).
    #[serde(default)]
    pub record: Option<StoreView>,
}

/// The status answer as it is written: the top-level `quorate` copied from the engine's.
#[derive(Serialize)]
struct StatusWire<'a> {
    engine: &'a Status,
    #[serde(flatten)]
    health: &'a HealthView,
    quorate: Option<bool>,
    record: &'a Option<StoreView>,
}

impl Serialize for StatusAnswer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StatusWire {
            engine: &self.engine,
            health: &self.health,
            quorate: self.engine.quorate,
            record: &self.record,
        }
        .serialize(serializer)
    }
}

/// The answer to `release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Released {
    /// Whether the hold was let go (always `true`: a refusal is an [`ErrorAnswer`]).
    pub released: bool,
}

/// The answer to `dismiss`: what the engine dropped. A refusal (another episode, nothing
/// pending, not a watched host) is an [`ErrorAnswer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissed {
    /// The host.
    pub host: String,
    /// The process name, when a process episode was dismissed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// The episode dismissed.
    pub episode: u64,
    /// The notifications dropped.
    pub dropped: Vec<NotificationId>,
    /// The one being sent at that moment: dropped if that attempt fails, stored if the API takes it.
    pub in_flight: Option<NotificationId>,
    /// Whether the cluster's copy of the record holds the dismissal yet (if not, the daemon keeps
    /// writing it; a monitor taking over before it does would send the notification again).
    pub durable: bool,
}

impl Answer {
    /// The answer as one JSON line, newline included.
    pub fn to_line(&self) -> String {
        match self {
            Self::Status(status) => monitor_control::to_line(status),
            Self::Released(released) => monitor_control::to_line(released),
            Self::Dismissed(dismissed) => monitor_control::to_line(dismissed),
            Self::Error(error) => monitor_control::to_line(error),
        }
    }

    /// An error answer.
    pub fn error(text: impl Into<String>) -> Self {
        Self::Error(ErrorAnswer { error: text.into() })
    }
}
