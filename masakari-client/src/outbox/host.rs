//! The host monitor's kinds of entry: which `COMPUTE_HOST` notification of a host's failure
//! episode an outbox entry is.

use serde::{Deserialize, Serialize};

use super::{FixedPayload, Kind};
use crate::notification::HostPayload;

/// Which notification of an episode an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    /// `STOPPED`/`OFFLINE`/`NORMAL`.
    StoppedNormal,
    /// `STOPPED`/`OFFLINE`/`UNKNOWN`.
    StoppedUnknown,
    /// `STARTED`/`ONLINE`/`NORMAL`.
    Started,
}

impl FixedPayload for HostKind {
    fn payload(self) -> HostPayload {
        match self {
            Self::StoppedNormal => HostPayload::STOPPED_FENCED,
            Self::StoppedUnknown => HostPayload::STOPPED_UNCONFIRMED,
            Self::Started => HostPayload::STARTED,
        }
    }
}

impl Kind for HostKind {
    type Payload = HostPayload;

    fn slug(self) -> &'static str {
        match self {
            Self::StoppedNormal => "stopped-normal",
            Self::StoppedUnknown => "stopped-unknown",
            Self::Started => "started",
        }
    }
}

impl HostKind {
    /// Whether it reports the host stopped (true while the host is lost).
    pub fn is_stop(self) -> bool {
        matches!(self, Self::StoppedNormal | Self::StoppedUnknown)
    }
}
