//! The host monitor's kinds of `PROCESS` entry: which notification of one compute service's
//! episode on one host an outbox entry is. The payload carries the process name, so entries
//! are [`Outbox::push`](super::Outbox::push)ed.

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::notification::{HostEvent, ProcessPayload};

/// Which `PROCESS` notification of an episode an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcessKind {
    /// `STOPPED`: Pacemaker gave up on the service there.
    Stopped,
    /// `STARTED`: it runs there again.
    Started,
}

impl Kind for ProcessKind {
    type Payload = ProcessPayload;

    fn slug(self) -> &'static str {
        match self {
            Self::Stopped => "process-stopped",
            Self::Started => "process-started",
        }
    }
}

impl ProcessKind {
    /// The payload's event.
    pub fn event(self) -> HostEvent {
        match self {
            Self::Stopped => HostEvent::Stopped,
            Self::Started => HostEvent::Started,
        }
    }
}
